//===- StridedArgs.cpp - arguments as views with a contiguous inner dim ---===//
//
// --attn-strided-args chooses the memref layout that one-shot bufferization
// gives function arguments, through the `bufferization.buffer_layout`
// argument attribute (which takes precedence over the pass's
// function-boundary-type-conversion). The layout keeps the innermost stride
// static at 1: the attention lowering then reads rows with contiguous vector
// loads and packs values with vector loads, as for identity layouts, and
// only the outer strides and the offset come from the descriptor. The
// arguments are also marked read-only (`bufferization.writable = false`).
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
    StringRef layoutName =
        bufferization::BufferizationDialect::kBufferLayoutAttrName;
    StringRef writableName =
        bufferization::BufferizationDialect::kWritableAttrName;
    for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      // Encoded (e.g. sparse) tensors have their own storage.
      if (!tensor || tensor.getEncoding())
        continue;
      // Never computed into in place: the buffer is the caller's, and a view
      // may overlap itself (a stride 0) or other arguments.
      if (!func.getArgAttr(index, writableName))
        func.setArgAttr(index, writableName,
                        BoolAttr::get(&getContext(), false));
      // Rank 0 has no strides.
      if (tensor.getRank() == 0 || func.getArgAttr(index, layoutName))
        continue;
      SmallVector<int64_t> strides(tensor.getRank(), ShapedType::kDynamic);
      strides.back() = 1;
      func.setArgAttr(
          index, layoutName,
          StridedLayoutAttr::get(&getContext(), ShapedType::kDynamic, strides));
    }
  }
};
} // namespace
