// RUN: sdpa-opt %s -split-input-file --attn-lower-cpu-launch | FileCheck %s

// A module without attn.launch (a one-block grid folded away, or a graph the
// pipeline did not turn into attention) still defines the hook the runtime
// sets in every artifact, next to its packed entry.
// CHECK: llvm.mlir.global external @__sdpa_parallel_for() {{.*}} : !llvm.ptr {
// CHECK-NEXT: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.return %[[NULL]] : !llvm.ptr
// CHECK: llvm.func @_mlir_ciface_f(
// CHECK: llvm.func @__sdpa_entry_f(
llvm.func @_mlir_ciface_f(%d: !llvm.ptr) {
  llvm.return
}

// -----

// Without an entry there is no artifact, and no hook.
// CHECK: // -----
// CHECK-NOT: __sdpa_parallel_for
// CHECK: llvm.func @helper(
// CHECK-NOT: __sdpa_parallel_for
llvm.func @helper(%d: !llvm.ptr) {
  llvm.return
}
