// RUN: sdpa-opt %s -split-input-file --attn-tile="block-q=32 block-k=16" | FileCheck %s --implicit-check-not=attn.sdpa

// attn.sdpa becomes an scf.forall over (batch dims, Hq, ceil(L / block-q))
// whose body is one attn.block on 2-D slices.

// GQA (Hq = 8, Hkv = 2: group 4), causal aligned bottom-right, with lse.
// L = 64 is a multiple of 32, so every block has 32 static rows; the default
// scale resolves to 1/sqrt(64).
// CHECK-LABEL: func @gqa_causal_bottom_right
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<2x8x64x64xf32>, %[[K:[^:]*]]: tensor<2x2x100x64xf32>, %[[V:[^:]*]]: tensor<2x2x100x32xf32>)
// CHECK-DAG: %[[OUT:.*]] = tensor.empty() : tensor<2x8x64x32xf32>
// CHECK-DAG: %[[LSE:.*]] = tensor.empty() : tensor<2x8x64xf32>
// CHECK-DAG: %[[NQB:.*]] = arith.constant 2 : index
// CHECK: %[[R:.*]]:2 = scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in (2, 8, %[[NQB]]) shared_outs(%[[SO:.*]] = %[[OUT]], %[[SL:.*]] = %[[LSE]]) -> (tensor<2x8x64x32xf32>, tensor<2x8x64xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: %[[REST:.*]] = arith.subi %{{.*}}, %[[ROW]] : index
// CHECK: %[[ROWS:.*]] = arith.minsi %[[REST]], %{{.*}} : index
// CHECK: %[[G:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[KVH:.*]] = arith.divui %[[H]], %[[G]] : index
// CHECK-NEXT: %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], %[[ROW]], 0] [1, 1, 32, 64] [1, 1, 1, 1] : tensor<2x8x64x64xf32> to tensor<32x64xf32>
// CHECK-NEXT: %[[KT:.*]] = tensor.extract_slice %[[K]][%[[B]], %[[KVH]], 0, 0] [1, 1, 100, 64] [1, 1, 1, 1] : tensor<2x2x100x64xf32> to tensor<100x64xf32>
// CHECK-NEXT: %[[VT:.*]] = tensor.extract_slice %[[V]][%[[B]], %[[KVH]], 0, 0] [1, 1, 100, 32] [1, 1, 1, 1] : tensor<2x2x100x32xf32> to tensor<100x32xf32>
// bottom_right: diag = row + (S - L) = row + 36.
// CHECK: %[[OFF:.*]] = arith.constant 36 : index
// CHECK-NEXT: %[[DIAG:.*]] = arith.addi %[[ROW]], %[[OFF]] : index
// The keys end after the last row's diagonal, clamped to [0, S].
// CHECK: %[[LAST:.*]] = arith.addi %[[DIAG]], %[[ROWS]] : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[LAST]], %{{.*}} : index
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %[[S:.*]] : index
// CHECK: %[[KE:.*]] = arith.maxsi %[[HI]], %[[KB:.*]] : index
// CHECK: %[[OT:.*]] = tensor.extract_slice %[[SO]][%[[B]], %[[H]], %[[ROW]], 0] [1, 1, 32, 32] [1, 1, 1, 1] : tensor<2x8x64x32xf32> to tensor<32x32xf32>
// CHECK-NEXT: %[[LT:.*]] = tensor.extract_slice %[[SL]][%[[B]], %[[H]], %[[ROW]]] [1, 1, 32] [1, 1, 1] : tensor<2x8x64xf32> to tensor<32xf32>
// CHECK-NEXT: %[[BLK:.*]]:2 = attn.block %[[QT]], %[[KT]], %[[VT]] rows(%[[ROW]], %[[DIAG]]) head(%[[B]], %[[H]]) keys(%[[KB]], %[[KE]]) causal scale 1.250000e-01 tiles [32, 16] outs(%[[OT]], %[[LT]] : tensor<32x32xf32>, tensor<32xf32>) : tensor<32x64xf32>, tensor<100x64xf32>, tensor<100x32xf32> -> tensor<32x32xf32>, tensor<32xf32>
// CHECK-NEXT: scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %[[BLK]]#0 into %[[SO]][%[[B]], %[[H]], %[[ROW]], 0] [1, 1, 32, 32] [1, 1, 1, 1]
// CHECK-NEXT: tensor.parallel_insert_slice %[[BLK]]#1 into %[[SL]][%[[B]], %[[H]], %[[ROW]]] [1, 1, 32] [1, 1, 1]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @gqa_causal_bottom_right(%q: tensor<2x8x64x64xf32>, %k: tensor<2x2x100x64xf32>, %v: tensor<2x2x100x32xf32>) -> (tensor<2x8x64x32xf32>, tensor<2x8x64xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v causal align bottom_right : tensor<2x8x64x64xf32>, tensor<2x2x100x64xf32>, tensor<2x2x100x32xf32> -> tensor<2x8x64x32xf32>, tensor<2x8x64xf32>
  return %0, %1 : tensor<2x8x64x32xf32>, tensor<2x8x64xf32>
}

// -----

// top_left: the diagonal is the row itself.
// CHECK-LABEL: func @causal_top_left
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[QB:.*]]) in
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: attn.block %{{.*}}, %{{.*}}, %{{.*}} rows(%[[ROW]], %[[ROW]]) head({{.*}}) keys({{.*}}) causal scale
func.func @causal_top_left(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %0 = attn.sdpa %q, %k, %v causal align top_left : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x2x64x16xf32>
  return %0 : tensor<1x2x64x16xf32>
}

// -----

// L = 40 is not a multiple of 32: ceil(40 / 32) = 2 blocks, the last one
// ragged, so the rows are dynamic. Hq = Hkv: the kv head is the query head.
// E = 16 gives the default scale 0.25.
// CHECK-LABEL: func @ragged
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<2x4x40x16xf16>, %[[K:[^:]*]]: tensor<2x4x48x16xf16>, %[[V:[^:]*]]: tensor<2x4x48x16xf16>)
// CHECK: %[[NQB:.*]] = arith.constant 2 : index
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in (2, 4, %[[NQB]])
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %[[BQ:.*]] : index
// CHECK: %[[REST:.*]] = arith.subi %{{.*}}, %[[ROW]] : index
// CHECK: %[[ROWS:.*]] = arith.minsi %[[REST]], %[[BQ]] : index
// CHECK-NOT: arith.divui
// CHECK: %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], %[[ROW]], 0] [1, 1, %[[ROWS]], 16] [1, 1, 1, 1] : tensor<2x4x40x16xf16> to tensor<?x16xf16>
// CHECK-NEXT: %[[KT:.*]] = tensor.extract_slice %[[K]][%[[B]], %[[H]], 0, 0] [1, 1, 48, 16]
// CHECK-NEXT: %[[VT:.*]] = tensor.extract_slice %[[V]][%[[B]], %[[H]], 0, 0] [1, 1, 48, 16]
// CHECK: %[[OT:.*]] = tensor.extract_slice %{{.*}}[%[[B]], %[[H]], %[[ROW]], 0] [1, 1, %[[ROWS]], 16] [1, 1, 1, 1] : tensor<2x4x40x16xf16> to tensor<?x16xf16>
// No causal or window: every key, [0, 48), is visited.
// CHECK-NEXT: %[[BLK:.*]] = attn.block %[[QT]], %[[KT]], %[[VT]] rows(%[[ROW]], %[[ROW]]) head(%[[B]], %[[H]]) keys(%c0{{(_[0-9]+)?}}, %c48{{(_[0-9]+)?}}) scale 2.500000e-01 tiles [32, 16] outs(%[[OT]] : tensor<?x16xf16>) : tensor<?x16xf16>, tensor<48x16xf16>, tensor<48x16xf16> -> tensor<?x16xf16>
// CHECK-NEXT: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[BLK]] into %{{.*}}[%[[B]], %[[H]], %[[ROW]], 0] [1, 1, %[[ROWS]], 16]
func.func @ragged(%q: tensor<2x4x40x16xf16>, %k: tensor<2x4x48x16xf16>, %v: tensor<2x4x48x16xf16>) -> tensor<2x4x40x16xf16> {
  %0 = attn.sdpa %q, %k, %v : tensor<2x4x40x16xf16>, tensor<2x4x48x16xf16>, tensor<2x4x48x16xf16> -> tensor<2x4x40x16xf16>
  return %0 : tensor<2x4x40x16xf16>
}

// -----

// A mask [B, 1, 1, S] broadcast over heads and rows: each block reads the
// [1, S] row of its batch. An explicit scale is kept as it is.
// CHECK-LABEL: func @mask_broadcast_rows
// CHECK-SAME: %[[M:[^:]*]]: tensor<2x1x1x48xi1>
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in (2, 4, %{{.*}})
// CHECK: %[[MT:.*]] = tensor.extract_slice %[[M]][%[[B]], 0, 0, 0] [1, 1, 1, 48] [1, 1, 1, 1] : tensor<2x1x1x48xi1> to tensor<1x48xi1>
// CHECK: attn.block %{{.*}}, %{{.*}}, %{{.*}} mask(%[[MT]] : tensor<1x48xi1>) rows({{.*}}) head(%[[B]], %[[H]]) keys({{.*}}) scale 5.000000e-01 tiles [32, 16] outs({{.*}} : tensor<32x16xf32>)
func.func @mask_broadcast_rows(%q: tensor<2x4x64x16xf32>, %k: tensor<2x4x48x16xf32>, %v: tensor<2x4x48x16xf32>, %m: tensor<2x1x1x48xi1>) -> tensor<2x4x64x16xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<2x1x1x48xi1>) scale 0.5 : tensor<2x4x64x16xf32>, tensor<2x4x48x16xf32>, tensor<2x4x48x16xf32> -> tensor<2x4x64x16xf32>
  return %0 : tensor<2x4x64x16xf32>
}

// -----

// A rank-2 mask [L, S] is brought to full rank, then sliced per block rows.
// CHECK-LABEL: func @mask_rank2
// CHECK-SAME: %[[M:[^:]*]]: tensor<64x48xf32>
// CHECK: %[[X:.*]] = tensor.expand_shape %[[M]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 64, 48] : tensor<64x48xf32> into tensor<1x1x64x48xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[QB:.*]]) in
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: %[[MT:.*]] = tensor.extract_slice %[[X]][0, 0, %[[ROW]], 0] [1, 1, 32, 48] [1, 1, 1, 1] : tensor<1x1x64x48xf32> to tensor<32x48xf32>
// CHECK: attn.block {{.*}} mask(%[[MT]] : tensor<32x48xf32>)
func.func @mask_rank2(%q: tensor<2x4x64x16xf32>, %k: tensor<2x4x48x16xf32>, %v: tensor<2x4x48x16xf32>, %m: tensor<64x48xf32>) -> tensor<2x4x64x16xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<64x48xf32>) : tensor<2x4x64x16xf32>, tensor<2x4x48x16xf32>, tensor<2x4x48x16xf32> -> tensor<2x4x64x16xf32>
  return %0 : tensor<2x4x64x16xf32>
}

// -----

// A mask [1, Hq, L, 1] broadcast over keys, with ragged blocks: the block
// mask is [rows, 1].
// CHECK-LABEL: func @mask_broadcast_keys
// CHECK-SAME: %[[M:[^:]*]]: tensor<1x4x40x1xf32>
// CHECK: scf.forall (%{{.*}}, %[[H:.*]], %[[QB:.*]]) in (2, 4, %{{.*}})
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: %[[ROWS:.*]] = arith.minsi
// CHECK: %[[MT:.*]] = tensor.extract_slice %[[M]][0, %[[H]], %[[ROW]], 0] [1, 1, %[[ROWS]], 1] [1, 1, 1, 1] : tensor<1x4x40x1xf32> to tensor<?x1xf32>
// CHECK: attn.block {{.*}} mask(%[[MT]] : tensor<?x1xf32>)
func.func @mask_broadcast_keys(%q: tensor<2x4x40x16xf32>, %k: tensor<2x4x48x16xf32>, %v: tensor<2x4x48x16xf32>, %m: tensor<1x4x40x1xf32>) -> tensor<2x4x40x16xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<1x4x40x1xf32>) : tensor<2x4x40x16xf32>, tensor<2x4x48x16xf32>, tensor<2x4x48x16xf32> -> tensor<2x4x40x16xf32>
  return %0 : tensor<2x4x40x16xf32>
}

// -----

// Rank 3 (no batch dims): the grid is (Hq, ceil(100 / 32) = 4) and the batch
// index is 0. A window [20, 3] starts the keys at the key block holding
// row - 20 and ends them 3 past the last row. Softcap, dropout and the seed
// pass through.
// CHECK-LABEL: func @window_no_batch
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<3x100x16xf32>, %[[K:[^:]*]]: tensor<3x100x16xf32>, %[[V:[^:]*]]: tensor<3x100x16xf32>, %[[SEED:[^:]*]]: i64)
// CHECK: %[[BK:.*]] = arith.constant 16 : index
// CHECK: %[[NQB:.*]] = arith.constant 4 : index
// CHECK: scf.forall (%[[H:.*]], %[[QB:.*]]) in (3, %[[NQB]])
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: %[[ROWS:.*]] = arith.minsi
// CHECK: tensor.extract_slice %[[Q]][%[[H]], %[[ROW]], 0] [1, %[[ROWS]], 16] [1, 1, 1] : tensor<3x100x16xf32> to tensor<?x16xf32>
// CHECK: tensor.extract_slice %[[K]][%[[H]], 0, 0] [1, 100, 16] [1, 1, 1] : tensor<3x100x16xf32> to tensor<100x16xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: %[[RIGHT:.*]] = arith.constant 3 : index
// CHECK: %[[END0:.*]] = arith.addi %[[ROW]], %[[ROWS]] : index
// CHECK: %[[END1:.*]] = arith.addi %[[END0]], %[[RIGHT]] : index
// CHECK: %[[END2:.*]] = arith.maxsi %[[END1]], %{{.*}} : index
// CHECK: %[[END3:.*]] = arith.minsi %[[END2]], %{{.*}} : index
// CHECK: %[[LEFT:.*]] = arith.constant 20 : index
// CHECK: %[[FIRST0:.*]] = arith.subi %[[ROW]], %[[LEFT]] : index
// CHECK: %[[FIRST1:.*]] = arith.maxsi %[[FIRST0]], %{{.*}} : index
// CHECK: %[[FIRST2:.*]] = arith.minsi %[[FIRST1]], %{{.*}} : index
// CHECK: %[[KBLK:.*]] = arith.floordivsi %[[FIRST2]], %[[BK]] : index
// CHECK: %[[KB:.*]] = arith.muli %[[KBLK]], %[[BK]] : index
// CHECK: %[[KE:.*]] = arith.maxsi %[[END3]], %[[KB]] : index
// CHECK: attn.block %{{.*}}, %{{.*}}, %{{.*}} seed(%[[SEED]]) rows(%[[ROW]], %[[ROW]]) head(%[[ZERO]], %[[H]]) keys(%[[KB]], %[[KE]]) window [20, 3] scale 2.500000e-01 softcap 5.000000e+00 dropout 2.500000e-01 tiles [32, 16] outs(%{{.*}} : tensor<?x16xf32>) : tensor<?x16xf32>, tensor<100x16xf32>, tensor<100x16xf32> -> tensor<?x16xf32>
func.func @window_no_batch(%q: tensor<3x100x16xf32>, %k: tensor<3x100x16xf32>, %v: tensor<3x100x16xf32>, %seed: i64) -> tensor<3x100x16xf32> {
  %0 = attn.sdpa %q, %k, %v window [20, 3] align top_left softcap 5.0 dropout 0.25 seed(%seed) : tensor<3x100x16xf32>, tensor<3x100x16xf32>, tensor<3x100x16xf32> -> tensor<3x100x16xf32>
  return %0 : tensor<3x100x16xf32>
}

// -----

// Two batch dims [3, 2], multi-query (Hkv = 1), L = 8 <= 32: one block of 8
// static rows. The flattened batch index is b0 * 2 + b1.
// CHECK-LABEL: func @two_batch_dims_mqa
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<3x2x4x8x16xbf16>, %[[K:[^:]*]]: tensor<3x2x1x20x16xbf16>, %[[V:[^:]*]]: tensor<3x2x1x20x8xbf16>)
// CHECK: %[[NQB:.*]] = arith.constant 1 : index
// CHECK: scf.forall (%[[B0:.*]], %[[B1:.*]], %[[H:.*]], %[[QB:.*]]) in (3, 2, 4, %[[NQB]])
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: %[[G:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[KVH:.*]] = arith.divui %[[H]], %[[G]] : index
// CHECK-NEXT: %[[QT:.*]] = tensor.extract_slice %[[Q]][%[[B0]], %[[B1]], %[[H]], %[[ROW]], 0] [1, 1, 1, 8, 16] [1, 1, 1, 1, 1] : tensor<3x2x4x8x16xbf16> to tensor<8x16xbf16>
// CHECK-NEXT: %[[KT:.*]] = tensor.extract_slice %[[K]][%[[B0]], %[[B1]], %[[KVH]], 0, 0] [1, 1, 1, 20, 16] [1, 1, 1, 1, 1] : tensor<3x2x1x20x16xbf16> to tensor<20x16xbf16>
// CHECK-NEXT: %[[VT:.*]] = tensor.extract_slice %[[V]][%[[B0]], %[[B1]], %[[KVH]], 0, 0] [1, 1, 1, 20, 8] [1, 1, 1, 1, 1] : tensor<3x2x1x20x8xbf16> to tensor<20x8xbf16>
// CHECK: %[[D1:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[T:.*]] = arith.muli %[[B0]], %[[D1]] : index
// CHECK-NEXT: %[[BATCH:.*]] = arith.addi %[[T]], %[[B1]] : index
// CHECK: attn.block %[[QT]], %[[KT]], %[[VT]] rows(%[[ROW]], %[[ROW]]) head(%[[BATCH]], %[[H]]) {{.*}} outs(%{{.*}} : tensor<8x8xbf16>) : tensor<8x16xbf16>, tensor<20x16xbf16>, tensor<20x8xbf16> -> tensor<8x8xbf16>
func.func @two_batch_dims_mqa(%q: tensor<3x2x4x8x16xbf16>, %k: tensor<3x2x1x20x16xbf16>, %v: tensor<3x2x1x20x8xbf16>) -> tensor<3x2x4x8x8xbf16> {
  %0 = attn.sdpa %q, %k, %v : tensor<3x2x4x8x16xbf16>, tensor<3x2x1x20x16xbf16>, tensor<3x2x1x20x8xbf16> -> tensor<3x2x4x8x8xbf16>
  return %0 : tensor<3x2x4x8x8xbf16>
}

// -----

// Dynamic batch and L: the grid bounds are the batch dim and ceildiv(L, 32),
// and the rows are dynamic.
// CHECK-LABEL: func @dynamic_batch_and_length
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x8x?x64xf32>
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[Q]], %{{.*}} : tensor<?x8x?x64xf32>
// CHECK-DAG: %[[BQ:.*]] = arith.constant 32 : index
// CHECK: %[[NQB:.*]] = arith.ceildivui %[[L:.*]], %[[BQ]] : index
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %{{.*}}) in (%[[N]], 8, %[[NQB]])
// CHECK: tensor.extract_slice %[[Q]][%[[B]], %[[H]], %{{.*}}, 0] [1, 1, %{{.*}}, 64] [1, 1, 1, 1] : tensor<?x8x?x64xf32> to tensor<?x64xf32>
// CHECK: attn.block {{.*}} causal scale 1.250000e-01 tiles [32, 16] outs(%{{.*}} : tensor<?x64xf32>) : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
func.func @dynamic_batch_and_length(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %0 = attn.sdpa %q, %k, %v causal align top_left : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32> -> tensor<?x8x?x64xf32>
  return %0 : tensor<?x8x?x64xf32>
}

// -----

// Must not fire: a function without attn.sdpa is left alone.
// CHECK-LABEL: func @no_attention
// CHECK-NOT: scf.forall
// CHECK: return
func.func @no_attention(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----
// A dynamic mask dim is read in full, like any dim but a static 1 (the
// shape function checks at run time that it equals the dim it masks): the
// mask's batch dim follows the grid's batch index, its head dim of 1
// broadcasts.
// CHECK-LABEL: func @dynamic_mask_batch
// CHECK-SAME: %[[M:[^:]*]]: tensor<?x1x64x48xf32>
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %{{.*}} : index
// CHECK: tensor.extract_slice %[[M]][%[[B]], 0, %[[ROW]], 0] [1, 1, 32, 48] [1, 1, 1, 1] : tensor<?x1x64x48xf32> to tensor<32x48xf32>
func.func @dynamic_mask_batch(%q: tensor<?x4x64x16xf32>, %k: tensor<?x4x48x16xf32>, %v: tensor<?x4x48x16xf32>, %m: tensor<?x1x64x48xf32>) -> tensor<?x4x64x16xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<?x1x64x48xf32>) : tensor<?x4x64x16xf32>, tensor<?x4x48x16xf32>, tensor<?x4x48x16xf32> -> tensor<?x4x64x16xf32>
  return %0 : tensor<?x4x64x16xf32>
}
