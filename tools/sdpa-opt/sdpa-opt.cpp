//===- sdpa-opt.cpp - the sdpa optimizer driver ---------------------------===//
//
// MlirOptMain with the attn dialect, every upstream dialect a user's graph or
// our lowering can contain, and all upstream passes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines.h"
#include "compiler/Registration.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "passes/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  sdpa::registerAttnPasses();
  sdpa::registerSdpaPipelines();

  mlir::DialectRegistry registry;
  sdpa::registerCompilerDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "sdpa optimizer: attention graphs to fused kernels\n",
      registry));
}
