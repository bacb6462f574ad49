// RUN: sdpa-opt %s -split-input-file --attn-tile="block-k=16 min-grid-blocks=64" | FileCheck %s
// RUN: sdpa-opt %s -split-input-file --attn-tile="block-k=16" | FileCheck %s --check-prefix=NOSPLIT

// Decode with GQA: a grid of 2 x 8 = 16 blocks, under 64, splits the 100
// keys: ceil(64 / 16) = 4 splits of 2 key blocks (32 keys), the last
// partly empty. Each block writes its chunk's output and lse to partials
// [B, H, P, L, Ev] and [B, H, P, L]; linalg combines them.
// CHECK-LABEL: func.func @decode
// CHECK: %[[PARTS:.*]]:2 = scf.forall (%[[B:.*]], %[[H:.*]], %[[P:.*]]) in (2, 8, 4) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x8x4x1x32xf16>, tensor<2x8x4x1xf32>)
// CHECK: %[[FIRST:.*]] = arith.muli %[[P]], %c32
// CHECK: %[[BEGIN:.*]] = arith.maxsi %[[FIRST]], %{{.*}}
// CHECK: attn.block {{.*}} keys(%[[BEGIN]], %{{.*}})
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %[[H]], %[[P]], %{{.*}}, 0] [1, 1, 1, 1, 32]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %[[H]], %[[P]], %{{.*}}] [1, 1, 1, 1]
// The combine: the largest lse, the weights' sum, the weighted outputs,
// the division, the final lse.
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[PARTS]]#1 : tensor<2x8x4x1xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[PARTS]]#1, %[[MAX]] :
// CHECK: math.exp
// CHECK: %[[WEIGHTED:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[PARTS]]#0, %[[PARTS]]#1, %[[MAX]] :
// CHECK: arith.extf
// CHECK: math.fma
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[WEIGHTED]], %[[SUM]] : {{.*}}) outs(%{{.*}} : tensor<2x8x1x32xf16>)
// CHECK: arith.truncf
// CHECK: %[[LSE:.*]] = linalg.generic {{.*}} ins(%[[MAX]], %[[SUM]] :
// CHECK: math.log
// CHECK: return %[[OUT]], %[[LSE]]
// NOSPLIT-LABEL: func.func @decode
// NOSPLIT: scf.forall ({{.*}}) in (2, 8, %{{.*}})
// NOSPLIT-NOT: linalg.generic
func.func @decode(%q: tensor<2x8x1x32xf16>, %k: tensor<2x2x100x32xf16>, %v: tensor<2x2x100x32xf16>) -> (tensor<2x8x1x32xf16>, tensor<2x8x1xf32>) {
  %o, %l = attn.sdpa %q, %k, %v causal align bottom_right : tensor<2x8x1x32xf16>, tensor<2x2x100x32xf16>, tensor<2x2x100x32xf16> -> tensor<2x8x1x32xf16>, tensor<2x8x1xf32>
  return %o, %l : tensor<2x8x1x32xf16>, tensor<2x8x1xf32>
}

// -----

// Several query blocks (L = 100 > 64): not split.
// CHECK-LABEL: func.func @prefill
// CHECK: scf.forall ({{.*}}) in (1, 2, %{{.*}})
// CHECK-NOT: linalg.generic
func.func @prefill(%q: tensor<1x2x100x32xf32>, %k: tensor<1x2x100x32xf32>, %v: tensor<1x2x100x32xf32>) -> tensor<1x2x100x32xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32> -> tensor<1x2x100x32xf32>
  return %o : tensor<1x2x100x32xf32>
}
