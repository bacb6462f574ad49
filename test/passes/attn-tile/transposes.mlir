// RUN: sdpa-opt %s -split-input-file --attn-tile --canonicalize | FileCheck %s

// Framework layouts: q, k, v as [B, L, H, E] transposed to [B, H, L, E],
// and the output transposed back. The tiles are cut from the tensors
// before the transposes and written into the transposed output, so neither
// transpose is left.
// CHECK-LABEL: func.func @bshd
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<2x37x4x16xf32>, %[[K:[^:]*]]: tensor<2x53x2x16xf32>, %[[V:[^:]*]]: tensor<2x53x2x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x37x4x8xf32>
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]]) in (2, 4) shared_outs(%[[OUT:.*]] = %[[EMPTY]]) -> (tensor<2x37x4x8xf32>)
// CHECK: %[[KVH:.*]] = arith.divui %[[H]]
// CHECK: tensor.extract_slice %[[Q]][%[[B]], 0, %[[H]], 0] [1, 37, 1, 16] [1, 1, 1, 1] : tensor<2x37x4x16xf32> to tensor<37x16xf32>
// CHECK: tensor.extract_slice %[[K]][%[[B]], 0, %[[KVH]], 0] [1, 53, 1, 16] [1, 1, 1, 1] : tensor<2x53x2x16xf32> to tensor<53x16xf32>
// CHECK: tensor.extract_slice %[[V]][%[[B]], 0, %[[KVH]], 0] [1, 53, 1, 8] [1, 1, 1, 1] : tensor<2x53x2x8xf32> to tensor<53x8xf32>
// CHECK: tensor.extract_slice %[[OUT]][%[[B]], 0, %[[H]], 0] [1, 37, 1, 8] [1, 1, 1, 1] : tensor<2x37x4x8xf32> to tensor<37x8xf32>
// CHECK: attn.block
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], 0, %[[H]], 0] [1, 37, 1, 8] [1, 1, 1, 1] : tensor<37x8xf32> into tensor<2x37x4x8xf32>
// CHECK-NOT: linalg.transpose
func.func @bshd(%q: tensor<2x37x4x16xf32>, %k: tensor<2x53x2x16xf32>, %v: tensor<2x53x2x8xf32>) -> tensor<2x37x4x8xf32> {
  %eq = tensor.empty() : tensor<2x4x37x16xf32>
  %qt = linalg.transpose ins(%q : tensor<2x37x4x16xf32>) outs(%eq : tensor<2x4x37x16xf32>) permutation = [0, 2, 1, 3]
  %ek = tensor.empty() : tensor<2x2x53x16xf32>
  %kt = linalg.transpose ins(%k : tensor<2x53x2x16xf32>) outs(%ek : tensor<2x2x53x16xf32>) permutation = [0, 2, 1, 3]
  %ev = tensor.empty() : tensor<2x2x53x8xf32>
  %vt = linalg.transpose ins(%v : tensor<2x53x2x8xf32>) outs(%ev : tensor<2x2x53x8xf32>) permutation = [0, 2, 1, 3]
  %o = attn.sdpa %qt, %kt, %vt causal align bottom_right : tensor<2x4x37x16xf32>, tensor<2x2x53x16xf32>, tensor<2x2x53x8xf32> -> tensor<2x4x37x8xf32>
  %eo = tensor.empty() : tensor<2x37x4x8xf32>
  %ot = linalg.transpose ins(%o : tensor<2x4x37x8xf32>) outs(%eo : tensor<2x37x4x8xf32>) permutation = [0, 2, 1, 3]
  return %ot : tensor<2x37x4x8xf32>
}

// -----

// A transpose that moves the feature dim (k stored as [B, H, E, S]) is not
// read through: its tiles would not be [S, E] matrices. It stays, and so
// does an output transpose whose result is not the output's only use.
// CHECK-LABEL: func.func @feature_dim_moves
// CHECK-SAME: (%{{[^:]*}}: tensor<1x2x8x16xf32>, %[[K:[^:]*]]: tensor<1x2x16x8xf32>
// CHECK: %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<1x2x16x8xf32>)
// CHECK: scf.forall
// CHECK: tensor.extract_slice %[[KT]]
// CHECK: linalg.transpose
func.func @feature_dim_moves(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x8x16xf32>) -> (tensor<1x2x8x16xf32>, tensor<1x8x2x16xf32>) {
  %ek = tensor.empty() : tensor<1x2x8x16xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x16x8xf32>) outs(%ek : tensor<1x2x8x16xf32>) permutation = [0, 1, 3, 2]
  %o = attn.sdpa %q, %kt, %v : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  %eo = tensor.empty() : tensor<1x8x2x16xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x8x16xf32>) outs(%eo : tensor<1x8x2x16xf32>) permutation = [0, 2, 1, 3]
  return %o, %ot : tensor<1x2x8x16xf32>, tensor<1x8x2x16xf32>
}
