// RUN: sdpa-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tosa-to-linalg,tosa-to-tensor),attn-fold-kv-broadcast,canonicalize)" | FileCheck %s --implicit-check-not=linalg.generic

// A TOSA export of a LLaMA-style decode step (32 query heads, 8 K/V heads,
// 4096 cached tokens) goes through upstream tosa-to-linalg first: the tile
// becomes a rank-10 copy between reshapes. The fold sees through it.
// CHECK-LABEL: func @llama_decode_tosa
// CHECK-SAME: (%[[Q:.*]]: tensor<1x32x1x128xf16>, %[[K:.*]]: tensor<1x8x4096x128xf16>, %[[V:.*]]: tensor<1x8x4096x128xf16>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] causal align bottom_right : tensor<1x32x1x128xf16>, tensor<1x8x4096x128xf16>, tensor<1x8x4096x128xf16> -> tensor<1x32x1x128xf16>
func.func @llama_decode_tosa(%q: tensor<1x32x1x128xf16>, %k: tensor<1x8x4096x128xf16>,
                             %v: tensor<1x8x4096x128xf16>) -> tensor<1x32x1x128xf16> {
  %s5 = tosa.const_shape {values = dense<[1, 8, 1, 4096, 128]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %m = tosa.const_shape {values = dense<[1, 1, 4, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %s4 = tosa.const_shape {values = dense<[1, 32, 4096, 128]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %uk = tosa.reshape %k, %s5 : (tensor<1x8x4096x128xf16>, !tosa.shape<5>) -> tensor<1x8x1x4096x128xf16>
  %tk = tosa.tile %uk, %m : (tensor<1x8x1x4096x128xf16>, !tosa.shape<5>) -> tensor<1x8x4x4096x128xf16>
  %rk = tosa.reshape %tk, %s4 : (tensor<1x8x4x4096x128xf16>, !tosa.shape<4>) -> tensor<1x32x4096x128xf16>
  %uv = tosa.reshape %v, %s5 : (tensor<1x8x4096x128xf16>, !tosa.shape<5>) -> tensor<1x8x1x4096x128xf16>
  %tv = tosa.tile %uv, %m : (tensor<1x8x1x4096x128xf16>, !tosa.shape<5>) -> tensor<1x8x4x4096x128xf16>
  %rv = tosa.reshape %tv, %s4 : (tensor<1x8x4x4096x128xf16>, !tosa.shape<4>) -> tensor<1x32x4096x128xf16>
  %0 = attn.sdpa %q, %rk, %rv causal align bottom_right
      : tensor<1x32x1x128xf16>, tensor<1x32x4096x128xf16>, tensor<1x32x4096x128xf16> -> tensor<1x32x1x128xf16>
  return %0 : tensor<1x32x1x128xf16>
}

// -----

// The same export with torch's .repeat order (tile of the head dim): head h
// reads K/V head h % 8, so the lowered copies stay.
// CHECK-LABEL: func @repeat_order_tosa
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x32x1x128xf16>, tensor<1x32x64x128xf16>, tensor<1x32x64x128xf16>
func.func @repeat_order_tosa(%q: tensor<1x32x1x128xf16>, %k: tensor<1x8x64x128xf16>,
                             %v: tensor<1x8x64x128xf16>) -> tensor<1x32x1x128xf16> {
  %m = tosa.const_shape {values = dense<[1, 4, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %tk = tosa.tile %k, %m : (tensor<1x8x64x128xf16>, !tosa.shape<4>) -> tensor<1x32x64x128xf16>
  %tv = tosa.tile %v, %m : (tensor<1x8x64x128xf16>, !tosa.shape<4>) -> tensor<1x32x64x128xf16>
  %0 = attn.sdpa %q, %tk, %tv
      : tensor<1x32x1x128xf16>, tensor<1x32x64x128xf16>, tensor<1x32x64x128xf16> -> tensor<1x32x1x128xf16>
  return %0 : tensor<1x32x1x128xf16>
}

// -----

// K arrives as [B, S, Hkv, D] and is transposed before the repeat, as
// exporters of (batch, seq, heads, dim) layouts write it. The fold stops at
// the transposed tensor: it is the one attn.sdpa can read.
// CHECK-LABEL: func @transpose_then_repeat
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x16x64xf32>, %[[K:.*]]: tensor<2x32x2x64xf32>, %[[V:.*]]: tensor<2x32x2x64xf32>)
// CHECK-DAG: %[[TK:.*]] = linalg.transpose ins(%[[K]]
// CHECK-DAG: %[[TV:.*]] = linalg.transpose ins(%[[V]]
// CHECK: attn.sdpa %[[Q]], %[[TK]], %[[TV]] : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x64xf32>
func.func @transpose_then_repeat(%q: tensor<2x8x16x64xf32>, %k: tensor<2x32x2x64xf32>,
                                 %v: tensor<2x32x2x64xf32>) -> tensor<2x8x16x64xf32> {
  %et = tensor.empty() : tensor<2x2x32x64xf32>
  %tk = linalg.transpose ins(%k : tensor<2x32x2x64xf32>) outs(%et : tensor<2x2x32x64xf32>) permutation = [0, 2, 1, 3]
  %tv = linalg.transpose ins(%v : tensor<2x32x2x64xf32>) outs(%et : tensor<2x2x32x64xf32>) permutation = [0, 2, 1, 3]
  %eb = tensor.empty() : tensor<2x2x4x32x64xf32>
  %bk = linalg.broadcast ins(%tk : tensor<2x2x32x64xf32>) outs(%eb : tensor<2x2x4x32x64xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<2x2x4x32x64xf32> into tensor<2x8x32x64xf32>
  %bv = linalg.broadcast ins(%tv : tensor<2x2x32x64xf32>) outs(%eb : tensor<2x2x4x32x64xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<2x2x4x32x64xf32> into tensor<2x8x32x64xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}
