// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-emulation-entry-points | FileCheck %s

// The entry point loads each argument through the pointer cuLaunchKernel
// passes for it, in order, and calls the body, which becomes internal.
// CHECK-LABEL: llvm.func internal @__sdpa_emu_body_k(%{{.*}}: !llvm.ptr, %{{.*}}: i32, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @__sdpa_emu_kernel_k(
// CHECK-SAME: %[[PARAMS:.*]]: !llvm.ptr)
// CHECK: %[[SLOT0:.*]] = llvm.getelementptr %[[PARAMS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[ADDR0:.*]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ARG0:.*]] = llvm.load %[[ADDR0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[SLOT1:.*]] = llvm.getelementptr %[[PARAMS]][1]
// CHECK: %[[ADDR1:.*]] = llvm.load %[[SLOT1]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ARG1:.*]] = llvm.load %[[ADDR1]] : !llvm.ptr -> i32
// CHECK: %[[SLOT2:.*]] = llvm.getelementptr %[[PARAMS]][2]
// CHECK: %[[ADDR2:.*]] = llvm.load %[[SLOT2]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ARG2:.*]] = llvm.load %[[ADDR2]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @__sdpa_emu_body_k(%[[ARG0]], %[[ARG1]], %[[ARG2]])
// CHECK: llvm.return
// Declarations and other functions are left alone.
// CHECK-LABEL: llvm.func @__sdpa_emu_barrier()
// CHECK-NOT: __sdpa_emu_kernel_
module {
  llvm.func @__sdpa_emu_body_k(%in: !llvm.ptr, %n: i32, %out: !llvm.ptr) {
    llvm.return
  }
  llvm.func @__sdpa_emu_barrier()
}

// -----

module {
  // expected-error @below {{'llvm.func' op is not a kernel body: kernels return nothing and take a fixed list of arguments}}
  llvm.func @__sdpa_emu_body_bad(%in: !llvm.ptr) -> i32 {
    %c = llvm.mlir.constant(0 : i32) : i32
    llvm.return %c : i32
  }
}
