// Dynamic dims on the CPU: each function is compiled once, and the one
// artifact runs on inputs of several shapes (ragged lengths, L > S, L = 1,
// Ev != E, group sizes chosen at run time), each checked against the
// float64 reference. Inputs whose shapes do not fit together are refused
// before any kernel runs, naming the rule and the sizes.
// RUN: rm -rf %t && mkdir -p %t

// RUN: sdpa-compile %s --entry=gqa_causal -o %t/gqa
// RUN: sdpa-run %t/gqa --random=1 --shape=2x8x37x64 --shape=2x2x45x64 --shape=2x2x45x64 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/gqa --random=2 --shape=1x8x50x64 --shape=1x2x20x64 --shape=1x2x20x64 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/gqa --random=3 --shape=3x8x1x64 --shape=3x2x100x64 --shape=3x2x100x64 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/gqa --random=4 --shape=1x8x64x64 --shape=1x2x64x64 --shape=1x2x64x64 --check --threads=1 | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/gqa --random=5 --shape=2x8x16x64 --shape=3x2x16x64 --shape=2x2x16x64 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: sdpa-run: error: the input shapes do not fit the kernel: key batch dim 0 (3) must equal query batch dim 0 (2) at attn.sdpa
// OK: check: result #0 rel_error={{.*}} ok
// OK-NOT: FAILED
func.func @gqa_causal(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %0 = attn.sdpa %q, %k, %v causal align bottom_right : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32> -> tensor<?x8x?x64xf32>
  return %0 : tensor<?x8x?x64xf32>
}

// Every dim dynamic but the head dims (which the vector kernel needs
// static), heads included, so the group size is chosen at run time, with a
// sliding window, Ev != E and the log-sum-exp.
// RUN: sdpa-compile %s --entry=dynamic_heads -o %t/heads
// RUN: sdpa-run %t/heads --random=6 --shape=2x6x33x24 --shape=2x3x40x24 --shape=2x3x40x20 --check | FileCheck %s --check-prefix=TWO
// RUN: sdpa-run %t/heads --random=7 --shape=1x4x17x24 --shape=1x4x17x24 --shape=1x4x17x20 --check | FileCheck %s --check-prefix=TWO
// RUN: sdpa-run %t/heads --random=8 --shape=1x8x5x24 --shape=1x1x9x24 --shape=1x1x9x20 --check | FileCheck %s --check-prefix=TWO
// TWO: check: result #0 rel_error={{.*}} ok
// TWO: check: result #1 rel_error={{.*}} ok
// RUN: not sdpa-run %t/heads --random=9 --shape=1x6x8x24 --shape=1x4x8x24 --shape=1x4x8x20 2>&1 | FileCheck %s --check-prefix=HEADS
// HEADS: sdpa-run: error: the input shapes do not fit the kernel: key heads (4) must be positive and divide query heads (6) at attn.sdpa
// RUN: not sdpa-run %t/heads --random=9 --shape=1x4x8x24 --shape=1x4x8x24 --shape=1x4x9x20 2>&1 | FileCheck %s --check-prefix=KEYS
// KEYS: sdpa-run: error: the input shapes do not fit the kernel: value sequence dim 2 (9) must equal key sequence dim 2 (8) at attn.sdpa
// RUN: not sdpa-run %t/heads --random=9 --shape=1x4x8x24 --shape=1x0x8x24 --shape=1x0x8x20 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: sdpa-run: error: the input shapes do not fit the kernel: key heads (0) must be positive and divide query heads (4) at attn.sdpa
func.func @dynamic_heads(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x20xf32>) -> (tensor<?x?x?x20xf32>, tensor<?x?x?xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v window [8, 0] align top_left : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x20xf32> -> tensor<?x?x?x20xf32>, tensor<?x?x?xf32>
  return %0, %1 : tensor<?x?x?x20xf32>, tensor<?x?x?xf32>
}

// f16 with an additive mask over (batch, L, S), broadcast over heads: the
// mask's dynamic dims are read in full, so one of size 1 where the batch
// is 2 is refused.
// RUN: sdpa-compile %s --entry=masked_f16 -o %t/mask
// RUN: sdpa-run %t/mask --random=10 --shape=2x4x29x32 --shape=2x4x31x32 --shape=2x4x31x32 --shape=2x1x29x31 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/mask --random=11 --shape=1x4x1x32 --shape=1x4x70x32 --shape=1x4x70x32 --shape=1x1x1x70 --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/mask --random=12 --shape=2x4x29x32 --shape=2x4x31x32 --shape=2x4x31x32 --shape=1x1x29x31 2>&1 | FileCheck %s --check-prefix=MASK
// MASK: sdpa-run: error: the input shapes do not fit the kernel: mask dim 0 (1) must equal the dim it masks (2); only a static 1 broadcasts, at attn.sdpa
func.func @masked_f16(%q: tensor<?x4x?x32xf16>, %k: tensor<?x4x?x32xf16>, %v: tensor<?x4x?x32xf16>, %m: tensor<?x1x?x?xf16>) -> tensor<?x4x?x32xf16> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<?x1x?x?xf16>) : tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16>, tensor<?x4x?x32xf16> -> tensor<?x4x?x32xf16>
  return %0 : tensor<?x4x?x32xf16>
}

// One graph for prefill and decode: L is dynamic, so the GQA packing of
// decode is chosen at run time (L = 1) and prefill runs as written; the
// per-head additive mask is reshaped with the query in decode. A mask head
// dim of 1 where there are 8 heads is refused (only a static 1
// broadcasts).
// RUN: sdpa-compile %s --entry=prefill_or_decode -o %t/both
// RUN: sdpa-run %t/both --random=16 --shape=2x8x1x32 --shape=2x2x50x32 --shape=2x2x50x32 --shape=2x8x1x50 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/both --random=17 --shape=2x8x7x32 --shape=2x2x7x32 --shape=2x2x7x32 --shape=2x8x7x7 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/both --random=18 --shape=1x8x1x32 --shape=1x2x1x32 --shape=1x2x1x32 --shape=1x8x1x1 --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/both --random=19 --shape=2x8x1x32 --shape=2x2x50x32 --shape=2x2x50x32 --shape=2x1x1x50 2>&1 | FileCheck %s --check-prefix=MASK-HEADS
// MASK-HEADS: sdpa-run: error: the input shapes do not fit the kernel: mask dim 1 (1) must equal the dim it masks (8); only a static 1 broadcasts, at attn.sdpa
func.func @prefill_or_decode(%q: tensor<?x8x?x32xf32>, %k: tensor<?x2x?x32xf32>, %v: tensor<?x2x?x32xf32>, %m: tensor<?x?x?x?xf32>) -> tensor<?x8x?x32xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<?x?x?x?xf32>) causal align bottom_right : tensor<?x8x?x32xf32>, tensor<?x2x?x32xf32>, tensor<?x2x?x32xf32> -> tensor<?x8x?x32xf32>
  return %0 : tensor<?x8x?x32xf32>
}

// Decode over a KV cache read up to a position passed as an argument: the
// slice of the cache must lie inside it, or the run is refused.
// RUN: %python -c "import numpy as n; r=n.random.default_rng(20); \
// RUN:   n.save('%t/cache.npy', r.uniform(-1,1,(2,2,40,32)).astype(n.float32)); \
// RUN:   n.save('%t/q.npy', r.uniform(-1,1,(2,8,1,32)).astype(n.float32)); \
// RUN:   n.save('%t/pos.npy', n.array(23, dtype=n.int64)); \
// RUN:   n.save('%t/pos_full.npy', n.array(40, dtype=n.int64)); \
// RUN:   n.save('%t/pos_past.npy', n.array(41, dtype=n.int64)); \
// RUN:   n.save('%t/pos_negative.npy', n.array(-3, dtype=n.int64))"
// RUN: sdpa-compile %s --entry=cache_prefix -o %t/cache
// RUN: sdpa-run %t/cache --input=%t/cache.npy --input=%t/pos.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/cache --input=%t/cache.npy --input=%t/pos_full.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/cache --input=%t/cache.npy --input=%t/pos_past.npy --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=PAST
// PAST: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at 41 must start at 0 or later and end within the dim (40) at tensor.extract_slice
// RUN: not sdpa-run %t/cache --input=%t/cache.npy --input=%t/pos_negative.npy --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at -3 must start at 0 or later
func.func @cache_prefix(%cache: tensor<2x2x?x32xf32>, %pos: i64, %q: tensor<2x8x1x32xf32>) -> tensor<2x8x1x32xf32> {
  %p = arith.index_cast %pos : i64 to index
  %k = tensor.extract_slice %cache[0, 0, 0, 0] [2, 2, %p, 32] [1, 1, 1, 1] : tensor<2x2x?x32xf32> to tensor<2x2x?x32xf32>
  %0 = attn.sdpa %q, %k, %k causal align bottom_right : tensor<2x8x1x32xf32>, tensor<2x2x?x32xf32>, tensor<2x2x?x32xf32> -> tensor<2x8x1x32xf32>
  return %0 : tensor<2x8x1x32xf32>
}

// The same with a cache of static size: the signature has no dynamic dim,
// and the position is checked all the same.
// RUN: sdpa-compile %s --entry=static_cache_prefix -o %t/static-cache
// RUN: sdpa-run %t/static-cache --input=%t/cache.npy --input=%t/pos.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/static-cache --input=%t/cache.npy --input=%t/pos_past.npy --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=PAST
func.func @static_cache_prefix(%cache: tensor<2x2x40x32xf32>, %pos: i64, %q: tensor<2x8x1x32xf32>) -> tensor<2x8x1x32xf32> {
  %p = arith.index_cast %pos : i64 to index
  %k = tensor.extract_slice %cache[0, 0, 0, 0] [2, 2, %p, 32] [1, 1, 1, 1] : tensor<2x2x40x32xf32> to tensor<2x2x?x32xf32>
  %0 = attn.sdpa %q, %k, %k causal align bottom_right : tensor<2x8x1x32xf32>, tensor<2x2x?x32xf32>, tensor<2x2x?x32xf32> -> tensor<2x8x1x32xf32>
  return %0 : tensor<2x8x1x32xf32>
}

// As torch.export writes a decode step over static K and V caches: the
// position is a rank-0 tensor and the step attends to keys 0..pos. The
// shape function reads the position from the input's data; a position past
// the cache is refused, never read out of bounds.
// RUN: %python -c "import numpy as n; r=n.random.default_rng(21); \
// RUN:   n.save('%t/kc.npy', r.uniform(-1,1,(1,2,96,64)).astype(n.float16)); \
// RUN:   n.save('%t/vc.npy', r.uniform(-1,1,(1,2,96,64)).astype(n.float16)); \
// RUN:   n.save('%t/q16.npy', r.uniform(-1,1,(1,8,1,64)).astype(n.float16)); \
// RUN:   [n.save('%t/at%d.npy' % p, n.array(p, dtype=n.int64)) for p in (0, 37, 95, 96)]"
// RUN: sdpa-compile %s --entry=cache_position -o %t/position
// RUN: sdpa-run %t/position --input=%t/kc.npy --input=%t/vc.npy --input=%t/at0.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/position --input=%t/kc.npy --input=%t/vc.npy --input=%t/at37.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/position --input=%t/kc.npy --input=%t/vc.npy --input=%t/at95.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/position --input=%t/kc.npy --input=%t/vc.npy --input=%t/at96.npy --input=%t/q16.npy 2>&1 | FileCheck %s --check-prefix=POSITION
// POSITION: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at 97 must start at 0 or later and end within the dim (96) at tensor.extract_slice
func.func @cache_position(%kc: tensor<1x2x96x64xf16>, %vc: tensor<1x2x96x64xf16>, %pos: tensor<i64>, %q: tensor<1x8x1x64xf16>) -> tensor<1x8x1x64xf16> {
  %c1 = arith.constant 1 : i64
  %at = tensor.extract %pos[] : tensor<i64>
  %end = arith.addi %at, %c1 : i64
  %n = arith.index_cast %end : i64 to index
  %k = tensor.extract_slice %kc[0, 0, 0, 0] [1, 2, %n, 64] [1, 1, 1, 1] : tensor<1x2x96x64xf16> to tensor<1x2x?x64xf16>
  %v = tensor.extract_slice %vc[0, 0, 0, 0] [1, 2, %n, 64] [1, 1, 1, 1] : tensor<1x2x96x64xf16> to tensor<1x2x?x64xf16>
  %0 = attn.sdpa %q, %k, %v : tensor<1x8x1x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16> -> tensor<1x8x1x64xf16>
  return %0 : tensor<1x8x1x64xf16>
}

// A batch of decode steps over a cache of 1000 positions, read up to a
// position: with fewer grid blocks than --min-grid-blocks, the keys split
// by the cache's bound (here 64 / 8 = 8 ways of 4 key blocks of 32) and
// each split's share comes from the run-time length, several key blocks or
// none; the CPU and the emulated GPU (nvptx_dynamic_shapes.mlir) both run
// the split.
// RUN: %python -c "import numpy as n; r=n.random.default_rng(22); \
// RUN:   n.save('%t/bc.npy', r.uniform(-1,1,(8,1,1000,64)).astype(n.float32)); \
// RUN:   n.save('%t/bq.npy', r.uniform(-1,1,(8,4,1,64)).astype(n.float32)); \
// RUN:   [n.save('%t/len%d.npy' % p, n.array(p, dtype=n.int64)) for p in (1, 33, 500, 1000)]"
// RUN: sdpa-compile %s --entry=batched_cache_prefix --block-k=32 --min-grid-blocks=64 -o %t/batched
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len1.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len33.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len500.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len1000.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
func.func @batched_cache_prefix(%cache: tensor<8x1x1000x64xf32>, %len: i64, %q: tensor<8x4x1x64xf32>) -> tensor<8x4x1x64xf32> {
  %n = arith.index_cast %len : i64 to index
  %k = tensor.extract_slice %cache[0, 0, 0, 0] [8, 1, %n, 64] [1, 1, 1, 1] : tensor<8x1x1000x64xf32> to tensor<8x1x?x64xf32>
  %0 = attn.sdpa %q, %k, %k : tensor<8x4x1x64xf32>, tensor<8x1x?x64xf32>, tensor<8x1x?x64xf32> -> tensor<8x4x1x64xf32>
  return %0 : tensor<8x4x1x64xf32>
}

// As an exporter writes a self-attention layer with dynamic batch and
// sequence length: projections of [B * L, D], split into heads with
// expand_shape (two dynamic dims in one group), transposed to [B, H, L, E]
// around a causal GQA attention, merged back. B and L cross the attention
// as sizes.
// RUN: sdpa-compile %s --entry=self_attention -o %t/layer
// RUN: sdpa-run %t/layer --random=13 --shape=2x37x64 --shape=64x64 --shape=64x32 --shape=64x32 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/layer --random=14 --shape=1x1x64 --shape=64x64 --shape=64x32 --shape=64x32 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/layer --random=15 --shape=3x70x64 --shape=64x64 --shape=64x32 --shape=64x32 --check | FileCheck %s --check-prefix=OK
func.func @self_attention(%x: tensor<?x?x64xf32>, %wq: tensor<64x64xf32>, %wk: tensor<64x32xf32>, %wv: tensor<64x32xf32>) -> tensor<?x?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %b = tensor.dim %x, %c0 : tensor<?x?x64xf32>
  %l = tensor.dim %x, %c1 : tensor<?x?x64xf32>
  %bl = arith.muli %b, %l : index
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
  %eq = tensor.empty(%bl) : tensor<?x64xf32>
  %fq = linalg.fill ins(%zero : f32) outs(%eq : tensor<?x64xf32>) -> tensor<?x64xf32>
  %q2 = linalg.matmul ins(%x2, %wq : tensor<?x64xf32>, tensor<64x64xf32>) outs(%fq : tensor<?x64xf32>) -> tensor<?x64xf32>
  %ek = tensor.empty(%bl) : tensor<?x32xf32>
  %fk = linalg.fill ins(%zero : f32) outs(%ek : tensor<?x32xf32>) -> tensor<?x32xf32>
  %k2 = linalg.matmul ins(%x2, %wk : tensor<?x64xf32>, tensor<64x32xf32>) outs(%fk : tensor<?x32xf32>) -> tensor<?x32xf32>
  %v2 = linalg.matmul ins(%x2, %wv : tensor<?x64xf32>, tensor<64x32xf32>) outs(%fk : tensor<?x32xf32>) -> tensor<?x32xf32>
  %q4 = tensor.expand_shape %q2 [[0, 1], [2, 3]] output_shape [%b, %l, 4, 16] : tensor<?x64xf32> into tensor<?x?x4x16xf32>
  %k4 = tensor.expand_shape %k2 [[0, 1], [2, 3]] output_shape [%b, %l, 2, 16] : tensor<?x32xf32> into tensor<?x?x2x16xf32>
  %v4 = tensor.expand_shape %v2 [[0, 1], [2, 3]] output_shape [%b, %l, 2, 16] : tensor<?x32xf32> into tensor<?x?x2x16xf32>
  %tq = tensor.empty(%b, %l) : tensor<?x4x?x16xf32>
  %q = linalg.transpose ins(%q4 : tensor<?x?x4x16xf32>) outs(%tq : tensor<?x4x?x16xf32>) permutation = [0, 2, 1, 3]
  %tk = tensor.empty(%b, %l) : tensor<?x2x?x16xf32>
  %k = linalg.transpose ins(%k4 : tensor<?x?x2x16xf32>) outs(%tk : tensor<?x2x?x16xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v4 : tensor<?x?x2x16xf32>) outs(%tk : tensor<?x2x?x16xf32>) permutation = [0, 2, 1, 3]
  %o = attn.sdpa %q, %k, %v causal align top_left : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x4x?x16xf32>
  %to = tensor.empty(%b, %l) : tensor<?x?x4x16xf32>
  %ot = linalg.transpose ins(%o : tensor<?x4x?x16xf32>) outs(%to : tensor<?x?x4x16xf32>) permutation = [0, 2, 1, 3]
  %out = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<?x?x4x16xf32> into tensor<?x?x64xf32>
  return %out : tensor<?x?x64xf32>
}

// Unfused attention in torch-mlir's linalg with dynamic batch and lengths
// (test/passes/attn-raise-sdpa/dynamic.mlir), raised with its dynamic dims:
// one artifact, ragged shapes, L > S, L = 1, a causal offset S - L taken
// from the run-time sizes, against the float64 evaluation of the graph as
// written.
// RUN: sdpa-compile %sdpa_src_root/test/passes/attn-raise-sdpa/dynamic.mlir --entry=torch_dynamic -o %t/torch
// RUN: sdpa-run %t/torch --random=21 --shape=2x2x37x8 --shape=2x2x45x8 --shape=2x2x45x8 --shape=2x1x37x45 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/torch --random=22 --shape=1x2x70x8 --shape=1x2x33x8 --shape=1x2x33x8 --shape=1x1x70x33 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/torch --random=23 --shape=3x2x1x8 --shape=3x2x130x8 --shape=3x2x130x8 --shape=3x1x1x130 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-compile %sdpa_src_root/test/passes/attn-raise-sdpa/dynamic.mlir --entry=gqa_causal_dynamic -o %t/torch-gqa
// RUN: sdpa-run %t/torch-gqa --random=24 --shape=2x6x50x8 --shape=2x2x61x8 --shape=2x2x61x8 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/torch-gqa --random=25 --shape=1x6x1x8 --shape=1x2x1x8 --shape=1x2x1x8 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-compile %sdpa_src_root/test/passes/attn-raise-sdpa/dynamic.mlir --entry=bottom_right_dynamic -o %t/torch-decode
// RUN: sdpa-run %t/torch-decode --random=26 --shape=2x4x1x8 --shape=2x4x300x8 --shape=2x4x300x8 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/torch-decode --random=27 --shape=1x4x37x8 --shape=1x4x90x8 --shape=1x4x90x8 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/torch-decode --random=28 --shape=3x4x20x8 --shape=3x4x20x8 --shape=3x4x20x8 --check | FileCheck %s --check-prefix=OK

// A BERT-style TOSA graph with a dynamic batch (tosa.reshape with -1 dims,
// lowered through flat dims), raised: batches of 1, 3 and 8.
// RUN: sdpa-compile %sdpa_src_root/test/compiler/raise-dynamic-tosa.mlir --entry=bert_dynamic_batch -o %t/bert
// RUN: sdpa-run %t/bert --random=29 --shape=1x6x16 --shape=1x6x16 --shape=1x6x16 --shape=1x1x1x6 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/bert --random=30 --shape=3x6x16 --shape=3x6x16 --shape=3x6x16 --shape=3x1x1x6 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/bert --random=31 --shape=8x6x16 --shape=8x6x16 --shape=8x6x16 --shape=8x1x1x6 --check | FileCheck %s --check-prefix=OK

// Unfused TOSA attention with dynamic batch and lengths and an additive
// mask, as exporters write it: valid TOSA 1.1, raised to attn.sdpa with its
// dynamic dims, compiled once and run at several shapes, S = 1 included.
// Dynamic dims that meet in an elementwise op are taken to be equal, so a
// mask whose dynamic batch is 1 at run time is refused with the sizes and
// the tosa.add's location; static shapes compile that broadcast.
// RUN: sdpa-compile %s --entry=tosa_masked -o %t/tosa
// RUN: sdpa-run %t/tosa --random=16 --shape=4x37x32 --shape=4x50x32 --shape=4x50x32 --shape=4x37x50 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/tosa --random=17 --shape=1x9x32 --shape=1x1x32 --shape=1x1x32 --shape=1x9x1 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/tosa --random=18 --shape=2x1x32 --shape=2x70x32 --shape=2x70x32 --shape=2x1x70 --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/tosa --random=19 --shape=4x37x32 --shape=4x50x32 --shape=4x50x32 --shape=1x37x50 2>&1 | FileCheck %s --check-prefix=BROADCAST
// BROADCAST: sdpa-run: error: the input shapes do not fit the kernel: assertion failed at cf.assert ({{.*}}dynamic_shapes.mlir:[[# @LINE + 10]]:{{[0-9]+}}): dim 0 of an operand must equal the result's (a dynamic dim of 1 does not broadcast: {{.*}}) (compared 1 with 4)
// RUN: sdpa-compile %s --entry=tosa_masked --shape=4x37x32 --shape=4x50x32 --shape=4x50x32 --shape=1x37x50 -o %t/tosa-static
// RUN: sdpa-run %t/tosa-static --random=20 --check | FileCheck %s --check-prefix=OK
func.func @tosa_masked(%q: tensor<?x?x32xf32>, %k: tensor<?x?x32xf32>, %v: tensor<?x?x32xf32>, %mask: tensor<?x?x?xf32>) -> tensor<?x?x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<?x?x32xf32>) -> tensor<?x32x?xf32>
  %qk = tosa.matmul %q, %kt, %zp, %zp : (tensor<?x?x32xf32>, tensor<?x32x?xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x?xf32>
  %c = "tosa.const"() <{values = dense<0.176776695> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %s0 = tosa.mul %qk, %c, %shift : (tensor<?x?x?xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<?x?x?xf32>
  %s = tosa.add %s0, %mask : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %m = tosa.reduce_max %s {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  %d = tosa.sub %s, %m : (tensor<?x?x?xf32>, tensor<?x?x1xf32>) -> tensor<?x?x?xf32>
  %e = tosa.exp %d : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  %r = tosa.reciprocal %sum : (tensor<?x?x1xf32>) -> tensor<?x?x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<?x?x?xf32>, tensor<?x?x1xf32>, tensor<1xi8>) -> tensor<?x?x?xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<?x?x?xf32>, tensor<?x?x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x32xf32>
  return %o : tensor<?x?x32xf32>
}
