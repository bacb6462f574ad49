// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s

// Softmax spellings and element types.

// linalg.softmax over the key dim.
// CHECK-LABEL: func @linalg_softmax
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 :
// CHECK-NOT: linalg.softmax
func.func @linalg_softmax(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2x5x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x2x5x9xf32>) -> tensor<2x2x5x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>) outs(%fill3 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %e5 = tensor.empty() : tensor<2x2x5x9xf32>
  %p6 = linalg.softmax dimension(3) ins(%qk4 : tensor<2x2x5x9xf32>) outs(%e5 : tensor<2x2x5x9xf32>) -> tensor<2x2x5x9xf32>
  %cst7 = arith.constant 0.0 : f32
  %e8 = tensor.empty() : tensor<2x2x5x8xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
  %pv10 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p6, %v : tensor<2x2x5x9xf32>, tensor<2x2x9x8xf32>) outs(%fill9 : tensor<2x2x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x8xf32>
  return %pv10 : tensor<2x2x5x8xf32>
}

// -----

// exp(log_softmax(s)) with log_softmax as torch-mlir decomposes it:
// (s - max) - log(sum(exp(s - max))).
// CHECK-LABEL: func @exp_log_softmax
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 :
// CHECK-NOT: math.log
func.func @exp_log_softmax(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2x5x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x2x5x9xf32>) -> tensor<2x2x5x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>) outs(%fill3 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<2x2x5x9xf32>) outs(%fill7 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x2x5x1xf32>
  %e9 = tensor.empty() : tensor<2x2x5x9xf32>
  %shifted10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e9 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %e11 = tensor.empty() : tensor<2x2x5x9xf32>
  %exp12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%shifted10 : tensor<2x2x5x9xf32>) outs(%e11 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp12 : tensor<2x2x5x9xf32>) outs(%fill15 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x1xf32>
  %e17 = tensor.empty() : tensor<2x2x5x1xf32>
  %log18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum16 : tensor<2x2x5x1xf32>) outs(%e17 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %l = math.log %a0 : f32
      linalg.yield %l : f32
    } -> tensor<2x2x5x1xf32>
  %e19 = tensor.empty() : tensor<2x2x5x9xf32>
  %logp20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%shifted10, %log18 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e19 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %e21 = tensor.empty() : tensor<2x2x5x9xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logp20 : tensor<2x2x5x9xf32>) outs(%e21 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x2x5x8xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x2x5x9xf32>, tensor<2x2x9x8xf32>) outs(%fill25 : tensor<2x2x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x8xf32>
  return %pv26 : tensor<2x2x5x8xf32>
}

// -----

// exp(s - lse) with lse = max + log(sum(exp(s - max))) (a fused export).
// CHECK-LABEL: func @exp_minus_logsumexp
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 :
// CHECK-NOT: math.log
func.func @exp_minus_logsumexp(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2x5x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x2x5x9xf32>) -> tensor<2x2x5x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>) outs(%fill3 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<2x2x5x9xf32>) outs(%fill7 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x2x5x1xf32>
  %e9 = tensor.empty() : tensor<2x2x5x9xf32>
  %exp10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e9 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.subf %a0, %a1 : f32
      %x = math.exp %d : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst11 = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp10 : tensor<2x2x5x9xf32>) outs(%fill13 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x1xf32>
  %e15 = tensor.empty() : tensor<2x2x5x1xf32>
  %lse16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%max8, %sum14 : tensor<2x2x5x1xf32>, tensor<2x2x5x1xf32>) outs(%e15 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %l = math.log %a1 : f32
      %t = arith.addf %a0, %l : f32
      linalg.yield %t : f32
    } -> tensor<2x2x5x1xf32>
  %e17 = tensor.empty() : tensor<2x2x5x9xf32>
  %p18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %lse16 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e17 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.subf %a0, %a1 : f32
      %x = math.exp %d : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<2x2x5x8xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
  %pv22 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p18, %v : tensor<2x2x5x9xf32>, tensor<2x2x9x8xf32>) outs(%fill21 : tensor<2x2x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x8xf32>
  return %pv22 : tensor<2x2x5x8xf32>
}

// -----

// f16 attention with the softmax computed in f32, as
// softmax(s, dtype=torch.float32).to(torch.float16) exports it.
// CHECK-LABEL: func @f16_softmax_in_f32
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 : tensor<2x2x5x8xf16>, tensor<2x2x9x8xf16>, tensor<2x2x9x8xf16> -> tensor<2x2x5x8xf16>
func.func @f16_softmax_in_f32(%q: tensor<2x2x5x8xf16>, %k: tensor<2x2x9x8xf16>, %v: tensor<2x2x9x8xf16>) -> tensor<2x2x5x8xf16> {
  %cst1 = arith.constant 0.0 : f16
  %e2 = tensor.empty() : tensor<2x2x5x9xf16>
  %fill3 = linalg.fill ins(%cst1 : f16) outs(%e2 : tensor<2x2x5x9xf16>) -> tensor<2x2x5x9xf16>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x5x8xf16>, tensor<2x2x9x8xf16>) outs(%fill3 : tensor<2x2x5x9xf16>) {
    ^bb0(%a0: f16, %a1: f16, %acc: f16):
      %p = arith.mulf %a0, %a1 : f16
      %s = arith.addf %acc, %p : f16
      linalg.yield %s : f16
    } -> tensor<2x2x5x9xf16>
  %e5 = tensor.empty() : tensor<2x2x5x9xf32>
  %up6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x2x5x9xf16>) outs(%e5 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f16, %acc: f32):
      %x = arith.extf %a0 : f16 to f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%up6 : tensor<2x2x5x9xf32>) outs(%fill9 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x2x5x1xf32>
  %e11 = tensor.empty() : tensor<2x2x5x9xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%up6, %max10 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e11 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %e13 = tensor.empty() : tensor<2x2x5x9xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<2x2x5x9xf32>) outs(%e13 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<2x2x5x9xf32>) outs(%fill17 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x1xf32>
  %e19 = tensor.empty() : tensor<2x2x5x9xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e19 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x2x5x9xf32>
  %e21 = tensor.empty() : tensor<2x2x5x9xf16>
  %down22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p20 : tensor<2x2x5x9xf32>) outs(%e21 : tensor<2x2x5x9xf16>) {
    ^bb0(%a0: f32, %acc: f16):
      %x = arith.truncf %a0 : f32 to f16
      linalg.yield %x : f16
    } -> tensor<2x2x5x9xf16>
  %cst23 = arith.constant 0.0 : f16
  %e24 = tensor.empty() : tensor<2x2x5x8xf16>
  %fill25 = linalg.fill ins(%cst23 : f16) outs(%e24 : tensor<2x2x5x8xf16>) -> tensor<2x2x5x8xf16>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%down22, %v : tensor<2x2x5x9xf16>, tensor<2x2x9x8xf16>) outs(%fill25 : tensor<2x2x5x8xf16>) {
    ^bb0(%a0: f16, %a1: f16, %acc: f16):
      %p = arith.mulf %a0, %a1 : f16
      %s = arith.addf %acc, %p : f16
      linalg.yield %s : f16
    } -> tensor<2x2x5x8xf16>
  return %pv26 : tensor<2x2x5x8xf16>
}

// -----

// bf16 operands, Q.K^T accumulated in f32 (extf in the body), the max
// starting at the lowest finite f32 as tosa-to-linalg writes it.
// CHECK-LABEL: func @bf16_f32_scores
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 : tensor<2x2x5x8xbf16>, tensor<2x2x9x8xbf16>, tensor<2x2x9x8xbf16> -> tensor<2x2x5x8xbf16>
func.func @bf16_f32_scores(%q: tensor<2x2x5x8xbf16>, %k: tensor<2x2x9x8xbf16>, %v: tensor<2x2x9x8xbf16>) -> tensor<2x2x5x8xbf16> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2x5x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x2x5x9xf32>) -> tensor<2x2x5x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x5x8xbf16>, tensor<2x2x9x8xbf16>) outs(%fill3 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: bf16, %a1: bf16, %acc: f32):
      %x = arith.extf %a0 : bf16 to f32
      %y = arith.extf %a1 : bf16 to f32
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %cst5 = arith.constant -3.40282347E+38 : f32
  %e6 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<2x2x5x9xf32>) outs(%fill7 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x2x5x1xf32>
  %e9 = tensor.empty() : tensor<2x2x5x9xf32>
  %sub10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e9 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %e11 = tensor.empty() : tensor<2x2x5x9xf32>
  %exp12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub10 : tensor<2x2x5x9xf32>) outs(%e11 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp12 : tensor<2x2x5x9xf32>) outs(%fill15 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x1xf32>
  %e17 = tensor.empty() : tensor<2x2x5x9xf32>
  %p18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp12, %sum16 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e17 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x2x5x9xf32>
  %e19 = tensor.empty() : tensor<2x2x5x9xbf16>
  %down20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p18 : tensor<2x2x5x9xf32>) outs(%e19 : tensor<2x2x5x9xbf16>) {
    ^bb0(%a0: f32, %acc: bf16):
      %x = arith.truncf %a0 : f32 to bf16
      linalg.yield %x : bf16
    } -> tensor<2x2x5x9xbf16>
  %cst21 = arith.constant 0.0 : bf16
  %e22 = tensor.empty() : tensor<2x2x5x8xbf16>
  %fill23 = linalg.fill ins(%cst21 : bf16) outs(%e22 : tensor<2x2x5x8xbf16>) -> tensor<2x2x5x8xbf16>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%down20, %v : tensor<2x2x5x9xbf16>, tensor<2x2x9x8xbf16>) outs(%fill23 : tensor<2x2x5x8xbf16>) {
    ^bb0(%a0: bf16, %a1: bf16, %acc: bf16):
      %p = arith.mulf %a0, %a1 : bf16
      %s = arith.addf %acc, %p : bf16
      linalg.yield %s : bf16
    } -> tensor<2x2x5x8xbf16>
  return %pv24 : tensor<2x2x5x8xbf16>
}

// -----

// A fused graph: sub and exp in one generic, the max with maxnumf and the
// accumulator first.
// CHECK-LABEL: func @fused_sub_exp
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} scale 1.000000e+00 :
// CHECK-NOT: math.exp
func.func @fused_sub_exp(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x9x8xf32>, %v: tensor<2x2x9x8xf32>) -> tensor<2x2x5x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2x5x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x2x5x9xf32>) -> tensor<2x2x5x9xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x5x8xf32>, tensor<2x2x9x8xf32>) outs(%fill3 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x9xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<2x2x5x9xf32>) outs(%fill7 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maxnumf %acc, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<2x2x5x1xf32>
  %e9 = tensor.empty() : tensor<2x2x5x9xf32>
  %exp10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e9 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      %x = math.exp %s : f32
      linalg.yield %x : f32
    } -> tensor<2x2x5x9xf32>
  %cst11 = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<2x2x5x1xf32>
  %fill13 = linalg.fill ins(%cst11 : f32) outs(%e12 : tensor<2x2x5x1xf32>) -> tensor<2x2x5x1xf32>
  %sum14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp10 : tensor<2x2x5x9xf32>) outs(%fill13 : tensor<2x2x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %acc, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x1xf32>
  %e15 = tensor.empty() : tensor<2x2x5x9xf32>
  %p16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp10, %sum14 : tensor<2x2x5x9xf32>, tensor<2x2x5x1xf32>) outs(%e15 : tensor<2x2x5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x2x5x9xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<2x2x5x8xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
  %pv20 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p16, %v : tensor<2x2x5x9xf32>, tensor<2x2x9x8xf32>) outs(%fill19 : tensor<2x2x5x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x2x5x8xf32>
  return %pv20 : tensor<2x2x5x8xf32>
}
