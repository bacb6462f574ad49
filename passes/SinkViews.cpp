//===- SinkViews.cpp - views computed inside a gpu.launch -----------------===//

#include "passes/SinkViews.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

/// A view whose operands are available inside the launch once the views
/// among them are cloned too (the rest must be constants or values the
/// launch may capture anyway: a dense memref, an index), or a constant
/// global, which outlining copies into the kernel's module.
static bool isSinkableView(Operation *op) {
  return isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::CastOp, memref::TransposeOp, memref::ReinterpretCastOp,
             memref::GetGlobalOp>(op);
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
      if (!def || !isSinkableView(def))
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
      rewriter.replaceUsesWithIf(
          value, clone->getResult(0), [&](OpOperand &use) {
            return body.isAncestor(use.getOwner()->getParentRegion());
          });
      changed = true;
    }
  }
}
