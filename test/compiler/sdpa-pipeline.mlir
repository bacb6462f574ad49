// RUN: sdpa-opt %s --sdpa-pipeline="target=cpu vector-bits=256 block-q=16 block-k=16" | FileCheck %s --implicit-check-not=attn. --implicit-check-not=math. --implicit-check-not=llvm.intr.exp --implicit-check-not=llvm.intr.log --implicit-check-not=unrealized_conversion_cast
// RUN: not sdpa-opt %s --sdpa-pipeline="target=gpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not sdpa-opt %s --pass-pipeline="builtin.module(sdpa-pipeline{target=tpu})" 2>&1 | FileCheck %s --check-prefix=TARGET-TEXT

// --sdpa-pipeline=target=cpu takes attn.sdpa down to the LLVM dialect: no
// attn op is left, f32 exp and log are polynomials rather than libm calls,
// the grid is a call into the runtime's thread pool through the hook
// global, and the entry point has a packed wrapper.

// CHECK: llvm.mlir.global external @__sdpa_parallel_for() {{.*}} : !llvm.ptr
// The kernel of the grid, and the function that launches it.
// CHECK-LABEL: llvm.func @attention_grid0(
// CHECK: vector<8xf32>
// The grid is 1 batch x 2 heads x ceil(40 / 16) = 3 query blocks = 6 blocks.
// CHECK-LABEL: llvm.func @attention(
// CHECK-DAG: %[[TRAMP:.*]] = llvm.mlir.addressof @attention_grid0_trampoline : !llvm.ptr
// CHECK-DAG: %[[HOOKADDR:.*]] = llvm.mlir.addressof @__sdpa_parallel_for : !llvm.ptr
// CHECK-DAG: %[[BLOCKS:.*]] = llvm.mlir.constant(6 : index) : i64
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>, struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>, struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>, struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>)>
// CHECK: %[[HOOK:.*]] = llvm.load %[[HOOKADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: llvm.call %[[HOOK]](%[[TRAMP]], %[[CTX]], %[[BLOCKS]]) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-LABEL: llvm.func @_mlir_ciface_attention(
// CHECK-LABEL: llvm.func internal @attention_grid0_trampoline(
// CHECK-SAME: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64)
// CHECK: llvm.call @attention_grid0(
// CHECK-LABEL: llvm.func @__sdpa_entry_attention(
// CHECK-SAME: !llvm.ptr)
// CHECK: llvm.call @_mlir_ciface_attention(
func.func @attention(%q: tensor<1x2x40x16xf32>, %k: tensor<1x1x40x16xf32>,
                     %v: tensor<1x1x40x16xf32>) -> tensor<1x2x40x16xf32>
    attributes {llvm.emit_c_interface} {
  %0 = attn.sdpa %q, %k, %v causal align top_left
      : tensor<1x2x40x16xf32>, tensor<1x1x40x16xf32>, tensor<1x1x40x16xf32>
      -> tensor<1x2x40x16xf32>
  return %0 : tensor<1x2x40x16xf32>
}

// Targets other than cpu are refused when the options are parsed.
// TARGET: for the --target option: Cannot find option named 'gpu'!
// TARGET-TEXT: for the --target option: Cannot find option named 'tpu'!
// TARGET-TEXT: error: failed to add `sdpa-pipeline` with options `target=tpu`
