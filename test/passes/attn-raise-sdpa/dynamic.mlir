// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa -attn-fold-kv-broadcast -canonicalize | FileCheck %s

// Graphs exported with dynamic dims (a batch, query and key lengths known
// only at run time), in torch-mlir's spelling: sizes read with tensor.dim,
// tensor.empty and expand_shape taking them as values. The raise relates the
// dynamic dims through the ops (SymbolicSizes.h) and builds attn.sdpa with
// the same dynamic dims. The `// shapes:` lines are the argument shapes the
// end-to-end test (test/integration/raise_end_to_end.test) runs them with.

// Rank-3 batch_matmuls between collapse/expand_shape, with the sizes as
// values, an additive [B, 1, L, S] mask and linalg.softmax.
// CHECK-LABEL: func @torch_dynamic
// CHECK-SAME: (%[[Q:.*]]: tensor<?x2x?x8xf32>, %[[K:.*]]: tensor<?x2x?x8xf32>, %[[V:.*]]: tensor<?x2x?x8xf32>, %[[M:.*]]: tensor<?x1x?x?xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] mask(%[[M]] : tensor<?x1x?x?xf32>) scale 0.35355338454246521 : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x2x?x8xf32>
// CHECK-NEXT: return %[[O]]
// shapes: 2x2x5x8 2x2x9x8 2x2x9x8 2x1x5x9
func.func @torch_dynamic(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>, %mask: tensor<?x1x?x?xf32>) -> tensor<?x2x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c2i = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x2x?x8xf32>
  %l = tensor.dim %q, %c2 : tensor<?x2x?x8xf32>
  %s = tensor.dim %k, %c2 : tensor<?x2x?x8xf32>
  %bh = arith.muli %b, %c2i : index
  %kt_init = tensor.empty(%b, %s) : tensor<?x2x8x?xf32>
  %kt = linalg.transpose ins(%k : tensor<?x2x?x8xf32>) outs(%kt_init : tensor<?x2x8x?xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<?x2x?x8xf32> into tensor<?x?x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<?x2x8x?xf32> into tensor<?x8x?xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty(%bh, %l, %s) : tensor<?x?x?xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<?x?x8xf32>, tensor<?x8x?xf32>) outs(%qk_fill : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [%b, 2, %l, %s] : tensor<?x?x?xf32> into tensor<?x2x?x?xf32>
  %scale = arith.constant 0.35355339 : f32
  %scaled_init = tensor.empty(%b, %l, %s) : tensor<?x2x?x?xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %mask : tensor<?x2x?x?xf32>, tensor<?x1x?x?xf32>) outs(%scaled_init : tensor<?x2x?x?xf32>) {
    ^bb0(%in: f32, %m: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      %y = arith.addf %x, %m : f32
      linalg.yield %y : f32
    } -> tensor<?x2x?x?xf32>
  %p_init = tensor.empty(%b, %l, %s) : tensor<?x2x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%scaled : tensor<?x2x?x?xf32>) outs(%p_init : tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<?x2x?x?xf32> into tensor<?x?x?xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<?x2x?x8xf32> into tensor<?x?x8xf32>
  %pv_init = tensor.empty(%bh, %l) : tensor<?x?x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<?x?x?xf32>, tensor<?x?x8xf32>) outs(%pv_fill : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [%b, 2, %l, 8] : tensor<?x?x8xf32> into tensor<?x2x?x8xf32>
  return %pv : tensor<?x2x?x8xf32>
}

// -----

// The same graph with two of its reshapes through one flat dim (collapse
// everything, expand again), as tosa-to-tensor lowers a dynamic
// tosa.reshape: each pair is followed as the one reshape it is.
// CHECK-LABEL: func @flat_reshapes
// CHECK-SAME: (%[[Q:.*]]: tensor<?x2x?x8xf32>, %[[K:.*]]: tensor<?x2x?x8xf32>, %[[V:.*]]: tensor<?x2x?x8xf32>, %[[M:.*]]: tensor<?x1x?x?xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] mask(%[[M]] : tensor<?x1x?x?xf32>) scale 0.35355338454246521 : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x2x?x8xf32>
// CHECK-NEXT: return %[[O]]
// shapes: 2x2x5x8 2x2x9x8 2x2x9x8 2x1x5x9
func.func @flat_reshapes(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>, %mask: tensor<?x1x?x?xf32>) -> tensor<?x2x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c2i = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x2x?x8xf32>
  %l = tensor.dim %q, %c2 : tensor<?x2x?x8xf32>
  %s = tensor.dim %k, %c2 : tensor<?x2x?x8xf32>
  %bh = arith.muli %b, %c2i : index
  %kt_init = tensor.empty(%b, %s) : tensor<?x2x8x?xf32>
  %kt = linalg.transpose ins(%k : tensor<?x2x?x8xf32>) outs(%kt_init : tensor<?x2x8x?xf32>) permutation = [0, 1, 3, 2]
  %qflat = tensor.collapse_shape %q [[0, 1, 2, 3]] : tensor<?x2x?x8xf32> into tensor<?xf32>
  %q3 = tensor.expand_shape %qflat [[0, 1, 2]] output_shape [%bh, %l, 8] : tensor<?xf32> into tensor<?x?x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<?x2x8x?xf32> into tensor<?x8x?xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty(%bh, %l, %s) : tensor<?x?x?xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<?x?x8xf32>, tensor<?x8x?xf32>) outs(%qk_fill : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [%b, 2, %l, %s] : tensor<?x?x?xf32> into tensor<?x2x?x?xf32>
  %scale = arith.constant 0.35355339 : f32
  %scaled_init = tensor.empty(%b, %l, %s) : tensor<?x2x?x?xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %mask : tensor<?x2x?x?xf32>, tensor<?x1x?x?xf32>) outs(%scaled_init : tensor<?x2x?x?xf32>) {
    ^bb0(%in: f32, %m: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      %y = arith.addf %x, %m : f32
      linalg.yield %y : f32
    } -> tensor<?x2x?x?xf32>
  %p_init = tensor.empty(%b, %l, %s) : tensor<?x2x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%scaled : tensor<?x2x?x?xf32>) outs(%p_init : tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
  %pflat = tensor.collapse_shape %p [[0, 1, 2, 3]] : tensor<?x2x?x?xf32> into tensor<?xf32>
  %p3 = tensor.expand_shape %pflat [[0, 1, 2]] output_shape [%bh, %l, %s] : tensor<?xf32> into tensor<?x?x?xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<?x2x?x8xf32> into tensor<?x?x8xf32>
  %pv_init = tensor.empty(%bh, %l) : tensor<?x?x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<?x?x?xf32>, tensor<?x?x8xf32>) outs(%pv_fill : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [%b, 2, %l, 8] : tensor<?x?x8xf32> into tensor<?x2x?x8xf32>
  return %pv : tensor<?x2x?x8xf32>
}

// -----

// GQA (repeat_interleave of K and V heads) with a causal mask built from
// linalg.index, every length dynamic: top-left causal holds whatever L and S
// are, and the repeat folds into attn.sdpa's head mapping.
// CHECK-LABEL: func @gqa_causal_dynamic
// CHECK-SAME: (%[[Q:.*]]: tensor<?x6x?x8xf32>, %[[K:.*]]: tensor<?x2x?x8xf32>, %[[V:.*]]: tensor<?x2x?x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] causal align top_left scale 0.35355338454246521 : tensor<?x6x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x6x?x8xf32>
// CHECK-NEXT: return %[[O]]
// shapes: 2x6x5x8 2x2x11x8 2x2x11x8
func.func @gqa_causal_dynamic(%q: tensor<?x6x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>) -> tensor<?x6x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c6 = arith.constant 6 : index
  %b = tensor.dim %q, %c0 : tensor<?x6x?x8xf32>
  %l = tensor.dim %q, %c2 : tensor<?x6x?x8xf32>
  %s = tensor.dim %k, %c2 : tensor<?x2x?x8xf32>
  %bh = arith.muli %b, %c6 : index
  %k5 = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [%b, 2, 1, %s, 8] : tensor<?x2x?x8xf32> into tensor<?x2x1x?x8xf32>
  %kr_init = tensor.empty(%b, %s) : tensor<?x2x3x?x8xf32>
  %kr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k5 : tensor<?x2x1x?x8xf32>) outs(%kr_init : tensor<?x2x3x?x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
    } -> tensor<?x2x3x?x8xf32>
  %kh = tensor.collapse_shape %kr [[0], [1, 2], [3], [4]] : tensor<?x2x3x?x8xf32> into tensor<?x6x?x8xf32>
  %v5 = tensor.expand_shape %v [[0], [1, 2], [3], [4]] output_shape [%b, 2, 1, %s, 8] : tensor<?x2x?x8xf32> into tensor<?x2x1x?x8xf32>
  %vr_init = tensor.empty(%b, %s) : tensor<?x2x3x?x8xf32>
  %vr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v5 : tensor<?x2x1x?x8xf32>) outs(%vr_init : tensor<?x2x3x?x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
    } -> tensor<?x2x3x?x8xf32>
  %vh = tensor.collapse_shape %vr [[0], [1, 2], [3], [4]] : tensor<?x2x3x?x8xf32> into tensor<?x6x?x8xf32>
  %kt_init = tensor.empty(%b, %s) : tensor<?x6x8x?xf32>
  %kt = linalg.transpose ins(%kh : tensor<?x6x?x8xf32>) outs(%kt_init : tensor<?x6x8x?xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<?x6x?x8xf32> into tensor<?x?x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<?x6x8x?xf32> into tensor<?x8x?xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty(%bh, %l, %s) : tensor<?x?x?xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<?x?x8xf32>, tensor<?x8x?xf32>) outs(%qk_fill : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [%b, 6, %l, %s] : tensor<?x?x?xf32> into tensor<?x6x?x?xf32>
  %masked_init = tensor.empty(%b, %l, %s) : tensor<?x6x?x?xf32>
  %masked = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk : tensor<?x6x?x?xf32>) outs(%masked_init : tensor<?x6x?x?xf32>) {
    ^bb0(%x: f32, %o: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %keep = arith.cmpi sle, %j, %i : index
      %c = arith.constant 0.35355339 : f32
      %scaled = arith.mulf %x, %c : f32
      %ninf = arith.constant 0xFF800000 : f32
      %y = arith.select %keep, %scaled, %ninf : f32
      linalg.yield %y : f32
    } -> tensor<?x6x?x?xf32>
  %p_init = tensor.empty(%b, %l, %s) : tensor<?x6x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%masked : tensor<?x6x?x?xf32>) outs(%p_init : tensor<?x6x?x?xf32>) -> tensor<?x6x?x?xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<?x6x?x?xf32> into tensor<?x?x?xf32>
  %v3 = tensor.collapse_shape %vh [[0, 1], [2], [3]] : tensor<?x6x?x8xf32> into tensor<?x?x8xf32>
  %pv_init = tensor.empty(%bh, %l) : tensor<?x?x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<?x?x?xf32>, tensor<?x?x8xf32>) outs(%pv_fill : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [%b, 6, %l, 8] : tensor<?x?x8xf32> into tensor<?x6x?x8xf32>
  return %pv : tensor<?x6x?x8xf32>
}

// -----

// A dynamic batch of rank-3 attention, its sizes taken from the query
// alone: the products' indexing maps prove the key's and value's batch the
// same.
// CHECK-LABEL: func @dynamic_batch
// CHECK-SAME: (%[[Q:.*]]: tensor<?x6x8xf32>, %[[K:.*]]: tensor<?x6x8xf32>, %[[V:.*]]: tensor<?x6x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.000000e+00 : tensor<?x6x8xf32>, tensor<?x6x8xf32>, tensor<?x6x8xf32> -> tensor<?x6x8xf32>
// CHECK-NEXT: return %[[O]]
// shapes: 5x6x8 5x6x8 5x6x8
func.func @dynamic_batch(%q: tensor<?x6x8xf32>, %k: tensor<?x6x8xf32>, %v: tensor<?x6x8xf32>) -> tensor<?x6x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %q, %c0 : tensor<?x6x8xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty(%n) : tensor<?x6x6xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x6x6xf32>) -> tensor<?x6x6xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<?x6x8xf32>, tensor<?x6x8xf32>) outs(%z0 : tensor<?x6x6xf32>) -> tensor<?x6x6xf32>
  %e1 = tensor.empty(%n) : tensor<?x6x6xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x6x6xf32>) outs(%e1 : tensor<?x6x6xf32>) -> tensor<?x6x6xf32>
  %e2 = tensor.empty(%n) : tensor<?x6x8xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x6x8xf32>) -> tensor<?x6x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x6x6xf32>, tensor<?x6x8xf32>) outs(%z2 : tensor<?x6x8xf32>) -> tensor<?x6x8xf32>
  return %o : tensor<?x6x8xf32>
}

// -----

// A bound j <= i + 2 with run-time L and S: S - L is not known to be 2, so
// this is a window of 2 columns to the right, unbounded to the left
// (2147483647), top-left aligned, not bottom-right causal.
// CHECK-LABEL: func @right_window_dynamic
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} window [2147483647, 2] align top_left scale 1.000000e+00 : tensor<2x?x8xf32>, tensor<2x?x8xf32>, tensor<2x?x8xf32> -> tensor<2x?x8xf32>
// shapes: 2x5x8 2x7x8 2x7x8
func.func @right_window_dynamic(%q: tensor<2x?x8xf32>, %k: tensor<2x?x8xf32>, %v: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %c1 = arith.constant 1 : index
  %l = tensor.dim %q, %c1 : tensor<2x?x8xf32>
  %s = tensor.dim %k, %c1 : tensor<2x?x8xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty(%l, %s) : tensor<2x?x?xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  %qk = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<2x?x8xf32>, tensor<2x?x8xf32>) outs(%z0 : tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  %e1 = tensor.empty(%l, %s) : tensor<2x?x?xf32>
  %masked = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%qk : tensor<2x?x?xf32>) outs(%e1 : tensor<2x?x?xf32>) {
    ^bb0(%x: f32, %o: f32):
      %i = linalg.index 1 : index
      %j = linalg.index 2 : index
      %c2 = arith.constant 2 : index
      %limit = arith.addi %i, %c2 : index
      %keep = arith.cmpi sle, %j, %limit : index
      %ninf = arith.constant 0xFF800000 : f32
      %y = arith.select %keep, %x, %ninf : f32
      linalg.yield %y : f32
    } -> tensor<2x?x?xf32>
  %e2 = tensor.empty(%l, %s) : tensor<2x?x?xf32>
  %p = linalg.softmax dimension(2) ins(%masked : tensor<2x?x?xf32>) outs(%e2 : tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  %e3 = tensor.empty(%l) : tensor<2x?x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x?x?xf32>, tensor<2x?x8xf32>) outs(%z3 : tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  return %o : tensor<2x?x8xf32>
}

// -----

// Chunked prefill or decode over a cache of run-time length: the causal
// offset S - L is computed from the tensors' sizes (as torch-mlir does for
// dynamic shapes) and captured by the masking generic, together with a
// sliding window of 4 behind the diagonal: causal bottom-right with
// window [4, 0].
// CHECK-LABEL: func @bottom_right_dynamic
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal window [4, 0] align bottom_right scale 0.35355338454246521 : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x8xf32>
// shapes: 2x4x3x8 2x4x11x8 2x4x11x8
func.func @bottom_right_dynamic(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x4x?x8xf32>
  %l = tensor.dim %q, %c2 : tensor<?x4x?x8xf32>
  %s = tensor.dim %k, %c2 : tensor<?x4x?x8xf32>
  %off = arith.subi %s, %l : index
  %off64 = arith.index_cast %off : index to i64
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty(%b, %l, %s) : tensor<?x4x?x?xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %qk = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) outs(%z0 : tensor<?x4x?x?xf32>) {
    ^bb0(%a: f32, %c: f32, %acc: f32):
      %p = arith.mulf %a, %c : f32
      %sum = arith.addf %acc, %p : f32
      linalg.yield %sum : f32
    } -> tensor<?x4x?x?xf32>
  %e1 = tensor.empty(%b, %l, %s) : tensor<?x4x?x?xf32>
  %masked = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk : tensor<?x4x?x?xf32>) outs(%e1 : tensor<?x4x?x?xf32>) {
    ^bb0(%x: f32, %o: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %ii = arith.index_cast %i : index to i64
      %jj = arith.index_cast %j : index to i64
      %diag = arith.addi %ii, %off64 : i64
      %c4 = arith.constant 4 : i64
      %start = arith.subi %diag, %c4 : i64
      %before = arith.cmpi sle, %jj, %diag : i64
      %after = arith.cmpi sge, %jj, %start : i64
      %keep = arith.andi %before, %after : i1
      %c = arith.constant 0.35355339 : f32
      %scaled = arith.mulf %x, %c : f32
      %ninf = arith.constant 0xFF800000 : f32
      %y = arith.select %keep, %scaled, %ninf : f32
      linalg.yield %y : f32
    } -> tensor<?x4x?x?xf32>
  %e2 = tensor.empty(%b, %l, %s) : tensor<?x4x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%masked : tensor<?x4x?x?xf32>) outs(%e2 : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %e3 = tensor.empty(%b, %l) : tensor<?x4x?x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32>
  %pv = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) outs(%z3 : tensor<?x4x?x8xf32>) {
    ^bb0(%a: f32, %c: f32, %acc: f32):
      %m = arith.mulf %a, %c : f32
      %sum = arith.addf %acc, %m : f32
      linalg.yield %sum : f32
    } -> tensor<?x4x?x8xf32>
  return %pv : tensor<?x4x?x8xf32>
}

// -----

// The same mask offset by S alone (j <= i + S): not a bound of either
// alignment for every L, so the graph is left as it was.
// CHECK-LABEL: func @offset_by_key_length
// CHECK-NOT: attn.sdpa
// CHECK: linalg.softmax
// shapes: 2x4x3x8 2x4x11x8 2x4x11x8
func.func @offset_by_key_length(%q: tensor<?x4x?x8xf32>, %k: tensor<?x4x?x8xf32>, %v: tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x4x?x8xf32>
  %l = tensor.dim %q, %c2 : tensor<?x4x?x8xf32>
  %s = tensor.dim %k, %c2 : tensor<?x4x?x8xf32>
  %off64 = arith.index_cast %s : index to i64
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty(%b, %l, %s) : tensor<?x4x?x?xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %qk = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) outs(%z0 : tensor<?x4x?x?xf32>) {
    ^bb0(%a: f32, %c: f32, %acc: f32):
      %p = arith.mulf %a, %c : f32
      %sum = arith.addf %acc, %p : f32
      linalg.yield %sum : f32
    } -> tensor<?x4x?x?xf32>
  %e1 = tensor.empty(%b, %l, %s) : tensor<?x4x?x?xf32>
  %masked = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk : tensor<?x4x?x?xf32>) outs(%e1 : tensor<?x4x?x?xf32>) {
    ^bb0(%x: f32, %o: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %ii = arith.index_cast %i : index to i64
      %jj = arith.index_cast %j : index to i64
      %diag = arith.addi %ii, %off64 : i64
      %c4 = arith.constant 4 : i64
      %start = arith.subi %diag, %c4 : i64
      %before = arith.cmpi sle, %jj, %diag : i64
      %after = arith.cmpi sge, %jj, %start : i64
      %keep = arith.andi %before, %after : i1
      %c = arith.constant 0.35355339 : f32
      %scaled = arith.mulf %x, %c : f32
      %ninf = arith.constant 0xFF800000 : f32
      %y = arith.select %keep, %scaled, %ninf : f32
      linalg.yield %y : f32
    } -> tensor<?x4x?x?xf32>
  %e2 = tensor.empty(%b, %l, %s) : tensor<?x4x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%masked : tensor<?x4x?x?xf32>) outs(%e2 : tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %e3 = tensor.empty(%b, %l) : tensor<?x4x?x8xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32>
  %pv = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<?x4x?x?xf32>, tensor<?x4x?x8xf32>) outs(%z3 : tensor<?x4x?x8xf32>) {
    ^bb0(%a: f32, %c: f32, %acc: f32):
      %m = arith.mulf %a, %c : f32
      %sum = arith.addf %acc, %m : f32
      linalg.yield %sum : f32
    } -> tensor<?x4x?x8xf32>
  return %pv : tensor<?x4x?x8xf32>
}
