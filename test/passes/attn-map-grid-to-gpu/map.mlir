// RUN: sdpa-opt %s -split-input-file --attn-map-grid-to-gpu | FileCheck %s
// RUN: sdpa-opt %s -split-input-file --attn-map-grid-to-gpu=threads=256 | FileCheck %s --check-prefix=T256

// A (batch, head, query block) grid of 2 x 4 x 3 becomes one launch of 24
// blocks on x; the block index is unflattened innermost dim first, and the
// body (views and attn.block) is copied into the launch.
// CHECK-LABEL: func.func @grid
// CHECK-SAME: (%[[Q:[^:]*]]: memref<2x4x40x8xf32>, %[[K:[^:]*]]: memref<2x2x40x8xf32>, %[[V:[^:]*]]: memref<2x2x40x8xf32>, %[[O:[^:]*]]: memref<2x4x40x8xf32>)
// CHECK-NOT: scf.forall
// CHECK-DAG: %[[C24:.*]] = arith.constant 24 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[SMEM:.*]] = arith.constant 0 : i32
// CHECK: gpu.launch blocks(%[[BX:[^,]*]], %{{[^,]*}}, %{{[^)]*}}) in (%{{[^=]*}}= %[[C24]], %{{[^=]*}}= %[[ONE]], %{{[^=]*}}= %[[ONE]]) threads({{.*}}) in (%{{[^=]*}}= %[[C128]], %{{[^=]*}}= %[[ONE]], %{{[^=]*}}= %[[ONE]]) dynamic_shared_memory_size %[[SMEM]]
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[QB:.*]] = arith.remui %[[BX]], %[[C3]] : index
// CHECK: %[[REST:.*]] = arith.divui %[[BX]], %[[C3]] : index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[H:.*]] = arith.remui %[[REST]], %[[C4]] : index
// CHECK: %[[B:.*]] = arith.divui %[[REST]], %[[C4]] : index
// CHECK: memref.subview %[[Q]]
// CHECK: attn.block
// CHECK-SAME: head(%{{.*}}, %{{.*}})
// CHECK: gpu.terminator
// CHECK: return
// T256-LABEL: func.func @grid
// T256: threads({{.*}}) in (%{{[^=]*}}= %c256
func.func @grid(%q: memref<2x4x40x8xf32>, %k: memref<2x2x40x8xf32>,
                %v: memref<2x2x40x8xf32>, %o: memref<2x4x40x8xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c40 = arith.constant 40 : index
  scf.forall (%b, %h, %qb) in (2, 4, 3) {
    %row = arith.muli %qb, %c16 : index
    %left = arith.subi %c40, %row : index
    %rows = arith.minsi %left, %c16 : index
    %kvh = arith.divui %h, %c2 : index
    %qs = memref.subview %q[%b, %h, %row, 0] [1, 1, %rows, 8] [1, 1, 1, 1] : memref<2x4x40x8xf32> to memref<?x8xf32, strided<[8, 1], offset: ?>>
    %ks = memref.subview %k[%b, %kvh, 0, 0] [1, 1, 40, 8] [1, 1, 1, 1] : memref<2x2x40x8xf32> to memref<40x8xf32, strided<[8, 1], offset: ?>>
    %vs = memref.subview %v[%b, %kvh, 0, 0] [1, 1, 40, 8] [1, 1, 1, 1] : memref<2x2x40x8xf32> to memref<40x8xf32, strided<[8, 1], offset: ?>>
    %os = memref.subview %o[%b, %h, %row, 0] [1, 1, %rows, 8] [1, 1, 1, 1] : memref<2x4x40x8xf32> to memref<?x8xf32, strided<[8, 1], offset: ?>>
    attn.block %qs, %ks, %vs rows(%row, %row) head(%b, %h) keys(%c0, %c40) scale 0.35 tiles [16, 32] outs(%os : memref<?x8xf32, strided<[8, 1], offset: ?>>) : memref<?x8xf32, strided<[8, 1], offset: ?>>, memref<40x8xf32, strided<[8, 1], offset: ?>>, memref<40x8xf32, strided<[8, 1], offset: ?>>
  }
  return
}

// -----

// Grids without attention are not touched.
// CHECK-LABEL: func.func @not_attention
// CHECK: scf.forall
// CHECK-NOT: gpu.launch
func.func @not_attention(%a: memref<8xf32>) {
  %one = arith.constant 1.0 : f32
  scf.forall (%i) in (8) {
    memref.store %one, %a[%i] : memref<8xf32>
  }
  return
}

// -----

// A grid of one point folds away in canonicalization, leaving attn.block in
// the function: it becomes a launch of one block, its views sunk into it.
// CHECK-LABEL: func.func @lone_block
// CHECK-SAME: (%[[Q:[^:]*]]: memref<1x1x9x16xf32>, %{{[^:]*}}: memref<1x1x9x16xf32>, %{{[^:]*}}: memref<1x1x9x16xf32>, %[[O:[^:]*]]: memref<1x1x9x16xf32>)
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{[^=]*}}= %[[ONE]], %{{[^=]*}}= %[[ONE]], %{{[^=]*}}= %[[ONE]]) threads({{.*}}) in (%{{[^=]*}}= %[[C128]], %{{[^=]*}}= %[[ONE]], %{{[^=]*}}= %[[ONE]])
// CHECK-DAG: memref.subview %[[Q]]
// CHECK-DAG: memref.subview %[[O]]
// CHECK: attn.block
// CHECK: gpu.terminator
// CHECK-NOT: attn.block
// CHECK: return
func.func @lone_block(%q: memref<1x1x9x16xf32>, %k: memref<1x1x9x16xf32>, %v: memref<1x1x9x16xf32>, %o: memref<1x1x9x16xf32>) {
  %c0 = arith.constant 0 : index
  %c9 = arith.constant 9 : index
  %qs = memref.subview %q[0, 0, 0, 0] [1, 1, 9, 16] [1, 1, 1, 1] : memref<1x1x9x16xf32> to memref<9x16xf32, strided<[16, 1]>>
  %ks = memref.subview %k[0, 0, 0, 0] [1, 1, 9, 16] [1, 1, 1, 1] : memref<1x1x9x16xf32> to memref<9x16xf32, strided<[16, 1]>>
  %vs = memref.subview %v[0, 0, 0, 0] [1, 1, 9, 16] [1, 1, 1, 1] : memref<1x1x9x16xf32> to memref<9x16xf32, strided<[16, 1]>>
  %os = memref.subview %o[0, 0, 0, 0] [1, 1, 9, 16] [1, 1, 1, 1] : memref<1x1x9x16xf32> to memref<9x16xf32, strided<[16, 1]>>
  attn.block %qs, %ks, %vs rows(%c0, %c0) head(%c0, %c0) keys(%c0, %c9) causal scale 0.25 tiles [64, 32] outs(%os : memref<9x16xf32, strided<[16, 1]>>) : memref<9x16xf32, strided<[16, 1]>>, memref<9x16xf32, strided<[16, 1]>>, memref<9x16xf32, strided<[16, 1]>>
  return
}
