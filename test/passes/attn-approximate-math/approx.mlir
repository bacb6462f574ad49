// RUN: sdpa-opt %s -split-input-file --attn-approximate-math | FileCheck %s

// f32 exp, tanh and log, on scalars and vectors, become polynomial
// approximations (arith ops and math.fma, which LLVM lowers to an
// instruction); f64 stays with libm.

// CHECK-LABEL: func @exp_f32
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: math.fma
// CHECK-NOT: math.exp
// CHECK: return %{{.*}} : f32
func.func @exp_f32(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func @exp_vector_f32
// CHECK-NOT: math.exp
// CHECK: arith.mulf %{{.*}} : vector<8xf32>
// CHECK: math.fma
// CHECK-NOT: math.exp
// CHECK: return %{{.*}} : vector<8xf32>
func.func @exp_vector_f32(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.exp %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// -----

// CHECK-LABEL: func @tanh_f32
// CHECK-NOT: math.tanh
// CHECK: math.fma
// CHECK: arith.divf
// CHECK-NOT: math.tanh
// CHECK: return %{{.*}} : f32
func.func @tanh_f32(%x: f32) -> f32 {
  %0 = math.tanh %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func @tanh_vector_f32
// CHECK-NOT: math.tanh
// CHECK: math.fma %{{.*}} : vector<16xf32>
// CHECK: arith.divf %{{.*}} : vector<16xf32>
// CHECK-NOT: math.tanh
// CHECK: return %{{.*}} : vector<16xf32>
func.func @tanh_vector_f32(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.tanh %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// CHECK-LABEL: func @log_f32
// CHECK-NOT: math.log
// CHECK: arith.mulf
// CHECK: math.fma
// CHECK-NOT: math.log
// CHECK: return %{{.*}} : f32
func.func @log_f32(%x: f32) -> f32 {
  %0 = math.log %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func @log_vector_f32
// CHECK-NOT: math.log
// CHECK: arith.mulf %{{.*}} : vector<4xf32>
// CHECK: math.fma
// CHECK-NOT: math.log
// CHECK: return %{{.*}} : vector<4xf32>
func.func @log_vector_f32(%x: vector<4xf32>) -> vector<4xf32> {
  %0 = math.log %x : vector<4xf32>
  return %0 : vector<4xf32>
}

// -----

// Must not fire: f64 is left to libm, scalar or vector.
// CHECK-LABEL: func @f64_untouched
// CHECK-NEXT: %[[E:.*]] = math.exp %{{.*}} : f64
// CHECK-NEXT: %[[T:.*]] = math.tanh %{{.*}} : vector<4xf64>
// CHECK-NEXT: %[[L:.*]] = math.log %{{.*}} : f64
// CHECK-NEXT: return %[[E]], %[[T]], %[[L]]
func.func @f64_untouched(%x: f64, %y: vector<4xf64>) -> (f64, vector<4xf64>, f64) {
  %0 = math.exp %x : f64
  %1 = math.tanh %y : vector<4xf64>
  %2 = math.log %x : f64
  return %0, %1, %2 : f64, vector<4xf64>, f64
}

// -----

// Must not fire: other math ops are not approximated by this pass.
// CHECK-LABEL: func @other_math_untouched
// CHECK-NEXT: math.sin %{{.*}} : f32
// CHECK-NEXT: math.sqrt %{{.*}} : f32
func.func @other_math_untouched(%x: f32) -> (f32, f32) {
  %0 = math.sin %x : f32
  %1 = math.sqrt %x : f32
  return %0, %1 : f32, f32
}
