// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-tile="block-q=32 block-k=16"
// RUN: not sdpa-opt %s -split-input-file --attn-tile="block-q=-1 block-k=16" 2>&1 | FileCheck %s --check-prefix=NEGATIVE

// --attn-tile fails, with the reason on the op, for what it cannot tile.

// The default scale 1/sqrt(E) needs E; attn.block carries the resolved scale.
func.func @default_scale_dynamic_e(%q: tensor<2x4x64x?xf32>, %k: tensor<2x4x48x?xf32>, %v: tensor<2x4x48x16xf32>) -> tensor<2x4x64x16xf32> {
  // expected-error @+1 {{'attn.sdpa' op cannot tile: the default scale needs a static head dim; give 'scale' explicitly}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x4x64x?xf32>, tensor<2x4x48x?xf32>, tensor<2x4x48x16xf32> -> tensor<2x4x64x16xf32>
  return %0 : tensor<2x4x64x16xf32>
}

// -----

// With an explicit scale a dynamic E tiles (must not fail).
// The NEGATIVE run checks the option error instead: block-q must be
// positive, or 0.
// NEGATIVE: tile-errors.mlir:[[# @LINE + 2]]:8: error: 'attn.sdpa' op tile sizes must be positive (or 0: chosen by the head dim), got block-q = -1 and block-k = 16
func.func @explicit_scale_dynamic_e(%q: tensor<2x4x64x?xf32>, %k: tensor<2x4x48x?xf32>, %v: tensor<2x4x48x16xf32>) -> tensor<2x4x64x16xf32> {
  %0 = attn.sdpa %q, %k, %v scale 0.3 : tensor<2x4x64x?xf32>, tensor<2x4x48x?xf32>, tensor<2x4x48x16xf32> -> tensor<2x4x64x16xf32>
  return %0 : tensor<2x4x64x16xf32>
}
