// RUN: sdpa-opt %s --attn-specialize-shapes="entry=gqa shapes=2x8x37x64,2x2x45x64,2x2x45x64,scalar" | FileCheck %s --check-prefix=GQA
// RUN: sdpa-opt %s --attn-specialize-shapes="entry=layer shapes=3x70x64,64x64,64x32" | FileCheck %s --check-prefix=LAYER
// One module, one function specialized per run: the others stay as they are.
// RUN: sdpa-opt %s --attn-specialize-shapes="entry=tosa_scores shapes=4x37x32,4x50x32" | FileCheck %s --check-prefix=TOSA

// attn.sdpa over dynamic arguments, a scalar among them: the arguments, the
// attention and the results are static; the scalar is as it was.
// GQA-LABEL: func.func @gqa
// GQA-SAME: (%[[Q:.*]]: tensor<2x8x37x64xf32>, %[[K:.*]]: tensor<2x2x45x64xf32>, %[[V:.*]]: tensor<2x2x45x64xf32>, %[[S:.*]]: f32) -> (tensor<2x8x37x64xf32>, tensor<2x8x37xf32>)
// GQA-NOT: tensor.cast
// GQA: %[[O:.*]], %[[LSE:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] causal align bottom_right : tensor<2x8x37x64xf32>, tensor<2x2x45x64xf32>, tensor<2x2x45x64xf32> -> tensor<2x8x37x64xf32>, tensor<2x8x37xf32>
// GQA: linalg.generic
// GQA-SAME: outs(%{{.*}} : tensor<2x8x37x64xf32>)
// GQA: arith.mulf %{{.*}}, %[[S]]
// GQA-NOT: tensor.cast
// GQA: return %{{.*}}, %[[LSE]] : tensor<2x8x37x64xf32>, tensor<2x8x37xf32>
func.func @gqa(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>, %s: f32) -> (tensor<?x8x?x64xf32>, tensor<?x8x?xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %o, %lse = attn.sdpa %q, %k, %v causal align bottom_right : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32> -> tensor<?x8x?x64xf32>, tensor<?x8x?xf32>
  %b = tensor.dim %q, %c0 : tensor<?x8x?x64xf32>
  %l = tensor.dim %q, %c2 : tensor<?x8x?x64xf32>
  %e = tensor.empty(%b, %l) : tensor<?x8x?x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(b, h, i, e) -> (b, h, i, e)>, affine_map<(b, h, i, e) -> (b, h, i, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o : tensor<?x8x?x64xf32>) outs(%e : tensor<?x8x?x64xf32>) {
  ^bb0(%a: f32, %x: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<?x8x?x64xf32>
  return %r, %lse : tensor<?x8x?x64xf32>, tensor<?x8x?xf32>
}

// As an exporter writes a projection split into heads with dynamic batch and
// sequence length: tensor.dim, collapse/expand_shape with dynamic output
// sizes, tensor.empty of those sizes. All of it folds to static shapes.
// LAYER-LABEL: func.func @layer
// LAYER-SAME: (%[[X:.*]]: tensor<3x70x64xf32>, %{{.*}}: tensor<64x64xf32>, %{{.*}}: tensor<64x32xf32>) -> tensor<3x70x64xf32>
// LAYER-NOT: tensor.dim
// LAYER: tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<3x70x64xf32> into tensor<210x64xf32>
// LAYER: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<210x64xf32>, tensor<64x64xf32>)
// LAYER: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2, 3]] output_shape [3, 70, 4, 16] : tensor<210x64xf32> into tensor<3x70x4x16xf32>
// LAYER: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} causal align top_left : tensor<3x4x70x16xf32>, tensor<3x2x70x16xf32>, tensor<3x2x70x16xf32> -> tensor<3x4x70x16xf32>
// LAYER-NOT: tensor.cast
// LAYER: return %{{.*}} : tensor<3x70x64xf32>
func.func @layer(%x: tensor<?x?x64xf32>, %wq: tensor<64x64xf32>, %wkv: tensor<64x32xf32>) -> tensor<?x?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %b = tensor.dim %x, %c0 : tensor<?x?x64xf32>
  %l = tensor.dim %x, %c1 : tensor<?x?x64xf32>
  %bl = arith.muli %b, %l : index
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
  %eq = tensor.empty(%bl) : tensor<?x64xf32>
  %fq = linalg.fill ins(%zero : f32) outs(%eq : tensor<?x64xf32>) -> tensor<?x64xf32>
  %q2 = linalg.matmul ins(%x2, %wq : tensor<?x64xf32>, tensor<64x64xf32>) outs(%fq : tensor<?x64xf32>) -> tensor<?x64xf32>
  %ek = tensor.empty(%bl) : tensor<?x32xf32>
  %fk = linalg.fill ins(%zero : f32) outs(%ek : tensor<?x32xf32>) -> tensor<?x32xf32>
  %k2 = linalg.matmul ins(%x2, %wkv : tensor<?x64xf32>, tensor<64x32xf32>) outs(%fk : tensor<?x32xf32>) -> tensor<?x32xf32>
  %q4 = tensor.expand_shape %q2 [[0, 1], [2, 3]] output_shape [%b, %l, 4, 16] : tensor<?x64xf32> into tensor<?x?x4x16xf32>
  %k4 = tensor.expand_shape %k2 [[0, 1], [2, 3]] output_shape [%b, %l, 2, 16] : tensor<?x32xf32> into tensor<?x?x2x16xf32>
  %tq = tensor.empty(%b, %l) : tensor<?x4x?x16xf32>
  %q = linalg.transpose ins(%q4 : tensor<?x?x4x16xf32>) outs(%tq : tensor<?x4x?x16xf32>) permutation = [0, 2, 1, 3]
  %tk = tensor.empty(%b, %l) : tensor<?x2x?x16xf32>
  %k = linalg.transpose ins(%k4 : tensor<?x?x2x16xf32>) outs(%tk : tensor<?x2x?x16xf32>) permutation = [0, 2, 1, 3]
  %o = attn.sdpa %q, %k, %k causal align top_left : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x4x?x16xf32>
  %to = tensor.empty(%b, %l) : tensor<?x?x4x16xf32>
  %ot = linalg.transpose ins(%o : tensor<?x4x?x16xf32>) outs(%to : tensor<?x?x4x16xf32>) permutation = [0, 2, 1, 3]
  %out = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<?x?x4x16xf32> into tensor<?x?x64xf32>
  return %out : tensor<?x?x64xf32>
}

// TOSA reads the static arguments directly; tosa-infer-shapes refines every
// op after them and the result.
// TOSA-LABEL: func.func @tosa_scores
// TOSA-SAME: (%[[Q:.*]]: tensor<4x37x32xf32>, %[[K:.*]]: tensor<4x50x32xf32>) -> tensor<4x37x1xf32>
// TOSA: %[[KT:.*]] = tosa.transpose %[[K]] {perms = array<i32: 0, 2, 1>} : (tensor<4x50x32xf32>) -> tensor<4x32x50xf32>
// TOSA: %[[QK:.*]] = tosa.matmul %[[Q]], %[[KT]], %{{.*}}, %{{.*}} : (tensor<4x37x32xf32>, tensor<4x32x50xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x37x50xf32>
// TOSA: %[[M:.*]] = tosa.reduce_max %[[QK]] {axis = 2 : i32} : (tensor<4x37x50xf32>) -> tensor<4x37x1xf32>
// TOSA-NOT: tensor.cast
// TOSA: return %[[M]] : tensor<4x37x1xf32>
func.func @tosa_scores(%q: tensor<?x?x32xf32>, %k: tensor<?x?x32xf32>) -> tensor<?x?x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<?x?x32xf32>) -> tensor<?x32x?xf32>
  %qk = tosa.matmul %q, %kt, %zp, %zp : (tensor<?x?x32xf32>, tensor<?x32x?xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x?xf32>
  %m = tosa.reduce_max %qk {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  return %m : tensor<?x?x1xf32>
}
