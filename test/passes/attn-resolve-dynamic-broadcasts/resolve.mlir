// RUN: sdpa-opt %s -split-input-file --attn-resolve-dynamic-broadcasts | FileCheck %s

// What tosa-to-linalg writes for dim 0 of one operand of a dynamic
// tosa.add: the operand is taken as it is, and its dim must equal the
// broadcast size (here the max of both operands' dims).
// CHECK-LABEL: func.func @dynamic_target
// CHECK-SAME: (%[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x?xf32>)
// CHECK: %[[DA:.*]] = tensor.dim %[[A]], %c0
// CHECK: %[[N:.*]] = arith.maxui
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[DA]], %[[N]] : index
// CHECK: cf.assert %[[EQ]], "dim 0 of an operand must equal the result's
// CHECK-NOT: scf.if
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] :
#bcast0 = affine_map<(d0, d1) -> (0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @dynamic_target(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %da = tensor.dim %a, %c0 : tensor<?x?xf32>
  %db = tensor.dim %b, %c0 : tensor<?x?xf32>
  %n = arith.maxui %da, %db : index
  %cols = tensor.dim %a, %c1 : tensor<?x?xf32>
  %one = arith.cmpi eq, %da, %c1 : index
  %x = scf.if %one -> (tensor<?x?xf32>) {
    %e = tensor.empty(%n, %cols) : tensor<?x?xf32>
    %g = linalg.generic {indexing_maps = [#bcast0, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x?xf32>
    scf.yield %g : tensor<?x?xf32>
  } else {
    scf.yield %a : tensor<?x?xf32>
  }
  %e = tensor.empty(%n, %cols) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %s = arith.addf %in, %in_0 : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----
// Broadcast to a static size (the other operand's dim is static): the
// broadcast is cast back to the operand's type, and the dim must be that
// size.
// CHECK-LABEL: func.func @static_target
// CHECK-SAME: (%[[A:.*]]: tensor<?x8xf32>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[DA:.*]] = tensor.dim %[[A]], %c0
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[DA]], %[[C4]] : index
// CHECK: cf.assert %[[EQ]]
// CHECK-NOT: scf.if
// CHECK: return %[[A]]
#bcast0 = affine_map<(d0, d1) -> (0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @static_target(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %da = tensor.dim %a, %c0 : tensor<?x8xf32>
  %one = arith.cmpi eq, %da, %c1 : index
  %x = scf.if %one -> (tensor<?x8xf32>) {
    %e = tensor.empty() : tensor<4x8xf32>
    %g = linalg.generic {indexing_maps = [#bcast0, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<4x8xf32>
    %cast = tensor.cast %g : tensor<4x8xf32> to tensor<?x8xf32>
    scf.yield %cast : tensor<?x8xf32>
  } else {
    scf.yield %a : tensor<?x8xf32>
  }
  return %x : tensor<?x8xf32>
}

// -----
// Not a broadcast of the dim that is compared with 1 (dim 1 is read at 0
// where dim 0 is compared): left alone.
// CHECK-LABEL: func.func @other_dim
// CHECK: scf.if
// CHECK-NOT: cf.assert
#bcast1 = affine_map<(d0, d1) -> (d0, 0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @other_dim(%a: tensor<?x?xf32>, %n: index) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %da = tensor.dim %a, %c0 : tensor<?x?xf32>
  %one = arith.cmpi eq, %da, %c1 : index
  %x = scf.if %one -> (tensor<?x?xf32>) {
    %e = tensor.empty(%da, %n) : tensor<?x?xf32>
    %g = linalg.generic {indexing_maps = [#bcast1, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x?xf32>
    scf.yield %g : tensor<?x?xf32>
  } else {
    scf.yield %a : tensor<?x?xf32>
  }
  return %x : tensor<?x?xf32>
}

// -----
// The then branch computes something else than a copy: left alone.
// CHECK-LABEL: func.func @not_a_copy
// CHECK: scf.if
// CHECK-NOT: cf.assert
#bcast0 = affine_map<(d0, d1) -> (0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @not_a_copy(%a: tensor<?x?xf32>, %n: index) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %da = tensor.dim %a, %c0 : tensor<?x?xf32>
  %cols = tensor.dim %a, %c1 : tensor<?x?xf32>
  %one = arith.cmpi eq, %da, %c1 : index
  %x = scf.if %one -> (tensor<?x?xf32>) {
    %e = tensor.empty(%n, %cols) : tensor<?x?xf32>
    %g = linalg.generic {indexing_maps = [#bcast0, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      %t = arith.negf %in : f32
      linalg.yield %t : f32
    } -> tensor<?x?xf32>
    scf.yield %g : tensor<?x?xf32>
  } else {
    scf.yield %a : tensor<?x?xf32>
  }
  return %x : tensor<?x?xf32>
}

// -----
// The else branch yields another tensor, or the condition is not "dim is
// 1": left alone.
// CHECK-LABEL: func.func @other_branches
// CHECK: scf.if
// CHECK: scf.if
// CHECK-NOT: cf.assert
#bcast0 = affine_map<(d0, d1) -> (0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @other_branches(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %n: index) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %da = tensor.dim %a, %c0 : tensor<?x?xf32>
  %cols = tensor.dim %a, %c1 : tensor<?x?xf32>
  %one = arith.cmpi eq, %da, %c1 : index
  %x = scf.if %one -> (tensor<?x?xf32>) {
    %e = tensor.empty(%n, %cols) : tensor<?x?xf32>
    %g = linalg.generic {indexing_maps = [#bcast0, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x?xf32>
    scf.yield %g : tensor<?x?xf32>
  } else {
    scf.yield %b : tensor<?x?xf32>
  }
  %two = arith.cmpi eq, %da, %c2 : index
  %y = scf.if %two -> (tensor<?x?xf32>) {
    %e = tensor.empty(%n, %cols) : tensor<?x?xf32>
    %g = linalg.generic {indexing_maps = [#bcast0, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x?xf32>
    scf.yield %g : tensor<?x?xf32>
  } else {
    scf.yield %a : tensor<?x?xf32>
  }
  return %x, %y : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----
// The broadcast size is computed inside the branch: left alone.
// CHECK-LABEL: func.func @size_inside
// CHECK: scf.if
// CHECK-NOT: cf.assert
#bcast0 = affine_map<(d0, d1) -> (0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @size_inside(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %da = tensor.dim %a, %c0 : tensor<?x?xf32>
  %one = arith.cmpi eq, %da, %c1 : index
  %x = scf.if %one -> (tensor<?x?xf32>) {
    %n = tensor.dim %b, %c0 : tensor<?x?xf32>
    %cols = tensor.dim %a, %c1 : tensor<?x?xf32>
    %e = tensor.empty(%n, %cols) : tensor<?x?xf32>
    %g = linalg.generic {indexing_maps = [#bcast0, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<?x?xf32>
    scf.yield %g : tensor<?x?xf32>
  } else {
    scf.yield %a : tensor<?x?xf32>
  }
  return %x : tensor<?x?xf32>
}
