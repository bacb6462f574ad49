// RUN: sdpa-opt %s -split-input-file --attn-outline-cpu-grid | FileCheck %s

// Every outermost scf.forall becomes attn.launch of a private kernel
// @<func>_grid<N>(captures..., begin, end) that runs the linearized
// (row-major) block indices [begin, end).

// A dynamic bound: the values used from above, then the trip count the
// kernel needs to delinearize, are captured in order of use.
// CHECK-LABEL: func.func private @scale_grid0
// CHECK-SAME: (%[[IN:[^:]*]]: memref<4x?xf32>, %[[S:[^:]*]]: f32, %[[OUT:[^:]*]]: memref<4x?xf32>, %[[N:[^:]*]]: index, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK-NOT: scf.forall
// CHECK: scf.for %[[LIN:.*]] = %[[BEGIN]] to %[[END]] step %{{.*}} {
// The last dim runs fastest.
// CHECK-NEXT: %[[J:.*]] = arith.remui %[[LIN]], %[[N]] : index
// CHECK-NEXT: %[[I:.*]] = arith.divui %[[LIN]], %[[N]] : index
// CHECK: %[[X:.*]] = memref.load %[[IN]][%[[I]], %[[J]]] : memref<4x?xf32>
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK-NEXT: memref.store %[[Y]], %[[OUT]][%[[I]], %[[J]]] : memref<4x?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return

// CHECK-LABEL: func.func @scale
// CHECK-SAME: (%[[A0:[^:]*]]: memref<4x?xf32>, %[[A1:[^:]*]]: memref<4x?xf32>, %[[A2:[^:]*]]: f32)
// CHECK-NOT: scf.forall
// CHECK: %[[DIM:.*]] = memref.dim %[[A0]]
// CHECK: %[[COUNT:.*]] = arith.maxsi %[[DIM]], %{{.*}} : index
// CHECK: %[[FOUR:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[TOTAL:.*]] = arith.muli %[[COUNT]], %[[FOUR]] : index
// CHECK-NEXT: attn.launch @scale_grid0(%[[A0]], %[[A2]], %[[A1]], %[[COUNT]]) blocks(%[[TOTAL]]) : (memref<4x?xf32>, f32, memref<4x?xf32>, index) -> ()
// CHECK-NEXT: return
func.func @scale(%in: memref<4x?xf32>, %out: memref<4x?xf32>, %s: f32) {
  %c1 = arith.constant 1 : index
  %n = memref.dim %in, %c1 : memref<4x?xf32>
  scf.forall (%i, %j) in (4, %n) {
    %x = memref.load %in[%i, %j] : memref<4x?xf32>
    %y = arith.mulf %x, %s : f32
    memref.store %y, %out[%i, %j] : memref<4x?xf32>
  }
  return
}

// -----

// Two grid loops in one function: _grid0 and _grid1. The constant %cst is
// cloned into the kernels, not captured. A static grid launches a constant
// number of blocks; a dynamic lower bound and step are captured and map the
// block index back to lb + index * step. A nested forall stays inside its
// kernel.
// CHECK-LABEL: func.func private @two_loops_grid0
// CHECK-SAME: (%[[BUF:[^:]*]]: memref<8x16xf32>, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: scf.for %[[LIN:.*]] = %[[BEGIN]] to %[[END]]
// CHECK-NEXT: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: %[[J:.*]] = arith.remui %[[LIN]], %[[C16]] : index
// CHECK-NEXT: %[[I:.*]] = arith.divui %[[LIN]], %[[C16]] : index
// CHECK: memref.load %[[BUF]][%[[I]], %[[J]]]
// CHECK: arith.mulf %{{.*}}, %[[CST]] : f32

// CHECK-LABEL: func.func private @two_loops_grid1
// CHECK-SAME: (%[[BUF:[^:]*]]: memref<8x16xf32>, %{{[^:]*}}: index, %[[LB:[^:]*]]: index, %[[STEP:[^:]*]]: index, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: scf.for %[[LIN:.*]] = %[[BEGIN]] to %[[END]]
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[LIN]], %[[STEP]] : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[LB]], %[[OFF]] : index
// CHECK: memref.store %[[CST]], %[[BUF]][%[[I]], %{{.*}}]
// CHECK: scf.forall (%[[J:.*]]) in (16) {
// CHECK-NEXT: memref.store %[[CST]], %[[BUF]][%[[I]], %[[J]]]

// CHECK-LABEL: func.func @two_loops
// CHECK-SAME: (%[[A0:[^:]*]]: memref<8x16xf32>, %[[A1:[^:]*]]: index, %[[A2:[^:]*]]: index, %[[A3:[^:]*]]: index)
// CHECK-NOT: scf.forall
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK-NEXT: attn.launch @two_loops_grid0(%[[A0]]) blocks(%[[C128]]) : (memref<8x16xf32>) -> ()
// CHECK-NEXT: %[[SPAN:.*]] = arith.subi %[[A2]], %[[A1]] : index
// CHECK: %[[POS:.*]] = arith.maxsi %[[SPAN]], %{{.*}} : index
// CHECK-NEXT: %[[COUNT:.*]] = arith.ceildivui %[[POS]], %[[A3]] : index
// CHECK: attn.launch @two_loops_grid1(%[[A0]], %[[COUNT]], %[[A1]], %[[A3]]) blocks(%[[COUNT]]) : (memref<8x16xf32>, index, index, index) -> ()
// CHECK-NOT: scf.forall
func.func @two_loops(%buf: memref<8x16xf32>, %lb: index, %ub: index, %st: index) {
  %cst = arith.constant 2.0 : f32
  scf.forall (%i, %j) in (8, 16) {
    %x = memref.load %buf[%i, %j] : memref<8x16xf32>
    %y = arith.mulf %x, %cst : f32
    memref.store %y, %buf[%i, %j] : memref<8x16xf32>
  }
  scf.forall (%i) = (%lb) to (%ub) step (%st) {
    %c0 = arith.constant 0 : index
    memref.store %cst, %buf[%i, %c0] : memref<8x16xf32>
    scf.forall (%j) in (16) {
      memref.store %cst, %buf[%i, %j] : memref<8x16xf32>
    }
  }
  return
}

// -----

// A name already taken: the kernel gets a unique one, and the launch uses it.
// CHECK: func.func private @taken_grid0(index)
// CHECK-LABEL: func.func private @taken_grid0_0
// CHECK-SAME: (%{{[^:]*}}: memref<4xindex>, %{{[^:]*}}: index, %{{[^:]*}}: index)
// CHECK-LABEL: func.func @taken
// CHECK: attn.launch @taken_grid0_0(%{{.*}}) blocks
func.func private @taken_grid0(%x: index)
func.func @taken(%buf: memref<4xindex>) {
  scf.forall (%i) in (4) {
    memref.store %i, %buf[%i] : memref<4xindex>
  }
  return
}

// -----

// Static stack buffers of the body are allocated once per kernel call,
// before the block loop, so a chunk of blocks does not grow the stack per
// block; a dynamically sized one stays where it is.
// CHECK-LABEL: func.func private @scratch_grid0
// CHECK-SAME: (%[[N:[^:]*]]: index, %[[BUF:[^:]*]]: memref<4x8xf32>, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK: %[[TILE:.*]] = memref.alloca() {alignment = 64 : i64} : memref<8xf32>
// CHECK-NEXT: scf.for %{{.*}} = %[[BEGIN]] to %[[END]]
// CHECK-NOT: memref.alloca()
// CHECK: %[[DYN:.*]] = memref.alloca(%[[N]]) : memref<?xf32>
// CHECK: memref.store %{{.*}}, %[[TILE]]
// CHECK: memref.store %{{.*}}, %[[DYN]]
// CHECK-LABEL: func.func @scratch
// CHECK-NOT: memref.alloca
// CHECK: attn.launch @scratch_grid0
func.func @scratch(%buf: memref<4x8xf32>, %n: index) {
  scf.forall (%i) in (4) {
    %tile = memref.alloca() {alignment = 64 : i64} : memref<8xf32>
    %dyn = memref.alloca(%n) : memref<?xf32>
    %c0 = arith.constant 0 : index
    %x = memref.load %buf[%i, %c0] : memref<4x8xf32>
    memref.store %x, %tile[%c0] : memref<8xf32>
    memref.store %x, %dyn[%c0] : memref<?xf32>
  }
  return
}

// -----

// Must not fire: no grid loop, nothing outlined.
// CHECK-LABEL: func.func @no_grid
// CHECK-NOT: attn.launch
// CHECK: scf.for
// CHECK-NOT: func.func
func.func @no_grid(%buf: memref<4xindex>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %i, %buf[%i] : memref<4xindex>
  }
  return
}
