// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-merge-gpu-modules | FileCheck %s

// Two outlined kernels with the same name end up in the first module; the
// second takes its old module's name and its launch follows it.
// CHECK-LABEL: func.func @two
// CHECK: gpu.launch_func @f_kernel::@f_kernel
// CHECK: gpu.launch_func @f_kernel::@f_kernel_0
// CHECK: gpu.module @f_kernel
// CHECK-DAG: gpu.func @f_kernel(
// CHECK-DAG: gpu.func @f_kernel_0(
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @two(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %x = memref.load %arg0[%c0] : memref<4xf32>
      memref.store %x, %arg0[%c0] : memref<4xf32>
      gpu.return
    }
  }
}

// -----

// Different targets cannot share a PTX module.
module attributes {gpu.container_module} {
  gpu.module @a [#nvvm.target<chip = "sm_80">] {
  }
  // expected-error @+1 {{'gpu.module' op has other targets than @a; cannot merge them}}
  gpu.module @b [#nvvm.target<chip = "sm_90">] {
  }
}
