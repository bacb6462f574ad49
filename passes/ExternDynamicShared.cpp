//===- ExternDynamicShared.cpp - dynamic shared memory PTX can address ----===//
//
// --attn-extern-dynamic-shared runs on a gpu.module after its conversion to
// the LLVM dialect. Upstream lowers gpu.dynamic_shared_memory to a
// zero-sized array in the shared address space with internal linkage; the
// NVPTX back end then demotes it into the kernel as a one-byte static
// `.shared` variable instead of declaring the dynamic window
// (`.extern .shared .b8 name[]`), and indexing past its first byte runs
// off the end of the block's shared memory. External linkage gives the
// declaration CUDA's own `extern __shared__` arrays get; the alignment is
// raised to 128 bytes, which the kernels' tile layout assumes.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNEXTERNDYNAMICSHAREDPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {
/// NVPTX's shared address space.
constexpr unsigned kSharedAddressSpace = 3;
/// What the kernels assume of the window's start (tensor-core loads need 32
/// bytes; tiles are placed at multiples of 128).
constexpr uint64_t kWindowAlignment = 128;

struct AttnExternDynamicSharedPass
    : sdpa::impl::AttnExternDynamicSharedPassBase<AttnExternDynamicSharedPass> {
  void runOnOperation() override {
    getOperation()->walk([](LLVM::GlobalOp global) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (global.getAddrSpace() != kSharedAddressSpace || !array ||
          array.getNumElements() != 0 ||
          global.getLinkage() != LLVM::Linkage::Internal)
        return;
      global.setLinkage(LLVM::Linkage::External);
      // Tiles are laid out at multiples of 128 bytes from the start.
      if (global.getAlignment().value_or(0) < kWindowAlignment)
        global.setAlignment(kWindowAlignment);
    });
  }
};
} // namespace
