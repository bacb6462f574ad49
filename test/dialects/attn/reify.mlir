// RUN: sdpa-opt %s -split-input-file -resolve-ranked-shaped-type-result-dims | FileCheck %s

// Dynamic result sizes come from the operands: [N..., Hq, L] from the query,
// Ev from the value.
// CHECK-LABEL: func @dynamic_dims
// CHECK-SAME: (%[[Q:.*]]: tensor<?x8x?x64xf32>, %[[K:.*]]: tensor<?x2x?x64xf32>, %[[V:.*]]: tensor<?x2x?x?xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[Q]], %[[C0]]
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[Q]], %[[C2]]
// CHECK-DAG: %[[EV:.*]] = tensor.dim %[[V]], %[[C3]]
// CHECK-DAG: %[[LSE_L:.*]] = tensor.dim %[[Q]], %[[C2]]
// CHECK: return %[[B]], %[[L]], %[[EV]], %[[LSE_L]]
func.func @dynamic_dims(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>,
                        %v: tensor<?x2x?x?xf32>) -> (index, index, index, index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %out, %lse = attn.sdpa %q, %k, %v : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>,
      tensor<?x2x?x?xf32> -> tensor<?x8x?x?xf32>, tensor<?x8x?xf32>
  %b = tensor.dim %out, %c0 : tensor<?x8x?x?xf32>
  %l = tensor.dim %out, %c2 : tensor<?x8x?x?xf32>
  %ev = tensor.dim %out, %c3 : tensor<?x8x?x?xf32>
  %ll = tensor.dim %lse, %c2 : tensor<?x8x?xf32>
  return %b, %l, %ev, %ll : index, index, index, index
}
