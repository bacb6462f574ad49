// A masked_fill(-inf) that masks a whole query row: the graph as written
// makes that row 0/0 (NaN), the raised attn.sdpa makes it 0. --check fails,
// and says why.
// RUN: not sdpa-run %s --random=1 --check | FileCheck %s
// CHECK: check: result #0 rel_error=inf tolerance=1e-05 FAILED
// CHECK-NEXT: note: result #0: the float64 reference is NaN at 8 of 40 elements where the result is not; a row in which every score is -inf (fully masked) is 0/0 in the graph as written, and 0 (LSE -inf) in attn.sdpa and in graphs raised to it

func.func @row_fully_masked(%q: tensor<1x5x8xf32>, %k: tensor<1x7x8xf32>, %v: tensor<1x7x8xf32>) -> tensor<1x5x8xf32> {
  %mask = arith.constant dense<[[false, true, false, false, true, false, false],
                                [false, false, false, false, false, false, true],
                                [true, true, true, true, true, true, true],
                                [false, false, true, false, false, false, false],
                                [true, false, false, false, false, false, false]]> : tensor<5x7xi1>
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<1x5x7xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x5x7xf32>) -> tensor<1x5x7xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, i, j, e) -> (b, i, e)>, affine_map<(b, i, j, e) -> (b, j, e)>, affine_map<(b, i, j, e) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x5x8xf32>, tensor<1x7x8xf32>) outs(%f0 : tensor<1x5x7xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %p = arith.mulf %a, %b : f32
      %r = arith.addf %acc, %p : f32
      linalg.yield %r : f32
    } -> tensor<1x5x7xf32>
  %e1 = tensor.empty() : tensor<1x5x7xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (i, j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %mask : tensor<1x5x7xf32>, tensor<5x7xi1>) outs(%e1 : tensor<1x5x7xf32>) {
    ^bb0(%a: f32, %b: i1, %c: f32):
      %r = arith.select %b, %ninf, %a : f32
      linalg.yield %r : f32
    } -> tensor<1x5x7xf32>
  %e2 = tensor.empty() : tensor<1x5x7xf32>
  %p = linalg.softmax dimension(2) ins(%m : tensor<1x5x7xf32>) outs(%e2 : tensor<1x5x7xf32>) -> tensor<1x5x7xf32>
  %e3 = tensor.empty() : tensor<1x5x8xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x5x8xf32>) -> tensor<1x5x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<1x5x7xf32>, tensor<1x7x8xf32>) outs(%f3 : tensor<1x5x8xf32>) -> tensor<1x5x8xf32>
  return %o : tensor<1x5x8xf32>
}
