// RUN: sdpa-opt %s -split-input-file -attn-fold-kv-broadcast | FileCheck %s

// LLaMA-style GQA as linalg: 8 key/value heads repeated 4 times for 32 query
// heads (repeat_interleave: the new dim right after the head dim).
// CHECK-LABEL: func @broadcast_collapse
// CHECK-SAME: (%[[Q:.*]]: tensor<2x32x16x64xf16>, %[[K:.*]]: tensor<2x8x128x64xf16>, %[[V:.*]]: tensor<2x8x128x64xf16>)
// CHECK-NOT: linalg.broadcast
// CHECK-NOT: tensor.collapse_shape
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] causal align bottom_right : tensor<2x32x16x64xf16>, tensor<2x8x128x64xf16>, tensor<2x8x128x64xf16> -> tensor<2x32x16x64xf16>
func.func @broadcast_collapse(%q: tensor<2x32x16x64xf16>, %k: tensor<2x8x128x64xf16>,
                              %v: tensor<2x8x128x64xf16>) -> tensor<2x32x16x64xf16> {
  %ek = tensor.empty() : tensor<2x8x4x128x64xf16>
  %bk = linalg.broadcast ins(%k : tensor<2x8x128x64xf16>) outs(%ek : tensor<2x8x4x128x64xf16>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<2x8x4x128x64xf16> into tensor<2x32x128x64xf16>
  %ev = tensor.empty() : tensor<2x8x4x128x64xf16>
  %bv = linalg.broadcast ins(%v : tensor<2x8x128x64xf16>) outs(%ev : tensor<2x8x4x128x64xf16>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<2x8x4x128x64xf16> into tensor<2x32x128x64xf16>
  %0 = attn.sdpa %q, %rk, %rv causal align bottom_right
      : tensor<2x32x16x64xf16>, tensor<2x32x128x64xf16>, tensor<2x32x128x64xf16> -> tensor<2x32x16x64xf16>
  return %0 : tensor<2x32x16x64xf16>
}

// -----

// torch's x[:, :, None, :, :].expand(b, hkv, g, s, d).reshape(b, hkv * g, s, d)
// as torch-mlir lowers it: expand_shape inserts a unit dim, a generic copy
// broadcasts it, collapse_shape merges it into the heads. Ev != E, MQA.
// CHECK-LABEL: func @expand_generic_collapse
// CHECK-SAME: (%[[Q:.*]]: tensor<1x8x1x32xf32>, %[[K:.*]]: tensor<1x1x50x32xf32>, %[[V:.*]]: tensor<1x1x50x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %{{.*}}, %{{.*}} = attn.sdpa %[[Q]], %[[K]], %[[V]] : tensor<1x8x1x32xf32>, tensor<1x1x50x32xf32>, tensor<1x1x50x16xf32> -> tensor<1x8x1x16xf32>, tensor<1x8x1xf32>
#unit = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @expand_generic_collapse(%q: tensor<1x8x1x32xf32>, %k: tensor<1x1x50x32xf32>,
                                   %v: tensor<1x1x50x16xf32>) -> (tensor<1x8x1x16xf32>, tensor<1x8x1xf32>) {
  %uk = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [1, 1, 1, 50, 32] : tensor<1x1x50x32xf32> into tensor<1x1x1x50x32xf32>
  %ek = tensor.empty() : tensor<1x1x8x50x32xf32>
  %bk = linalg.generic {indexing_maps = [#unit, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%uk : tensor<1x1x1x50x32xf32>) outs(%ek : tensor<1x1x8x50x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x1x8x50x32xf32>
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x1x8x50x32xf32> into tensor<1x8x50x32xf32>
  %uv = tensor.expand_shape %v [[0], [1], [2, 3], [4]] output_shape [1, 1, 1, 50, 16] : tensor<1x1x50x16xf32> into tensor<1x1x1x50x16xf32>
  %ev = tensor.empty() : tensor<1x1x8x50x16xf32>
  %bv = linalg.generic {indexing_maps = [#unit, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%uv : tensor<1x1x1x50x16xf32>) outs(%ev : tensor<1x1x8x50x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x1x8x50x16xf32>
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x1x8x50x16xf32> into tensor<1x8x50x16xf32>
  %0, %1 = attn.sdpa %q, %rk, %rv : tensor<1x8x1x32xf32>, tensor<1x8x50x32xf32>, tensor<1x8x50x16xf32>
      -> tensor<1x8x1x16xf32>, tensor<1x8x1xf32>
  return %0, %1 : tensor<1x8x1x16xf32>, tensor<1x8x1xf32>
}

// -----

// A generic that broadcasts along a new dim (projected map), no batch dims.
// CHECK-LABEL: func @generic_projected_no_batch
// CHECK-SAME: (%[[Q:.*]]: tensor<6x10x8xf32>, %[[K:.*]]: tensor<3x12x8xf32>, %[[V:.*]]: tensor<3x12x8xf32>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] :
#drop = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @generic_projected_no_batch(%q: tensor<6x10x8xf32>, %k: tensor<3x12x8xf32>,
                                      %v: tensor<3x12x8xf32>) -> tensor<6x10x8xf32> {
  %ek = tensor.empty() : tensor<3x2x12x8xf32>
  %bk = linalg.generic {indexing_maps = [#drop, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<3x12x8xf32>) outs(%ek : tensor<3x2x12x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<3x2x12x8xf32>
  %rk = tensor.collapse_shape %bk [[0, 1], [2], [3]] : tensor<3x2x12x8xf32> into tensor<6x12x8xf32>
  %bv = linalg.broadcast ins(%v : tensor<3x12x8xf32>) outs(%ek : tensor<3x2x12x8xf32>) dimensions = [1]
  %rv = tensor.collapse_shape %bv [[0, 1], [2], [3]] : tensor<3x2x12x8xf32> into tensor<6x12x8xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<6x10x8xf32>, tensor<6x12x8xf32>, tensor<6x12x8xf32> -> tensor<6x10x8xf32>
  return %0 : tensor<6x10x8xf32>
}

// -----

// The repeated key is also used elsewhere: attn.sdpa still reads the
// original, and the repeat stays for its other user.
// CHECK-LABEL: func @repeat_has_other_use
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x16xf32>, %[[K:.*]]: tensor<1x2x8x16xf32>, %[[V:.*]]: tensor<1x2x8x16xf32>)
// CHECK: %[[RK:.*]] = tensor.collapse_shape
// CHECK: %[[OUT:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] :
// CHECK: return %[[OUT]], %[[RK]]
func.func @repeat_has_other_use(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                                %v: tensor<1x2x8x16xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  %e = tensor.empty() : tensor<1x2x2x8x16xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x2x8x16xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %0, %rk : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// -----

// A repeat of already-grouped K/V (16 of 32 query heads' K/V, from 8):
// query head h reads repeated head h / 2 = original head h / 4, which is what
// attn.sdpa computes with 8 heads.
// CHECK-LABEL: func @repeat_of_grouped
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x32x4x8xf32>, tensor<1x8x4x8xf32>, tensor<1x8x4x8xf32>
func.func @repeat_of_grouped(%q: tensor<1x32x4x8xf32>, %k: tensor<1x8x4x8xf32>,
                             %v: tensor<1x8x4x8xf32>) -> tensor<1x32x4x8xf32> {
  %e = tensor.empty() : tensor<1x8x2x4x8xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x8x4x8xf32>) outs(%e : tensor<1x8x2x4x8xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x8x2x4x8xf32> into tensor<1x16x4x8xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x8x4x8xf32>) outs(%e : tensor<1x8x2x4x8xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x8x2x4x8xf32> into tensor<1x16x4x8xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x32x4x8xf32>, tensor<1x16x4x8xf32>, tensor<1x16x4x8xf32> -> tensor<1x32x4x8xf32>
  return %0 : tensor<1x32x4x8xf32>
}

// -----

// TOSA's repeat_interleave: reshape in a unit dim, tile it, reshape it away.
// CHECK-LABEL: func @tosa_reshape_tile_reshape
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x3x8xf32>, %[[K:.*]]: tensor<1x2x5x8xf32>, %[[V:.*]]: tensor<1x2x5x8xf32>)
// CHECK-NOT: tosa.tile
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] :
func.func @tosa_reshape_tile_reshape(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>,
                                     %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %s5 = tosa.const_shape {values = dense<[1, 2, 1, 5, 8]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %m = tosa.const_shape {values = dense<[1, 1, 2, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %s4 = tosa.const_shape {values = dense<[1, 4, 5, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %uk = tosa.reshape %k, %s5 : (tensor<1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x1x5x8xf32>
  %tk = tosa.tile %uk, %m : (tensor<1x2x1x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x2x5x8xf32>
  %rk = tosa.reshape %tk, %s4 : (tensor<1x2x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %uv = tosa.reshape %v, %s5 : (tensor<1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x1x5x8xf32>
  %tv = tosa.tile %uv, %m : (tensor<1x2x1x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x2x5x8xf32>
  %rv = tosa.reshape %tv, %s4 : (tensor<1x2x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x3x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32> -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}

// -----

// TOSA with a (batch, seq, heads, dim) layout: transpose, then the repeat.
// attn.sdpa reads the transposed tensors.
// CHECK-LABEL: func @tosa_transpose_then_repeat
// CHECK-DAG: %[[TK:.*]] = tosa.transpose %arg1
// CHECK-DAG: %[[TV:.*]] = tosa.transpose %arg2
// CHECK: attn.sdpa %arg0, %[[TK]], %[[TV]] : tensor<1x4x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>
func.func @tosa_transpose_then_repeat(%q: tensor<1x4x3x8xf32>, %k: tensor<1x5x2x8xf32>,
                                      %v: tensor<1x5x2x8xf32>) -> tensor<1x4x3x8xf32> {
  %s5 = tosa.const_shape {values = dense<[1, 2, 1, 5, 8]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %m = tosa.const_shape {values = dense<[1, 1, 2, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %s4 = tosa.const_shape {values = dense<[1, 4, 5, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %tk = tosa.transpose %k {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x5x2x8xf32>) -> tensor<1x2x5x8xf32>
  %uk = tosa.reshape %tk, %s5 : (tensor<1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x1x5x8xf32>
  %rk0 = tosa.tile %uk, %m : (tensor<1x2x1x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x2x5x8xf32>
  %rk = tosa.reshape %rk0, %s4 : (tensor<1x2x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %tv = tosa.transpose %v {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x5x2x8xf32>) -> tensor<1x2x5x8xf32>
  %uv = tosa.reshape %tv, %s5 : (tensor<1x2x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x1x5x8xf32>
  %rv0 = tosa.tile %uv, %m : (tensor<1x2x1x5x8xf32>, !tosa.shape<5>) -> tensor<1x2x2x5x8xf32>
  %rv = tosa.reshape %rv0, %s4 : (tensor<1x2x2x5x8xf32>, !tosa.shape<4>) -> tensor<1x4x5x8xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<1x4x3x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32> -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}

// -----

// Dynamic batch and key length (torch-mlir's expand / copy / collapse
// spelling with the sizes as values): the coordinates of dynamic dims are
// only bounded below, so the proof holds for every size, and the folded
// operands keep their dynamic dims.
// CHECK-LABEL: func @dynamic_lengths
// CHECK-SAME: (%[[Q:.*]]: tensor<?x4x?x16xf32>, %[[K:.*]]: tensor<?x2x?x16xf32>, %[[V:.*]]: tensor<?x2x?x16xf32>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x4x?x16xf32>
func.func @dynamic_lengths(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>,
                           %v: tensor<?x2x?x16xf32>) -> tensor<?x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %k, %c0 : tensor<?x2x?x16xf32>
  %s = tensor.dim %k, %c2 : tensor<?x2x?x16xf32>
  %k5 = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [%b, 2, 1, %s, 16] : tensor<?x2x?x16xf32> into tensor<?x2x1x?x16xf32>
  %v5 = tensor.expand_shape %v [[0], [1, 2], [3], [4]] output_shape [%b, 2, 1, %s, 16] : tensor<?x2x?x16xf32> into tensor<?x2x1x?x16xf32>
  %e = tensor.empty(%b, %s) : tensor<?x2x2x?x16xf32>
  %ck = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k5 : tensor<?x2x1x?x16xf32>) outs(%e : tensor<?x2x2x?x16xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
    } -> tensor<?x2x2x?x16xf32>
  %cv = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v5 : tensor<?x2x1x?x16xf32>) outs(%e : tensor<?x2x2x?x16xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
    } -> tensor<?x2x2x?x16xf32>
  %rk = tensor.collapse_shape %ck [[0], [1, 2], [3], [4]] : tensor<?x2x2x?x16xf32> into tensor<?x4x?x16xf32>
  %rv = tensor.collapse_shape %cv [[0], [1, 2], [3], [4]] : tensor<?x2x2x?x16xf32> into tensor<?x4x?x16xf32>
  %0 = attn.sdpa %q, %rk, %rv : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %0 : tensor<?x4x?x16xf32>
}
