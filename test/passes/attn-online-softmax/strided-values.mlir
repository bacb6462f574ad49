// RUN: sdpa-opt %s -split-input-file --attn-tile="block-q=32 block-k=32" --attn-strided-args --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --attn-online-softmax="vector-bits=256" | FileCheck %s --implicit-check-not=attn.block

// Inputs that may be views (rows of unknown stride, innermost stride 1): K
// rows and V rows are still read with vector loads, and the copy of a V
// block is versioned on the row stride, so that adjacent rows (the common
// contiguous case) copy as one run with the stride known statically.
// CHECK-LABEL: func.func @prefill
// CHECK-SAME: memref<1x2x100x64xf32, strided<[?, ?, ?, 1], offset: ?>>
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[V:.*]] : memref<100x64xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[ADJ:.*]] = arith.cmpi eq, %[[STRIDES]]#0, %{{.*}} : index
// CHECK: scf.if %[[ADJ]] {
// CHECK: %[[ROWS:.*]] = memref.reinterpret_cast %{{.*}} to offset: [%[[OFF]]], sizes: [100, 64], strides: [64, 1]
// CHECK: vector.load %[[ROWS]][%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[64, 1], offset: ?>>, vector<8xf32>
// CHECK: } else {
// CHECK: vector.load %[[V]][%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// CHECK: }
func.func @prefill(%q: tensor<1x4x32x64xf32>, %k: tensor<1x2x100x64xf32>,
                   %v: tensor<1x2x100x64xf32>) -> tensor<1x4x32x64xf32> {
  %o = attn.sdpa %q, %k, %v
      : tensor<1x4x32x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>
      -> tensor<1x4x32x64xf32>
  return %o : tensor<1x4x32x64xf32>
}

// -----

// A block of one query row (decode) reads key rows and value rows where
// they are, with the dynamic row stride, and copies neither: each value row
// is prefetched (64 floats: 4 lines) while the scores compute, each key
// row of the next block while P.V runs.
// CHECK-LABEL: func.func @decode
// CHECK-NOT: memref.reinterpret_cast
// CHECK: memref.prefetch %[[V:[a-z_0-9]*]][%{{.*}}, %{{.*}}], read, locality<3>, data : memref<100x64xf32, strided<[?, 1], offset: ?>>
// CHECK: vector.load %[[K:[a-z_0-9]*]][%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// CHECK: memref.prefetch %[[K]][%{{.*}}, %{{.*}}], read, locality<3>, data
// CHECK: vector.load %[[V]][%{{.*}}, %{{.*}}] : memref<100x64xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
// CHECK-NOT: memref.reinterpret_cast
// CHECK: return
func.func @decode(%q: tensor<1x4x1x64xf32>, %k: tensor<1x2x100x64xf32>,
                  %v: tensor<1x2x100x64xf32>) -> tensor<1x4x1x64xf32> {
  %o = attn.sdpa %q, %k, %v
      : tensor<1x4x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>
      -> tensor<1x4x1x64xf32>
  return %o : tensor<1x4x1x64xf32>
}

// -----

// Must not version: f16 values are converted as they are read (no plain
// copy), and a padded Vp row (Ev = 20, padded to 24) is not one run either.
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
