// RUN: sdpa-opt %s -split-input-file --attn-lower-dynamic-expand-shape | FileCheck %s
// RUN: sdpa-opt %s -split-input-file --attn-lower-dynamic-expand-shape --expand-strided-metadata | FileCheck %s --check-prefix=LOWERED

// [B * L, H * E] split into [B, L, H, E] with B and L dynamic: the first
// group has two dynamic dims. Strides go outward from each source dim's
// stride: E = 1, H = 16 (static, as the identity layout of the result
// requires), L = 64, B = L * 64.
// CHECK-LABEL: func @batch_and_length
// CHECK-SAME: (%[[M:[^:]*]]: memref<?x64xf32>, %[[B:[^:]*]]: index, %[[L:[^:]*]]: index)
// CHECK: %[[BASE:[^,]*]], %[[OFF:[^,]*]], %{{.*}} = memref.extract_strided_metadata %[[M]]
// CHECK: %[[SB:.*]] = arith.muli %[[L]], %c64 : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[B]], %[[L]], 4, 16], strides: [%[[SB]], 64, 16, 1] : memref<f32> to memref<?x?x4x16xf32>
// CHECK-NOT: memref.expand_shape
// LOWERED-LABEL: func @batch_and_length
// LOWERED-NOT: memref.expand_shape
func.func @batch_and_length(%m: memref<?x64xf32>, %b: index, %l: index) -> memref<?x?x4x16xf32> {
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%b, %l, 4, 16] : memref<?x64xf32> into memref<?x?x4x16xf32>
  return %e : memref<?x?x4x16xf32>
}

// -----
// A view source: its offset and row stride are read from the descriptor.
// CHECK-LABEL: func @view_source
// CHECK-SAME: (%[[M:[^:]*]]: memref<?x32xf32, strided<[?, 1], offset: ?>>, %[[B:[^:]*]]: index, %[[L:[^:]*]]: index)
// CHECK: %[[BASE:[^,]*]], %[[OFF:[^,]*]], %[[SIZES:[^:]*]]:2, %[[STRIDES:[^ ]*]]:2 = memref.extract_strided_metadata %[[M]]
// CHECK: %[[SB:.*]] = arith.muli %[[STRIDES]]#0, %[[L]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[B]], %[[L]], 32], strides: [%[[SB]], %[[STRIDES]]#0, 1] : memref<f32> to memref<?x?x32xf32, strided<[?, ?, 1], offset: ?>>
func.func @view_source(%m: memref<?x32xf32, strided<[?, 1], offset: ?>>, %b: index, %l: index) -> memref<?x?x32xf32, strided<[?, ?, 1], offset: ?>> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %l, 32] : memref<?x32xf32, strided<[?, 1], offset: ?>> into memref<?x?x32xf32, strided<[?, ?, 1], offset: ?>>
  return %e : memref<?x?x32xf32, strided<[?, ?, 1], offset: ?>>
}

// -----
// One dynamic dim per group: upstream lowers it, so it stays.
// CHECK-LABEL: func @one_dynamic_per_group
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic_per_group(%m: memref<?x64xf32>, %b: index) -> memref<?x4x4x16xf32> {
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%b, 4, 4, 16] : memref<?x64xf32> into memref<?x4x4x16xf32>
  return %e : memref<?x4x4x16xf32>
}
