// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s

// The scale in every place exporters put it (the raised scale is the
// product of all of them) and soft-capping.

// The scale as a splat tensor constant broadcast by a constant map.
// CHECK-LABEL: func @splat_tensor_scale
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.250000e-01 :
func.func @splat_tensor_scale(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x4x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%fill3 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %cst5 = arith.constant dense<0.125> : tensor<1x1x1x1xf32>
  %e6 = tensor.empty() : tensor<1x2x4x6xf32>
  %scaled7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, 0, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %cst5 : tensor<1x2x4x6xf32>, tensor<1x1x1x1xf32>) outs(%e6 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.mulf %a0, %a1 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x6xf32>
  %cst8 = arith.constant 0xFF800000 : f32
  %e9 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill10 = linalg.fill ins(%cst8 : f32) outs(%e9 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled7 : tensor<1x2x4x6xf32>) outs(%fill10 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x1xf32>
  %e12 = tensor.empty() : tensor<1x2x4x6xf32>
  %sub13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled7, %max11 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e12 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e14 = tensor.empty() : tensor<1x2x4x6xf32>
  %exp15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub13 : tensor<1x2x4x6xf32>) outs(%e14 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x6xf32>
  %cst16 = arith.constant 0.0 : f32
  %e17 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill18 = linalg.fill ins(%cst16 : f32) outs(%e17 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp15 : tensor<1x2x4x6xf32>) outs(%fill18 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x1xf32>
  %e20 = tensor.empty() : tensor<1x2x4x6xf32>
  %p21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp15, %sum19 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e20 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x6xf32>
  %cst22 = arith.constant 0.0 : f32
  %e23 = tensor.empty() : tensor<1x2x4x16xf32>
  %fill24 = linalg.fill ins(%cst22 : f32) outs(%e23 : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %pv25 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p21, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%fill24 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x16xf32>
  return %pv25 : tensor<1x2x4x16xf32>
}

// -----

// Scores multiplied by 2 and then divided by sqrt(E) = 4: scale 0.5.
// CHECK-LABEL: func @divided_and_multiplied
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 5.000000e-01 :
func.func @divided_and_multiplied(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x4x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%fill3 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e5 = tensor.empty() : tensor<1x2x4x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x4x6xf32>) outs(%e5 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 2.0 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x6xf32>
  %e7 = tensor.empty() : tensor<1x2x4x6xf32>
  %div8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x4x6xf32>) outs(%e7 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 4.0 : f32
      %m = arith.divf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%div8 : tensor<1x2x4x6xf32>) outs(%fill11 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x1xf32>
  %e13 = tensor.empty() : tensor<1x2x4x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%div8, %max12 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e13 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e15 = tensor.empty() : tensor<1x2x4x6xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x4x6xf32>) outs(%e15 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x6xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x4x6xf32>) outs(%fill19 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x1xf32>
  %e21 = tensor.empty() : tensor<1x2x4x6xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e21 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x4x16xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%fill25 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x16xf32>
  return %pv26 : tensor<1x2x4x16xf32>
}

// -----

// The scale multiplied into Q before Q.K^T: attn.sdpa reads Q itself.
// CHECK-LABEL: func @query_prescaled
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x16xf32>, %[[K:.*]]: tensor<1x2x6x16xf32>, %[[V:.*]]: tensor<1x2x6x16xf32>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] scale 5.000000e-01 :
// CHECK-NOT: linalg.generic
func.func @query_prescaled(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %e1 = tensor.empty() : tensor<1x2x4x16xf32>
  %qs2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<1x2x4x16xf32>) outs(%e1 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.5 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x16xf32>
  %cst3 = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<1x2x4x6xf32>
  %fill5 = linalg.fill ins(%cst3 : f32) outs(%e4 : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk6 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qs2, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%fill5 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk6 : tensor<1x2x4x6xf32>) outs(%fill9 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x1xf32>
  %e11 = tensor.empty() : tensor<1x2x4x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk6, %max10 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e11 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e13 = tensor.empty() : tensor<1x2x4x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x4x6xf32>) outs(%e13 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x4x6xf32>) outs(%fill17 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x1xf32>
  %e19 = tensor.empty() : tensor<1x2x4x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e19 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x4x16xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%fill23 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x16xf32>
  return %pv24 : tensor<1x2x4x16xf32>
}

// -----

// sqrt(scale) multiplied into both Q and K (PyTorch's memory-efficient
// reference does this): the raised scale is the product.
// CHECK-LABEL: func @query_and_key_prescaled
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x16xf32>, %[[K:.*]]: tensor<1x2x6x16xf32>, %[[V:.*]]: tensor<1x2x6x16xf32>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 :
func.func @query_and_key_prescaled(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %e1 = tensor.empty() : tensor<1x2x4x16xf32>
  %qs2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<1x2x4x16xf32>) outs(%e1 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.5 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x16xf32>
  %e3 = tensor.empty() : tensor<1x2x6x16xf32>
  %ks4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<1x2x6x16xf32>) outs(%e3 : tensor<1x2x6x16xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.5 : f32
      %m = arith.mulf %c, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x16xf32>
  %cst5 = arith.constant 0.0 : f32
  %e6 = tensor.empty() : tensor<1x2x4x6xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk8 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qs2, %ks4 : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%fill7 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk8 : tensor<1x2x4x6xf32>) outs(%fill11 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x1xf32>
  %e13 = tensor.empty() : tensor<1x2x4x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk8, %max12 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e13 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e15 = tensor.empty() : tensor<1x2x4x6xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x4x6xf32>) outs(%e15 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x6xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x4x6xf32>) outs(%fill19 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x1xf32>
  %e21 = tensor.empty() : tensor<1x2x4x6xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e21 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x4x16xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%fill25 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x16xf32>
  return %pv26 : tensor<1x2x4x16xf32>
}

// -----

// Gemma-style soft-capping, 30 * tanh(s / 30), after the scale.
// CHECK-LABEL: func @softcap
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 2.500000e-01 softcap 3.000000e+01 :
func.func @softcap(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x4x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%fill3 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e5 = tensor.empty() : tensor<1x2x4x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x4x6xf32>) outs(%e5 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x6xf32>
  %e7 = tensor.empty() : tensor<1x2x4x6xf32>
  %capped8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x4x6xf32>) outs(%e7 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 30.0 : f32
      %d = arith.divf %a0, %c : f32
      %t = math.tanh %d : f32
      %m = arith.mulf %t, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%capped8 : tensor<1x2x4x6xf32>) outs(%fill11 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x4x1xf32>
  %e13 = tensor.empty() : tensor<1x2x4x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%capped8, %max12 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e13 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x6xf32>
  %e15 = tensor.empty() : tensor<1x2x4x6xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<1x2x4x6xf32>) outs(%e15 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x4x6xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<1x2x4x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<1x2x4x6xf32>) outs(%fill19 : tensor<1x2x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x1xf32>
  %e21 = tensor.empty() : tensor<1x2x4x6xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%e21 : tensor<1x2x4x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x4x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x4x16xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%fill25 : tensor<1x2x4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x4x16xf32>
  return %pv26 : tensor<1x2x4x16xf32>
}
