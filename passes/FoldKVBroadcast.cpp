//===- FoldKVBroadcast.cpp - --attn-fold-kv-broadcast ---------------------===//
//
// Makes attn.sdpa read key and value from before a repeat_interleave of their
// heads, so grouped-query attention never materialises repeated K/V.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNFOLDKVBROADCASTPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

/// Where the repeated heads come from: `source` is [N..., Hkv, S, D] and the
/// repeat made [N..., Hkv * factor, S, D] with head h reading source head
/// h / factor.
struct HeadRepeat {
  Value source;
  int64_t factor;
};

/// Whether `map` reads every dim of its domain but `skipped`, in order: the
/// input map of a copy that broadcasts along dim `skipped`.
static bool readsAllDimsBut(AffineMap map, unsigned skipped) {
  if (map.getNumResults() + 1 != map.getNumDims())
    return false;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    unsigned expected = i < skipped ? i : i + 1;
    if (!isa<AffineDimExpr>(expr) ||
        cast<AffineDimExpr>(expr).getPosition() != expected)
      return false;
  }
  return true;
}

/// Whether `map` is the identity except for constant 0 at result `unitDim`:
/// the input map of a copy that broadcasts a unit dim.
static bool readsUnitDimAt(AffineMap map, unsigned unitDim) {
  if (map.getNumResults() != map.getNumDims())
    return false;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (i == unitDim) {
      auto constant = dyn_cast<AffineConstantExpr>(expr);
      if (!constant || constant.getValue() != 0)
        return false;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || dim.getPosition() != i)
      return false;
  }
  return true;
}

/// Whether `reassociation` between `rank` dims and `rank - 1` dims is the
/// identity except for one group of two, dims `first` and `first + 1`.
static bool isIdentityBut(ArrayRef<ReassociationIndices> reassociation,
                          int64_t rank, int64_t first) {
  if (static_cast<int64_t>(reassociation.size()) != rank - 1)
    return false;
  int64_t next = 0;
  for (const ReassociationIndices &group : reassociation) {
    int64_t size = next == first ? 2 : 1;
    if (static_cast<int64_t>(group.size()) != size)
      return false;
    for (int64_t index : group)
      if (index != next++)
        return false;
  }
  return true;
}

static ArrayRef<int64_t> staticShapeOf(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return {};
  return type.getShape();
}

/// Whether static shape `to` is `from` with a unit dim inserted at `at`.
static bool insertsUnitDim(ArrayRef<int64_t> from, ArrayRef<int64_t> to,
                           int64_t at) {
  if (from.empty() || to.size() != from.size() + 1 || to[at] != 1)
    return false;
  return from.take_front(at) == to.take_front(at) &&
         from.drop_front(at) == to.drop_front(at + 1);
}

/// Whether static shape `to` is `from` with dims `at` and `at + 1` merged.
/// A row-major reshape between such shapes is exactly that merge.
static bool mergesDims(ArrayRef<int64_t> from, ArrayRef<int64_t> to,
                       int64_t at) {
  if (to.empty() || from.size() != to.size() + 1)
    return false;
  return from.take_front(at) == to.take_front(at) &&
         to[at] == from[at] * from[at + 1] &&
         from.drop_front(at + 2) == to.drop_front(at + 1);
}

/// Matches `value` = a unit dim inserted at `dim` into a tensor
/// (tensor.expand_shape, or tosa.reshape between static shapes) and returns
/// that tensor.
static FailureOr<Value> matchUnitDimInsertion(Value value, int64_t dim) {
  if (auto expand = value.getDefiningOp<tensor::ExpandShapeOp>()) {
    int64_t rank = expand.getResultType().getRank();
    SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
    // The unit dim joins the dim before it or the dim after it.
    if (expand.getResultType().getDimSize(dim) != 1 ||
        (!isIdentityBut(groups, rank, dim - 1) &&
         !isIdentityBut(groups, rank, dim)))
      return failure();
    return expand.getSrc();
  }
  if (auto reshape = value.getDefiningOp<tosa::ReshapeOp>()) {
    if (!insertsUnitDim(staticShapeOf(reshape.getInput1()),
                        staticShapeOf(reshape.getResult()), dim))
      return failure();
    return reshape.getInput1();
  }
  return failure();
}

/// Matches the source of a linalg.generic that only copies its one input
/// into a tensor with a new dim at `newDim`. Returns the un-broadcast source.
static FailureOr<Value> matchBroadcastingCopy(linalg::GenericOp generic,
                                              unsigned newDim) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return failure();
  Block &body = generic.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!yield || body.getOperations().size() != 1 ||
      yield.getValues().size() != 1 ||
      yield.getValues()[0] != body.getArgument(0))
    return failure();
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!maps[1].isIdentity())
    return failure();
  Value input = generic.getDpsInputs()[0];
  if (readsAllDimsBut(maps[0], newDim))
    return input;
  // x[:, :, None].expand(...): a unit dim is inserted, then broadcast.
  if (!readsUnitDimAt(maps[0], newDim))
    return failure();
  return matchUnitDimInsertion(input, newDim);
}

/// Matches `value` = a merge of dims `dim` and `dim + 1`
/// (tensor.collapse_shape, or tosa.reshape between static shapes) and returns
/// the unmerged tensor.
static FailureOr<Value> matchDimMerge(Value value, int64_t dim) {
  if (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>()) {
    if (!isIdentityBut(collapse.getReassociationIndices(),
                       collapse.getSrcType().getRank(), dim))
      return failure();
    return collapse.getSrc();
  }
  if (auto reshape = value.getDefiningOp<tosa::ReshapeOp>()) {
    if (!mergesDims(staticShapeOf(reshape.getInput1()),
                    staticShapeOf(reshape.getResult()), dim))
      return failure();
    return reshape.getInput1();
  }
  return failure();
}

/// Matches `operand` = merge(broadcast(source)) where the broadcast adds a
/// dim right after the head dim `headDim` and the merge folds it into the
/// heads: a repeat_interleave of heads.
static FailureOr<HeadRepeat> matchRepeatInterleave(Value operand,
                                                   int64_t headDim) {
  FailureOr<Value> merged = matchDimMerge(operand, headDim);
  if (failed(merged))
    return failure();
  Value expanded = *merged;
  auto expandedType = cast<RankedTensorType>(expanded.getType());
  int64_t factor = expandedType.getDimSize(headDim + 1);
  if (ShapedType::isDynamic(factor))
    return failure();

  Value source;
  if (auto broadcast = expanded.getDefiningOp<linalg::BroadcastOp>()) {
    if (broadcast.getDimensions() != ArrayRef<int64_t>{headDim + 1})
      return failure();
    source = broadcast.getInput();
  } else if (auto generic = expanded.getDefiningOp<linalg::GenericOp>()) {
    FailureOr<Value> input = matchBroadcastingCopy(generic, headDim + 1);
    if (failed(input))
      return failure();
    source = *input;
  } else if (auto tile = expanded.getDefiningOp<tosa::TileOp>()) {
    // Tiling a unit dim G times repeats each head G times in a row. The
    // static shapes fix the multiples: G on the unit dim, 1 elsewhere.
    ArrayRef<int64_t> tiled = staticShapeOf(tile.getInput1());
    SmallVector<int64_t> expected(expandedType.getShape());
    expected[headDim + 1] = 1;
    if (tiled != ArrayRef<int64_t>(expected))
      return failure();
    FailureOr<Value> input =
        matchUnitDimInsertion(tile.getInput1(), headDim + 1);
    if (failed(input))
      return failure();
    source = *input;
  } else {
    return failure();
  }
  auto sourceType = dyn_cast<RankedTensorType>(source.getType());
  if (!sourceType || sourceType.getRank() != expandedType.getRank() - 1)
    return failure();
  return HeadRepeat{source, factor};
}

namespace {
/// Replaces attn.sdpa's key and value by the sources of their head repeats.
struct FoldRepeatedKeyValue : OpRewritePattern<attn::SdpaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attn::SdpaOp op,
                                PatternRewriter &rewriter) const override {
    int64_t headDim = op.getBatchRank();
    FailureOr<HeadRepeat> key = matchRepeatInterleave(op.getKey(), headDim);
    if (failed(key))
      return rewriter.notifyMatchFailure(
          op, "key is not a repeat_interleave of heads");
    FailureOr<HeadRepeat> value = matchRepeatInterleave(op.getValue(), headDim);
    if (failed(value))
      return rewriter.notifyMatchFailure(
          op, "value is not a repeat_interleave of heads");
    // attn.sdpa needs as many key heads as value heads: fold both by the same
    // factor or neither.
    if (key->factor != value->factor)
      return rewriter.notifyMatchFailure(
          op, "key and value heads are repeated by different factors");
    rewriter.modifyOpInPlace(op, [&] {
      op.getKeyMutable().assign(key->source);
      op.getValueMutable().assign(value->source);
    });
    return success();
  }
};

struct AttnFoldKVBroadcastPass
    : sdpa::impl::AttnFoldKVBroadcastPassBase<AttnFoldKVBroadcastPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnFoldKVBroadcastPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnFoldKVBroadcastPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldRepeatedKeyValue>(patterns.getContext());
}
