//===- MapParallelLoopsToGpu.cpp - loop nests as GPU kernels --------------===//
//
// --attn-map-parallel-loops-to-gpu runs what is left of a graph besides the
// attention (transposes that are not read through, elementwise ops, masks
// built from tensors, reductions) on the GPU: each outermost scf.parallel
// (what upstream convert-linalg-to-parallel-loops makes of a linalg op)
// becomes a gpu.launch with one thread per iteration of its flattened
// parallel dims, in blocks of `threads`. Whatever the loop body holds (the
// loops over reduction dims, inner parallel loops, which run sequentially
// in each thread) is copied into the thread's guarded body. memref.copy
// ops become such loops first. Loops with
// reductions carried by scf.reduce or with dynamic bounds are refused with
// a message.
//
//===----------------------------------------------------------------------===//

#include "passes/GpuLaunchUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNMAPPARALLELLOOPSTOGPUPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

LogicalResult sdpa::mapParallelLoopToGpuLaunch(RewriterBase &rewriter,
                                               scf::ParallelOp loop,
                                               int64_t threads) {
  if (threads <= 0 || threads > 1024)
    return loop.emitOpError()
           << "threads per block must be in [1, 1024], got " << threads;
  if (!loop.getInitVals().empty())
    return loop.emitOpError()
           << "carries a reduction; the GPU mapping runs loops whose "
              "iterations write separate elements only";
  FailureOr<StaticLoopNest> nest =
      getStaticLoopNest(loop, getAsOpFoldResult(loop.getLowerBound()),
                        getAsOpFoldResult(loop.getUpperBound()),
                        getAsOpFoldResult(loop.getStep()));
  if (failed(nest))
    return failure();
  int64_t total = nest->total;
  if (total == 0) {
    rewriter.eraseOp(loop);
    return success();
  }

  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  int64_t blockThreads = std::min<int64_t>(threads, total);
  int64_t blocks = (total + blockThreads - 1) / blockThreads;
  Value one = constant(1);
  auto launch = gpu::LaunchOp::create(rewriter, loc, constant(blocks), one, one,
                                      constant(blockThreads), one, one);
  rewriter.setInsertionPointToStart(&launch.getBody().front());
  Value linear = arith::AddIOp::create(
      rewriter, loc,
      arith::MulIOp::create(rewriter, loc, launch.getBlockIds().x,
                            constant(blockThreads)),
      launch.getThreadIds().x);
  Value inRange = arith::CmpIOp::create(
      rewriter, loc, arith::CmpIPredicate::ult, linear, constant(total));
  auto guard = scf::IfOp::create(rewriter, loc, inRange, /*withElse=*/false);
  gpu::TerminatorOp::create(rewriter, loc);

  rewriter.setInsertionPointToStart(guard.thenBlock());
  IRMapping mapping;
  mapping.map(loop.getInductionVars(),
              unflattenIndex(rewriter, loc, linear, *nest));
  for (Operation &op : loop.getBody()->without_terminator())
    rewriter.clone(op, mapping);
  rewriter.eraseOp(loop);
  sinkViewsIntoLaunch(rewriter, launch);
  return success();
}

namespace {
/// `copy` as an scf.parallel of loads and stores over its shape.
FailureOr<scf::ParallelOp> copyAsParallelLoop(RewriterBase &rewriter,
                                              memref::CopyOp copy) {
  auto type = cast<MemRefType>(copy.getTarget().getType());
  if (!type.hasStaticShape())
    return copy.emitOpError()
           << "copies a dynamically shaped buffer; the GPU mapping needs "
              "static shapes";
  Location loc = copy.getLoc();
  rewriter.setInsertionPoint(copy);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t size : type.getShape()) {
    lbs.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
    ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
    steps.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
  }
  auto loop = scf::ParallelOp::create(
      rewriter, loc, lbs, ubs, steps,
      [&](OpBuilder &b, Location bodyLoc, ValueRange ivs) {
        Value v = memref::LoadOp::create(b, bodyLoc, copy.getSource(), ivs);
        memref::StoreOp::create(b, bodyLoc, v, copy.getTarget(), ivs);
      });
  rewriter.eraseOp(copy);
  return loop;
}

struct AttnMapParallelLoopsToGpuPass
    : sdpa::impl::AttnMapParallelLoopsToGpuPassBase<
          AttnMapParallelLoopsToGpuPass> {
  using AttnMapParallelLoopsToGpuPassBase::AttnMapParallelLoopsToGpuPassBase;
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        loops.push_back(loop);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    IRRewriter rewriter(&getContext());
    // Copies between buffers (what bufferization leaves when a result must
    // not alias its operand) become loops too.
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      if (auto copy = dyn_cast<memref::CopyOp>(op))
        copies.push_back(copy);
      return WalkResult::advance();
    });
    for (memref::CopyOp copy : copies) {
      FailureOr<scf::ParallelOp> loop = copyAsParallelLoop(rewriter, copy);
      if (failed(loop))
        return signalPassFailure();
      loops.push_back(*loop);
    }
    for (scf::ParallelOp loop : loops)
      if (failed(mapParallelLoopToGpuLaunch(rewriter, loop, threads)))
        return signalPassFailure();
  }
};
} // namespace
