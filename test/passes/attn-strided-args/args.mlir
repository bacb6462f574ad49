// RUN: sdpa-opt %s -split-input-file --attn-strided-args | FileCheck %s
// RUN: sdpa-opt %s -split-input-file --attn-strided-args --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --check-prefix=BUF

// Tensor arguments of rank >= 1 take views with any outer strides and a
// contiguous innermost dim; the result keeps the identity layout the
// runtime allocates.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%{{.*}}: tensor<2x8x100x64xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>},
// CHECK-SAME: %{{.*}}: tensor<2x2x100x64xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>},
// CHECK-SAME: %{{.*}}: tensor<2x2x100x32xf16> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>},
// CHECK-SAME: %{{.*}}: tensor<100xi1> {bufferization.buffer_layout = strided<[1], offset: ?>})
// CHECK-SAME: -> tensor<2x8x100x64xf32>
// BUF-LABEL: func.func @attention
// BUF-SAME: (%{{.*}}: memref<2x8x100x64xf32, strided<[?, ?, ?, 1], offset: ?>>,
// BUF-SAME: %{{.*}}: memref<2x2x100x64xf32, strided<[?, ?, ?, 1], offset: ?>>,
// BUF-SAME: %{{.*}}: memref<2x2x100x32xf16, strided<[?, ?, ?, 1], offset: ?>>,
// BUF-SAME: %{{.*}}: memref<100xi1, strided<[1], offset: ?>>)
// BUF-SAME: -> memref<2x8x100x64xf32>
func.func @attention(%q: tensor<2x8x100x64xf32>, %k: tensor<2x2x100x64xf32>,
                     %v: tensor<2x2x100x32xf16>, %m: tensor<100xi1>)
    -> tensor<2x8x100x64xf32> {
  return %q : tensor<2x8x100x64xf32>
}

// -----

// Must not fire: scalars and rank-0 tensors have no strides, and a layout
// given by the user stays.
// CHECK-LABEL: func.func @kept
// CHECK-SAME: (%{{.*}}: i64, %{{.*}}: tensor<f32>,
// CHECK-SAME: %{{.*}}: tensor<4x8xf32> {bufferization.buffer_layout = strided<[16, 1]>})
// BUF-LABEL: func.func @kept
// BUF-SAME: (%{{.*}}: i64, %{{.*}}: memref<f32>, %{{.*}}: memref<4x8xf32, strided<[16, 1]>>)
func.func @kept(%seed: i64, %s: tensor<f32>,
                %x: tensor<4x8xf32> {bufferization.buffer_layout = strided<[16, 1]>})
    -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}

// -----

// Must not fire: a declaration is not bufferized, and its callers' views
// would need a layout it does not promise.
// CHECK-LABEL: func.func private @external
// CHECK-SAME: (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NOT: buffer_layout
func.func private @external(tensor<4x8xf32>) -> tensor<4x8xf32>
