// RUN: sdpa-opt %s -split-input-file --attn-fold-extracts-into-generics | FileCheck %s

// A scalar extracted from a rank-0 tensor and used in the body: the tensor
// becomes an input read through a map with no results, its block argument
// replaces the scalar, and the extract dies.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[NONE:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @rank_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[T:.*]]: tensor<f32>)
// CHECK-NOT: tensor.extract
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[NONE]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[T]] : tensor<4x8xf32>, tensor<f32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.divf %[[A]], %[[S]] : f32
func.func @rank_zero(%x: tensor<4x8xf32>, %t: tensor<f32>) -> tensor<4x8xf32> {
  %s = tensor.extract %t[] : tensor<f32>
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Constant indices into a larger tensor become constant map results; two
// scalars from two extracts are two inputs, in the order the body uses them.
// CHECK-DAG: #[[AT1:.*]] = affine_map<(d0) -> (0, 1)>
// CHECK-DAG: #[[AT0:.*]] = affine_map<(d0) -> (0, 0)>
// CHECK-LABEL: func.func @constant_indices
// CHECK-SAME: (%[[X:.*]]: tensor<16xf16>, %[[T:.*]]: tensor<1x2xf16>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AT1]], #[[AT0]], #{{.*}}]
// CHECK-SAME: ins(%[[X]], %[[T]], %[[T]] : tensor<16xf16>, tensor<1x2xf16>, tensor<1x2xf16>)
// CHECK: ^bb0(%[[A:.*]]: f16, %[[HI:.*]]: f16, %[[LO:.*]]: f16, %{{.*}}: f16):
// CHECK: %[[M:.*]] = arith.minimumf %[[A]], %[[HI]] : f16
// CHECK: arith.maximumf %[[M]], %[[LO]] : f16
func.func @constant_indices(%x: tensor<16xf16>, %t: tensor<1x2xf16>) -> tensor<16xf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %lo = tensor.extract %t[%c0, %c0] : tensor<1x2xf16>
  %hi = tensor.extract %t[%c0, %c1] : tensor<1x2xf16>
  %e = tensor.empty() : tensor<16xf16>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf16>) outs(%e : tensor<16xf16>) {
  ^bb0(%a: f16, %o: f16):
    %m = arith.minimumf %a, %hi : f16
    %n = arith.maximumf %m, %lo : f16
    linalg.yield %n : f16
  } -> tensor<16xf16>
  return %r : tensor<16xf16>
}

// -----

// A scalar used outside any generic as well: the extract stays for that
// use; the generic reads the tensor itself.
// CHECK-LABEL: func.func @other_uses
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<f32>)
// CHECK: %[[S:.*]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[T]] : tensor<4xf32>, tensor<f32>)
// CHECK-NOT: %[[S]]
// CHECK: linalg.yield
// CHECK: return %{{.*}}, %[[S]]
func.func @other_uses(%x: tensor<4xf32>, %t: tensor<f32>) -> (tensor<4xf32>, f32) {
  %s = tensor.extract %t[] : tensor<f32>
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r, %s : tensor<4xf32>, f32
}

// -----

// Indices known only at run time, and scalars that are not extracted
// (function arguments), are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<8xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<4xf32>)
// CHECK: arith.mulf %{{.*}}, %[[S]] : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
func.func @left_alone(%x: tensor<4xf32>, %t: tensor<8xf32>, %at: index, %b: f32) -> tensor<4xf32> {
  %s = tensor.extract %t[%at] : tensor<8xf32>
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %s : f32
    %n = arith.addf %m, %b : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
