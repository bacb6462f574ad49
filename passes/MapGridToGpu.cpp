//===- MapGridToGpu.cpp - attention grids to gpu.launch
//--------------------===//
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
// so that its arguments stay dense buffers.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/SinkViews.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

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

LogicalResult sdpa::mapGridToGpuLaunch(RewriterBase &rewriter,
                                       scf::ForallOp grid, int64_t threads) {
  if (threads <= 0 || threads > 1024)
    return grid.emitOpError()
           << "threads per block must be in [1, 1024], got " << threads;
  if (!grid.getOutputs().empty())
    return grid.emitOpError()
           << "maps to the GPU after bufferization; bufferize the grid first";
  ArrayRef<int64_t> lbs = grid.getStaticLowerBound();
  ArrayRef<int64_t> ubs = grid.getStaticUpperBound();
  ArrayRef<int64_t> steps = grid.getStaticStep();
  if (ShapedType::isDynamicShape(lbs) || ShapedType::isDynamicShape(ubs) ||
      ShapedType::isDynamicShape(steps))
    return grid.emitOpError()
           << "needs static bounds to become a GPU grid (dynamic shapes are "
              "not supported on the GPU yet)";
  int64_t total = 1;
  SmallVector<int64_t> counts;
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
    int64_t count = ub > lb ? (ub - lb + step - 1) / step : 0;
    counts.push_back(count);
    if (count != 0 && total > std::numeric_limits<int32_t>::max() / count)
      return grid.emitOpError() << "has more than 2^31 - 1 blocks";
    total *= count;
  }
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
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  Value one = constant(1);
  // The shared memory size is set by the lowering of the block's body.
  Value sharedBytes =
      arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
  auto launch = gpu::LaunchOp::create(rewriter, loc, constant(total), one, one,
                                      constant(threads), one, one, sharedBytes);
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToStart(&body);

  // Unflatten the block index, innermost grid dim first.
  IRMapping mapping;
  Value linear = launch.getBlockIds().x;
  SmallVector<Value> ivs(counts.size());
  for (int64_t d = counts.size() - 1; d >= 0; --d) {
    Value count = constant(counts[d]);
    Value position =
        d == 0 ? linear : arith::RemUIOp::create(rewriter, loc, linear, count);
    if (d > 0)
      linear = arith::DivUIOp::create(rewriter, loc, linear, count);
    ivs[d] = rewriter.createOrFold<arith::AddIOp>(
        loc, constant(lbs[d]),
        rewriter.createOrFold<arith::MulIOp>(loc, position,
                                             constant(steps[d])));
  }
  mapping.map(grid.getInductionVars(), ivs);
  for (Operation &op : grid.getBody()->without_terminator())
    rewriter.clone(op, mapping);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.eraseOp(grid);
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
  }
};
} // namespace
