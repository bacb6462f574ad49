//===- PrepareResultBuffers.cpp - one allocation per returned buffer ------===//
//
// --attn-prepare-result-buffers readies a bufferized function's results for
// upstream's --buffer-results-to-out-params, which hands the caller's
// buffer to a returned memref.alloc and copies any other result into it.
//
// Graph-level reshapes after the last kernel (the packed GQA rows
// [B, Hkv, G * L, Ev] of decode viewed as [B, Hq, L, Ev], a [B, L, H, Ev]
// output flattened to [B, L, H * Ev]) bufferize to views of the buffer the
// kernel writes, and such a view would be copied: one more pass over the
// output (on a GPU, one more kernel launch). Here the allocation is made in
// the returned shape instead, and the kernel writes through the inverse
// reshapes of it: the same bytes in the same order, as reshapes of identity
// layouts are.
//
// An allocation that several results reach cannot be several
// out-parameters (upstream's pass fails on `return %r, %r` outright): each
// result after the first gets a copy of its own.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseSet.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNPREPARERESULTBUFFERSPASS
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

/// A fresh allocation holding a copy of `value`, made just before `ret`;
/// none (a null value) where `value`'s type cannot be allocated as it is.
static Value copyToFreshAlloc(RewriterBase &rewriter, func::ReturnOp ret,
                              Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.getLayout().isIdentity())
    return {};
  rewriter.setInsertionPoint(ret);
  Location loc = ret.getLoc();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, value, d));
  Value copy = memref::AllocOp::create(rewriter, loc, type, dynamicSizes);
  memref::CopyOp::create(rewriter, loc, value, copy);
  return copy;
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
struct AttnPrepareResultBuffersPass
    : sdpa::impl::AttnPrepareResultBuffersPassBase<
          AttnPrepareResultBuffersPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](func::ReturnOp ret) {
      unsigned count = ret->getNumOperands();
      // First, one allocation per result: a result that reaches an
      // allocation an earlier result reaches returns a copy instead.
      SmallVector<SmallVector<Operation *>> chains(count);
      llvm::DenseSet<Value> claimed;
      for (unsigned i = 0; i < count; ++i) {
        Value root = reshapeRoot(ret->getOperand(i), chains[i]);
        if (!root.getDefiningOp<memref::AllocOp>() ||
            claimed.insert(root).second)
          continue;
        chains[i].clear();
        if (Value copy = copyToFreshAlloc(rewriter, ret, ret->getOperand(i)))
          ret->setOperand(i, copy);
      }
      // Then the reshapes of each allocation are folded into it.
      for (unsigned i = 0; i < count; ++i) {
        if (chains[i].empty())
          continue;
        auto alloc =
            chains[i].front()->getOperand(0).getDefiningOp<memref::AllocOp>();
        // Dynamic shapes and other layouts are left as they are (the
        // out-parameters pass hoists static ones only).
        if (!alloc || !isStaticDense(alloc.getType()) ||
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
