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

} // namespace

LogicalResult sdpa::tileSdpaOp(RewriterBase &rewriter, SdpaOp op,
                               int64_t blockRows, int64_t blockKeys) {
  if (blockRows <= 0 || blockKeys <= 0)
    return op.emitOpError()
           << "tile sizes must be positive, got block-q = " << blockRows
           << " and block-k = " << blockKeys;
  FailureOr<double> scale = op.getEffectiveScale();
  if (failed(scale))
    return op.emitOpError() << "cannot tile: the default scale needs a static "
                               "head dim; give 'scale' explicitly";

  // Every refusal comes before anything is built, so that it leaves the IR
  // as it was.
  if (Value mask = op.getMask()) {
    auto maskType = cast<RankedTensorType>(mask.getType());
    for (int64_t d = 0; d < maskType.getRank(); ++d)
      if (maskType.isDynamicDim(d))
        return op.emitOpError()
               << "cannot tile: mask dim " << d
               << " is dynamic, so whether it broadcasts is unknown";
  }

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

  auto forall = scf::ForallOp::create(
      rewriter, loc, grid, destinations, /*mapping=*/std::nullopt,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        IndexMath im{b, bodyLoc};
        // The body's arguments are the induction variables, then the shared
        // outs.
        ValueRange ivs = args.take_front(grid.size());
        ValueRange shared = args.drop_front(grid.size());
        ValueRange batchIvs = ivs.take_front(batchRank);
        Value head = ivs[batchRank], queryBlock = ivs[batchRank + 1];
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

        SmallVector<OpFoldResult> outOffsets = leadingOffsets(head);
        outOffsets.append({row, zero});
        SmallVector<OpFoldResult> outSizes = units;
        outSizes.append({rowsOfr, valueDim});
        SmallVector<Value> outs = {
            extractSlice(b, bodyLoc, shared[0], outLayout.permute(outOffsets),
                         outLayout.permute(outSizes), {staticRows, ev})};
        SmallVector<OpFoldResult> lseOffsets, lseSizes;
        if (op.getLse()) {
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
        SmallVector<OpFoldResult> strides(rank, one);
        tensor::ParallelInsertSliceOp::create(
            b, bodyLoc, block.getResult(0), shared[0],
            outLayout.permute(outOffsets), outLayout.permute(outSizes),
            strides);
        if (op.getLse())
          tensor::ParallelInsertSliceOp::create(
              b, bodyLoc, block.getResult(1), shared[1], lseOffsets, lseSizes,
              ArrayRef<OpFoldResult>(strides).drop_back());
      });
  if (!outTranspose) {
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }
  // The forall builds the transposed output; the transpose goes.
  rewriter.replaceOp(outTranspose, forall.getResult(0));
  if (op.getLse())
    rewriter.replaceAllUsesWith(op.getLse(), forall.getResult(1));
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct TileSdpaPattern : OpRewritePattern<SdpaOp> {
  TileSdpaPattern(MLIRContext *ctx, int64_t blockRows, int64_t blockKeys)
      : OpRewritePattern(ctx), blockRows(blockRows), blockKeys(blockKeys) {}
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    return tileSdpaOp(rewriter, op, blockRows, blockKeys);
  }
  int64_t blockRows, blockKeys;
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
      if (failed(tileSdpaOp(rewriter, op, blockQ, blockK)))
        return signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnTilePatterns(RewritePatternSet &patterns,
                                    int64_t blockRows, int64_t blockKeys) {
  patterns.add<TileSdpaPattern>(patterns.getContext(), blockRows, blockKeys);
}
