// Rank-reducing slices that keep one unit dim and drop another, as exporters
// write them for a batch of 1: the query, key and value of a packed
// [B, L, 3, H, E] projection sliced to [B, L, H, E], and a KV-cache update
// inserting [B, H, E] rows at one position of [B, H, S, E]. On the CPU (whose
// arguments are views with dynamic strides) and in the CUDA emulator, every
// result is checked against the float64 reference.

// RUN: sdpa-run %s --entry=packed_qkv --random=1 --check | FileCheck %s
// RUN: sdpa-run %s --entry=cache_update --random=2 --check | FileCheck %s --check-prefix=THREE
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=packed_qkv --target=nvptx --emulate --random=1 --check | FileCheck %s %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=cache_update --target=nvptx --emulate --random=2 --check | FileCheck %s --check-prefix=THREE %}

// CHECK: check: result #0 rel_error={{.*}} ok
// CHECK-NOT: FAILED
// THREE: check: result #0 rel_error={{.*}} ok
// THREE: check: result #1 rel_error={{.*}} ok
// THREE: check: result #2 rel_error={{.*}} ok
// THREE-NOT: FAILED

func.func @packed_qkv(%qkv: tensor<1x100x3x4x80xbf16>) -> tensor<1x4x100x80xbf16> {
  %q0 = tensor.extract_slice %qkv[0, 0, 0, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<1x100x4x80xbf16>
  %k0 = tensor.extract_slice %qkv[0, 0, 1, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<1x100x4x80xbf16>
  %v0 = tensor.extract_slice %qkv[0, 0, 2, 0, 0] [1, 100, 1, 4, 80] [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<1x100x4x80xbf16>
  %e = tensor.empty() : tensor<1x4x100x80xbf16>
  %q = linalg.transpose ins(%q0 : tensor<1x100x4x80xbf16>) outs(%e : tensor<1x4x100x80xbf16>) permutation = [0, 2, 1, 3]
  %k = linalg.transpose ins(%k0 : tensor<1x100x4x80xbf16>) outs(%e : tensor<1x4x100x80xbf16>) permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v0 : tensor<1x100x4x80xbf16>) outs(%e : tensor<1x4x100x80xbf16>) permutation = [0, 2, 1, 3]
  %o = attn.sdpa %q, %k, %v causal align top_left : tensor<1x4x100x80xbf16>, tensor<1x4x100x80xbf16>, tensor<1x4x100x80xbf16> -> tensor<1x4x100x80xbf16>
  return %o : tensor<1x4x100x80xbf16>
}

// The new key and value rows written at position 40 of the caches, then
// one decode step over the first 41 positions; the updated caches are
// returned too.
func.func @cache_update(%q: tensor<1x8x1x32xf16>, %kc: tensor<1x8x64x32xf16>, %vc: tensor<1x8x64x32xf16>, %kn: tensor<1x8x32xf16>, %vn: tensor<1x8x32xf16>) -> (tensor<1x8x1x32xf16>, tensor<1x8x64x32xf16>, tensor<1x8x64x32xf16>) {
  %k2 = tensor.insert_slice %kn into %kc[0, 0, 40, 0] [1, 8, 1, 32] [1, 1, 1, 1] : tensor<1x8x32xf16> into tensor<1x8x64x32xf16>
  %v2 = tensor.insert_slice %vn into %vc[0, 0, 40, 0] [1, 8, 1, 32] [1, 1, 1, 1] : tensor<1x8x32xf16> into tensor<1x8x64x32xf16>
  %k = tensor.extract_slice %k2[0, 0, 0, 0] [1, 8, 41, 32] [1, 1, 1, 1] : tensor<1x8x64x32xf16> to tensor<1x8x41x32xf16>
  %v = tensor.extract_slice %v2[0, 0, 0, 0] [1, 8, 41, 32] [1, 1, 1, 1] : tensor<1x8x64x32xf16> to tensor<1x8x41x32xf16>
  %o = attn.sdpa %q, %k, %v : tensor<1x8x1x32xf16>, tensor<1x8x41x32xf16>, tensor<1x8x41x32xf16> -> tensor<1x8x1x32xf16>
  return %o, %k2, %v2 : tensor<1x8x1x32xf16>, tensor<1x8x64x32xf16>, tensor<1x8x64x32xf16>
}
