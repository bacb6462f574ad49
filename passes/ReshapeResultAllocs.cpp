//===- ReshapeResultAllocs.cpp - allocate results in the shape returned ---===//
//
// --attn-reshape-result-allocs lets a function's results be written where
// the caller wants them. Graph-level reshapes after the last kernel (the
// packed GQA rows [B, Hkv, G * L, Ev] of decode viewed as [B, Hq, L, Ev],
// a [B, L, H, Ev] output flattened to [B, L, H * Ev]) bufferize to views
// of the buffer the kernel writes, and upstream's
// --buffer-results-to-out-params can only hand the caller's buffer to an
// allocation that is returned as it is: a returned view is copied into
// the out-parameter, one more pass over the output (on a GPU, one more
// kernel launch). Here such an allocation is made in the returned shape
// instead, and the kernel writes through the inverse reshapes of it: the
// same bytes in the same order, as reshapes of identity layouts are.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNRESHAPERESULTALLOCSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

/// Whether `type` is a memref of static shape with the identity layout.
static bool isStaticDense(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// What `result` is a chain of reshapes of (`result` itself for none), with
/// the chain from there outwards in `chain`.
static Value reshapeRoot(Value result, SmallVectorImpl<Operation *> &chain) {
  Value v = result;
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      break;
    chain.push_back(def);
    v = def->getOperand(0);
  }
  std::reverse(chain.begin(), chain.end());
  return v;
}

/// Allocates `alloc` as `type`, the shape `chain` reshapes it to, and
/// replaces it by the view that undoes the chain; returns the allocation.
static Value allocateReshaped(RewriterBase &rewriter, memref::AllocOp alloc,
                              ArrayRef<Operation *> chain, MemRefType type) {
  rewriter.setInsertionPoint(alloc);
  Location loc = alloc.getLoc();
  auto replacement =
      memref::AllocOp::create(rewriter, loc, type, alloc.getAlignmentAttr());
  // Undo the chain, outermost reshape first.
  Value view = replacement;
  for (Operation *op : llvm::reverse(chain)) {
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
      view = memref::CollapseShapeOp::create(rewriter, loc, view,
                                             expand.getReassociationIndices());
      continue;
    }
    auto collapse = cast<memref::CollapseShapeOp>(op);
    view = memref::ExpandShapeOp::create(rewriter, loc,
                                         collapse.getSrcType().getShape(), view,
                                         collapse.getReassociationIndices());
  }
  rewriter.replaceAllUsesWith(alloc, view);
  rewriter.eraseOp(alloc);
  return replacement;
}

namespace {
struct AttnReshapeResultAllocsPass
    : sdpa::impl::AttnReshapeResultAllocsPassBase<AttnReshapeResultAllocsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](func::ReturnOp ret) {
      unsigned count = ret->getNumOperands();
      SmallVector<SmallVector<Operation *>> chains(count);
      SmallVector<Value> roots;
      llvm::DenseMap<Value, int> reached;
      for (unsigned i = 0; i < count; ++i) {
        roots.push_back(reshapeRoot(ret->getOperand(i), chains[i]));
        ++reached[roots.back()];
      }
      for (unsigned i = 0; i < count; ++i) {
        auto alloc = roots[i].getDefiningOp<memref::AllocOp>();
        // A buffer that several results reach keeps its copies: it cannot
        // be two out-parameters. Dynamic shapes and other layouts are left
        // as they are (the out-parameters pass hoists static ones only).
        if (!alloc || chains[i].empty() || reached[roots[i]] != 1 ||
            !isStaticDense(alloc.getType()) ||
            !llvm::all_of(chains[i], [](Operation *op) {
              return isStaticDense(op->getResult(0).getType());
            }))
          continue;
        ret->setOperand(i, allocateReshaped(
                               rewriter, alloc, chains[i],
                               cast<MemRefType>(ret->getOperand(i).getType())));
        // The old chain now reshapes the view back to the result; drop the
        // part nothing else reads.
        for (Operation *op : llvm::reverse(chains[i]))
          if (op->use_empty())
            rewriter.eraseOp(op);
      }
    });
  }
};
} // namespace
