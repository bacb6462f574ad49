// RUN: sdpa-opt %s -verify-diagnostics --attn-map-grid-to-gpu=threads=2048

func.func @too_many_threads(%q: memref<4x8xf32>, %k: memref<4x8xf32>, %v: memref<4x8xf32>, %o: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{'scf.forall' op threads per block must be in [1, 1024], got 2048}}
  scf.forall (%i) in (1) {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %i) keys(%c0, %c4) scale 0.35 tiles [16, 32] outs(%o : memref<4x8xf32>) : memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>
  }
  return
}
