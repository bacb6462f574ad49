// RUN: sdpa-opt %s -split-input-file -verify-diagnostics

// One case per rule of attn.block's verifier, and of attn.launch's symbol
// check.

func.func @query_rank(%q: tensor<1x32x64xf32>, %k: tensor<100x64xf32>, %v: tensor<100x64xf32>, %o: tensor<32x64xf32>, %i: index) -> tensor<32x64xf32> {
  // expected-error @+1 {{'attn.block' op query must have rank 2}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<1x32x64xf32>, tensor<100x64xf32>, tensor<100x64xf32> -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

func.func @key_rank(%q: tensor<32x64xf32>, %k: tensor<64xf32>, %v: tensor<100x64xf32>, %o: tensor<32x64xf32>, %i: index) -> tensor<32x64xf32> {
  // expected-error @+1 {{'attn.block' op key must have rank 2}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<32x64xf32>, tensor<64xf32>, tensor<100x64xf32> -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

// An unranked value has no rank at all.
func.func @value_unranked(%q: tensor<32x64xf32>, %k: tensor<100x64xf32>, %v: tensor<*xf32>, %o: tensor<32x64xf32>, %i: index) -> tensor<32x64xf32> {
  // expected-error @+1 {{'attn.block' op value must have rank 2}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<32x64xf32>, tensor<100x64xf32>, tensor<*xf32> -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

func.func @mixed_tensor_memref(%q: tensor<32x64xf32>, %k: memref<100x64xf32>, %v: tensor<100x64xf32>, %o: tensor<32x64xf32>, %i: index) -> tensor<32x64xf32> {
  // expected-error @+1 {{'attn.block' op operands must be all tensors or all memrefs}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<32x64xf32>, memref<100x64xf32>, tensor<100x64xf32> -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

// The rule covers the mask too.
func.func @mixed_mask(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %m: tensor<32x100xi1>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op operands must be all tensors or all memrefs}}
  attn.block %q, %k, %v mask(%m : tensor<32x100xi1>) rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @integer_elements(%q: memref<32x64xi32>, %k: memref<100x64xi32>, %v: memref<100x64xi32>, %o: memref<32x64xi32>, %i: index) {
  // expected-error @+1 {{'attn.block' op query, key and value must share one element type among f16, bf16, f32 and f64}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xi32>) : memref<32x64xi32>, memref<100x64xi32>, memref<100x64xi32>
  return
}

// -----

func.func @mixed_elements(%q: memref<32x64xf32>, %k: memref<100x64xf16>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op query, key and value must share one element type among f16, bf16, f32 and f64}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf16>, memref<100x64xf32>
  return
}

// -----

func.func @value_element(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xbf16>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op query, key and value must share one element type among f16, bf16, f32 and f64}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xbf16>
  return
}

// -----

func.func @head_dim(%q: memref<32x64xf32>, %k: memref<100x32xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op key head dim (32) must equal query head dim (64)}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x32xf32>, memref<100x64xf32>
  return
}

// -----

func.func @value_length(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<99x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op value length (99) must equal key length (100)}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<99x64xf32>
  return
}

// -----

func.func @tiles_size(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op tiles must be two positive sizes [Bq, Bk], got [32, 16, 8]}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16, 8] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @tiles_zero(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op tiles must be two positive sizes [Bq, Bk], got [32, 0]}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 0] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @tiles_negative(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op tiles must be two positive sizes [Bq, Bk], got [-32, 16]}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [-32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @too_many_rows(%q: memref<33x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<33x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op query block has 33 rows, more than the tile's 32}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<33x64xf32>) : memref<33x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @mask_rank(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %m: memref<1x32x100xi1>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op mask must have rank 2}}
  attn.block %q, %k, %v mask(%m : memref<1x32x100xi1>) rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @mask_element(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %m: memref<32x100xi8>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op mask element type must be i1 or a float type}}
  attn.block %q, %k, %v mask(%m : memref<32x100xi8>) rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @mask_rows(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %m: memref<16x100xi1>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op mask shape [16, 100] does not broadcast to the block's scores [32, 100]}}
  attn.block %q, %k, %v mask(%m : memref<16x100xi1>) rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @mask_columns(%q: memref<?x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %m: memref<1x50xf32>, %o: memref<?x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op mask shape [1, 50] does not broadcast to the block's scores [?, 100]}}
  attn.block %q, %k, %v mask(%m : memref<1x50xf32>) rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<?x64xf32>) : memref<?x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @no_outs(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op expects outs (out) or (out, lse), got 0 destinations}}
  "attn.block"(%q, %k, %v, %i, %i, %i, %i, %i, %i) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0>, scale = 1.0 : f64, tiles = array<i64: 32, 16>}> : (memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>, index, index, index, index, index, index) -> ()
  return
}

// -----

func.func @three_outs(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %lse: memref<32xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op expects outs (out) or (out, lse), got 3 destinations}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o, %lse, %lse : memref<32x64xf32>, memref<32xf32>, memref<32xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @out_shape(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x48xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op out must be [Lb, Ev] = [32, 48] of 'f32'}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x48xf32>
  return
}

// -----

func.func @out_rank(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<1x32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op out must be [Lb, Ev] = [32, 64] of 'f32'}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<1x32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

// f32 out is allowed (split-K partials), other types are not.
func.func @out_element(%q: memref<32x64xf16>, %k: memref<100x64xf16>, %v: memref<100x64xf16>, %o: memref<32x64xbf16>, %i: index) {
  // expected-error @+1 {{'attn.block' op out must be [Lb, Ev] = [32, 64] of 'f16' or f32}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xbf16>) : memref<32x64xf16>, memref<100x64xf16>, memref<100x64xf16>
  return
}

// -----

func.func @lse_shape(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %lse: memref<16xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op lse must be [Lb] = [32] of f32}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o, %lse : memref<32x64xf32>, memref<16xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

// lse is f32 whatever the element type of the block.
func.func @lse_element(%q: memref<32x64xf64>, %k: memref<100x64xf64>, %v: memref<100x64xf64>, %o: memref<32x64xf64>, %lse: memref<32xf64>, %i: index) {
  // expected-error @+1 {{'attn.block' op lse must be [Lb] = [32] of f32}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o, %lse : memref<32x64xf64>, memref<32xf64>) : memref<32x64xf64>, memref<100x64xf64>, memref<100x64xf64>
  return
}

// -----

func.func @window_size(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op window must be two non-negative sizes}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) window [4] scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @window_negative(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op window must be two non-negative sizes}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) window [4, -1] scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

func.func @dropout_without_seed(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op dropout needs a 'seed' operand}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 dropout 0.5 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32>
  return
}

// -----

// A launch must name a function...
func.func @unknown_kernel(%n: index) {
  // expected-error @+1 {{'attn.launch' op kernel 'missing' does not name a function}}
  attn.launch @missing() blocks(%n) : () -> ()
  return
}

// -----

// ...not some other symbol.
memref.global "private" @not_a_function : memref<4xf32>
func.func @kernel_not_function(%n: index) {
  // expected-error @+1 {{'attn.launch' op kernel 'not_a_function' does not name a function}}
  attn.launch @not_a_function() blocks(%n) : () -> ()
  return
}

// -----

// The kernel takes the captures then (index, index).
func.func private @kernel(%x: memref<4xf32>, %begin: index, %end: index)
func.func @kernel_signature(%x: memref<8xf32>, %n: index) {
  // expected-error @+1 {{'attn.launch' op kernel 'kernel' must take the captures followed by (index, index) and return nothing}}
  attn.launch @kernel(%x) blocks(%n) : (memref<8xf32>) -> ()
  return
}

// -----

func.func private @kernel_missing_range(%x: memref<4xf32>)
func.func @kernel_no_range(%x: memref<4xf32>, %n: index) {
  // expected-error @+1 {{'attn.launch' op kernel 'kernel_missing_range' must take the captures followed by (index, index) and return nothing}}
  attn.launch @kernel_missing_range(%x) blocks(%n) : (memref<4xf32>) -> ()
  return
}

// -----

func.func private @kernel_result(%begin: index, %end: index) -> i32
func.func @kernel_returns(%n: index) {
  // expected-error @+1 {{'attn.launch' op kernel 'kernel_result' must take the captures followed by (index, index) and return nothing}}
  attn.launch @kernel_result() blocks(%n) : () -> ()
  return
}

// -----

// Destination-passing style: on tensors each out has a result of its type...
func.func @tensor_without_results(%q: tensor<32x64xf32>, %k: tensor<100x64xf32>, %v: tensor<100x64xf32>, %o: tensor<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op expected the number of tensor results (0) to be equal to the number of output tensors (1)}}
  attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<32x64xf32>, tensor<100x64xf32>, tensor<100x64xf32>
  return
}

// -----

func.func @tensor_result_type(%q: tensor<32x64xf32>, %k: tensor<100x64xf32>, %v: tensor<100x64xf32>, %o: tensor<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op expected type of operand #9 ('tensor<32x64xf32>') to match type of corresponding result ('tensor<16x64xf32>')}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : tensor<32x64xf32>) : tensor<32x64xf32>, tensor<100x64xf32>, tensor<100x64xf32> -> tensor<16x64xf32>
  return
}

// -----

// ...and on memrefs there are no results.
func.func @memref_with_result(%q: memref<32x64xf32>, %k: memref<100x64xf32>, %v: memref<100x64xf32>, %o: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{'attn.block' op expected the number of tensor results (1) to be equal to the number of output tensors (0)}}
  %0 = attn.block %q, %k, %v rows(%i, %i) head(%i, %i) keys(%i, %i) scale 1.0 tiles [32, 16] outs(%o : memref<32x64xf32>) : memref<32x64xf32>, memref<100x64xf32>, memref<100x64xf32> -> tensor<32x64xf32>
  return
}
