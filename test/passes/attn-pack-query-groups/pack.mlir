// RUN: sdpa-opt %s --attn-pack-query-groups -split-input-file | FileCheck %s

// A GQA decode step: the 4 query heads of each of the 8 K/V heads become the
// 4 rows of one attention; bottom_right causal excludes nothing for one row
// and is dropped; the result is reshaped back.

// CHECK-LABEL: func.func @decode_step
//  CHECK-SAME:   (%[[Q:.*]]: tensor<4x32x1x128xf16>, %[[K:.*]]: tensor<4x8x4096x128xf16>, %[[V:.*]]: tensor<4x8x4096x128xf16>)
//       CHECK:   %[[QC:.*]] = tensor.collapse_shape %[[Q]] {{\[}}[0], [1, 2], [3]] : tensor<4x32x1x128xf16> into tensor<4x32x128xf16>
//       CHECK:   %[[QP:.*]] = tensor.expand_shape %[[QC]] {{\[}}[0], [1, 2], [3]] output_shape [4, 8, 4, 128] : tensor<4x32x128xf16> into tensor<4x8x4x128xf16>
//       CHECK:   %[[O:.*]] = attn.sdpa %[[QP]], %[[K]], %[[V]] scale 0.0883{{[0-9]*}} : tensor<4x8x4x128xf16>, tensor<4x8x4096x128xf16>, tensor<4x8x4096x128xf16> -> tensor<4x8x4x128xf16>
//       CHECK:   %[[OC:.*]] = tensor.collapse_shape %[[O]] {{\[}}[0], [1, 2], [3]] : tensor<4x8x4x128xf16> into tensor<4x32x128xf16>
//       CHECK:   %[[OE:.*]] = tensor.expand_shape %[[OC]] {{\[}}[0], [1, 2], [3]] output_shape [4, 32, 1, 128] : tensor<4x32x128xf16> into tensor<4x32x1x128xf16>
//       CHECK:   return %[[OE]]
func.func @decode_step(%q: tensor<4x32x1x128xf16>, %k: tensor<4x8x4096x128xf16>,
                       %v: tensor<4x8x4096x128xf16>) -> tensor<4x32x1x128xf16> {
  %0 = attn.sdpa %q, %k, %v causal align bottom_right scale 0.088388347648318433
      : tensor<4x32x1x128xf16>, tensor<4x8x4096x128xf16>,
        tensor<4x8x4096x128xf16> -> tensor<4x32x1x128xf16>
  return %0 : tensor<4x32x1x128xf16>
}

// -----

// A per-head mask is regrouped like the query; the lse comes back as
// [N..., Hq, 1]; softcap is kept. No batch dims.

// CHECK-LABEL: func.func @per_head_mask_and_lse
//  CHECK-SAME:   (%[[Q:.*]]: tensor<6x1x16xf32>, %[[K:.*]]: tensor<2x9x16xf32>, %[[V:.*]]: tensor<2x9x8xf32>, %[[M:.*]]: tensor<6x1x9xf32>)
//       CHECK:   %[[QC:.*]] = tensor.collapse_shape %[[Q]] {{\[}}[0, 1], [2]]
//       CHECK:   %[[QP:.*]] = tensor.expand_shape %[[QC]] {{\[}}[0, 1], [2]] output_shape [2, 3, 16]
//       CHECK:   %[[MC:.*]] = tensor.collapse_shape %[[M]] {{\[}}[0, 1], [2]]
//       CHECK:   %[[MP:.*]] = tensor.expand_shape %[[MC]] {{\[}}[0, 1], [2]] output_shape [2, 3, 9]
//       CHECK:   %[[O:.*]], %[[L:.*]] = attn.sdpa %[[QP]], %[[K]], %[[V]] mask(%[[MP]] : tensor<2x3x9xf32>) softcap 5.000000e+00 : tensor<2x3x16xf32>, tensor<2x9x16xf32>, tensor<2x9x8xf32> -> tensor<2x3x8xf32>, tensor<2x3xf32>
//       CHECK:   %[[LC:.*]] = tensor.collapse_shape %[[L]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
//       CHECK:   %[[LE:.*]] = tensor.expand_shape %[[LC]] {{\[}}[0, 1]] output_shape [6, 1] : tensor<6xf32> into tensor<6x1xf32>
//       CHECK:   return %{{.*}}, %[[LE]]
func.func @per_head_mask_and_lse(%q: tensor<6x1x16xf32>, %k: tensor<2x9x16xf32>,
                                 %v: tensor<2x9x8xf32>, %m: tensor<6x1x9xf32>)
    -> (tensor<6x1x8xf32>, tensor<6x1xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v mask(%m : tensor<6x1x9xf32>) softcap 5.0
      : tensor<6x1x16xf32>, tensor<2x9x16xf32>, tensor<2x9x8xf32>
      -> tensor<6x1x8xf32>, tensor<6x1xf32>
  return %0, %1 : tensor<6x1x8xf32>, tensor<6x1xf32>
}

// -----

// A padding mask without a head dim broadcasts over the packed heads and
// rows as it is.

// CHECK-LABEL: func.func @padding_mask
//  CHECK-SAME:   %[[M:[^:]*]]: tensor<2x1x1x64xi1>
//       CHECK:   attn.sdpa {{.*}} mask(%[[M]] : tensor<2x1x1x64xi1>) : tensor<2x2x4x32xf32>,
func.func @padding_mask(%q: tensor<2x8x1x32xf32>, %k: tensor<2x2x64x32xf32>,
                        %v: tensor<2x2x64x32xf32>, %m: tensor<2x1x1x64xi1>)
    -> tensor<2x8x1x32xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<2x1x1x64xi1>)
      : tensor<2x8x1x32xf32>, tensor<2x2x64x32xf32>, tensor<2x2x64x32xf32>
      -> tensor<2x8x1x32xf32>
  return %0 : tensor<2x8x1x32xf32>
}

// -----

// Left alone: what depends on the query head or row (dropout, a window, a
// top_left causal row), more than one query row, one query head per group,
// dynamic heads.

// CHECK-LABEL: func.func @not_packed
//   CHECK-NOT:   tensor.collapse_shape
//       CHECK:   attn.sdpa %arg0, %arg1, %arg2 dropout
//       CHECK:   attn.sdpa %arg0, %arg1, %arg2 causal window [8, 0] align bottom_right
//       CHECK:   attn.sdpa %arg0, %arg1, %arg2 causal align top_left
//       CHECK:   attn.sdpa %arg3, %arg1, %arg2 :
//       CHECK:   attn.sdpa %arg0, %arg4, %arg4 :
//       CHECK:   attn.sdpa %arg5, %arg1, %arg2 scale
//   CHECK-NOT:   tensor.collapse_shape
func.func @not_packed(%q: tensor<8x1x16xf32>, %k: tensor<2x32x16xf32>,
                      %v: tensor<2x32x16xf32>, %q2: tensor<8x2x16xf32>,
                      %kv8: tensor<8x32x16xf32>, %qd: tensor<?x1x16xf32>,
                      %seed: i64)
    -> (tensor<8x1x16xf32>, tensor<8x1x16xf32>, tensor<8x1x16xf32>,
        tensor<8x2x16xf32>, tensor<8x1x16xf32>, tensor<?x1x16xf32>) {
  %0 = attn.sdpa %q, %k, %v dropout 0.5 seed(%seed)
      : tensor<8x1x16xf32>, tensor<2x32x16xf32>, tensor<2x32x16xf32>
      -> tensor<8x1x16xf32>
  %1 = attn.sdpa %q, %k, %v causal window [8, 0] align bottom_right
      : tensor<8x1x16xf32>, tensor<2x32x16xf32>, tensor<2x32x16xf32>
      -> tensor<8x1x16xf32>
  %2 = attn.sdpa %q, %k, %v causal align top_left
      : tensor<8x1x16xf32>, tensor<2x32x16xf32>, tensor<2x32x16xf32>
      -> tensor<8x1x16xf32>
  %3 = attn.sdpa %q2, %k, %v
      : tensor<8x2x16xf32>, tensor<2x32x16xf32>, tensor<2x32x16xf32>
      -> tensor<8x2x16xf32>
  %4 = attn.sdpa %q, %kv8, %kv8
      : tensor<8x1x16xf32>, tensor<8x32x16xf32>, tensor<8x32x16xf32>
      -> tensor<8x1x16xf32>
  %5 = attn.sdpa %qd, %k, %v scale 0.25
      : tensor<?x1x16xf32>, tensor<2x32x16xf32>, tensor<2x32x16xf32>
      -> tensor<?x1x16xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<8x1x16xf32>, tensor<8x1x16xf32>,
      tensor<8x1x16xf32>, tensor<8x2x16xf32>, tensor<8x1x16xf32>,
      tensor<?x1x16xf32>
}

// -----

// A dynamic batch and KV length: the batch size comes from the query for
// the expand, the keys are not reshaped, a mask broadcast over heads and
// rows stays as it is.
// CHECK-LABEL: func.func @dynamic_batch_and_keys
//  CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x8x1x16xf32>, %[[K:[^:]*]]: tensor<?x2x?x16xf32>, %[[V:[^:]*]]: tensor<?x2x?x16xf32>, %[[M:[^:]*]]: tensor<?x1x1x?xi1>)
//       CHECK:   %[[B:.*]] = tensor.dim %[[Q]], %c0
//       CHECK:   %[[QC:.*]] = tensor.collapse_shape %[[Q]] {{\[}}[0], [1, 2], [3]] : tensor<?x8x1x16xf32> into tensor<?x8x16xf32>
//       CHECK:   %[[QP:.*]] = tensor.expand_shape %[[QC]] {{\[}}[0], [1, 2], [3]] output_shape [%[[B]], 2, 4, 16] : tensor<?x8x16xf32> into tensor<?x2x4x16xf32>
//       CHECK:   %[[O:.*]] = attn.sdpa %[[QP]], %[[K]], %[[V]] mask(%[[M]] : tensor<?x1x1x?xi1>) : tensor<?x2x4x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x2x4x16xf32>
//       CHECK:   tensor.expand_shape %{{.*}} output_shape [%{{.*}}, 8, 1, 16] : tensor<?x8x16xf32> into tensor<?x8x1x16xf32>
func.func @dynamic_batch_and_keys(%q: tensor<?x8x1x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x16xf32>, %m: tensor<?x1x1x?xi1>) -> tensor<?x8x1x16xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<?x1x1x?xi1>) : tensor<?x8x1x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x8x1x16xf32>
  return %0 : tensor<?x8x1x16xf32>
}

// -----

// A dynamic L (one graph for prefill and decode) is versioned at run time:
// when L = 1 the query and the per-head mask are cast to one row and
// packed, causal bottom_right dropped; otherwise the attention runs as
// written.
// CHECK-LABEL: func.func @dynamic_length
//  CHECK-SAME: (%[[Q:[^:]*]]: tensor<2x8x?x16xf32>, %[[K:[^:]*]]: tensor<2x2x?x16xf32>, %[[V:[^:]*]]: tensor<2x2x?x16xf32>, %[[M:[^:]*]]: tensor<2x8x?x?xf32>)
//       CHECK:   %[[L:.*]] = tensor.dim %[[Q]], %c2
//       CHECK:   %[[ONE:.*]] = arith.cmpi eq, %[[L]], %c1 : index
//       CHECK:   %[[R:.*]] = scf.if %[[ONE]] -> (tensor<2x8x?x16xf32>) {
//       CHECK:     %[[Q1:.*]] = tensor.cast %[[Q]] : tensor<2x8x?x16xf32> to tensor<2x8x1x16xf32>
//       CHECK:     %[[QC:.*]] = tensor.collapse_shape %[[Q1]]
//       CHECK:     %[[QP:.*]] = tensor.expand_shape %[[QC]] {{.*}} into tensor<2x2x4x16xf32>
//       CHECK:     %[[M1:.*]] = tensor.cast %[[M]] : tensor<2x8x?x?xf32> to tensor<2x8x1x?xf32>
//       CHECK:     %[[MC:.*]] = tensor.collapse_shape %[[M1]]
//       CHECK:     %[[MP:.*]] = tensor.expand_shape %[[MC]] {{.*}} into tensor<2x2x4x?xf32>
//       CHECK:     %[[O:.*]] = attn.sdpa %[[QP]], %[[K]], %[[V]] mask(%[[MP]] : tensor<2x2x4x?xf32>) : tensor<2x2x4x16xf32>, tensor<2x2x?x16xf32>, tensor<2x2x?x16xf32> -> tensor<2x2x4x16xf32>
//       CHECK:     %[[OC:.*]] = tensor.cast %{{.*}} : tensor<2x8x1x16xf32> to tensor<2x8x?x16xf32>
//       CHECK:     scf.yield %[[OC]]
//       CHECK:   } else {
//       CHECK:     %[[U:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V]] mask(%[[M]] : tensor<2x8x?x?xf32>) causal align bottom_right
//       CHECK:     scf.yield %[[U]]
//       CHECK:   return %[[R]]
func.func @dynamic_length(%q: tensor<2x8x?x16xf32>, %k: tensor<2x2x?x16xf32>, %v: tensor<2x2x?x16xf32>, %m: tensor<2x8x?x?xf32>) -> tensor<2x8x?x16xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<2x8x?x?xf32>) causal align bottom_right : tensor<2x8x?x16xf32>, tensor<2x2x?x16xf32>, tensor<2x2x?x16xf32> -> tensor<2x8x?x16xf32>
  return %0 : tensor<2x8x?x16xf32>
}
