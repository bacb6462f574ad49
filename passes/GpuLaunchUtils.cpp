//===- GpuLaunchUtils.cpp - building gpu.launch grids ---------------------===//

#include "passes/GpuLaunchUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include <limits>

using namespace mlir;

FailureOr<sdpa::StaticLoopNest>
sdpa::getStaticLoopNest(Operation *op, ArrayRef<OpFoldResult> lbs,
                        ArrayRef<OpFoldResult> ubs,
                        ArrayRef<OpFoldResult> steps) {
  StaticLoopNest nest;
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return op->emitOpError()
             << "needs static bounds to run on the GPU (dynamic shapes are "
                "not supported on the GPU yet)";
    int64_t count = *u > *l ? (*u - *l + *s - 1) / *s : 0;
    if (count != 0 && nest.total > std::numeric_limits<int32_t>::max() / count)
      return op->emitOpError()
             << "has more than 2^31 - 1 iterations, more than a GPU grid "
                "holds";
    nest.total *= count;
    nest.lowerBounds.push_back(*l);
    nest.counts.push_back(count);
    nest.steps.push_back(*s);
  }
  return nest;
}

SmallVector<Value> sdpa::unflattenIndex(RewriterBase &rewriter, Location loc,
                                        Value linear,
                                        const StaticLoopNest &nest) {
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  SmallVector<Value> ivs(nest.counts.size());
  for (int64_t d = nest.counts.size() - 1; d >= 0; --d) {
    Value count = constant(nest.counts[d]);
    Value position =
        d == 0 ? linear : arith::RemUIOp::create(rewriter, loc, linear, count);
    if (d > 0)
      linear = arith::DivUIOp::create(rewriter, loc, linear, count);
    ivs[d] = rewriter.createOrFold<arith::AddIOp>(
        loc, constant(nest.lowerBounds[d]),
        rewriter.createOrFold<arith::MulIOp>(loc, position,
                                             constant(nest.steps[d])));
  }
  return ivs;
}

/// A view whose operands are available inside the launch once the views
/// among them are cloned too (the rest must be constants or values the
/// launch may capture anyway: a dense memref, an index), or a constant
/// global, which outlining copies into the kernel's module.
static bool isSinkableView(Operation *op) {
  return isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::CastOp, memref::TransposeOp, memref::ReinterpretCastOp,
             memref::GetGlobalOp>(op);
}

/// Scalar arithmetic of the host (a position argument cast to an index,
/// the end of a slice computed from it): an nvptx artifact's host side holds
/// only launches, so the kernel computes it again from the entry's scalars.
static bool isSinkableScalarOp(Operation *op) {
  return isa<arith::ArithDialect>(op->getDialect()) &&
         op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         llvm::all_of(op->getResultTypes(),
                      [](Type type) { return type.isIntOrIndexOrFloat(); });
}

/// A load of an element of a function argument that nothing but loads uses
/// (a position given as a rank-0 tensor): the kernel reads the argument,
/// which the launch passes like any buffer, instead of the host.
static bool isSinkableArgumentLoad(Operation *op) {
  auto load = dyn_cast<memref::LoadOp>(op);
  if (!load)
    return false;
  auto arg = dyn_cast<BlockArgument>(load.getMemRef());
  if (!arg || !isa<FunctionOpInterface>(arg.getOwner()->getParentOp()))
    return false;
  return llvm::all_of(arg.getUsers(), [](Operation *user) {
    return isa<memref::LoadOp>(user);
  });
}

void sdpa::sinkViewsIntoLaunch(RewriterBase &rewriter, gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  bool changed = true;
  while (changed) {
    changed = false;
    SetVector<Value> captured;
    getUsedValuesDefinedAbove(body, captured);
    for (Value value : captured) {
      Operation *def = value.getDefiningOp();
      if (!def || !(isSinkableView(def) || isSinkableScalarOp(def) ||
                    isSinkableArgumentLoad(def)))
        continue;
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&body.front());
      IRMapping mapping;
      // Constants the view needs come along, so that the kernel keeps its
      // static sizes.
      for (Value operand : def->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          if (matchPattern(producer, m_Constant()))
            mapping.map(operand, rewriter.clone(*producer)->getResult(0));
      Operation *clone = rewriter.clone(*def, mapping);
      for (auto [result, cloned] :
           llvm::zip(def->getResults(), clone->getResults()))
        rewriter.replaceUsesWithIf(result, cloned, [&](OpOperand &use) {
          return body.isAncestor(use.getOwner()->getParentRegion());
        });
      changed = true;
    }
  }
}
