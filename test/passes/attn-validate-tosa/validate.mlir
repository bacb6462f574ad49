// RUN: sdpa-opt %s -split-input-file --attn-validate-tosa -verify-diagnostics | FileCheck %s

// Dynamic dims without a named target are valid (TOSA 1.1), and the
// module is left without a target.
// CHECK-NOT: tosa.target_env
// CHECK-LABEL: func.func @dynamic
// CHECK: tosa.add
func.func @dynamic(%a: tensor<?x?xf32>, %b: tensor<?x1xf32>) -> tensor<?x?xf32> {
  %0 = tosa.add %a, %b : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----
// A module that names TOSA 1.0 is validated against it: dynamic dims fail
// its level check.
module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0", level = "8k", profiles = [pro_int, pro_fp], extensions = [bf16]>} {
  func.func @named_target(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
    // expected-error@+1 {{operand shape dimension cannot be dynamic when targeting TOSA specification version 1.0}}
    %0 = tosa.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}

// -----
// Validation still refuses what TOSA 1.1 refuses: a rank above the level's
// maximum.
func.func @too_high_rank(%a: tensor<1x1x1x1x1x1x1x2xf32>) -> tensor<1x1x1x1x1x1x1x2xf32> {
  // expected-error@+1 {{failed level check}}
  %0 = tosa.exp %a : (tensor<1x1x1x1x1x1x1x2xf32>) -> tensor<1x1x1x1x1x1x1x2xf32>
  return %0 : tensor<1x1x1x1x1x1x1x2xf32>
}

// -----
// A module that names a target keeps it.
// CHECK: module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0"
// CHECK-LABEL: func.func @static_named
module attributes {tosa.target_env = #tosa.target_env<specification_version = "1.0", level = "8k", profiles = [pro_int, pro_fp], extensions = [bf16]>} {
  func.func @static_named(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
    %0 = tosa.exp %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
    return %0 : tensor<2x4xf32>
  }
}

// -----
// A module without TOSA is not touched.
// CHECK-NOT: tosa.target_env
// CHECK-LABEL: func.func @no_tosa
func.func @no_tosa(%a: tensor<?xf32>) -> tensor<?xf32> {
  return %a : tensor<?xf32>
}
