// RUN: sdpa-opt %s --sdpa-pipeline="target=cpu vector-bits=256" --mlir-print-ir-after=attn-fold-kv-broadcast -o /dev/null 2>&1 | FileCheck %s

// Unfused TOSA attention with every dim but E dynamic, as an exporter with
// dynamic batch and lengths writes it. tosa-to-linalg sizes each broadcast
// as the max of its operands' dims and --attn-resolve-dynamic-broadcasts
// asserts them equal; the raise relates the dynamic dims through those ops,
// replaces the whole graph by attn.sdpa, and the asserts keep checking the
// arguments' dims (computed from the arguments, not from the erased graph).
// CHECK-LABEL: IR Dump After AttnFoldKVBroadcastPass
// CHECK: func.func @tosa_dynamic(%[[Q:.*]]: tensor<?x?x32xf32>, %[[K:.*]]: tensor<?x?x32xf32>, %[[V:.*]]: tensor<?x?x32xf32>, %[[M:.*]]: tensor<?x?x?xf32>)
// CHECK-NOT: linalg.
// CHECK: cf.assert
// CHECK-NOT: linalg.
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] mask(%[[M]] : tensor<?x?x?xf32>) scale 0.1767766922712326 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @tosa_dynamic(%q: tensor<?x?x32xf32>, %k: tensor<?x?x32xf32>, %v: tensor<?x?x32xf32>, %mask: tensor<?x?x?xf32>) -> tensor<?x?x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<?x?x32xf32>) -> tensor<?x32x?xf32>
  %qk = tosa.matmul %q, %kt, %zp, %zp : (tensor<?x?x32xf32>, tensor<?x32x?xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x?xf32>
  %c = "tosa.const"() <{values = dense<0.176776695> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %s0 = tosa.mul %qk, %c, %shift : (tensor<?x?x?xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<?x?x?xf32>
  %s = tosa.add %s0, %mask : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %m = tosa.reduce_max %s {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  %d = tosa.sub %s, %m : (tensor<?x?x?xf32>, tensor<?x?x1xf32>) -> tensor<?x?x?xf32>
  %e = tosa.exp %d : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  %r = tosa.reciprocal %sum : (tensor<?x?x1xf32>) -> tensor<?x?x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<?x?x?xf32>, tensor<?x?x1xf32>, tensor<1xi8>) -> tensor<?x?x?xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<?x?x?xf32>, tensor<?x?x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x32xf32>
  return %o : tensor<?x?x32xf32>
}
