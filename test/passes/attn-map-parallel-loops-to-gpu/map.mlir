// RUN: sdpa-opt %s -split-input-file --attn-map-parallel-loops-to-gpu | FileCheck %s

// An elementwise loop nest over 2 x 300 becomes one thread per element:
// 600 iterations in blocks of 256, the last block guarded.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[A:[^:]*]]: memref<2x300xf32>, %[[B:[^:]*]]: memref<2x300xf32>)
// CHECK-NOT: scf.parallel
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:[^,]*]], {{.*}} in (%{{[^=]*}}= %[[C3]], {{.*}} threads(%[[TX:[^,]*]], {{.*}} in (%{{[^=]*}}= %[[C256]],
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK: %[[LIN:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[LIN]], %{{.*}} : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[J:.*]] = arith.remui %[[LIN]], %{{.*}} : index
// CHECK: %[[I:.*]] = arith.divui %[[LIN]], %{{.*}} : index
// CHECK: %[[X:.*]] = memref.load %[[A]][%[[I]], %[[J]]]
// CHECK: math.exp %[[X]]
// CHECK: memref.store %{{.*}}, %[[B]][%[[I]], %[[J]]]
func.func @elementwise(%a: memref<2x300xf32>, %b: memref<2x300xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c300 = arith.constant 300 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c300) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<2x300xf32>
    %e = math.exp %x : f32
    memref.store %e, %b[%i, %j] : memref<2x300xf32>
    scf.reduce
  }
  return
}

// -----

// The loop over a reduction dim and the inner parallel loop stay in the
// thread's body; a copy becomes a loop of its own; views the body uses are
// made inside the kernel, so the kernel gets the dense buffer.
// CHECK-LABEL: func.func @reduce_and_copy
// CHECK-SAME: (%[[A:[^:]*]]: memref<4x8x16xf32>, %[[B:[^:]*]]: memref<4x16xf32>, %[[C:[^:]*]]: memref<4x16xf32>)
// CHECK-NOT: memref.copy
// CHECK: gpu.launch
// CHECK: %[[V:.*]] = memref.load %[[B]]
// CHECK: memref.store %[[V]], %[[C]]
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK: %[[VIEW:.*]] = memref.subview %[[A]]
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: memref.load %[[VIEW]]
func.func @reduce_and_copy(%a: memref<4x8x16xf32>, %b: memref<4x16xf32>, %c: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %view = memref.subview %a[0, 0, 0] [4, 8, 16] [1, 1, 1] : memref<4x8x16xf32> to memref<4x8x16xf32, strided<[128, 16, 1]>>
  memref.copy %b, %c : memref<4x16xf32> to memref<4x16xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %r = %c0 to %c8 step %c1 {
      scf.parallel (%j) = (%c0) to (%c16) step (%c1) {
        %x = memref.load %view[%i, %r, %j] : memref<4x8x16xf32, strided<[128, 16, 1]>>
        %y = memref.load %b[%i, %j] : memref<4x16xf32>
        %s = arith.addf %x, %y : f32
        memref.store %s, %b[%i, %j] : memref<4x16xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// -----

// Sizes computed on the host from the function's scalars and from a rank-0
// argument only ever loaded (a position) are computed again in the kernel:
// the launch captures the scalar and the buffers alone. A load of an
// argument that something writes stays outside.
// CHECK-LABEL: func.func @scalars_sunk
// CHECK-SAME: (%[[A:[^:]*]]: memref<40x8xf32>, %[[N:[^:]*]]: i64, %[[P:[^:]*]]: memref<i64>, %[[W:[^:]*]]: memref<i64>, %[[O:[^:]*]]: memref<40x8xf32>)
// CHECK: %[[WRITTEN:.*]] = memref.load %[[W]][]
// CHECK: gpu.launch
// CHECK-DAG: arith.index_cast %[[N]] : i64 to index
// CHECK-DAG: memref.load %[[P]][]
// CHECK-DAG: arith.addi
// CHECK: memref.subview %[[A]][0, 0] [%{{.*}}, 8]
// CHECK: arith.index_cast %[[WRITTEN]]
// CHECK: gpu.terminator
func.func @scalars_sunk(%a: memref<40x8xf32>, %n: i64, %p: memref<i64>, %w: memref<i64>, %o: memref<40x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %rows = arith.index_cast %n : i64 to index
  %at = memref.load %p[] : memref<i64>
  %more = arith.addi %at, %n : i64
  %written = memref.load %w[] : memref<i64>
  %view = memref.subview %a[0, 0] [%rows, 8] [1, 1] : memref<40x8xf32> to memref<?x8xf32, strided<[8, 1]>>
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %view[%c0, %j] : memref<?x8xf32, strided<[8, 1]>>
    %y = arith.sitofp %more : i64 to f32
    %z = arith.index_cast %written : i64 to index
    %s = arith.addf %x, %y : f32
    memref.store %s, %o[%z, %j] : memref<40x8xf32>
    scf.reduce
  }
  memref.store %n, %w[] : memref<i64>
  return
}
