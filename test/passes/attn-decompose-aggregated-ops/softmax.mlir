// RUN: sdpa-opt %s --attn-decompose-aggregated-ops -split-input-file | FileCheck %s

// A softmax over the last dim becomes max, exp of the difference, sum and
// division, each a linalg.generic reducing or broadcasting along dim 2.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @softmax_last_dim
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x4x8xf32>)
//   CHECK-NOT:   linalg.softmax
//       CHECK:   %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] :
//       CHECK:     arith.maxnumf
//       CHECK:   %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MAX]] :
//       CHECK:     arith.subf
//       CHECK:     math.exp
//       CHECK:   %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[EXP]] :
//       CHECK:     arith.addf
//       CHECK:   %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] :
//       CHECK:     arith.divf
//       CHECK:   return %[[OUT]]
func.func @softmax_last_dim(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %e = tensor.empty() : tensor<2x4x8xf32>
  %r = linalg.softmax dimension(2) ins(%x : tensor<2x4x8xf32>)
         outs(%e : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

// -----

// Over another dim (what raising leaves alone): the reductions run along
// dim 1, and the element type is kept.

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @softmax_middle_dim_f16
//   CHECK-NOT:   linalg.softmax
//       CHECK:   linalg.generic {indexing_maps = [#{{.*}}, #[[COL]]], iterator_types = ["parallel", "reduction", "parallel"]}
//       CHECK:     arith.maxnumf {{.*}} : f16
//       CHECK:     math.exp {{.*}} : f16
//       CHECK:     arith.divf {{.*}} : f16
//       CHECK:   return {{.*}} : tensor<2x4x8xf16>
func.func @softmax_middle_dim_f16(%x: tensor<2x4x8xf16>) -> tensor<2x4x8xf16> {
  %e = tensor.empty() : tensor<2x4x8xf16>
  %r = linalg.softmax dimension(1) ins(%x : tensor<2x4x8xf16>)
         outs(%e : tensor<2x4x8xf16>) -> tensor<2x4x8xf16>
  return %r : tensor<2x4x8xf16>
}

// -----

// Ops that are not aggregated are left as they are.

// CHECK-LABEL: func.func @matmul_untouched
//       CHECK:   linalg.matmul
//   CHECK-NOT:   linalg.generic
func.func @matmul_untouched(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>,
                            %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>)
         outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}
