//===- ValidateTosa.cpp - tosa-validate, admitting dynamic dims ----------===//
//
// --attn-validate-tosa runs upstream tosa-validate. A module that names no
// tosa.target_env is validated as upstream validates it (every profile and
// extension) but at version 1.1 (draft): upstream's default, 1.0, refuses
// every dynamic dim in its level check, while exporters write dynamic
// batches and lengths and the rest of the pipeline compiles them. The
// target is attached only for the validation: the module is left as it
// was.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Tosa/IR/TargetEnv.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNVALIDATETOSAPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

struct AttnValidateTosaPass
    : sdpa::impl::AttnValidateTosaPassBase<AttnValidateTosaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool hasTosa =
        module
            .walk([](Operation *op) {
              return isa_and_present<tosa::TosaDialect>(op->getDialect())
                         ? WalkResult::interrupt()
                         : WalkResult::advance();
            })
            .wasInterrupted();
    if (!hasTosa)
      return;
    bool attached = !module->hasAttr(tosa::TargetEnvAttr::name);
    if (attached) {
      // What upstream validates without a target, every profile and
      // extension, at version 1.1.
      SmallVector<tosa::Extension> extensions;
      for (unsigned e = 1; e <= tosa::getMaxEnumValForExtension(); ++e)
        if (std::optional<tosa::Extension> ext = tosa::symbolizeExtension(e))
          extensions.push_back(*ext);
      module->setAttr(
          tosa::TargetEnvAttr::name,
          tosa::TargetEnvAttr::get(
              &getContext(), tosa::SpecificationVersion::V_1_1_DRAFT,
              tosa::getDefaultTargetEnv(&getContext()).getLevel(),
              {tosa::Profile::pro_int, tosa::Profile::pro_fp}, extensions));
    }
    OpPassManager validate(ModuleOp::getOperationName());
    validate.addPass(tosa::createTosaValidation());
    LogicalResult result = runPipeline(validate, module);
    if (attached)
      module->removeAttr(tosa::TargetEnvAttr::name);
    if (failed(result))
      signalPassFailure();
  }
};

} // namespace
