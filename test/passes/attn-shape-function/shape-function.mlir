// RUN: sdpa-opt %s --attn-shape-function -split-input-file | FileCheck %s

// GQA with dynamic batch, heads and lengths: the result dims are the query's
// batch, heads and L (E is static); the rules are the dynamic ones of
// attn.sdpa: batch dims, value heads = key heads, value S = key S, and key
// heads dividing query heads (guarded against a zero divisor).
// CHECK-LABEL: func.func @gqa(
// CHECK-LABEL: func.func @__sdpa_shapes_gqa(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?x?x?x64xf32>, %[[K:[^:]*]]: tensor<?x?x?x64xf32>, %[[V:[^:]*]]: tensor<?x?x?x64xf32>) -> tensor<6xi64>
// CHECK-SAME: attn.shape_checks = ["key batch dim 0 ({lhs}) must equal query batch dim 0 ({rhs}) at attn.sdpa
// CHECK-SAME: "value batch dim 0 ({lhs}) must equal query batch dim 0 ({rhs}) at attn.sdpa
// CHECK-SAME: "value heads dim 1 ({lhs}) must equal key heads dim 1 ({rhs}) at attn.sdpa
// CHECK-SAME: "value sequence dim 2 ({lhs}) must equal key sequence dim 2 ({rhs}) at attn.sdpa
// CHECK-SAME: "key heads ({lhs}) must be positive and divide query heads ({rhs}) at attn.sdpa
// CHECK-SAME: llvm.emit_c_interface
// CHECK-NOT: = attn.sdpa
// CHECK-DAG: %[[QB:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[QH:.*]] = tensor.dim %[[Q]], %c1
// CHECK-DAG: %[[QL:.*]] = tensor.dim %[[Q]], %c2
// CHECK-DAG: %[[KH:.*]] = tensor.dim %[[K]], %c1
// CHECK-DAG: %[[REM:.*]] = arith.remui %[[QH]], %{{.*}} : index
// CHECK-DAG: %[[QB64:.*]] = arith.index_cast %[[QB]] : index to i64
// CHECK-DAG: %[[QH64:.*]] = arith.index_cast %[[QH]] : index to i64
// CHECK-DAG: %[[QL64:.*]] = arith.index_cast %[[QL]] : index to i64
// CHECK: %[[ALL:.*]] = tensor.from_elements %{{.*}}, %{{.*}}, %{{.*}}, %[[QB64]], %[[QH64]], %[[QL64]] : tensor<6xi64>
// CHECK: return %[[ALL]] : tensor<6xi64>
func.func @gqa(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %0 = attn.sdpa %q, %k, %v causal align bottom_right : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %0 : tensor<?x?x?x64xf32>
}

// -----
// A static mask dim checked against a dynamic L, Ev from the value, and the
// LSE result's dims after the output's.
// CHECK-LABEL: func.func @__sdpa_shapes_mask_lse(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<2x4x?x16xf32>, %[[K:[^:]*]]: tensor<2x4x?x16xf32>, %[[V:[^:]*]]: tensor<2x4x?x?xf32>, %[[M:[^:]*]]: tensor<128x48xi1>) -> tensor<6xi64>
// CHECK-SAME: ["value sequence dim 2 ({lhs}) must equal key sequence dim 2 ({rhs}) at attn.sdpa
// CHECK-SAME: "mask dim 0 ({lhs}) must equal the dim it masks ({rhs}); only a static 1 broadcasts, at attn.sdpa
// CHECK-SAME: "mask dim 1 ({lhs}) must equal the dim it masks ({rhs}); only a static 1 broadcasts, at attn.sdpa
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[Q]], %c2
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[K]], %c2
// CHECK-DAG: %[[EV:.*]] = tensor.dim %[[V]], %c3
// CHECK-DAG: arith.cmpi eq, %[[L]], %c128
// CHECK-DAG: arith.cmpi eq, %[[S]], %c48
// CHECK-DAG: %[[L64:.*]] = arith.index_cast %[[L]] : index to i64
// CHECK-DAG: %[[EV64:.*]] = arith.index_cast %[[EV]] : index to i64
// CHECK: tensor.from_elements %{{.*}}, %{{.*}}, %{{.*}}, %[[L64]], %[[EV64]], %[[L64]] : tensor<6xi64>
func.func @mask_lse(%q: tensor<2x4x?x16xf32>, %k: tensor<2x4x?x16xf32>, %v: tensor<2x4x?x?xf32>, %m: tensor<128x48xi1>) -> (tensor<2x4x?x?xf32>, tensor<2x4x?xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v mask(%m : tensor<128x48xi1>) : tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?x?xf32> -> tensor<2x4x?x?xf32>, tensor<2x4x?xf32>
  return %0, %1 : tensor<2x4x?x?xf32>, tensor<2x4x?xf32>
}

// -----
// Unfused attention: the loops of each batch_matmul tie its operands' dims;
// rules that end up comparing a dim with itself (the outputs are sized from
// the query) fold away, so only key and value batch against the query's
// remain reachable as statuses 1 and 4.
// CHECK-LABEL: func.func @__sdpa_shapes_unfused(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?x6x8xf32>, %[[K:[^:]*]]: tensor<?x6x8xf32>, %[[V:[^:]*]]: tensor<?x6x8xf32>) -> tensor<4xi64>
// CHECK-SAME: ["operand 1 dim 0 ({lhs}) must equal operand 0 dim 0 ({rhs}) at linalg.batch_matmul
// CHECK-NOT: = linalg.
// CHECK-DAG: %[[QB:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[KB:.*]] = tensor.dim %[[K]], %c0
// CHECK-DAG: %[[VB:.*]] = tensor.dim %[[V]], %c0
// CHECK-DAG: %[[KOK:.*]] = arith.cmpi eq, %[[KB]], %[[QB]] : index
// CHECK-DAG: %[[VOK:.*]] = arith.cmpi eq, %[[VB]], %[[QB]] : index
// CHECK-DAG: arith.select %[[VOK]], %c0_i64, %c4_i64 : i64
// CHECK-DAG: %[[STATUS:.*]] = arith.select %[[KOK]], %{{.*}}, %c1_i64 : i64
// CHECK: tensor.from_elements %[[STATUS]], %{{.*}}, %{{.*}}, %{{.*}} : tensor<4xi64>
func.func @unfused(%q: tensor<?x6x8xf32>, %k: tensor<?x6x8xf32>, %v: tensor<?x6x8xf32>) -> tensor<?x6x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %q, %c0 : tensor<?x6x8xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty(%n) : tensor<?x6x6xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x6x6xf32>) -> tensor<?x6x6xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<?x6x8xf32>, tensor<?x6x8xf32>) outs(%z0 : tensor<?x6x6xf32>) -> tensor<?x6x6xf32>
  %e1 = tensor.empty(%n) : tensor<?x6x6xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x6x6xf32>) outs(%e1 : tensor<?x6x6xf32>) -> tensor<?x6x6xf32>
  %e2 = tensor.empty(%n) : tensor<?x6x8xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x6x8xf32>) -> tensor<?x6x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x6x6xf32>, tensor<?x6x8xf32>) outs(%z2 : tensor<?x6x8xf32>) -> tensor<?x6x8xf32>
  return %o : tensor<?x6x8xf32>
}

// -----
// Reshapes, a cast and an assertion of the kind exporters write: the
// expanded heads must multiply to the source dim, the cast's static dim
// must hold, and the assertion keeps its message (with the sizes it
// compares). A result dim may be a scalar argument.
// CHECK-LABEL: func.func @__sdpa_shapes_reshapes(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x?xf32>, %[[H:[^:]*]]: index, %[[Y:[^:]*]]: tensor<?x?xf32>) -> tensor<6xi64>
// CHECK-SAME: ["assertion failed at cf.assert
// CHECK-SAME: : rows must be even (compared {lhs} with {rhs})"
// CHECK-SAME: "the product of output dims of group 1 ({lhs}) must equal source dim 1 ({rhs}) at tensor.expand_shape
// CHECK-SAME: "dim 1 ({lhs}) must be the static size of the cast's result ({rhs}) at tensor.cast
// CHECK-NOT: cf.assert %
// CHECK-DAG: %[[ROWS:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[COLS:.*]] = tensor.dim %[[X]], %c1
// CHECK-DAG: %[[HALF:.*]] = arith.remui %[[ROWS]], %c2 : index
// CHECK-DAG: %[[EVEN:.*]] = arith.cmpi eq, %[[HALF]], %c0 : index
// CHECK-DAG: %[[PROD:.*]] = arith.muli %[[H]], %c64 : index
// CHECK-DAG: arith.cmpi eq, %[[PROD]], %[[COLS]] : index
// CHECK-DAG: %[[YCOLS:.*]] = tensor.dim %[[Y]], %c1
// CHECK-DAG: arith.cmpi eq, %[[YCOLS]], %c32 : index
// CHECK-DAG: %[[STATUS:.*]] = arith.select %[[EVEN]], %{{.*}}, %c1_i64 : i64
// CHECK-DAG: %[[ROWS64:.*]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK-DAG: %[[H64:.*]] = arith.index_cast %[[H]] : index to i64
// CHECK-DAG: %[[YROWS:.*]] = tensor.dim %[[Y]], %c0
// CHECK-DAG: %[[YROWS64:.*]] = arith.index_cast %[[YROWS]] : index to i64
// CHECK: tensor.from_elements %[[STATUS]], %{{.*}}, %{{.*}}, %[[ROWS64]], %[[H64]], %[[YROWS64]] : tensor<6xi64>
func.func @reshapes(%x: tensor<?x?xf32>, %h: index, %y: tensor<?x?xf32>) -> (tensor<?x?x64xf32>, tensor<?x32xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %rows = tensor.dim %x, %c0 : tensor<?x?xf32>
  %rem = arith.remui %rows, %c2 : index
  %even = arith.cmpi eq, %rem, %c0 : index
  cf.assert %even, "rows must be even"
  %e = tensor.expand_shape %x [[0], [1, 2]] output_shape [%rows, %h, 64] : tensor<?x?xf32> into tensor<?x?x64xf32>
  %c = tensor.cast %y : tensor<?x?xf32> to tensor<?x32xf32>
  return %e, %c : tensor<?x?x64xf32>, tensor<?x32xf32>
}

// -----
// Concatenation along dim 1: dim 0 of the inputs must agree; the result's
// dynamic dim 1 is the sum.
// CHECK-LABEL: func.func @__sdpa_shapes_concat(
// CHECK-SAME: %[[A:[^:]*]]: tensor<?x?xf32>, %[[B:[^:]*]]: tensor<?x?xf32>) -> tensor<5xi64>
// CHECK-SAME: ["input 1 dim 0 ({lhs}) must equal input 0 dim 0 ({rhs}) at tensor.concat
// CHECK-DAG: %[[A0:.*]] = tensor.dim %[[A]], %c0
// CHECK-DAG: %[[B0:.*]] = tensor.dim %[[B]], %c0
// CHECK-DAG: arith.cmpi eq, %[[B0]], %[[A0]] : index
// CHECK-DAG: %[[A1:.*]] = tensor.dim %[[A]], %c1
// CHECK-DAG: %[[B1:.*]] = tensor.dim %[[B]], %c1
// CHECK-DAG: affine.apply #{{.*}}()[%[[A1]], %[[B1]]]
func.func @concat(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = tensor.concat dim(1) %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----
// A KV cache read up to a position given as an argument: the slice must lie
// inside the cache (end = pos, as the offset is 0 and the stride 1).
// CHECK-LABEL: func.func @__sdpa_shapes_cache_prefix(
// CHECK-SAME: %[[CACHE:[^:]*]]: tensor<2x8x?x64xf32>, %[[POS:[^:]*]]: i64, %[[Q:[^:]*]]: tensor<2x8x1x64xf32>) -> tensor<3xi64>
// CHECK-SAME: ["the slice of source dim 2 ending at {lhs} must start at 0 or later and end within the dim ({rhs}) at tensor.extract_slice
// CHECK-DAG: %[[P:.*]] = arith.index_cast %[[POS]] : i64 to index
// CHECK-DAG: %[[EXTENT:.*]] = tensor.dim %[[CACHE]], %c2
// CHECK-DAG: arith.cmpi sle, %[[P]], %[[EXTENT]] : index
// CHECK-DAG: arith.cmpi eq, %[[P]], %c0 : index
// CHECK-DAG: arith.cmpi sge, %[[P]], %c0 : index
func.func @cache_prefix(%cache: tensor<2x8x?x64xf32>, %pos: i64, %q: tensor<2x8x1x64xf32>) -> tensor<2x8x1x64xf32> {
  %p = arith.index_cast %pos : i64 to index
  %k = tensor.extract_slice %cache[0, 0, 0, 0] [2, 8, %p, 64] [1, 1, 1, 1] : tensor<2x8x?x64xf32> to tensor<2x8x?x64xf32>
  %0 = attn.sdpa %q, %k, %k : tensor<2x8x1x64xf32>, tensor<2x8x?x64xf32>, tensor<2x8x?x64xf32> -> tensor<2x8x1x64xf32>
  return %0 : tensor<2x8x1x64xf32>
}

// -----
// A static signature with a size computed in the body: the slice is checked
// all the same.
// CHECK-LABEL: func.func @__sdpa_shapes_static_cache(
// CHECK-SAME: -> tensor<3xi64>
// CHECK-SAME: ["the slice of source dim 2 ending at {lhs} must start at 0 or later and end within the dim ({rhs}) at tensor.extract_slice
// CHECK: arith.cmpi sle, %{{.*}}, %c40 : index
func.func @static_cache(%cache: tensor<2x8x40x64xf32>, %pos: i64, %q: tensor<2x8x1x64xf32>) -> tensor<2x8x1x64xf32> {
  %p = arith.index_cast %pos : i64 to index
  %k = tensor.extract_slice %cache[0, 0, 0, 0] [2, 8, %p, 64] [1, 1, 1, 1] : tensor<2x8x40x64xf32> to tensor<2x8x?x64xf32>
  %0 = attn.sdpa %q, %k, %k : tensor<2x8x1x64xf32>, tensor<2x8x?x64xf32>, tensor<2x8x?x64xf32> -> tensor<2x8x1x64xf32>
  return %0 : tensor<2x8x1x64xf32>
}

// -----
// A static signature whose dynamic intermediate has nothing to check at run
// time (a cast to a dynamic type and back) keeps no shape function (and is
// no error).
// CHECK-LABEL: func.func @nothing_to_check
// CHECK-NOT: __sdpa_shapes
func.func @nothing_to_check(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %d = tensor.cast %x : tensor<4x8xf32> to tensor<?x8xf32>
  %s = tensor.cast %d : tensor<?x8xf32> to tensor<4x8xf32>
  return %s : tensor<4x8xf32>
}

// -----
// A size read from an argument's elements (a position passed as a tensor,
// as torch.export passes it) stays in the shape function, which the
// runtimes call with the inputs' data: the slice must lie inside the
// tensor and the cast must hold.
// CHECK-LABEL: func.func @sized_by_contents(
// CHECK-LABEL: func.func @__sdpa_shapes_sized_by_contents(
// CHECK-SAME: %{{.*}}: tensor<4x8xf32>, %[[N:.*]]: tensor<1xi64>) -> tensor<3xi64>
// CHECK-SAME: ["the slice of source dim 0 ending at {lhs} must start at 0 or later and end within the dim ({rhs}) at tensor.extract_slice
// CHECK-SAME: "dim 0 ({lhs}) must be the static size of the cast's result ({rhs}) at tensor.cast
// CHECK: tensor.extract %[[N]][%c0] : tensor<1xi64>
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @sized_by_contents(%x: tensor<4x8xf32>, %n: tensor<1xi64>) -> tensor<2x8xf32> {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %n[%c0] : tensor<1xi64>
  %i = arith.index_cast %v : i64 to index
  %rows = tensor.extract_slice %x[0, 0] [%i, 8] [1, 1] : tensor<4x8xf32> to tensor<?x8xf32>
  %c = tensor.cast %rows : tensor<?x8xf32> to tensor<2x8xf32>
  return %c : tensor<2x8xf32>
}

// -----
// Static signatures, private functions and declarations get no shape
// function.
// CHECK-LABEL: func.func @static
// CHECK-NOT: __sdpa_shapes
func.func @static(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %0 = attn.sdpa %q, %k, %v : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}
func.func private @helper(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
func.func private @external(%x: tensor<?xf32>) -> tensor<?xf32>
