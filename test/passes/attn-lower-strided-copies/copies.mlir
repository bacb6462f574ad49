// RUN: sdpa-opt %s -split-input-file --attn-lower-strided-copies | FileCheck %s

// A copy out of a view with dynamic strides would call memrefCopy from the
// MLIR runner utilities, which artifacts do not link: it becomes linalg.copy.
// CHECK-LABEL: func.func @from_view
// CHECK-SAME: (%[[SRC:.*]]: memref<2x128x128xf32, strided<[?, ?, 1], offset: ?>>, %[[DST:.*]]: memref<2x128x128xf32>)
// CHECK-NEXT: linalg.copy ins(%[[SRC]] : memref<2x128x128xf32, strided<[?, ?, 1], offset: ?>>) outs(%[[DST]] : memref<2x128x128xf32>)
// CHECK-NEXT: return
func.func @from_view(%src: memref<2x128x128xf32, strided<[?, ?, 1], offset: ?>>,
                     %dst: memref<2x128x128xf32>) {
  memref.copy %src, %dst : memref<2x128x128xf32, strided<[?, ?, 1], offset: ?>> to memref<2x128x128xf32>
  return
}

// -----

// Into a view, and between slices with static strides that are not
// contiguous (a column block of a matrix).
// CHECK-LABEL: func.func @into_view
// CHECK: linalg.copy ins(%{{.*}} : memref<4x8xf32>) outs(%{{.*}} : memref<4x8xf32, strided<[?, 1], offset: ?>>)
// CHECK: linalg.copy ins(%{{.*}} : memref<4x8xf32, strided<[16, 1]>>) outs(%{{.*}} : memref<4x8xf32>)
// CHECK-NOT: memref.copy
func.func @into_view(%src: memref<4x8xf32>, %dst: memref<4x8xf32, strided<[?, 1], offset: ?>>,
                     %cols: memref<4x8xf32, strided<[16, 1]>>) {
  memref.copy %src, %dst : memref<4x8xf32> to memref<4x8xf32, strided<[?, 1], offset: ?>>
  memref.copy %cols, %src : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  return
}

// -----

// Must not fire: identity layouts and static contiguous slices lower to
// llvm.memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK-NEXT: memref.copy %{{.*}}, %{{.*}} : memref<4x8xf32> to memref<4x8xf32>
// CHECK-NEXT: memref.copy %{{.*}}, %{{.*}} : memref<4x8xf32, strided<[8, 1], offset: 32>> to memref<4x8xf32>
// CHECK-NEXT: memref.copy %{{.*}}, %{{.*}} : memref<?xf32> to memref<?xf32>
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>,
                      %rows: memref<4x8xf32, strided<[8, 1], offset: 32>>,
                      %c: memref<?xf32>, %d: memref<?xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  memref.copy %rows, %b : memref<4x8xf32, strided<[8, 1], offset: 32>> to memref<4x8xf32>
  memref.copy %c, %d : memref<?xf32> to memref<?xf32>
  return
}
