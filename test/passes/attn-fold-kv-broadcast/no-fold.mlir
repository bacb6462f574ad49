// RUN: sdpa-opt %s -split-input-file -attn-fold-kv-broadcast | FileCheck %s

// Cases the pass must leave alone, each with why.

// torch's .repeat order: the new dim comes before the head dim, so repeated
// head h is original head h % 2, not h / 2. Folding would be wrong.
// CHECK-LABEL: func @repeat_not_interleave
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: %[[RV:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %[[RV]] :
func.func @repeat_not_interleave(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                                 %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %e = tensor.empty() : tensor<1x2x2x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) dimensions = [1]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) dimensions = [1]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// Only the key is repeated; the value already has one head per query head.
// Folding the key alone would leave key and value head counts different.
// CHECK-LABEL: func @only_key_repeated
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %{{.*}} :
func.func @only_key_repeated(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                             %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %e = tensor.empty() : tensor<1x2x2x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %0 = attn.sdpa %q, %rk, %v : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// Key and value repeated by different factors (from different head counts):
// no single head mapping serves both.
// CHECK-LABEL: func @different_factors
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: %[[RV:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %[[RV]] :
func.func @different_factors(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                             %v: tensor<1x1x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %ek = tensor.empty() : tensor<1x2x2x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x8x16xf32>) outs(%ek : tensor<1x2x2x8x16xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %ev = tensor.empty() : tensor<1x1x4x8x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x1x8x16xf32>) outs(%ev : tensor<1x1x4x8x16xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x1x4x8x16xf32> into tensor<1x4x8x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// The generic does more than copy (it scales), so it is not a repeat.
// CHECK-LABEL: func @generic_not_a_copy
// CHECK: linalg.generic
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %{{.*}} :
#drop = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#id = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @generic_not_a_copy(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                              %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %e = tensor.empty() : tensor<1x2x2x8x16xf32>
  %bk = linalg.generic {indexing_maps = [#drop, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.mulf %in, %in : f32
    linalg.yield %s : f32
  } -> tensor<1x2x2x8x16xf32>
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// The collapse merges the batch dim with the heads, not heads with the new
// dim: the result's heads are not a repeat of the source's.
// CHECK-LABEL: func @collapse_other_dims
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %{{.*}} :
func.func @collapse_other_dims(%q: tensor<4x2x8x16xf32>, %k: tensor<2x2x8x16xf32>,
                               %v: tensor<4x2x8x16xf32>) -> tensor<4x2x8x16xf32> {
  %e = tensor.empty() : tensor<2x2x2x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<2x2x8x16xf32>) outs(%e : tensor<2x2x2x8x16xf32>) dimensions = [1]
  %rk = tensor.collapse_shape %bk [[0, 1], [2], [3], [4]] : tensor<2x2x2x8x16xf32> into tensor<4x2x8x16xf32>
  %0 = attn.sdpa %q, %rk, %v : tensor<4x2x8x16xf32>, tensor<4x2x8x16xf32>, tensor<4x2x8x16xf32> -> tensor<4x2x8x16xf32>
  return %0 : tensor<4x2x8x16xf32>
}

// -----

// A dynamic repeat factor: the head mapping cannot be checked statically.
// CHECK-LABEL: func @dynamic_factor
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %{{.*}} :
func.func @dynamic_factor(%q: tensor<1x?x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                          %v: tensor<1x2x8x16xf32>, %g: index) -> tensor<1x?x8x16xf32> {
  %e = tensor.empty(%g) : tensor<1x2x?x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x?x8x16xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x?x8x16xf32> into tensor<1x?x8x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x?x8x16xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x2x?x8x16xf32> into tensor<1x?x8x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32> -> tensor<1x?x8x16xf32>
  return %0 : tensor<1x?x8x16xf32>
}

// -----

// tosa.tile of the head dim itself repeats the whole block of heads (torch's
// .repeat): head h reads head h % 2, so it is not folded.
// CHECK-LABEL: func @tosa_tile_heads
// CHECK: %[[TK:.*]] = tosa.tile
// CHECK: %[[TV:.*]] = tosa.tile
// CHECK: attn.sdpa %{{.*}}, %[[TK]], %[[TV]] :
func.func @tosa_tile_heads(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>,
                           %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %m = tosa.const_shape {values = dense<[1, 2, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %tk = tosa.tile %k, %m : (tensor<1x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %tv = tosa.tile %v, %m : (tensor<1x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %0 = attn.sdpa %q, %tk, %tv : tensor<1x4x3x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32> -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}

// -----

// The unit dim is inserted before the head dim, so the tile repeats the
// block of heads ([G, Hkv] merged): .repeat order again, not folded.
// CHECK-LABEL: func @tosa_unit_dim_before_heads
// CHECK: %[[RK:.*]] = tosa.reshape %{{.*}}, %{{.*}} : (tensor<1x2x2x5x8xf32>
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %{{.*}} :
func.func @tosa_unit_dim_before_heads(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>,
                                      %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %s5 = tosa.const_shape {values = dense<[1, 1, 2, 5, 8]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %m = tosa.const_shape {values = dense<[1, 2, 1, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %s4 = tosa.const_shape {values = dense<[1, 4, 5, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %uk = tosa.reshape %k, %s5 : (tensor<1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x1x2x5x8xf32>
  %tk = tosa.tile %uk, %m : (tensor<1x1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x2x5x8xf32>
  %rk = tosa.reshape %tk, %s4 : (tensor<1x2x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %uv = tosa.reshape %v, %s5 : (tensor<1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x1x2x5x8xf32>
  %tv = tosa.tile %uv, %m : (tensor<1x1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x2x5x8xf32>
  %rv = tosa.reshape %tv, %s4 : (tensor<1x2x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x3x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32> -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}

// -----

// Empty key/value (S = 0): every coordinate claim about them is vacuous, so
// nothing is proved and nothing is folded.
// CHECK-LABEL: func @empty_sequence
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %{{.*}} :
func.func @empty_sequence(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x0x16xf32>,
                          %v: tensor<1x2x0x16xf32>) -> tensor<1x4x8x16xf32> {
  %e = tensor.empty() : tensor<1x2x2x0x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x0x16xf32>) outs(%e : tensor<1x2x2x0x16xf32>) dimensions = [1]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x0x16xf32> into tensor<1x4x0x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x0x16xf32>) outs(%e : tensor<1x2x2x0x16xf32>) dimensions = [1]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x2x2x0x16xf32> into tensor<1x4x0x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x8x16xf32>, tensor<1x4x0x16xf32>, tensor<1x4x0x16xf32> -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// A dynamic number of key/value heads: the group size is not known, so
// nothing says which query heads share a key head.
// CHECK-LABEL: func @dynamic_heads
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: %[[RV:.*]] = tensor.collapse_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %[[RV]] :
func.func @dynamic_heads(%q: tensor<1x?x8x16xf32>, %k: tensor<1x?x8x16xf32>,
                         %v: tensor<1x?x8x16xf32>) -> tensor<1x?x8x16xf32> {
  %c1 = arith.constant 1 : index
  %h = tensor.dim %k, %c1 : tensor<1x?x8x16xf32>
  %e = tensor.empty(%h) : tensor<1x?x2x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x?x8x16xf32>) outs(%e : tensor<1x?x2x8x16xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x?x2x8x16xf32> into tensor<1x?x8x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x?x8x16xf32>) outs(%e : tensor<1x?x2x8x16xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x?x2x8x16xf32> into tensor<1x?x8x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32> -> tensor<1x?x8x16xf32>
  return %0 : tensor<1x?x8x16xf32>
}

// -----

// The repeat passes through a dim that merges the heads with a dynamic key
// length: the merged coordinate is h * S + j, not linear in the coordinates,
// so no proof is attempted (statically this chain would fold).
// CHECK-LABEL: func @dynamic_size_in_stride
// CHECK: %[[RK:.*]] = tensor.expand_shape
// CHECK: %[[RV:.*]] = tensor.expand_shape
// CHECK: attn.sdpa %{{.*}}, %[[RK]], %[[RV]] :
func.func @dynamic_size_in_stride(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x?x16xf32>,
                                  %v: tensor<1x2x?x16xf32>) -> tensor<1x4x8x16xf32> {
  %c2 = arith.constant 2 : index
  %s = tensor.dim %k, %c2 : tensor<1x2x?x16xf32>
  %e = tensor.empty(%s) : tensor<1x2x2x?x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x?x16xf32>) outs(%e : tensor<1x2x2x?x16xf32>) dimensions = [2]
  %fk = tensor.collapse_shape %bk [[0], [1, 2, 3], [4]] : tensor<1x2x2x?x16xf32> into tensor<1x?x16xf32>
  %rk = tensor.expand_shape %fk [[0], [1, 2], [3]] output_shape [1, 4, %s, 16] : tensor<1x?x16xf32> into tensor<1x4x?x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x?x16xf32>) outs(%e : tensor<1x2x2x?x16xf32>) dimensions = [2]
  %fv = tensor.collapse_shape %bv [[0], [1, 2, 3], [4]] : tensor<1x2x2x?x16xf32> into tensor<1x?x16xf32>
  %rv = tensor.expand_shape %fv [[0], [1, 2], [3]] output_shape [1, 4, %s, 16] : tensor<1x?x16xf32> into tensor<1x4x?x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x8x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}
