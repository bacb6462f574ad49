// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s

// A scale known only at run time (a scalar argument or value, a 0-d or
// one-element tensor, tensor.extract of one) on the scores, Q or K: the
// raised graph multiplies (or divides) Q by it in a new elementwise op, and
// attn.sdpa's scale is the product of the constant factors.

// The scores multiplied by an f32 argument: Q is multiplied by it, and
// attn.sdpa's scale is 1.
// CHECK-LABEL: func @runtime_scale
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x6x8xf32>, %{{.*}}: tensor<1x2x6x8xf32>, %{{.*}}: tensor<1x2x6x8xf32>, %[[S:.*]]: f32)
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK-SAME: ins(%[[Q]] : tensor<1x2x6x8xf32>)
// CHECK: arith.mulf %{{.*}}, %[[S]] : f32
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 1.000000e+00 :
func.func @runtime_scale(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: f32) -> tensor<1x2x6x8xf32> {
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
      %m = arith.mulf %a0, %scale : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}

// -----

// The scale is a 0-d tensor argument read by the scaling op: the new op on Q
// reads it through a constant map.
// CHECK-LABEL: func @runtime_scale_tensor
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x6x8xf32>, %{{.*}}: tensor<1x2x6x8xf32>, %{{.*}}: tensor<1x2x6x8xf32>, %[[S:.*]]: tensor<f32>)
// CHECK: %[[QS:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}]
// CHECK-SAME: ins(%[[Q]], %[[S]] : tensor<1x2x6x8xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 1.000000e+00 :
func.func @runtime_scale_tensor(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: tensor<f32>) -> tensor<1x2x6x8xf32> {
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
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %scale : tensor<1x2x6x6xf32>, tensor<f32>) outs(%e5 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.mulf %a0, %a1 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}

// -----

// Scores divided by a scalar extracted from a 0-d tensor and multiplied by
// a constant: Q is divided by the scalar, the constant is the scale.
// CHECK-LABEL: func @runtime_divided_extracted
// CHECK: %[[S:.*]] = tensor.extract
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK: arith.divf %{{.*}}, %[[S]] : f32
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 5.000000e-01 :
func.func @runtime_divided_extracted(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %t: tensor<f32>) -> tensor<1x2x6x8xf32> {
  %scale = tensor.extract %t[] : tensor<f32>
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
      %d = arith.divf %a0, %scale : f32
      %c = arith.constant 0.5 : f32
      %m = arith.mulf %d, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}

// -----

// The scale extracted from a one-element tensor inside the scaling op's body.
// CHECK-LABEL: func @runtime_extract_in_body
// CHECK-SAME: %[[T:[a-z0-9]+]]: tensor<1xf32>)
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK-SAME: ins(%{{.*}}, %[[T]] : tensor<1x2x6x8xf32>, tensor<1xf32>)
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 1.000000e+00 :
func.func @runtime_extract_in_body(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %t: tensor<1xf32>) -> tensor<1x2x6x8xf32> {
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
      %c0 = arith.constant 0 : index
      %s = tensor.extract %t[%c0] : tensor<1xf32>
      %m = arith.mulf %s, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}

// -----

// Q multiplied by a run-time scalar before Q.K^T and the scores by a
// constant.
// CHECK-LABEL: func @query_runtime_prescaled
// CHECK-SAME: %[[S:[a-z0-9]+]]: f32)
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[S]] : f32
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 2.500000e-01 :
func.func @query_runtime_prescaled(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: f32) -> tensor<1x2x6x8xf32> {
  %eq = tensor.empty() : tensor<1x2x6x8xf32>
  %q2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<1x2x6x8xf32>) outs(%eq : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.mulf %scale, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x8xf32>
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q2, %k : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) outs(%fill3 : tensor<1x2x6x6xf32>) {
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
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}

// -----

// K divided by a run-time scalar: the raised graph divides Q by it instead.
// CHECK-LABEL: func @key_runtime_divided
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x6x8xf32>, %[[K:.*]]: tensor<1x2x6x8xf32>, %{{.*}}: tensor<1x2x6x8xf32>, %[[S:.*]]: f32)
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK-SAME: ins(%[[Q]] : tensor<1x2x6x8xf32>)
// CHECK: arith.divf %{{.*}}, %[[S]] : f32
// CHECK: attn.sdpa %[[QS]], %[[K]], %{{.*}} scale 2.500000e-01 :
func.func @key_runtime_divided(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: f32) -> tensor<1x2x6x8xf32> {
  %eq = tensor.empty() : tensor<1x2x6x8xf32>
  %k2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%k : tensor<1x2x6x8xf32>) outs(%eq : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.divf %a0, %scale : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x8xf32>
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k2 : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) outs(%fill3 : tensor<1x2x6x6xf32>) {
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
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}

// -----

// f16 attention with an f32 run-time scale on f32 scores: Q * s is computed
// in f32 and rounded to f16 once (within f16's tolerance).
// CHECK-LABEL: func @runtime_scale_f16
// CHECK-SAME: %[[S:[a-z0-9]+]]: f32)
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[Y:.*]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK: arith.truncf %[[Y]] : f32 to f16
// CHECK: -> tensor<1x2x6x8xf16>
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 1.000000e+00 : tensor<1x2x6x8xf16>
func.func @runtime_scale_f16(%q: tensor<1x2x6x8xf16>, %k: tensor<1x2x6x8xf16>, %v: tensor<1x2x6x8xf16>, %scale: f32) -> tensor<1x2x6x8xf16> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf16>, tensor<1x2x6x8xf16>) outs(%fill3 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f16, %a1: f16, %acc: f32):
      %a0x = arith.extf %a0 : f16 to f32
      %a1x = arith.extf %a1 : f16 to f32
      %p = arith.mulf %a0x, %a1x : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e5 = tensor.empty() : tensor<1x2x6x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<1x2x6x6xf32>) outs(%e5 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.mulf %a0, %scale : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf16>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf16>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f16):
      %d = arith.divf %a0, %a1 : f32
      %r = arith.truncf %d : f32 to f16
      linalg.yield %r : f16
    } -> tensor<1x2x6x6xf16>
  %cst21 = arith.constant 0.0 : f16
  %e22 = tensor.empty() : tensor<1x2x6x8xf16>
  %fill23 = linalg.fill ins(%cst21 : f16) outs(%e22 : tensor<1x2x6x8xf16>) -> tensor<1x2x6x8xf16>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf16>, tensor<1x2x6x8xf16>) outs(%fill23 : tensor<1x2x6x8xf16>) {
    ^bb0(%a0: f16, %a1: f16, %acc: f16):
      %p = arith.mulf %a0, %a1 : f16
      %s = arith.addf %acc, %p : f16
      linalg.yield %s : f16
    } -> tensor<1x2x6x8xf16>
  return %pv24 : tensor<1x2x6x8xf16>
}

// -----

// A run-time scale under the softcap's tanh scales the scores before the cap,
// as attn.sdpa's scale does.
// CHECK-LABEL: func @runtime_scale_softcap
// CHECK-SAME: %[[S:[a-z0-9]+]]: f32)
// CHECK: %[[QS:.*]] = linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[S]] : f32
// CHECK: attn.sdpa %[[QS]], %{{.*}}, %{{.*}} scale 1.250000e-01 softcap 3.000000e+01 :
func.func @runtime_scale_softcap(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: f32) -> tensor<1x2x6x8xf32> {
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
      %c8 = arith.constant 8.0 : f32
      %x = arith.mulf %a0, %scale : f32
      %y = arith.divf %x, %c8 : f32
      %c30 = arith.constant 30.0 : f32
      %d = arith.divf %y, %c30 : f32
      %t = math.tanh %d : f32
      %m = arith.mulf %c30, %t : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32

      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill23 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv24 : tensor<1x2x6x8xf32>
}
