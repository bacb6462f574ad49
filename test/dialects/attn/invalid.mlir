// RUN: sdpa-opt %s -split-input-file -verify-diagnostics

// One case per rule of attn.sdpa's verifier; each message names the operand
// and the dims involved.

func.func @query_rank(%q: tensor<16x64xf32>, %k: tensor<32x64xf32>, %v: tensor<32x64xf32>) -> (tensor<16x64xf32>) {
  // expected-error @+1 {{query must have rank >= 3 ([N..., Hq, L, E]), got rank 2}}
  %0 = attn.sdpa %q, %k, %v : tensor<16x64xf32>, tensor<32x64xf32>, tensor<32x64xf32> -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

// -----

func.func @key_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{key rank (3) must equal query rank (4)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @value_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<1x2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{value rank (5) must equal query rank (4)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<1x2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @query_element_type(%q: tensor<2x8x16x64xi32>, %k: tensor<2x8x32x64xi32>, %v: tensor<2x8x32x64xi32>) -> (tensor<2x8x16x64xi32>) {
  // expected-error @+1 {{query element type must be f16, bf16, f32 or f64, got 'i32'}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xi32>, tensor<2x8x32x64xi32>, tensor<2x8x32x64xi32> -> tensor<2x8x16x64xi32>
  return %0 : tensor<2x8x16x64xi32>
}

// -----

func.func @query_f8(%q: tensor<2x8x16x64xf8E4M3FN>, %k: tensor<2x8x32x64xf8E4M3FN>, %v: tensor<2x8x32x64xf8E4M3FN>) -> (tensor<2x8x16x64xf8E4M3FN>) {
  // expected-error @+1 {{query element type must be f16, bf16, f32 or f64, got 'f8E4M3FN'}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf8E4M3FN>, tensor<2x8x32x64xf8E4M3FN>, tensor<2x8x32x64xf8E4M3FN> -> tensor<2x8x16x64xf8E4M3FN>
  return %0 : tensor<2x8x16x64xf8E4M3FN>
}

// -----

func.func @key_element_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf16>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{key element type 'f16' must match query element type 'f32'}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf16>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @value_element_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xbf16>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{value element type 'bf16' must match query element type 'f32'}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xbf16> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @key_batch(%q: tensor<2x8x16x64xf32>, %k: tensor<3x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{key batch dim 0 (3) does not match query batch dim 0 (2)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<3x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @value_batch(%q: tensor<2x4x8x16x64xf32>, %k: tensor<2x4x8x32x64xf32>, %v: tensor<2x5x8x32x64xf32>) -> (tensor<2x4x8x16x64xf32>) {
  // expected-error @+1 {{value batch dim 1 (5) does not match query batch dim 1 (4)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x4x8x16x64xf32>, tensor<2x4x8x32x64xf32>, tensor<2x5x8x32x64xf32> -> tensor<2x4x8x16x64xf32>
  return %0 : tensor<2x4x8x16x64xf32>
}

// -----

func.func @value_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x4x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{value heads (4) must equal key heads (8)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x4x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @head_ratio(%q: tensor<2x12x16x64xf32>, %k: tensor<2x5x32x64xf32>, %v: tensor<2x5x32x64xf32>) -> (tensor<2x12x16x64xf32>) {
  // expected-error @+1 {{query heads (12) must be a multiple of key heads (5)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x12x16x64xf32>, tensor<2x5x32x64xf32>, tensor<2x5x32x64xf32> -> tensor<2x12x16x64xf32>
  return %0 : tensor<2x12x16x64xf32>
}

// -----

func.func @zero_key_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x0x32x64xf32>, %v: tensor<2x0x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{key heads must be positive, got 0}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x0x32x64xf32>, tensor<2x0x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @head_dim(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x32xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{key head dim E (32) must equal query head dim E (64)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x32xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @seq_len(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x100x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{value sequence length S (100) must equal key sequence length S (32)}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x100x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @mask_element_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %m: tensor<2x8x16x32xi8>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{mask element type must be i1 or a float type (f16, bf16, f32, f64), got 'i8'}}
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<2x8x16x32xi8>) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @mask_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %m: tensor<1x2x8x16x32xi1>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{mask rank (5) must not exceed the rank of [N..., Hq, L, S] (4)}}
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<1x2x8x16x32xi1>) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @mask_not_broadcastable(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %m: tensor<2x7x16x32xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{mask shape [2, 7, 16, 32] is not broadcastable to [N..., Hq, L, S] = [2, 8, 16, 32]: mask dim 1 (7) must be 1 or 8}}
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<2x7x16x32xf32>) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @mask_wrong_key_len(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %m: tensor<16x16xi1>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{mask shape [16, 16] is not broadcastable to [N..., Hq, L, S] = [2, 8, 16, 32]: mask dim 1 (16) must be 1 or 32}}
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<16x16xi1>) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @out_shape(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{result 'out' shape [2, 8, 16, 32] must be [N..., Hq, L, Ev] = [2, 8, 16, 64]}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x32xf32>
  return %0 : tensor<2x8x16x32xf32>
}

// -----

func.func @out_shape_ev(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x48xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{result 'out' shape [2, 8, 16, 64] must be [N..., Hq, L, Ev] = [2, 8, 16, 48]}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x48xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @out_element_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf16>) {
  // expected-error @+1 {{result 'out' element type 'f16' must be 'f32'}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf16>
  return %0 : tensor<2x8x16x64xf16>
}

// -----

func.func @scale_default_e0(%q: tensor<2x8x16x0xf32>, %k: tensor<2x8x32x0xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{the default scale 1/sqrt(E) needs a query head dim E > 0; give 'scale' explicitly}}
  %0 = attn.sdpa %q, %k, %v : tensor<2x8x16x0xf32>, tensor<2x8x32x0xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @window_entries(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{window must be [left, right], got 3 entries}}
  %0 = attn.sdpa %q, %k, %v window [4, 4, 4] align top_left : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @window_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{window sizes must be non-negative, got [-1, 0]}}
  %0 = attn.sdpa %q, %k, %v window [-1, 0] align top_left : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @causal_needs_align(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{'causal' and 'window' need an explicit 'align' (top_left or bottom_right)}}
  %0 = attn.sdpa %q, %k, %v causal : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @window_needs_align(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{'causal' and 'window' need an explicit 'align' (top_left or bottom_right)}}
  %0 = attn.sdpa %q, %k, %v window [4, 0] : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @align_alone(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{'align' has no effect without 'causal' or 'window'}}
  %0 = attn.sdpa %q, %k, %v align top_left : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @scale_inf(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{scale must be finite, got inf}}
  %0 = attn.sdpa %q, %k, %v scale 0x7FF0000000000000 : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @softcap_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{softcap must be positive and finite, got 0}}
  %0 = attn.sdpa %q, %k, %v softcap 0.0 : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @softcap_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{softcap must be positive and finite, got -5}}
  %0 = attn.sdpa %q, %k, %v softcap -5.0 : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @dropout_one(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %s: i64) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{dropout probability must be in [0, 1), got 1}}
  %0 = attn.sdpa %q, %k, %v dropout 1.0 seed(%s) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @dropout_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %s: i64) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{dropout probability must be in [0, 1), got -0.5}}
  %0 = attn.sdpa %q, %k, %v dropout -0.5 seed(%s) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @dropout_needs_seed(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{dropout probability 0.1 needs a 'seed' operand}}
  %0 = attn.sdpa %q, %k, %v dropout 0.1 : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @seed_without_dropout(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %s: i64) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{'seed' is given without 'dropout'}}
  %0 = attn.sdpa %q, %k, %v seed(%s) : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @lse_shape(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>, tensor<2x8x32xf32>) {
  // expected-error @+1 {{result 'lse' shape [2, 8, 32] must be [N..., Hq, L] = [2, 8, 16]}}
  %0, %1 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>, tensor<2x8x32xf32>
  return %0, %1 : tensor<2x8x16x64xf32>, tensor<2x8x32xf32>
}

// -----

func.func @lse_element_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>, tensor<2x8x16xf16>) {
  // expected-error @+1 {{result 'lse' element type 'f16' must be 'f32'}}
  %0, %1 = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32> -> tensor<2x8x16x64xf32>, tensor<2x8x16xf16>
  return %0, %1 : tensor<2x8x16x64xf32>, tensor<2x8x16xf16>
}

// -----

// The custom form cannot even spell an unranked operand; the generic form
// reaches the type constraints.
func.func @unranked_query(%q: tensor<*xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of any type values, but got 'tensor<*xf32>'}}
  %0 = "attn.sdpa"(%q, %k, %v) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}> : (tensor<*xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32>) -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}

// -----

func.func @seed_type(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x32x64xf32>, %v: tensor<2x8x32x64xf32>, %s: i32) -> (tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{operand #3 must be 64-bit signless integer, but got 'i32'}}
  %0 = "attn.sdpa"(%q, %k, %v, %s) <{dropout = 5.000000e-01 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>}> : (tensor<2x8x16x64xf32>, tensor<2x8x32x64xf32>, tensor<2x8x32x64xf32>, i32) -> tensor<2x8x16x64xf32>
  return %0 : tensor<2x8x16x64xf32>
}
