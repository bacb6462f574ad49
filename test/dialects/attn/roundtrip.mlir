// RUN: sdpa-opt %s -split-input-file | FileCheck %s
// RUN: sdpa-opt %s -split-input-file -mlir-print-op-generic | sdpa-opt -split-input-file | FileCheck %s

// Every form of attn.sdpa prints back the way it was written.

// CHECK-LABEL: func @plain
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<2x8x128x64xf32>
func.func @plain(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                 %v: tensor<2x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>,
      tensor<2x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %0 : tensor<2x8x128x64xf32>
}

// -----

// No batch dims.
// CHECK-LABEL: func @no_batch
// CHECK: attn.sdpa {{.*}} : tensor<4x10x32xf16>, tensor<4x7x32xf16>, tensor<4x7x32xf16> -> tensor<4x10x32xf16>
func.func @no_batch(%q: tensor<4x10x32xf16>, %k: tensor<4x7x32xf16>,
                    %v: tensor<4x7x32xf16>) -> tensor<4x10x32xf16> {
  %0 = attn.sdpa %q, %k, %v : tensor<4x10x32xf16>, tensor<4x7x32xf16>,
      tensor<4x7x32xf16> -> tensor<4x10x32xf16>
  return %0 : tensor<4x10x32xf16>
}

// -----

// Two batch dims, bf16.
// CHECK-LABEL: func @two_batch_dims
// CHECK: attn.sdpa {{.*}} : tensor<3x2x4x16x8xbf16>, tensor<3x2x4x16x8xbf16>, tensor<3x2x4x16x8xbf16> -> tensor<3x2x4x16x8xbf16>
func.func @two_batch_dims(%q: tensor<3x2x4x16x8xbf16>, %k: tensor<3x2x4x16x8xbf16>,
                          %v: tensor<3x2x4x16x8xbf16>) -> tensor<3x2x4x16x8xbf16> {
  %0 = attn.sdpa %q, %k, %v : tensor<3x2x4x16x8xbf16>, tensor<3x2x4x16x8xbf16>,
      tensor<3x2x4x16x8xbf16> -> tensor<3x2x4x16x8xbf16>
  return %0 : tensor<3x2x4x16x8xbf16>
}

// -----

// GQA (32 query heads over 8 key/value heads), Ev != E, f64.
// CHECK-LABEL: func @gqa_ev_ne_e
// CHECK: attn.sdpa {{.*}} : tensor<1x32x5x128xf64>, tensor<1x8x9x128xf64>, tensor<1x8x9x96xf64> -> tensor<1x32x5x96xf64>
func.func @gqa_ev_ne_e(%q: tensor<1x32x5x128xf64>, %k: tensor<1x8x9x128xf64>,
                       %v: tensor<1x8x9x96xf64>) -> tensor<1x32x5x96xf64> {
  %0 = attn.sdpa %q, %k, %v : tensor<1x32x5x128xf64>, tensor<1x8x9x128xf64>,
      tensor<1x8x9x96xf64> -> tensor<1x32x5x96xf64>
  return %0 : tensor<1x32x5x96xf64>
}

// -----

// MQA: one key/value head.
// CHECK-LABEL: func @mqa
// CHECK: attn.sdpa {{.*}} : tensor<2x16x1x64xf16>, tensor<2x1x1000x64xf16>
func.func @mqa(%q: tensor<2x16x1x64xf16>, %k: tensor<2x1x1000x64xf16>,
               %v: tensor<2x1x1000x64xf16>) -> tensor<2x16x1x64xf16> {
  %0 = attn.sdpa %q, %k, %v : tensor<2x16x1x64xf16>, tensor<2x1x1000x64xf16>,
      tensor<2x1x1000x64xf16> -> tensor<2x16x1x64xf16>
  return %0 : tensor<2x16x1x64xf16>
}

// -----

// Boolean padding mask broadcast over heads and query rows.
// CHECK-LABEL: func @bool_mask
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}} : tensor<2x1x1x256xi1>) :
func.func @bool_mask(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                     %v: tensor<2x8x256x64xf32>, %m: tensor<2x1x1x256xi1>)
    -> tensor<2x8x128x64xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<2x1x1x256xi1>)
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32>
      -> tensor<2x8x128x64xf32>
  return %0 : tensor<2x8x128x64xf32>
}

// -----

// Additive float mask of lower rank, in another float type than the query.
// CHECK-LABEL: func @float_mask_low_rank
// CHECK: mask(%{{.*}} : tensor<128x256xf32>)
func.func @float_mask_low_rank(%q: tensor<2x8x128x64xf16>, %k: tensor<2x8x256x64xf16>,
                               %v: tensor<2x8x256x64xf16>, %m: tensor<128x256xf32>)
    -> tensor<2x8x128x64xf16> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<128x256xf32>)
      : tensor<2x8x128x64xf16>, tensor<2x8x256x64xf16>, tensor<2x8x256x64xf16>
      -> tensor<2x8x128x64xf16>
  return %0 : tensor<2x8x128x64xf16>
}

// -----

// CHECK-LABEL: func @causal_top_left
// CHECK: attn.sdpa {{.*}} causal align top_left :
func.func @causal_top_left(%q: tensor<1x4x64x32xf32>, %k: tensor<1x4x64x32xf32>,
                           %v: tensor<1x4x64x32xf32>) -> tensor<1x4x64x32xf32> {
  %0 = attn.sdpa %q, %k, %v causal align top_left
      : tensor<1x4x64x32xf32>, tensor<1x4x64x32xf32>, tensor<1x4x64x32xf32>
      -> tensor<1x4x64x32xf32>
  return %0 : tensor<1x4x64x32xf32>
}

// -----

// Chunked prefill: 16 new queries against 80 keys, causal from the bottom right.
// CHECK-LABEL: func @causal_bottom_right
// CHECK: attn.sdpa {{.*}} causal align bottom_right :
func.func @causal_bottom_right(%q: tensor<1x4x16x32xf32>, %k: tensor<1x4x80x32xf32>,
                               %v: tensor<1x4x80x32xf32>) -> tensor<1x4x16x32xf32> {
  %0 = attn.sdpa %q, %k, %v causal align bottom_right
      : tensor<1x4x16x32xf32>, tensor<1x4x80x32xf32>, tensor<1x4x80x32xf32>
      -> tensor<1x4x16x32xf32>
  return %0 : tensor<1x4x16x32xf32>
}

// -----

// Causal sliding window (Mistral style) with an explicit scale.
// CHECK-LABEL: func @causal_window
// CHECK: attn.sdpa {{.*}} causal window [4096, 0] align bottom_right scale 1.250000e-01 :
func.func @causal_window(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x8192x64xf32>,
                         %v: tensor<1x8x8192x64xf32>) -> tensor<1x8x1x64xf32> {
  %0 = attn.sdpa %q, %k, %v causal window [4096, 0] align bottom_right scale 0.125
      : tensor<1x8x1x64xf32>, tensor<1x8x8192x64xf32>, tensor<1x8x8192x64xf32>
      -> tensor<1x8x1x64xf32>
  return %0 : tensor<1x8x1x64xf32>
}

// -----

// A symmetric window without causal (local attention in an encoder).
// CHECK-LABEL: func @window_only
// CHECK: attn.sdpa {{.*}} window [128, 128] align top_left :
func.func @window_only(%q: tensor<1x8x512x64xf32>, %k: tensor<1x8x512x64xf32>,
                       %v: tensor<1x8x512x64xf32>) -> tensor<1x8x512x64xf32> {
  %0 = attn.sdpa %q, %k, %v window [128, 128] align top_left
      : tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>
      -> tensor<1x8x512x64xf32>
  return %0 : tensor<1x8x512x64xf32>
}

// -----

// Gemma-style soft-capping.
// CHECK-LABEL: func @softcap
// CHECK: attn.sdpa {{.*}} softcap 5.000000e+01 :
func.func @softcap(%q: tensor<1x8x16x64xbf16>, %k: tensor<1x8x16x64xbf16>,
                   %v: tensor<1x8x16x64xbf16>) -> tensor<1x8x16x64xbf16> {
  %0 = attn.sdpa %q, %k, %v softcap 50.0
      : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>
      -> tensor<1x8x16x64xbf16>
  return %0 : tensor<1x8x16x64xbf16>
}

// -----

// CHECK-LABEL: func @dropout
// CHECK: attn.sdpa {{.*}} dropout 1.000000e-01 seed(%{{.*}}) :
func.func @dropout(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>,
                   %v: tensor<2x8x16x64xf32>, %seed: i64) -> tensor<2x8x16x64xf32> {
  %0 = attn.sdpa %q, %k, %v dropout 0.1 seed(%seed)
      : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>
      -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

// dropout 0 with a seed is allowed (exporters pass the seed unconditionally).
// CHECK-LABEL: func @dropout_zero
// CHECK: attn.sdpa {{.*}} dropout 0.000000e+00 seed(%{{.*}}) :
func.func @dropout_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>,
                        %v: tensor<2x8x16x64xf32>, %seed: i64) -> tensor<2x8x16x64xf32> {
  %0 = attn.sdpa %q, %k, %v dropout 0.0 seed(%seed)
      : tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>
      -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

// The log-sum-exp as a second result.
// CHECK-LABEL: func @lse
// CHECK: %{{.*}}, %{{.*}} = attn.sdpa {{.*}} -> tensor<2x8x16x64xf16>, tensor<2x8x16xf32>
func.func @lse(%q: tensor<2x8x16x64xf16>, %k: tensor<2x8x32x64xf16>,
               %v: tensor<2x8x32x64xf16>) -> (tensor<2x8x16x64xf16>, tensor<2x8x16xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf16>, tensor<2x8x32x64xf16>,
      tensor<2x8x32x64xf16> -> tensor<2x8x16x64xf16>, tensor<2x8x16xf32>
  return %0, %1 : tensor<2x8x16x64xf16>, tensor<2x8x16xf32>
}

// -----

// Dynamic sizes: checked where static, left to run time elsewhere.
// CHECK-LABEL: func @dynamic
// CHECK: attn.sdpa {{.*}} mask(%{{.*}} : tensor<?x1x?x?xi1>) causal align bottom_right : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16> -> tensor<?x32x?x128xf16>
func.func @dynamic(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                   %v: tensor<?x8x?x128xf16>, %m: tensor<?x1x?x?xi1>)
    -> tensor<?x32x?x128xf16> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<?x1x?x?xi1>) causal align bottom_right
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %0 : tensor<?x32x?x128xf16>
}

// -----

// Everything at once.
// CHECK-LABEL: func @all_options
// CHECK: %{{.*}}, %{{.*}} = attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}} : tensor<1x1x16x48xf32>) causal window [8, 0] align bottom_right scale 2.500000e-01 softcap 3.000000e+01 dropout 2.000000e-01 seed(%{{.*}}) : tensor<1x4x16x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x24xf32> -> tensor<1x4x16x24xf32>, tensor<1x4x16xf32>
func.func @all_options(%q: tensor<1x4x16x16xf32>, %k: tensor<1x2x48x16xf32>,
                       %v: tensor<1x2x48x24xf32>, %m: tensor<1x1x16x48xf32>,
                       %seed: i64) -> (tensor<1x4x16x24xf32>, tensor<1x4x16xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v mask(%m : tensor<1x1x16x48xf32>) causal
      window [8, 0] align bottom_right scale 0.25 softcap 30.0 dropout 0.2 seed(%seed)
      : tensor<1x4x16x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x24xf32>
      -> tensor<1x4x16x24xf32>, tensor<1x4x16xf32>
  return %0, %1 : tensor<1x4x16x24xf32>, tensor<1x4x16xf32>
}
