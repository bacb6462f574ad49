// RUN: sdpa-opt %s -split-input-file --attn-tile="block-q=32 block-k=32" --one-shot-bufferize="bufferize-function-boundaries" --attn-online-softmax="vector-bits=256" | FileCheck %s --implicit-check-not=attn.block
// RUN: sdpa-opt %s -split-input-file --attn-tile="block-q=32 block-k=32" --one-shot-bufferize="bufferize-function-boundaries" --attn-online-softmax="vector-bits=512" | FileCheck %s --check-prefix=V512 --implicit-check-not=attn.block

// Bufferized attn.block becomes vector code over stack scratch tiles: the
// online-softmax recurrence over key blocks, with Q.K^T and P.V as vector.fma
// outer products. 256 bits hold 8 f32 or 4 f64 lanes, 512 bits 16 or 8.

// f32, causal. Bq = 32, Bk = 32, E = 40, Ev = 20 (padded to the lanes: 24
// for 8 lanes, 32 for 16).
// CHECK-LABEL: func @causal_f32
// CHECK: scf.forall
// Qs [Bq][E], Kt [E][Bk], Vp [Bk][Ev'], Sb [Bq][Bk], Acc [Bq][Ev'], M, L:
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<32x40xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<40x32xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32x24xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32x32xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32x24xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32xf32>
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32xf32>
// The loop over key blocks, then Q.K^T.
// CHECK: scf.for %[[KS:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// A key block is unmasked when it ends inside the key range and its last
// column is on or below the first row's diagonal.
// CHECK: %[[BEND:.*]] = arith.addi %[[KS]], %{{.*}} : index
// CHECK-NEXT: %[[INSIDE:.*]] = arith.cmpi sle, %[[BEND]], %{{.*}} : index
// CHECK: %[[LASTCOL:.*]] = arith.subi %[[BEND]], %{{.*}} : index
// CHECK: %[[LIMIT:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK-NEXT: %[[BELOW:.*]] = arith.cmpi sle, %[[LASTCOL]], %[[LIMIT]] : index
// CHECK-NEXT: %[[FULL:.*]] = arith.andi %[[INSIDE]], %[[BELOW]] : i1
// CHECK-NEXT: scf.if %[[FULL]] {
// Unmasked: the scores go straight to the running max.
// CHECK-NOT: arith.select
// The row max is a tree of 3 shuffles and maxnumf over the 8 lanes (NaN
// scores still reach the output through exp and the sum).
// CHECK: vector.shuffle %[[M0:.*]], %[[M0]] [4, 5, 6, 7, 4, 5, 6, 7] : vector<8xf32>, vector<8xf32>
// CHECK: arith.maxnumf %[[M0]], %{{.*}} : vector<8xf32>
// CHECK: vector.shuffle {{.*}} [2, 3, 2, 3, 4, 5, 6, 7]
// CHECK: vector.shuffle {{.*}} [1, 1, 2, 3, 4, 5, 6, 7]
// CHECK: %[[MAXV:.*]] = arith.maxnumf
// CHECK: vector.extract %[[MAXV]][0] : f32 from vector<8xf32>
// CHECK: math.exp %{{.*}} : f32
// CHECK: math.exp %{{.*}} : vector<8xf32>
// The row sum, the same tree with addf.
// CHECK: vector.shuffle {{.*}} [4, 5, 6, 7, 4, 5, 6, 7]
// CHECK: arith.addf {{.*}} : vector<8xf32>
// CHECK: } else {
// Masked: columns past the key range or above the diagonal become -inf.
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK: math.exp %{{.*}} : vector<8xf32>
// CHECK: }
// P.V into the accumulator.
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// Finalize: out = Acc / l, 0 where l = 0.
// CHECK: arith.cmpf ogt
// CHECK: arith.divf
// CHECK: arith.select
// CHECK: memref.store

// V512-LABEL: func @causal_f32
// V512: memref.alloca() {alignment = 64 : i64} : memref<32x40xf32>
// V512-NEXT: memref.alloca() {alignment = 64 : i64} : memref<40x32xf32>
// V512-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32x32xf32>
// V512-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32x32xf32>
// V512-NEXT: memref.alloca() {alignment = 64 : i64} : memref<32x32xf32>
// V512: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// V512: scf.if
// V512: math.exp %{{.*}} : vector<16xf32>
// V512: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi1>, vector<16xf32>
// V512: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// V512-NOT: vector<8xf32>
// V512: return
func.func @causal_f32(%q: tensor<1x2x50x40xf32>, %k: tensor<1x2x70x40xf32>, %v: tensor<1x2x70x20xf32>) -> tensor<1x2x50x20xf32> {
  %0 = attn.sdpa %q, %k, %v causal align top_left : tensor<1x2x50x40xf32>, tensor<1x2x70x40xf32>, tensor<1x2x70x20xf32> -> tensor<1x2x50x20xf32>
  return %0 : tensor<1x2x50x20xf32>
}

// -----

// f16 inputs are packed to f32 and the result truncated back; an i1 mask
// adds 0 or -inf per score.
// CHECK-LABEL: func @f16_bool_mask
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<32x16xf32>
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: vector.load %{{.*}} : memref<32x32xf32>, vector<8xf32>
// CHECK-NEXT: arith.addi
// CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[BIT:.*]] = memref.load %{{.*}} : memref<32x40xi1, strided<[?, ?], offset: ?>>
// CHECK-NEXT: arith.select %[[BIT]], %[[ZERO]], %[[NEGINF]] : f32
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}} : memref<32x8xf16, strided<[8, 1], offset: ?>>

// V512-LABEL: func @f16_bool_mask
// V512: arith.extf %{{.*}} : f16 to f32
// V512: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
func.func @f16_bool_mask(%q: tensor<1x2x32x16xf16>, %k: tensor<1x2x40x16xf16>, %v: tensor<1x2x40x8xf16>, %m: tensor<32x40xi1>) -> tensor<1x2x32x8xf16> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<32x40xi1>) : tensor<1x2x32x16xf16>, tensor<1x2x40x16xf16>, tensor<1x2x40x8xf16> -> tensor<1x2x32x8xf16>
  return %0 : tensor<1x2x32x8xf16>
}

// -----

// f64 accumulates in f64: 4 lanes at 256 bits. The window adds a lower
// bound to the unmasked test, and the lse is m + log(l) truncated to f32.
// CHECK-LABEL: func @f64_window_lse
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<32x8xf64>
// CHECK-NOT: arith.extf
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf64>
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : index
// CHECK: scf.if
// CHECK: math.exp %{{.*}} : vector<4xf64>
// CHECK: } else {
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : vector<4xi64>
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi1>, vector<4xf64>
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf64>
// CHECK: %[[LOG:.*]] = math.log %{{.*}} : f64
// CHECK: %[[LSE:.*]] = arith.addf %{{.*}}, %[[LOG]] : f64
// CHECK: %[[SEL:.*]] = arith.select %{{.*}}, %[[LSE]], %{{.*}} : f64
// CHECK: %[[T:.*]] = arith.truncf %[[SEL]] : f64 to f32
// CHECK: memref.store %[[T]], %{{.*}} : memref<16xf32, strided<[1], offset: ?>>

// V512-LABEL: func @f64_window_lse
// V512: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf64>
// V512: math.exp %{{.*}} : vector<8xf64>
func.func @f64_window_lse(%q: tensor<2x16x8xf64>, %k: tensor<2x64x8xf64>, %v: tensor<2x64x8xf64>) -> (tensor<2x16x8xf64>, tensor<2x16xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v window [4, 0] align bottom_right : tensor<2x16x8xf64>, tensor<2x64x8xf64>, tensor<2x64x8xf64> -> tensor<2x16x8xf64>, tensor<2x16xf32>
  return %0, %1 : tensor<2x16x8xf64>, tensor<2x16xf32>
}

// -----

// Dropout p = 0.25: Philox-4x32-10 over the lanes (10 rounds of two
// multiplications, by 0xD2511F53 and 0xCD9E8D57), on both the unmasked and
// the masked path; an element is kept where its draw is >= floor(0.25 * 2^32)
// and then scaled by 1 / (1 - 0.25).
// CHECK-LABEL: func @dropout_f32
// CHECK: scf.if
// CHECK: %[[KEEPSCALE:.*]] = arith.constant 1.33333337 : f32
// CHECK: math.exp %{{.*}} : vector<8xf32>
// CHECK: %[[M0:.*]] = arith.constant dense<-766435501> : vector<8xi32>
// CHECK-NEXT: arith.mului_extended %[[M0]], %{{.*}} : vector<8xi32>
// CHECK: %[[M1:.*]] = arith.constant dense<-845247145> : vector<8xi32>
// CHECK-NEXT: arith.mului_extended %[[M1]], %{{.*}} : vector<8xi32>
// CHECK-COUNT-18: arith.mului_extended %{{.*}}, %{{.*}} : vector<8xi32>
// CHECK-NOT: arith.mului_extended
// CHECK: %[[T:.*]] = arith.constant dense<1073741824> : vector<8xi32>
// CHECK-NEXT: %[[KEEP:.*]] = arith.cmpi uge, %{{.*}}, %[[T]] : vector<8xi32>
// CHECK: %[[S:.*]] = vector.broadcast %[[KEEPSCALE]] : f32 to vector<8xf32>
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[S]] : vector<8xf32>
// CHECK-NEXT: arith.select %[[KEEP]], %[[SCALED]], %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK: } else {
// CHECK-COUNT-20: arith.mului_extended %{{.*}}, %{{.*}} : vector<8xi32>
// CHECK-NOT: arith.mului_extended
// CHECK: return

// V512-LABEL: func @dropout_f32
// V512: arith.mului_extended %{{.*}}, %{{.*}} : vector<16xi32>
// V512: arith.cmpi uge, %{{.*}}, %{{.*}} : vector<16xi32>
func.func @dropout_f32(%q: tensor<1x2x32x16xf32>, %k: tensor<1x2x32x16xf32>, %v: tensor<1x2x32x16xf32>, %seed: i64) -> tensor<1x2x32x16xf32> {
  %0 = attn.sdpa %q, %k, %v dropout 0.25 seed(%seed) : tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32> -> tensor<1x2x32x16xf32>
  return %0 : tensor<1x2x32x16xf32>
}
