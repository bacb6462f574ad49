// RUN: sdpa-opt %s -split-input-file --attn-online-softmax-gpu | FileCheck %s

// bf16 on mma.sync (the default tensor-core form), 2 warps of a 16-row
// query group each (every warp has one: no check of the warp's rows),
// E = Ev = 20 padded to 32. Only the key and value tiles are staged,
// in two buffers each (2x32x40 bf16, rows padded by 16 bytes: 10240 bytes in
// all), by loads and stores since rows of 20 do not suit 16-byte copies:
// the first block's before the loop, the next one's in each step; the key
// loop carries the rows' max and partial sum and the output's four n8
// tiles. Per key block: Q.K^T as 4 key tiles x 2 steps of E (the key
// fragments by ldmatrix, two steps each); the scores, with the causal
// checks only where the block's last key passes the keys or the group's
// first row's diagonal; the quad's row max over lanes xor 2 and 1,
// exponentials as exp2 of x log2 e, probabilities narrowed to bf16 as the A fragments of P.V,
// 4 value tiles x 2 steps of keys (the value fragments by transposing
// ldmatrix, two tiles each). The sums are added
// across the quad once, at the end, before the output and the LSE.
// CHECK-LABEL: func.func @bf16_mma
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %c10240_i32
// CHECK: %[[KS:.*]] = memref.view {{.*}} to memref<2x32x40xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[VS:.*]] = memref.view {{.*}} to memref<2x32x40xbf16, #gpu.address_space<workgroup>>
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %[[KS]][%c0{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[VS]][%c0{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: %[[BUFFER:.*]] = arith.remui %{{.*}}, %c2
// CHECK: %[[OTHER:.*]] = arith.subi %c1{{.*}}, %[[BUFFER]]
// CHECK: memref.store %{{.*}}, %[[KS]][%[[OTHER]], %{{.*}}, %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[VS]][%[[OTHER]], %{{.*}}, %{{.*}}]
// CHECK: gpu.barrier
// CHECK-NOT: scf.if
// CHECK: nvgpu.ldmatrix %[[KS]][%[[BUFFER]], %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: %[[LAST:.*]] = arith.addi %{{.*}}, %c31 : index
// CHECK: %[[IN_KEYS:.*]] = arith.cmpi ult, %[[LAST]], %c50 : index
// CHECK: %[[BEFORE_DIAG:.*]] = arith.cmpi sle, %{{.*}}, %{{.*}} : i64
// CHECK: %[[INSIDE:.*]] = arith.andi %[[IN_KEYS]], %[[BEFORE_DIAG]] : i1
// CHECK: scf.if %[[INSIDE]] -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK-NOT: arith.cmpi
// CHECK-NOT: arith.select
// CHECK: } else {
// CHECK-COUNT-16: arith.cmpi sle
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK: %[[SHIFTED:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: math.exp2 %[[SHIFTED]] : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: nvgpu.ldmatrix %[[VS]][%[[BUFFER]], %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK-COUNT-8: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK: gpu.shuffle  xor
// CHECK: gpu.shuffle  xor
// CHECK: arith.divf
// CHECK: memref.store {{.*}} : memref<32x20xbf16>
// CHECK: math.log
// CHECK: memref.store {{.*}} : memref<32xf32>
func.func @bf16_mma(%q: memref<32x20xbf16>, %k: memref<50x20xbf16>, %v: memref<50x20xbf16>, %o: memref<32x20xbf16>, %lse: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c50 = arith.constant 50 : index
  %c64 = arith.constant 64 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c64, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c50) causal scale 0.125 tiles [32, 32] outs(%o, %lse : memref<32x20xbf16>, memref<32xf32>) : memref<32x20xbf16>, memref<50x20xbf16>, memref<50x20xbf16>
    gpu.terminator
  }
  return
}

// -----

// A decode block (one row) computes one 16-row group: warps past it skip
// the products and the output (warp-uniform) but stage tiles with the rest.
// Rows of 64 f16 are staged by 16-byte asynchronous copies (zero-filled
// past the keys), one group per key block: each step waits for all but the
// next block's group (all of them in the last step, with an empty group),
// then the barrier makes the tiles everyone's.
// CHECK-LABEL: func.func @f16_decode
// CHECK: dynamic_shared_memory_size %c18432_i32
// CHECK: %[[ACTIVE:.*]] = arith.cmpi ult, %{{.*}}, %c16{{.*}} : index
// CHECK: nvgpu.device_async_copy %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}}[%c0{{.*}}, %{{.*}}, %{{.*}}], 8, %{{.*}} {bypassL1} : memref<300x64xf16> to memref<2x32x72xf16, #gpu.address_space<workgroup>>
// CHECK: nvgpu.device_async_create_group
// CHECK: scf.for
// CHECK: scf.if
// CHECK: nvgpu.device_async_copy
// CHECK: %[[GROUP:.*]] = nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_wait %[[GROUP]] {numGroups = 1 : i32}
// CHECK: } else {
// CHECK: %[[EMPTY:.*]] = nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_wait %[[EMPTY]] {numGroups = 0 : i32}
// CHECK: gpu.barrier
// CHECK: scf.if %[[ACTIVE]] -> (f32, f32, f32, f32, vector<2x2xf32>
// CHECK: nvgpu.mma.sync
// CHECK: math.exp2
// CHECK: } else {
// CHECK-NEXT: scf.yield
// CHECK: gpu.barrier
// CHECK: scf.if %[[ACTIVE]] {
func.func @f16_decode(%q: memref<1x64xf16>, %k: memref<300x64xf16>, %v: memref<300x64xf16>, %o: memref<1x64xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c300 = arith.constant 300 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c300) scale 0.125 tiles [64, 32] outs(%o : memref<1x64xf16>) : memref<1x64xf16>, memref<300x64xf16>, memref<300x64xf16>
    gpu.terminator
  }
  return
}

// -----

// A split-K partial: f16 on mma.sync, f32 out. The output fragments are
// stored as accumulated (times 1 / l), not rounded to f16 first.
// CHECK-LABEL: func.func @f16_partials
// CHECK: nvgpu.mma.sync
// CHECK: arith.divf
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}}, %arg3[%{{.*}}, %{{.*}}] : memref<4x64xf32>
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}}, %arg4[%{{.*}}] : memref<4xf32>
func.func @f16_partials(%q: memref<4x64xf16>, %k: memref<300x64xf16>, %v: memref<300x64xf16>, %o: memref<4x64xf32>, %lse: memref<4xf32>) {
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

// -----

// E = Ev = 256 f16: the query's A fragments (64 registers a thread) and the
// output's C fragments (128) would not leave room for the scores, so the
// block's query rows are staged once into a shared tile (64x264 f16, rows
// padded by 16 bytes) before the key loop, and each key block reads the A
// fragments from it by ldmatrix (not transposed), once per two steps of E
// for all the key tiles. Shared memory: two 2x32x264 tiles for K and V and
// the query's, 101376 bytes. The loop carries no query fragment.
// CHECK-LABEL: func.func @f16_wide_head
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %c101376_i32
// CHECK: %[[KS:.*]] = memref.view {{.*}} to memref<2x32x264xf16, #gpu.address_space<workgroup>>
// CHECK: %[[VS:.*]] = memref.view {{.*}} to memref<2x32x264xf16, #gpu.address_space<workgroup>>
// CHECK: %[[QS:.*]] = memref.view {{.*}} to memref<64x264xf16, #gpu.address_space<workgroup>>
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<64x256xf16>
// CHECK: memref.store %{{.*}}, %[[QS]][%{{.*}}, %{{.*}}]
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, vector<2x2xf32>,
// CHECK: nvgpu.ldmatrix %[[QS]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x264xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK: nvgpu.ldmatrix %[[QS]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x264xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK-COUNT-4: nvgpu.ldmatrix %[[KS]]
// CHECK: nvgpu.ldmatrix %[[QS]]
// CHECK: nvgpu.ldmatrix %[[VS]]
func.func @f16_wide_head(%q: memref<64x256xf16>, %k: memref<100x256xf16>, %v: memref<100x256xf16>, %o: memref<64x256xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  %c128 = arith.constant 128 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c100) scale 0.0625 tiles [64, 32] outs(%o : memref<64x256xf16>) : memref<64x256xf16>, memref<100x256xf16>, memref<100x256xf16>
    gpu.terminator
  }
  return
}

// -----

// A 64-row block in a launch of 256 threads: the launch runs nothing else,
// so it is narrowed to the block's 4 warps, one per 16-row group.
// CHECK-LABEL: func.func @f16_narrowed_launch
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}) threads({{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK-NOT: scf.if %{{.*}} -> (f32, f32, f32, f32, vector<2x2xf32>
// CHECK: nvgpu.mma.sync
func.func @f16_narrowed_launch(%q: memref<64x32xf16>, %k: memref<64x32xf16>, %v: memref<64x32xf16>, %o: memref<64x32xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c256, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c64) scale 0.125 tiles [64, 32] outs(%o : memref<64x32xf16>) : memref<64x32xf16>, memref<64x32xf16>, memref<64x32xf16>
    gpu.terminator
  }
  return
}

// -----

// 128 rows on 4 warps: each warp computes its two 16-row groups (rows
// 32 w.. and 32 w + 16..) together, so each key fragment read by ldmatrix
// feeds both groups' products (2 steps of E each: 4 mma.sync), and each
// value fragment both groups' two n8 tiles.
// CHECK-LABEL: func.func @f16_two_groups_a_warp
// CHECK: %[[WARP:.*]] = arith.divui %thread_id_x, %c32{{.*}} : index
// CHECK: %[[FIRST:.*]] = arith.muli %[[WARP]], %c2 : index
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, f32, f32, f32, f32, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false}
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = true}
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK-NEXT: vector.extract_strided_slice
// CHECK-NEXT: nvgpu.mma.sync
// CHECK: gpu.barrier
func.func @f16_two_groups_a_warp(%q: memref<128x32xf16>, %k: memref<64x32xf16>, %v: memref<64x32xf16>, %o: memref<128x32xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %smem = arith.constant 0 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c128, %v1 = %c1, %w = %c1) dynamic_shared_memory_size %smem {
    attn.block %q, %k, %v rows(%c0, %c0) head(%c0, %bx) keys(%c0, %c64) scale 0.125 tiles [128, 32] outs(%o : memref<128x32xf16>) : memref<128x32xf16>, memref<64x32xf16>, memref<64x32xf16>
    gpu.terminator
  }
  return
}
