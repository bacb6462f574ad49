// RUN: sdpa-opt %s -split-input-file --attn-prepare-result-buffers | FileCheck %s

// Decode's packed GQA rows viewed back as [B, Hq, L, Ev]: the buffer is
// allocated as the result, the writer gets the inverse view of it.

// CHECK-LABEL: func @collapse_then_expand
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x8x1x64xf16>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0], [1, 2], [3]] : memref<2x8x1x64xf16> into memref<2x8x64xf16>
// CHECK: %[[PACKED:.*]] = memref.expand_shape %[[FLAT]] {{\[}}[0], [1, 2], [3]] output_shape [2, 2, 4, 64] : memref<2x8x64xf16> into memref<2x2x4x64xf16>
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f16) outs(%[[PACKED]] : memref<2x2x4x64xf16>)
// CHECK-NEXT: return %[[OUT]] : memref<2x8x1x64xf16>
func.func @collapse_then_expand(%x: f16) -> memref<2x8x1x64xf16> {
  %a = memref.alloc() {alignment = 64 : i64} : memref<2x2x4x64xf16>
  linalg.fill ins(%x : f16) outs(%a : memref<2x2x4x64xf16>)
  %c = memref.collapse_shape %a [[0], [1, 2], [3]]
      : memref<2x2x4x64xf16> into memref<2x8x64xf16>
  %e = memref.expand_shape %c [[0], [1, 2], [3]] output_shape [2, 8, 1, 64]
      : memref<2x8x64xf16> into memref<2x8x1x64xf16>
  return %e : memref<2x8x1x64xf16>
}

// -----

// An output flattened to [B, L, H * Ev], next to a result returned as it is.

// CHECK-LABEL: func @flattened_heads
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x16x512xf32>
// CHECK: %[[HEADS:.*]] = memref.expand_shape %[[OUT]] {{\[}}[0], [1], [2, 3]] output_shape [2, 16, 8, 64] : memref<2x16x512xf32> into memref<2x16x8x64xf32>
// CHECK: %[[LSE:.*]] = memref.alloc() : memref<2x8x16xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[HEADS]] : memref<2x16x8x64xf32>)
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return %[[OUT]], %[[LSE]] : memref<2x16x512xf32>, memref<2x8x16xf32>
func.func @flattened_heads(%x: f32) -> (memref<2x16x512xf32>, memref<2x8x16xf32>) {
  %a = memref.alloc() : memref<2x16x8x64xf32>
  %l = memref.alloc() : memref<2x8x16xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<2x16x8x64xf32>)
  linalg.fill ins(%x : f32) outs(%l : memref<2x8x16xf32>)
  %c = memref.collapse_shape %a [[0], [1], [2, 3]]
      : memref<2x16x8x64xf32> into memref<2x16x512xf32>
  return %c, %l : memref<2x16x512xf32>, memref<2x8x16xf32>
}

// -----

// One buffer reaching two results cannot become two out-parameters: the
// first result keeps it (here reshaped to its shape), the second gets a copy.

// CHECK-LABEL: func @two_results_one_buffer
// CHECK: %[[A:.*]] = memref.alloc() : memref<32xf32>
// CHECK: %[[E:.*]] = memref.expand_shape %[[A]]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : memref<4x8xf32>)
// CHECK: %[[B:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: memref.copy %[[E]], %[[B]] : memref<4x8xf32> to memref<4x8xf32>
// CHECK: return %[[A]], %[[B]] : memref<32xf32>, memref<4x8xf32>
func.func @two_results_one_buffer(%x: f32) -> (memref<32xf32>, memref<4x8xf32>) {
  %a = memref.alloc() : memref<4x8xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<4x8xf32>)
  %c = memref.collapse_shape %a [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  return %c, %a : memref<32xf32>, memref<4x8xf32>
}

// -----

// The same value returned twice.

// CHECK-LABEL: func @returned_twice
// CHECK: %[[A:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: linalg.fill
// CHECK: %[[B:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: memref.copy %[[A]], %[[B]]
// CHECK: return %[[A]], %[[B]] : memref<4x8xf32>, memref<4x8xf32>
func.func @returned_twice(%x: f32) -> (memref<4x8xf32>, memref<4x8xf32>) {
  %a = memref.alloc() : memref<4x8xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<4x8xf32>)
  return %a, %a : memref<4x8xf32>, memref<4x8xf32>
}

// -----

// Returned twice with a dynamic size: the copy is allocated with the size
// of the original.

// CHECK-LABEL: func @returned_twice_dynamic
// CHECK-SAME: (%[[N:.*]]: index
// CHECK: %[[A:.*]] = memref.alloc(%[[N]]) : memref<?x8xf32>
// CHECK: %[[D:.*]] = memref.dim %[[A]], %{{.*}} : memref<?x8xf32>
// CHECK: %[[B:.*]] = memref.alloc(%[[D]]) : memref<?x8xf32>
// CHECK: memref.copy %[[A]], %[[B]]
// CHECK: return %[[A]], %[[B]]
func.func @returned_twice_dynamic(%n: index, %x: f32) -> (memref<?x8xf32>, memref<?x8xf32>) {
  %a = memref.alloc(%n) : memref<?x8xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<?x8xf32>)
  return %a, %a : memref<?x8xf32>, memref<?x8xf32>
}

// -----

// Dynamic shapes are not hoisted to out-parameters: left as they are.

// CHECK-LABEL: func @dynamic_shape
// CHECK: %[[A:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: %[[C:.*]] = memref.collapse_shape %[[A]]
// CHECK: return %[[C]] : memref<?xf32>
func.func @dynamic_shape(%n: index, %x: f32) -> memref<?xf32> {
  %a = memref.alloc(%n) : memref<?x8xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<?x8xf32>)
  %c = memref.collapse_shape %a [[0, 1]] : memref<?x8xf32> into memref<?xf32>
  return %c : memref<?xf32>
}

// -----

// A reshape of a function argument, or of something not allocated here, has
// no allocation to move.

// CHECK-LABEL: func @argument_view
// CHECK-NOT: memref.alloc
// CHECK: %[[C:.*]] = memref.collapse_shape %arg0
// CHECK: return %[[C]] : memref<32xf32>
func.func @argument_view(%arg0: memref<4x8xf32>) -> memref<32xf32> {
  %c = memref.collapse_shape %arg0 [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  return %c : memref<32xf32>
}

// -----

// An allocation returned as it is needs nothing.

// CHECK-LABEL: func @returned_directly
// CHECK: %[[A:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return %[[A]] : memref<4x8xf32>
func.func @returned_directly(%x: f32) -> memref<4x8xf32> {
  %a = memref.alloc() : memref<4x8xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<4x8xf32>)
  return %a : memref<4x8xf32>
}

// -----

// A strided view is not a reshape of the same bytes: left as it is.

// CHECK-LABEL: func @subview_result
// CHECK: %[[A:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: %[[S:.*]] = memref.subview %[[A]]
// CHECK: return %[[S]]
func.func @subview_result(%x: f32) -> memref<2x8xf32, strided<[8, 1], offset: 8>> {
  %a = memref.alloc() : memref<4x8xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<4x8xf32>)
  %s = memref.subview %a[1, 0] [2, 8] [1, 1]
      : memref<4x8xf32> to memref<2x8xf32, strided<[8, 1], offset: 8>>
  return %s : memref<2x8xf32, strided<[8, 1], offset: 8>>
}
