//===- consumer.cpp - uses the installed sdpa package ---------------------===//
//
// Registers the attn dialect in its own context, parses and verifies an
// attn.sdpa, runs one of sdpa's passes in its own pass manager and evaluates
// the reference: what an embedding project does.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "passes/Passes.h"
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

// K/V heads repeated (repeat_interleave) for grouped-query attention.
static const char *const kRepeatedKV = R"mlir(
func.func @g(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>,
             %v: tensor<1x2x5x8xf32>) -> tensor<1x4x3x8xf32> {
  %e = tensor.empty() : tensor<1x2x2x5x8xf32>
  %bk = linalg.broadcast ins(%k : tensor<1x2x5x8xf32>)
      outs(%e : tensor<1x2x2x5x8xf32>) dimensions = [2]
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]]
      : tensor<1x2x2x5x8xf32> into tensor<1x4x5x8xf32>
  %bv = linalg.broadcast ins(%v : tensor<1x2x5x8xf32>)
      outs(%e : tensor<1x2x2x5x8xf32>) dimensions = [2]
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]]
      : tensor<1x2x2x5x8xf32> into tensor<1x4x5x8xf32>
  %0 = attn.sdpa %q, %rk, %rv
      : tensor<1x4x3x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32>
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

  context
      .loadDialect<mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> gqa =
      mlir::parseSourceString<mlir::ModuleOp>(kRepeatedKV, &context);
  mlir::PassManager pm(&context);
  pm.addPass(sdpa::createAttnFoldKVBroadcastPass());
  if (!gqa || mlir::failed(pm.run(*gqa)))
    return 1;
  gqa->walk([](sdpa::attn::SdpaOp op) {
    bool readsArguments = mlir::isa<mlir::BlockArgument>(op.getKey()) &&
                          mlir::isa<mlir::BlockArgument>(op.getValue());
    llvm::outs() << "folded K/V repeat: " << (readsArguments ? "yes" : "no")
                 << "\n";
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
