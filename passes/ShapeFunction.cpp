//===- ShapeFunction.cpp - result shapes and shape rules of an entry ------===//
//
// --attn-shape-function adds `__sdpa_shapes_<name>` next to every public
// function with dynamic dims in its signature (see Passes.td for the result
// layout). It is built from a clone of the function: the shape rules of the
// top-level ops are evaluated in front of the return, the return yields
// their outcome and the results' dynamic dims, and reifying `tensor.dim`
// then lets canonicalization delete every op that computed tensor contents.
// What remains must read nothing but argument dims and integer elements of
// arguments (a position given as a rank-0 tensor), which the runtimes pass
// from the host's copies of the inputs.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNSHAPEFUNCTIONPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;

namespace {

/// One shape rule: `holds` (i1) and the two sizes it relates, reported when
/// it fails (null for a rule without sizes, such as an assertion).
struct ShapeRule {
  Value holds;
  Value lhs, rhs;
  std::string message;
};

/// Builds the rules of the ops of one function in front of its return.
class RuleBuilder {
public:
  RuleBuilder(OpBuilder &b) : b(b) {}

  /// Adds the rules of `op`; ops without rules are ignored.
  void addRulesOf(Operation *op) {
    where = describe(op);
    b.setInsertionPointAfter(op);
    if (auto sdpa = dyn_cast<attn::SdpaOp>(op))
      addSdpaRules(sdpa);
    else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      addLoopRules(linalgOp);
    else if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op))
      addSameShape(softmax.getInput(), softmax.getOutput(), "input", "output");
    else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
      addExpandRules(expand);
    else if (auto cast = dyn_cast<tensor::CastOp>(op))
      addCastRules(cast);
    else if (auto concat = dyn_cast<tensor::ConcatOp>(op))
      addConcatRules(concat);
    else if (auto extract = dyn_cast<tensor::ExtractSliceOp>(op))
      addSliceRules(extract.getSource(), extract.getMixedOffsets(),
                    extract.getMixedSizes(), extract.getMixedStrides(),
                    "source");
    else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op))
      addSliceRules(insert.getDest(), insert.getMixedOffsets(),
                    insert.getMixedSizes(), insert.getMixedStrides(),
                    "destination");
    else if (auto assertOp = dyn_cast<cf::AssertOp>(op))
      addAssertRule(assertOp);
  }

  ArrayRef<ShapeRule> getRules() const { return rules; }

private:
  static std::string describe(Operation *op) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << op->getName();
    if (auto loc = dyn_cast<FileLineColLoc>(op->getLoc()))
      os << " (" << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
         << loc.getColumn() << ")";
    return text;
  }

  Value dim(Value tensor, int64_t d) {
    return tensor::DimOp::create(b, tensor.getLoc(), tensor, d);
  }
  static bool isDynamic(Value tensor, int64_t d) {
    return cast<ShapedType>(tensor.getType()).isDynamicDim(d);
  }
  Value cmp(arith::CmpIPredicate predicate, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, lhs.getLoc(), predicate, lhs, rhs);
  }
  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, b.getUnknownLoc(), value);
  }

  /// `lhsName` dim `l` equals `rhsName` dim `r`, when either is dynamic
  /// (static dims are the verifiers' business).
  void addEqualDims(Value lhs, int64_t l, Value rhs, int64_t r,
                    const Twine &lhsName, const Twine &rhsName) {
    if (!isDynamic(lhs, l) && !isDynamic(rhs, r))
      return;
    Value a = dim(lhs, l), c = dim(rhs, r);
    rules.push_back({cmp(arith::CmpIPredicate::eq, a, c), a, c,
                     (lhsName + " dim " + Twine(l) + " ({lhs}) must equal " +
                      rhsName + " dim " + Twine(r) + " ({rhs}) at " + where)
                         .str()});
  }

  void addSameShape(Value lhs, Value rhs, StringRef lhsName,
                    StringRef rhsName) {
    int64_t rank = cast<ShapedType>(lhs.getType()).getRank();
    for (int64_t d = 0; d < rank; ++d)
      addEqualDims(lhs, d, rhs, d, lhsName, rhsName);
  }

  void addSdpaRules(attn::SdpaOp op) {
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    int64_t rank = op.getQuery().getType().getRank();
    int64_t heads = rank - 3, len = rank - 2, head = rank - 1;
    for (int64_t d = 0; d < heads; ++d) {
      addEqualDims(k, d, q, d, "key batch", "query batch");
      addEqualDims(v, d, q, d, "value batch", "query batch");
    }
    addEqualDims(v, heads, k, heads, "value heads", "key heads");
    addEqualDims(k, head, q, head, "key head", "query head");
    addEqualDims(v, len, k, len, "value sequence", "key sequence");
    if (isDynamic(q, heads) || isDynamic(k, heads)) {
      // Hkv > 0 and Hq % Hkv == 0, without dividing by zero.
      Value hq = dim(q, heads), hkv = dim(k, heads);
      Value zero = constant(0), one = constant(1);
      Value positive = cmp(arith::CmpIPredicate::sgt, hkv, zero);
      Value divisor =
          arith::SelectOp::create(b, hkv.getLoc(), positive, hkv, one);
      Value rem = arith::RemUIOp::create(b, hkv.getLoc(), hq, divisor);
      Value divides = arith::AndIOp::create(
          b, hkv.getLoc(), positive, cmp(arith::CmpIPredicate::eq, rem, zero));
      rules.push_back({divides, hkv, hq,
                       "key heads ({lhs}) must be positive and divide query "
                       "heads ({rhs}) at " +
                           where});
    }
    if (Value mask = op.getMask()) {
      // Mask dims align with [N..., Hq, L, S] from the right. Only a static
      // 1 broadcasts (--attn-tile reads a dynamic dim in full), so every
      // other dim must equal the one it is read along.
      auto maskType = cast<ShapedType>(mask.getType());
      int64_t offset = rank - maskType.getRank();
      for (int64_t d = 0; d < maskType.getRank(); ++d) {
        int64_t t = offset + d;
        Value target = t == rank - 1 ? k : q;
        int64_t targetDim = t == rank - 1 ? len : t;
        if (maskType.getDimSize(d) == 1 ||
            (!isDynamic(mask, d) && !isDynamic(target, targetDim)))
          continue;
        Value m = dim(mask, d), size = dim(target, targetDim);
        rules.push_back({cmp(arith::CmpIPredicate::eq, m, size), m, size,
                         ("mask dim " + Twine(d) +
                          " ({lhs}) must equal the dim it masks ({rhs}); "
                          "only a static 1 broadcasts, at " +
                          where)
                             .str()});
      }
    }
  }

  /// Every operand dim indexed by the same loop (a plain `d_i` of its map)
  /// has the same size: the loop bounds come from one of them.
  void addLoopRules(linalg::LinalgOp op) {
    if (!op.hasPureTensorSemantics())
      return;
    DenseMap<unsigned, std::pair<OpOperand *, int64_t>> firstUse;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap map = op.getMatchingIndexingMap(&operand);
      for (auto [d, expr] : llvm::enumerate(map.getResults())) {
        auto loop = dyn_cast<AffineDimExpr>(expr);
        if (!loop)
          continue;
        auto [it, inserted] =
            firstUse.try_emplace(loop.getPosition(), &operand, d);
        if (inserted)
          continue;
        auto [first, firstDim] = it->second;
        addEqualDims(operand.get(), d, first->get(), firstDim,
                     "operand " + Twine(operand.getOperandNumber()),
                     "operand " + Twine(first->getOperandNumber()));
      }
    }
  }

  void addExpandRules(tensor::ExpandShapeOp op) {
    SmallVector<OpFoldResult> outShape = op.getMixedOutputShape();
    for (auto [d, group] : llvm::enumerate(op.getReassociationIndices())) {
      bool dynamic = isDynamic(op.getSrc(), d);
      for (int64_t r : group)
        dynamic |= op.getResultType().isDynamicDim(r);
      if (!dynamic)
        continue;
      Value product = constant(1);
      for (int64_t r : group)
        product = arith::MulIOp::create(
            b, product.getLoc(), product,
            getValueOrCreateConstantIndexOp(b, op.getLoc(), outShape[r]));
      Value source = dim(op.getSrc(), d);
      rules.push_back({cmp(arith::CmpIPredicate::eq, product, source), product,
                       source,
                       ("the product of output dims of group " + Twine(d) +
                        " ({lhs}) must equal source dim " + Twine(d) +
                        " ({rhs}) at " + where)
                           .str()});
    }
  }

  void addCastRules(tensor::CastOp op) {
    auto source = dyn_cast<RankedTensorType>(op.getSource().getType());
    auto dest = dyn_cast<RankedTensorType>(op.getType());
    if (!source || !dest)
      return;
    for (int64_t d = 0; d < dest.getRank(); ++d) {
      if (!source.isDynamicDim(d) || dest.isDynamicDim(d))
        continue;
      Value size = dim(op.getSource(), d);
      Value expected = constant(dest.getDimSize(d));
      rules.push_back({cmp(arith::CmpIPredicate::eq, size, expected), size,
                       expected,
                       ("dim " + Twine(d) +
                        " ({lhs}) must be the static size of the cast's "
                        "result ({rhs}) at " +
                        where)
                           .str()});
    }
  }

  /// A slice of `tensor` (a KV cache read up to a position, say) stays in
  /// bounds in every dim where that is not known statically: it is empty,
  /// or offset >= 0, size >= 0 and offset + (size - 1) * stride < the dim.
  /// Only positive static strides are checked.
  void addSliceRules(Value tensor, ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes,
                     ArrayRef<OpFoldResult> strides, StringRef name) {
    Location loc = tensor.getLoc();
    for (int64_t d = 0, e = offsets.size(); d < e; ++d) {
      std::optional<int64_t> stride = getConstantIntValue(strides[d]);
      std::optional<int64_t> offset = getConstantIntValue(offsets[d]);
      std::optional<int64_t> size = getConstantIntValue(sizes[d]);
      if (!stride || *stride <= 0 || (offset && size && !isDynamic(tensor, d)))
        continue;
      Value off = getValueOrCreateConstantIndexOp(b, loc, offsets[d]);
      Value len = getValueOrCreateConstantIndexOp(b, loc, sizes[d]);
      Value zero = constant(0);
      // end = offset + (size - 1) * stride + 1: one past the last element.
      Value last = arith::MulIOp::create(
          b, loc, arith::SubIOp::create(b, loc, len, constant(1)),
          constant(*stride));
      Value end = arith::AddIOp::create(
          b, loc, arith::AddIOp::create(b, loc, off, last), constant(1));
      Value extent = dim(tensor, d);
      Value empty = cmp(arith::CmpIPredicate::eq, len, zero);
      Value inside = arith::AndIOp::create(
          b, loc,
          arith::AndIOp::create(b, loc,
                                cmp(arith::CmpIPredicate::sge, off, zero),
                                cmp(arith::CmpIPredicate::sge, len, zero)),
          cmp(arith::CmpIPredicate::sle, end, extent));
      rules.push_back(
          {arith::OrIOp::create(b, loc, empty, inside), end, extent,
           ("the slice of " + name + " dim " + Twine(d) +
            " ending at {lhs} must start at 0 or later and end within the "
            "dim ({rhs}) at " +
            where)
               .str()});
    }
  }

  /// An assertion holds; one that compares two sizes reports them.
  void addAssertRule(cf::AssertOp op) {
    std::string message =
        "assertion failed at " + where + ": " + op.getMsg().str();
    auto cmpOp = op.getArg().getDefiningOp<arith::CmpIOp>();
    if (!cmpOp || !cmpOp.getLhs().getType().isIndex()) {
      rules.push_back({op.getArg(), {}, {}, message});
      return;
    }
    rules.push_back({op.getArg(), cmpOp.getLhs(), cmpOp.getRhs(),
                     message + " (compared {lhs} with {rhs})"});
  }

  void addConcatRules(tensor::ConcatOp op) {
    int64_t along = op.getDim();
    Value first = op.getInputs().front();
    for (auto [k, input] : llvm::enumerate(op.getInputs().drop_front()))
      for (int64_t d = 0; d < op.getRank(); ++d)
        if (d != along)
          addEqualDims(input, d, first, d, "input " + Twine(k + 1), "input 0");
  }

  OpBuilder &b;
  std::string where;
  SmallVector<ShapeRule> rules;
};

/// Whether `op` may stay in a shape function: arithmetic on sizes, the dims
/// of arguments, integer elements of arguments (a position passed as a
/// rank-0 tensor, as torch.export passes it: the runtimes call the shape
/// function with the inputs' data), and the result.
bool readsOnlyArguments(Operation *op) {
  if (auto dimOp = dyn_cast<tensor::DimOp>(op))
    return isa<BlockArgument>(dimOp.getSource());
  if (auto extract = dyn_cast<tensor::ExtractOp>(op))
    return isa<BlockArgument>(extract.getTensor()) &&
           extract.getType().isIntOrIndex() &&
           llvm::all_of(extract.getIndices(), [](Value index) {
             return getConstantIntValue(index).has_value();
           });
  if (isa<tensor::FromElementsOp, func::ReturnOp>(op))
    return true;
  if (op->getNumRegions() != 0 || !isPure(op))
    return false;
  auto scalar = [](Type type) { return type.isIntOrIndex(); };
  return llvm::all_of(op->getOperandTypes(), scalar) &&
         llvm::all_of(op->getResultTypes(), scalar);
}

/// Whether `type` is a ranked shaped type with a dynamic dim.
bool hasDynamicDim(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasRank() && !shaped.hasStaticShape();
}

bool hasDynamicSignature(func::FuncOp func) {
  return llvm::any_of(func.getArgumentTypes(), hasDynamicDim) ||
         llvm::any_of(func.getResultTypes(), hasDynamicDim);
}

struct AttnShapeFunctionPass
    : sdpa::impl::AttnShapeFunctionPassBase<AttnShapeFunctionPass> {
  using AttnShapeFunctionPassBase::AttnShapeFunctionPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() &&
          !func.getSymName().starts_with(shapeFunctionName("")) &&
          needsShapeFunction(func))
        entries.push_back(func);
    for (func::FuncOp func : entries)
      if (failed(buildShapeFunction(func)))
        return signalPassFailure();
  }

  /// Builds the shape function of `func`. Without dynamic dims in the
  /// signature it only checks sizes computed in the body: it is dropped
  /// when no rule is left to check at run time or when the rules depend
  /// on tensor contents (the function compiles as it did without it).
  LogicalResult buildShapeFunction(func::FuncOp func) {
    ModuleOp module = getOperation();
    bool required = hasDynamicSignature(func);
    std::string name = shapeFunctionName(func.getSymName());
    if (module.lookupSymbol(name))
      return func.emitError() << "cannot add the shape function '" << name
                              << "': the symbol exists";
    if (!func.getBody().hasOneBlock())
      return func.emitError()
             << "a function with dynamic dims must have a single block to "
                "get a shape function";

    OpBuilder b(func);
    b.setInsertionPointAfter(func);
    auto shapes = cast<func::FuncOp>(b.clone(*func));
    shapes.setSymName(name);
    Block &body = shapes.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());

    // The rules of the top-level ops, evaluated in front of the return.
    RuleBuilder rules(b);
    SmallVector<Operation *> asserts;
    for (Operation &op : body.without_terminator()) {
      rules.addRulesOf(&op);
      if (isa<cf::AssertOp>(op))
        asserts.push_back(&op);
    }

    // status = 1 + the first failing rule, with its sizes: fold from the
    // last rule so that earlier ones win.
    b.setInsertionPoint(ret);
    Location loc = ret.getLoc();
    Type i64 = b.getI64Type();
    auto asI64 = [&](Value index) -> Value {
      return arith::IndexCastOp::create(b, loc, i64, index);
    };
    Value zero = arith::ConstantIntOp::create(b, loc, i64, 0);
    Value status = zero, lhs = zero, rhs = zero;
    ArrayRef<ShapeRule> all = rules.getRules();
    for (int64_t k = all.size() - 1; k >= 0; --k) {
      const ShapeRule &rule = all[k];
      Value code = arith::ConstantIntOp::create(b, loc, i64, k + 1);
      status = arith::SelectOp::create(b, loc, rule.holds, status, code);
      lhs = arith::SelectOp::create(b, loc, rule.holds, lhs,
                                    rule.lhs ? asI64(rule.lhs) : zero);
      rhs = arith::SelectOp::create(b, loc, rule.holds, rhs,
                                    rule.rhs ? asI64(rule.rhs) : zero);
    }
    SmallVector<Value> words = {status, lhs, rhs};
    for (Value result : ret.getOperands()) {
      auto type = dyn_cast<ShapedType>(result.getType());
      if (!type || !type.hasRank())
        continue;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          words.push_back(
              asI64(tensor::DimOp::create(b, loc, result, d).getResult()));
    }
    Value packed = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({(int64_t)words.size()}, i64), words);
    func::ReturnOp::create(b, loc, packed);
    ret.erase();
    for (Operation *op : asserts)
      op->erase();
    shapes.setFunctionType(
        b.getFunctionType(shapes.getArgumentTypes(), packed.getType()));
    shapes.removeResAttrsAttr();
    SmallVector<Attribute> messages;
    for (const ShapeRule &rule : all)
      messages.push_back(b.getStringAttr(rule.message));
    shapes->setAttr(kShapeChecksAttrName, b.getArrayAttr(messages));
    shapes->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    b.getUnitAttr());

    // Reduce to arithmetic on argument dims: reify tensor.dim of op results
    // and canonicalize (which deletes the dead ops) to a fixed point.
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    memref::populateResolveShapedTypeResultDimsPatterns(patterns);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    // CSE exposes rules that compare a dim with itself; canonicalizing again
    // folds them away.
    FrozenRewritePatternSet frozen(std::move(patterns));
    IRRewriter rewriter(ctx);
    DominanceInfo dominance;
    for (int round = 0; round < 2; ++round) {
      if (failed(applyPatternsGreedily(shapes, frozen)))
        return shapes.emitError()
               << "simplifying the shape function did not converge";
      eliminateCommonSubExpressions(rewriter, dominance, shapes);
    }
    // The first op that reads more than argument dims, if any.
    Operation *remaining = nullptr;
    shapes.walk([&](Operation *op) {
      if (op == shapes.getOperation() || readsOnlyArguments(op))
        return WalkResult::advance();
      remaining = op;
      return WalkResult::interrupt();
    });
    if (!required) {
      auto packedResult =
          cast<func::ReturnOp>(shapes.getBody().front().getTerminator())
              .getOperand(0)
              .getDefiningOp<tensor::FromElementsOp>();
      std::optional<int64_t> status =
          packedResult ? getConstantIntValue(packedResult.getElements()[0])
                       : std::nullopt;
      if (remaining || (status && *status == 0))
        shapes.erase();
      return success();
    }
    if (!remaining)
      return success();
    InFlightDiagnostic diag = func.emitError()
                              << "the result shapes or shape rules of '"
                              << func.getSymName()
                              << "' depend on more than its argument shapes: "
                              << remaining->getName()
                              << " remains in its shape function";
    diag.attachNote(remaining->getLoc()) << "remaining op";
    return failure();
  }
};

} // namespace

bool sdpa::needsShapeFunction(func::FuncOp func) {
  if (func.isExternal())
    return false;
  if (hasDynamicSignature(func))
    return true;
  // Sizes computed in the body (a slice of a cache up to a position given
  // as an argument) may break the kernels' assumptions too.
  if (!func.getBody().hasOneBlock())
    return false;
  return llvm::any_of(func.getBody().front(), [](Operation &op) {
    return llvm::any_of(op.getResultTypes(), hasDynamicDim);
  });
}

std::string sdpa::shapeFunctionName(StringRef entry) {
  return ("__sdpa_shapes_" + entry).str();
}
