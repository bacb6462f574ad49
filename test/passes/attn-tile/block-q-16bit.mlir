// RUN: sdpa-opt %s -split-input-file --attn-tile="block-q=64 block-q-16bit=128 block-k=32" | FileCheck %s

// f16 and bf16 attention with head dims up to 256 takes block-q-16bit rows:
// ceil(300 / 128) = 3 query blocks of 128 rows.
// CHECK-LABEL: func @f16_head_dim_128
// CHECK: %[[NQB:.*]] = arith.constant 3 : index
// CHECK: scf.forall ({{.*}}) in (2, 4, %[[NQB]])
// CHECK: attn.block {{.*}} tiles [128, 32]
func.func @f16_head_dim_128(%q: tensor<2x4x300x128xf16>, %k: tensor<2x4x300x128xf16>, %v: tensor<2x4x300x128xf16>) -> tensor<2x4x300x128xf16> {
  %o = attn.sdpa %q, %k, %v causal align bottom_right : tensor<2x4x300x128xf16>, tensor<2x4x300x128xf16>, tensor<2x4x300x128xf16> -> tensor<2x4x300x128xf16>
  return %o : tensor<2x4x300x128xf16>
}

// -----

// CHECK-LABEL: func @bf16_head_dim_256
// CHECK: attn.block {{.*}} tiles [128, 32]
func.func @bf16_head_dim_256(%q: tensor<1x2x200x256xbf16>, %k: tensor<1x2x90x256xbf16>, %v: tensor<1x2x90x256xbf16>) -> tensor<1x2x200x256xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<1x2x200x256xbf16>, tensor<1x2x90x256xbf16>, tensor<1x2x90x256xbf16> -> tensor<1x2x200x256xbf16>
  return %o : tensor<1x2x200x256xbf16>
}

// -----

// f32 keeps block-q: ceil(300 / 64) = 5 query blocks.
// CHECK-LABEL: func @f32_keeps_block_q
// CHECK: %[[NQB:.*]] = arith.constant 5 : index
// CHECK: scf.forall ({{.*}}) in (2, 4, %[[NQB]])
// CHECK: attn.block {{.*}} tiles [64, 32]
func.func @f32_keeps_block_q(%q: tensor<2x4x300x128xf32>, %k: tensor<2x4x300x128xf32>, %v: tensor<2x4x300x128xf32>) -> tensor<2x4x300x128xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<2x4x300x128xf32>, tensor<2x4x300x128xf32>, tensor<2x4x300x128xf32> -> tensor<2x4x300x128xf32>
  return %o : tensor<2x4x300x128xf32>
}

// -----

// A head dim past 256 (MLA's E = 576) keeps block-q: 128 rows of its query
// would not fit the GPU's shared memory beside K and V.
// CHECK-LABEL: func @f16_wide_head_keeps_block_q
// CHECK: attn.block {{.*}} tiles [64, 32]
func.func @f16_wide_head_keeps_block_q(%q: tensor<1x2x200x576xf16>, %k: tensor<1x2x90x576xf16>, %v: tensor<1x2x90x256xf16>) -> tensor<1x2x200x256xf16> {
  %o = attn.sdpa %q, %k, %v : tensor<1x2x200x576xf16>, tensor<1x2x90x576xf16>, tensor<1x2x90x256xf16> -> tensor<1x2x200x256xf16>
  return %o : tensor<1x2x200x256xf16>
}
