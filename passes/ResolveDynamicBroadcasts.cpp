//===- ResolveDynamicBroadcasts.cpp - dynamic broadcast dims as equal ----===//
//
// --attn-resolve-dynamic-broadcasts rewrites the run-time broadcasts that
// tosa-to-linalg emits for a dynamic dim of an elementwise operand:
//
//   scf.if (dim(x, d) == 1) { broadcast x along d to n } else { x }
//
// into x, asserting dim(x, d) == n. The two agree whenever the assertion
// holds (a broadcast of a size-1 dim to size 1 is a copy), so the rewrite
// is exact or fails at run time; the shape function reports the failing
// assertion before anything runs. Without it the branches hide the graph
// from raising and the shape function from being built.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNRESOLVEDYNAMICBROADCASTSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

/// `tensor.dim %x, d` with a constant d, as (x, d).
std::optional<std::pair<Value, int64_t>> matchDim(Value value) {
  auto dim = value.getDefiningOp<tensor::DimOp>();
  if (!dim)
    return std::nullopt;
  std::optional<int64_t> index = dim.getConstantIndex();
  if (!index)
    return std::nullopt;
  return std::make_pair(dim.getSource(), *index);
}

/// Whether `generic` copies its one input into its one init (a
/// tensor.empty) and reads the input at 0 along `d` and at the loop index
/// along every other dim: a broadcast of `d`.
bool isBroadcastAlong(linalg::GenericOp generic, int64_t d) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
    return false;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues().front() != body.getArgument(0))
    return false;
  AffineMap in = generic.getIndexingMapsArray()[0];
  AffineMap out = generic.getIndexingMapsArray()[1];
  if (!out.isIdentity() || in.getNumResults() != out.getNumResults() ||
      d >= in.getNumResults())
    return false;
  for (auto [k, expr] : llvm::enumerate(in.getResults())) {
    if (static_cast<int64_t>(k) == d) {
      auto constant = dyn_cast<AffineConstantExpr>(expr);
      if (!constant || constant.getValue() != 0)
        return false;
    } else if (expr != out.getResult(k)) {
      return false;
    }
  }
  return true;
}

struct ResolveDynamicBroadcast : OpRewritePattern<scf::IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(scf::IfOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1 || op.getElseRegion().empty())
      return failure();
    // The condition: dim(x, d) == 1.
    auto cmp = op.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::eq)
      return failure();
    Value size = cmp.getLhs(), one = cmp.getRhs();
    if (!matchPattern(one, m_One()))
      std::swap(size, one);
    auto dim = matchDim(size);
    if (!dim || !matchPattern(one, m_One()))
      return failure();
    auto [source, d] = *dim;
    // else: x as it is; then: x broadcast along d.
    Operation *elseYield = op.elseBlock()->getTerminator();
    if (op.elseBlock()->getOperations().size() != 1 ||
        elseYield->getOperand(0) != source)
      return failure();
    // The broadcast to a static size is cast back to the operand's type.
    Value broadcasted = op.thenYield().getOperand(0);
    if (auto cast = broadcasted.getDefiningOp<tensor::CastOp>())
      broadcasted = cast.getSource();
    auto broadcast = broadcasted.getDefiningOp<linalg::GenericOp>();
    if (!broadcast || !isBroadcastAlong(broadcast, d) ||
        broadcast.getDpsInputs()[0] != source)
      return failure();
    auto empty = broadcast.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
    OpFoldResult target = empty.getMixedSizes()[d];
    // The size must be defined outside the branches.
    if (auto value = dyn_cast<Value>(target);
        value && op->isAncestor(value.getParentRegion()->getParentOp()))
      return failure();

    Location loc = op.getLoc();
    Value expected = getValueOrCreateConstantIndexOp(rewriter, loc, target);
    Value equal = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                        size, expected);
    cf::AssertOp::create(
        rewriter, loc, equal,
        ("dim " + Twine(d) +
         " of an operand must equal the result's (a dynamic dim of 1 does "
         "not broadcast: sdpa takes dynamic dims that meet in elementwise "
         "ops to be equal; static shapes, sdpa-compile --shape, broadcast)")
            .str());
    rewriter.replaceOp(op, source);
    return success();
  }
};

struct AttnResolveDynamicBroadcastsPass
    : sdpa::impl::AttnResolveDynamicBroadcastsPassBase<
          AttnResolveDynamicBroadcastsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateResolveDynamicBroadcastsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void sdpa::populateResolveDynamicBroadcastsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ResolveDynamicBroadcast>(patterns.getContext());
}
