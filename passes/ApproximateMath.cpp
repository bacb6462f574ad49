//===- ApproximateMath.cpp - polynomial exp/tanh/log for the CPU ----------===//
//
// --attn-approximate-math replaces f32 math.exp, math.tanh and math.log (on
// scalars and vectors) by upstream MLIR's polynomial approximations. Without
// it LLVM scalarizes vector exp into one libm call per lane, which would cost
// more than the two matrix products of the attention kernel together. f64
// stays with libm: the approximations are f32 only, and f64 kernels are for
// accuracy rather than speed.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNAPPROXIMATEMATHPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

void sdpa::populateAttnApproximateMathPatterns(RewritePatternSet &patterns) {
  populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
    return name == "exp" || name == "tanh" || name == "log" ||
           name == "math.exp" || name == "math.tanh" || name == "math.log";
  });
}

namespace {
struct AttnApproximateMathPass
    : sdpa::impl::AttnApproximateMathPassBase<AttnApproximateMathPass> {
  using AttnApproximateMathPassBase::AttnApproximateMathPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    sdpa::populateAttnApproximateMathPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
