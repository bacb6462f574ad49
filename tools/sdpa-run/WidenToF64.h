//===- WidenToF64.h - retype a function's floats as f64 ---------*- C++ -*-===//
//
// The float64 reference of sdpa-run evaluates the parts of a graph that are
// not attn.sdpa with upstream lowering: it widens every floating-point type in
// them (f16, bf16, f32) to f64 first, so that the whole evaluation runs in
// double precision.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_TOOLS_SDPA_RUN_WIDENTOF64_H
#define SDPA_TOOLS_SDPA_RUN_WIDENTOF64_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

namespace sdpa {

/// `type` with its floating-point type, or element type, replaced by f64.
mlir::Type widenToF64(mlir::Type type);

/// Retypes `func` in place: every float type of its signature, values and
/// block arguments becomes f64, float attributes (constants) are converted,
/// and float extensions and truncations that become no-ops are removed.
/// Fails with an error at the op that does not verify after the change (a
/// bitcast of a float, for example).
mlir::LogicalResult widenFloatsToF64(mlir::func::FuncOp func);

} // namespace sdpa

#endif // SDPA_TOOLS_SDPA_RUN_WIDENTOF64_H
