//===- EmulationEntryPoints.cpp - how the CUDA emulator calls a kernel ----===//
//
// --attn-emulation-entry-points gives every kernel that
// --attn-emulate-gpu-kernels made, once in the LLVM dialect, the entry point
// the CUDA driver emulator looks up: `__sdpa_emu_kernel_<kernel>(params)`,
// where `params` is what cuLaunchKernel received (params[i] points to the
// value of argument i). The emulator knows nothing of a kernel's
// signature, so the entry point unpacks it.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNEMULATIONENTRYPOINTSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

constexpr StringLiteral kEntryPrefix = "__sdpa_emu_kernel_";

struct AttnEmulationEntryPointsPass
    : sdpa::impl::AttnEmulationEntryPointsPassBase<
          AttnEmulationEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> bodies;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn.getName().starts_with(sdpa::kEmulatedBodyPrefix) &&
          !fn.isExternal())
        bodies.push_back(fn);
    auto ptr = LLVM::LLVMPointerType::get(&getContext());
    for (LLVM::LLVMFuncOp body : bodies) {
      LLVM::LLVMFunctionType type = body.getFunctionType();
      if (type.isVarArg() || !isa<LLVM::LLVMVoidType>(type.getReturnType())) {
        body.emitOpError() << "is not a kernel body: kernels return nothing "
                              "and take a fixed list of arguments";
        return signalPassFailure();
      }
      ImplicitLocOpBuilder b(body.getLoc(), body);
      b.setInsertionPointAfter(body);
      std::string name = (kEntryPrefix + body.getName().drop_front(
                                             sdpa::kEmulatedBodyPrefix.size()))
                             .str();
      auto entry = LLVM::LLVMFuncOp::create(
          b, name,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(&getContext()),
                                      {ptr}));
      Block *block = entry.addEntryBlock(b);
      b.setInsertionPointToStart(block);
      Value params = block->getArgument(0);
      SmallVector<Value> args;
      for (auto [i, argType] : llvm::enumerate(type.getParams())) {
        Value slot = LLVM::GEPOp::create(
            b, ptr, ptr, params,
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        Value address = LLVM::LoadOp::create(b, ptr, slot);
        args.push_back(LLVM::LoadOp::create(b, argType, address));
      }
      LLVM::CallOp::create(b, body, args);
      LLVM::ReturnOp::create(b, ValueRange());
      body.setLinkage(LLVM::Linkage::Internal);
    }
  }
};

} // namespace
