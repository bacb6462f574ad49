// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-lower-cpu-launch

// --attn-lower-cpu-launch runs after the LLVM conversions; it refuses
// launches whose kernel, captures or block count are not in LLVM form yet.

func.func private @kernel(%x: f32, %begin: index, %end: index)
llvm.func @func_kernel(%x: f32, %n: i64) {
  %blocks = builtin.unrealized_conversion_cast %n : i64 to index
  // expected-error @+1 {{'attn.launch' op kernel 'kernel' must be converted to llvm.func before lowering the launch}}
  attn.launch @kernel(%x) blocks(%blocks) : (f32) -> ()
  llvm.return
}

// -----

llvm.func @kernel(%x: i64, %begin: i64, %end: i64)
llvm.func @index_capture(%n: i64) {
  %blocks = builtin.unrealized_conversion_cast %n : i64 to index
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'attn.launch' op capture of type 'index' has no LLVM value: run the LLVM conversions first}}
  attn.launch @kernel(%c0) blocks(%blocks) : (index) -> ()
  llvm.return
}

// -----

llvm.func @kernel(%begin: i64, %end: i64)
llvm.func @narrow_blocks(%n: i32) {
  %blocks = builtin.unrealized_conversion_cast %n : i32 to index
  // expected-error @+1 {{'attn.launch' op block count must lower to i64}}
  attn.launch @kernel() blocks(%blocks) : () -> ()
  llvm.return
}

// -----

// A memref<?xf32> capture unpacks into 5 LLVM arguments; with begin and end
// the kernel must take 7.
llvm.func @kernel(%p0: !llvm.ptr, %p1: !llvm.ptr, %begin: i64, %end: i64)
llvm.func @arity(%d: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, %n: i64) {
  %m = builtin.unrealized_conversion_cast %d : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xf32>
  %blocks = builtin.unrealized_conversion_cast %n : i64 to index
  // expected-error @+1 {{'attn.launch' op kernel 'kernel' takes 4 LLVM arguments, the launch provides 7}}
  attn.launch @kernel(%m) blocks(%blocks) : (memref<?xf32>) -> ()
  llvm.return
}
