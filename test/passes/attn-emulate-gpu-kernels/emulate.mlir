// RUN: sdpa-opt %s -split-input-file --attn-emulate-gpu-kernels | FileCheck %s

// The host function goes, the kernel becomes a function of one thread:
// ids and barriers are calls of the emulator, shuffles go through 32-bit
// patterns (the valid flag is bit 32 of the answer), and dynamic shared
// memory is the global array, as large as the largest launch.
// CHECK-LABEL: module
// CHECK-NOT: gpu.
// CHECK-DAG: func.func private @__sdpa_emu_thread_id(i32) -> i64
// CHECK-DAG: func.func private @__sdpa_emu_block_id(i32) -> i64
// CHECK-DAG: func.func private @__sdpa_emu_barrier()
// CHECK-DAG: func.func private @__sdpa_emu_shuffle(i32, i32, i32, i32) -> i64
// CHECK-DAG: memref.global @__sdpa_emu_shared : memref<4096xi8> = uninitialized {alignment = 128 : i64}
// CHECK-DAG: memref.global constant @__sdpa_emu_shared_size : memref<i64> = dense<4096>
// CHECK-NOT: func.func @host
// CHECK-LABEL: func.func @__sdpa_emu_body_reduce(
// CHECK-SAME: %[[IN:.*]]: memref<64xf32>, %[[OUT:.*]]: memref<64xf32>)
// CHECK: %[[TX:.*]] = call @__sdpa_emu_thread_id(%c0_i32)
// CHECK: %[[T:.*]] = arith.index_cast %[[TX]] : i64 to index
// CHECK: %[[BY:.*]] = call @__sdpa_emu_block_id(%c1_i32)
// CHECK: %[[SHARED:.*]] = memref.get_global @__sdpa_emu_shared : memref<4096xi8>
// CHECK: %[[CAST:.*]] = memref.cast %[[SHARED]] : memref<4096xi8> to memref<?xi8>
// CHECK: memref.view %[[CAST]][%{{.*}}][] : memref<?xi8> to memref<64xf32>
// CHECK: call @__sdpa_emu_barrier() : () -> ()
// CHECK: %[[BITS:.*]] = arith.bitcast %{{.*}} : f32 to i32
// CHECK: %[[XOR:.*]] = arith.constant 0 : i32
// CHECK: %[[PACKED:.*]] = call @__sdpa_emu_shuffle(%[[BITS]], %c16_i32, %c32_i32, %[[XOR]])
// CHECK: %[[LOW:.*]] = arith.trunci %[[PACKED]] : i64 to i32
// CHECK: %[[VALUE:.*]] = arith.bitcast %[[LOW]] : i32 to f32
// CHECK: %[[HIGH:.*]] = arith.shrui %[[PACKED]], %c32_i64
// CHECK: %[[VALID:.*]] = arith.trunci %[[HIGH]] : i64 to i1
// CHECK: arith.select %[[VALID]], %[[VALUE]]
// CHECK: return
module attributes {gpu.container_module} {
  func.func @host(%in: memref<64xf32>, %out: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %small = arith.constant 256 : i32
    %large = arith.constant 4096 : i32
    gpu.launch_func @kernels::@reduce blocks in (%c1, %c1, %c1)
        threads in (%c64, %c1, %c1) dynamic_shared_memory_size %small
        args(%in : memref<64xf32>, %out : memref<64xf32>)
    gpu.launch_func @kernels::@reduce blocks in (%c1, %c1, %c1)
        threads in (%c64, %c1, %c1) dynamic_shared_memory_size %large
        args(%in : memref<64xf32>, %out : memref<64xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @reduce(%in: memref<64xf32>, %out: memref<64xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c16 = arith.constant 16 : i32
      %c32 = arith.constant 32 : i32
      %t = gpu.thread_id x
      %by = gpu.block_id y
      %shared = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %tile = memref.view %shared[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64xf32, #gpu.address_space<workgroup>>
      %x = memref.load %in[%t] : memref<64xf32>
      memref.store %x, %tile[%t] : memref<64xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %y = memref.load %tile[%by] : memref<64xf32, #gpu.address_space<workgroup>>
      %z, %valid = gpu.shuffle xor %y, %c16, %c32 : f32
      %w = arith.select %valid, %z, %y : f32
      memref.store %w, %out[%t] : memref<64xf32>
      gpu.return
    }
  }
}

// -----

// Tensor-core fragments become vectors every lane holds whole, also where
// a loop carries them: each row of a fragment is one load or store,
// `leadDimension` elements from the last; a transposed load reads columns
// and transposes; the product widens f16 to the accumulator's f32.
// CHECK-LABEL: func.func @__sdpa_emu_body_mma
// CHECK-SAME: (%[[A:.*]]: memref<16x32xf16>, %[[B:.*]]: memref<16x16xf16>, %[[C:.*]]: memref<16x16xf32>)
// CHECK: %[[ZERO:.*]] = vector.broadcast %{{.*}} : f32 to vector<16x16xf32>
// CHECK: %[[ACC:.*]] = scf.for %{{.*}} iter_args(%[[IT:.*]] = %[[ZERO]]) -> (vector<16x16xf32>)
// CHECK:   %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK:   %[[FLAT:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFFSET]]], sizes: [%{{.*}}], strides: [1]
// CHECK-COUNT-16: vector.load %[[FLAT]][%{{.*}}] : memref<?xf16, strided<[1], offset: ?>>, vector<16xf16>
// CHECK:   vector.load
// CHECK:   vector.transpose %{{.*}}, [1, 0] : vector<16x16xf16> to vector<16x16xf16>
// CHECK:   arith.extf %{{.*}} : vector<16x16xf16> to vector<16x16xf32>
// CHECK:   arith.extf %{{.*}} : vector<16x16xf16> to vector<16x16xf32>
// CHECK:   %[[SUM:.*]] = vector.contract {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} %[[IT]] : vector<16x16xf32>, vector<16x16xf32> into vector<16x16xf32>
// CHECK:   scf.yield %[[SUM]] : vector<16x16xf32>
// CHECK-COUNT-16: vector.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<?xf32, strided<[1], offset: ?>>, vector<16xf32>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @mma(%a: memref<16x32xf16>, %b: memref<16x16xf16>, %c: memref<16x16xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c16 = arith.constant 16 : index
      %zero = arith.constant 0.0 : f32
      %init = gpu.subgroup_mma_constant_matrix %zero : !gpu.mma_matrix<16x16xf32, "COp">
      %acc = scf.for %k = %c0 to %c2 step %c1 iter_args(%it = %init) -> (!gpu.mma_matrix<16x16xf32, "COp">) {
        %col = arith.muli %k, %c16 : index
        %fa = gpu.subgroup_mma_load_matrix %a[%c0, %col] {leadDimension = 32 : index} : memref<16x32xf16> -> !gpu.mma_matrix<16x16xf16, "AOp">
        %fb = gpu.subgroup_mma_load_matrix %b[%c0, %c0] {leadDimension = 16 : index, transpose} : memref<16x16xf16> -> !gpu.mma_matrix<16x16xf16, "BOp">
        %sum = gpu.subgroup_mma_compute %fa, %fb, %it : !gpu.mma_matrix<16x16xf16, "AOp">, !gpu.mma_matrix<16x16xf16, "BOp"> -> !gpu.mma_matrix<16x16xf32, "COp">
        scf.yield %sum : !gpu.mma_matrix<16x16xf32, "COp">
      }
      gpu.subgroup_mma_store_matrix %acc, %c[%c0, %c0] {leadDimension = 16 : index} : !gpu.mma_matrix<16x16xf32, "COp">, memref<16x16xf32>
      gpu.return
    }
  }
}
