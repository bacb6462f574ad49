// RUN: sdpa-opt %s -split-input-file --attn-online-softmax="vector-bits=256" | FileCheck %s --implicit-check-not=attn.block

// A split-K partial: f16 inputs, f32 out. The output is stored as
// accumulated, f32 scaled by 1 / l, without a round trip through f16.
// CHECK-LABEL: func @f16_partials
// CHECK: arith.divf
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}}, %arg3[%{{.*}}, %{{.*}}] : memref<4x48xf32>
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}}, %arg4[%{{.*}}] : memref<4xf32>
func.func @f16_partials(%q: memref<4x64xf16>, %k: memref<100x64xf16>, %v: memref<100x48xf16>, %o: memref<4x48xf32>, %lse: memref<4xf32>, %b: index, %e: index) {
  %c0 = arith.constant 0 : index
  attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%b, %e) scale 0.125 tiles [4, 32] outs(%o, %lse : memref<4x48xf32>, memref<4xf32>) : memref<4x64xf16>, memref<100x64xf16>, memref<100x48xf16>
  return
}

// -----

// The same block with an f16 out rounds once, at the store.
// CHECK-LABEL: func @f16_out
// CHECK: arith.divf
// CHECK: %[[H:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK-NEXT: memref.store %[[H]], %arg3[%{{.*}}, %{{.*}}] : memref<4x48xf16>
func.func @f16_out(%q: memref<4x64xf16>, %k: memref<100x64xf16>, %v: memref<100x48xf16>, %o: memref<4x48xf16>, %lse: memref<4xf32>, %b: index, %e: index) {
  %c0 = arith.constant 0 : index
  attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %c0) keys(%b, %e) scale 0.125 tiles [4, 32] outs(%o, %lse : memref<4x48xf16>, memref<4xf32>) : memref<4x64xf16>, memref<100x64xf16>, memref<100x48xf16>
  return
}
