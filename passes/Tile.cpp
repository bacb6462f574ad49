//===- Tile.cpp - tile attn.sdpa into a grid of query blocks --------------===//
//
// --attn-tile rewrites attn.sdpa into an scf.forall over (batch dims, query
// head, query block) whose body is one attn.block: the block's query rows, the
// whole key/value head it reads (query head h reads head h / (Hq / Hkv), so
// GQA shares K/V by index arithmetic, never by copy), the mask slice it sees
// and the destinations of its rows. The tiler also narrows the key columns
// each block visits: key blocks that causal alignment or the window exclude
// for every row of the block are never visited. Transposes of the operands
// and of the output that keep the feature dim last are read through rather
// than copied (see TileSource).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNTILEPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using namespace sdpa::attn;

/// Attention of several query blocks splits its keys only with at least
/// this many key blocks.
constexpr int64_t kMinKeyBlocksToSplitQueryBlocks = 32;

namespace {

/// Index arithmetic that folds constants as it goes, so static problems get
/// static tile shapes.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value value(OpFoldResult ofr) {
    return getValueOrCreateConstantIndexOp(b, loc, ofr);
  }
  Value add(Value x, Value y) {
    return b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value sub(Value x, Value y) {
    return b.createOrFold<arith::SubIOp>(loc, x, y);
  }
  Value mul(Value x, Value y) {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  }
  Value div(Value x, Value y) {
    return b.createOrFold<arith::DivUIOp>(loc, x, y);
  }
  Value floorDiv(Value x, Value y) {
    return b.createOrFold<arith::FloorDivSIOp>(loc, x, y);
  }
  Value ceilDiv(Value x, Value y) {
    return b.createOrFold<arith::CeilDivUIOp>(loc, x, y);
  }
  Value min(Value x, Value y) {
    return b.createOrFold<arith::MinSIOp>(loc, x, y);
  }
  Value max(Value x, Value y) {
    return b.createOrFold<arith::MaxSIOp>(loc, x, y);
  }
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }
};

/// The most keys a dynamic key length `dim` of `key` can be, when the keys
/// are a slice of a tensor whose dim is static (a KV cache read up to a
/// position, through casts and transposes): the shape function keeps the
/// slice inside it. kDynamic when nothing bounds it. Only the number of
/// key splits is chosen from it; the keys each split reads are computed
/// from the run-time length, so the split covers every key however long.
int64_t keyLengthBound(Value key, int64_t dim) {
  while (true) {
    if (auto cast = key.getDefiningOp<tensor::CastOp>()) {
      key = cast.getSource();
      continue;
    }
    if (auto transpose = key.getDefiningOp<linalg::TransposeOp>()) {
      dim = transpose.getPermutation()[dim];
      key = transpose.getInput();
      continue;
    }
    break;
  }
  auto slice = key.getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || slice.getSourceType().getRank() != slice.getType().getRank())
    return ShapedType::kDynamic;
  int64_t size = slice.getSourceType().getDimSize(dim);
  std::optional<int64_t> offset =
      getConstantIntValue(slice.getMixedOffsets()[dim]);
  std::optional<int64_t> stride =
      getConstantIntValue(slice.getMixedStrides()[dim]);
  if (ShapedType::isDynamic(size) || !offset || !stride || *offset < 0 ||
      *stride <= 0 || *offset > size)
    return ShapedType::kDynamic;
  return (size - *offset + *stride - 1) / *stride;
}

/// A slice of `source` at `offsets`/`sizes` (unit strides) rank-reduced to
/// `resultShape`, whose element type is the source's.
Value extractSlice(OpBuilder &b, Location loc, Value source,
                   ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
                   ArrayRef<int64_t> resultShape) {
  auto sourceType = cast<RankedTensorType>(source.getType());
  auto resultType =
      RankedTensorType::get(resultShape, sourceType.getElementType());
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, resultType, source, offsets,
                                        sizes, strides);
}

/// A tensor the tiles are cut from: either the operand itself or, when the
/// operand is a linalg.transpose that keeps the last (feature) dim last, the
/// transpose's input read through the permutation, so that framework
/// layouts such as [B, L, H, E] are sliced in place instead of copied.
struct TileSource {
  Value tensor;
  /// Operand dim i is dim permutation[i] of `tensor`; empty for identity.
  SmallVector<int64_t> permutation;

  static TileSource of(Value operand) {
    auto transpose = operand.getDefiningOp<linalg::TransposeOp>();
    if (!transpose)
      return {operand, {}};
    ArrayRef<int64_t> perm = transpose.getPermutation();
    if (perm.empty() || perm.back() != static_cast<int64_t>(perm.size()) - 1)
      return {operand, {}};
    return {transpose.getInput(), SmallVector<int64_t>(perm)};
  }

  /// Offsets or sizes of the operand, in `tensor`'s dim order.
  SmallVector<OpFoldResult> permute(ArrayRef<OpFoldResult> values) const {
    if (permutation.empty())
      return SmallVector<OpFoldResult>(values);
    SmallVector<OpFoldResult> result(values.size());
    for (auto [i, d] : llvm::enumerate(permutation))
      result[d] = values[i];
    return result;
  }

  /// The slice of the operand at `offsets`/`sizes`, rank-reduced to
  /// `resultShape`. The operand's two innermost dims stay in order in
  /// `tensor` (the last one does not move), so the reduced slice is the
  /// same matrix either way.
  Value slice(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> offsets,
              ArrayRef<OpFoldResult> sizes,
              ArrayRef<int64_t> resultShape) const {
    return extractSlice(b, loc, tensor, permute(offsets), permute(sizes),
                        resultShape);
  }
};

int64_t staticOr(OpFoldResult ofr) {
  std::optional<int64_t> value = getConstantIntValue(ofr);
  return value ? *value : ShapedType::kDynamic;
}

/// Prepends unit dims to `mask` so that it has rank `rank`.
FailureOr<Value> expandMaskRank(OpBuilder &b, Location loc, Value mask,
                                int64_t rank) {
  auto type = cast<RankedTensorType>(mask.getType());
  int64_t missing = rank - type.getRank();
  if (missing == 0)
    return mask;
  SmallVector<int64_t> shape(missing, 1);
  llvm::append_range(shape, type.getShape());
  SmallVector<ReassociationIndices> reassociation;
  if (type.getRank() > 0) {
    ReassociationIndices first;
    for (int64_t d = 0; d <= missing; ++d)
      first.push_back(d);
    reassociation.push_back(first);
    for (int64_t d = missing + 1; d < rank; ++d)
      reassociation.push_back({d});
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, mask, reassociation)
      .getResult();
}

/// Merges split-K partials: out_p [N..., H, P, L, Ev] (f32, each normalised
/// over its keys) and lse_p [N..., H, P, L] into out [N..., H, L, Ev] and, when
/// `withLse`, lse [N..., H, L]: with M = max_p lse_p and w_p = exp(lse_p -
/// M) (0 for an empty split), out = sum_p w_p out_p / sum_p w_p and lse =
/// M + log(sum_p w_p), out rounded to `element`; rows no split saw give 0
/// and -inf, as attn.sdpa says. `outPermutation`, when not empty, places
/// logical dim i of out at dim outPermutation[i] (the transpose the output's
/// only user applies).
///
/// Each result is one linalg.generic over its own elements whose body walks
/// the P splits itself: every target runs the merge as one kernel per
/// result (on a GPU, one thread per element) rather than a chain of
/// reductions, fills and divisions that each need a kernel and a buffer.
/// The walks read a row's P lse_p for each of its Ev columns, from the
/// first cache level: a few hundred splits at most (min-grid-blocks) against
/// the S / P keys each split reads.
SmallVector<Value> combineSplits(OpBuilder &b, Location loc, Value outParts,
                                 Value lseParts, Type element, bool withLse,
                                 ArrayRef<int64_t> outPermutation) {
  auto partsType = cast<RankedTensorType>(outParts.getType());
  ArrayRef<int64_t> partsShape = partsType.getShape();
  int64_t rank = partsShape.size(); // N..., H, P, L, Ev
  int64_t lead = rank - 3;          // N..., H
  int64_t splits = partsShape[lead];
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  double inf = std::numeric_limits<double>::infinity();
  auto cst = [&](OpBuilder &nb, Location nl, double v) -> Value {
    return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(v));
  };

  // M of a row, then in one more walk over the splits sum_p w_p and, given
  // a column c of out, sum_p w_p out_p[c]. `row` is (N..., H, L).
  auto merge = [&](OpBuilder &nb, Location nl, ValueRange row,
                   Value c) -> SmallVector<Value> {
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(nb, nl, v);
    };
    auto at = [&](ValueRange rowIndex, Value p) {
      SmallVector<Value> indices(rowIndex.drop_back());
      indices.append({p, rowIndex.back()});
      return indices;
    };
    auto lseOf = [&](OpBuilder &fb, Location fl, Value p) -> Value {
      return tensor::ExtractOp::create(fb, fl, lseParts, at(row, p));
    };
    Value max = scf::ForOp::create(
                    nb, nl, index(0), index(splits), index(1),
                    ValueRange{cst(nb, nl, -inf)},
                    [&](OpBuilder &fb, Location fl, Value p, ValueRange acc) {
                      Value next = arith::MaximumFOp::create(fb, fl, acc[0],
                                                             lseOf(fb, fl, p));
                      scf::YieldOp::create(fb, fl, ValueRange{next});
                    })
                    .getResult(0);
    SmallVector<Value> inits = {cst(nb, nl, 0.0)};
    if (c)
      inits.push_back(cst(nb, nl, 0.0));
    auto sums = scf::ForOp::create(
        nb, nl, index(0), index(splits), index(1), inits,
        [&](OpBuilder &fb, Location fl, Value p, ValueRange acc) {
          // The weight of split p: 0 for a split that saw no key of the row.
          Value lse = lseOf(fb, fl, p);
          Value empty = arith::CmpFOp::create(fb, fl, arith::CmpFPredicate::OEQ,
                                              lse, cst(fb, fl, -inf));
          Value w = math::ExpOp::create(
              fb, fl, arith::SubFOp::create(fb, fl, lse, max));
          w = arith::SelectOp::create(fb, fl, empty, cst(fb, fl, 0.0), w);
          SmallVector<Value> next = {arith::AddFOp::create(fb, fl, acc[0], w)};
          if (c) {
            SmallVector<Value> indices = at(row, p);
            indices.push_back(c);
            Value part = tensor::ExtractOp::create(fb, fl, outParts, indices);
            next.push_back(math::FmaOp::create(fb, fl, w, part, acc[1]));
          }
          scf::YieldOp::create(fb, fl, next);
        });
    SmallVector<Value> results = {max};
    llvm::append_range(results, sums.getResults());
    return results;
  };
  // `v` for a row some split saw (a positive sum of weights), else `unseen`.
  auto ifSeen = [&](OpBuilder &nb, Location nl, Value weights, Value v,
                    double unseen) -> Value {
    Value positive = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                           weights, cst(nb, nl, 0.0));
    return arith::SelectOp::create(nb, nl, positive, v, cst(nb, nl, unseen));
  };
  // The indices of a generic's iteration space.
  auto indices = [&](OpBuilder &nb, Location nl, int64_t count) {
    SmallVector<Value> ivs;
    for (int64_t d = 0; d < count; ++d)
      ivs.push_back(linalg::IndexOp::create(nb, nl, d));
    return ivs;
  };
  // A parallel generic over `logicalShape` whose result puts logical dim d
  // at dim placement[d] (at d when `placement` is empty).
  auto generic = [&](ArrayRef<int64_t> logicalShape, Type type,
                     ArrayRef<int64_t> placement,
                     function_ref<Value(OpBuilder &, Location)> body) {
    int64_t loops = logicalShape.size();
    SmallVector<int64_t> shape(logicalShape);
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < loops; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx));
    if (!placement.empty())
      for (int64_t d = 0; d < loops; ++d) {
        shape[placement[d]] = logicalShape[d];
        exprs[placement[d]] = getAffineDimExpr(d, ctx);
      }
    Value init = tensor::EmptyOp::create(b, loc, shape, type);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{},
               ValueRange{init},
               ArrayRef<AffineMap>{AffineMap::get(loops, 0, exprs, ctx)},
               SmallVector<utils::IteratorType>(loops,
                                                utils::IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, ValueRange) {
                 linalg::YieldOp::create(nb, nl, ValueRange{body(nb, nl)});
               })
        .getResult(0);
  };

  SmallVector<int64_t> rowShape(partsShape.begin(), partsShape.begin() + lead);
  rowShape.push_back(partsShape[lead + 1]);
  SmallVector<int64_t> outShape = rowShape;
  outShape.push_back(partsShape[rank - 1]);
  SmallVector<Value> results = {generic(
      outShape, element, outPermutation, [&](OpBuilder &nb, Location nl) {
        SmallVector<Value> ivs = indices(nb, nl, lead + 2);
        SmallVector<Value> merged =
            merge(nb, nl, ArrayRef<Value>(ivs).drop_back(), ivs.back());
        Value v =
            ifSeen(nb, nl, merged[1],
                   arith::DivFOp::create(nb, nl, merged[2], merged[1]), 0.0);
        if (element != f32)
          v = arith::TruncFOp::create(nb, nl, element, v);
        return v;
      })};
  if (!withLse)
    return results;
  results.push_back(generic(rowShape, f32, {}, [&](OpBuilder &nb, Location nl) {
    SmallVector<Value> merged =
        merge(nb, nl, indices(nb, nl, lead + 1), Value());
    return ifSeen(nb, nl, merged[1],
                  arith::AddFOp::create(nb, nl, merged[0],
                                        math::LogOp::create(nb, nl, merged[1])),
                  -inf);
  }));
  return results;
}

} // namespace

LogicalResult sdpa::tileSdpaOp(RewriterBase &rewriter, SdpaOp op,
                               int64_t blockRows, int64_t blockKeys,
                               int64_t minGridBlocks) {
  if (blockRows < 0 || blockKeys < 0)
    return op.emitOpError()
           << "tile sizes must be positive (or 0: chosen by the head dim), "
              "got block-q = "
           << blockRows << " and block-k = " << blockKeys;
  // By the head dim: a block's query rows, key tile and accumulators stay
  // in the first cache levels with 128 rows and keys up to E = 64 (fewer
  // passes over K/V per query) and with 64 beyond.
  int64_t headDimSize = op.getQuery().getType().getShape().back();
  int64_t byHeadDim =
      !ShapedType::isDynamic(headDimSize) && headDimSize <= 64 ? 128 : 64;
  if (blockRows == 0)
    blockRows = byHeadDim;
  if (blockKeys == 0)
    blockKeys = byHeadDim;
  FailureOr<double> scale = op.getEffectiveScale();
  if (failed(scale))
    return op.emitOpError() << "cannot tile: the default scale needs a static "
                               "head dim; give 'scale' explicitly";

  // Only a static 1 broadcasts: a dynamic mask dim is read as the full
  // score dim (exporters write broadcast dims as 1s, and dynamic ones are
  // the batch or sequence the mask covers); the shape function
  // (--attn-shape-function) checks that it is, before the kernel runs.
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  IndexMath m{rewriter, loc};
  Value query = op.getQuery(), key = op.getKey(), value = op.getValue();
  int64_t batchRank = op.getBatchRank();
  int64_t rank = batchRank + 3;
  SmallVector<OpFoldResult> qDims = tensor::getMixedSizes(rewriter, loc, query);
  SmallVector<OpFoldResult> kDims = tensor::getMixedSizes(rewriter, loc, key);
  SmallVector<OpFoldResult> vDims = tensor::getMixedSizes(rewriter, loc, value);
  OpFoldResult numQueryHeads = qDims[rank - 3], queryLen = qDims[rank - 2],
               headDim = qDims[rank - 1];
  OpFoldResult numKeyHeads = kDims[rank - 3], keyLen = kDims[rank - 2],
               valueDim = vDims[rank - 1];

  // The mask, if any, at full rank so that each dim is 1 or the score dim.
  Value mask = op.getMask();
  if (mask) {
    FailureOr<Value> expanded = expandMaskRank(rewriter, loc, mask, rank);
    if (failed(expanded))
      return failure();
    mask = *expanded;
  }

  // Tiles are read through transposes of the operands, and written
  // through a transpose that is the output's only use.
  TileSource querySource = TileSource::of(query),
             keySource = TileSource::of(key),
             valueSource = TileSource::of(value);
  linalg::TransposeOp outTranspose;
  if (op.getOut().hasOneUse())
    outTranspose = dyn_cast<linalg::TransposeOp>(*op.getOut().user_begin());
  TileSource outLayout;
  if (outTranspose) {
    ArrayRef<int64_t> perm = outTranspose.getPermutation();
    if (perm.back() == rank - 1)
      outLayout.permutation.assign(perm.begin(), perm.end());
    else
      outTranspose = nullptr;
  }
  // The permutation that maps the transposed result's dims back is the
  // inverse of the transpose's.
  if (!outLayout.permutation.empty()) {
    SmallVector<int64_t> inverse(rank);
    for (auto [i, d] : llvm::enumerate(outLayout.permutation))
      inverse[d] = i;
    outLayout.permutation = inverse;
  }

  // Destinations for the whole results.
  Type elementType = op.getQuery().getType().getElementType();
  SmallVector<OpFoldResult> outSizes(qDims.begin(), qDims.end() - 1);
  outSizes.push_back(valueDim);
  SmallVector<Value> destinations = {tensor::EmptyOp::create(
      rewriter, loc, outLayout.permute(outSizes), elementType)};
  if (op.getLse()) {
    SmallVector<OpFoldResult> lseSizes(qDims.begin(), qDims.end() - 1);
    destinations.push_back(tensor::EmptyOp::create(rewriter, loc, lseSizes,
                                                   rewriter.getF32Type()));
  }

  // Grid: batch dims, query heads, query blocks.
  Value bq = m.constant(blockRows), bk = m.constant(blockKeys);
  Value numQueryBlocks = m.ceilDiv(m.value(queryLen), bq);
  SmallVector<OpFoldResult> grid(qDims.begin(), qDims.begin() + batchRank);
  grid.push_back(numQueryHeads);
  grid.push_back(numQueryBlocks);

  std::optional<Alignment> align = op.getAlign();
  std::optional<ArrayRef<int64_t>> window = op.getWindow();
  bool positional = op.getCausal() || window;
  int64_t staticLen = staticOr(queryLen);
  int64_t staticRows =
      ShapedType::isDynamic(staticLen)
          ? ShapedType::kDynamic
          : (staticLen <= blockRows
                 ? staticLen
                 : (staticLen % blockRows == 0 ? blockRows
                                               : ShapedType::kDynamic));
  int64_t e = staticOr(headDim), ev = staticOr(valueDim), s = staticOr(keyLen);

  // Split-K: a grid too small to fill the machine (decode: a few heads of
  // one query block; a long prompt's few query blocks over a longer
  // context) splits each row's keys across `splits` blocks, which write
  // partial outputs and log-sum-exps that a combine step merges.
  int64_t splits = 1, chunk = 0;
  int64_t queryBlocks = staticOr(numQueryBlocks);
  {
    int64_t blocks = 1;
    for (OpFoldResult dim : grid)
      blocks = ShapedType::isDynamic(staticOr(dim)) || blocks == 0
                   ? 0
                   : blocks * staticOr(dim);
    // Not for f64: the partial log-sum-exps are f32 (attn.block's lse), too
    // coarse to weigh f64 partial outputs to f64 accuracy.
    bool f64 = op.getQuery().getType().getElementType().isF64();
    // Several query blocks split only over many keys (a prompt over a long
    // context), where each block's walk saves more than the combine costs.
    // A dynamic key length splits by its bound (a KV cache read up to a
    // position).
    int64_t sBound =
        ShapedType::isDynamic(s) ? keyLengthBound(key, rank - 2) : s;
    int64_t keyBlocks = ShapedType::isDynamic(sBound)
                            ? 0
                            : (sBound + blockKeys - 1) / blockKeys;
    if (minGridBlocks > 0 && blocks > 0 && blocks < minGridBlocks &&
        !ShapedType::isDynamic(queryBlocks) && keyBlocks > 0 &&
        (queryBlocks == 1 || keyBlocks >= kMinKeyBlocksToSplitQueryBlocks) &&
        !ShapedType::isDynamic(ev) && !f64) {
      splits = std::min((minGridBlocks + blocks - 1) / blocks, keyBlocks);
      chunk = (keyBlocks + splits - 1) / splits * blockKeys;
      splits = (sBound + chunk - 1) / chunk;
    }
  }
  bool splitKeys = splits > 1;
  SmallVector<Value> partials;
  SmallVector<int64_t> combinedLayout;
  if (splitKeys) {
    // Partial results [N..., Hq, P, L, Ev] and lse [N..., Hq, P, L], in
    // the logical order: the combine writes the output through the
    // transpose, if any.
    combinedLayout = outLayout.permutation;
    outLayout.permutation.clear();
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank - 2; ++d)
      shape.push_back(staticOr(qDims[d]));
    shape.push_back(splits);
    shape.push_back(staticOr(queryLen));
    SmallVector<int64_t> lseShape = shape;
    shape.push_back(ev);
    // Partial outputs in f32, as accumulated: rounding them to a narrower
    // type before they are weighed and summed would round twice.
    partials = {
        tensor::EmptyOp::create(rewriter, loc, shape, rewriter.getF32Type()),
        tensor::EmptyOp::create(rewriter, loc, lseShape,
                                rewriter.getF32Type())};
    // One grid dim for (query block, split), the split minor.
    grid.back() = rewriter.getIndexAttr(queryBlocks * splits);
  }

  auto forall = scf::ForallOp::create(
      rewriter, loc, grid, splitKeys ? partials : destinations,
      /*mapping=*/std::nullopt,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        IndexMath im{b, bodyLoc};
        // The body's arguments are the induction variables, then the shared
        // outs.
        ValueRange ivs = args.take_front(grid.size());
        ValueRange shared = args.drop_front(grid.size());
        ValueRange batchIvs = ivs.take_front(batchRank);
        Value head = ivs[batchRank];
        Value queryBlock = ivs[batchRank + 1], split;
        if (splitKeys && queryBlocks == 1) {
          split = queryBlock;
          queryBlock = im.constant(0);
        } else if (splitKeys) {
          split = arith::RemUIOp::create(b, bodyLoc, queryBlock,
                                         im.constant(splits));
          queryBlock = im.div(queryBlock, im.constant(splits));
        }
        Value qLen = im.value(queryLen), sLen = im.value(keyLen);
        Value row = im.mul(queryBlock, bq);
        Value rows = im.min(bq, im.sub(qLen, row));
        OpFoldResult rowsOfr = ShapedType::isDynamic(staticRows)
                                   ? OpFoldResult(rows)
                                   : OpFoldResult(b.getIndexAttr(staticRows));
        Value group = im.div(im.value(numQueryHeads), im.value(numKeyHeads));
        Value kvHead = im.div(head, group);
        OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);

        auto leadingOffsets = [&](Value headIndex) {
          SmallVector<OpFoldResult> offsets(batchIvs.begin(), batchIvs.end());
          offsets.push_back(headIndex);
          return offsets;
        };
        SmallVector<OpFoldResult> units(batchRank + 1, one);

        SmallVector<OpFoldResult> qOffsets = leadingOffsets(head);
        qOffsets.append({row, zero});
        SmallVector<OpFoldResult> qSizes = units;
        qSizes.append({rowsOfr, headDim});
        Value qTile =
            querySource.slice(b, bodyLoc, qOffsets, qSizes, {staticRows, e});

        SmallVector<OpFoldResult> kvOffsets = leadingOffsets(kvHead);
        kvOffsets.append({zero, zero});
        SmallVector<OpFoldResult> kSizes = units, vSizes = units;
        kSizes.append({keyLen, headDim});
        vSizes.append({keyLen, valueDim});
        Value kTile = keySource.slice(b, bodyLoc, kvOffsets, kSizes, {s, e});
        Value vTile = valueSource.slice(b, bodyLoc, kvOffsets, vSizes, {s, ev});

        Value maskTile;
        if (mask) {
          auto maskType = cast<RankedTensorType>(mask.getType());
          ArrayRef<int64_t> maskShape = maskType.getShape();
          SmallVector<OpFoldResult> offsets, sizes;
          for (int64_t d = 0; d <= batchRank; ++d) {
            offsets.push_back(maskShape[d] == 1 ? zero : OpFoldResult(ivs[d]));
            sizes.push_back(one);
          }
          bool rowBroadcast = maskShape[rank - 2] == 1;
          bool colBroadcast = maskShape[rank - 1] == 1;
          offsets.push_back(rowBroadcast ? zero : OpFoldResult(row));
          sizes.push_back(rowBroadcast ? one : rowsOfr);
          offsets.push_back(zero);
          sizes.push_back(colBroadcast ? one : keyLen);
          maskTile = extractSlice(
              b, bodyLoc, mask, offsets, sizes,
              {rowBroadcast ? 1 : staticRows, colBroadcast ? 1 : s});
        }

        // Flattened batch index (row-major), for dropout's counter.
        Value batch = im.constant(0);
        for (int64_t d = 0; d < batchRank; ++d)
          batch = im.add(im.mul(batch, im.value(qDims[d])), batchIvs[d]);

        // The aligned row of local row 0 and the key columns to visit.
        Value diag = row;
        if (align && *align == Alignment::BottomRight)
          diag = im.add(row, im.sub(sLen, qLen));
        Value keyBegin = im.constant(0), keyEnd = sLen;
        if (positional) {
          Value zeroIdx = im.constant(0);
          int64_t right = op.getCausal() ? 0 : (*window)[1];
          keyEnd = im.clamp(im.add(im.add(diag, rows), im.constant(right)),
                            zeroIdx, sLen);
          if (window) {
            Value first = im.clamp(im.sub(diag, im.constant((*window)[0])),
                                   zeroIdx, sLen);
            keyBegin = im.mul(im.floorDiv(first, bk), bk);
          }
          keyEnd = im.max(keyEnd, keyBegin);
        }
        if (splitKeys) {
          // This block's share of the keys: [split * chunk, + chunk), which
          // may be empty for the early query blocks of causal attention
          // (the block then writes out = 0 and lse = -inf, which the
          // combine weighs 0).
          // A dynamic key length is shared out at run time, in whole key
          // blocks, over the splits its bound chose.
          Value share = ShapedType::isDynamic(s)
                            ? im.mul(im.ceilDiv(im.ceilDiv(sLen, bk),
                                                im.constant(splits)),
                                     bk)
                            : im.constant(chunk);
          Value first = im.mul(split, share);
          keyBegin = im.max(keyBegin, first);
          keyEnd = im.min(keyEnd, im.add(first, share));
          keyEnd = im.max(keyEnd, keyBegin);
        }

        SmallVector<OpFoldResult> outOffsets = leadingOffsets(head);
        SmallVector<OpFoldResult> outSizes = units;
        if (splitKeys) {
          // Partials have the split dim after the head.
          outOffsets.push_back(split);
          outSizes.push_back(one);
        }
        outOffsets.append({row, zero});
        outSizes.append({rowsOfr, valueDim});
        SmallVector<Value> outs = {
            extractSlice(b, bodyLoc, shared[0], outLayout.permute(outOffsets),
                         outLayout.permute(outSizes), {staticRows, ev})};
        SmallVector<OpFoldResult> lseOffsets, lseSizes;
        if (op.getLse() || splitKeys) {
          lseOffsets.assign(outOffsets.begin(), outOffsets.end() - 1);
          lseSizes.assign(outSizes.begin(), outSizes.end() - 1);
          outs.push_back(extractSlice(b, bodyLoc, shared[1], lseOffsets,
                                      lseSizes, {staticRows}));
        }

        auto block = BlockOp::create(
            b, bodyLoc, ValueRange(outs).getTypes(), qTile, kTile, vTile,
            maskTile, op.getSeed(), row, diag, batch, head, keyBegin, keyEnd,
            outs, op.getCausalAttr(), op.getWindowAttr(),
            b.getF64FloatAttr(*scale), op.getSoftcapAttr(), op.getDropoutAttr(),
            b.getDenseI64ArrayAttr({blockRows, blockKeys}));

        auto inParallel = scf::InParallelOp::create(b, bodyLoc);
        b.setInsertionPointToStart(inParallel.getBody());
        SmallVector<OpFoldResult> strides(outOffsets.size(), one);
        tensor::ParallelInsertSliceOp::create(
            b, bodyLoc, block.getResult(0), shared[0],
            outLayout.permute(outOffsets), outLayout.permute(outSizes),
            strides);
        if (op.getLse() || splitKeys)
          tensor::ParallelInsertSliceOp::create(
              b, bodyLoc, block.getResult(1), shared[1], lseOffsets, lseSizes,
              ArrayRef<OpFoldResult>(strides).drop_back());
      });
  SmallVector<Value> results(forall.getResults());
  if (splitKeys)
    results = combineSplits(rewriter, loc, results[0], results[1], elementType,
                            static_cast<bool>(op.getLse()), combinedLayout);
  if (!outTranspose) {
    rewriter.replaceOp(op, results);
    return success();
  }
  // The results hold the transposed output; the transpose goes.
  rewriter.replaceOp(outTranspose, results[0]);
  if (op.getLse())
    rewriter.replaceAllUsesWith(op.getLse(), results[1]);
  rewriter.eraseOp(op);
  return success();
}

/// The query rows of `op`'s blocks: `blockRows16` (when set) for f16 and
/// bf16 with E and Ev up to 256, whose tiles then still fit the GPU's
/// shared memory and registers, else `blockRows`.
static int64_t blockRowsFor(SdpaOp op, int64_t blockRows, int64_t blockRows16) {
  auto query = op.getQuery().getType();
  int64_t e = query.getShape().back();
  int64_t ev = op.getValue().getType().getShape().back();
  Type element = query.getElementType();
  bool narrow = element.isF16() || element.isBF16();
  if (blockRows16 > 0 && narrow && !ShapedType::isDynamic(e) &&
      !ShapedType::isDynamic(ev) && e <= 256 && ev <= 256)
    return blockRows16;
  return blockRows;
}

namespace {
struct TileSdpaPattern : OpRewritePattern<SdpaOp> {
  TileSdpaPattern(MLIRContext *ctx, int64_t blockRows, int64_t blockKeys,
                  int64_t minGridBlocks, int64_t blockRows16)
      : OpRewritePattern(ctx), blockRows(blockRows), blockKeys(blockKeys),
        minGridBlocks(minGridBlocks), blockRows16(blockRows16) {}
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    return tileSdpaOp(rewriter, op, blockRowsFor(op, blockRows, blockRows16),
                      blockKeys, minGridBlocks);
  }
  int64_t blockRows, blockKeys, minGridBlocks, blockRows16;
};

struct AttnTilePass : sdpa::impl::AttnTilePassBase<AttnTilePass> {
  using AttnTilePassBase::AttnTilePassBase;
  void runOnOperation() override {
    // Every op is tiled or the pass fails: an untiled attn.sdpa cannot be
    // lowered further, and the reason belongs on the op.
    SmallVector<SdpaOp> ops;
    getOperation()->walk([&](SdpaOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (SdpaOp op : ops)
      if (failed(tileSdpaOp(rewriter, op, blockRowsFor(op, blockQ, blockQ16),
                            blockK, minGridBlocks)))
        return signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnTilePatterns(RewritePatternSet &patterns,
                                    int64_t blockRows, int64_t blockKeys,
                                    int64_t minGridBlocks,
                                    int64_t blockRows16) {
  patterns.add<TileSdpaPattern>(patterns.getContext(), blockRows, blockKeys,
                                minGridBlocks, blockRows16);
}
