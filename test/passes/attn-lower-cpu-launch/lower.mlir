// RUN: sdpa-opt %s --attn-lower-cpu-launch | FileCheck %s --implicit-check-not=attn.launch

// Each attn.launch (here already in an LLVM-dialect module, its operands
// cast back from their LLVM values as the conversions leave them) packs its
// captures into a stack struct and calls the runtime's hook
// __sdpa_parallel_for through a global, with a trampoline that unpacks the
// struct into the kernel's arguments. Every _mlir_ciface_ function gets a
// packed entry __sdpa_entry_<name>(void **).

// One hook global, null until the runtime sets it.
// CHECK: llvm.mlir.global external @__sdpa_parallel_for() {{.*}} : !llvm.ptr {
// CHECK-NEXT: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.return %[[NULL]] : !llvm.ptr
// CHECK-NOT: @__sdpa_parallel_for()
llvm.func @k_grid0(%p0: !llvm.ptr, %p1: !llvm.ptr, %off: i64, %s0: i64, %st0: i64, %x: f32, %begin: i64, %end: i64) {
  llvm.return
}

// CHECK-LABEL: llvm.func @k(
// CHECK-SAME: %[[D:[^:]*]]: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, %[[X:[^:]*]]: f32, %[[N:[^:]*]]: i64)
// CHECK: %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT: %[[CTX:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, f32)> : (i64) -> !llvm.ptr
// CHECK-NEXT: %[[P0:.*]] = llvm.mlir.poison : !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, f32)>
// CHECK-NEXT: %[[P1:.*]] = llvm.insertvalue %[[D]], %[[P0]][0]
// CHECK-NEXT: %[[P2:.*]] = llvm.insertvalue %[[X]], %[[P1]][1]
// CHECK-NEXT: llvm.store %[[P2]], %[[CTX]]
// CHECK-NEXT: %[[HOOKADDR:.*]] = llvm.mlir.addressof @__sdpa_parallel_for : !llvm.ptr
// CHECK-NEXT: %[[HOOK:.*]] = llvm.load %[[HOOKADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[TRAMP:.*]] = llvm.mlir.addressof @k_grid0_trampoline : !llvm.ptr
// CHECK-NEXT: llvm.call %[[HOOK]](%[[TRAMP]], %[[CTX]], %[[N]]) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-NEXT: llvm.return
llvm.func @k(%d: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, %x: f32, %n: i64) {
  %m = builtin.unrealized_conversion_cast %d : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xf32>
  %blocks = builtin.unrealized_conversion_cast %n : i64 to index
  attn.launch @k_grid0(%m, %x) blocks(%blocks) : (memref<?xf32>, f32) -> ()
  llvm.return
}

// A second launch of the same kernel reuses its trampoline and the hook.
// CHECK-LABEL: llvm.func @k_again(
// CHECK: llvm.mlir.addressof @__sdpa_parallel_for
// CHECK: llvm.mlir.addressof @k_grid0_trampoline
llvm.func @k_again(%d: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, %x: f32, %n: i64) {
  %m = builtin.unrealized_conversion_cast %d : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xf32>
  %blocks = builtin.unrealized_conversion_cast %n : i64 to index
  attn.launch @k_grid0(%m, %x) blocks(%blocks) : (memref<?xf32>, f32) -> ()
  llvm.return
}

// CHECK-LABEL: llvm.func @_mlir_ciface_k(
llvm.func @_mlir_ciface_k(%d: !llvm.ptr, %x: f32, %n: i64) {
  llvm.return
}

// A declared (external) C interface gets no entry.
// CHECK: llvm.func @_mlir_ciface_external(!llvm.ptr)
llvm.func @_mlir_ciface_external(%d: !llvm.ptr)

// The trampoline: unpack the memref descriptor into its fields and pass the
// scalar as it is, then (begin, end).
// CHECK-LABEL: llvm.func internal @k_grid0_trampoline(
// CHECK-SAME: %[[C:[^:]*]]: !llvm.ptr, %[[BEGIN:[^:]*]]: i64, %[[END:[^:]*]]: i64)
// CHECK-NEXT: %[[S:.*]] = llvm.load %[[C]] : !llvm.ptr -> !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, f32)>
// CHECK-NEXT: %[[DESC:.*]] = llvm.extractvalue %[[S]][0]
// CHECK-NEXT: %[[ALLOC:.*]] = llvm.extractvalue %[[DESC]][0]
// CHECK-NEXT: %[[ALIGNED:.*]] = llvm.extractvalue %[[DESC]][1]
// CHECK-NEXT: %[[OFF:.*]] = llvm.extractvalue %[[DESC]][2]
// CHECK-NEXT: %[[SIZE:.*]] = llvm.extractvalue %[[DESC]][3, 0]
// CHECK-NEXT: %[[STRIDE:.*]] = llvm.extractvalue %[[DESC]][4, 0]
// CHECK-NEXT: %[[SCALAR:.*]] = llvm.extractvalue %[[S]][1]
// CHECK-NEXT: llvm.call @k_grid0(%[[ALLOC]], %[[ALIGNED]], %[[OFF]], %[[SIZE]], %[[STRIDE]], %[[SCALAR]], %[[BEGIN]], %[[END]]) : (!llvm.ptr, !llvm.ptr, i64, i64, i64, f32, i64, i64) -> ()
// CHECK-NEXT: llvm.return
// CHECK-NOT: @k_grid0_trampoline(

// The packed entry: args[k] points to a memref descriptor, passed on as it
// is, or for a scalar to a rank-0 descriptor, whose element is loaded at
// aligned pointer + offset.
// CHECK-LABEL: llvm.func @__sdpa_entry_k(
// CHECK-SAME: %[[ARGS:[^:]*]]: !llvm.ptr)
// CHECK: %[[SLOT0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[DESC0:.*]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[SLOT1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[DESC1:.*]] = llvm.load %[[SLOT1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[ALIGNEDP:.*]] = llvm.getelementptr %[[DESC1]][0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr, i64)>
// CHECK-NEXT: %[[OFFP:.*]] = llvm.getelementptr %[[DESC1]][0, 2] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr, i64)>
// CHECK-NEXT: %[[ALIGNED:.*]] = llvm.load %[[ALIGNEDP]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[OFF:.*]] = llvm.load %[[OFFP]] : !llvm.ptr -> i64
// CHECK-NEXT: %[[ELEM:.*]] = llvm.getelementptr %[[ALIGNED]][%[[OFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK-NEXT: %[[X:.*]] = llvm.load %[[ELEM]] : !llvm.ptr -> f32
// CHECK-NEXT: %[[SLOT2:.*]] = llvm.getelementptr %[[ARGS]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[NP:.*]] = llvm.getelementptr %{{.*}}[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, i64
// CHECK-NEXT: %[[N:.*]] = llvm.load %[[NP]] : !llvm.ptr -> i64
// CHECK-NEXT: llvm.call @_mlir_ciface_k(%[[DESC0]], %[[X]], %[[N]]) : (!llvm.ptr, f32, i64) -> ()
// CHECK-NEXT: llvm.return
// CHECK-NOT: @__sdpa_entry_external
