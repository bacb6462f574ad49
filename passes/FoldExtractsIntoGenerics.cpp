//===- FoldExtractsIntoGenerics.cpp - extracted scalars as operands ------===//
//
// --attn-fold-extracts-into-generics: a scalar that `tensor.extract` reads
// at constant indices (a run-time scale exported as a 0-d tensor and
// extracted, `%s = tensor.extract %t[]`) and that linalg.generic bodies use
// becomes an input of each of those generics instead, read through a map of
// constant indices. The scalar is then read where the generic runs: inside
// the kernel on a GPU, where the host cannot read device memory, rather than
// by a load left on the host.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNFOLDEXTRACTSINTOGENERICSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

/// The constant indices of `extract`, or none.
std::optional<SmallVector<int64_t>> constantIndices(tensor::ExtractOp extract) {
  SmallVector<int64_t> indices;
  for (Value index : extract.getIndices()) {
    std::optional<int64_t> constant = getConstantIntValue(index);
    if (!constant)
      return std::nullopt;
    indices.push_back(*constant);
  }
  return indices;
}

struct FoldExtractIntoGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    // The extracts from outside the op whose scalars its body uses.
    SetVector<tensor::ExtractOp> extracts;
    op.getRegion().walk([&](Operation *inner) {
      for (Value operand : inner->getOperands())
        if (auto extract = operand.getDefiningOp<tensor::ExtractOp>())
          if (!op->isAncestor(extract) && constantIndices(extract))
            extracts.insert(extract);
    });
    if (extracts.empty())
      return failure();

    unsigned numLoops = op.getNumLoops();
    SmallVector<Value> inputs(op.getInputs());
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands())
      maps.push_back(op.getMatchingIndexingMap(input));
    for (tensor::ExtractOp extract : extracts.getArrayRef()) {
      inputs.push_back(extract.getTensor());
      SmallVector<AffineExpr> exprs;
      SmallVector<int64_t> indices = *constantIndices(extract);
      for (int64_t index : indices)
        exprs.push_back(rewriter.getAffineConstantExpr(index));
      maps.push_back(AffineMap::get(numLoops, 0, exprs, getContext()));
    }
    for (OpOperand &init : op.getDpsInitsMutable())
      maps.push_back(op.getMatchingIndexingMap(&init));

    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), op.getResultTypes(), inputs, op.getOutputs(),
        maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                                generic.getRegion().end());
    // One block argument per new input, after the old inputs.
    Block &body = generic.getRegion().front();
    unsigned position = op.getNumDpsInputs();
    for (auto [k, constExtract] : llvm::enumerate(extracts)) {
      tensor::ExtractOp extract = constExtract;
      BlockArgument arg = body.insertArgument(position + k, extract.getType(),
                                              extract.getLoc());
      rewriter.replaceUsesWithIf(extract.getResult(), arg, [&](OpOperand &use) {
        return generic->isAncestor(use.getOwner());
      });
    }
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct AttnFoldExtractsIntoGenericsPass
    : sdpa::impl::AttnFoldExtractsIntoGenericsPassBase<
          AttnFoldExtractsIntoGenericsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateFoldExtractsIntoGenericsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void sdpa::populateFoldExtractsIntoGenericsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FoldExtractIntoGeneric>(patterns.getContext());
}
