// RUN: sdpa-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor),attn-raise-sdpa,canonicalize)" | FileCheck %s

// TOSA graphs reach the pass through upstream tosa-to-linalg, as in the CPU
// pipeline: tosa.matmul becomes batch_matmul, reshapes become
// expand/collapse_shape, reductions linalg.reduce plus expand_shape,
// elementwise ops generics that broadcast with constant indexing maps.

// A BERT-style head split ([B, L, H*D] -> [B*H, L, D]) with an additive
// [B, 1, 1, S] mask and softmax as reduce_max / sub / exp / reduce_sum /
// reciprocal / mul.
// CHECK-LABEL: func @bert_style
// CHECK-SAME: (%[[Q:.*]]: tensor<2x6x16xf32>, %[[K:.*]]: tensor<2x6x16xf32>, %[[V:.*]]: tensor<2x6x16xf32>, %[[M:.*]]: tensor<2x1x1x6xf32>)
// CHECK-DAG: %[[QH:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x6x2x8xf32>) outs(%{{.*}} : tensor<2x2x6x8xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[KH:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x6x2x8xf32>) outs(%{{.*}} : tensor<2x2x6x8xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[VH:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x6x2x8xf32>) outs(%{{.*}} : tensor<2x2x6x8xf32>) permutation = [0, 2, 1, 3]
// CHECK: %[[O:.*]] = attn.sdpa %[[QH]], %[[KH]], %[[VH]] mask(%[[M]] : tensor<2x1x1x6xf32>) scale 0.35355338454246521 : tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32> -> tensor<2x2x6x8xf32>
// CHECK: linalg.transpose ins(%[[O]] : tensor<2x2x6x8xf32>) outs(%{{.*}} : tensor<2x6x2x8xf32>) permutation = [0, 2, 1, 3]
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.reduce
func.func @bert_style(%q: tensor<2x6x16xf32>, %k: tensor<2x6x16xf32>, %v: tensor<2x6x16xf32>,
                      %mask: tensor<2x1x1x6xf32>) -> tensor<2x6x16xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %heads = tosa.const_shape {values = dense<[2, 6, 2, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %b3 = tosa.const_shape {values = dense<[4, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %b3t = tosa.const_shape {values = dense<[4, 8, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s4 = tosa.const_shape {values = dense<[2, 2, 6, 6]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s3 = tosa.const_shape {values = dense<[4, 6, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %o4s = tosa.const_shape {values = dense<[2, 2, 6, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %outs = tosa.const_shape {values = dense<[2, 6, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %q4 = tosa.reshape %q, %heads : (tensor<2x6x16xf32>, !tosa.shape<4>) -> tensor<2x6x2x8xf32>
  %qt = tosa.transpose %q4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x6x2x8xf32>) -> tensor<2x2x6x8xf32>
  %q3 = tosa.reshape %qt, %b3 : (tensor<2x2x6x8xf32>, !tosa.shape<3>) -> tensor<4x6x8xf32>
  %k4 = tosa.reshape %k, %heads : (tensor<2x6x16xf32>, !tosa.shape<4>) -> tensor<2x6x2x8xf32>
  %kt = tosa.transpose %k4 {perms = array<i32: 0, 2, 3, 1>} : (tensor<2x6x2x8xf32>) -> tensor<2x2x8x6xf32>
  %k3 = tosa.reshape %kt, %b3t : (tensor<2x2x8x6xf32>, !tosa.shape<3>) -> tensor<4x8x6xf32>
  %v4 = tosa.reshape %v, %heads : (tensor<2x6x16xf32>, !tosa.shape<4>) -> tensor<2x6x2x8xf32>
  %vt = tosa.transpose %v4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x6x2x8xf32>) -> tensor<2x2x6x8xf32>
  %v3 = tosa.reshape %vt, %b3 : (tensor<2x2x6x8xf32>, !tosa.shape<3>) -> tensor<4x6x8xf32>
  %qk = tosa.matmul %q3, %k3, %zp, %zp : (tensor<4x6x8xf32>, tensor<4x8x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x6x6xf32>
  %qk4 = tosa.reshape %qk, %s4 : (tensor<4x6x6xf32>, !tosa.shape<4>) -> tensor<2x2x6x6xf32>
  %scale = "tosa.const"() <{values = dense<0.353553385> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %scaled = tosa.mul %qk4, %scale, %shift : (tensor<2x2x6x6xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x2x6x6xf32>
  %masked = tosa.add %scaled, %mask : (tensor<2x2x6x6xf32>, tensor<2x1x1x6xf32>) -> tensor<2x2x6x6xf32>
  %max = tosa.reduce_max %masked {axis = 3 : i32} : (tensor<2x2x6x6xf32>) -> tensor<2x2x6x1xf32>
  %sub = tosa.sub %masked, %max : (tensor<2x2x6x6xf32>, tensor<2x2x6x1xf32>) -> tensor<2x2x6x6xf32>
  %exp = tosa.exp %sub : (tensor<2x2x6x6xf32>) -> tensor<2x2x6x6xf32>
  %sum = tosa.reduce_sum %exp {axis = 3 : i32} : (tensor<2x2x6x6xf32>) -> tensor<2x2x6x1xf32>
  %rcp = tosa.reciprocal %sum : (tensor<2x2x6x1xf32>) -> tensor<2x2x6x1xf32>
  %p = tosa.mul %exp, %rcp, %shift : (tensor<2x2x6x6xf32>, tensor<2x2x6x1xf32>, tensor<1xi8>) -> tensor<2x2x6x6xf32>
  %p3 = tosa.reshape %p, %s3 : (tensor<2x2x6x6xf32>, !tosa.shape<3>) -> tensor<4x6x6xf32>
  %o = tosa.matmul %p3, %v3, %zp, %zp : (tensor<4x6x6xf32>, tensor<4x6x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x6x8xf32>
  %o4 = tosa.reshape %o, %o4s : (tensor<4x6x8xf32>, !tosa.shape<4>) -> tensor<2x2x6x8xf32>
  %ot = tosa.transpose %o4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x2x6x8xf32>) -> tensor<2x6x2x8xf32>
  %out = tosa.reshape %ot, %outs : (tensor<2x6x2x8xf32>, !tosa.shape<3>) -> tensor<2x6x16xf32>
  return %out : tensor<2x6x16xf32>
}

// -----

// f16 on rank 3: the scale is a tosa.mul of Q by a constant before the
// matmul, K is transposed by tosa.transpose. attn.sdpa reads Q and K as they
// are and takes the scale from the multiplication.
// CHECK-LABEL: func @prescaled_query_f16
// CHECK-SAME: (%[[Q:.*]]: tensor<3x5x8xf16>, %[[K:.*]]: tensor<3x7x8xf16>, %[[V:.*]]: tensor<3x7x4xf16>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : tensor<3x5x8xf16>, tensor<3x7x8xf16>, tensor<3x7x4xf16> -> tensor<3x5x4xf16>
// CHECK-NEXT: return %[[O]]
func.func @prescaled_query_f16(%q: tensor<3x5x8xf16>, %k: tensor<3x7x8xf16>, %v: tensor<3x7x4xf16>) -> tensor<3x5x4xf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %scale = "tosa.const"() <{values = dense<0.125> : tensor<1x1x1xf16>}> : () -> tensor<1x1x1xf16>
  %qs = tosa.mul %q, %scale, %shift : (tensor<3x5x8xf16>, tensor<1x1x1xf16>, tensor<1xi8>) -> tensor<3x5x8xf16>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<3x7x8xf16>) -> tensor<3x8x7xf16>
  %s = tosa.matmul %qs, %kt, %zp, %zp : (tensor<3x5x8xf16>, tensor<3x8x7xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<3x5x7xf16>
  %max = tosa.reduce_max %s {axis = 2 : i32} : (tensor<3x5x7xf16>) -> tensor<3x5x1xf16>
  %sub = tosa.sub %s, %max : (tensor<3x5x7xf16>, tensor<3x5x1xf16>) -> tensor<3x5x7xf16>
  %exp = tosa.exp %sub : (tensor<3x5x7xf16>) -> tensor<3x5x7xf16>
  %sum = tosa.reduce_sum %exp {axis = 2 : i32} : (tensor<3x5x7xf16>) -> tensor<3x5x1xf16>
  %rcp = tosa.reciprocal %sum : (tensor<3x5x1xf16>) -> tensor<3x5x1xf16>
  %p = tosa.mul %exp, %rcp, %shift : (tensor<3x5x7xf16>, tensor<3x5x1xf16>, tensor<1xi8>) -> tensor<3x5x7xf16>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<3x5x7xf16>, tensor<3x7x4xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<3x5x4xf16>
  return %o : tensor<3x5x4xf16>
}

// -----

// bf16: tosa-to-linalg sums the exponentials in f32 (extf in the reduction
// body, an f32 init) and rounds the sum back to bf16 in a generic of its
// own; the rounding to the operands' type is allowed.
// CHECK-LABEL: func @softmax_sum_widened_bf16
// CHECK-SAME: (%[[Q:.*]]: tensor<2x9x96xbf16>, %[[K:.*]]: tensor<2x11x96xbf16>, %[[V:.*]]: tensor<2x11x96xbf16>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : tensor<2x9x96xbf16>, tensor<2x11x96xbf16>, tensor<2x11x96xbf16> -> tensor<2x9x96xbf16>
// CHECK-NEXT: return %[[O]]
func.func @softmax_sum_widened_bf16(%q: tensor<2x9x96xbf16>, %k: tensor<2x11x96xbf16>, %v: tensor<2x11x96xbf16>) -> tensor<2x9x96xbf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xbf16>}> : () -> tensor<1xbf16>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %scale = "tosa.const"() <{values = dense<0.125> : tensor<1x1x1xbf16>}> : () -> tensor<1x1x1xbf16>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<2x11x96xbf16>) -> tensor<2x96x11xbf16>
  %s0 = tosa.matmul %q, %kt, %zp, %zp : (tensor<2x9x96xbf16>, tensor<2x96x11xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<2x9x11xbf16>
  %s = tosa.mul %s0, %scale, %shift : (tensor<2x9x11xbf16>, tensor<1x1x1xbf16>, tensor<1xi8>) -> tensor<2x9x11xbf16>
  %max = tosa.reduce_max %s {axis = 2 : i32} : (tensor<2x9x11xbf16>) -> tensor<2x9x1xbf16>
  %sub = tosa.sub %s, %max : (tensor<2x9x11xbf16>, tensor<2x9x1xbf16>) -> tensor<2x9x11xbf16>
  %exp = tosa.exp %sub : (tensor<2x9x11xbf16>) -> tensor<2x9x11xbf16>
  %sum = tosa.reduce_sum %exp {axis = 2 : i32} : (tensor<2x9x11xbf16>) -> tensor<2x9x1xbf16>
  %rcp = tosa.reciprocal %sum : (tensor<2x9x1xbf16>) -> tensor<2x9x1xbf16>
  %p = tosa.mul %exp, %rcp, %shift : (tensor<2x9x11xbf16>, tensor<2x9x1xbf16>, tensor<1xi8>) -> tensor<2x9x11xbf16>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<2x9x11xbf16>, tensor<2x11x96xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<2x9x96xbf16>
  return %o : tensor<2x9x96xbf16>
}

// -----

// Must not fire: the softmax reduces over axis 1 (the query rows).
// CHECK-LABEL: func @softmax_over_rows
// CHECK-NOT: attn.sdpa
// CHECK: linalg.batch_matmul
// CHECK-NOT: attn.sdpa
func.func @softmax_over_rows(%q: tensor<3x5x8xf32>, %k: tensor<3x8x5xf32>, %v: tensor<3x5x4xf32>) -> tensor<3x5x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = tosa.matmul %q, %k, %zp, %zp : (tensor<3x5x8xf32>, tensor<3x8x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x5x5xf32>
  %max = tosa.reduce_max %s {axis = 1 : i32} : (tensor<3x5x5xf32>) -> tensor<3x1x5xf32>
  %sub = tosa.sub %s, %max : (tensor<3x5x5xf32>, tensor<3x1x5xf32>) -> tensor<3x5x5xf32>
  %exp = tosa.exp %sub : (tensor<3x5x5xf32>) -> tensor<3x5x5xf32>
  %sum = tosa.reduce_sum %exp {axis = 1 : i32} : (tensor<3x5x5xf32>) -> tensor<3x1x5xf32>
  %rcp = tosa.reciprocal %sum : (tensor<3x1x5xf32>) -> tensor<3x1x5xf32>
  %p = tosa.mul %exp, %rcp, %shift : (tensor<3x5x5xf32>, tensor<3x1x5xf32>, tensor<1xi8>) -> tensor<3x5x5xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<3x5x5xf32>, tensor<3x5x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x5x4xf32>
  return %o : tensor<3x5x4xf32>
}
