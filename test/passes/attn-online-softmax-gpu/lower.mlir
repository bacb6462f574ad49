// RUN: sdpa-opt %s -split-input-file --attn-online-softmax-gpu | FileCheck %s

// One attn.block in a launch of 128 threads, tiles [16, 32], E = Ev = 8.
// Shared memory, in f32: Qs 16x8, Ks 32x9, Vs 32x16 (Ev rounded up to 16),
// Ps 16x33, then M, L and A of 16 each: 1504 floats, 6016 bytes, which the
// launch now asks for.
// CHECK-LABEL: func.func @block
// CHECK: %[[SMEM:.*]] = arith.constant 6016 : i32
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %[[SMEM]]
// CHECK-NOT: attn.block
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[SHARED:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: memref.view %[[SHARED]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x8xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view %[[SHARED]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<32x9xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view %[[SHARED]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<32x16xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view %[[SHARED]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x33xf32, #gpu.address_space<workgroup>>
// The query is staged once, before the state is initialised.
// CHECK: scf.for %{{.*}} = %[[TID]] to
// CHECK: gpu.barrier
// The key loop carries this thread's accumulator: 2 rows x 1 value column.
// CHECK: %{{.*}}:2 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// Keys and values staged, then scores, softmax rows, P.V, each phase behind
// a barrier.
// CHECK: gpu.barrier
// CHECK: math.fma
// CHECK: gpu.barrier
// Row max and sum: five butterfly steps each.
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: math.exp
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: gpu.barrier
// CHECK: math.fma
// CHECK: gpu.barrier
// CHECK: scf.yield
// The output is acc / l, written only for rows of the block.
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<?x8xf32, strided<[8, 1]>>
// CHECK: gpu.terminator
func.func @block(%q: memref<16x8xf32>, %k: memref<40x8xf32>, %v: memref<40x8xf32>, %o: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c128 = arith.constant 128 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    %rows = arith.constant 16 : index
    %qs = memref.subview %q[0, 0] [%rows, 8] [1, 1] : memref<16x8xf32> to memref<?x8xf32, strided<[8, 1]>>
    %os = memref.subview %o[0, 0] [%rows, 8] [1, 1] : memref<16x8xf32> to memref<?x8xf32, strided<[8, 1]>>
    attn.block %qs, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c40) scale 0.35 tiles [16, 32] outs(%os : memref<?x8xf32, strided<[8, 1]>>) : memref<?x8xf32, strided<[8, 1]>>, memref<40x8xf32>, memref<40x8xf32>
    gpu.terminator
  }
  return
}

// -----

// f16 inputs are widened to f32 as they are staged; the output is narrowed
// back. Causal alignment, a boolean mask, dropout and the LSE output are
// applied in the softmax phase.
// CHECK-LABEL: func.func @f16_causal_mask_dropout_lse
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.cmpi sle
// CHECK: arith.select
// CHECK: arith.mului_extended
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: math.log
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<16xf32>
func.func @f16_causal_mask_dropout_lse(%q: memref<16x64xf16>, %k: memref<64x64xf16>, %v: memref<64x64xf16>, %m: memref<16x64xi1>, %seed: i64, %o: memref<16x64xf16>, %lse: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c48 = arith.constant 48 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v mask(%m : memref<16x64xi1>) seed(%seed) rows(%c0, %c48) head(%c0, %bx) keys(%c0, %c64) causal scale 0.125 dropout 0.25 tiles [16, 32] outs(%o, %lse : memref<16x64xf16>, memref<16xf32>) : memref<16x64xf16>, memref<64x64xf16>, memref<64x64xf16>
    gpu.terminator
  }
  return
}
