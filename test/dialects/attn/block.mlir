// RUN: sdpa-opt %s -split-input-file | FileCheck %s
// RUN: sdpa-opt %s -split-input-file -mlir-print-op-generic | sdpa-opt -split-input-file | FileCheck %s

// attn.block and attn.launch print back the way they were written, and the
// generic form parses back to the same ops.

// The minimal block on tensors: no mask, seed, lse or positional attributes.
// CHECK-LABEL: func @tensor_minimal
// CHECK-SAME: (%[[Q:.*]]: tensor<32x64xf32>, %[[K:.*]]: tensor<100x64xf32>, %[[V:.*]]: tensor<100x48xf32>, %[[O:.*]]: tensor<32x48xf32>, %[[ROW:.*]]: index, %[[DIAG:.*]]: index, %[[B:.*]]: index, %[[H:.*]]: index, %[[KB:.*]]: index, %[[KE:.*]]: index)
// CHECK: %[[R:.*]] = attn.block %[[Q]], %[[K]], %[[V]] rows(%[[ROW]], %[[DIAG]]) head(%[[B]], %[[H]]) keys(%[[KB]], %[[KE]]) scale 1.250000e-01 tiles [32, 16] outs(%[[O]] : tensor<32x48xf32>) : tensor<32x64xf32>, tensor<100x64xf32>, tensor<100x48xf32> -> tensor<32x48xf32>
// CHECK: return %[[R]]
func.func @tensor_minimal(%q: tensor<32x64xf32>, %k: tensor<100x64xf32>,
                          %v: tensor<100x48xf32>, %o: tensor<32x48xf32>,
                          %row: index, %diag: index, %b: index, %h: index,
                          %kb: index, %ke: index) -> tensor<32x48xf32> {
  %0 = attn.block %q, %k, %v rows(%row, %diag) head(%b, %h) keys(%kb, %ke)
      scale 0.125 tiles [32, 16] outs(%o : tensor<32x48xf32>)
      : tensor<32x64xf32>, tensor<100x64xf32>, tensor<100x48xf32> -> tensor<32x48xf32>
  return %0 : tensor<32x48xf32>
}

// -----

// Every optional part: mask, seed, lse, causal, window, softcap, dropout.
// CHECK-LABEL: func @tensor_all_options
// CHECK-SAME: %[[M:[^:]*]]: tensor<1x100xi1>, %[[SEED:[^:]*]]: i64
// CHECK: %{{.*}}:2 = attn.block %{{.*}}, %{{.*}}, %{{.*}} mask(%[[M]] : tensor<1x100xi1>) seed(%[[SEED]]) rows(%{{.*}}, %{{.*}}) head(%{{.*}}, %{{.*}}) keys(%{{.*}}, %{{.*}}) causal window [8, 0] scale 2.500000e-01 softcap 3.000000e+01 dropout 1.000000e-01 tiles [16, 16] outs(%{{.*}}, %{{.*}} : tensor<?x48xf16>, tensor<?xf32>) : tensor<?x64xf16>, tensor<100x64xf16>, tensor<100x48xf16> -> tensor<?x48xf16>, tensor<?xf32>
func.func @tensor_all_options(%q: tensor<?x64xf16>, %k: tensor<100x64xf16>,
                              %v: tensor<100x48xf16>, %o: tensor<?x48xf16>,
                              %lse: tensor<?xf32>, %m: tensor<1x100xi1>,
                              %seed: i64, %i: index)
    -> (tensor<?x48xf16>, tensor<?xf32>) {
  %0:2 = attn.block %q, %k, %v mask(%m : tensor<1x100xi1>) seed(%seed)
      rows(%i, %i) head(%i, %i) keys(%i, %i) causal window [8, 0]
      scale 0.25 softcap 30.0 dropout 0.1 tiles [16, 16]
      outs(%o, %lse : tensor<?x48xf16>, tensor<?xf32>)
      : tensor<?x64xf16>, tensor<100x64xf16>, tensor<100x48xf16>
      -> tensor<?x48xf16>, tensor<?xf32>
  return %0#0, %0#1 : tensor<?x48xf16>, tensor<?xf32>
}

// -----

// A float mask with a full [Lb, S] shape and an lse, without positional
// attributes.
// CHECK-LABEL: func @tensor_float_mask_lse
// CHECK: attn.block %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}} : tensor<8x20xf64>) rows(%{{.*}}, %{{.*}}) head(%{{.*}}, %{{.*}}) keys(%{{.*}}, %{{.*}}) scale 5.000000e-01 tiles [8, 4] outs(%{{.*}}, %{{.*}} : tensor<8x4xf64>, tensor<8xf32>) : tensor<8x4xf64>, tensor<20x4xf64>, tensor<20x4xf64> -> tensor<8x4xf64>, tensor<8xf32>
// CHECK-NOT: causal
func.func @tensor_float_mask_lse(%q: tensor<8x4xf64>, %k: tensor<20x4xf64>,
                                 %v: tensor<20x4xf64>, %m: tensor<8x20xf64>,
                                 %o: tensor<8x4xf64>, %lse: tensor<8xf32>,
                                 %i: index) -> (tensor<8x4xf64>, tensor<8xf32>) {
  %0:2 = attn.block %q, %k, %v mask(%m : tensor<8x20xf64>)
      rows(%i, %i) head(%i, %i) keys(%i, %i) scale 0.5 tiles [8, 4]
      outs(%o, %lse : tensor<8x4xf64>, tensor<8xf32>)
      : tensor<8x4xf64>, tensor<20x4xf64>, tensor<20x4xf64>
      -> tensor<8x4xf64>, tensor<8xf32>
  return %0#0, %0#1 : tensor<8x4xf64>, tensor<8xf32>
}

// -----

// On memrefs the block writes its outs and returns nothing.
// CHECK-LABEL: func @memref_block
// CHECK: attn.block %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}} : memref<32x1xbf16>) rows(%{{.*}}, %{{.*}}) head(%{{.*}}, %{{.*}}) keys(%{{.*}}, %{{.*}}) window [4, 4] scale 1.000000e+00 tiles [32, 32] outs(%{{.*}}, %{{.*}} : memref<32x16xbf16, strided<[16, 1], offset: ?>>, memref<32xf32>) : memref<32x16xbf16>, memref<?x16xbf16>, memref<?x16xbf16>{{$}}
// CHECK-NEXT: return
func.func @memref_block(%q: memref<32x16xbf16>, %k: memref<?x16xbf16>,
                        %v: memref<?x16xbf16>, %m: memref<32x1xbf16>,
                        %o: memref<32x16xbf16, strided<[16, 1], offset: ?>>,
                        %lse: memref<32xf32>, %i: index) {
  attn.block %q, %k, %v mask(%m : memref<32x1xbf16>) rows(%i, %i)
      head(%i, %i) keys(%i, %i) window [4, 4] scale 1.0 tiles [32, 32]
      outs(%o, %lse : memref<32x16xbf16, strided<[16, 1], offset: ?>>, memref<32xf32>)
      : memref<32x16xbf16>, memref<?x16xbf16>, memref<?x16xbf16>
  return
}

// -----

// attn.launch calls a func.func taking the captures then (begin, end).
// CHECK-LABEL: func.func private @kernel
// CHECK-SAME: (%{{.*}}: memref<4x8xf32>, %{{.*}}: f32, %{{.*}}: index, %{{.*}}: index)
func.func private @kernel(%buf: memref<4x8xf32>, %x: f32, %begin: index,
                          %end: index) {
  return
}
// CHECK-LABEL: func @launch
// CHECK-SAME: (%[[BUF:.*]]: memref<4x8xf32>, %[[X:.*]]: f32, %[[N:.*]]: index)
// CHECK: attn.launch @kernel(%[[BUF]], %[[X]]) blocks(%[[N]]) : (memref<4x8xf32>, f32) -> ()
func.func @launch(%buf: memref<4x8xf32>, %x: f32, %n: index) {
  attn.launch @kernel(%buf, %x) blocks(%n) : (memref<4x8xf32>, f32) -> ()
  return
}

// -----

// A launch without captures.
// CHECK-LABEL: func @launch_no_captures
// CHECK: attn.launch @empty_kernel() blocks(%{{.*}}) : () -> ()
func.func private @empty_kernel(%begin: index, %end: index)
func.func @launch_no_captures(%n: index) {
  attn.launch @empty_kernel() blocks(%n) : () -> ()
  return
}
