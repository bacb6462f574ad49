// RUN: sdpa-opt %s -split-input-file -canonicalize | FileCheck %s

// Casts to more dynamic types are folded into the operands, and the result
// dims the operands fix become static, cast back for the old users.
// CHECK-LABEL: func @casts_folded
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x37x64xf16>, %[[K:.*]]: tensor<2x2x45x64xf16>, %[[V:.*]]: tensor<2x2x45x32xf16>)
// CHECK: %[[O:.*]], %[[LSE:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] causal align bottom_right : tensor<2x8x37x64xf16>, tensor<2x2x45x64xf16>, tensor<2x2x45x32xf16> -> tensor<2x8x37x32xf16>, tensor<2x8x37xf32>
// CHECK-DAG: %[[OC:.*]] = tensor.cast %[[O]] : tensor<2x8x37x32xf16> to tensor<?x8x?x?xf16>
// CHECK-DAG: %[[LC:.*]] = tensor.cast %[[LSE]] : tensor<2x8x37xf32> to tensor<?x8x?xf32>
// CHECK: return %[[OC]], %[[LC]]
func.func @casts_folded(%q: tensor<2x8x37x64xf16>, %k: tensor<2x2x45x64xf16>, %v: tensor<2x2x45x32xf16>) -> (tensor<?x8x?x?xf16>, tensor<?x8x?xf32>) {
  %qd = tensor.cast %q : tensor<2x8x37x64xf16> to tensor<?x8x?x64xf16>
  %kd = tensor.cast %k : tensor<2x2x45x64xf16> to tensor<?x?x?x64xf16>
  %vd = tensor.cast %v : tensor<2x2x45x32xf16> to tensor<?x?x?x?xf16>
  %o, %lse = attn.sdpa %qd, %kd, %vd causal align bottom_right : tensor<?x8x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x?xf16> -> tensor<?x8x?x?xf16>, tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x?xf16>, tensor<?x8x?xf32>
}

// -----

// A mask cast is folded too; the result is refined from static operands
// alone when no operand is a cast.
// CHECK-LABEL: func @mask_and_static_operands
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x9x16xf32>, %[[K:.*]]: tensor<1x4x12x16xf32>, %[[M:.*]]: tensor<1x1x9x12xi1>)
// CHECK: %[[O:.*]] = attn.sdpa %[[Q]], %[[K]], %[[K]] mask(%[[M]] : tensor<1x1x9x12xi1>) : tensor<1x4x9x16xf32>, tensor<1x4x12x16xf32>, tensor<1x4x12x16xf32> -> tensor<1x4x9x16xf32>
// CHECK: tensor.cast %[[O]] : tensor<1x4x9x16xf32> to tensor<1x4x?x16xf32>
func.func @mask_and_static_operands(%q: tensor<1x4x9x16xf32>, %k: tensor<1x4x12x16xf32>, %m: tensor<1x1x9x12xi1>) -> tensor<1x4x?x16xf32> {
  %md = tensor.cast %m : tensor<1x1x9x12xi1> to tensor<1x1x?x?xi1>
  %o = attn.sdpa %q, %k, %k mask(%md : tensor<1x1x?x?xi1>) : tensor<1x4x9x16xf32>, tensor<1x4x12x16xf32>, tensor<1x4x12x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Casts to a more static type, or between unrelated static dims, stay: they
// check a shape at run time.
// CHECK-LABEL: func @narrowing_cast_kept
// CHECK: %[[QC:.*]] = tensor.cast %{{.*}} : tensor<?x4x?x16xf32> to tensor<1x4x8x16xf32>
// CHECK: attn.sdpa %[[QC]], %{{.*}}, %{{.*}} : tensor<1x4x8x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32> -> tensor<1x4x8x16xf32>
func.func @narrowing_cast_kept(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>) -> tensor<1x4x8x16xf32> {
  %qc = tensor.cast %q : tensor<?x4x?x16xf32> to tensor<1x4x8x16xf32>
  %o = attn.sdpa %qc, %k, %k : tensor<1x4x8x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}
