// One buffer reaching several results: the attention output returned
// twice, and next to a reshape of itself. Each result becomes its own
// out-parameter (the later ones copied), on the CPU and in the CUDA
// emulator; every result is checked against the float64 reference.
// RUN: rm -rf %t && mkdir -p %t

// RUN: sdpa-run %s --entry=returned_twice --random=1 --check | FileCheck %s --check-prefix=TWO
// RUN: sdpa-run %s --entry=returned_with_view --random=2 --check | FileCheck %s --check-prefix=TWO
// RUN: sdpa-run %s --entry=returned_twice_lse --random=3 --check | FileCheck %s --check-prefix=THREE
// TWO: check: result #0 rel_error={{.*}} ok
// TWO: check: result #1 rel_error={{.*}} ok
// TWO-NOT: FAILED
// THREE: check: result #0 rel_error={{.*}} ok
// THREE: check: result #1 rel_error={{.*}} ok
// THREE: check: result #2 rel_error={{.*}} ok
// THREE-NOT: FAILED

// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=returned_twice --target=nvptx --emulate --random=1 --check | FileCheck %s --check-prefix=TWO %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=returned_with_view --target=nvptx --emulate --random=2 --check | FileCheck %s --check-prefix=TWO %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=returned_twice_lse --target=nvptx --emulate --random=3 --check | FileCheck %s --check-prefix=THREE %}

func.func @returned_twice(%q: tensor<2x4x19x32xf16>, %k: tensor<2x2x27x32xf16>, %v: tensor<2x2x27x16xf16>) -> (tensor<2x4x19x16xf16>, tensor<2x4x19x16xf16>) {
  %o = attn.sdpa %q, %k, %v causal align bottom_right : tensor<2x4x19x32xf16>, tensor<2x2x27x32xf16>, tensor<2x2x27x16xf16> -> tensor<2x4x19x16xf16>
  return %o, %o : tensor<2x4x19x16xf16>, tensor<2x4x19x16xf16>
}

func.func @returned_with_view(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x300x64xf32>, %v: tensor<1x2x300x64xf32>) -> (tensor<1x512xf32>, tensor<1x8x1x64xf32>) {
  %o = attn.sdpa %q, %k, %v : tensor<1x8x1x64xf32>, tensor<1x2x300x64xf32>, tensor<1x2x300x64xf32> -> tensor<1x8x1x64xf32>
  %flat = tensor.collapse_shape %o [[0], [1, 2, 3]] : tensor<1x8x1x64xf32> into tensor<1x512xf32>
  return %flat, %o : tensor<1x512xf32>, tensor<1x8x1x64xf32>
}

func.func @returned_twice_lse(%q: tensor<1x2x33x16xbf16>, %k: tensor<1x2x33x16xbf16>, %v: tensor<1x2x33x16xbf16>) -> (tensor<1x2x33x16xbf16>, tensor<1x2x33xf32>, tensor<1x2x33xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v causal align top_left : tensor<1x2x33x16xbf16>, tensor<1x2x33x16xbf16>, tensor<1x2x33x16xbf16> -> tensor<1x2x33x16xbf16>, tensor<1x2x33xf32>
  return %o, %lse, %lse : tensor<1x2x33x16xbf16>, tensor<1x2x33xf32>, tensor<1x2x33xf32>
}
