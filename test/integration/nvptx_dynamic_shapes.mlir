// Graphs with dynamic dims on the GPU: the kernels need static shapes, so
// sdpa-run --target=nvptx specializes the entry to the shapes of its inputs
// (--attn-specialize-shapes) and compiles it for them, and sdpa-compile
// does so for the shapes given with --shape. Each run is checked against
// the float64 reference, on the CUDA emulator here and on the GPU where one
// is.
// REQUIRES: cuda-toolkit
// RUN: rm -rf %t && mkdir -p %t

// Prefill with ragged lengths, S < L, and a decode step (L = 1, split over
// the keys) of one graph.
// RUN: sdpa-run %s --entry=gqa_causal --target=nvptx --emulate --random=1 --shape=2x8x37x64 --shape=2x2x45x64 --shape=2x2x45x64 --check | FileCheck %s --check-prefix=GQA
// RUN: sdpa-run %s --entry=gqa_causal --target=nvptx --emulate --random=2 --shape=1x8x50x64 --shape=1x2x20x64 --shape=1x2x20x64 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %s --entry=gqa_causal --target=nvptx --emulate --random=3 --shape=3x8x1x64 --shape=3x2x700x64 --shape=3x2x700x64 --check | FileCheck %s --check-prefix=OK
// RUN: %if cuda %{ sdpa-run %s --entry=gqa_causal --target=nvptx --random=1 --shape=2x8x37x64 --shape=2x2x45x64 --shape=2x2x45x64 --check | FileCheck %s --check-prefix=OK %}
// RUN: %if cuda %{ sdpa-run %s --entry=gqa_causal --target=nvptx --random=3 --shape=3x8x1x64 --shape=3x2x700x64 --shape=3x2x700x64 --check | FileCheck %s --check-prefix=OK %}
// The results are printed with the shapes they were computed at.
// GQA: @gqa_causal on nvptx:
// GQA-NEXT: result #0: tensor<2x8x37x64xbf16>
// GQA: check: result #0 rel_error={{.*}} ok
// OK: check: result #0 rel_error={{.*}} ok
// OK-NOT: FAILED
func.func @gqa_causal(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x2x?x64xbf16>, %v: tensor<?x2x?x64xbf16>) -> tensor<?x8x?x64xbf16> {
  %0 = attn.sdpa %q, %k, %v causal align bottom_right : tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16> -> tensor<?x8x?x64xbf16>
  return %0 : tensor<?x8x?x64xbf16>
}

// Unfused graphs with dynamic dims (test/passes/attn-raise-sdpa/dynamic.mlir),
// specialized then raised: torch-mlir's linalg with a mask, and a causal
// offset S - L read from the sizes.
// RUN: sdpa-run %sdpa_src_root/test/passes/attn-raise-sdpa/dynamic.mlir --entry=torch_dynamic --target=nvptx --emulate --random=11 --shape=2x2x37x8 --shape=2x2x45x8 --shape=2x2x45x8 --shape=2x1x37x45 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %sdpa_src_root/test/passes/attn-raise-sdpa/dynamic.mlir --entry=bottom_right_dynamic --target=nvptx --emulate --random=12 --shape=2x4x3x8 --shape=2x4x70x8 --shape=2x4x70x8 --check | FileCheck %s --check-prefix=OK
// RUN: %if cuda %{ sdpa-run %sdpa_src_root/test/passes/attn-raise-sdpa/dynamic.mlir --entry=bottom_right_dynamic --target=nvptx --random=12 --shape=2x4x3x8 --shape=2x4x70x8 --shape=2x4x70x8 --check | FileCheck %s --check-prefix=OK %}

// Heads chosen at run time too, with a window, Ev != E and the LSE; shapes
// whose heads do not divide are refused before anything is compiled.
// RUN: sdpa-run %s --entry=dynamic_heads --target=nvptx --emulate --random=4 --shape=2x6x33x64 --shape=2x3x40x64 --shape=2x3x40x32 --check | FileCheck %s --check-prefix=TWO
// RUN: not sdpa-run %s --entry=dynamic_heads --target=nvptx --emulate --random=5 --shape=1x6x8x64 --shape=1x4x8x64 --shape=1x4x8x32 2>&1 | FileCheck %s --check-prefix=HEADS
// TWO: check: result #0 rel_error={{.*}} ok
// TWO: check: result #1 rel_error={{.*}} ok
// HEADS: error: 'attn.sdpa' op query heads (6) must be a multiple of key heads (4)
// HEADS: error: the shapes given for @dynamic_heads do not fit together (see above)
func.func @dynamic_heads(%q: tensor<?x?x?x64xf16>, %k: tensor<?x?x?x64xf16>, %v: tensor<?x?x?x32xf16>) -> (tensor<?x?x?x32xf16>, tensor<?x?x?xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v window [8, 0] align top_left : tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x32xf16> -> tensor<?x?x?x32xf16>, tensor<?x?x?xf32>
  return %0, %1 : tensor<?x?x?x32xf16>, tensor<?x?x?xf32>
}

// As an exporter writes a self-attention layer with dynamic batch and
// sequence length (tensor.dim, reshapes with dynamic sizes, tensor.empty
// of them): the projections, transposes and merge run as kernels too.
// RUN: sdpa-run %s --entry=self_attention --target=nvptx --emulate --random=6 --shape=2x37x64 --shape=64x64 --shape=64x32 --shape=64x32 --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %s --entry=self_attention --target=nvptx --emulate --random=7 --shape=1x1x64 --shape=64x64 --shape=64x32 --shape=64x32 --check | FileCheck %s --check-prefix=OK
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

// Unfused TOSA attention with dynamic batch and lengths: static once
// specialized, lowered, raised to attn.sdpa and run.
// RUN: sdpa-run %s --entry=tosa_attention --target=nvptx --emulate --random=8 --shape=4x37x32 --shape=4x50x32 --shape=4x50x32 --check | FileCheck %s --check-prefix=OK
func.func @tosa_attention(%q: tensor<?x?x32xf32>, %k: tensor<?x?x32xf32>, %v: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<?x?x32xf32>) -> tensor<?x32x?xf32>
  %qk = tosa.matmul %q, %kt, %zp, %zp : (tensor<?x?x32xf32>, tensor<?x32x?xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x?xf32>
  %c = "tosa.const"() <{values = dense<0.176776695> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %s = tosa.mul %qk, %c, %shift : (tensor<?x?x?xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<?x?x?xf32>
  %m = tosa.reduce_max %s {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  %d = tosa.sub %s, %m : (tensor<?x?x?xf32>, tensor<?x?x1xf32>) -> tensor<?x?x?xf32>
  %e = tosa.exp %d : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<?x?x?xf32>) -> tensor<?x?x1xf32>
  %r = tosa.reciprocal %sum : (tensor<?x?x1xf32>) -> tensor<?x?x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<?x?x?xf32>, tensor<?x?x1xf32>, tensor<1xi8>) -> tensor<?x?x?xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<?x?x?xf32>, tensor<?x?x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x?x32xf32>
  return %o : tensor<?x?x32xf32>
}

// sdpa-compile: without --shape a dynamic entry is refused for the GPU,
// saying what to do; with it the artifact (manifest, PTX, source.mlir) is
// for those shapes, and sdpa-run runs it on random inputs of them.
// RUN: not sdpa-compile %s --entry=gqa_causal --target=nvptx -o %t/none 2>&1 | FileCheck %s --check-prefix=NO-SHAPE
// NO-SHAPE: error: argument 0 has type 'tensor<?x8x?x64xbf16>'; GPU artifacts need static shapes: give the argument shapes to compile for (sdpa-compile --shape; sdpa-run takes them from its inputs), or compile for the CPU, which runs dynamic dims
// RUN: sdpa-compile %s --entry=gqa_causal --target=nvptx --emulate --shape=2x8x100x64 --shape=2x2x300x64 --shape=2x2x300x64 -o %t/fixed
// RUN: FileCheck %s --check-prefix=MANIFEST < %t/fixed/manifest.txt
// MANIFEST: input bf16 2x8x100x64 contiguous
// MANIFEST-NEXT: input bf16 2x2x300x64 contiguous
// MANIFEST-NEXT: input bf16 2x2x300x64 contiguous
// MANIFEST-NEXT: output bf16 2x8x100x64 contiguous
// MANIFEST: launch
// RUN: test -s %t/fixed/kernels.ptx
// RUN: FileCheck %s --check-prefix=SOURCE < %t/fixed/source.mlir
// SOURCE: func.func @gqa_causal(%arg0: tensor<2x8x100x64xbf16>, %arg1: tensor<2x2x300x64xbf16>, %arg2: tensor<2x2x300x64xbf16>) -> tensor<2x8x100x64xbf16>
// RUN: sdpa-run %t/fixed --random=9 --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-compile %s --entry=gqa_causal --target=nvptx --shape=2x8x100x64 --shape=2x2x300x64 -o %t/few 2>&1 | FileCheck %s --check-prefix=FEW
// FEW: error: @gqa_causal takes 3 arguments but 2 shapes were given
// RUN: not sdpa-compile %s --entry=gqa_causal --target=nvptx --shape=2x8x100x32 --shape=2x2x300x64 --shape=2x2x300x64 -o %t/misfit 2>&1 | FileCheck %s --check-prefix=MISFIT
// MISFIT: error: shape 2x8x100x32 given for argument #0 does not fit its type 'tensor<?x8x?x64xbf16>'
// RUN: not sdpa-compile %s --entry=gqa_causal --target=nvptx --shape=2x8x?x64 --shape=2x2x300x64 --shape=2x2x300x64 -o %t/open 2>&1 | FileCheck %s --check-prefix=OPEN
// OPEN: sdpa-compile: error: --shape of argument #0: dynamic dim '?' in shape '2x8x?x64'; sizes must be given

// A CPU artifact can be specialized as well: its signature is then static.
// RUN: sdpa-compile %s --entry=dynamic_heads --shape=1x4x17x64 --shape=1x2x17x64 --shape=1x2x17x32 -o %t/cpu
// RUN: FileCheck %s --check-prefix=CPU < %t/cpu/manifest.txt
// CPU: input f16 1x4x17x64 rows
// RUN: sdpa-run %t/cpu --random=10 --check | FileCheck %s --check-prefix=TWO

// Sizes computed from the entry's scalars: decode over a KV cache read up
// to a position, given as an i64 (f32, SIMT) or as a rank-0 tensor (f16,
// tensor cores), the graphs of dynamic_shapes.mlir. The kernels compute the
// key length from the position; the host library's shape function refuses
// a position past the cache before anything runs.
// RUN: %python -c "import numpy as n; r=n.random.default_rng(20); \
// RUN:   n.save('%t/cache.npy', r.uniform(-1,1,(2,2,40,32)).astype(n.float32)); \
// RUN:   n.save('%t/q.npy', r.uniform(-1,1,(2,8,1,32)).astype(n.float32)); \
// RUN:   n.save('%t/kc.npy', r.uniform(-1,1,(1,2,96,64)).astype(n.float16)); \
// RUN:   n.save('%t/vc.npy', r.uniform(-1,1,(1,2,96,64)).astype(n.float16)); \
// RUN:   n.save('%t/q16.npy', r.uniform(-1,1,(1,8,1,64)).astype(n.float16)); \
// RUN:   [n.save('%t/at%d.npy' % p, n.array(p, dtype=n.int64)) for p in (-3, 0, 1, 23, 37, 40, 41, 95, 96)]"
// RUN: sdpa-compile %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=static_cache_prefix --target=nvptx --chip=sm_80 --emulate -o %t/prefix
// RUN: FileCheck %s --check-prefix=HOST < %t/prefix/manifest.txt
// HOST: host host.so
// HOST-NEXT: shapes __sdpa_entry___sdpa_shapes_static_cache_prefix
// HOST-NEXT: check the slice of source dim 2 ending at {lhs} must start at 0 or later
// HOST: launch {{.*}} args {{.*}}val1
// RUN: sdpa-run %t/prefix --input=%t/cache.npy --input=%t/at23.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/prefix --input=%t/cache.npy --input=%t/at40.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/prefix --input=%t/cache.npy --input=%t/at1.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/prefix --input=%t/cache.npy --input=%t/at41.npy --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=PAST
// RUN: not sdpa-run %t/prefix --input=%t/cache.npy --input=%t/at-3.npy --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// PAST: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at 41 must start at 0 or later and end within the dim (40) at tensor.extract_slice
// NEGATIVE: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at -3 must start at 0 or later
// RUN: sdpa-run %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=cache_position --target=nvptx --emulate --input=%t/kc.npy --input=%t/vc.npy --input=%t/at0.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=cache_position --target=nvptx --emulate --input=%t/kc.npy --input=%t/vc.npy --input=%t/at37.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=cache_position --target=nvptx --emulate --input=%t/kc.npy --input=%t/vc.npy --input=%t/at95.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=cache_position --target=nvptx --emulate --input=%t/kc.npy --input=%t/vc.npy --input=%t/at96.npy --input=%t/q16.npy 2>&1 | FileCheck %s --check-prefix=POSITION
// POSITION: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at 97 must start at 0 or later and end within the dim (96) at tensor.extract_slice
// RUN: %if cuda %{ sdpa-run %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=cache_position --target=nvptx --input=%t/kc.npy --input=%t/vc.npy --input=%t/at37.npy --input=%t/q16.npy --check | FileCheck %s --check-prefix=OK %}
// RUN: %if cuda %{ sdpa-compile %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=static_cache_prefix --target=nvptx -o %t/prefix-gpu %}
// RUN: %if cuda %{ sdpa-run %t/prefix-gpu --input=%t/cache.npy --input=%t/at23.npy --input=%t/q.npy --check | FileCheck %s --check-prefix=OK %}
// RUN: %if cuda %{ not sdpa-run %t/prefix-gpu --input=%t/cache.npy --input=%t/at41.npy --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=PAST %}

// Split keys over a run-time length bounded by the cache (the graph's
// comment in dynamic_shapes.mlir): 8 blocks split 5 ways by the bound,
// each split's share computed from the length.
// RUN: %python -c "import numpy as n; r=n.random.default_rng(22); \
// RUN:   n.save('%t/bc.npy', r.uniform(-1,1,(8,1,1000,64)).astype(n.float32)); \
// RUN:   n.save('%t/bq.npy', r.uniform(-1,1,(8,4,1,64)).astype(n.float32)); \
// RUN:   [n.save('%t/len%d.npy' % p, n.array(p, dtype=n.int64)) for p in (1, 33, 500, 1000)]"
// RUN: sdpa-compile %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=batched_cache_prefix --target=nvptx --emulate --min-grid-blocks=40 -o %t/batched
// RUN: FileCheck %s --check-prefix=SPLIT < %t/batched/manifest.txt
// SPLIT: launch batched_cache_prefix_kernel grid 40x1x1
// SPLIT-NEXT: launch batched_cache_prefix_kernel_0
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len1.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len33.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len500.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/batched --input=%t/bc.npy --input=%t/len1000.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK
// RUN: %if cuda %{ sdpa-compile %sdpa_src_root/test/integration/dynamic_shapes.mlir --entry=batched_cache_prefix --target=nvptx -o %t/batched-gpu %}
// RUN: %if cuda %{ sdpa-run %t/batched-gpu --input=%t/bc.npy --input=%t/len500.npy --input=%t/bq.npy --check | FileCheck %s --check-prefix=OK %}

// Prefill of 5 tokens into a KV cache at a position (a rank-0 tensor): the
// queries attend to keys 0..pos+4, bottom-right causal.
// RUN: %python -c "import numpy as n; r=n.random.default_rng(23); \
// RUN:   n.save('%t/pk.npy', r.uniform(-1,1,(1,2,64,16)).astype(n.float16)); \
// RUN:   n.save('%t/pv.npy', r.uniform(-1,1,(1,2,64,16)).astype(n.float16)); \
// RUN:   n.save('%t/pq.npy', r.uniform(-1,1,(1,4,5,16)).astype(n.float16)); \
// RUN:   [n.save('%t/from%d.npy' % p, n.array(p, dtype=n.int64)) for p in (0, 30, 59, 60)]"
// RUN: sdpa-compile %s --entry=prefill_at_position --target=nvptx --emulate -o %t/prefill
// RUN: sdpa-run %t/prefill --input=%t/pk.npy --input=%t/pv.npy --input=%t/from0.npy --input=%t/pq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/prefill --input=%t/pk.npy --input=%t/pv.npy --input=%t/from30.npy --input=%t/pq.npy --check | FileCheck %s --check-prefix=OK
// RUN: sdpa-run %t/prefill --input=%t/pk.npy --input=%t/pv.npy --input=%t/from59.npy --input=%t/pq.npy --check | FileCheck %s --check-prefix=OK
// RUN: not sdpa-run %t/prefill --input=%t/pk.npy --input=%t/pv.npy --input=%t/from60.npy --input=%t/pq.npy 2>&1 | FileCheck %s --check-prefix=PREFILL
// PREFILL: sdpa-run: error: the input shapes do not fit the kernel: the slice of source dim 2 ending at 65 must start at 0 or later and end within the dim (64)
// RUN: %if cuda %{ sdpa-run %s --entry=prefill_at_position --target=nvptx --input=%t/pk.npy --input=%t/pv.npy --input=%t/from30.npy --input=%t/pq.npy --check | FileCheck %s --check-prefix=OK %}
func.func @prefill_at_position(%kc: tensor<1x2x64x16xf16>, %vc: tensor<1x2x64x16xf16>, %pos: tensor<i64>, %q: tensor<1x4x5x16xf16>) -> tensor<1x4x5x16xf16> {
  %c5 = arith.constant 5 : i64
  %at = tensor.extract %pos[] : tensor<i64>
  %end = arith.addi %at, %c5 : i64
  %n = arith.index_cast %end : i64 to index
  %k = tensor.extract_slice %kc[0, 0, 0, 0] [1, 2, %n, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf16> to tensor<1x2x?x16xf16>
  %v = tensor.extract_slice %vc[0, 0, 0, 0] [1, 2, %n, 16] [1, 1, 1, 1] : tensor<1x2x64x16xf16> to tensor<1x2x?x16xf16>
  %0 = attn.sdpa %q, %k, %v causal align bottom_right : tensor<1x4x5x16xf16>, tensor<1x2x?x16xf16>, tensor<1x2x?x16xf16> -> tensor<1x4x5x16xf16>
  return %0 : tensor<1x4x5x16xf16>
}
