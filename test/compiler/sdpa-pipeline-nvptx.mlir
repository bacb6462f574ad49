// RUN: sdpa-opt %s --sdpa-pipeline="target=nvptx chip=sm_80" | FileCheck %s
// RUN: sdpa-opt %s --sdpa-pipeline="target=nvptx chip=sm_90 block-q=32 block-k=64 threads=256" | FileCheck %s --check-prefix=SM90
// RUN: not sdpa-opt %s --sdpa-pipeline="target=nvptx chip=sm_70" 2>&1 | FileCheck %s --check-prefix=CHIP

// A GQA causal attention with LSE becomes one launch of an outlined kernel
// on the entry's own buffers (inputs, then the results as out-parameters),
// one block per (batch, head, query block): 2 * 8 * ceil(100 / 64) = 32.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:[^:]*]]: memref<2x8x100x64xf32>, %[[K:[^:]*]]: memref<2x2x100x64xf32>, %[[V:[^:]*]]: memref<2x2x100x64xf32>, %[[O:[^:]*]]: memref<2x8x100x64xf32>, %[[L:[^:]*]]: memref<2x8x100xf32>)
// CHECK-DAG: %[[GRID:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[THREADS:.*]] = arith.constant 128 : index
// Shared memory: Qs 64x64, Ks 32x65, Vs 32x64, Ps 64x33, 3 x 64 floats.
// CHECK-DAG: %[[SMEM:.*]] = arith.constant 42112 : i32
// CHECK: gpu.launch_func @attention_kernel::@attention_kernel blocks in (%[[GRID]], %{{.*}}, %{{.*}}) threads in (%[[THREADS]], %{{.*}}, %{{.*}}) dynamic_shared_memory_size %[[SMEM]] args(%[[Q]] : memref<2x8x100x64xf32>, %[[K]] : memref<2x2x100x64xf32>, %[[V]] : memref<2x2x100x64xf32>, %[[O]] : memref<2x8x100x64xf32>, %[[L]] : memref<2x8x100xf32>)
// CHECK-NEXT: return
// The kernel is PTX for the chip, with the dynamic shared memory declared
// as the extern window.
// CHECK: gpu.binary @attention_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// CHECK-SAME: .target sm_80
// CHECK-SAME: .extern .shared .align 128 .b8 __dynamic_shmem__0[];
// CHECK-SAME: .visible .entry attention_kernel(

// SM90-LABEL: func.func @attention
// 2 * 8 * ceil(100 / 32) blocks; threads=256 is the most a block takes,
// and a 32-row block takes 4 warps.
// SM90: gpu.launch_func @attention_kernel::@attention_kernel blocks in (%c64, %c1, %c1) threads in (%c128, %c1, %c1)
// SM90: gpu.binary @attention_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// SM90-SAME: .target sm_90

// CHIP: error: unsupported chip 'sm_70' for target=nvptx; supported: sm_80, sm_86, sm_87, sm_89, sm_90
func.func @attention(%query: tensor<2x8x100x64xf32>,
                     %key: tensor<2x2x100x64xf32>,
                     %value: tensor<2x2x100x64xf32>)
    -> (tensor<2x8x100x64xf32>, tensor<2x8x100xf32>) {
  %out, %lse = attn.sdpa %query, %key, %value causal align top_left
      : tensor<2x8x100x64xf32>, tensor<2x2x100x64xf32>, tensor<2x2x100x64xf32>
      -> tensor<2x8x100x64xf32>, tensor<2x8x100xf32>
  return %out, %lse : tensor<2x8x100x64xf32>, tensor<2x8x100xf32>
}
