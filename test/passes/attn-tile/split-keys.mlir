// RUN: sdpa-opt %s -split-input-file --attn-tile="block-k=16 min-grid-blocks=64" | FileCheck %s
// RUN: sdpa-opt %s -split-input-file --attn-tile="block-k=16" | FileCheck %s --check-prefix=NOSPLIT

// Decode with GQA: a grid of 2 x 8 = 16 blocks, under 64, splits the 100
// keys: ceil(64 / 16) = 4 splits of 2 key blocks (32 keys), the last
// partly empty. Each block writes its chunk's output and lse to partials
// [B, H, P, L, Ev] and [B, H, P, L], both f32 (the output as accumulated,
// rounded to f16 only once combined); linalg combines them.
// CHECK-LABEL: func.func @decode
// CHECK: %[[PARTS:.*]]:2 = scf.forall (%[[B:.*]], %[[H:.*]], %[[P:.*]]) in (2, 8, 4) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x8x4x1x32xf32>, tensor<2x8x4x1xf32>)
// CHECK: %[[FIRST:.*]] = arith.muli %[[P]], %c32
// CHECK: %[[BEGIN:.*]] = arith.maxsi %[[FIRST]], %{{.*}}
// CHECK: attn.block {{.*}} keys(%[[BEGIN]], %{{.*}})
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %[[H]], %[[P]], %{{.*}}, 0] [1, 1, 1, 1, 32]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %[[H]], %[[P]], %{{.*}}] [1, 1, 1, 1]
// The combine: one generic per result, over the result's elements, whose
// body walks the 4 splits: the largest lse, then the weights' sum and the
// weighted outputs, the division; the lse from the same two walks.
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<2x8x1x32xf16>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[MAX:.*]] = scf.for %[[P1:.*]] = %{{.*}} to %[[C4]] {{.*}} -> (f32)
// CHECK: tensor.extract %[[PARTS]]#1[%{{.*}}, %{{.*}}, %[[P1]], %{{.*}}] : tensor<2x8x4x1xf32>
// CHECK: arith.maximumf
// CHECK: %[[SUMS:.*]]:2 = scf.for %[[P2:.*]] = %{{.*}} to %{{.*}} {{.*}} -> (f32, f32)
// CHECK: arith.subf %{{.*}}, %[[MAX]]
// CHECK: math.exp
// CHECK: tensor.extract %[[PARTS]]#0[%{{.*}}, %{{.*}}, %[[P2]], %{{.*}}, %{{.*}}] : tensor<2x8x4x1x32xf32>
// CHECK-NEXT: math.fma
// CHECK: arith.divf %[[SUMS]]#1, %[[SUMS]]#0
// CHECK: arith.truncf
// CHECK: %[[LSE:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<2x8x1xf32>)
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK-NOT: tensor.extract %[[PARTS]]#0
// CHECK: math.log
// CHECK: return %[[OUT]], %[[LSE]]
// NOSPLIT-LABEL: func.func @decode
// NOSPLIT: scf.forall ({{.*}}) in (2, 8, %{{.*}})
// NOSPLIT-NOT: linalg.generic
func.func @decode(%q: tensor<2x8x1x32xf16>, %k: tensor<2x2x100x32xf16>, %v: tensor<2x2x100x32xf16>) -> (tensor<2x8x1x32xf16>, tensor<2x8x1xf32>) {
  %o, %l = attn.sdpa %q, %k, %v causal align bottom_right : tensor<2x8x1x32xf16>, tensor<2x2x100x32xf16>, tensor<2x2x100x32xf16> -> tensor<2x8x1x32xf16>, tensor<2x8x1xf32>
  return %o, %l : tensor<2x8x1x32xf16>, tensor<2x8x1xf32>
}

// -----

// Several query blocks (L = 100: 2 of 64 rows) over a long context (600
// keys: 38 key blocks of 16, at least the 32 that several query blocks
// need) in a grid of 4 blocks: each query block's keys are split too,
// min(64 / 4, 38) = 16 ways of ceil(38 / 16) = 3 key blocks, which 13
// splits cover, in one grid dim of query block x split (split-minor).
// Causal: the first query block's rows see keys up to 564 only, so its
// last split gets an empty key range (begin clamped up to end), which the
// combine weighs 0.
// CHECK-LABEL: func.func @long_context_prefill
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[IV:.*]]) in (1, 2, 26) shared_outs({{.*}}) -> (tensor<1x2x13x100x32xf32>, tensor<1x2x13x100xf32>)
// CHECK: %[[SPLIT:.*]] = arith.remui %[[IV]], %c13
// CHECK: %[[QB:.*]] = arith.divui %[[IV]], %c13
// CHECK: %[[ROW:.*]] = arith.muli %[[QB]], %c64
// CHECK: %[[FIRST:.*]] = arith.muli %[[SPLIT]], %c48
// CHECK: %[[BEGIN:.*]] = arith.maxsi %[[FIRST]], %c0
// CHECK: attn.block {{.*}} keys(%[[BEGIN]], %{{.*}}) causal
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %[[SPLIT]], %[[ROW]], 0]
// CHECK: linalg.generic
func.func @long_context_prefill(%q: tensor<1x2x100x32xf32>, %k: tensor<1x2x600x32xf32>, %v: tensor<1x2x600x32xf32>) -> tensor<1x2x100x32xf32> {
  %o = attn.sdpa %q, %k, %v causal align bottom_right : tensor<1x2x100x32xf32>, tensor<1x2x600x32xf32>, tensor<1x2x600x32xf32> -> tensor<1x2x100x32xf32>
  return %o : tensor<1x2x100x32xf32>
}

// -----

// Several query blocks over fewer keys (7 key blocks): not split.
// CHECK-LABEL: func.func @prefill
// CHECK: scf.forall ({{.*}}) in (1, 2, %{{.*}})
// CHECK-NOT: linalg.generic
func.func @prefill(%q: tensor<1x2x100x32xf32>, %k: tensor<1x2x100x32xf32>, %v: tensor<1x2x100x32xf32>) -> tensor<1x2x100x32xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32> -> tensor<1x2x100x32xf32>
  return %o : tensor<1x2x100x32xf32>
}

// -----

// A grid of enough blocks (2 x 8 x 4 query blocks = min-grid-blocks) is
// not split, however many keys.
// CHECK-LABEL: func.func @prefill_grid_full
// CHECK: scf.forall ({{.*}}) in (2, 8, %c4)
// CHECK-NOT: linalg.generic
func.func @prefill_grid_full(%q: tensor<2x8x250x32xf32>, %k: tensor<2x8x900x32xf32>, %v: tensor<2x8x900x32xf32>) -> tensor<2x8x250x32xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<2x8x250x32xf32>, tensor<2x8x900x32xf32>, tensor<2x8x900x32xf32> -> tensor<2x8x250x32xf32>
  return %o : tensor<2x8x250x32xf32>
}

// -----

// Split with the output transposed to [B, L, H, Ev]: the partials stay in
// the logical order, and the combine writes the transposed output itself
// (its map places L before H), so the transpose goes.
// CHECK: #[[$MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
// CHECK-LABEL: func.func @decode_bshd
// CHECK: scf.forall ({{.*}}) in (1, 4, 4) shared_outs({{.*}}) -> (tensor<1x4x4x1x16xf32>, tensor<1x4x4x1xf32>)
// CHECK: %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$MAP]]], {{.*}} outs(%{{.*}} : tensor<1x1x4x16xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[OUT]]
func.func @decode_bshd(%q: tensor<1x4x1x16xf32>, %k: tensor<1x4x64x16xf32>, %v: tensor<1x4x64x16xf32>) -> tensor<1x1x4x16xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<1x4x1x16xf32>, tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32> -> tensor<1x4x1x16xf32>
  %e = tensor.empty() : tensor<1x1x4x16xf32>
  %t = linalg.transpose ins(%o : tensor<1x4x1x16xf32>) outs(%e : tensor<1x1x4x16xf32>) permutation = [0, 2, 1, 3]
  return %t : tensor<1x1x4x16xf32>
}

// -----

// Decode over a KV cache read up to a position: the key length is dynamic
// but at most the cache's 1000, which chooses the splits as a static 1000
// would (8 blocks under 64: min(8, 63) = 8 splits); each split's share of
// the keys is computed from the run-time length, in whole key blocks
// (ceil(ceil(S / 16) / 8) * 16), so the splits cover every key. A dynamic
// length that nothing bounds is not split.
// CHECK-LABEL: func.func @cache_prefix
// CHECK-SAME: %[[CACHE:[^:]*]]: tensor<1x2x1000x32xf16>, %[[POS:[^:]*]]: index
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[P:.*]]) in (1, 8, 8) shared_outs({{.*}}) -> (tensor<1x8x8x1x32xf32>, tensor<1x8x8x1xf32>)
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %[[POS]], %c16
// CHECK: %[[PER:.*]] = arith.ceildivui %[[BLOCKS]], %c8{{(_[0-9]+)?}} : index
// CHECK: %[[SHARE:.*]] = arith.muli %[[PER]], %c16
// CHECK: %[[FIRST:.*]] = arith.muli %[[P]], %[[SHARE]]
// CHECK: arith.addi %[[FIRST]], %[[SHARE]]
// CHECK: attn.block
// CHECK: linalg.generic
// CHECK-LABEL: func.func @unbounded
// CHECK: scf.forall ({{.*}}) in (1, 8, %{{.*}}) shared_outs({{.*}}) -> (tensor<1x8x1x32xf16>)
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @cache_prefix(%cache: tensor<1x2x1000x32xf16>, %pos: index, %q: tensor<1x8x1x32xf16>) -> tensor<1x8x1x32xf16> {
  %k = tensor.extract_slice %cache[0, 0, 0, 0] [1, 2, %pos, 32] [1, 1, 1, 1] : tensor<1x2x1000x32xf16> to tensor<1x2x?x32xf16>
  %0 = attn.sdpa %q, %k, %k causal align bottom_right : tensor<1x8x1x32xf16>, tensor<1x2x?x32xf16>, tensor<1x2x?x32xf16> -> tensor<1x8x1x32xf16>
  return %0 : tensor<1x8x1x32xf16>
}
func.func @unbounded(%k: tensor<1x2x?x32xf16>, %q: tensor<1x8x1x32xf16>) -> tensor<1x8x1x32xf16> {
  %0 = attn.sdpa %q, %k, %k : tensor<1x8x1x32xf16>, tensor<1x2x?x32xf16>, tensor<1x2x?x32xf16> -> tensor<1x8x1x32xf16>
  return %0 : tensor<1x8x1x32xf16>
}
