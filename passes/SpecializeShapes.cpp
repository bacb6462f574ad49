//===- SpecializeShapes.cpp - an entry's dynamic dims made static ---------===//
//
// --attn-specialize-shapes: the entry function's arguments take the static
// shapes given for them, and what the graph computes from them becomes
// static too (attn.sdpa, linalg and tensor ops through their
// canonicalizations, TOSA through tosa-infer-shapes), results included. A
// graph exported with dynamic batch and sequence dims then compiles for a
// target that needs static shapes (the GPU: grids and tiles are constants),
// once per shape it runs on.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNSPECIALIZESHAPESPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

/// "2x8x100x64", or "scalar" for rank 0: the form the shapes are given in.
std::string formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t dim) { return std::to_string(dim); }),
      "x");
}

/// "2x8x100x64" or "scalar" (rank 0).
FailureOr<SmallVector<int64_t>> parseShape(StringRef text) {
  SmallVector<int64_t> shape;
  if (text == "scalar")
    return shape;
  SmallVector<StringRef> dims;
  text.split(dims, 'x');
  for (StringRef dim : dims) {
    int64_t size;
    if (dim.getAsInteger(10, size) || size < 0)
      return failure();
    shape.push_back(size);
  }
  return shape;
}

/// The canonicalization patterns of every loaded dialect and registered op,
/// as the canonicalizer collects them.
FrozenRewritePatternSet canonicalizationPatterns(MLIRContext *context) {
  RewritePatternSet patterns(context);
  for (Dialect *dialect : context->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : context->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, context);
  return FrozenRewritePatternSet(std::move(patterns));
}

/// Returned values cast from a more static type are returned as they were
/// before the cast, and the function's result types follow.
void refineResultTypes(func::FuncOp func) {
  func.walk([&](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      auto cast = operand.get().getDefiningOp<tensor::CastOp>();
      if (!cast || !tensor::canFoldIntoConsumerOp(cast))
        continue;
      operand.set(cast.getSource());
      if (cast->use_empty())
        cast.erase();
    }
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
  });
}

struct AttnSpecializeShapesPass
    : sdpa::impl::AttnSpecializeShapesPassBase<AttnSpecializeShapesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func;
    if (!entry.empty()) {
      func = module.lookupSymbol<func::FuncOp>(entry);
      if (!func || func.isExternal()) {
        module.emitError() << "--attn-specialize-shapes: no function @" << entry
                           << " with a body";
        return signalPassFailure();
      }
    } else {
      SmallVector<func::FuncOp> candidates;
      for (auto candidate : module.getOps<func::FuncOp>())
        if (candidate.isPublic() && !candidate.isExternal())
          candidates.push_back(candidate);
      if (candidates.size() != 1) {
        module.emitError() << "--attn-specialize-shapes: "
                           << (candidates.empty() ? "no" : "several")
                           << " public functions with a body; name the "
                              "entry with entry=NAME";
        return signalPassFailure();
      }
      func = candidates.front();
    }
    SmallVector<SmallVector<int64_t>> parsed;
    for (auto [i, text] : llvm::enumerate(shapes)) {
      FailureOr<SmallVector<int64_t>> shape = parseShape(text);
      if (failed(shape)) {
        func.emitError() << "--attn-specialize-shapes: shape '" << text
                         << "' of argument #" << i
                         << " is not sizes joined by 'x' (2x8x100x64) or "
                            "'scalar'";
        return signalPassFailure();
      }
      parsed.push_back(*shape);
    }
    if (failed(sdpa::specializeShapes(func, parsed)))
      return signalPassFailure();
  }
};

} // namespace

LogicalResult sdpa::specializeShapes(func::FuncOp func,
                                     ArrayRef<SmallVector<int64_t>> shapes) {
  MLIRContext *context = func.getContext();
  if (shapes.size() != func.getNumArguments())
    return func.emitError()
           << "@" << func.getSymName() << " takes " << func.getNumArguments()
           << " arguments but " << shapes.size() << " shapes were given";
  // Check every shape before anything changes.
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(func.getArguments(), shapes))) {
    auto [arg, shape] = pair;
    Type type = arg.getType();
    auto tensor = dyn_cast<RankedTensorType>(type);
    ArrayRef<int64_t> declared =
        tensor ? tensor.getShape() : ArrayRef<int64_t>();
    bool fits = (tensor || type.isIntOrFloat()) &&
                declared.size() == shape.size() &&
                llvm::all_of(llvm::zip(declared, shape), [](auto dims) {
                  auto [dim, size] = dims;
                  return ShapedType::isDynamic(dim) || dim == size;
                });
    if (!fits)
      return func.emitError()
             << "shape " << formatShape(shape) << " given for argument #" << i
             << " does not fit its type " << type;
  }

  // Arguments take their static types. TOSA users read them as they are
  // (tosa-infer-shapes refines what follows); others through a cast back
  // to the old type, which canonicalization folds into its users.
  Block &body = func.getBody().front();
  OpBuilder builder = OpBuilder::atBlockBegin(&body);
  bool hasTosa = false;
  for (auto [arg, shape] : llvm::zip(func.getArguments(), shapes)) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape())
      continue;
    arg.setType(type.clone(shape));
    auto back = tensor::CastOp::create(builder, func.getLoc(), type, arg);
    arg.replaceUsesWithIf(back, [&](OpOperand &use) {
      bool tosaUser =
          isa_and_present<tosa::TosaDialect>(use.getOwner()->getDialect());
      hasTosa |= tosaUser;
      return use.getOwner() != back && !tosaUser;
    });
  }
  func.setType(FunctionType::get(context, body.getArgumentTypes(),
                                 func.getResultTypes()));

  if (hasTosa) {
    PassManager runner(context, func::FuncOp::getOperationName());
    runner.addPass(tosa::createTosaInferShapesPass());
    if (failed(runner.run(func)))
      return failure();
  }
  if (failed(applyPatternsGreedily(func, canonicalizationPatterns(context))))
    return func.emitError() << "specializing @" << func.getSymName()
                            << " to the given shapes did not converge";
  refineResultTypes(func);
  // Shapes that contradict each other (a key batch that is not the
  // query's) are static now, and the verifiers name them.
  if (failed(verify(func)))
    return func.emitError() << "the shapes given for @" << func.getSymName()
                            << " do not fit together (see above)";
  return success();
}
