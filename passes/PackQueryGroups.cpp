//===- PackQueryGroups.cpp - --attn-pack-query-groups ---------------------===//
//
// A grouped-query decode step (L = 1) is Hq one-row attentions, G = Hq / Hkv
// of which read the same K/V head. Tiled as it is, each of them streams its
// K/V head through the kernel on its own, so decode reads K/V G times. Seen
// as Hkv attentions of G rows each ([N..., Hq, 1, E] is [N..., Hkv, G, E] in
// the same memory), the group shares every K/V tile. The two forms compute
// the same rows with the same scores as long as nothing depends on the row
// or head index: hence no dropout, no window, and causal only aligned
// bottom_right, where one row sees every key.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNPACKQUERYGROUPSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

/// Reshapes the static `value` so that its dims `dim` and `dim + 1` become
/// `sizes` (same product): a collapse of the pair, then an expand.
static Value regroup(PatternRewriter &rewriter, Location loc, Value value,
                     int64_t dim, std::array<int64_t, 2> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> shape = type.getShape();
  if (shape[dim] == sizes[0] && shape[dim + 1] == sizes[1])
    return value;
  SmallVector<ReassociationIndices> pairs;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d) {
    if (d == dim + 1)
      continue;
    pairs.push_back(d == dim ? ReassociationIndices{d, d + 1}
                             : ReassociationIndices{d});
  }
  // Group k of the collapsed tensor is dim k, or k + 1 past the pair.
  SmallVector<ReassociationIndices> expanded;
  for (int64_t k = 0, e = pairs.size(); k < e; ++k) {
    int64_t first = k <= dim ? k : k + 1;
    expanded.push_back(k == dim ? ReassociationIndices{first, first + 1}
                                : ReassociationIndices{first});
  }
  SmallVector<int64_t> newShape(shape);
  newShape[dim] = sizes[0];
  newShape[dim + 1] = sizes[1];
  Value collapsed =
      tensor::CollapseShapeOp::create(rewriter, loc, value, pairs);
  return tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(newShape, type.getElementType()),
      collapsed, expanded);
}

namespace {
struct PackQueryGroups : OpRewritePattern<attn::SdpaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attn::SdpaOp op,
                                PatternRewriter &rewriter) const override {
    auto query = cast<RankedTensorType>(op.getQuery().getType());
    auto key = cast<RankedTensorType>(op.getKey().getType());
    if (!query.hasStaticShape() || !key.hasStaticShape() ||
        (op.getMask() &&
         !cast<RankedTensorType>(op.getMask().getType()).hasStaticShape()))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t batchRank = op.getBatchRank();
    int64_t queryHeads = query.getDimSize(batchRank);
    int64_t keyHeads = key.getDimSize(batchRank);
    int64_t group = queryHeads / keyHeads;
    if (query.getDimSize(batchRank + 1) != 1 || group <= 1)
      return rewriter.notifyMatchFailure(op, "not a one-row GQA attention");
    if (op.getDropoutAttr() || op.getWindow())
      return rewriter.notifyMatchFailure(op, "depends on the query head/row");
    bool bottomRight = op.getAlign() == attn::Alignment::BottomRight;
    if (op.getCausal() && !bottomRight)
      return rewriter.notifyMatchFailure(op, "top_left causal row");

    Location loc = op.getLoc();
    std::array<int64_t, 2> packed = {keyHeads, group};
    std::array<int64_t, 2> unpacked = {queryHeads, 1};
    Value q = regroup(rewriter, loc, op.getQuery(), batchRank, packed);
    Value mask = op.getMask();
    if (mask) {
      // Trailing dims [Hq, L, S] align with the query's; a mask without a
      // head dim, or with a head dim of 1, broadcasts over the packed heads
      // and rows as it is.
      auto maskType = cast<RankedTensorType>(mask.getType());
      int64_t headDim = maskType.getRank() - 3;
      if (headDim >= 0 && maskType.getDimSize(headDim) == queryHeads)
        mask = regroup(rewriter, loc, mask, headDim, packed);
    }
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    SmallVector<int64_t> outShape(outType.getShape());
    outShape[batchRank] = keyHeads;
    outShape[batchRank + 1] = group;
    Type lseType;
    if (Value lse = op.getLse()) {
      auto type = cast<RankedTensorType>(lse.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[batchRank] = keyHeads;
      shape[batchRank + 1] = group;
      lseType = RankedTensorType::get(shape, type.getElementType());
    }
    auto sdpa = attn::SdpaOp::create(
        rewriter, loc,
        RankedTensorType::get(outShape, outType.getElementType()), lseType, q,
        op.getKey(), op.getValue(), mask, /*seed=*/Value(),
        /*causal=*/nullptr, /*window=*/nullptr, /*align=*/nullptr,
        op.getScaleAttr(), op.getSoftcapAttr(), /*dropout=*/nullptr);
    SmallVector<Value> results = {
        regroup(rewriter, loc, sdpa.getOut(), batchRank, unpacked)};
    if (op.getLse())
      results.push_back(
          regroup(rewriter, loc, sdpa.getLse(), batchRank, unpacked));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct AttnPackQueryGroupsPass
    : sdpa::impl::AttnPackQueryGroupsPassBase<AttnPackQueryGroupsPass> {
  using AttnPackQueryGroupsPassBase::AttnPackQueryGroupsPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateAttnPackQueryGroupsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnPackQueryGroupsPatterns(RewritePatternSet &patterns) {
  patterns.add<PackQueryGroups>(patterns.getContext());
}
