// RUN: sdpa-opt %s --attn-tile="block-q=32 block-k=32" --attn-strided-args --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --attn-online-softmax="vector-bits=256" | FileCheck %s --implicit-check-not=attn.block

// A boolean mask with contiguous rows (innermost stride 1) is read 8 bytes
// at a time (i1 is one byte per element in memory; a vector<8xi1> load
// would read bits) where the 8 columns lie inside the mask, through the
// element's address: aligned pointer + offset + row * row stride + column.
// A run crossing the mask's end (the columns of the last key block past
// S = 40) is read one column at a time.
// CHECK-LABEL: func.func @bool_mask
// CHECK: %[[WHOLE:.*]] = arith.cmpi ule, %{{.*}}, %c40{{.*}} : index
// CHECK: scf.if %[[WHOLE]] -> (vector<8xf32>) {
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[M:.*]] : memref<32x40xi1, strided<[?, 1], offset: ?>>
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[M]]
// CHECK: %[[ROWOFF:.*]] = arith.muli %{{.*}}, %[[STRIDES]]#0 : index
// CHECK: %[[INROW:.*]] = arith.addi %[[ROWOFF]], %{{.*}} : index
// CHECK: %[[ELEM:.*]] = arith.addi %[[OFF]], %[[INROW]] : index
// CHECK: %[[ADDR:.*]] = arith.addi %[[PTR]], %[[ELEM]] : index
// CHECK: %[[I64:.*]] = arith.index_cast %[[ADDR]] : index to i64
// CHECK: %[[P:.*]] = llvm.inttoptr %[[I64]] : i64 to !llvm.ptr
// CHECK: %[[BYTES:.*]] = llvm.load %[[P]] {alignment = 1 : i64} : !llvm.ptr -> vector<8xi8>
// CHECK: %[[ALLOWED:.*]] = arith.cmpi ne, %[[BYTES]], %{{.*}} : vector<8xi8>
// CHECK: arith.select %[[ALLOWED]], %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK: } else {
// CHECK: memref.load %[[M]][%{{.*}}, %{{.*}}] : memref<32x40xi1, strided<[?, 1], offset: ?>>
func.func @bool_mask(%q: tensor<1x2x32x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x8xf32>, %m: tensor<32x40xi1>) -> tensor<1x2x32x8xf32> {
  %0 = attn.sdpa %q, %k, %v mask(%m : tensor<32x40xi1>) : tensor<1x2x32x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x8xf32> -> tensor<1x2x32x8xf32>
  return %0 : tensor<1x2x32x8xf32>
}
