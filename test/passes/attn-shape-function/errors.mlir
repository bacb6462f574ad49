// RUN: sdpa-opt %s --attn-shape-function -split-input-file -verify-diagnostics

// The result's size is read from contents the function computes.
// expected-error @+1 {{the result shapes or shape rules of 'data_dependent' depend on more than its argument shapes: arith.addi remains in its shape function}}
func.func @data_dependent(%sizes: tensor<1xi64>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  // expected-note @+1 {{remaining op}}
  %sum = arith.addi %sizes, %sizes : tensor<1xi64>
  %n = tensor.extract %sum[%c0] : tensor<1xi64>
  %i = arith.index_cast %n : i64 to index
  %e = tensor.empty(%i) : tensor<?xf32>
  return %e : tensor<?xf32>
}

// -----
// expected-error @+1 {{cannot add the shape function '__sdpa_shapes_taken': the symbol exists}}
func.func @taken(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
func.func private @__sdpa_shapes_taken()
