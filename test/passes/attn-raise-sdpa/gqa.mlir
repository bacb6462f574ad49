// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa -attn-fold-kv-broadcast -canonicalize | FileCheck %s

// Grouped-query and multi-query attention: repeated K/V heads stay visible
// to --attn-fold-kv-broadcast, broadcast K/V heads become Hkv = 1.

// LLaMA-style GQA in torch-mlir's spelling: repeat_interleave of K and V
// (expand_shape, broadcasting copy, collapse_shape), then rank-3
// batch_matmuls. Raising keeps Q's [B, Hq] dims, so the repeat stays visible
// and --attn-fold-kv-broadcast makes attn.sdpa read the 2 K/V heads.
// CHECK-LABEL: func @repeat_interleave_rank3
// CHECK-SAME: (%[[Q:.*]]: tensor<2x6x4x8xf32>, %[[K:.*]]: tensor<2x2x9x8xf32>, %[[V:.*]]: tensor<2x2x9x8xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 0.35355338454246521 : tensor<2x6x4x8xf32>, tensor<2x2x9x8xf32>, tensor<2x2x9x8xf32> -> tensor<2x6x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @repeat_interleave_rank3(%q: tensor<2x6x4x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x6x4x8xf32> {
  %ex1 = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [2, 2, 1, 9, 8] : tensor<2x2x9x8xf32> into tensor<2x2x1x9x8xf32>
  %e2 = tensor.empty() : tensor<2x2x3x9x8xf32>
  %rep3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%ex1 : tensor<2x2x1x9x8xf32>) outs(%e2 : tensor<2x2x3x9x8xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      linalg.yield %a0 : f32
    } -> tensor<2x2x3x9x8xf32>
  %cl4 = tensor.collapse_shape %rep3 [[0], [1, 2], [3], [4]] : tensor<2x2x3x9x8xf32> into tensor<2x6x9x8xf32>
  %ex5 = tensor.expand_shape %v [[0], [1, 2], [3], [4]] output_shape [2, 2, 1, 9, 8] : tensor<2x2x9x8xf32> into tensor<2x2x1x9x8xf32>
  %e6 = tensor.empty() : tensor<2x2x3x9x8xf32>
  %rep7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%ex5 : tensor<2x2x1x9x8xf32>) outs(%e6 : tensor<2x2x3x9x8xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      linalg.yield %a0 : f32
    } -> tensor<2x2x3x9x8xf32>
  %cl8 = tensor.collapse_shape %rep7 [[0], [1, 2], [3], [4]] : tensor<2x2x3x9x8xf32> into tensor<2x6x9x8xf32>
  %e9 = tensor.empty() : tensor<2x6x8x9xf32>
  %tr10 = linalg.transpose ins(%cl4 : tensor<2x6x9x8xf32>) outs(%e9 : tensor<2x6x8x9xf32>) permutation = [0, 1, 3, 2]
  %cl11 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x6x4x8xf32> into tensor<12x4x8xf32>
  %cl12 = tensor.collapse_shape %tr10 [[0, 1], [2], [3]] : tensor<2x6x8x9xf32> into tensor<12x8x9xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<12x4x9xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<12x4x9xf32>) -> tensor<12x4x9xf32>
  %bmm16 = linalg.batch_matmul ins(%cl11, %cl12 : tensor<12x4x8xf32>, tensor<12x8x9xf32>) outs(%fill15 : tensor<12x4x9xf32>) -> tensor<12x4x9xf32>
  %ex17 = tensor.expand_shape %bmm16 [[0, 1], [2], [3]] output_shape [2, 6, 4, 9] : tensor<12x4x9xf32> into tensor<2x6x4x9xf32>
  %e18 = tensor.empty() : tensor<2x6x4x9xf32>
  %scaled19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex17 : tensor<2x6x4x9xf32>) outs(%e18 : tensor<2x6x4x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.35355339059327373 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x6x4x9xf32>
  %cst20 = arith.constant 0xFF800000 : f32
  %e21 = tensor.empty() : tensor<2x6x4x1xf32>
  %fill22 = linalg.fill ins(%cst20 : f32) outs(%e21 : tensor<2x6x4x1xf32>) -> tensor<2x6x4x1xf32>
  %max23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled19 : tensor<2x6x4x9xf32>) outs(%fill22 : tensor<2x6x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x6x4x1xf32>
  %e24 = tensor.empty() : tensor<2x6x4x9xf32>
  %sub25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled19, %max23 : tensor<2x6x4x9xf32>, tensor<2x6x4x1xf32>) outs(%e24 : tensor<2x6x4x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x6x4x9xf32>
  %e26 = tensor.empty() : tensor<2x6x4x9xf32>
  %exp27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub25 : tensor<2x6x4x9xf32>) outs(%e26 : tensor<2x6x4x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x6x4x9xf32>
  %cst28 = arith.constant 0.0 : f32
  %e29 = tensor.empty() : tensor<2x6x4x1xf32>
  %fill30 = linalg.fill ins(%cst28 : f32) outs(%e29 : tensor<2x6x4x1xf32>) -> tensor<2x6x4x1xf32>
  %sum31 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp27 : tensor<2x6x4x9xf32>) outs(%fill30 : tensor<2x6x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x6x4x1xf32>
  %e32 = tensor.empty() : tensor<2x6x4x9xf32>
  %p33 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp27, %sum31 : tensor<2x6x4x9xf32>, tensor<2x6x4x1xf32>) outs(%e32 : tensor<2x6x4x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x6x4x9xf32>
  %cl34 = tensor.collapse_shape %p33 [[0, 1], [2], [3]] : tensor<2x6x4x9xf32> into tensor<12x4x9xf32>
  %cl35 = tensor.collapse_shape %cl8 [[0, 1], [2], [3]] : tensor<2x6x9x8xf32> into tensor<12x9x8xf32>
  %cst36 = arith.constant 0.0 : f32
  %e37 = tensor.empty() : tensor<12x4x8xf32>
  %fill38 = linalg.fill ins(%cst36 : f32) outs(%e37 : tensor<12x4x8xf32>) -> tensor<12x4x8xf32>
  %bmm39 = linalg.batch_matmul ins(%cl34, %cl35 : tensor<12x4x9xf32>, tensor<12x9x8xf32>) outs(%fill38 : tensor<12x4x8xf32>) -> tensor<12x4x8xf32>
  %ex40 = tensor.expand_shape %bmm39 [[0, 1], [2], [3]] output_shape [2, 6, 4, 8] : tensor<12x4x8xf32> into tensor<2x6x4x8xf32>
  return %ex40 : tensor<2x6x4x8xf32>
}

// -----

// Multi-query attention written with K and V broadcast over the heads by
// the contractions' indexing maps: one K/V head.
// CHECK-LABEL: func @mqa_by_indexing_map
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x3x8xf32>, %[[K:.*]]: tensor<2x7x8xf32>, %[[V:.*]]: tensor<2x7x8xf32>)
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]] {{\[}}[0], [1, 2], [3]] output_shape [2, 1, 7, 8]
// CHECK-DAG: %[[V4:.*]] = tensor.expand_shape %[[V]] {{\[}}[0], [1, 2], [3]] output_shape [2, 1, 7, 8]
// CHECK: attn.sdpa %[[Q]], %[[K4]], %[[V4]] scale 1.000000e+00 : tensor<2x4x3x8xf32>, tensor<2x1x7x8xf32>, tensor<2x1x7x8xf32> -> tensor<2x4x3x8xf32>
func.func @mqa_by_indexing_map(%q: tensor<2x4x3x8xf32>, %k: tensor<2x7x8xf32>, %v: tensor<2x7x8xf32>) -> tensor<2x4x3x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x4x3x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x4x3x7xf32>) -> tensor<2x4x3x7xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x4x3x8xf32>, tensor<2x7x8xf32>) outs(%fill3 : tensor<2x4x3x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x4x3x7xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<2x4x3x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<2x4x3x1xf32>) -> tensor<2x4x3x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<2x4x3x7xf32>) outs(%fill7 : tensor<2x4x3x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x4x3x1xf32>
  %e9 = tensor.empty() : tensor<2x4x3x7xf32>
  %sub10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<2x4x3x7xf32>, tensor<2x4x3x1xf32>) outs(%e9 : tensor<2x4x3x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x4x3x7xf32>
  %e11 = tensor.empty() : tensor<2x4x3x7xf32>
  %exp12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub10 : tensor<2x4x3x7xf32>) outs(%e11 : tensor<2x4x3x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x4x3x7xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<2x4x3x1xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<2x4x3x1xf32>) -> tensor<2x4x3x1xf32>
  %sum16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp12 : tensor<2x4x3x7xf32>) outs(%fill15 : tensor<2x4x3x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x4x3x1xf32>
  %e17 = tensor.empty() : tensor<2x4x3x7xf32>
  %p18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp12, %sum16 : tensor<2x4x3x7xf32>, tensor<2x4x3x1xf32>) outs(%e17 : tensor<2x4x3x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x4x3x7xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<2x4x3x8xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<2x4x3x8xf32>) -> tensor<2x4x3x8xf32>
  %pv22 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p18, %v : tensor<2x4x3x7xf32>, tensor<2x7x8xf32>) outs(%fill21 : tensor<2x4x3x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x4x3x8xf32>
  return %pv22 : tensor<2x4x3x8xf32>
}

// -----

// GQA written on a grouped view of Q, [B, Hkv, G, L, E], with K and V
// broadcast over the group G by the indexing maps: attn.sdpa has batch dims
// [B, Hkv], G query heads and one K/V head each.
// CHECK-LABEL: func @grouped_query_view
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 : tensor<1x2x4x3x8xf32>, tensor<1x2x1x5x8xf32>, tensor<1x2x1x5x8xf32> -> tensor<1x2x4x3x8xf32>
func.func @grouped_query_view(%q: tensor<1x8x3x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x8x3x8xf32> {
  %ex1 = tensor.expand_shape %q [[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 3, 8] : tensor<1x8x3x8xf32> into tensor<1x2x4x3x8xf32>
  %cst2 = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<1x2x4x3x5xf32>
  %fill4 = linalg.fill ins(%cst2 : f32) outs(%e3 : tensor<1x2x4x3x5xf32>) -> tensor<1x2x4x3x5xf32>
  %qk5 = linalg.generic {indexing_maps = [affine_map<(b, h, g, i, j, e) -> (b, h, g, i, e)>, affine_map<(b, h, g, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, g, i, j, e) -> (b, h, g, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%ex1, %k : tensor<1x2x4x3x8xf32>, tensor<1x2x5x8xf32>) outs(%fill4 : tensor<1x2x4x3x5xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x3x5xf32>
  %cst6 = arith.constant 0xFF800000 : f32
  %e7 = tensor.empty() : tensor<1x2x4x3x1xf32>
  %fill8 = linalg.fill ins(%cst6 : f32) outs(%e7 : tensor<1x2x4x3x1xf32>) -> tensor<1x2x4x3x1xf32>
  %max9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 0)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qk5 : tensor<1x2x4x3x5xf32>) outs(%fill8 : tensor<1x2x4x3x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x3x1xf32>
  %e10 = tensor.empty() : tensor<1x2x4x3x5xf32>
  %sub11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 0)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%qk5, %max9 : tensor<1x2x4x3x5xf32>, tensor<1x2x4x3x1xf32>) outs(%e10 : tensor<1x2x4x3x5xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x3x5xf32>
  %e12 = tensor.empty() : tensor<1x2x4x3x5xf32>
  %exp13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%sub11 : tensor<1x2x4x3x5xf32>) outs(%e12 : tensor<1x2x4x3x5xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x3x5xf32>
  %cst14 = arith.constant 0.0 : f32
  %e15 = tensor.empty() : tensor<1x2x4x3x1xf32>
  %fill16 = linalg.fill ins(%cst14 : f32) outs(%e15 : tensor<1x2x4x3x1xf32>) -> tensor<1x2x4x3x1xf32>
  %sum17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 0)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%exp13 : tensor<1x2x4x3x5xf32>) outs(%fill16 : tensor<1x2x4x3x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x3x1xf32>
  %e18 = tensor.empty() : tensor<1x2x4x3x5xf32>
  %p19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 0)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%exp13, %sum17 : tensor<1x2x4x3x5xf32>, tensor<1x2x4x3x1xf32>) outs(%e18 : tensor<1x2x4x3x5xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x3x5xf32>
  %cst20 = arith.constant 0.0 : f32
  %e21 = tensor.empty() : tensor<1x2x4x3x8xf32>
  %fill22 = linalg.fill ins(%cst20 : f32) outs(%e21 : tensor<1x2x4x3x8xf32>) -> tensor<1x2x4x3x8xf32>
  %pv23 = linalg.generic {indexing_maps = [affine_map<(b, h, g, i, d, j) -> (b, h, g, i, j)>, affine_map<(b, h, g, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, g, i, d, j) -> (b, h, g, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p19, %v : tensor<1x2x4x3x5xf32>, tensor<1x2x5x8xf32>) outs(%fill22 : tensor<1x2x4x3x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x3x8xf32>
  %cl24 = tensor.collapse_shape %pv23 [[0], [1, 2], [3], [4]] : tensor<1x2x4x3x8xf32> into tensor<1x8x3x8xf32>
  return %cl24 : tensor<1x8x3x8xf32>
}
