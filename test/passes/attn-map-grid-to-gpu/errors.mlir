// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-map-grid-to-gpu

// Every thread of a block runs the copied body: an op that writes memory is
// refused rather than run 128 times.
func.func @writes_memory(%q: memref<4x8xf32>, %k: memref<4x8xf32>, %v: memref<4x8xf32>, %o: memref<4x8xf32>, %t: memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.forall (%i) in (2) {
    // expected-error @+1 {{'memref.store' op cannot run inside an attention grid mapped to the GPU: only index arithmetic, views and attn.block may}}
    memref.store %one, %t[%i] : memref<2xf32>
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %i) keys(%c0, %c4) scale 0.35 tiles [16, 32] outs(%o : memref<4x8xf32>) : memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>
  }
  return
}

// -----

// Before bufferization the grid has shared outputs: refused.
func.func @tensors(%q: tensor<4x8xf32>, %k: tensor<4x8xf32>, %v: tensor<4x8xf32>, %o: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{'scf.forall' op maps to the GPU after bufferization; bufferize the grid first}}
  %r = scf.forall (%i) in (1) shared_outs(%out = %o) -> (tensor<4x8xf32>) {
    %x = attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %i) keys(%c0, %c4) scale 0.35 tiles [16, 32] outs(%out : tensor<4x8xf32>) : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %out[0, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<4x8xf32>
    }
  }
  return %r : tensor<4x8xf32>
}

// -----

func.func @dynamic_grid(%q: memref<4x8xf32>, %k: memref<4x8xf32>, %v: memref<4x8xf32>, %o: memref<4x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{'scf.forall' op needs static bounds to run on the GPU (dynamic shapes are not supported on the GPU yet)}}
  scf.forall (%i) in (%n) {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %i) keys(%c0, %c4) scale 0.35 tiles [16, 32] outs(%o : memref<4x8xf32>) : memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>
  }
  return
}

// -----

func.func @lone_block_on_tensors(%q: tensor<4x8xf32>, %k: tensor<4x8xf32>, %v: tensor<4x8xf32>, %o: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{'attn.block' op maps to the GPU after bufferization; bufferize it first}}
  %x = attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c4) scale 0.35 tiles [16, 32] outs(%o : tensor<4x8xf32>) : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %x : tensor<4x8xf32>
}
