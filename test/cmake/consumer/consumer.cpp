//===- consumer.cpp - uses the installed sdpa package ---------------------===//
//
// Registers the attn dialect in its own context, parses and verifies an
// attn.sdpa, and evaluates the reference: what an embedding project does.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "runtime/reference/Reference.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

static const char *const kGraph = R"mlir(
func.func @f(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>,
             %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %0 = attn.sdpa %q, %k, %v causal align bottom_right
      : tensor<1x4x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>
      -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}
)mlir";

int main() {
  mlir::MLIRContext context;
  context.loadDialect<sdpa::attn::AttnDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kGraph, &context);
  if (!module)
    return 1;
  module->walk([](sdpa::attn::SdpaOp op) {
    llvm::outs() << "parsed " << op->getName() << " with "
                 << (op.getCausal() ? "causal " : "")
                 << sdpa::attn::stringifyAlignment(*op.getAlign()) << "\n";
  });

  // One query row over three keys: out is a softmax-weighted mix of v.
  sdpa::ref::Tensor q({1, 1, 2}, {1, 2});
  sdpa::ref::Tensor k({1, 3, 2}, {5, 6, 7, 8, 9, 10});
  sdpa::ref::Tensor v({1, 3, 1}, {1, 0, 1});
  sdpa::ref::Result result;
  std::string error =
      sdpa::ref::evaluateSdpa(q, k, v, {}, sdpa::ref::Attributes(), result);
  if (!error.empty()) {
    llvm::errs() << error << "\n";
    return 1;
  }
  // Scores 17, 23, 29 scaled by 1/sqrt(2); out = (e^a + e^c) / (e^a+e^b+e^c).
  double a = 17 / std::sqrt(2.0), b = 23 / std::sqrt(2.0),
         c = 29 / std::sqrt(2.0);
  double expected =
      (std::exp(a - c) + 1) / (std::exp(a - c) + std::exp(b - c) + 1);
  llvm::outs() << "reference error "
               << (std::fabs(result.out.data[0] - expected) < 1e-12 ? "ok"
                                                                    : "BAD")
               << "\n";
  return 0;
}
