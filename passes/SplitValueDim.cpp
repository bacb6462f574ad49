//===- SplitValueDim.cpp - --attn-split-value-dim
//--------------------------===//
//
// The GPU kernels keep each query row's output in registers for the whole
// key loop: Ev / 2 of a thread's 255 registers on tensor cores. Beyond
// Ev = 256 that spills. Output columns are independent of each other, so an
// attention with a wide Ev is the same as several attentions over slices of
// V's columns, each computing the same scores and probabilities, written
// into slices of the output. The scores are computed once per slice (the
// price of Q.K^T grows with the number of slices); nothing else changes:
// the scale (1/sqrt(E)), masks, dropout draws (keyed by batch, head, row
// and key) and the LSE (taken from the first slice) do not depend on V.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNSPLITVALUEDIMPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

namespace {
struct SplitValueDim : OpRewritePattern<attn::SdpaOp> {
  SplitValueDim(MLIRContext *context, int64_t maxValueDim)
      : OpRewritePattern(context), maxValueDim(maxValueDim) {}

  LogicalResult matchAndRewrite(attn::SdpaOp op,
                                PatternRewriter &rewriter) const override {
    auto valueType = cast<RankedTensorType>(op.getValue().getType());
    int64_t rank = valueType.getRank();
    int64_t valueDim = valueType.getDimSize(rank - 1);
    if (maxValueDim <= 0 || ShapedType::isDynamic(valueDim) ||
        valueDim <= maxValueDim)
      return rewriter.notifyMatchFailure(op, "Ev is dynamic or small enough");
    // Slices of equal width, a multiple of 16 (the tensor cores' k step
    // and 16-byte rows for asynchronous copies), the last one narrower.
    int64_t slices = llvm::divideCeil(valueDim, maxValueDim);
    int64_t width = llvm::alignTo(llvm::divideCeil(valueDim, slices), 16);

    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    SmallVector<OpFoldResult> valueSizes =
        tensor::getMixedSizes(rewriter, loc, op.getValue());
    SmallVector<OpFoldResult> zeros(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
    SmallVector<attn::SdpaOp> parts;
    SmallVector<int64_t> starts;
    for (int64_t start = 0; start < valueDim; start += width) {
      int64_t size = std::min(width, valueDim - start);
      SmallVector<OpFoldResult> offsets(zeros), sizes(valueSizes);
      offsets.back() = rewriter.getIndexAttr(start);
      sizes.back() = rewriter.getIndexAttr(size);
      Value value = tensor::ExtractSliceOp::create(rewriter, loc, op.getValue(),
                                                   offsets, sizes, ones);
      SmallVector<int64_t> shape(outType.getShape());
      shape.back() = size;
      Type lseType =
          parts.empty() && op.getLse() ? op.getLse().getType() : Type();
      parts.push_back(attn::SdpaOp::create(
          rewriter, loc, RankedTensorType::get(shape, outType.getElementType()),
          lseType, op.getQuery(), op.getKey(), value, op.getMask(),
          op.getSeed(), op.getCausalAttr(), op.getWindowAttr(),
          op.getAlignAttr(), op.getScaleAttr(), op.getSoftcapAttr(),
          op.getDropoutAttr()));
      starts.push_back(start);
    }

    // The output's sizes are the first slice's but for Ev.
    SmallVector<OpFoldResult> outSizes =
        tensor::getMixedSizes(rewriter, loc, parts.front().getOut());
    outSizes.back() = rewriter.getIndexAttr(valueDim);
    Value out = tensor::EmptyOp::create(rewriter, loc, outSizes,
                                        outType.getElementType());
    for (auto [part, start] : llvm::zip_equal(parts, starts)) {
      SmallVector<OpFoldResult> offsets(zeros);
      offsets.back() = rewriter.getIndexAttr(start);
      out = tensor::InsertSliceOp::create(
          rewriter, loc, part.getOut(), out, offsets,
          tensor::getMixedSizes(rewriter, loc, part.getOut()), ones);
    }
    if (out.getType() != outType)
      out = tensor::CastOp::create(rewriter, loc, outType, out);
    SmallVector<Value> results = {out};
    if (op.getLse())
      results.push_back(parts.front().getLse());
    rewriter.replaceOp(op, results);
    return success();
  }

  int64_t maxValueDim;
};

struct AttnSplitValueDimPass
    : sdpa::impl::AttnSplitValueDimPassBase<AttnSplitValueDimPass> {
  using AttnSplitValueDimPassBase::AttnSplitValueDimPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateAttnSplitValueDimPatterns(patterns, maxValueDim);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnSplitValueDimPatterns(RewritePatternSet &patterns,
                                             int64_t maxValueDim) {
  patterns.add<SplitValueDim>(patterns.getContext(), maxValueDim);
}
