// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s --implicit-check-not=attn.sdpa
// RUN: sdpa-opt %s -split-input-file > %t.before
// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa > %t.after
// RUN: diff %t.before %t.after

// Graphs that look like attention but are not exactly it, or that the op
// cannot express: the pass must leave each of them exactly as it was (the
// diff proves nothing at all changed, not even constants or dead code).

// Softmax over the query rows (dim 2), not the key columns; L == S so the
// shapes alone would allow it.
// CHECK-LABEL: func @softmax_over_rows
// CHECK: math.exp
func.func @softmax_over_rows(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x1x6xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x1x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x1x6xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x1x6xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.subf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x1x6xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x1x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %a = arith.addf %a0, %acc : f32
      linalg.yield %a : f32
    } -> tensor<1x2x1x6xf32>
  %e19 = tensor.empty() : tensor<1x2x6x6xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<1x2x6x6xf32>, tensor<1x2x1x6xf32>) outs(%e19 : tensor<1x2x6x6xf32>) {
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

// The scaled scores are also a result: raising would compute them twice.
// CHECK-LABEL: func @scores_used_twice
// CHECK: math.exp
func.func @scores_used_twice(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> (tensor<1x2x6x8xf32>, tensor<1x2x6x6xf32>) {
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
  return %pv24, %scaled6 : tensor<1x2x6x8xf32>, tensor<1x2x6x6xf32>
}

// -----

// The attention weights are returned too (output_attentions=True).
// CHECK-LABEL: func @probabilities_returned
// CHECK: math.exp
func.func @probabilities_returned(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> (tensor<1x2x6x8xf32>, tensor<1x2x6x6xf32>) {
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
  return %pv24, %p20 : tensor<1x2x6x8xf32>, tensor<1x2x6x6xf32>
}

// -----

// A run-time factor outside the softcap's tanh multiplies the capped scores:
// it is not a scale of attn.sdpa.
// CHECK-LABEL: func @runtime_scale_outside_softcap
// CHECK: math.tanh
func.func @runtime_scale_outside_softcap(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: f32) -> tensor<1x2x6x8xf32> {
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
      %c30 = arith.constant 30.0 : f32
      %d = arith.divf %a0, %c30 : f32
      %t = math.tanh %d : f32
      %c = arith.mulf %c30, %t : f32
      %m = arith.mulf %c, %scale : f32
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

// The scale is a tensor read per query row: it varies, so it is no scale.
// CHECK-LABEL: func @runtime_scale_per_row
// CHECK: math.exp
func.func @runtime_scale_per_row(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %scale: tensor<6xf32>) -> tensor<1x2x6x8xf32> {
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
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %scale : tensor<1x2x6x6xf32>, tensor<6xf32>) outs(%e5 : tensor<1x2x6x6xf32>) {
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

// The scale extracted at the query row from a tensor: it varies per row.
// CHECK-LABEL: func @runtime_scale_extract_per_row
// CHECK: math.exp
func.func @runtime_scale_extract_per_row(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %t: tensor<6xf32>) -> tensor<1x2x6x8xf32> {
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
      %i = linalg.index 2 : index
      %s = tensor.extract %t[%i] : tensor<6xf32>
      %m = arith.mulf %a0, %s : f32
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

// A boolean mask filled with torch.finfo(float32).min instead of -inf: a row
// that the mask empties then averages V in the graph but is 0 in attn.sdpa,
// so this is not raised.
// CHECK-LABEL: func @finfo_min_fill
// CHECK: math.exp
func.func @finfo_min_fill(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %mask: tensor<1x1x6x6xi1>) -> tensor<1x2x6x8xf32> {
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
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %mask : tensor<1x2x6x6xf32>, tensor<1x1x6x6xi1>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant -3.40282347E+38 : f32
      %m = arith.select %a1, %a0, %n : f32
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

// A select that fills with 0 is not a mask.
// CHECK-LABEL: func @zero_fill
// CHECK: math.exp
func.func @zero_fill(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %mask: tensor<1x1x6x6xi1>) -> tensor<1x2x6x8xf32> {
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
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %mask : tensor<1x2x6x6xf32>, tensor<1x1x6x6xi1>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0.0 : f32
      %m = arith.select %a1, %a0, %n : f32
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

// A bias read at j - i + 5 (relative positions) is not a broadcast of an
// [N..., H, L, S] mask.
// CHECK-LABEL: func @skewed_bias
// CHECK: math.exp
func.func @skewed_bias(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %bias: tensor<11xf32>) -> tensor<1x2x6x8xf32> {
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
  %masked8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3 - d2 + 5)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %bias : tensor<1x2x6x6xf32>, tensor<11xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.addf %a0, %a1 : f32
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

// The probabilities are multiplied by another tensor (dropout) before P.V.
// CHECK-LABEL: func @extra_op_on_probabilities
// CHECK: math.exp
func.func @extra_op_on_probabilities(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %keep: tensor<1x2x6x6xf32>) -> tensor<1x2x6x8xf32> {
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
  %e21 = tensor.empty() : tensor<1x2x6x6xf32>
  %dropped22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p20, %keep : tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) outs(%e21 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.mulf %a0, %a1 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dropped22, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill25 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv26 : tensor<1x2x6x8xf32>
}

// -----

// An op that is not part of the formula (absf) on the scores.
// CHECK-LABEL: func @extra_op_on_scores
// CHECK: math.exp
func.func @extra_op_on_scores(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %abs8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = math.absf %a0 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%abs8 : tensor<1x2x6x6xf32>) outs(%fill11 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%abs8, %max12 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
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

// exp(s) / sum(exp(s)) without subtracting the max overflows where the
// raised op would not: not the same semantics, not raised.
// CHECK-LABEL: func @softmax_without_max
// CHECK: math.exp
func.func @softmax_without_max(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %exp8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst9 = arith.constant 0.0 : f32
  %e10 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp8 : tensor<1x2x6x6xf32>) outs(%fill11 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %a = arith.addf %a0, %acc : f32
      linalg.yield %a : f32
    } -> tensor<1x2x6x1xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %p14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp8, %sum12 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv18 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p14, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill17 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv18 : tensor<1x2x6x8xf32>
}

// -----

// The max reduction starts at 0 rather than -inf.
// CHECK-LABEL: func @max_starts_at_zero
// CHECK: math.exp
func.func @max_starts_at_zero(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %cst7 = arith.constant 0.0 : f32
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

// The sum starts at 1 (a softmax with an extra zero logit).
// CHECK-LABEL: func @sum_starts_at_one
// CHECK: math.exp
func.func @sum_starts_at_one(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
      %d = arith.subf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<1x2x6x6xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst15 = arith.constant 1.0 : f32
  %e16 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %a = arith.addf %a0, %acc : f32
      linalg.yield %a : f32
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

// The max subtracted is that of the unscaled scores (still a valid shift
// mathematically, but not the pattern, and its uses escape the chain).
// CHECK-LABEL: func @max_of_other_tensor
// CHECK: math.exp
func.func @max_of_other_tensor(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<1x2x6x6xf32>) outs(%fill9 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.subf %a0, %a1 : f32
      linalg.yield %d : f32
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
      %a = arith.addf %a0, %acc : f32
      linalg.yield %a : f32
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

// The denominator sums the scores, not their exponentials.
// CHECK-LABEL: func @sum_of_other_tensor
// CHECK: math.exp
func.func @sum_of_other_tensor(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
      %d = arith.subf %a0, %a1 : f32
      linalg.yield %d : f32
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
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%fill17 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %a = arith.addf %a0, %acc : f32
      linalg.yield %a : f32
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

// An f32 graph that rounds the scores to f16 on the way: attn.sdpa would
// not round, so the results would differ.
// CHECK-LABEL: func @truncated_to_f16
// CHECK: math.exp
func.func @truncated_to_f16(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %e7 = tensor.empty() : tensor<1x2x6x6xf16>
  %narrow8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf16>) {
    ^bb0(%a0: f32, %acc: f16):
      %x = arith.truncf %a0 : f32 to f16
      linalg.yield %x : f16
    } -> tensor<1x2x6x6xf16>
  %e9 = tensor.empty() : tensor<1x2x6x6xf32>
  %wide10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%narrow8 : tensor<1x2x6x6xf16>) outs(%e9 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f16, %acc: f32):
      %x = arith.extf %a0 : f16 to f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst11 = arith.constant 0xFF800000 : f32
  %e12 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%wide10 : tensor<1x2x6x6xf32>) outs(%fill13 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e15 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%wide10, %max14 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e15 : tensor<1x2x6x6xf32>) {
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

// The same rounding to f16 fused into the scale's body (truncf then extf):
// still a rounding attn.sdpa would not do.
// CHECK-LABEL: func @fused_round_trip_f16
// CHECK: math.exp
func.func @fused_round_trip_f16(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
      %h = arith.truncf %m : f32 to f16
      %w = arith.extf %h : f16 to f32
      linalg.yield %w : f32
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

// P.P: the "values" are the probabilities themselves, computed by the
// chain that would be replaced.
// CHECK-LABEL: func @probabilities_as_values
// CHECK: math.exp
func.func @probabilities_as_values(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>) -> tensor<1x2x6x6xf32> {
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
  %e22 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %pp24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %p20 : tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) outs(%fill23 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  return %pp24 : tensor<1x2x6x6xf32>
}

// -----

// Q and K are f16 but V (and the result) f32: attn.sdpa needs one type.
// CHECK-LABEL: func @value_type_differs
// CHECK: math.exp
func.func @value_type_differs(%q: tensor<1x2x6x8xf16>, %k: tensor<1x2x6x8xf16>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf16>, tensor<1x2x6x8xf16>) outs(%fill3 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f16, %a1: f16, %acc: f32):
      %x = arith.extf %a0 : f16 to f32
      %y = arith.extf %a1 : f16 to f32
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<1x2x6x6xf32>) outs(%fill7 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e9 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e9 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e11 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub10 : tensor<1x2x6x6xf32>) outs(%e11 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp12 : tensor<1x2x6x6xf32>) outs(%fill15 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e17 = tensor.empty() : tensor<1x2x6x6xf32>
  %p18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp12, %sum16 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e17 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv22 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p18, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill21 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv22 : tensor<1x2x6x8xf32>
}

// -----

// P.V accumulates into an argument instead of zeros.
// CHECK-LABEL: func @accumulates_into_argument
// CHECK: math.exp
func.func @accumulates_into_argument(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %out: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %pv21 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%out : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv21 : tensor<1x2x6x8xf32>
}

// -----

// Q.K^T accumulates into a bias (so the bias is added before the scale that
// follows would apply): not the formula.
// CHECK-LABEL: func @scores_accumulate_into_bias
// CHECK: math.exp
func.func @scores_accumulate_into_bias(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %bias: tensor<1x2x6x6xf32>) -> tensor<1x2x6x8xf32> {
  %qk1 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) outs(%bias : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %cst2 = arith.constant 0xFF800000 : f32
  %e3 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill4 = linalg.fill ins(%cst2 : f32) outs(%e3 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk1 : tensor<1x2x6x6xf32>) outs(%fill4 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e6 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk1, %max5 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e6 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x6xf32>
  %e8 = tensor.empty() : tensor<1x2x6x6xf32>
  %exp9 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub7 : tensor<1x2x6x6xf32>) outs(%e8 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %cst10 = arith.constant 0.0 : f32
  %e11 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill12 = linalg.fill ins(%cst10 : f32) outs(%e11 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp9 : tensor<1x2x6x6xf32>) outs(%fill12 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x1xf32>
  %e14 = tensor.empty() : tensor<1x2x6x6xf32>
  %p15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp9, %sum13 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e14 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<1x2x6x6xf32>
  %cst16 = arith.constant 0.0 : f32
  %e17 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill18 = linalg.fill ins(%cst16 : f32) outs(%e17 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv19 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p15, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill18 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv19 : tensor<1x2x6x8xf32>
}

// -----

// The scale multiplies the masked scores. It would be the same for a -inf
// select and a positive scale, but the pass only takes the scale under the
// masks.
// CHECK-LABEL: func @scale_after_mask
// CHECK: math.exp
func.func @scale_after_mask(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %mask: tensor<1x1x6x6xi1>) -> tensor<1x2x6x8xf32> {
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
  %masked6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %mask : tensor<1x2x6x6xf32>, tensor<1x1x6x6xi1>) outs(%e5 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %a1, %a0, %n : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %e7 = tensor.empty() : tensor<1x2x6x6xf32>
  %scaled8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<1x2x6x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled8 : tensor<1x2x6x6xf32>) outs(%fill11 : tensor<1x2x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x1xf32>
  %e13 = tensor.empty() : tensor<1x2x6x6xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled8, %max12 : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%e13 : tensor<1x2x6x6xf32>) {
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

// A float bias and a boolean mask: attn.sdpa takes one mask tensor.
// CHECK-LABEL: func @two_masks
// CHECK: math.exp
func.func @two_masks(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %bias: tensor<6x6xf32>, %mask: tensor<1x1x1x6xi1>) -> tensor<1x2x6x8xf32> {
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
  %biased8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %bias : tensor<1x2x6x6xf32>, tensor<6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %m = arith.addf %a0, %a1 : f32
      linalg.yield %m : f32
    } -> tensor<1x2x6x6xf32>
  %e9 = tensor.empty() : tensor<1x2x6x6xf32>
  %masked10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%biased8, %mask : tensor<1x2x6x6xf32>, tensor<1x1x1x6xi1>) outs(%e9 : tensor<1x2x6x6xf32>) {
    ^bb0(%a0: f32, %a1: i1, %acc: f32):
      %n = arith.constant 0xFF800000 : f32
      %m = arith.select %a1, %a0, %n : f32
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

// Keep j <= i - 2: neither causal alignment (offset 0 or S - L = 0) nor a
// window of non-negative size describes it.
// CHECK-LABEL: func @shifted_diagonal
// CHECK: math.exp
func.func @shifted_diagonal(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
      %h = linalg.index 1 : index
      %c2 = arith.constant 2 : index
      %lim = arith.subi %i, %c2 : index
      %cond = arith.cmpi sle, %j, %lim : index
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

// A condition on the head index is not a mask over (i, j).
// CHECK-LABEL: func @head_dependent_mask
// CHECK: math.exp
func.func @head_dependent_mask(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
      %h = linalg.index 1 : index
      %cond = arith.cmpi sle, %j, %h : index
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

// A condition on j alone (j < 4) is not causal or a window.
// CHECK-LABEL: func @column_limit
// CHECK: math.exp
func.func @column_limit(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
      %h = linalg.index 1 : index
      %c4 = arith.constant 4 : index
      %cond = arith.cmpi slt, %j, %c4 : index
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

// linalg.softmax over the query rows.
// CHECK-LABEL: func @linalg_softmax_wrong_dim
// CHECK: linalg.softmax
func.func @linalg_softmax_wrong_dim(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
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
  %sm = linalg.softmax dimension(2) ins(%scaled6 : tensor<1x2x6x6xf32>) outs(%e7 : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %cst8 = arith.constant 0.0 : f32
  %e9 = tensor.empty() : tensor<1x2x6x8xf32>
  %fill10 = linalg.fill ins(%cst8 : f32) outs(%e9 : tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32>
  %pv11 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%sm, %v : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>) outs(%fill10 : tensor<1x2x6x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1x2x6x8xf32>
  return %pv11 : tensor<1x2x6x8xf32>
}

// -----

// aten.max.dim's index is returned too: the two-output max cannot be
// dropped, and attn.sdpa does not give the index.
// CHECK-LABEL: func @max_dim_index_returned
// CHECK: math.exp
func.func @max_dim_index_returned(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> (tensor<2x2x5x8xf32>, tensor<2x2x5xi64>) {
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
  return %pv, %max#1 : tensor<2x2x5x8xf32>, tensor<2x2x5xi64>
}

// -----

// The two-output max is over the query rows (dim 2), not the key columns,
// and subtracted per column; L == S so the shapes alone would allow it.
// CHECK-LABEL: func @max_dim_over_rows
// CHECK: math.exp
func.func @max_dim_over_rows(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x6x8xf32> {
  %kt_init = tensor.empty() : tensor<1x2x8x6xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x6x8xf32>) outs(%kt_init : tensor<1x2x8x6xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x6x8xf32> into tensor<2x6x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x6xf32> into tensor<2x8x6xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %qk_init = tensor.empty() : tensor<2x6x6xf32>
  %qk_fill = linalg.fill ins(%zero : f32) outs(%qk_init : tensor<2x6x6xf32>) -> tensor<2x6x6xf32>
  %qk3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x6x8xf32>, tensor<2x8x6xf32>) outs(%qk_fill : tensor<2x6x6xf32>) -> tensor<2x6x6xf32>
  %qk = tensor.expand_shape %qk3 [[0, 1], [2], [3]] output_shape [1, 2, 6, 6] : tensor<2x6x6xf32> into tensor<1x2x6x6xf32>
  %scale = arith.constant 1.250000e-01 : f32
  %scaled_init = tensor.empty() : tensor<1x2x6x6xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<1x2x6x6xf32>) outs(%scaled_init : tensor<1x2x6x6xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.mulf %in, %scale : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %lowest = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %max_init = tensor.empty() : tensor<1x2x6xf32>
  %max_fill = linalg.fill ins(%lowest : f32) outs(%max_init : tensor<1x2x6xf32>) -> tensor<1x2x6xf32>
  %idx_init = tensor.empty() : tensor<1x2x6xi64>
  %idx_fill = linalg.fill ins(%c0_i64 : i64) outs(%idx_init : tensor<1x2x6xi64>) -> tensor<1x2x6xi64>
  %max:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%scaled : tensor<1x2x6x6xf32>) outs(%max_fill, %idx_fill : tensor<1x2x6xf32>, tensor<1x2x6xi64>) {
    ^bb0(%in: f32, %m: f32, %idx: i64):
      %j = linalg.index 2 : index
      %j64 = arith.index_cast %j : index to i64
      %gt = arith.cmpf ogt, %in, %m : f32
      %nan = arith.cmpf uno, %in, %in : f32
      %pick = arith.ori %gt, %nan : i1
      %newmax = arith.select %pick, %in, %m : f32
      %newidx = arith.select %pick, %j64, %idx : i64
      linalg.yield %newmax, %newidx : f32, i64
    } -> (tensor<1x2x6xf32>, tensor<1x2x6xi64>)
  %max_kept = tensor.expand_shape %max#0 [[0], [1], [2, 3]] output_shape [1, 2, 1, 6] : tensor<1x2x6xf32> into tensor<1x2x1x6xf32>
  %sub_init = tensor.empty() : tensor<1x2x6x6xf32>
  %sub = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %max_kept : tensor<1x2x6x6xf32>, tensor<1x2x1x6xf32>) outs(%sub_init : tensor<1x2x6x6xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.subf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %exp_init = tensor.empty() : tensor<1x2x6x6xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sub : tensor<1x2x6x6xf32>) outs(%exp_init : tensor<1x2x6x6xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = math.exp %in : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %sum_init = tensor.empty() : tensor<1x2x6x1xf32>
  %sum_fill = linalg.fill ins(%zero : f32) outs(%sum_init : tensor<1x2x6x1xf32>) -> tensor<1x2x6x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x6x6xf32>) outs(%sum_fill : tensor<1x2x6x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %x = arith.addf %in, %out : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x1xf32>
  %p_init = tensor.empty() : tensor<1x2x6x6xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x6x6xf32>, tensor<1x2x6x1xf32>) outs(%p_init : tensor<1x2x6x6xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %x = arith.divf %in, %in_0 : f32
      linalg.yield %x : f32
    } -> tensor<1x2x6x6xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x6x6xf32> into tensor<2x6x6xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x6x8xf32> into tensor<2x6x8xf32>
  %pv_init = tensor.empty() : tensor<2x6x8xf32>
  %pv_fill = linalg.fill ins(%zero : f32) outs(%pv_init : tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
  %pv3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x6x6xf32>, tensor<2x6x8xf32>) outs(%pv_fill : tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
  %pv = tensor.expand_shape %pv3 [[0, 1], [2], [3]] output_shape [1, 2, 6, 8] : tensor<2x6x8xf32> into tensor<1x2x6x8xf32>
  return %pv : tensor<1x2x6x8xf32>
}

// -----

// select(x < m, x, m) is a min, not a max (from -inf it stays -inf, and the
// graph computes NaN).
// CHECK-LABEL: func @max_dim_olt_is_min
// CHECK: math.exp
func.func @max_dim_olt_is_min(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
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
      %pick = arith.cmpf olt, %in, %m : f32
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

// The two-output max starts at 0 rather than -inf or the lowest finite
// value.
// CHECK-LABEL: func @max_dim_starts_at_zero
// CHECK: math.exp
func.func @max_dim_starts_at_zero(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
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
  %lowest = arith.constant 0.000000e+00 : f32
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
