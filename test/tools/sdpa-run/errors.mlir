// Every sdpa-run usage error is a message and a non-zero exit, never a crash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as n; r=n.random.default_rng(3); \
// RUN:   n.save('%t/q.npy', r.uniform(-1,1,(1,2,4,8)).astype(n.float32)); \
// RUN:   n.save('%t/k.npy', r.uniform(-1,1,(1,2,6,8)).astype(n.float32)); \
// RUN:   n.save('%t/k_f64.npy', r.uniform(-1,1,(1,2,6,8))); \
// RUN:   n.save('%t/k_short.npy', r.uniform(-1,1,(1,2,5,8)).astype(n.float32)); \
// RUN:   open('%t/garbage.npy','w').write('not numpy')"

// RUN: not sdpa-run %s --entry=fixed 2>&1 | FileCheck %s --check-prefix=NO-INPUTS
// NO-INPUTS: sdpa-run: error: no inputs: give one --input=FILE.npy per argument, or --random=SEED

// RUN: not sdpa-run %s --entry=fixed --random=1 --input=%t/q.npy 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH: sdpa-run: error: give either --input files or --random, not both

// RUN: not sdpa-run %s --entry=fixed --random=1 --target=gpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: sdpa-run: error: unknown --target=gpu; this build runs graphs on: cpu, nvptx, reference

// RUN: not sdpa-run %s --random=1 2>&1 | FileCheck %s --check-prefix=WHICH
// WHICH: sdpa-run: error: several public functions (@fixed @dynamic @nested @index_across @float_bits @memref_arg); choose one with --entry=NAME

// RUN: not sdpa-run %s --entry=nope --random=1 2>&1 | FileCheck %s --check-prefix=NOPE
// NOPE: sdpa-run: error: no function @nope with a body in

// RUN: not sdpa-run %s --entry=fixed --input=%t/q.npy --input=%t/k.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: sdpa-run: error: @fixed takes 3 arguments but 2 --input files were given

// RUN: not sdpa-run %s --entry=fixed --input=%t/q.npy --input=%t/missing.npy --input=%t/k.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: sdpa-run: error: {{.*}}missing.npy{{.*}}

// RUN: not sdpa-run %s --entry=fixed --input=%t/q.npy --input=%t/garbage.npy --input=%t/k.npy 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: sdpa-run: error: {{.*}}garbage.npy{{.*}}

// RUN: not sdpa-run %s --entry=fixed --input=%t/q.npy --input=%t/k_f64.npy --input=%t/k.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: sdpa-run: error: input #1 ({{.*}}k_f64.npy): dtype f64 does not match argument type tensor<1x2x6x8xf32> (expected f32)

// RUN: not sdpa-run %s --entry=fixed --input=%t/q.npy --input=%t/k_short.npy --input=%t/k.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: sdpa-run: error: input #1 ({{.*}}k_short.npy): shape [1, 2, 5, 8] does not match argument type tensor<1x2x6x8xf32>

// RUN: not sdpa-run %s --entry=fixed --random=1 --output=%t/a.npy --output=%t/b.npy 2>&1 | FileCheck %s --check-prefix=OUTPUTS
// OUTPUTS: sdpa-run: error: @fixed returns 1 results but 2 --output files were given

// RUN: not sdpa-run %s --entry=dynamic --random=1 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: sdpa-run: error: argument #0 has type tensor<1x2x?x8xf32> with dynamic dims; give the shape of every argument with --shape (or --input files)

// --shape sizes random inputs, one per argument, fitting their types.
// RUN: not sdpa-run %s --entry=dynamic --input=%t/q.npy --input=%t/k.npy --input=%t/k.npy --shape=1x2x4x8 2>&1 | FileCheck %s --check-prefix=SHAPE-ALONE
// SHAPE-ALONE: sdpa-run: error: --shape sizes random inputs; it goes with --random
// RUN: not sdpa-run %s --entry=dynamic --random=1 --shape=1x2x4x8 2>&1 | FileCheck %s --check-prefix=SHAPE-COUNT
// SHAPE-COUNT: sdpa-run: error: @dynamic takes 3 arguments but 1 --shape options were given
// RUN: not sdpa-run %s --entry=dynamic --random=1 --shape=1x2x4x8 --shape=1x3x6x8 --shape=1x2x6x8 2>&1 | FileCheck %s --check-prefix=SHAPE-FIT
// SHAPE-FIT: sdpa-run: error: --shape [1, 3, 6, 8] of argument #1 does not fit its type tensor<1x2x?x8xf32>
// RUN: not sdpa-run %s --entry=dynamic --random=1 --shape=1x2x?x8 --shape=1x2x6x8 --shape=1x2x6x8 2>&1 | FileCheck %s --check-prefix=SHAPE-DYN
// SHAPE-DYN: sdpa-run: error: --shape of argument #0: dynamic dim '?' in shape '1x2x?x8'; sizes must be given

// Dynamic dims take their sizes from the files, and the reference checks
// that they agree with each other at run time.
// RUN: not sdpa-run %s --target=reference --entry=dynamic --input=%t/q.npy --input=%t/k.npy --input=%t/k_short.npy 2>&1 | FileCheck %s --check-prefix=RUNTIME
// RUNTIME: error: cannot evaluate on these inputs: {{.*}}value{{.*}}
// RUN: sdpa-run %s --target=reference --entry=dynamic --input=%t/q.npy --input=%t/k.npy --input=%t/k.npy | FileCheck %s --check-prefix=DYNAMIC-OK
// DYNAMIC-OK: result #0: tensor<1x2x?x8xf32> min=

// The reference evaluates attn.sdpa only where it can see it, and passes
// only tensors, sizes and scalars of the runtime's dtypes between it and the
// rest.
// RUN: not sdpa-run %s --target=reference --entry=nested --random=1 2>&1 | FileCheck %s --check-prefix=NESTED
// NESTED: error: the float64 reference evaluates attn.sdpa only at the top level of the entry function
// RUN: %python -c "import numpy as n; n.save('%t/row.npy', n.array(2, dtype=n.int64))"
// RUN: not sdpa-run %s --target=reference --entry=float_bits --random=1 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: the float64 reference cannot widen these ops to f64

// RUN: not sdpa-run %s --entry=memref_arg --random=1 2>&1 | FileCheck %s --check-prefix=MEMREF
// MEMREF: sdpa-run: error: argument #0 of @memref_arg has type memref<4xf32>; sdpa-run handles ranked tensors and scalars of f16, bf16, f32, f64, i1, i32 and i64

// RUN: not sdpa-run %t/does-not-exist.mlir --random=1 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: sdpa-run: error: cannot open input file

func.func @fixed(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>,
                 %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %0 = attn.sdpa %q, %k, %v : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>,
      tensor<1x2x6x8xf32> -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

func.func @dynamic(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>,
                   %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %0 = attn.sdpa %q, %k, %v : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>,
      tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  return %0 : tensor<1x2x?x8xf32>
}

func.func @nested(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>,
                  %v: tensor<1x2x6x8xf32>, %flag: i1) -> tensor<1x2x4x8xf32> {
  %0 = scf.if %flag -> tensor<1x2x4x8xf32> {
    %1 = attn.sdpa %q, %k, %v : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>,
        tensor<1x2x6x8xf32> -> tensor<1x2x4x8xf32>
    scf.yield %1 : tensor<1x2x4x8xf32>
  } else {
    scf.yield %q : tensor<1x2x4x8xf32>
  }
  return %0 : tensor<1x2x4x8xf32>
}

func.func @index_across(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>,
                        %v: tensor<1x2x6x8xf32>, %row: tensor<i64>) -> f32 {
  %c0 = arith.constant 0 : index
  %r = tensor.extract %row[] : tensor<i64>
  %i = arith.index_cast %r : i64 to index
  %0 = attn.sdpa %q, %k, %v : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>,
      tensor<1x2x6x8xf32> -> tensor<1x2x4x8xf32>
  %1 = tensor.extract %0[%c0, %c0, %i, %c0] : tensor<1x2x4x8xf32>
  return %1 : f32
}

func.func @float_bits(%a: tensor<4xf32>) -> tensor<4xi32> {
  %0 = arith.bitcast %a : tensor<4xf32> to tensor<4xi32>
  return %0 : tensor<4xi32>
}

func.func @memref_arg(%a: memref<4xf32>) {
  return
}

// The CPU target takes dynamic dims from the inputs, and refuses inputs whose
// shapes do not fit together (here the value has fewer keys than the key)
// before any kernel runs.
// RUN: sdpa-run %s --entry=dynamic --input=%t/q.npy --input=%t/k.npy --input=%t/k.npy --check | FileCheck %s --check-prefix=CPU-DYNAMIC
// CPU-DYNAMIC: result #0: tensor<1x2x?x8xf32>
// CPU-DYNAMIC: check: result #0 rel_error={{.*}} ok
// RUN: not sdpa-run %s --entry=dynamic --input=%t/q.npy --input=%t/k.npy --input=%t/k_short.npy 2>&1 | FileCheck %s --check-prefix=CPU-MISMATCH
// CPU-MISMATCH: sdpa-run: error: the input shapes do not fit the kernel: value sequence dim 2 (5) must equal key sequence dim 2 (6) at attn.sdpa ({{.*}}errors.mlir:{{[0-9]+}}:8)

// A size used on both sides of attn.sdpa crosses between the reference's
// segments as an i64; its scalar result is written like a tensor's.
// RUN: sdpa-run %s --entry=index_across --input=%t/q.npy --input=%t/k.npy --input=%t/k.npy --input=%t/row.npy --check | FileCheck %s --check-prefix=INDEX
// INDEX: check: result #0 rel_error={{.*}} ok

// RUN: not sdpa-run %s --entry=fixed --random=1 --target=nvptx --chip=sm_70 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: sdpa-run: error: unsupported --chip=sm_70; chips: sm_80, sm_86, sm_87, sm_89, sm_90

// RUN: not sdpa-run %s --entry=fixed --random=1 --target=nvptx --tensor-cores=tf32 2>&1 | FileCheck %s --check-prefix=TENSOR-CORES
// TENSOR-CORES: sdpa-run: error: unknown --tensor-cores=tf32; expected mma-sync or wmma

// RUN: not sdpa-run %s --entry=fixed --random=1 --emulate 2>&1 | FileCheck %s --check-prefix=EMULATE
// EMULATE: sdpa-run: error: --emulate goes with --target=nvptx

// RUN: not sdpa-run %s --entry=fixed --random=1 --target=reference --bench=3 2>&1 | FileCheck %s --check-prefix=BENCH-REF
// BENCH-REF: sdpa-run: error: --bench times compiled kernels; use it with --target=cpu or --target=nvptx

// RUN: not sdpa-run %s --entry=fixed --random=1 --threads=0 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: sdpa-run: error: --threads wants a positive number, got '0'

// --check needs the reference to understand the function.
// RUN: not sdpa-run %s --entry=float_bits --random=1 --check 2>&1 | FileCheck %s --check-prefix=CHECK-UNHANDLED
// CHECK-UNHANDLED: sdpa-run: error: --check: the float64 reference cannot evaluate @float_bits

// RUN: not sdpa-run %t --random=1 2>&1 | FileCheck %s --check-prefix=NOT-ARTIFACT
// NOT-ARTIFACT: sdpa-run: error: artifact {{.*}} has no source.mlir describing its entry function
