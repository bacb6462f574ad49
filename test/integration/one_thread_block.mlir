// Attention whose grid is one point (one batch, one head, one query block):
// canonicalization folds the grid away, and the GPU path still gives the
// lone attn.block a launch of its own. On the CPU and in the CUDA emulator,
// every result is checked against the float64 reference.

// RUN: sdpa-run %s --entry=one_block_f16_lse --random=1 --check | FileCheck %s --check-prefix=TWO
// RUN: sdpa-run %s --entry=one_block_bf16_window --random=2 --check | FileCheck %s
// RUN: sdpa-run %s --entry=one_block_f32 --random=3 --check | FileCheck %s

// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=one_block_f16_lse --target=nvptx --emulate --random=1 --check | FileCheck %s --check-prefix=TWO %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=one_block_bf16_window --target=nvptx --emulate --random=2 --check | FileCheck %s %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=one_block_f32 --target=nvptx --emulate --random=3 --check | FileCheck %s %}

// CHECK: check: result #0 rel_error={{.*}} ok
// CHECK-NOT: FAILED
// TWO: check: result #0 rel_error={{.*}} ok
// TWO: check: result #1 rel_error={{.*}} ok
// TWO-NOT: FAILED

func.func @one_block_f16_lse(%q: tensor<1x1x40x64xf16>, %k: tensor<1x1x77x64xf16>, %v: tensor<1x1x77x64xf16>) -> (tensor<1x1x40x64xf16>, tensor<1x1x40xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v causal align bottom_right : tensor<1x1x40x64xf16>, tensor<1x1x77x64xf16>, tensor<1x1x77x64xf16> -> tensor<1x1x40x64xf16>, tensor<1x1x40xf32>
  return %o, %lse : tensor<1x1x40x64xf16>, tensor<1x1x40xf32>
}

func.func @one_block_bf16_window(%q: tensor<1x1x23x32xbf16>, %k: tensor<1x1x23x32xbf16>, %v: tensor<1x1x23x48xbf16>) -> tensor<1x1x23x48xbf16> {
  %o = attn.sdpa %q, %k, %v window [5, 0] align top_left : tensor<1x1x23x32xbf16>, tensor<1x1x23x32xbf16>, tensor<1x1x23x48xbf16> -> tensor<1x1x23x48xbf16>
  return %o : tensor<1x1x23x48xbf16>
}

func.func @one_block_f32(%q: tensor<1x9x16xf32>, %k: tensor<1x9x16xf32>, %v: tensor<1x9x16xf32>) -> tensor<1x9x16xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<1x9x16xf32>, tensor<1x9x16xf32>, tensor<1x9x16xf32> -> tensor<1x9x16xf32>
  return %o : tensor<1x9x16xf32>
}
