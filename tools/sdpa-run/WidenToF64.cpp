//===- WidenToF64.cpp - retype a function's floats as f64 -----------------===//

#include "tools/sdpa-run/WidenToF64.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace sdpa;

Type sdpa::widenToF64(Type type) {
  Type f64 = Float64Type::get(type.getContext());
  if (isa<FloatType>(type))
    return f64;
  if (auto shaped = dyn_cast<ShapedType>(type))
    if (isa<FloatType>(shaped.getElementType()))
      return shaped.clone(f64);
  if (auto function = dyn_cast<FunctionType>(type)) {
    SmallVector<Type> inputs, results;
    for (Type input : function.getInputs())
      inputs.push_back(widenToF64(input));
    for (Type result : function.getResults())
      results.push_back(widenToF64(result));
    return FunctionType::get(type.getContext(), inputs, results);
  }
  return type;
}

/// `type` (a scalar or shaped type) with `element` as its element type.
static Type withElementType(Type type, Type element) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(element);
  return element;
}

/// Float constants (scalars and dense tensors) and types held in attributes,
/// widened; other attributes are returned as they are.
static Attribute widenAttribute(Attribute attr) {
  if (auto real = dyn_cast<FloatAttr>(attr))
    return FloatAttr::get(widenToF64(real.getType()), real.getValueAsDouble());
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    auto type = cast<ShapedType>(widenToF64(dense.getType()));
    if (dense.isSplat())
      return DenseElementsAttr::get(
          type, dense.getSplatValue<APFloat>().convertToDouble());
    SmallVector<double> values;
    values.reserve(dense.getNumElements());
    for (const APFloat &value : dense.getValues<APFloat>())
      values.push_back(value.convertToDouble());
    return DenseElementsAttr::get(type, ArrayRef<double>(values));
  }
  if (auto typeAttr = dyn_cast<TypeAttr>(attr))
    return TypeAttr::get(widenToF64(typeAttr.getValue()));
  return attr;
}

LogicalResult sdpa::widenFloatsToF64(func::FuncOp func) {
  // A truncation the graph asks for (an f16 round trip, say) is part of its
  // meaning: it stays, as a round trip through the narrow type in f64.
  SmallVector<std::pair<arith::TruncFOp, Type>> roundings;
  func.walk([&](arith::TruncFOp op) {
    roundings.push_back({op, getElementTypeOrSelf(op.getType())});
  });

  func.walk([](Operation *op) {
    for (OpResult result : op->getResults())
      result.setType(widenToF64(result.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(widenToF64(arg.getType()));
    SmallVector<NamedAttribute> attrs(op->getAttrs());
    for (NamedAttribute attr : attrs) {
      Attribute widened = widenAttribute(attr.getValue());
      if (widened != attr.getValue())
        op->setAttr(attr.getName(), widened);
    }
  });

  for (auto [op, narrow] : roundings) {
    OpBuilder builder(op);
    Type wide = op.getType();
    Type narrowType = withElementType(wide, narrow);
    if (narrow.isF64()) {
      op.getResult().replaceAllUsesWith(op.getIn());
      op.erase();
      continue;
    }
    // LLVM has no f64 to bf16 conversion without a runtime library: go
    // through f32, as upstream's bf16 expansion does.
    Value in = op.getIn();
    if (narrow.isBF16())
      in = arith::TruncFOp::create(
          builder, op.getLoc(), withElementType(wide, builder.getF32Type()), in,
          op.getRoundingmodeAttr(), op.getFastmathAttr());
    auto rounded =
        arith::TruncFOp::create(builder, op.getLoc(), narrowType, in,
                                op.getRoundingmodeAttr(), op.getFastmathAttr());
    Value back =
        arith::ExtFOp::create(builder, op.getLoc(), wide, rounded.getResult());
    op.getResult().replaceAllUsesWith(back);
    op.erase();
  }

  // Extensions between float types now extend f64 to f64, which the verifier
  // rejects: they are identities.
  SmallVector<arith::ExtFOp> identities;
  func.walk([&](arith::ExtFOp op) {
    if (op.getIn().getType() == op.getType())
      identities.push_back(op);
  });
  for (arith::ExtFOp op : identities) {
    op.getResult().replaceAllUsesWith(op.getIn());
    op.erase();
  }
  return verify(func);
}
