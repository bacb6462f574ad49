// RUN: sdpa-opt %s -split-input-file --attn-strided-args | FileCheck %s
// RUN: sdpa-opt %s -split-input-file --attn-strided-args --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --check-prefix=BUF

// Tensor arguments of rank >= 1 take views with any outer strides and a
// contiguous innermost dim, read-only; the result keeps the identity layout
// the runtime allocates.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%{{.*}}: tensor<2x8x100x64xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>, bufferization.writable = false},
// CHECK-SAME: %{{.*}}: tensor<2x2x100x64xf32> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>, bufferization.writable = false},
// CHECK-SAME: %{{.*}}: tensor<2x2x100x32xf16> {bufferization.buffer_layout = strided<[?, ?, ?, 1], offset: ?>, bufferization.writable = false},
// CHECK-SAME: %{{.*}}: tensor<100xi1> {bufferization.buffer_layout = strided<[1], offset: ?>, bufferization.writable = false})
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

// An elementwise op whose result could take its operand's buffer computes
// into a new buffer instead: the argument may be a view with a broadcast
// (stride 0) dim, whose elements share memory, and is the caller's.
// BUF-LABEL: func.func @not_in_place
// BUF-SAME: (%[[M:.*]]: memref<2x4x8xf32, strided<[?, ?, 1], offset: ?>>)
// BUF: %[[NEW:.*]] = memref.alloc() {{.*}} : memref<2x4x8xf32>
// BUF: linalg.generic {{.*}} ins(%[[M]], %[[M]] : {{.*}}) outs(%[[NEW]] : memref<2x4x8xf32>)
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @not_in_place(%m: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id, #id],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%m, %m : tensor<2x4x8xf32>, tensor<2x4x8xf32>) outs(%m : tensor<2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %unused: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

// -----

// Scalars are no tensors; a rank-0 tensor has no strides (read-only all the
// same); a layout or writability given by the user stays.
// CHECK-LABEL: func.func @kept
// CHECK-SAME: (%{{.*}}: i64, %{{.*}}: tensor<f32> {bufferization.writable = false},
// CHECK-SAME: %{{.*}}: tensor<4x8xf32> {bufferization.buffer_layout = strided<[16, 1]>, bufferization.writable = true})
// BUF-LABEL: func.func @kept
// BUF-SAME: (%{{.*}}: i64, %{{.*}}: memref<f32>, %{{.*}}: memref<4x8xf32, strided<[16, 1]>>)
func.func @kept(%seed: i64, %s: tensor<f32>,
                %x: tensor<4x8xf32> {bufferization.buffer_layout = strided<[16, 1]>, bufferization.writable = true})
    -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}

// -----

// Must not fire: a declaration is not bufferized, and its callers' views
// would need a layout it does not promise.
// CHECK-LABEL: func.func private @external
// CHECK-SAME: (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NOT: bufferization.
func.func private @external(tensor<4x8xf32>) -> tensor<4x8xf32>
