// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-online-softmax-gpu
// RUN: not sdpa-opt %s --attn-online-softmax-gpu="tensor-cores=tf32" 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: error: unknown tensor-cores='tf32'; expected mma-sync or wmma

func.func @not_in_launch(%q: memref<16x8xf32>, %k: memref<40x8xf32>, %v: memref<40x8xf32>, %o: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c40 = arith.constant 40 : index
  // expected-error @+1 {{the GPU lowering needs the block inside a gpu.launch (run --attn-map-grid-to-gpu)}}
  attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c40) scale 0.35 tiles [16, 32] outs(%o : memref<16x8xf32>) : memref<16x8xf32>, memref<40x8xf32>, memref<40x8xf32>
  return
}

// -----

func.func @f64(%q: memref<16x8xf64>, %k: memref<40x8xf64>, %v: memref<40x8xf64>, %o: memref<16x8xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c128 = arith.constant 128 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) {
    // expected-error @+1 {{the GPU lowering supports f32, f16 and bf16, not 'f64' (f64 runs on the CPU only)}}
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c40) scale 0.35 tiles [16, 32] outs(%o : memref<16x8xf64>) : memref<16x8xf64>, memref<40x8xf64>, memref<40x8xf64>
    gpu.terminator
  }
  return
}

// -----

func.func @rows_not_multiple(%q: memref<12x8xf32>, %k: memref<40x8xf32>, %v: memref<40x8xf32>, %o: memref<12x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c128 = arith.constant 128 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) {
    // expected-error @+1 {{query block size 12 must be a multiple of 8 (threads per block / 16) on the GPU}}
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c40) scale 0.35 tiles [12, 32] outs(%o : memref<12x8xf32>) : memref<12x8xf32>, memref<40x8xf32>, memref<40x8xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @keys_not_multiple(%q: memref<16x8xf32>, %k: memref<40x8xf32>, %v: memref<40x8xf32>, %o: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c128 = arith.constant 128 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) {
    // expected-error @+1 {{key block size 48 must be a multiple of 32 on the GPU}}
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c40) scale 0.35 tiles [16, 48] outs(%o : memref<16x8xf32>) : memref<16x8xf32>, memref<40x8xf32>, memref<40x8xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @partial_warp(%q: memref<16x8xf32>, %k: memref<40x8xf32>, %v: memref<40x8xf32>, %o: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c48 = arith.constant 48 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c48, %v1 = %c1, %w = %c1) {
    // expected-error @+1 {{needs whole warps: 48 threads per block is not a multiple of 32}}
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c40) scale 0.35 tiles [16, 32] outs(%o : memref<16x8xf32>) : memref<16x8xf32>, memref<40x8xf32>, memref<40x8xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @too_much_shared_memory(%q: memref<64x512xf32>, %k: memref<64x512xf32>, %v: memref<64x512xf32>, %o: memref<64x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) {
    // expected-error @+1 {{needs 410880 bytes of shared memory (tiles [64, 64], E = 512, Ev = 512), more than the 232448 a block may have; use smaller tiles}}
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c64) scale 0.35 tiles [64, 64] outs(%o : memref<64x512xf32>) : memref<64x512xf32>, memref<64x512xf32>, memref<64x512xf32>
    gpu.terminator
  }
  return
}
