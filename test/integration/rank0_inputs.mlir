// Scalars and rank-0 tensors among the inputs, as exporters write a scale
// known only at run time: a scalar reaches a GPU kernel by value, a rank-0
// tensor through a pointer to its one element (the runtime copies it to the
// device). On the CPU and in the CUDA emulator, every result is checked
// against the float64 reference.

// RUN: sdpa-run %s --entry=prescaled_by_tensor --random=1 --check | FileCheck %s
// RUN: sdpa-run %s --entry=scalar_and_tensor --random=2 --check | FileCheck %s
// RUN: sdpa-run %s --entry=decode_tensor_scale --random=3 --check | FileCheck %s
// RUN: sdpa-run %s --entry=tensor_returned --random=4 --check | FileCheck %s --check-prefix=TWO
// RUN: sdpa-run %s --entry=extracted_scalars --random=5 --check | FileCheck %s

// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=prescaled_by_tensor --target=nvptx --emulate --random=1 --check | FileCheck %s %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=scalar_and_tensor --target=nvptx --emulate --random=2 --check | FileCheck %s %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=decode_tensor_scale --target=nvptx --emulate --random=3 --check | FileCheck %s %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=tensor_returned --target=nvptx --emulate --random=4 --check | FileCheck %s --check-prefix=TWO %}
// RUN: %if cuda-toolkit %{ sdpa-run %s --entry=extracted_scalars --target=nvptx --emulate --random=5 --check | FileCheck %s %}

// The manifest says which kernel argument is a pointer (in<k>) and which a
// value (val<k>).
// RUN: %if cuda-toolkit %{ rm -rf %t && sdpa-compile %s --entry=scalar_and_tensor --target=nvptx --emulate -o %t && FileCheck %s --check-prefix=MANIFEST < %t/manifest.txt %}

// CHECK: check: result #0 rel_error={{.*}} ok
// CHECK-NOT: FAILED
// TWO: check: result #0 rel_error={{.*}} ok
// TWO: check: result #1 rel_error={{.*}} ok
// TWO-NOT: FAILED

// MANIFEST: input f32 scalar
// MANIFEST-NEXT: input f32 scalar
// MANIFEST: launch {{.*}} args in0 in4 val3 buf0
// MANIFEST-NOT: val4
// MANIFEST-NOT: in3

#ew4 = affine_map<(b, h, i, e) -> (b, h, i, e)>
#any4 = affine_map<(b, h, i, e) -> ()>

// Q multiplied by a rank-0 f16 tensor before a causal GQA attention.
func.func @prescaled_by_tensor(%q: tensor<2x4x37x64xf16>, %k: tensor<2x2x45x64xf16>, %v: tensor<2x2x45x64xf16>, %s: tensor<f16>) -> tensor<2x4x37x64xf16> {
  %e = tensor.empty() : tensor<2x4x37x64xf16>
  %qs = linalg.generic {indexing_maps = [#ew4, #any4, #ew4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q, %s : tensor<2x4x37x64xf16>, tensor<f16>) outs(%e : tensor<2x4x37x64xf16>) {
    ^bb0(%a: f16, %b: f16, %c: f16):
      %m = arith.mulf %a, %b : f16
      linalg.yield %m : f16
    } -> tensor<2x4x37x64xf16>
  %o = attn.sdpa %qs, %k, %v causal align bottom_right : tensor<2x4x37x64xf16>, tensor<2x2x45x64xf16>, tensor<2x2x45x64xf16> -> tensor<2x4x37x64xf16>
  return %o : tensor<2x4x37x64xf16>
}

// A scalar and a rank-0 tensor side by side: Q times both, and the rank-0
// tensor added to the output.
func.func @scalar_and_tensor(%q: tensor<1x2x21x32xf32>, %k: tensor<1x2x30x32xf32>, %v: tensor<1x2x30x32xf32>, %s: f32, %t: tensor<f32>) -> tensor<1x2x21x32xf32> {
  %e = tensor.empty() : tensor<1x2x21x32xf32>
  %qs = linalg.generic {indexing_maps = [#ew4, #any4, #ew4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q, %t : tensor<1x2x21x32xf32>, tensor<f32>) outs(%e : tensor<1x2x21x32xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %m = arith.mulf %a, %b : f32
      %n = arith.mulf %m, %s : f32
      linalg.yield %n : f32
    } -> tensor<1x2x21x32xf32>
  %o = attn.sdpa %qs, %k, %v : tensor<1x2x21x32xf32>, tensor<1x2x30x32xf32>, tensor<1x2x30x32xf32> -> tensor<1x2x21x32xf32>
  %e2 = tensor.empty() : tensor<1x2x21x32xf32>
  %r = linalg.generic {indexing_maps = [#ew4, #any4, #ew4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %t : tensor<1x2x21x32xf32>, tensor<f32>) outs(%e2 : tensor<1x2x21x32xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    } -> tensor<1x2x21x32xf32>
  return %r : tensor<1x2x21x32xf32>
}

// A decode step (split over the keys) whose query is scaled by a rank-0 bf16
// tensor.
func.func @decode_tensor_scale(%q: tensor<1x8x1x64xbf16>, %k: tensor<1x2x700x64xbf16>, %v: tensor<1x2x700x64xbf16>, %s: tensor<bf16>) -> tensor<1x8x1x64xbf16> {
  %e = tensor.empty() : tensor<1x8x1x64xbf16>
  %qs = linalg.generic {indexing_maps = [#ew4, #any4, #ew4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q, %s : tensor<1x8x1x64xbf16>, tensor<bf16>) outs(%e : tensor<1x8x1x64xbf16>) {
    ^bb0(%a: bf16, %b: bf16, %c: bf16):
      %m = arith.mulf %a, %b : bf16
      linalg.yield %m : bf16
    } -> tensor<1x8x1x64xbf16>
  %o = attn.sdpa %qs, %k, %v : tensor<1x8x1x64xbf16>, tensor<1x2x700x64xbf16>, tensor<1x2x700x64xbf16> -> tensor<1x8x1x64xbf16>
  return %o : tensor<1x8x1x64xbf16>
}

// A rank-0 input returned as it is, next to the attention output.
func.func @tensor_returned(%q: tensor<1x1x9x16xf32>, %k: tensor<1x1x9x16xf32>, %v: tensor<1x1x9x16xf32>, %t: tensor<f32>) -> (tensor<1x1x9x16xf32>, tensor<f32>) {
  %o = attn.sdpa %q, %k, %v causal align top_left : tensor<1x1x9x16xf32>, tensor<1x1x9x16xf32>, tensor<1x1x9x16xf32> -> tensor<1x1x9x16xf32>
  return %o, %t : tensor<1x1x9x16xf32>, tensor<f32>
}

// The scale extracted from a rank-0 tensor and from a one-element vector,
// used as scalars (as importers write `x / t.item()`): on the GPU the
// generics read the tensors themselves, inside the kernel.
func.func @extracted_scalars(%q: tensor<1x3x19x32xf16>, %k: tensor<1x3x26x32xf16>, %v: tensor<1x3x26x32xf16>, %t: tensor<f16>, %u: tensor<1xf32>) -> tensor<1x3x19x32xf16> {
  %c0 = arith.constant 0 : index
  %s = tensor.extract %t[] : tensor<f16>
  %w = tensor.extract %u[%c0] : tensor<1xf32>
  %e = tensor.empty() : tensor<1x3x19x32xf16>
  %qs = linalg.generic {indexing_maps = [#ew4, #ew4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<1x3x19x32xf16>) outs(%e : tensor<1x3x19x32xf16>) {
    ^bb0(%a: f16, %c: f16):
      %d = arith.divf %a, %s : f16
      linalg.yield %d : f16
    } -> tensor<1x3x19x32xf16>
  %o = attn.sdpa %qs, %k, %v causal align bottom_right : tensor<1x3x19x32xf16>, tensor<1x3x26x32xf16>, tensor<1x3x26x32xf16> -> tensor<1x3x19x32xf16>
  %e2 = tensor.empty() : tensor<1x3x19x32xf16>
  %r = linalg.generic {indexing_maps = [#ew4, #ew4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o : tensor<1x3x19x32xf16>) outs(%e2 : tensor<1x3x19x32xf16>) {
    ^bb0(%a: f16, %c: f16):
      %x = arith.extf %a : f16 to f32
      %m = arith.mulf %x, %w : f32
      %y = arith.truncf %m : f32 to f16
      linalg.yield %y : f16
    } -> tensor<1x3x19x32xf16>
  return %r : tensor<1x3x19x32xf16>
}
