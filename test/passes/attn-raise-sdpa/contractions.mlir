// RUN: sdpa-opt %s -split-input-file -attn-raise-sdpa | FileCheck %s

// Each spelling of the two contractions that exporters produce.

// Q.K^T as linalg.batch_matmul after a linalg.transpose of K, the scale as
// a constant multiplied in a generic, softmax decomposed as torch-mlir does
// (max, sub, exp, sum, div with keepdim reductions), P.V as batch_matmul.
// Rank 3: the batch is one dim, which becomes attn.sdpa's head dim. Ev != E.
// CHECK-LABEL: func @bmm_transposed_key
// CHECK-SAME: (%[[Q:.*]]: tensor<8x10x16xf32>, %[[K:.*]]: tensor<8x12x16xf32>, %[[V:.*]]: tensor<8x12x20xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 : tensor<8x10x16xf32>, tensor<8x12x16xf32>, tensor<8x12x20xf32> -> tensor<8x10x20xf32>
// CHECK-NEXT: return %[[O]]
func.func @bmm_transposed_key(%q: tensor<8x10x16xf32>, %k: tensor<8x12x16xf32>, %v: tensor<8x12x20xf32>) -> tensor<8x10x20xf32> {
  %e1 = tensor.empty() : tensor<8x16x12xf32>
  %tr2 = linalg.transpose ins(%k : tensor<8x12x16xf32>) outs(%e1 : tensor<8x16x12xf32>) permutation = [0, 2, 1]
  %cst3 = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<8x10x12xf32>
  %fill5 = linalg.fill ins(%cst3 : f32) outs(%e4 : tensor<8x10x12xf32>) -> tensor<8x10x12xf32>
  %bmm6 = linalg.batch_matmul ins(%q, %tr2 : tensor<8x10x16xf32>, tensor<8x16x12xf32>) outs(%fill5 : tensor<8x10x12xf32>) -> tensor<8x10x12xf32>
  %e7 = tensor.empty() : tensor<8x10x12xf32>
  %scaled8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bmm6 : tensor<8x10x12xf32>) outs(%e7 : tensor<8x10x12xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f32
      %m = arith.mulf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<8x10x12xf32>
  %cst9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<8x10x1xf32>
  %fill11 = linalg.fill ins(%cst9 : f32) outs(%e10 : tensor<8x10x1xf32>) -> tensor<8x10x1xf32>
  %max12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%scaled8 : tensor<8x10x12xf32>) outs(%fill11 : tensor<8x10x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<8x10x1xf32>
  %e13 = tensor.empty() : tensor<8x10x12xf32>
  %sub14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%scaled8, %max12 : tensor<8x10x12xf32>, tensor<8x10x1xf32>) outs(%e13 : tensor<8x10x12xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<8x10x12xf32>
  %e15 = tensor.empty() : tensor<8x10x12xf32>
  %exp16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub14 : tensor<8x10x12xf32>) outs(%e15 : tensor<8x10x12xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<8x10x12xf32>
  %cst17 = arith.constant 0.0 : f32
  %e18 = tensor.empty() : tensor<8x10x1xf32>
  %fill19 = linalg.fill ins(%cst17 : f32) outs(%e18 : tensor<8x10x1xf32>) -> tensor<8x10x1xf32>
  %sum20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp16 : tensor<8x10x12xf32>) outs(%fill19 : tensor<8x10x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<8x10x1xf32>
  %e21 = tensor.empty() : tensor<8x10x12xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp16, %sum20 : tensor<8x10x12xf32>, tensor<8x10x1xf32>) outs(%e21 : tensor<8x10x12xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<8x10x12xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<8x10x20xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<8x10x20xf32>) -> tensor<8x10x20xf32>
  %bmm26 = linalg.batch_matmul ins(%p22, %v : tensor<8x10x12xf32>, tensor<8x12x20xf32>) outs(%fill25 : tensor<8x10x20xf32>) -> tensor<8x10x20xf32>
  return %bmm26 : tensor<8x10x20xf32>
}

// -----

// linalg.batch_matmul with indexing_maps that read K transposed, and no
// scale: the raised op must say scale 1 (its default is 1/sqrt(E)).
// CHECK-LABEL: func @bmm_indexing_maps
// CHECK-SAME: (%[[Q:.*]]: tensor<4x6x8xf32>, %[[K:.*]]: tensor<4x7x8xf32>, %[[V:.*]]: tensor<4x7x8xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.000000e+00 :
func.func @bmm_indexing_maps(%q: tensor<4x6x8xf32>, %k: tensor<4x7x8xf32>, %v: tensor<4x7x8xf32>) -> tensor<4x6x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<4x6x7xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<4x6x7xf32>) -> tensor<4x6x7xf32>
  %bmm4 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x6x8xf32>, tensor<4x7x8xf32>) outs(%fill3 : tensor<4x6x7xf32>) -> tensor<4x6x7xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<4x6x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<4x6x1xf32>) -> tensor<4x6x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%bmm4 : tensor<4x6x7xf32>) outs(%fill7 : tensor<4x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<4x6x1xf32>
  %e9 = tensor.empty() : tensor<4x6x7xf32>
  %sub10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bmm4, %max8 : tensor<4x6x7xf32>, tensor<4x6x1xf32>) outs(%e9 : tensor<4x6x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<4x6x7xf32>
  %e11 = tensor.empty() : tensor<4x6x7xf32>
  %exp12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub10 : tensor<4x6x7xf32>) outs(%e11 : tensor<4x6x7xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<4x6x7xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<4x6x1xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<4x6x1xf32>) -> tensor<4x6x1xf32>
  %sum16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp12 : tensor<4x6x7xf32>) outs(%fill15 : tensor<4x6x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<4x6x1xf32>
  %e17 = tensor.empty() : tensor<4x6x7xf32>
  %p18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp12, %sum16 : tensor<4x6x7xf32>, tensor<4x6x1xf32>) outs(%e17 : tensor<4x6x7xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<4x6x7xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<4x6x8xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  %bmm22 = linalg.batch_matmul ins(%p18, %v : tensor<4x6x7xf32>, tensor<4x7x8xf32>) outs(%fill21 : tensor<4x6x8xf32>) -> tensor<4x6x8xf32>
  return %bmm22 : tensor<4x6x8xf32>
}

// -----

// 2-D: linalg.matmul with a transposed-B indexing map (what
// matmul_transpose_b used to be), the scale as a division, P.V as a generic
// contraction. attn.sdpa gets a unit head dim added and removed around it.
// CHECK-LABEL: func @matmul_no_batch
// CHECK-SAME: (%[[Q:.*]]: tensor<5x8xf32>, %[[K:.*]]: tensor<9x8xf32>, %[[V:.*]]: tensor<9x3xf32>)
// CHECK-DAG: %[[Q3:.*]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1], [2]] output_shape [1, 5, 8]
// CHECK-DAG: %[[K3:.*]] = tensor.expand_shape %[[K]] {{\[}}[0, 1], [2]] output_shape [1, 9, 8]
// CHECK-DAG: %[[V3:.*]] = tensor.expand_shape %[[V]] {{\[}}[0, 1], [2]] output_shape [1, 9, 3]
// CHECK: %[[O:.*]] = attn.sdpa %[[Q3]], %[[K3]], %[[V3]] scale 1.250000e-01 : tensor<1x5x8xf32>, tensor<1x9x8xf32>, tensor<1x9x3xf32> -> tensor<1x5x3xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[O]] {{\[}}[0, 1], [2]] : tensor<1x5x3xf32> into tensor<5x3xf32>
// CHECK: return %[[R]]
// CHECK-NOT: linalg.matmul
func.func @matmul_no_batch(%q: tensor<5x8xf32>, %k: tensor<9x8xf32>, %v: tensor<9x3xf32>) -> tensor<5x3xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<5x9xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<5x9xf32>) -> tensor<5x9xf32>
  %mm4 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%q, %k : tensor<5x8xf32>, tensor<9x8xf32>) outs(%fill3 : tensor<5x9xf32>) -> tensor<5x9xf32>
  %e5 = tensor.empty() : tensor<5x9xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%mm4 : tensor<5x9xf32>) outs(%e5 : tensor<5x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 8.0 : f32
      %m = arith.divf %a0, %c : f32
      linalg.yield %m : f32
    } -> tensor<5x9xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<5x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<5x1xf32>) -> tensor<5x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]}
      ins(%scaled6 : tensor<5x9xf32>) outs(%fill9 : tensor<5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<5x1xf32>
  %e11 = tensor.empty() : tensor<5x9xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<5x9xf32>, tensor<5x1xf32>) outs(%e11 : tensor<5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<5x9xf32>
  %e13 = tensor.empty() : tensor<5x9xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%sub12 : tensor<5x9xf32>) outs(%e13 : tensor<5x9xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<5x9xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<5x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<5x1xf32>) -> tensor<5x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]}
      ins(%exp14 : tensor<5x9xf32>) outs(%fill17 : tensor<5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<5x1xf32>
  %e19 = tensor.empty() : tensor<5x9xf32>
  %p20 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%exp14, %sum18 : tensor<5x9xf32>, tensor<5x1xf32>) outs(%e19 : tensor<5x9xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<5x9xf32>
  %cst21 = arith.constant 0.0 : f32
  %e22 = tensor.empty() : tensor<5x3xf32>
  %fill23 = linalg.fill ins(%cst21 : f32) outs(%e22 : tensor<5x3xf32>) -> tensor<5x3xf32>
  %pv24 = linalg.generic {indexing_maps = [affine_map<(i, d, j) -> (i, j)>, affine_map<(i, d, j) -> (j, d)>, affine_map<(i, d, j) -> (i, d)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p20, %v : tensor<5x9xf32>, tensor<9x3xf32>) outs(%fill23 : tensor<5x3xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<5x3xf32>
  return %pv24 : tensor<5x3xf32>
}

// -----

// Einsum-like generics on rank 4 ("bhle,bhse->bhls", "bhls,bhsd->blhd"):
// two batch dims, K^T in the indexing map, softmax as exp * (1 / sum), and a
// P.V that writes [B, L, H, Ev]: attn.sdpa's [B, H, L, Ev] is transposed
// back.
// CHECK-LABEL: func @einsum_rank4
// CHECK-SAME: (%[[Q:.*]]: tensor<2x3x5x4xf32>, %[[K:.*]]: tensor<2x3x6x4xf32>, %[[V:.*]]: tensor<2x3x6x4xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 5.000000e-01 : tensor<2x3x5x4xf32>, tensor<2x3x6x4xf32>, tensor<2x3x6x4xf32> -> tensor<2x3x5x4xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[O]] : tensor<2x3x5x4xf32>) outs(%{{.*}} : tensor<2x5x3x4xf32>) permutation = [0, 2, 1, 3]
// CHECK: return %[[T]]
// CHECK-NOT: linalg.generic
func.func @einsum_rank4(%q: tensor<2x3x5x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x4xf32>) -> tensor<2x5x3x4xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x3x5x6xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
  %qk4 = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, e) -> (b, h, i, e)>, affine_map<(b, h, i, j, e) -> (b, h, j, e)>, affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x5x4xf32>, tensor<2x3x6x4xf32>) outs(%fill3 : tensor<2x3x5x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x6xf32>
  %e5 = tensor.empty() : tensor<2x3x5x6xf32>
  %scaled6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk4 : tensor<2x3x5x6xf32>) outs(%e5 : tensor<2x3x5x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.5 : f32
      %m = arith.mulf %c, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x6xf32>
  %cst7 = arith.constant 0xFF800000 : f32
  %e8 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill9 = linalg.fill ins(%cst7 : f32) outs(%e8 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %max10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled6 : tensor<2x3x5x6xf32>) outs(%fill9 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x3x5x1xf32>
  %e11 = tensor.empty() : tensor<2x3x5x6xf32>
  %sub12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled6, %max10 : tensor<2x3x5x6xf32>, tensor<2x3x5x1xf32>) outs(%e11 : tensor<2x3x5x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x6xf32>
  %e13 = tensor.empty() : tensor<2x3x5x6xf32>
  %exp14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub12 : tensor<2x3x5x6xf32>) outs(%e13 : tensor<2x3x5x6xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x3x5x6xf32>
  %cst15 = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<2x3x5x1xf32>
  %fill17 = linalg.fill ins(%cst15 : f32) outs(%e16 : tensor<2x3x5x1xf32>) -> tensor<2x3x5x1xf32>
  %sum18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp14 : tensor<2x3x5x6xf32>) outs(%fill17 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x3x5x1xf32>
  %e19 = tensor.empty() : tensor<2x3x5x1xf32>
  %rcp20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum18 : tensor<2x3x5x1xf32>) outs(%e19 : tensor<2x3x5x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %one = arith.constant 1.0 : f32
      %r = arith.divf %one, %a0 : f32
      linalg.yield %r : f32
    } -> tensor<2x3x5x1xf32>
  %e21 = tensor.empty() : tensor<2x3x5x6xf32>
  %p22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp14, %rcp20 : tensor<2x3x5x6xf32>, tensor<2x3x5x1xf32>) outs(%e21 : tensor<2x3x5x6xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.mulf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x3x5x6xf32>
  %cst23 = arith.constant 0.0 : f32
  %e24 = tensor.empty() : tensor<2x5x3x4xf32>
  %fill25 = linalg.fill ins(%cst23 : f32) outs(%e24 : tensor<2x5x3x4xf32>) -> tensor<2x5x3x4xf32>
  %pv26 = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, i, h, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p22, %v : tensor<2x3x5x6xf32>, tensor<2x3x6x4xf32>) outs(%fill25 : tensor<2x5x3x4xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %p = arith.mulf %a0, %a1 : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2x5x3x4xf32>
  return %pv26 : tensor<2x5x3x4xf32>
}

// -----

// torch-mlir's aten.matmul on rank 4: collapse [B, H] into one batch dim,
// batch_matmul, expand back; the scale is an f64 constant truncated in the
// body (aten.mul.Scalar). Q, K and V are read from before the collapses and
// the transpose, so attn.sdpa keeps [B, H] as batch and head dims.
// CHECK-LABEL: func @torch_rank4_through_rank3
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[V:.*]]: tensor<2x4x8x16xf32>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 : tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32> -> tensor<2x4x8x16xf32>
// CHECK-NEXT: return %[[O]]
func.func @torch_rank4_through_rank3(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %e1 = tensor.empty() : tensor<2x4x16x8xf32>
  %tr2 = linalg.transpose ins(%k : tensor<2x4x8x16xf32>) outs(%e1 : tensor<2x4x16x8xf32>) permutation = [0, 1, 3, 2]
  %cl3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x4x8x16xf32> into tensor<8x8x16xf32>
  %cl4 = tensor.collapse_shape %tr2 [[0, 1], [2], [3]] : tensor<2x4x16x8xf32> into tensor<8x16x8xf32>
  %cst5 = arith.constant 0.0 : f32
  %e6 = tensor.empty() : tensor<8x8x8xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %bmm8 = linalg.batch_matmul ins(%cl3, %cl4 : tensor<8x8x16xf32>, tensor<8x16x8xf32>) outs(%fill7 : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %ex9 = tensor.expand_shape %bmm8 [[0, 1], [2], [3]] output_shape [2, 4, 8, 8] : tensor<8x8x8xf32> into tensor<2x4x8x8xf32>
  %e10 = tensor.empty() : tensor<2x4x8x8xf32>
  %scaled11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex9 : tensor<2x4x8x8xf32>) outs(%e10 : tensor<2x4x8x8xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %c = arith.constant 0.25 : f64
      %t = arith.truncf %c : f64 to f32
      %m = arith.mulf %a0, %t : f32
      linalg.yield %m : f32
    } -> tensor<2x4x8x8xf32>
  %cst12 = arith.constant 0xFF800000 : f32
  %e13 = tensor.empty() : tensor<2x4x8x1xf32>
  %fill14 = linalg.fill ins(%cst12 : f32) outs(%e13 : tensor<2x4x8x1xf32>) -> tensor<2x4x8x1xf32>
  %max15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled11 : tensor<2x4x8x8xf32>) outs(%fill14 : tensor<2x4x8x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x4x8x1xf32>
  %e16 = tensor.empty() : tensor<2x4x8x8xf32>
  %sub17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled11, %max15 : tensor<2x4x8x8xf32>, tensor<2x4x8x1xf32>) outs(%e16 : tensor<2x4x8x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x4x8x8xf32>
  %e18 = tensor.empty() : tensor<2x4x8x8xf32>
  %exp19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub17 : tensor<2x4x8x8xf32>) outs(%e18 : tensor<2x4x8x8xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x4x8x8xf32>
  %cst20 = arith.constant 0.0 : f32
  %e21 = tensor.empty() : tensor<2x4x8x1xf32>
  %fill22 = linalg.fill ins(%cst20 : f32) outs(%e21 : tensor<2x4x8x1xf32>) -> tensor<2x4x8x1xf32>
  %sum23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp19 : tensor<2x4x8x8xf32>) outs(%fill22 : tensor<2x4x8x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x4x8x1xf32>
  %e24 = tensor.empty() : tensor<2x4x8x8xf32>
  %p25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp19, %sum23 : tensor<2x4x8x8xf32>, tensor<2x4x8x1xf32>) outs(%e24 : tensor<2x4x8x8xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x4x8x8xf32>
  %cl26 = tensor.collapse_shape %p25 [[0, 1], [2], [3]] : tensor<2x4x8x8xf32> into tensor<8x8x8xf32>
  %cl27 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x4x8x16xf32> into tensor<8x8x16xf32>
  %cst28 = arith.constant 0.0 : f32
  %e29 = tensor.empty() : tensor<8x8x16xf32>
  %fill30 = linalg.fill ins(%cst28 : f32) outs(%e29 : tensor<8x8x16xf32>) -> tensor<8x8x16xf32>
  %bmm31 = linalg.batch_matmul ins(%cl26, %cl27 : tensor<8x8x8xf32>, tensor<8x8x16xf32>) outs(%fill30 : tensor<8x8x16xf32>) -> tensor<8x8x16xf32>
  %ex32 = tensor.expand_shape %bmm31 [[0, 1], [2], [3]] output_shape [2, 4, 8, 16] : tensor<8x8x16xf32> into tensor<2x4x8x16xf32>
  return %ex32 : tensor<2x4x8x16xf32>
}

// -----

// linalg.contract for both contractions.
// CHECK-LABEL: func @contract_op
// CHECK-SAME: (%[[Q:.*]]: tensor<3x4x8xf32>, %[[K:.*]]: tensor<3x5x8xf32>, %[[V:.*]]: tensor<3x5x8xf32>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.000000e+00 :
// CHECK-NOT: linalg.contract
func.func @contract_op(%q: tensor<3x4x8xf32>, %k: tensor<3x5x8xf32>, %v: tensor<3x5x8xf32>) -> tensor<3x4x8xf32> {
  %cst1 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<3x4x5xf32>
  %fill3 = linalg.fill ins(%cst1 : f32) outs(%e2 : tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %qk4 = linalg.contract indexing_maps = [affine_map<(b, i, j, e) -> (b, i, e)>, affine_map<(b, i, j, e) -> (b, j, e)>, affine_map<(b, i, j, e) -> (b, i, j)>] ins(%q, %k : tensor<3x4x8xf32>, tensor<3x5x8xf32>) outs(%fill3 : tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %cst5 = arith.constant 0xFF800000 : f32
  %e6 = tensor.empty() : tensor<3x4x1xf32>
  %fill7 = linalg.fill ins(%cst5 : f32) outs(%e6 : tensor<3x4x1xf32>) -> tensor<3x4x1xf32>
  %max8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%qk4 : tensor<3x4x5xf32>) outs(%fill7 : tensor<3x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<3x4x1xf32>
  %e9 = tensor.empty() : tensor<3x4x5xf32>
  %sub10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%qk4, %max8 : tensor<3x4x5xf32>, tensor<3x4x1xf32>) outs(%e9 : tensor<3x4x5xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<3x4x5xf32>
  %e11 = tensor.empty() : tensor<3x4x5xf32>
  %exp12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub10 : tensor<3x4x5xf32>) outs(%e11 : tensor<3x4x5xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<3x4x5xf32>
  %cst13 = arith.constant 0.0 : f32
  %e14 = tensor.empty() : tensor<3x4x1xf32>
  %fill15 = linalg.fill ins(%cst13 : f32) outs(%e14 : tensor<3x4x1xf32>) -> tensor<3x4x1xf32>
  %sum16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp12 : tensor<3x4x5xf32>) outs(%fill15 : tensor<3x4x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<3x4x1xf32>
  %e17 = tensor.empty() : tensor<3x4x5xf32>
  %p18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp12, %sum16 : tensor<3x4x5xf32>, tensor<3x4x1xf32>) outs(%e17 : tensor<3x4x5xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<3x4x5xf32>
  %cst19 = arith.constant 0.0 : f32
  %e20 = tensor.empty() : tensor<3x4x8xf32>
  %fill21 = linalg.fill ins(%cst19 : f32) outs(%e20 : tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  %pv22 = linalg.contract indexing_maps = [affine_map<(b, i, d, j) -> (b, i, j)>, affine_map<(b, i, d, j) -> (b, j, d)>, affine_map<(b, i, d, j) -> (b, i, d)>] ins(%p18, %v : tensor<3x4x5xf32>, tensor<3x5x8xf32>) outs(%fill21 : tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  return %pv22 : tensor<3x4x8xf32>
}
