//===- DecomposeAggregatedOps.cpp - linalg.softmax to linalg.generic ------===//
//
// --attn-decompose-aggregated-ops replaces ops implementing linalg's
// AggregatedOpInterface (linalg.softmax above all) by the linalg ops their
// decomposeOperation builds. Upstream lowers such ops to loops only through
// this decomposition, which no upstream pass applies; without it a softmax
// that is not part of attention could not be compiled.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNDECOMPOSEAGGREGATEDOPSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {
struct DecomposeAggregatedOp
    : OpInterfaceRewritePattern<linalg::AggregatedOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::AggregatedOpInterface op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<Value>> replacements =
        op.decomposeOperation(rewriter);
    if (failed(replacements))
      return rewriter.notifyMatchFailure(op, "cannot be decomposed");
    rewriter.replaceOp(op, *replacements);
    return success();
  }
};

struct AttnDecomposeAggregatedOpsPass
    : sdpa::impl::AttnDecomposeAggregatedOpsPassBase<
          AttnDecomposeAggregatedOpsPass> {
  using AttnDecomposeAggregatedOpsPassBase::AttnDecomposeAggregatedOpsPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateAttnDecomposeAggregatedOpsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnDecomposeAggregatedOpsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeAggregatedOp>(patterns.getContext());
}
