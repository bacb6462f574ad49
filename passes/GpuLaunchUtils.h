//===- GpuLaunchUtils.h - building gpu.launch grids ------------*- C++ -*-===//
//
// What the passes that turn loops into gpu.launch share: the static trip
// counts of a loop nest flattened onto one grid dimension, the index
// arithmetic that unflattens it, and the sinking of views into kernels.
//
// Kernels take their memrefs as bare pointers, which only dense memrefs can
// be. A view (subview, reshape, transpose, cast) of a buffer made on the host
// and used in a launch would become a strided kernel argument; computing it
// inside the launch instead leaves the kernel the dense buffer it views.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_GPULAUNCHUTILS_H
#define SDPA_PASSES_GPULAUNCHUTILS_H

#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir {
class Location;
class Operation;
class OpFoldResult;
class RewriterBase;
namespace gpu {
class LaunchOp;
} // namespace gpu
} // namespace mlir

namespace sdpa {

/// The iteration space of a loop nest with static bounds.
struct StaticLoopNest {
  llvm::SmallVector<int64_t> lowerBounds, counts, steps;
  /// The product of the counts.
  int64_t total = 1;
};

/// The static iteration space of the loops (lbs, ubs, steps) of `op`;
/// emits an error on `op` naming what is wrong (a dynamic bound, more than
/// 2^31 - 1 iterations, which the grid's x dimension cannot hold) and fails.
mlir::FailureOr<StaticLoopNest>
getStaticLoopNest(mlir::Operation *op, llvm::ArrayRef<mlir::OpFoldResult> lbs,
                  llvm::ArrayRef<mlir::OpFoldResult> ubs,
                  llvm::ArrayRef<mlir::OpFoldResult> steps);

/// The induction variables of iteration `linear` of `nest` (row-major: the
/// last loop varies fastest).
llvm::SmallVector<mlir::Value> unflattenIndex(mlir::RewriterBase &rewriter,
                                              mlir::Location loc,
                                              mlir::Value linear,
                                              const StaticLoopNest &nest);

/// Clones into `launch` every view op, constant global, side-effect-free
/// scalar `arith` op and load of an argument only ever loaded (a position
/// given as a rank-0 tensor) defined outside it whose result the launch uses
/// (and the views and scalars those read, transitively, with the constants
/// their sizes and offsets need), and makes the launch use the clones: the
/// launch then captures only buffers and the entry's own scalars.
void sinkViewsIntoLaunch(mlir::RewriterBase &rewriter,
                         mlir::gpu::LaunchOp launch);

} // namespace sdpa

#endif // SDPA_PASSES_GPULAUNCHUTILS_H
