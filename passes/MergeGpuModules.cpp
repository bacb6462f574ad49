//===- MergeGpuModules.cpp - every kernel in one gpu.module ---------------===//
//
// --attn-merge-gpu-modules moves the kernels of every gpu.module of a module
// into the first one, so that the whole entry function compiles to a single
// PTX module that the runtime loads once. gpu-kernel-outlining makes one
// module per launch and names each kernel after its parent function, so the
// kernels of a function with several attention ops share a name: a kernel
// that would clash takes its old module's name, which is unique, and every
// gpu.launch_func is pointed at the merged module.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNMERGEGPUMODULESPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {
struct AttnMergeGpuModulesPass
    : sdpa::impl::AttnMergeGpuModulesPassBase<AttnMergeGpuModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    gpu::GPUModuleOp target = modules.front();
    for (gpu::GPUModuleOp other : llvm::drop_begin(modules)) {
      if (other.getTargetsAttr() != target.getTargetsAttr()) {
        other.emitOpError() << "has other targets than @" << target.getSymName()
                            << "; cannot merge them";
        return signalPassFailure();
      }
    }
    SymbolTable targetSymbols(target);
    // Old (module, kernel) -> new kernel name in the target.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp other : llvm::drop_begin(modules)) {
      for (Operation &op :
           llvm::make_early_inc_range(other.getBody()->without_terminator())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op.emitOpError() << "is not a symbol; cannot merge its gpu.module";
          return signalPassFailure();
        }
        StringAttr oldName = symbol.getNameAttr();
        op.remove();
        // SymbolTable::insert renames on a clash; prefer the module's own,
        // unique, name for a clashing kernel.
        if (targetSymbols.lookup(oldName))
          symbol.setName(other.getSymNameAttr());
        StringAttr newName = targetSymbols.insert(&op);
        renamed[{other.getSymNameAttr(), oldName}] = newName;
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it =
          renamed.find({launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          target.getSymNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp other : llvm::drop_begin(modules))
      other.erase();
  }
};
} // namespace
