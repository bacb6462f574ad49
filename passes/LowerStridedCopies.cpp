//===- LowerStridedCopies.cpp - memref.copy of views without memrefCopy ---===//
//
// --attn-lower-strided-copies keeps compiled artifacts self-contained: the
// upstream LLVM lowering of memref.copy calls `memrefCopy` from the MLIR C
// runner utilities for any copy it cannot prove contiguous on both sides,
// and artifacts are linked against nothing but libc and libm. Such copies
// become linalg.copy, which --convert-linalg-to-loops turns into loops that
// follow the strides.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNLOWERSTRIDEDCOPIESPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

/// Whether the LLVM lowering copies `type` with llvm.memcpy (the predicate
/// of upstream's memref.copy lowering).
static bool isMemcpyable(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && (memref.getLayout().isIdentity() ||
                    memref::isStaticShapeAndContiguousRowMajor(memref));
}

namespace {
struct AttnLowerStridedCopiesPass
    : sdpa::impl::AttnLowerStridedCopiesPassBase<AttnLowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) {
      // Unranked memrefs have no loops to lower to; leave them to upstream.
      if (!isa<MemRefType>(copy.getSource().getType()) ||
          !isa<MemRefType>(copy.getTarget().getType()))
        return;
      if (!isMemcpyable(copy.getSource().getType()) ||
          !isMemcpyable(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    }
  }
};
} // namespace
