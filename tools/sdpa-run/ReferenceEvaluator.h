//===- ReferenceEvaluator.h - a function on the float64 reference -*- C++
//-*-===//
//
// Evaluates an entry function in float64, using the reference of attn.sdpa
// and upstream lowering for the rest, so that sdpa-run can produce
// ground-truth results for a graph.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_TOOLS_SDPA_RUN_REFERENCEEVALUATOR_H
#define SDPA_TOOLS_SDPA_RUN_REFERENCEEVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include "runtime/npy/Npy.h"

#include <vector>

namespace sdpa {

/// Evaluates `func` on `args` (one array per argument, already checked against
/// the argument types) and returns one array per result, of the result's
/// element type. attn.sdpa at the top level of the body runs on the float64
/// reference of runtime/reference; the ops between them (TOSA, linalg,
/// tensor, arith, math: anything the CPU pipeline lowers) are widened to f64
/// and compiled with upstream lowering alone (no raising, no fused kernels).
/// What cannot be evaluated, and any run-time shape inconsistency, is
/// reported as an error at the offending op.
mlir::FailureOr<std::vector<npy::Array>>
evaluateReference(mlir::func::FuncOp func, llvm::ArrayRef<npy::Array> args);

} // namespace sdpa

#endif // SDPA_TOOLS_SDPA_RUN_REFERENCEEVALUATOR_H
