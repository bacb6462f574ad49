//===- MapGridToGpu.cpp - attention grids to gpu.launch ------------------===//
//
// --attn-map-grid-to-gpu turns each bufferized scf.forall that --attn-tile
// built (a grid over batch dims, heads and query blocks whose body slices the
// operands and runs one attn.block) into a gpu.launch: one thread block per
// grid point, with the grid flattened onto the x dimension (its limit,
// 2^31 - 1, is the only one large enough for every shape) and unflattened
// again inside the kernel. The body is copied into the launch unchanged; the
// attn.block inside is lowered for the threads of a block afterwards by
// --attn-online-softmax-gpu.
//
// Every thread of the block runs the copied body, so only ops that compute
// the same thing on every thread without writing memory may be in it: index
// arithmetic, views, and attn.block itself. Anything else is refused with a
// message rather than run once per thread. Views and constant globals the
// body reads (a reshaped mask, a constant mask) are made inside the kernel,
// so that its arguments stay dense buffers. An attn.block outside any grid
// (canonicalization folds a grid of one point away) gets a launch of one
// block.
//
//===----------------------------------------------------------------------===//

#include "passes/GpuLaunchUtils.h"
#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNMAPGRIDTOGPUPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

/// Whether `op` may run redundantly on every thread of a block.
static bool isUniformOp(Operation *op) {
  if (isa<attn::BlockOp, memref::SubViewOp, memref::CastOp,
          memref::ReinterpretCastOp, memref::ExpandShapeOp,
          memref::CollapseShapeOp>(op))
    return true;
  return isMemoryEffectFree(op) && op->getNumRegions() == 0;
}

/// A launch of `blocks` thread blocks of `threads` threads on x, with an
/// empty body; the insertion point is left inside it.
static gpu::LaunchOp createLaunch(RewriterBase &rewriter, Location loc,
                                  int64_t blocks, int64_t threads) {
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  Value one = constant(1);
  // The shared memory size is set by the lowering of the block's body.
  Value sharedBytes =
      arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
  Value gridSize = blocks == 1 ? one : constant(blocks);
  auto launch = gpu::LaunchOp::create(rewriter, loc, gridSize, one, one,
                                      constant(threads), one, one, sharedBytes);
  rewriter.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

LogicalResult sdpa::mapGridToGpuLaunch(RewriterBase &rewriter,
                                       scf::ForallOp grid, int64_t threads) {
  if (threads <= 0 || threads > 1024)
    return grid.emitOpError()
           << "threads per block must be in [1, 1024], got " << threads;
  if (!grid.getOutputs().empty())
    return grid.emitOpError()
           << "maps to the GPU after bufferization; bufferize the grid first";
  FailureOr<StaticLoopNest> nest =
      getStaticLoopNest(grid, grid.getMixedLowerBound(),
                        grid.getMixedUpperBound(), grid.getMixedStep());
  if (failed(nest))
    return failure();
  int64_t total = nest->total;
  for (Operation &op : grid.getBody()->without_terminator())
    if (!isUniformOp(&op))
      return op.emitOpError()
             << "cannot run inside an attention grid mapped to the GPU: only "
                "index arithmetic, views and attn.block may";
  if (total == 0) {
    rewriter.eraseOp(grid);
    return success();
  }

  Location loc = grid.getLoc();
  rewriter.setInsertionPoint(grid);
  gpu::LaunchOp launch = createLaunch(rewriter, loc, total, threads);

  // One block per grid point: the block index unflattened.
  IRMapping mapping;
  SmallVector<Value> ivs =
      unflattenIndex(rewriter, loc, launch.getBlockIds().x, *nest);
  mapping.map(grid.getInductionVars(), ivs);
  for (Operation &op : grid.getBody()->without_terminator())
    rewriter.clone(op, mapping);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.eraseOp(grid);
  sinkViewsIntoLaunch(rewriter, launch);
  return success();
}

/// An attn.block outside any grid, as canonicalization leaves a grid of one
/// point (one batch, one head, one query block), becomes a launch of one
/// thread block.
static LogicalResult mapLoneBlockToGpuLaunch(RewriterBase &rewriter,
                                             attn::BlockOp block,
                                             int64_t threads) {
  if (threads <= 0 || threads > 1024)
    return block.emitOpError()
           << "threads per block must be in [1, 1024], got " << threads;
  if (block->getNumResults() != 0)
    return block.emitOpError()
           << "maps to the GPU after bufferization; bufferize it first";
  Location loc = block.getLoc();
  rewriter.setInsertionPoint(block);
  gpu::LaunchOp launch = createLaunch(rewriter, loc, 1, threads);
  rewriter.clone(*block);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.eraseOp(block);
  sinkViewsIntoLaunch(rewriter, launch);
  return success();
}

namespace {
struct AttnMapGridToGpuPass
    : sdpa::impl::AttnMapGridToGpuPassBase<AttnMapGridToGpuPass> {
  using AttnMapGridToGpuPassBase::AttnMapGridToGpuPassBase;
  void runOnOperation() override {
    // Outermost grids that hold attention and are not on the GPU yet.
    SmallVector<scf::ForallOp> grids;
    getOperation()->walk<WalkOrder::PreOrder>([&](scf::ForallOp grid) {
      if (grid->getParentOfType<gpu::LaunchOp>())
        return WalkResult::skip();
      bool hasBlock =
          grid->walk([](attn::BlockOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      if (!hasBlock)
        return WalkResult::advance();
      grids.push_back(grid);
      return WalkResult::skip();
    });
    IRRewriter rewriter(&getContext());
    for (scf::ForallOp grid : grids)
      if (failed(mapGridToGpuLaunch(rewriter, grid, threads)))
        return signalPassFailure();
    SmallVector<attn::BlockOp> loneBlocks;
    getOperation()->walk([&](attn::BlockOp block) {
      if (!block->getParentOfType<gpu::LaunchOp>())
        loneBlocks.push_back(block);
    });
    for (attn::BlockOp block : loneBlocks)
      if (failed(mapLoneBlockToGpuLaunch(rewriter, block, threads)))
        return signalPassFailure();
  }
};
} // namespace
