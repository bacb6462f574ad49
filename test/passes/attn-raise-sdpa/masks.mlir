// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s

// Masks: additive and boolean tensors of any broadcast, and index
// comparisons that become causal alignment and windows.

// An additive float padding mask [B, 1, 1, S] read with a broadcasting map.
// CHECK-LABEL: func @float_mask_padding
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<2x1x1x7xf32>)
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]] : tensor<2x1x1x7xf32>) scale 2.500000e-01 :
// CHECK-NOT: linalg.generic
func.func @float_mask_padding(%q: tensor<2x3x5x8xf32>, %k: tensor<2x3x7x8xf32>, %v: tensor<2x3x7x8xf32>, %mask: tensor<2x1x1x7xf32>) -> tensor<2x3x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3x5x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>) outs(%fill3 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e5 = tensor.empty() : tensor<2x3x5x7xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x3x5x7xf32>) outs(%e5 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %e7 = tensor.empty() : tensor<2x3x5x7xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %mask : tensor<2x3x5x7xf32>, tensor<2x1x1x7xf32>) outs(%e7 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.addf %a0, %a1 : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<2x3x5x7xf32>) outs(%fill11 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x1xf32>
  %e13 = tensor.empty() : tensor<2x3x5x7xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e13 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e15 = tensor.empty() : tensor<2x3x5x7xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<2x3x5x7xf32>) outs(%e15 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x3x5x7xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<2x3x5x7xf32>) outs(%fill19 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x1xf32>
  %e21 = tensor.empty() : tensor<2x3x5x7xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e21 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x3x5x7xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x3x5x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x3x5x7xf32>, tensor<2x3x7x8xf32>) outs(%fill25 : tensor<2x3x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x8xf32>
  return %pv26 : tensor<2x3x5x8xf32>
}

// -----

// A 2-D [L, S] f16 bias widened in the body: attn.sdpa takes the f16 tensor,
// with unit dims in front.
// CHECK-LABEL: func @float_mask_2d
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<5x7xf16>)
// CHECK: %[[M4:.*]] = tensor.expand_shape %[[M]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 5, 7]
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M4]] : tensor<1x1x5x7xf16>) scale 2.500000e-01 :
func.func @float_mask_2d(%q: tensor<2x3x5x8xf32>, %k: tensor<2x3x7x8xf32>, %v: tensor<2x3x7x8xf32>, %mask: tensor<5x7xf16>) -> tensor<2x3x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3x5x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>) outs(%fill3 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e5 = tensor.empty() : tensor<2x3x5x7xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x3x5x7xf32>) outs(%e5 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %e7 = tensor.empty() : tensor<2x3x5x7xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %mask : tensor<2x3x5x7xf32>, tensor<5x7xf16>) outs(%e7 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f16, %acc: f32):
      %w = arith.extf %a1 : f16 to f32
      %m = arith.addf %a0, %w : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<2x3x5x7xf32>) outs(%fill11 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x1xf32>
  %e13 = tensor.empty() : tensor<2x3x5x7xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e13 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e15 = tensor.empty() : tensor<2x3x5x7xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<2x3x5x7xf32>) outs(%e15 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x3x5x7xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<2x3x5x7xf32>) outs(%fill19 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x1xf32>
  %e21 = tensor.empty() : tensor<2x3x5x7xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e21 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x3x5x7xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x3x5x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x3x5x7xf32>, tensor<2x3x7x8xf32>) outs(%fill25 : tensor<2x3x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x8xf32>
  return %pv26 : tensor<2x3x5x8xf32>
}

// -----

// A boolean mask (true = attend) applied by select with -inf.
// CHECK-LABEL: func @bool_mask_select
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<2x1x5x7xi1>)
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]] : tensor<2x1x5x7xi1>) scale 2.500000e-01 :
func.func @bool_mask_select(%q: tensor<2x3x5x8xf32>, %k: tensor<2x3x7x8xf32>, %v: tensor<2x3x7x8xf32>, %mask: tensor<2x1x5x7xi1>) -> tensor<2x3x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3x5x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>) outs(%fill3 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e5 = tensor.empty() : tensor<2x3x5x7xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x3x5x7xf32>) outs(%e5 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %e7 = tensor.empty() : tensor<2x3x5x7xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %mask : tensor<2x3x5x7xf32>, tensor<2x1x5x7xi1>) outs(%e7 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %a1, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<2x3x5x7xf32>) outs(%fill11 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x1xf32>
  %e13 = tensor.empty() : tensor<2x3x5x7xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e13 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e15 = tensor.empty() : tensor<2x3x5x7xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<2x3x5x7xf32>) outs(%e15 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x3x5x7xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<2x3x5x7xf32>) outs(%fill19 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x1xf32>
  %e21 = tensor.empty() : tensor<2x3x5x7xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e21 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x3x5x7xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x3x5x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x3x5x7xf32>, tensor<2x3x7x8xf32>) outs(%fill25 : tensor<2x3x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x8xf32>
  return %pv26 : tensor<2x3x5x8xf32>
}

// -----

// torch's masked_fill(m, -inf): true marks what must not attend, so the
// raised mask is its negation (computed once, on the mask's own shape).
// CHECK-LABEL: func @bool_mask_masked_fill
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<2x7xi1>)
// CHECK: %[[M4:.*]] = tensor.expand_shape %[[M]] {{\[}}[0], [1, 2, 3]] output_shape [2, 1, 1, 7]
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%[[M4]] : tensor<2x1x1x7xi1>)
// CHECK: arith.xori
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[N]] : tensor<2x1x1x7xi1>) scale 2.500000e-01 :
func.func @bool_mask_masked_fill(%q: tensor<2x3x5x8xf32>, %k: tensor<2x3x7x8xf32>, %v: tensor<2x3x7x8xf32>, %mask: tensor<2x7xi1>) -> tensor<2x3x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3x5x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>) outs(%fill3 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e5 = tensor.empty() : tensor<2x3x5x7xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x3x5x7xf32>) outs(%e5 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %e7 = tensor.empty() : tensor<2x3x5x7xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %mask : tensor<2x3x5x7xf32>, tensor<2x7xi1>) outs(%e7 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %a1, %n, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<2x3x5x7xf32>) outs(%fill11 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x1xf32>
  %e13 = tensor.empty() : tensor<2x3x5x7xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e13 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e15 = tensor.empty() : tensor<2x3x5x7xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<2x3x5x7xf32>) outs(%e15 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x3x5x7xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<2x3x5x7xf32>) outs(%fill19 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x1xf32>
  %e21 = tensor.empty() : tensor<2x3x5x7xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e21 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x3x5x7xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x3x5x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x3x5x7xf32>, tensor<2x3x7x8xf32>) outs(%fill25 : tensor<2x3x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x8xf32>
  return %pv26 : tensor<2x3x5x8xf32>
}

// -----

// Causal mask from linalg.index (j <= i) with L == S: top_left.
// CHECK-LABEL: func @causal_top_left
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align top_left scale 2.500000e-01 :
// CHECK-NOT: linalg.generic
func.func @causal_top_left(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) outs(%fill3 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e5 = tensor.empty() : tensor<1x2x6x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x6x6xf32>) outs(%e5 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %e7 = tensor.empty() : tensor<1x2x6x6xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %cond = arith.cmpi sle, %j, %i : index
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<1x2x6x6xf32>) outs(%fill11 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e15 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x6x6xf32>) outs(%e15 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x6x6xf32>) outs(%fill19 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e21 = tensor.empty() : tensor<1x2x6x6xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e21 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill25 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv26 : tensor<1x2x6x8xf32>
}

// -----

// Causal with the offset S - L = 6 on i64 (index_cast, as torch-mlir
// writes it): bottom_right, as in decode and chunked prefill.
// CHECK-LABEL: func @causal_bottom_right
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align bottom_right scale 2.500000e-01 : tensor<1x2x4x8xf32>, tensor<1x2x10x8xf32>
func.func @causal_bottom_right(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x10x8xf32>, %v: tensor<1x2x10x8xf32>) -> tensor<1x2x4x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x4x10xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x4x10xf32>) -> tensor<1x2x4x10xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x10x8xf32>) outs(%fill3 : tensor<1x2x4x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x10xf32>
  %e5 = tensor.empty() : tensor<1x2x4x10xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x4x10xf32>) outs(%e5 : tensor<1x2x4x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x10xf32>
  %e7 = tensor.empty() : tensor<1x2x4x10xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x4x10xf32>) outs(%e7 : tensor<1x2x4x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %ii = arith.index_cast %i : index to i64
      %jj = arith.index_cast %j : index to i64
      %off = arith.constant 6 : i64
      %lim = arith.addi %ii, %off : i64
      %cond = arith.cmpi sge, %lim, %jj : i64
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x10xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<1x2x4x10xf32>) outs(%fill11 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x1xf32>
  %e13 = tensor.empty() : tensor<1x2x4x10xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<1x2x4x10xf32>, tensor<1x2x4x1xf32>) outs(%e13 : tensor<1x2x4x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x10xf32>
  %e15 = tensor.empty() : tensor<1x2x4x10xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x4x10xf32>) outs(%e15 : tensor<1x2x4x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x10xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x4x10xf32>) outs(%fill19 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x1xf32>
  %e21 = tensor.empty() : tensor<1x2x4x10xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x4x10xf32>, tensor<1x2x4x1xf32>) outs(%e21 : tensor<1x2x4x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x10xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x4x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x4x10xf32>, tensor<1x2x10x8xf32>) outs(%fill25 : tensor<1x2x4x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x8xf32>
  return %pv26 : tensor<1x2x4x8xf32>
}

// -----

// Causal sliding window: j <= i and j >= i - 3.
// CHECK-LABEL: func @sliding_window
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal window [3, 0] align top_left scale 2.500000e-01 :
func.func @sliding_window(%q: tensor<1x2x9x8xf32>, %k: tensor<1x2x9x8xf32>, %v: tensor<1x2x9x8xf32>) -> tensor<1x2x9x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x9x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x9x9xf32>) -> tensor<1x2x9x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x9x8xf32>, tensor<1x2x9x8xf32>) outs(%fill3 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x9xf32>
  %e5 = tensor.empty() : tensor<1x2x9x9xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x9x9xf32>) outs(%e5 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x9x9xf32>
  %e7 = tensor.empty() : tensor<1x2x9x9xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x9x9xf32>) outs(%e7 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %c3 = arith.constant 3 : index
      %lo = arith.subi %i, %c3 : index
      %a = arith.cmpi sle, %j, %i : index
      %b = arith.cmpi sge, %j, %lo : index
      %cond = arith.andi %a, %b : i1
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<1x2x9x9xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x9x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x9x1xf32>) -> tensor<1x2x9x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<1x2x9x9xf32>) outs(%fill11 : tensor<1x2x9x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x9x1xf32>
  %e13 = tensor.empty() : tensor<1x2x9x9xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<1x2x9x9xf32>, tensor<1x2x9x1xf32>) outs(%e13 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x9xf32>
  %e15 = tensor.empty() : tensor<1x2x9x9xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x9x9xf32>) outs(%e15 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x9x9xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x9x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x9x1xf32>) -> tensor<1x2x9x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x9x9xf32>) outs(%fill19 : tensor<1x2x9x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x1xf32>
  %e21 = tensor.empty() : tensor<1x2x9x9xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x9x9xf32>, tensor<1x2x9x1xf32>) outs(%e21 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x9x9xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x9x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x9x8xf32>) -> tensor<1x2x9x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x9x9xf32>, tensor<1x2x9x8xf32>) outs(%fill25 : tensor<1x2x9x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x8xf32>
  return %pv26 : tensor<1x2x9x8xf32>
}

// -----

// A band |j - i| <= 2 without causality: a window [2, 2].
// CHECK-LABEL: func @symmetric_window
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} window [2, 2] align top_left scale 2.500000e-01 :
func.func @symmetric_window(%q: tensor<1x2x9x8xf32>, %k: tensor<1x2x9x8xf32>, %v: tensor<1x2x9x8xf32>) -> tensor<1x2x9x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x9x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x9x9xf32>) -> tensor<1x2x9x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x9x8xf32>, tensor<1x2x9x8xf32>) outs(%fill3 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x9xf32>
  %e5 = tensor.empty() : tensor<1x2x9x9xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x9x9xf32>) outs(%e5 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x9x9xf32>
  %e7 = tensor.empty() : tensor<1x2x9x9xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x9x9xf32>) outs(%e7 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %d = arith.subi %j, %i : index
      %c2 = arith.constant 2 : index
      %cm2 = arith.constant -2 : index
      %a = arith.cmpi sle, %d, %c2 : index
      %b = arith.cmpi sge, %d, %cm2 : index
      %cond = arith.andi %a, %b : i1
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<1x2x9x9xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x9x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x9x1xf32>) -> tensor<1x2x9x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<1x2x9x9xf32>) outs(%fill11 : tensor<1x2x9x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x9x1xf32>
  %e13 = tensor.empty() : tensor<1x2x9x9xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<1x2x9x9xf32>, tensor<1x2x9x1xf32>) outs(%e13 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x9xf32>
  %e15 = tensor.empty() : tensor<1x2x9x9xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x9x9xf32>) outs(%e15 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x9x9xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x9x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x9x1xf32>) -> tensor<1x2x9x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x9x9xf32>) outs(%fill19 : tensor<1x2x9x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x1xf32>
  %e21 = tensor.empty() : tensor<1x2x9x9xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x9x9xf32>, tensor<1x2x9x1xf32>) outs(%e21 : tensor<1x2x9x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x9x9xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x9x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x9x8xf32>) -> tensor<1x2x9x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x9x9xf32>, tensor<1x2x9x8xf32>) outs(%fill25 : tensor<1x2x9x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x9x8xf32>
  return %pv26 : tensor<1x2x9x8xf32>
}

// -----

// torch's masked_fill(triu(ones, 1), -inf): drop where j > i.
// CHECK-LABEL: func @triu_masked_fill
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align top_left scale 2.500000e-01 :
func.func @triu_masked_fill(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) outs(%fill3 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e5 = tensor.empty() : tensor<1x2x6x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x6x6xf32>) outs(%e5 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %e7 = tensor.empty() : tensor<1x2x6x6xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %cond = arith.cmpi sgt, %j, %i : index
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %n, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<1x2x6x6xf32>) outs(%fill11 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e15 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x6x6xf32>) outs(%e15 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x6x6xf32>) outs(%fill19 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e21 = tensor.empty() : tensor<1x2x6x6xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e21 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill25 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv26 : tensor<1x2x6x8xf32>
}

// -----

// PyTorch's reference: a float bias tril -> 0 / -inf built from
// linalg.index in its own generic and added to the scores. It becomes causal,
// not a mask tensor, and dies.
// CHECK-LABEL: func @causal_bias_added
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align top_left scale 2.500000e-01 :
// CHECK-NOT: linalg.generic
func.func @causal_bias_added(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) outs(%fill3 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e5 = tensor.empty() : tensor<1x2x6x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x6x6xf32>) outs(%e5 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %e7 = tensor.empty() : tensor<6x6xf32>
  %bias8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%e7 : tensor<6x6xf32>) {
    ^bb0(%acc: f32):
      %i = linalg.index 0 : index
      %j = linalg.index 1 : index
      %cond = arith.cmpi sle, %j, %i : index
      %z = arith.constant 0.0 : f32
      %n = arith.constant 0xFF800000 : f32
      %b = arith.select %cond, %z, %n : f32
      linalg.yield %b : f32
    } -> tensor<6x6xf32>
  %e9 = tensor.empty() : tensor<1x2x6x6xf32>
  %masked10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %bias8 : tensor<1x2x6x6xf32>, tensor<6x6xf32>) outs(%e9 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.addf %a0, %a1 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst11 = arith.constant 0xFF800000 : f32
  %e12 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked10 : tensor<1x2x6x6xf32>) outs(%fill13 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e15 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked10, %max14 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e15 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e17 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub16 : tensor<1x2x6x6xf32>) outs(%e17 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp18 : tensor<1x2x6x6xf32>) outs(%fill21 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e23 = tensor.empty() : tensor<1x2x6x6xf32>
  %p24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp18, %sum22 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e23 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst25 = arith.constant 0.0 : f32
  %e26 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill27 = linalg.fill ins(%cst25 : f32) outs(%e26 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv28 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p24, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill27 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv28 : tensor<1x2x6x8xf32>
}

// -----

// Causal from constant aranges (torch.arange folded to constants) compared
// as j <= i + 4 = i + S - L: bottom_right.
// CHECK-LABEL: func @causal_from_aranges
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align bottom_right scale 2.500000e-01 :
func.func @causal_from_aranges(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x10x8xf32>, %v: tensor<1x2x10x8xf32>) -> tensor<1x2x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x10xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x10xf32>) -> tensor<1x2x6x10xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf32>, tensor<1x2x10x8xf32>) outs(%fill3 : tensor<1x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x10xf32>
  %e5 = tensor.empty() : tensor<1x2x6x10xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x6x10xf32>) outs(%e5 : tensor<1x2x6x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x10xf32>
  %cst7 = arith.constant dense<[0, 1, 2, 3, 4, 5]> : tensor<6xi64>
  %cst8 = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]> : tensor<10xi64>
  %e9 = tensor.empty() : tensor<1x2x6x10xf32>
  %masked10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %cst7, %cst8 : tensor<1x2x6x10xf32>, tensor<6xi64>, tensor<10xi64>) outs(%e9 : tensor<1x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: i64, %a2: i64, %acc: f32):
      %c4 = arith.constant 4 : i64
      %lim = arith.addi %a1, %c4 : i64
      %cond = arith.cmpi sle, %a2, %lim : i64
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x10xf32>
  %cst11 = arith.constant 0xFF800000 : f32
  %e12 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked10 : tensor<1x2x6x10xf32>) outs(%fill13 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e15 = tensor.empty() : tensor<1x2x6x10xf32>
  %sub16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked10, %max14 : tensor<1x2x6x10xf32>, tensor<1x2x6x1xf32>) outs(%e15 : tensor<1x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x10xf32>
  %e17 = tensor.empty() : tensor<1x2x6x10xf32>
  %exp18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub16 : tensor<1x2x6x10xf32>) outs(%e17 : tensor<1x2x6x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x10xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp18 : tensor<1x2x6x10xf32>) outs(%fill21 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e23 = tensor.empty() : tensor<1x2x6x10xf32>
  %p24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp18, %sum22 : tensor<1x2x6x10xf32>, tensor<1x2x6x1xf32>) outs(%e23 : tensor<1x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x10xf32>
  %cst25 = arith.constant 0.0 : f32
  %e26 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill27 = linalg.fill ins(%cst25 : f32) outs(%e26 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv28 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p24, %v : tensor<1x2x6x10xf32>, tensor<1x2x10x8xf32>) outs(%fill27 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv28 : tensor<1x2x6x8xf32>
}

// -----

// A keep-mask computed as padding[b, j] and (j <= i + 4): the padding
// tensor becomes the mask, the comparison becomes causal bottom_right.
// CHECK-LABEL: func @padding_and_causal
// CHECK-SAME: %[[PAD:[a-z0-9]+]]: tensor<2x10xi1>)
// CHECK: %[[M:.*]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2, 3]] output_shape [2, 1, 1, 10]
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]] : tensor<2x1x1x10xi1>) causal align bottom_right scale 2.500000e-01 :
func.func @padding_and_causal(%q: tensor<2x2x6x8xf32>, %k: tensor<2x2x10x8xf32>, %v: tensor<2x2x10x8xf32>, %pad: tensor<2x10xi1>) -> tensor<2x2x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2x6x10xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x2x6x10xf32>) -> tensor<2x2x6x10xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x6x8xf32>, tensor<2x2x10x8xf32>) outs(%fill3 : tensor<2x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x6x10xf32>
  %e5 = tensor.empty() : tensor<2x2x6x10xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x2x6x10xf32>) outs(%e5 : tensor<2x2x6x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x2x6x10xf32>
  %e7 = tensor.empty() : tensor<2x1x6x10xi1>
  %keep8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%pad : tensor<2x10xi1>) outs(%e7 : tensor<2x1x6x10xi1>) {
    ^bb0(%a0: i1, %acc: i1):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %c4 = arith.constant 4 : index
      %lim = arith.addi %i, %c4 : index
      %cz = arith.cmpi sle, %j, %lim : index
      %keep = arith.andi %a0, %cz : i1
      linalg.yield %keep : i1
    } -> tensor<2x1x6x10xi1>
  %e9 = tensor.empty() : tensor<2x2x6x10xf32>
  %masked10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %keep8 : tensor<2x2x6x10xf32>, tensor<2x1x6x10xi1>) outs(%e9 : tensor<2x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %a1, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<2x2x6x10xf32>
  %cst11 = arith.constant 0xFF800000 : f32
  %e12 = tensor.empty() : tensor<2x2x6x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<2x2x6x1xf32>) -> tensor<2x2x6x1xf32>
  %max14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked10 : tensor<2x2x6x10xf32>) outs(%fill13 : tensor<2x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x2x6x1xf32>
  %e15 = tensor.empty() : tensor<2x2x6x10xf32>
  %sub16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked10, %max14 : tensor<2x2x6x10xf32>, tensor<2x2x6x1xf32>) outs(%e15 : tensor<2x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x2x6x10xf32>
  %e17 = tensor.empty() : tensor<2x2x6x10xf32>
  %exp18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub16 : tensor<2x2x6x10xf32>) outs(%e17 : tensor<2x2x6x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x6x10xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<2x2x6x1xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<2x2x6x1xf32>) -> tensor<2x2x6x1xf32>
  %sum22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp18 : tensor<2x2x6x10xf32>) outs(%fill21 : tensor<2x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x2x6x1xf32>
  %e23 = tensor.empty() : tensor<2x2x6x10xf32>
  %p24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp18, %sum22 : tensor<2x2x6x10xf32>, tensor<2x2x6x1xf32>) outs(%e23 : tensor<2x2x6x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x2x6x10xf32>
  %cst25 = arith.constant 0.0 : f32
  %e26 = tensor.empty() : tensor<2x2x6x8xf32>
  %fill27 = linalg.fill ins(%cst25 : f32) outs(%e26 : tensor<2x2x6x8xf32>) -> tensor<2x2x6x8xf32>
  %pv28 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p24, %v : tensor<2x2x6x10xf32>, tensor<2x2x10x8xf32>) outs(%fill27 : tensor<2x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x6x8xf32>
  return %pv28 : tensor<2x2x6x8xf32>
}

// -----

// A decode step (L = 1) with the causal mask j <= i + S - 1 built from
// indices: the one query row is the last, bottom_right.
// CHECK-LABEL: func @decode_causal
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align bottom_right scale 2.500000e-01 : tensor<2x4x1x8xf32>, tensor<2x4x10x8xf32>
func.func @decode_causal(%q: tensor<2x4x1x8xf32>, %k: tensor<2x4x10x8xf32>, %v: tensor<2x4x10x8xf32>) -> tensor<2x4x1x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x4x1x10xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x4x1x10xf32>) -> tensor<2x4x1x10xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x4x1x8xf32>, tensor<2x4x10x8xf32>) outs(%fill3 : tensor<2x4x1x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x4x1x10xf32>
  %e5 = tensor.empty() : tensor<2x4x1x10xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x4x1x10xf32>) outs(%e5 : tensor<2x4x1x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x4x1x10xf32>
  %e7 = tensor.empty() : tensor<2x4x1x10xf32>
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<2x4x1x10xf32>) outs(%e7 : tensor<2x4x1x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %i = linalg.index 2 : index
      %j = linalg.index 3 : index
      %c9 = arith.constant 9 : index
      %lim = arith.addi %i, %c9 : index
      %cond = arith.cmpi sle, %j, %lim : index
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %cond, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<2x4x1x10xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<2x4x1x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<2x4x1x1xf32>) -> tensor<2x4x1x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked8 : tensor<2x4x1x10xf32>) outs(%fill11 : tensor<2x4x1x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x4x1x1xf32>
  %e13 = tensor.empty() : tensor<2x4x1x10xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked8, %max12 : tensor<2x4x1x10xf32>, tensor<2x4x1x1xf32>) outs(%e13 : tensor<2x4x1x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x4x1x10xf32>
  %e15 = tensor.empty() : tensor<2x4x1x10xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<2x4x1x10xf32>) outs(%e15 : tensor<2x4x1x10xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x4x1x10xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<2x4x1x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<2x4x1x1xf32>) -> tensor<2x4x1x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<2x4x1x10xf32>) outs(%fill19 : tensor<2x4x1x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x4x1x1xf32>
  %e21 = tensor.empty() : tensor<2x4x1x10xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<2x4x1x10xf32>, tensor<2x4x1x1xf32>) outs(%e21 : tensor<2x4x1x10xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x4x1x10xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x4x1x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x4x1x8xf32>) -> tensor<2x4x1x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x4x1x10xf32>, tensor<2x4x10x8xf32>) outs(%fill25 : tensor<2x4x1x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x4x1x8xf32>
  return %pv26 : tensor<2x4x1x8xf32>
}

// -----

// An integer attention_mask compared with 1: the comparison's i1 result is
// the mask (computed once, on the mask's shape).
// CHECK-LABEL: func @int_mask_compared
// CHECK: %[[KEEP:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<2x7xi64>)
// CHECK: %[[M:.*]] = tensor.expand_shape %[[KEEP]] {{\[}}[0], [1, 2, 3]] output_shape [2, 1, 1, 7]
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]] : tensor<2x1x1x7xi1>) scale 2.500000e-01 :
func.func @int_mask_compared(%q: tensor<2x3x5x8xf32>, %k: tensor<2x3x7x8xf32>, %v: tensor<2x3x7x8xf32>, %mask: tensor<2x7xi64>) -> tensor<2x3x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3x5x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>) outs(%fill3 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e5 = tensor.empty() : tensor<2x3x5x7xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x3x5x7xf32>) outs(%e5 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %e7 = tensor.empty() : tensor<2x7xi1>
  %keep8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%mask : tensor<2x7xi64>) outs(%e7 : tensor<2x7xi1>) {
    ^bb0(%a0: i64, %acc: i1):
      %one = arith.constant 1 : i64
      %c = arith.cmpi eq, %a0, %one : i64
      linalg.yield %c : i1
    } -> tensor<2x7xi1>
  %e9 = tensor.empty() : tensor<2x3x5x7xf32>
  %masked10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %keep8 : tensor<2x3x5x7xf32>, tensor<2x7xi1>) outs(%e9 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %a1, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x7xf32>
  %cst11 = arith.constant 0xFF800000 : f32
  %e12 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %max14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked10 : tensor<2x3x5x7xf32>) outs(%fill13 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x1xf32>
  %e15 = tensor.empty() : tensor<2x3x5x7xf32>
  %sub16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked10, %max14 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e15 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x7xf32>
  %e17 = tensor.empty() : tensor<2x3x5x7xf32>
  %exp18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub16 : tensor<2x3x5x7xf32>) outs(%e17 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x3x5x7xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %sum22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp18 : tensor<2x3x5x7xf32>) outs(%fill21 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x1xf32>
  %e23 = tensor.empty() : tensor<2x3x5x7xf32>
  %p24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp18, %sum22 : tensor<2x3x5x7xf32>, tensor<2x3x5x1xf32>) outs(%e23 : tensor<2x3x5x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x3x5x7xf32>
  %cst25 = arith.constant 0.0 : f32
  %e26 = tensor.empty() : tensor<2x3x5x8xf32>
  %fill27 = linalg.fill ins(%cst25 : f32) outs(%e26 : tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  %pv28 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p24, %v : tensor<2x3x5x7xf32>, tensor<2x3x7x8xf32>) outs(%fill27 : tensor<2x3x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x8xf32>
  return %pv28 : tensor<2x3x5x8xf32>
}
