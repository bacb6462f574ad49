// RUN: sdpa-opt %s -split-input-file --attn-tile="block-q=32 block-k=32" --attn-strided-args --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --attn-online-softmax="vector-bits=256" | FileCheck %s --implicit-check-not=attn.block

// Inputs that may be views (rows of unknown stride, innermost stride 1): K
// rows and V rows are still read with vector loads, and the copy of a V
// block is versioned on the row stride, so that adjacent rows (the common
// contiguous case) copy as one run with the stride known statically.
// CHECK-LABEL: func.func @decode
// CHECK-SAME: memref<1x2x100x64xf32, strided<[?, ?, ?, 1], offset: ?>>
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[V:.*]] : memref<100x64xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[ADJ:.*]] = arith.cmpi eq, %[[STRIDES]]#0, %{{.*}} : index
// CHECK: scf.if %[[ADJ]] {
// CHECK: %[[ROWS:.*]] = memref.reinterpret_cast %{{.*}} to offset: [%[[OFF]]], sizes: [100, 64], strides: [64, 1]
// CHECK: vector.load %[[ROWS]][%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[64, 1], offset: ?>>, vector<8xf32>
// CHECK: } else {
// CHECK: vector.load %[[V]][%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// CHECK: }
// Key rows read directly (one query row), with the dynamic row stride.
// CHECK: vector.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
func.func @decode(%q: tensor<1x4x1x64xf32>, %k: tensor<1x2x100x64xf32>,
                  %v: tensor<1x2x100x64xf32>) -> tensor<1x4x1x64xf32> {
  %o = attn.sdpa %q, %k, %v
      : tensor<1x4x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>
      -> tensor<1x4x1x64xf32>
  return %o : tensor<1x4x1x64xf32>
}

// -----

// Must not version: f16 values are converted while packed (no plain copy),
// and a padded Vp row (Ev = 20, padded to 24) is not one run either.
// CHECK-LABEL: func.func @no_run
// CHECK-NOT: memref.extract_strided_metadata
// CHECK-NOT: memref.reinterpret_cast
// CHECK: return
func.func @no_run(%q: tensor<1x4x1x64xf16>, %k: tensor<1x2x100x64xf16>,
                  %v: tensor<1x2x100x64xf16>, %q2: tensor<1x4x1x64xf32>,
                  %k2: tensor<1x2x100x64xf32>, %v2: tensor<1x2x100x20xf32>)
    -> (tensor<1x4x1x64xf16>, tensor<1x4x1x20xf32>) {
  %o = attn.sdpa %q, %k, %v
      : tensor<1x4x1x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
      -> tensor<1x4x1x64xf16>
  %o2 = attn.sdpa %q2, %k2, %v2
      : tensor<1x4x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x20xf32>
      -> tensor<1x4x1x20xf32>
  return %o, %o2 : tensor<1x4x1x64xf16>, tensor<1x4x1x20xf32>
}
