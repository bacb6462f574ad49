// RUN: sdpa-opt %s --sdpa-pipeline="target=cpu vector-bits=256" --mlir-print-ir-after=attn-fold-kv-broadcast -o /dev/null 2>&1 | FileCheck %s

// Unfused TOSA attention with every dim but E dynamic, as an exporter with
// dynamic batch and lengths writes it. tosa-to-linalg sizes each broadcast
// as the max of its operands' dims and --attn-resolve-dynamic-broadcasts
// asserts them equal; the raise relates the dynamic dims through those ops,
// replaces the whole graph by attn.sdpa, and the asserts keep checking the
// arguments' dims (computed from the arguments, not from the erased graph).
// CHECK: IR Dump After AttnFoldKVBroadcastPass
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

// BERT's head split with a dynamic batch: tosa.reshape with a -1 dim,
// which tosa-to-tensor lowers through one flat dim (collapse everything,
// then expand with the size divided back). The raise follows each
// collapse/expand pair as the one reshape it is, so Q, K and V are the
// [B, 2, 6, 8] head-major tensors and the mask keeps its dynamic batch.
// CHECK: func.func @bert_dynamic_batch(%{{.*}}: tensor<?x6x16xf32>, %{{.*}}: tensor<?x6x16xf32>, %{{.*}}: tensor<?x6x16xf32>, %[[M:.*]]: tensor<?x1x1x6xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]] : tensor<?x1x1x6xf32>) scale 0.35355338454246521 : tensor<?x2x6x8xf32>, tensor<?x2x6x8xf32>, tensor<?x2x6x8xf32> -> tensor<?x2x6x8xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: return
func.func @bert_dynamic_batch(%q: tensor<?x6x16xf32>, %k: tensor<?x6x16xf32>, %v: tensor<?x6x16xf32>,
                      %mask: tensor<?x1x1x6xf32>) -> tensor<?x6x16xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %heads = tosa.const_shape {values = dense<[-1, 6, 2, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %b3 = tosa.const_shape {values = dense<[-1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %b3t = tosa.const_shape {values = dense<[-1, 8, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s4 = tosa.const_shape {values = dense<[-1, 2, 6, 6]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s3 = tosa.const_shape {values = dense<[-1, 6, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %o4s = tosa.const_shape {values = dense<[-1, 2, 6, 8]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %outs = tosa.const_shape {values = dense<[-1, 6, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %q4 = tosa.reshape %q, %heads : (tensor<?x6x16xf32>, !tosa.shape<4>) -> tensor<?x6x2x8xf32>
  %qt = tosa.transpose %q4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<?x6x2x8xf32>) -> tensor<?x2x6x8xf32>
  %q3 = tosa.reshape %qt, %b3 : (tensor<?x2x6x8xf32>, !tosa.shape<3>) -> tensor<?x6x8xf32>
  %k4 = tosa.reshape %k, %heads : (tensor<?x6x16xf32>, !tosa.shape<4>) -> tensor<?x6x2x8xf32>
  %kt = tosa.transpose %k4 {perms = array<i32: 0, 2, 3, 1>} : (tensor<?x6x2x8xf32>) -> tensor<?x2x8x6xf32>
  %k3 = tosa.reshape %kt, %b3t : (tensor<?x2x8x6xf32>, !tosa.shape<3>) -> tensor<?x8x6xf32>
  %v4 = tosa.reshape %v, %heads : (tensor<?x6x16xf32>, !tosa.shape<4>) -> tensor<?x6x2x8xf32>
  %vt = tosa.transpose %v4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<?x6x2x8xf32>) -> tensor<?x2x6x8xf32>
  %v3 = tosa.reshape %vt, %b3 : (tensor<?x2x6x8xf32>, !tosa.shape<3>) -> tensor<?x6x8xf32>
  %qk = tosa.matmul %q3, %k3, %zp, %zp : (tensor<?x6x8xf32>, tensor<?x8x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x6x6xf32>
  %qk4 = tosa.reshape %qk, %s4 : (tensor<?x6x6xf32>, !tosa.shape<4>) -> tensor<?x2x6x6xf32>
  %scale = "tosa.const"() <{values = dense<0.353553385> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %scaled = tosa.mul %qk4, %scale, %shift : (tensor<?x2x6x6xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<?x2x6x6xf32>
  %masked = tosa.add %scaled, %mask : (tensor<?x2x6x6xf32>, tensor<?x1x1x6xf32>) -> tensor<?x2x6x6xf32>
  %max = tosa.reduce_max %masked {axis = 3 : i32} : (tensor<?x2x6x6xf32>) -> tensor<?x2x6x1xf32>
  %sub = tosa.sub %masked, %max : (tensor<?x2x6x6xf32>, tensor<?x2x6x1xf32>) -> tensor<?x2x6x6xf32>
  %exp = tosa.exp %sub : (tensor<?x2x6x6xf32>) -> tensor<?x2x6x6xf32>
  %sum = tosa.reduce_sum %exp {axis = 3 : i32} : (tensor<?x2x6x6xf32>) -> tensor<?x2x6x1xf32>
  %rcp = tosa.reciprocal %sum : (tensor<?x2x6x1xf32>) -> tensor<?x2x6x1xf32>
  %p = tosa.mul %exp, %rcp, %shift : (tensor<?x2x6x6xf32>, tensor<?x2x6x1xf32>, tensor<1xi8>) -> tensor<?x2x6x6xf32>
  %p3 = tosa.reshape %p, %s3 : (tensor<?x2x6x6xf32>, !tosa.shape<3>) -> tensor<?x6x6xf32>
  %o = tosa.matmul %p3, %v3, %zp, %zp : (tensor<?x6x6xf32>, tensor<?x6x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x6x8xf32>
  %o4 = tosa.reshape %o, %o4s : (tensor<?x6x8xf32>, !tosa.shape<4>) -> tensor<?x2x6x8xf32>
  %ot = tosa.transpose %o4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<?x2x6x8xf32>) -> tensor<?x6x2x8xf32>
  %out = tosa.reshape %ot, %outs : (tensor<?x6x2x8xf32>, !tosa.shape<3>) -> tensor<?x6x16xf32>
  return %out : tensor<?x6x16xf32>
}
