// RUN: sdpa-opt %s --attn-split-value-dim -split-input-file | FileCheck %s
// RUN: sdpa-opt %s --attn-split-value-dim=max-value-dim=0 -split-input-file | FileCheck %s --check-prefix=NEVER

// Ev = 512 becomes two attentions over V's columns 0..255 and 256..511,
// inserted into one output; every attribute and operand but V is kept, and
// the LSE is the first slice's.

// CHECK-LABEL: func.func @two_slices
//  CHECK-SAME:   (%[[Q:.*]]: tensor<2x8x100x64xbf16>, %[[K:.*]]: tensor<2x2x120x64xbf16>, %[[V:.*]]: tensor<2x2x120x512xbf16>, %[[M:.*]]: tensor<2x1x100x120xi1>, %[[SEED:.*]]: i64)
//       CHECK:   %[[V0:.*]] = tensor.extract_slice %[[V]][0, 0, 0, 0] [2, 2, 120, 256] [1, 1, 1, 1] : tensor<2x2x120x512xbf16> to tensor<2x2x120x256xbf16>
//       CHECK:   %[[O0:.*]], %[[L0:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V0]] mask(%[[M]] : tensor<2x1x100x120xi1>) causal window [16, 0] align bottom_right scale 1.250000e-01 softcap 3.000000e+01 dropout 1.000000e-01 seed(%[[SEED]]) : tensor<2x8x100x64xbf16>, tensor<2x2x120x64xbf16>, tensor<2x2x120x256xbf16> -> tensor<2x8x100x256xbf16>, tensor<2x8x100xf32>
//       CHECK:   %[[V1:.*]] = tensor.extract_slice %[[V]][0, 0, 0, 256] [2, 2, 120, 256] [1, 1, 1, 1] : tensor<2x2x120x512xbf16> to tensor<2x2x120x256xbf16>
//       CHECK:   %[[O1:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V1]] mask(%[[M]] : tensor<2x1x100x120xi1>) causal window [16, 0] align bottom_right scale 1.250000e-01 softcap 3.000000e+01 dropout 1.000000e-01 seed(%[[SEED]]) : tensor<2x8x100x64xbf16>, tensor<2x2x120x64xbf16>, tensor<2x2x120x256xbf16> -> tensor<2x8x100x256xbf16>
//   CHECK-NOT:   attn.sdpa
//       CHECK:   %[[E:.*]] = tensor.empty() : tensor<2x8x100x512xbf16>
//       CHECK:   %[[I0:.*]] = tensor.insert_slice %[[O0]] into %[[E]][0, 0, 0, 0] [2, 8, 100, 256] [1, 1, 1, 1]
//       CHECK:   %[[I1:.*]] = tensor.insert_slice %[[O1]] into %[[I0]][0, 0, 0, 256] [2, 8, 100, 256] [1, 1, 1, 1]
//       CHECK:   return %[[I1]], %[[L0]]

// NEVER-LABEL: func.func @two_slices
//       NEVER:   attn.sdpa
//   NEVER-NOT:   attn.sdpa
func.func @two_slices(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x120x64xbf16>,
                      %v: tensor<2x2x120x512xbf16>, %m: tensor<2x1x100x120xi1>,
                      %seed: i64)
    -> (tensor<2x8x100x512xbf16>, tensor<2x8x100xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v mask(%m : tensor<2x1x100x120xi1>) causal
      window [16, 0] align bottom_right scale 0.125 softcap 30.0 dropout 0.1
      seed(%seed)
      : tensor<2x8x100x64xbf16>, tensor<2x2x120x64xbf16>,
        tensor<2x2x120x512xbf16> -> tensor<2x8x100x512xbf16>, tensor<2x8x100xf32>
  return %0, %1 : tensor<2x8x100x512xbf16>, tensor<2x8x100xf32>
}

// -----

// Ev = 600: three slices of 208 columns (a multiple of 16), the last one
// 184. The default scale stays 1/sqrt(E), E being the query's. Dynamic
// batch and sequence dims are carried through; no LSE is asked for, and
// none is computed.

// CHECK-LABEL: func.func @ragged_dynamic
//  CHECK-SAME:   (%[[Q:.*]]: tensor<?x4x?x32xf32>, %[[K:.*]]: tensor<?x4x?x32xf32>, %[[V:.*]]: tensor<?x4x?x600xf32>)
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C2:.*]] = arith.constant 2 : index
//       CHECK:   %[[B:.*]] = tensor.dim %[[V]], %[[C0]]
//       CHECK:   %[[S:.*]] = tensor.dim %[[V]], %[[C2]]
//       CHECK:   %[[V0:.*]] = tensor.extract_slice %[[V]][0, 0, 0, 0] [%[[B]], 4, %[[S]], 208] [1, 1, 1, 1] : tensor<?x4x?x600xf32> to tensor<?x4x?x208xf32>
//       CHECK:   %[[O0:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V0]] : {{.*}} -> tensor<?x4x?x208xf32>
//       CHECK:   %[[V1:.*]] = tensor.extract_slice %[[V]][0, 0, 0, 208] [%[[B]], 4, %[[S]], 208]
//       CHECK:   %[[O1:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V1]] : {{.*}} -> tensor<?x4x?x208xf32>
//       CHECK:   %[[V2:.*]] = tensor.extract_slice %[[V]][0, 0, 0, 416] [%[[B]], 4, %[[S]], 184]
//       CHECK:   %[[O2:.*]] = attn.sdpa %[[Q]], %[[K]], %[[V2]] : {{.*}} -> tensor<?x4x?x184xf32>
//       CHECK:   %[[E:.*]] = tensor.empty({{.*}}) : tensor<?x4x?x600xf32>
//       CHECK:   tensor.insert_slice %[[O0]] into %[[E]][0, 0, 0, 0]
//       CHECK:   tensor.insert_slice %[[O1]] into %{{.*}}[0, 0, 0, 208]
//       CHECK:   %[[R:.*]] = tensor.insert_slice %[[O2]] into %{{.*}}[0, 0, 0, 416]
//       CHECK:   return %[[R]]

// NEVER-LABEL: func.func @ragged_dynamic
func.func @ragged_dynamic(%q: tensor<?x4x?x32xf32>, %k: tensor<?x4x?x32xf32>,
                          %v: tensor<?x4x?x600xf32>) -> tensor<?x4x?x600xf32> {
  %0 = attn.sdpa %q, %k, %v
      : tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>, tensor<?x4x?x600xf32>
      -> tensor<?x4x?x600xf32>
  return %0 : tensor<?x4x?x600xf32>
}

// -----

// Left as they are: Ev = 256 (the widest kept) and a dynamic Ev.

// CHECK-LABEL: func.func @narrow_enough
//       CHECK:   attn.sdpa {{.*}} -> tensor<1x2x10x256xf16>
//   CHECK-NOT:   tensor.extract_slice
func.func @narrow_enough(%q: tensor<1x2x10x64xf16>, %k: tensor<1x2x20x64xf16>,
                         %v: tensor<1x2x20x256xf16>) -> tensor<1x2x10x256xf16> {
  %0 = attn.sdpa %q, %k, %v
      : tensor<1x2x10x64xf16>, tensor<1x2x20x64xf16>, tensor<1x2x20x256xf16>
      -> tensor<1x2x10x256xf16>
  return %0 : tensor<1x2x10x256xf16>
}

// CHECK-LABEL: func.func @dynamic_value_dim
//       CHECK:   attn.sdpa {{.*}} -> tensor<1x2x10x?xf16>
//   CHECK-NOT:   tensor.extract_slice
func.func @dynamic_value_dim(%q: tensor<1x2x10x64xf16>, %k: tensor<1x2x20x64xf16>,
                             %v: tensor<1x2x20x?xf16>) -> tensor<1x2x10x?xf16> {
  %0 = attn.sdpa %q, %k, %v
      : tensor<1x2x10x64xf16>, tensor<1x2x20x64xf16>, tensor<1x2x20x?xf16>
      -> tensor<1x2x10x?xf16>
  return %0 : tensor<1x2x10x?xf16>
}
