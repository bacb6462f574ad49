// RUN: sdpa-opt %s -split-input-file --attn-normalize-slices | FileCheck %s

// One of two unit dims dropped: the slice drops both, and an expand_shape
// restores the leading one.
// CHECK-LABEL: func.func @packed_query
// CHECK-SAME: (%[[QKV:.*]]: tensor<1x100x3x4x80xbf16>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[QKV]][0, 0, 1, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<100x4x80xbf16>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[S]] {{\[}}[0, 1], [2], [3]] output_shape [1, 100, 4, 80] : tensor<100x4x80xbf16> into tensor<1x100x4x80xbf16>
// CHECK: return %[[E]]
func.func @packed_query(%qkv: tensor<1x100x3x4x80xbf16>) -> tensor<1x100x4x80xbf16> {
  %k = tensor.extract_slice %qkv[0, 0, 1, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<1x100x4x80xbf16>
  return %k : tensor<1x100x4x80xbf16>
}

// -----

// Dynamic sizes and offsets stay as they are; the kept unit dims may be
// anywhere.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, %{{.*}}, 0, 0] [1, %{{.*}}, 1, 8] [1, 1, 1, 1] : tensor<1x?x1x8xf32> to tensor<?x8xf32>
// CHECK: tensor.expand_shape %[[S]] {{\[}}[0], [1, 2]] output_shape [%{{.*}}, 1, 8] : tensor<?x8xf32> into tensor<?x1x8xf32>
func.func @dynamic(%t: tensor<1x?x1x8xf32>, %at: index, %n: index) -> tensor<?x1x8xf32> {
  %s = tensor.extract_slice %t[0, %at, 0, 0] [1, %n, 1, 8] [1, 1, 1, 1] : tensor<1x?x1x8xf32> to tensor<?x1x8xf32>
  return %s : tensor<?x1x8xf32>
}

// -----

// Everything a unit dim: the slice is rank 0.
// CHECK-LABEL: func.func @all_units
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 1, 0] [1, 1, 1] [1, 1, 1] : tensor<1x2x1xf32> to tensor<f32>
// CHECK: tensor.expand_shape %[[S]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @all_units(%t: tensor<1x2x1xf32>) -> tensor<1x1xf32> {
  %s = tensor.extract_slice %t[0, 1, 0] [1, 1, 1] [1, 1, 1] : tensor<1x2x1xf32> to tensor<1x1xf32>
  return %s : tensor<1x1xf32>
}

// -----

// A KV-cache update writing one position of [1, H, 1, E] rows: the source
// is collapsed to drop every unit dim.
// CHECK-LABEL: func.func @cache_update
// CHECK-SAME: (%[[C:.*]]: tensor<1x8x512x64xf16>, %[[R:.*]]: tensor<1x8x64xf16>, %[[P:.*]]: index)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0, 1], [2]] : tensor<1x8x64xf16> into tensor<8x64xf16>
// CHECK: tensor.insert_slice %[[F]] into %[[C]][0, 0, %[[P]], 0] [1, 8, 1, 64] [1, 1, 1, 1] : tensor<8x64xf16> into tensor<1x8x512x64xf16>
func.func @cache_update(%cache: tensor<1x8x512x64xf16>, %row: tensor<1x8x64xf16>, %pos: index) -> tensor<1x8x512x64xf16> {
  %u = tensor.insert_slice %row into %cache[0, 0, %pos, 0] [1, 8, 1, 64] [1, 1, 1, 1] : tensor<1x8x64xf16> into tensor<1x8x512x64xf16>
  return %u : tensor<1x8x512x64xf16>
}

// -----

// Unambiguous slices are left alone: not rank-reducing, or dropping every
// unit dim already.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: expand_shape
// CHECK-NOT: collapse_shape
// CHECK: tensor.extract_slice %{{.*}} to tensor<1x100x1x4x80xbf16>
// CHECK: tensor.extract_slice %{{.*}} to tensor<100x4x80xbf16>
// CHECK: tensor.extract_slice %{{.*}} to tensor<2x4x80xbf16>
func.func @left_alone(%qkv: tensor<1x100x3x4x80xbf16>) -> (tensor<1x100x1x4x80xbf16>, tensor<100x4x80xbf16>, tensor<2x4x80xbf16>) {
  %a = tensor.extract_slice %qkv[0, 0, 0, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<1x100x1x4x80xbf16>
  %b = tensor.extract_slice %qkv[0, 0, 2, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<100x4x80xbf16>
  %c = tensor.extract_slice %qkv[0, 5, 0, 0, 0] [1, 2, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<2x4x80xbf16>
  return %a, %b, %c : tensor<1x100x1x4x80xbf16>, tensor<100x4x80xbf16>, tensor<2x4x80xbf16>
}
