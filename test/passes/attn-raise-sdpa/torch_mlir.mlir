// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s --implicit-check-not=linalg.

// Attention graphs as torch-mlir prints them (tensor.empty, linalg.fill,
// rank-3 batch_matmul between expand/collapse_shape), with the softmax's max
// computed by aten.max.dim. Each is raised whole: nothing of the graph is
// left (no linalg op at all).

// aten._softmax as torch-mlir decomposes it: aten.max.dim (keepdim) is one
// linalg.generic with two results, the running max and its index; the max
// is select(x > max or isnan(x), x, max) from -inf, the index is dead.
// CHECK-LABEL: func @max_dim_select_nan
// CHECK-SAME: (%[[Q:.*]]: tensor<2x2x5x8xf32>, %[[K:.*]]: tensor<2x2x9x8xf32>, %[[V:.*]]: tensor<2x2x9x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>, tensor<2x2x9x8xf32> -> tensor<2x2x5x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @max_dim_select_nan(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %kt_init = tensor.empty() : tensor<2x2x8x9xf32>
  %kt = linalg.transpose ins(%k : tensor<2x2x9x8xf32>) outs(%kt_init : tensor<2x2x8x9xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x5x8xf32> into tensor<4x5x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x2x8x9xf32> into tensor<4x8x9xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty() : tensor<4x5x9xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<4x5x8xf32>, tensor<4x8x9xf32>) outs(%qk_fill : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 9] : tensor<4x5x9xf32> into tensor<2x2x5x9xf32>
  %scale = arith.constant 1.250000e-01 : f32
  %scaled_init = tensor.empty() : tensor<2x2x5x9xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<2x2x5x9xf32>) outs(%scaled_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %lowest = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %max_init = tensor.empty() : tensor<2x2x5xf32>
  %max_fill = linalg.fill ins(%lowest : f32) outs(%max_init : tensor<2x2x5xf32>) -> tensor<2x2x5xf32>
  %idx_init = tensor.empty() : tensor<2x2x5xi64>
  %idx_fill = linalg.fill ins(%c0_i64 : i64) outs(%idx_init : tensor<2x2x5xi64>) -> tensor<2x2x5xi64>
  %max:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%scaled : tensor<2x2x5x9xf32>) outs(%max_fill, %idx_fill : tensor<2x2x5xf32>, tensor<2x2x5xi64>) {
    ^bb0(%in: f32, %m: f32, %idx: i64):
      %j = linalg.index 3 : index
      %j64 = arith.index_cast %j : index to i64
      %gt = arith.cmpf ogt, %in, %m : f32
      %nan = arith.cmpf uno, %in, %in : f32
      %pick = arith.ori %gt, %nan : i1
      %newmax = arith.select %pick, %in, %m : f32
      %newidx = arith.select %pick, %j64, %idx : i64
      linalg.yield %newmax, %newidx : f32, i64
    } -> (tensor<2x2x5xf32>, tensor<2x2x5xi64>)
  %max_kept = tensor.expand_shape %max#0 [[0], [1], [2, 3]] output_shape [2, 2, 5, 1] : tensor<2x2x5xf32> into tensor<2x2x5x1xf32>
  %sub_init = tensor.empty() : tensor<2x2x5x9xf32>
  %sub = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %max_kept : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%sub_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.subf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %exp_init = tensor.empty() : tensor<2x2x5x9xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sub : tensor<2x2x5x9xf32>) outs(%exp_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = math.exp %in : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %sum_init = tensor.empty() : tensor<2x2x5x1xf32>
  %sum_fill = linalg.fill ins(%zero : f32) outs(%sum_init : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<2x2x5x9xf32>) outs(%sum_fill : tensor<2x2x5x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.addf %in, %out : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x1xf32>
  %p_init = tensor.empty() : tensor<2x2x5x9xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%p_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.divf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x5x9xf32> into tensor<4x5x9xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x9x8xf32> into tensor<4x9x8xf32>
  %pv_init = tensor.empty() : tensor<4x5x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<4x5x9xf32>, tensor<4x9x8xf32>) outs(%pv_fill : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 8] : tensor<4x5x8xf32> into tensor<2x2x5x8xf32>
  return %pv : tensor<2x2x5x8xf32>
}

// -----

// The same max without the NaN clause, the comparison written max < x and
// the max starting at the lowest finite f32.
// CHECK-LABEL: func @max_dim_select_lowest
// CHECK-SAME: (%[[Q:.*]]: tensor<2x2x5x8xf32>, %[[K:.*]]: tensor<2x2x9x8xf32>, %[[V:.*]]: tensor<2x2x9x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>, tensor<2x2x9x8xf32> -> tensor<2x2x5x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @max_dim_select_lowest(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %kt_init = tensor.empty() : tensor<2x2x8x9xf32>
  %kt = linalg.transpose ins(%k : tensor<2x2x9x8xf32>) outs(%kt_init : tensor<2x2x8x9xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x5x8xf32> into tensor<4x5x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x2x8x9xf32> into tensor<4x8x9xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty() : tensor<4x5x9xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<4x5x8xf32>, tensor<4x8x9xf32>) outs(%qk_fill : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 9] : tensor<4x5x9xf32> into tensor<2x2x5x9xf32>
  %scale = arith.constant 1.250000e-01 : f32
  %scaled_init = tensor.empty() : tensor<2x2x5x9xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<2x2x5x9xf32>) outs(%scaled_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %lowest = arith.constant -3.40282347E+38 : f32
  %c0_i64 = arith.constant 0 : i64
  %max_init = tensor.empty() : tensor<2x2x5xf32>
  %max_fill = linalg.fill ins(%lowest : f32) outs(%max_init : tensor<2x2x5xf32>) -> tensor<2x2x5xf32>
  %idx_init = tensor.empty() : tensor<2x2x5xi64>
  %idx_fill = linalg.fill ins(%c0_i64 : i64) outs(%idx_init : tensor<2x2x5xi64>) -> tensor<2x2x5xi64>
  %max:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%scaled : tensor<2x2x5x9xf32>) outs(%max_fill, %idx_fill : tensor<2x2x5xf32>, tensor<2x2x5xi64>) {
    ^bb0(%in: f32, %m: f32, %idx: i64):
      %j = linalg.index 3 : index
      %j64 = arith.index_cast %j : index to i64
      %pick = arith.cmpf olt, %m, %in : f32
      %newmax = arith.select %pick, %in, %m : f32
      %newidx = arith.select %pick, %j64, %idx : i64
      linalg.yield %newmax, %newidx : f32, i64
    } -> (tensor<2x2x5xf32>, tensor<2x2x5xi64>)
  %max_kept = tensor.expand_shape %max#0 [[0], [1], [2, 3]] output_shape [2, 2, 5, 1] : tensor<2x2x5xf32> into tensor<2x2x5x1xf32>
  %sub_init = tensor.empty() : tensor<2x2x5x9xf32>
  %sub = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %max_kept : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%sub_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.subf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %exp_init = tensor.empty() : tensor<2x2x5x9xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sub : tensor<2x2x5x9xf32>) outs(%exp_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = math.exp %in : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %sum_init = tensor.empty() : tensor<2x2x5x1xf32>
  %sum_fill = linalg.fill ins(%zero : f32) outs(%sum_init : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<2x2x5x9xf32>) outs(%sum_fill : tensor<2x2x5x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.addf %in, %out : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x1xf32>
  %p_init = tensor.empty() : tensor<2x2x5x9xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%p_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.divf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x5x9xf32> into tensor<4x5x9xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x9x8xf32> into tensor<4x9x8xf32>
  %pv_init = tensor.empty() : tensor<4x5x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<4x5x9xf32>, tensor<4x9x8xf32>) outs(%pv_fill : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 8] : tensor<4x5x8xf32> into tensor<2x2x5x8xf32>
  return %pv : tensor<2x2x5x8xf32>
}

// -----

// The value through arith.maximumf and only the index through a select.
// CHECK-LABEL: func @max_dim_maximumf
// CHECK-SAME: (%[[Q:.*]]: tensor<2x2x5x8xf32>, %[[K:.*]]: tensor<2x2x9x8xf32>, %[[V:.*]]: tensor<2x2x9x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>, tensor<2x2x9x8xf32> -> tensor<2x2x5x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @max_dim_maximumf(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %kt_init = tensor.empty() : tensor<2x2x8x9xf32>
  %kt = linalg.transpose ins(%k : tensor<2x2x9x8xf32>) outs(%kt_init : tensor<2x2x8x9xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x5x8xf32> into tensor<4x5x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x2x8x9xf32> into tensor<4x8x9xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty() : tensor<4x5x9xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<4x5x8xf32>, tensor<4x8x9xf32>) outs(%qk_fill : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 9] : tensor<4x5x9xf32> into tensor<2x2x5x9xf32>
  %scale = arith.constant 1.250000e-01 : f32
  %scaled_init = tensor.empty() : tensor<2x2x5x9xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<2x2x5x9xf32>) outs(%scaled_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %lowest = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %max_init = tensor.empty() : tensor<2x2x5xf32>
  %max_fill = linalg.fill ins(%lowest : f32) outs(%max_init : tensor<2x2x5xf32>) -> tensor<2x2x5xf32>
  %idx_init = tensor.empty() : tensor<2x2x5xi64>
  %idx_fill = linalg.fill ins(%c0_i64 : i64) outs(%idx_init : tensor<2x2x5xi64>) -> tensor<2x2x5xi64>
  %max:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%scaled : tensor<2x2x5x9xf32>) outs(%max_fill, %idx_fill : tensor<2x2x5xf32>, tensor<2x2x5xi64>) {
    ^bb0(%in: f32, %m: f32, %idx: i64):
      %j = linalg.index 3 : index
      %j64 = arith.index_cast %j : index to i64
      %gt = arith.cmpf ogt, %in, %m : f32
      %newmax = arith.maximumf %in, %m : f32
      %newidx = arith.select %gt, %j64, %idx : i64
      linalg.yield %newmax, %newidx : f32, i64
    } -> (tensor<2x2x5xf32>, tensor<2x2x5xi64>)
  %max_kept = tensor.expand_shape %max#0 [[0], [1], [2, 3]] output_shape [2, 2, 5, 1] : tensor<2x2x5xf32> into tensor<2x2x5x1xf32>
  %sub_init = tensor.empty() : tensor<2x2x5x9xf32>
  %sub = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %max_kept : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%sub_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.subf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %exp_init = tensor.empty() : tensor<2x2x5x9xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sub : tensor<2x2x5x9xf32>) outs(%exp_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = math.exp %in : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %sum_init = tensor.empty() : tensor<2x2x5x1xf32>
  %sum_fill = linalg.fill ins(%zero : f32) outs(%sum_init : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<2x2x5x9xf32>) outs(%sum_fill : tensor<2x2x5x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.addf %in, %out : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x1xf32>
  %p_init = tensor.empty() : tensor<2x2x5x9xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%p_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.divf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x5x9xf32> into tensor<4x5x9xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x9x8xf32> into tensor<4x9x8xf32>
  %pv_init = tensor.empty() : tensor<4x5x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<4x5x9xf32>, tensor<4x9x8xf32>) outs(%pv_fill : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 8] : tensor<4x5x8xf32> into tensor<2x2x5x8xf32>
  return %pv : tensor<2x2x5x8xf32>
}

// -----

// After elementwise fusion: exp(s - max) is computed inside the sum's body
// and again in the division.
// CHECK-LABEL: func @max_dim_fused_sum_exp
// CHECK-SAME: (%[[Q:.*]]: tensor<2x2x5x8xf32>, %[[K:.*]]: tensor<2x2x9x8xf32>, %[[V:.*]]: tensor<2x2x9x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>, tensor<2x2x9x8xf32> -> tensor<2x2x5x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @max_dim_fused_sum_exp(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %kt_init = tensor.empty() : tensor<2x2x8x9xf32>
  %kt = linalg.transpose ins(%k : tensor<2x2x9x8xf32>) outs(%kt_init : tensor<2x2x8x9xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x5x8xf32> into tensor<4x5x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x2x8x9xf32> into tensor<4x8x9xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty() : tensor<4x5x9xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<4x5x8xf32>, tensor<4x8x9xf32>) outs(%qk_fill : tensor<4x5x9xf32>) -> tensor<4x5x9xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 9] : tensor<4x5x9xf32> into tensor<2x2x5x9xf32>
  %scale = arith.constant 1.250000e-01 : f32
  %scaled_init = tensor.empty() : tensor<2x2x5x9xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<2x2x5x9xf32>) outs(%scaled_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %lowest = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %max_init = tensor.empty() : tensor<2x2x5xf32>
  %max_fill = linalg.fill ins(%lowest : f32) outs(%max_init : tensor<2x2x5xf32>) -> tensor<2x2x5xf32>
  %idx_init = tensor.empty() : tensor<2x2x5xi64>
  %idx_fill = linalg.fill ins(%c0_i64 : i64) outs(%idx_init : tensor<2x2x5xi64>) -> tensor<2x2x5xi64>
  %max:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%scaled : tensor<2x2x5x9xf32>) outs(%max_fill, %idx_fill : tensor<2x2x5xf32>, tensor<2x2x5xi64>) {
    ^bb0(%in: f32, %m: f32, %idx: i64):
      %j = linalg.index 3 : index
      %j64 = arith.index_cast %j : index to i64
      %gt = arith.cmpf ogt, %in, %m : f32
      %nan = arith.cmpf uno, %in, %in : f32
      %pick = arith.ori %gt, %nan : i1
      %newmax = arith.select %pick, %in, %m : f32
      %newidx = arith.select %pick, %j64, %idx : i64
      linalg.yield %newmax, %newidx : f32, i64
    } -> (tensor<2x2x5xf32>, tensor<2x2x5xi64>)
  %max_kept = tensor.expand_shape %max#0 [[0], [1], [2, 3]] output_shape [2, 2, 5, 1] : tensor<2x2x5xf32> into tensor<2x2x5x1xf32>
  %sum_init = tensor.empty() : tensor<2x2x5x1xf32>
  %sum_fill = linalg.fill ins(%zero : f32) outs(%sum_init : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%scaled, %max_kept : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%sum_fill : tensor<2x2x5x1xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.subf %in, %in_0 : f32
      %y = math.exp %x : f32
      %z = arith.addf %y, %out : f32
      linalg.yield %z : f32
    } -> tensor<2x2x5x1xf32>
  %p_init = tensor.empty() : tensor<2x2x5x9xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %max_kept, %sum : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>, tensor<2x2x5x1xf32>) outs(%p_init : tensor<2x2x5x9xf32>) {
    ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
      %x = arith.subf %in, %in_0 : f32
      %y = math.exp %x : f32
      %z = arith.divf %y, %in_1 : f32
      linalg.yield %z : f32
    } -> tensor<2x2x5x9xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x5x9xf32> into tensor<4x5x9xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x9x8xf32> into tensor<4x9x8xf32>
  %pv_init = tensor.empty() : tensor<4x5x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<4x5x9xf32>, tensor<4x9x8xf32>) outs(%pv_fill : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [2, 2, 5, 8] : tensor<4x5x8xf32> into tensor<2x2x5x8xf32>
  return %pv : tensor<2x2x5x8xf32>
}
