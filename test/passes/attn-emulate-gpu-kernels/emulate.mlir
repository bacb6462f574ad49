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

// -----

// mma.sync: the lane (linear thread id mod 32) is computed once at entry,
// with the scratch the warp's fragments are exchanged through; A (16 bytes
// a lane) and B (8 bytes) go through __sdpa_emu_warp_exchange, are placed
// in whole f32 matrices by the PTX layout (affine maps of lane and value),
// and each lane sums its four results of C + A.B over k.
// CHECK-LABEL: func.func @__sdpa_emu_body_mma_sync
// CHECK: arith.remui %{{.*}}, %c32_i64 : i64
// CHECK-DAG: %[[MINE_A:.*]] = memref.alloca() : memref<8xbf16>
// CHECK-DAG: %[[ALL_A:.*]] = memref.alloca() : memref<256xbf16>
// CHECK-DAG: %[[MINE_B:.*]] = memref.alloca() : memref<4xbf16>
// CHECK-DAG: %[[ALL_B:.*]] = memref.alloca() : memref<128xbf16>
// CHECK-DAG: %[[WHOLE_A:.*]] = memref.alloca() : memref<16x16xf32>
// CHECK-DAG: %[[WHOLE_B:.*]] = memref.alloca() : memref<8x16xf32>
// CHECK: vector.shape_cast %{{.*}} : vector<4x2xbf16> to vector<8xbf16>
// CHECK: vector.store %{{.*}}, %[[MINE_A]]
// CHECK: call @__sdpa_emu_warp_exchange(%{{.*}}, %{{.*}}, %c16_i32) : (i64, i64, i32) -> ()
// CHECK: vector.shape_cast %{{.*}} : vector<2x2xbf16> to vector<4xbf16>
// CHECK: call @__sdpa_emu_warp_exchange(%{{.*}}, %{{.*}}, %c8_i32) : (i64, i64, i32) -> ()
// CHECK: scf.for
// CHECK: scf.for
// CHECK: affine.apply
// CHECK: memref.store %{{.*}}, %[[WHOLE_A]]
// CHECK: memref.store %{{.*}}, %[[WHOLE_B]]
// CHECK-COUNT-4: math.fma
// CHECK: vector.from_elements {{.*}} : vector<2x2xf32>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @mma_sync(%a: memref<32x8xbf16>, %b: memref<32x4xbf16>, %c: memref<32x4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %t = gpu.thread_id x
      %va = vector.load %a[%t, %c0] : memref<32x8xbf16>, vector<8xbf16>
      %vb = vector.load %b[%t, %c0] : memref<32x4xbf16>, vector<4xbf16>
      %vc = vector.load %c[%t, %c0] : memref<32x4xf32>, vector<4xf32>
      %fa = vector.shape_cast %va : vector<8xbf16> to vector<4x2xbf16>
      %fb = vector.shape_cast %vb : vector<4xbf16> to vector<2x2xbf16>
      %fc = vector.shape_cast %vc : vector<4xf32> to vector<2x2xf32>
      %d = nvgpu.mma.sync(%fa, %fb, %fc) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
      %vd = vector.shape_cast %d : vector<2x2xf32> to vector<4xf32>
      vector.store %vd, %c[%t, %c0] : memref<32x4xf32>, vector<4xf32>
      gpu.return
    }
  }
}

// -----

// Asynchronous copies become calls of the emulator with byte addresses and
// sizes (16 bytes, 2 * srcElements of them read); the group is a commit,
// the wait says how many groups may stay pending.
// CHECK-LABEL: func.func @__sdpa_emu_body_copies
// CHECK: %[[DST:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[SRC:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: call @__sdpa_emu_async_copy(%[[DST]], %[[SRC]], %c16_i32, %{{.*}}) : (i64, i64, i32, i32) -> ()
// CHECK: call @__sdpa_emu_async_commit() : () -> ()
// CHECK: call @__sdpa_emu_async_wait(%c1_i32) : (i32) -> ()
// CHECK-NOT: nvgpu.
module attributes {gpu.container_module} {
  func.func @host(%src: memref<64x64xf16>, %n: index) {
    %c1 = arith.constant 1 : index
    %bytes = arith.constant 9216 : i32
    gpu.launch_func @kernels::@copies blocks in (%c1, %c1, %c1)
        threads in (%c1, %c1, %c1) dynamic_shared_memory_size %bytes
        args(%src : memref<64x64xf16>, %n : index)
    return
  }
  gpu.module @kernels {
    gpu.func @copies(%src: memref<64x64xf16>, %n: index) kernel {
      %c0 = arith.constant 0 : index
      %shared = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %tile = memref.view %shared[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x32x72xf16, #gpu.address_space<workgroup>>
      %t = nvgpu.device_async_copy %src[%n, %c0], %tile[%c0, %c0, %c0], 8, %n {bypassL1} : memref<64x64xf16> to memref<2x32x72xf16, #gpu.address_space<workgroup>>
      %g = nvgpu.device_async_create_group %t
      nvgpu.device_async_wait %g {numGroups = 1 : i32}
      gpu.return
    }
  }
}

// -----

// ldmatrix: each lane's row address goes through the warp exchange; the
// lane then loads, for each matrix, two elements by the addresses of the
// lanes that gave their rows (x2: 4 loads).
// CHECK-LABEL: func.func @__sdpa_emu_body_ldmatrix
// CHECK-DAG: %[[MINE:.*]] = memref.alloca() : memref<1xi64>
// CHECK-DAG: %[[ALL:.*]] = memref.alloca() : memref<32xi64>
// CHECK: memref.store %{{.*}}, %[[MINE]]
// CHECK: call @__sdpa_emu_warp_exchange(%{{.*}}, %{{.*}}, %c8_i32)
// CHECK-COUNT-4: llvm.load %{{.*}} : !llvm.ptr -> f16
// CHECK: vector.from_elements {{.*}} : vector<2x2xf16>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @ldmatrix(%out: memref<32x4xf16>) kernel {
      %c0 = arith.constant 0 : index
      %t = gpu.thread_id x
      %shared = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %tile = memref.view %shared[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x16xf16, #gpu.address_space<workgroup>>
      %f = nvgpu.ldmatrix %tile[%t, %c0] {numTiles = 2 : i32, transpose = true} : memref<16x16xf16, #gpu.address_space<workgroup>> -> vector<2x2xf16>
      %flat = vector.shape_cast %f : vector<2x2xf16> to vector<4xf16>
      vector.store %flat, %out[%t, %c0] : memref<32x4xf16>, vector<4xf16>
      gpu.return
    }
  }
}

// -----

// A device constant the kernel reads moves to the CPU module with it.
// CHECK-LABEL: module
// CHECK: memref.global "private" constant @table : memref<4xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK: func.func @__sdpa_emu_body_lookup
// CHECK: memref.get_global @table : memref<4xf32>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    gpu.func @lookup(%out: memref<4xf32>) kernel {
      %t = gpu.thread_id x
      %table = memref.get_global @table : memref<4xf32>
      %x = memref.load %table[%t] : memref<4xf32>
      memref.store %x, %out[%t] : memref<4xf32>
      gpu.return
    }
  }
}
