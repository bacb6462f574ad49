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
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNPACKQUERYGROUPSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

/// Reshapes `value`, whose dims `dim` and `dim + 1` are static, so that they
/// become `sizes` (same product): a collapse of the pair, then an expand.
/// Other dims may be dynamic.
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
  SmallVector<OpFoldResult> outputShape =
      tensor::getMixedSizes(rewriter, loc, value);
  outputShape[dim] = rewriter.getIndexAttr(sizes[0]);
  outputShape[dim + 1] = rewriter.getIndexAttr(sizes[1]);
  Value collapsed =
      tensor::CollapseShapeOp::create(rewriter, loc, value, pairs);
  return tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(newShape, type.getElementType()),
      collapsed, expanded, outputShape);
}

/// `value` with the static sizes of `sizes` (kDynamic entries keep the
/// dim): a tensor.cast, or `value` itself when nothing changes.
static Value castToSizes(OpBuilder &b, Location loc, Value value,
                         ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [dim, size] : llvm::zip_equal(shape, sizes))
    if (!ShapedType::isDynamic(size))
      dim = size;
  if (ArrayRef<int64_t>(shape) == type.getShape())
    return value;
  return tensor::CastOp::create(b, loc, type.clone(shape), value);
}

namespace {
struct PackQueryGroups : OpRewritePattern<attn::SdpaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attn::SdpaOp op,
                                PatternRewriter &rewriter) const override {
    auto query = cast<RankedTensorType>(op.getQuery().getType());
    auto key = cast<RankedTensorType>(op.getKey().getType());
    int64_t batchRank = op.getBatchRank();
    // Batch dims, S and E may be dynamic (a KV cache of any length); the
    // heads must be known to regroup.
    if (query.isDynamicDim(batchRank) || key.isDynamicDim(batchRank))
      return rewriter.notifyMatchFailure(op, "dynamic heads");
    int64_t queryHeads = query.getDimSize(batchRank);
    int64_t keyHeads = key.getDimSize(batchRank);
    int64_t group = queryHeads / keyHeads;
    int64_t queryLen = query.getDimSize(batchRank + 1);
    if ((queryLen != 1 && !ShapedType::isDynamic(queryLen)) || group <= 1)
      return rewriter.notifyMatchFailure(op, "not a one-row GQA attention");
    if (op.getDropoutAttr() || op.getWindow())
      return rewriter.notifyMatchFailure(op, "depends on the query head/row");
    bool bottomRight = op.getAlign() == attn::Alignment::BottomRight;
    if (op.getCausal() && !bottomRight)
      return rewriter.notifyMatchFailure(op, "top_left causal row");
    if (queryLen == 1) {
      rewriter.replaceOp(op, packOneRow(rewriter, op, keyHeads, group));
      return success();
    }
    // A dynamic L (one graph for prefill and decode): decide at run time.
    // Only at the top level, so that the unpacked copy in the else branch
    // is not versioned again.
    if (!isa<FunctionOpInterface>(op->getParentOp()))
      return rewriter.notifyMatchFailure(op, "already versioned");
    Location loc = op.getLoc();
    Value len =
        tensor::DimOp::create(rewriter, loc, op.getQuery(), batchRank + 1);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value isDecode = arith::CmpIOp::create(rewriter, loc,
                                           arith::CmpIPredicate::eq, len, one);
    auto versions = scf::IfOp::create(rewriter, loc, op->getResultTypes(),
                                      isDecode, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(versions.thenBlock());
      SmallVector<Value> packed = packOneRow(rewriter, op, keyHeads, group);
      for (auto [value, type] : llvm::zip_equal(packed, op->getResultTypes()))
        value = tensor::CastOp::create(rewriter, loc, type, value);
      scf::YieldOp::create(rewriter, loc, packed);
      rewriter.setInsertionPointToStart(versions.elseBlock());
      Operation *unpacked = rewriter.clone(*op);
      scf::YieldOp::create(rewriter, loc, unpacked->getResults());
    }
    rewriter.replaceOp(op, versions.getResults());
    return success();
  }

  /// The results of `op`, computed as Hkv attentions of `group` rows, with
  /// L = 1 static in their types. Where L or the mask's head and row dims
  /// are dynamic, they are cast to the sizes they have when L = 1 (the
  /// shape function checks them against Hq and L).
  static SmallVector<Value> packOneRow(PatternRewriter &rewriter,
                                       attn::SdpaOp op, int64_t keyHeads,
                                       int64_t group) {
    Location loc = op.getLoc();
    int64_t batchRank = op.getBatchRank();
    int64_t queryHeads = keyHeads * group;
    int64_t rank = batchRank + 3;
    SmallVector<int64_t> querySizes(rank, ShapedType::kDynamic);
    querySizes[batchRank + 1] = 1;
    Value query = castToSizes(rewriter, loc, op.getQuery(), querySizes);
    std::array<int64_t, 2> packed = {keyHeads, group};
    std::array<int64_t, 2> unpacked = {queryHeads, 1};
    Value q = regroup(rewriter, loc, query, batchRank, packed);
    Value mask = op.getMask();
    if (mask) {
      // Trailing dims [Hq, L, S] align with the query's; a mask without a
      // head dim, or with a head dim of 1, broadcasts over the packed heads
      // and rows as it is.
      auto maskType = cast<RankedTensorType>(mask.getType());
      int64_t maskRank = maskType.getRank();
      int64_t headDim = maskRank - 3;
      SmallVector<int64_t> sizes(maskRank, ShapedType::kDynamic);
      if (maskRank >= 2)
        sizes[maskRank - 2] = 1;
      if (headDim >= 0 && maskType.isDynamicDim(headDim))
        sizes[headDim] = queryHeads;
      mask = castToSizes(rewriter, loc, mask, sizes);
      if (headDim >= 0 &&
          cast<RankedTensorType>(mask.getType()).getDimSize(headDim) ==
              queryHeads)
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
    return results;
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
