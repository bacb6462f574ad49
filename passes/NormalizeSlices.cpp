//===- NormalizeSlices.cpp - rank-reducing slices drop every unit dim ----===//
//
// --attn-normalize-slices rewrites the rank-reducing tensor slices whose
// dropped dims are ambiguous: a slice of sizes [1, 100, 1, 4, 80] typed
// 1x100x4x80 (the query of a packed [B, L, 3, H, E] projection with B = 1)
// drops one of two unit dims, and only its type says which. Once bufferized
// with dynamic strides (CPU arguments are views), upstream's subview
// lowering can no longer tell the two apart and drops the wrong one. Such an
// extract_slice becomes one that drops every unit dim, then a
// tensor.expand_shape back to its type; such an insert_slice gets its
// source collapsed likewise. Reshapes that only add or remove unit dims are
// views of any strided layout, so nothing is copied.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNNORMALIZESLICESPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

/// The type of a slice of `sizes` that drops every static unit dim, and how
/// `reducedType` (a slice of the same sizes that keeps some of them) is
/// reassociated from it; none where `reducedType` drops no unit dim or
/// keeps none, since then the dropped dims are unambiguous.
std::optional<std::pair<RankedTensorType, SmallVector<ReassociationIndices>>>
unambiguousReduction(ArrayRef<OpFoldResult> sizes,
                     RankedTensorType reducedType) {
  if (reducedType.getRank() == static_cast<int64_t>(sizes.size()) ||
      !llvm::is_contained(reducedType.getShape(), 1))
    return std::nullopt;
  SmallVector<int64_t> kept;
  for (OpFoldResult size : sizes) {
    std::optional<int64_t> constant = getConstantIntValue(size);
    if (constant == 1)
      continue;
    kept.push_back(constant ? *constant : ShapedType::kDynamic);
  }
  auto allDropped = RankedTensorType::get(kept, reducedType.getElementType(),
                                          reducedType.getEncoding());
  std::optional<SmallVector<ReassociationIndices>> reassociation =
      getReassociationIndicesForReshape(allDropped, reducedType);
  if (!reassociation)
    return std::nullopt;
  return std::make_pair(allDropped, *reassociation);
}

struct NormalizeExtractSlice : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp op,
                                PatternRewriter &rewriter) const override {
    auto reduction = unambiguousReduction(op.getMixedSizes(), op.getType());
    if (!reduction)
      return failure();
    auto slice = tensor::ExtractSliceOp::create(
        rewriter, op.getLoc(), reduction->first, op.getSource(),
        op.getMixedOffsets(), op.getMixedSizes(), op.getMixedStrides());
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, op.getType(), slice.getResult(), reduction->second);
    return success();
  }
};

struct NormalizeInsertSlice : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    auto reduction =
        unambiguousReduction(op.getMixedSizes(), op.getSourceType());
    if (!reduction)
      return failure();
    auto source =
        tensor::CollapseShapeOp::create(rewriter, op.getLoc(), reduction->first,
                                        op.getSource(), reduction->second);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, source.getResult(), op.getDest(), op.getMixedOffsets(),
        op.getMixedSizes(), op.getMixedStrides());
    return success();
  }
};

struct AttnNormalizeSlicesPass
    : sdpa::impl::AttnNormalizeSlicesPassBase<AttnNormalizeSlicesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateNormalizeSlicesPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void sdpa::populateNormalizeSlicesPatterns(RewritePatternSet &patterns) {
  patterns.add<NormalizeExtractSlice, NormalizeInsertSlice>(
      patterns.getContext());
}
