//===- LowerDynamicExpandShape.cpp - expand_shape to reinterpret_cast -----===//
//
// --attn-lower-dynamic-expand-shape works around a limit of LLVM 22's
// --expand-strided-metadata, which derives the sizes and strides of a
// memref.expand_shape from its source and crashes when a reassociation group
// has more than one dynamic dim (upstream issue 186830, fixed after 22).
// Exported graphs with a dynamic batch and sequence length split the
// [B * L, H * E] projection back into [B, L, H, E] with exactly that
// expand_shape. Such an op becomes a memref.reinterpret_cast of the source's
// base with its output_shape as sizes and strides built from the source's
// strides, innermost dim of each group first.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNLOWERDYNAMICEXPANDSHAPEPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

/// lhs * rhs, folded when both are constants (so that static strides stay
/// static, as the result type's layout may require).
OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult lhs,
                      OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  if ((l && *l == 1) || (r && *r == 0))
    return rhs;
  if ((r && *r == 1) || (l && *l == 0))
    return lhs;
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

struct ExpandShapeWithDynamicGroup : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    MemRefType resultType = op.getResultType();
    SmallVector<ReassociationIndices> groups = op.getReassociationIndices();
    bool crowded = llvm::any_of(groups, [&](const ReassociationIndices &g) {
      return llvm::count_if(
                 g, [&](int64_t d) { return resultType.isDynamicDim(d); }) > 1;
    });
    if (!crowded)
      return rewriter.notifyMatchFailure(op, "upstream expands it");

    Location loc = op.getLoc();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
    SmallVector<OpFoldResult> sourceStrides =
        metadata.getConstifiedMixedStrides();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(resultType.getRank());
    for (auto [sourceDim, group] : llvm::enumerate(groups)) {
      OpFoldResult stride = sourceStrides[sourceDim];
      for (int64_t i = group.size() - 1; i >= 0; --i) {
        strides[group[i]] = stride;
        stride = multiply(rewriter, loc, stride, sizes[group[i]]);
      }
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, metadata.getBaseBuffer(),
        metadata.getConstifiedMixedOffset(), sizes, strides);
    return success();
  }
};

struct AttnLowerDynamicExpandShapePass
    : sdpa::impl::AttnLowerDynamicExpandShapePassBase<
          AttnLowerDynamicExpandShapePass> {
  using AttnLowerDynamicExpandShapePassBase::
      AttnLowerDynamicExpandShapePassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateAttnLowerDynamicExpandShapePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void sdpa::populateAttnLowerDynamicExpandShapePatterns(
    RewritePatternSet &patterns) {
  patterns.add<ExpandShapeWithDynamicGroup>(patterns.getContext());
}
