//===- StridedArgs.cpp - arguments as views with a contiguous inner dim ---===//
//
// --attn-strided-args chooses the memref layout that one-shot bufferization
// gives function arguments, through the `bufferization.buffer_layout`
// argument attribute (which takes precedence over the pass's
// function-boundary-type-conversion). The layout keeps the innermost stride
// static at 1: the attention lowering then reads rows with contiguous vector
// loads and packs values with vector loads, as for identity layouts, and
// only the outer strides and the offset come from the descriptor.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNSTRIDEDARGSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {
struct AttnStridedArgsPass
    : sdpa::impl::AttnStridedArgsPassBase<AttnStridedArgsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Declarations are not bufferized; their callers' views would need the
    // same layout, which a signature without a body does not promise.
    if (func.isExternal())
      return;
    StringRef name = bufferization::BufferizationDialect::kBufferLayoutAttrName;
    for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      // Rank 0 has no strides; encoded (e.g. sparse) tensors have their own
      // storage.
      if (!tensor || tensor.getRank() == 0 || tensor.getEncoding())
        continue;
      if (func.getArgAttr(index, name))
        continue;
      SmallVector<int64_t> strides(tensor.getRank(), ShapedType::kDynamic);
      strides.back() = 1;
      func.setArgAttr(
          index, name,
          StridedLayoutAttr::get(&getContext(), ShapedType::kDynamic, strides));
    }
  }
};
} // namespace
