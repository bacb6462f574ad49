// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-online-softmax="vector-bits=256"
// RUN: not sdpa-opt %s -split-input-file --attn-online-softmax="vector-bits=0" 2>&1 | FileCheck %s --check-prefix=BITS

// What --attn-online-softmax refuses, with the reason on the op. The BITS
// run checks that a vector width of 0 bits is refused.
// BITS: error: 'attn.block' op vector-bits must be positive

// The lowering writes into buffers: a block on tensors is refused.
func.func @on_tensors(%q: tensor<32x64xf32>, %k: tensor<100x64xf32>, %v: tensor<100x64xf32>, %o: tensor<32x64xf32>, %i: index) -> tensor<32x64xf32> {
  // expected-error @+1 {{'attn.block' op the online-softmax lowering runs after bufferization; bufferize attn.block first}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<32x64xf32>, tensor<100x64xf32>, tensor<100x64xf32> -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

// 256 bits hold 8 f32 lanes; a key block of 12 columns does not split into
// them.
func.func @key_block_not_lanes(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op key block size 12 must be a multiple of the vector lanes (8)}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 12] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

// f64 has 4 lanes at 256 bits.
func.func @key_block_not_lanes_f64(%q: memref<32x64xf64>, %k: memref<100x64xf64>, %v: memref<100x64xf64>, %o: memref<32x64xf64>, %i: index) {
  // expected-error @+1 {{'attn.block' op key block size 6 must be a multiple of the vector lanes (4)}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 6] outs(%o : memref<32x64xf64>) : memref<32x64xf64>, memref<100x64xf64>, memref<100x64xf64>
  return
}

// -----

func.func @dynamic_head_dim(%q: memref<32x?xf32>, %k: memref<100x?xf32>, %v: memref<100x16xf32>, %o: memref<32x16xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op the CPU lowering needs static head dims, got E = ? and Ev = 16}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x16xf32>) : memref<32x?xf32>, memref<100x?xf32>, memref<100x16xf32>
  return
}

// -----

// Must not fail: dropout 0 needs no seed, and 4 f64 lanes divide 8 columns.
func.func @zero_dropout_f64(%q: memref<32x64xf64>, %k: memref<100x64xf64>, %v: memref<100x64xf64>, %o: memref<32x64xf64>, %i: index) {
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 dropout 0.0 tiles [32, 8] outs(%o : memref<32x64xf64>) : memref<32x64xf64>, memref<100x64xf64>, memref<100x64xf64>
  return
}
