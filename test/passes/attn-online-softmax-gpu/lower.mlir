// RUN: sdpa-opt %s -split-input-file --attn-online-softmax-gpu="tensor-cores=wmma" | FileCheck %s

// The SIMT and WMMA forms; mma-sync.mlir has the default mma.sync form.

// One attn.block in a launch of 128 threads, tiles [16, 32], E = Ev = 8.
// Shared memory, in f32, each tile at a multiple of 128 bytes: Qs 16x8 at
// 0, Ks 32x9 at 512, Vs 32x16 (Ev rounded up to 16) at 1664, Ps 16x33 at
// 3712, then M, L and A of 16 each at 5888, 6016 and 6144: 6208 bytes,
// which the launch now asks for.
// CHECK-LABEL: func.func @block
// CHECK: %[[SMEM:.*]] = arith.constant 6208 : i32
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

// f16 inputs whose head dim does not suit tensor cores (E = 8) are widened
// to f32 as they are staged; the output is narrowed back. Causal alignment, a boolean mask, dropout and the LSE output are
// applied in the softmax phase.
// CHECK-LABEL: func.func @f16_causal_mask_dropout_lse
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.cmpi sle
// CHECK: arith.select
// CHECK: arith.mului_extended
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: math.log
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<16xf32>
func.func @f16_causal_mask_dropout_lse(%q: memref<16x8xf16>, %k: memref<64x8xf16>, %v: memref<64x8xf16>, %m: memref<16x64xi1>, %seed: i64, %o: memref<16x8xf16>, %lse: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c48 = arith.constant 48 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v mask(%m : memref<16x64xi1>) seed(%seed) rows(%c0, %c48) head(%c0, %bx) keys(%c0, %c64) causal scale 0.125 dropout 0.25 tiles [16, 32] outs(%o, %lse : memref<16x8xf16>, memref<16xf32>) : memref<16x8xf16>, memref<64x8xf16>, memref<64x8xf16>
    gpu.terminator
  }
  return
}

// -----

// f16 with E, the tiles and the key block multiples of 16: both products
// run on tensor cores (WMMA). Q.K^T reads Ks column-major (K^T), the
// scores come back as f32 and are scaled there, the probabilities are
// staged as f16 for P.V, whose f32 result each thread adds to its
// rescaled accumulator.
// CHECK-LABEL: func.func @f16_tensor_cores
// CHECK: memref.view {{.*}} to memref<32x40xf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<32x40xf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<32x40xf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<32x36xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<32x40xf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<32x36xf32, #gpu.address_space<workgroup>>
// CHECK: gpu.subgroup_mma_load_matrix %{{.*}} {leadDimension = 40 : index} : memref<32x40xf16, #gpu.address_space<workgroup>> -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK: gpu.subgroup_mma_load_matrix %{{.*}} {leadDimension = 40 : index, transpose} : memref<32x40xf16, #gpu.address_space<workgroup>> -> !gpu.mma_matrix<16x16xf16, "BOp">
// CHECK: gpu.subgroup_mma_compute {{.*}} {b_transpose}
// CHECK: gpu.subgroup_mma_store_matrix %{{.*}} {leadDimension = 36 : index} : !gpu.mma_matrix<16x16xf32, "COp">, memref<32x36xf32, #gpu.address_space<workgroup>>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: gpu.subgroup_mma_compute
// CHECK-NOT: b_transpose
// CHECK: gpu.subgroup_mma_store_matrix
// CHECK: gpu.barrier
// CHECK: math.fma
func.func @f16_tensor_cores(%q: memref<32x32xf16>, %k: memref<50x32xf16>, %v: memref<50x32xf16>, %o: memref<32x32xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c50 = arith.constant 50 : index
  %c64 = arith.constant 64 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c64, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c50) scale 0.125 tiles [32, 32] outs(%o : memref<32x32xf16>) : memref<32x32xf16>, memref<50x32xf16>, memref<50x32xf16>
    gpu.terminator
  }
  return
}

// -----

// A block with fewer static rows than the tile (decode: one row) stages and
// computes 16 rows, not 64: the same 6208 bytes as the 16-row block above.
// CHECK-LABEL: func.func @decode_row
// CHECK: %[[SMEM:.*]] = arith.constant 6208 : i32
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %[[SMEM]]
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x8xf32, #gpu.address_space<workgroup>>
func.func @decode_row(%q: memref<1x8xf32>, %k: memref<40x8xf32>, %v: memref<40x8xf32>, %o: memref<1x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c128 = arith.constant 128 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c40) scale 0.35 tiles [64, 32] outs(%o : memref<1x8xf32>) : memref<1x8xf32>, memref<40x8xf32>, memref<40x8xf32>
    gpu.terminator
  }
  return
}

// -----

// A split-K partial on WMMA: f16 inputs, f32 out stored as accumulated.
// CHECK-LABEL: func.func @wmma_f16_partials
// CHECK: gpu.subgroup_mma_compute
// CHECK: arith.divf
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}}, %arg3[%{{.*}}, %{{.*}}] : memref<4x64xf32>
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}}, %arg4[%{{.*}}] : memref<4xf32>
func.func @wmma_f16_partials(%q: memref<4x64xf16>, %k: memref<300x64xf16>, %v: memref<300x64xf16>, %o: memref<4x64xf32>, %lse: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c300 = arith.constant 300 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c300) scale 0.125 tiles [64, 32] outs(%o, %lse : memref<4x64xf32>, memref<4xf32>) : memref<4x64xf16>, memref<300x64xf16>, memref<300x64xf16>
    gpu.terminator
  }
  return
}
