//===- AttnOps.cpp - attn dialect operations ------------------------------===//
//
// The verifier of attn.sdpa: every rule of the op's semantics that the types
// and attributes can violate is reported naming the operand and the dims.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace sdpa::attn;

/// Renders a shape as "[2, ?, 64]".
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << '?';
    else
      os << dim;
  });
  os << ']';
  return text;
}

/// Renders an attribute value the way a user wrote it ("0.1", "inf").
static std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

/// Two dims agree unless both are static and differ: dynamic dims are checked
/// at run time.
static bool dimsAgree(int64_t lhs, int64_t rhs) {
  return ShapedType::isDynamic(lhs) || ShapedType::isDynamic(rhs) || lhs == rhs;
}

static bool shapesAgree(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  return lhs.size() == rhs.size() &&
         llvm::all_of(llvm::zip_equal(lhs, rhs), [](auto dims) {
           return dimsAgree(std::get<0>(dims), std::get<1>(dims));
         });
}

static std::optional<double> valueOf(FloatAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getValueAsDouble();
}

static bool isSupportedFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

/// Checks that key or value (`name`, of type `type`) agrees with the query
/// in rank, element type and batch dims.
static LogicalResult verifyLikeQuery(SdpaOp op, StringRef name,
                                     RankedTensorType type,
                                     RankedTensorType queryType) {
  if (type.getRank() != queryType.getRank())
    return op.emitOpError()
           << name << " rank (" << type.getRank() << ") must equal query rank ("
           << queryType.getRank() << ")";
  if (type.getElementType() != queryType.getElementType())
    return op.emitOpError()
           << name << " element type " << type.getElementType()
           << " must match query element type " << queryType.getElementType();
  int64_t batchRank = queryType.getRank() - 3;
  for (int64_t d = 0; d < batchRank; ++d)
    if (!dimsAgree(type.getDimSize(d), queryType.getDimSize(d)))
      return op.emitOpError()
             << name << " batch dim " << d << " (" << type.getDimSize(d)
             << ") does not match query batch dim " << d << " ("
             << queryType.getDimSize(d) << ")";
  return success();
}

/// Checks a result against the shape and element type it must have.
static LogicalResult verifyResult(SdpaOp op, StringRef name, StringRef layout,
                                  RankedTensorType type,
                                  ArrayRef<int64_t> expectedShape,
                                  Type expectedElementType) {
  if (!shapesAgree(type.getShape(), expectedShape))
    return op.emitOpError()
           << "result '" << name << "' shape " << formatShape(type.getShape())
           << " must be " << layout << " = " << formatShape(expectedShape);
  if (type.getElementType() != expectedElementType)
    return op.emitOpError()
           << "result '" << name << "' element type " << type.getElementType()
           << " must be " << expectedElementType;
  return success();
}

/// Checks that `mask` broadcasts to `target` by numpy's rules (trailing dims
/// aligned, each mask dim 1 or equal to the target's).
static LogicalResult verifyMask(SdpaOp op, RankedTensorType maskType,
                                ArrayRef<int64_t> target) {
  Type elementType = maskType.getElementType();
  if (!elementType.isInteger(1) && !isSupportedFloat(elementType))
    return op.emitOpError()
           << "mask element type must be i1 or a float type (f16, bf16, f32, "
              "f64), got "
           << elementType;
  ArrayRef<int64_t> shape = maskType.getShape();
  int64_t rank = target.size();
  if (maskType.getRank() > rank)
    return op.emitOpError()
           << "mask rank (" << maskType.getRank()
           << ") must not exceed the rank of [N..., Hq, L, S] (" << rank << ")";
  int64_t offset = rank - maskType.getRank();
  for (auto [d, dim] : llvm::enumerate(shape)) {
    int64_t targetDim = target[offset + d];
    if (dim == 1 || dimsAgree(dim, targetDim))
      continue;
    return op.emitOpError() << "mask shape " << formatShape(shape)
                            << " is not broadcastable to [N..., Hq, L, S] = "
                            << formatShape(target) << ": mask dim " << d << " ("
                            << dim << ") must be 1 or " << targetDim;
  }
  return success();
}

/// Checks operand, mask and result shapes and element types.
static LogicalResult verifyShapes(SdpaOp op) {
  RankedTensorType queryType = op.getQuery().getType();
  RankedTensorType keyType = op.getKey().getType();
  RankedTensorType valueType = op.getValue().getType();
  int64_t rank = queryType.getRank();
  if (rank < 3)
    return op.emitOpError() << "query must have rank >= 3 ([N..., Hq, L, E]), "
                               "got rank "
                            << rank;
  Type elementType = queryType.getElementType();
  if (!isSupportedFloat(elementType))
    return op.emitOpError() << "query element type must be f16, bf16, f32 or "
                               "f64, got "
                            << elementType;
  if (failed(verifyLikeQuery(op, "key", keyType, queryType)) ||
      failed(verifyLikeQuery(op, "value", valueType, queryType)))
    return failure();

  ArrayRef<int64_t> batch = queryType.getShape().drop_back(3);
  int64_t numQueryHeads = queryType.getDimSize(rank - 3);
  int64_t queryLen = queryType.getDimSize(rank - 2);
  int64_t headDim = queryType.getDimSize(rank - 1);
  int64_t numKeyHeads = keyType.getDimSize(rank - 3);
  int64_t keyLen = keyType.getDimSize(rank - 2);
  int64_t keyHeadDim = keyType.getDimSize(rank - 1);
  int64_t numValueHeads = valueType.getDimSize(rank - 3);
  int64_t valueLen = valueType.getDimSize(rank - 2);
  int64_t valueHeadDim = valueType.getDimSize(rank - 1);

  if (!dimsAgree(numValueHeads, numKeyHeads))
    return op.emitOpError() << "value heads (" << numValueHeads
                            << ") must equal key heads (" << numKeyHeads << ")";
  if (numKeyHeads == 0)
    return op.emitOpError() << "key heads must be positive, got 0";
  if (!ShapedType::isDynamic(numQueryHeads) &&
      !ShapedType::isDynamic(numKeyHeads) && numQueryHeads % numKeyHeads != 0)
    return op.emitOpError()
           << "query heads (" << numQueryHeads
           << ") must be a multiple of key heads (" << numKeyHeads << ")";
  if (!dimsAgree(keyHeadDim, headDim))
    return op.emitOpError()
           << "key head dim E (" << keyHeadDim
           << ") must equal query head dim E (" << headDim << ")";
  if (!dimsAgree(valueLen, keyLen))
    return op.emitOpError()
           << "value sequence length S (" << valueLen
           << ") must equal key sequence length S (" << keyLen << ")";

  if (Value mask = op.getMask()) {
    SmallVector<int64_t> scoresShape(batch);
    scoresShape.append({numQueryHeads, queryLen, keyLen});
    if (failed(verifyMask(op, cast<RankedTensorType>(mask.getType()),
                          scoresShape)))
      return failure();
  }

  SmallVector<int64_t> outShape(batch);
  outShape.append({numQueryHeads, queryLen, valueHeadDim});
  if (failed(verifyResult(op, "out", "[N..., Hq, L, Ev]", op.getOut().getType(),
                          outShape, elementType)))
    return failure();
  if (Value lse = op.getLse()) {
    SmallVector<int64_t> lseShape(batch);
    lseShape.append({numQueryHeads, queryLen});
    if (failed(verifyResult(op, "lse", "[N..., Hq, L]",
                            cast<RankedTensorType>(lse.getType()), lseShape,
                            Float32Type::get(op.getContext()))))
      return failure();
  }
  if (!op.getScale() && headDim == 0)
    return op.emitOpError() << "the default scale 1/sqrt(E) needs a query head "
                               "dim E > 0; give 'scale' explicitly";
  return success();
}

/// Checks the attributes and the seed operand that goes with dropout.
static LogicalResult verifyAttributes(SdpaOp op) {
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow()) {
    if (window->size() != 2)
      return op.emitOpError() << "window must be [left, right], got "
                              << window->size() << " entries";
    if ((*window)[0] < 0 || (*window)[1] < 0)
      return op.emitOpError() << "window sizes must be non-negative, got "
                              << formatShape(*window);
  }
  bool positional = op.getCausal() || op.getWindow();
  if (positional && !op.getAlign())
    return op.emitOpError() << "'causal' and 'window' need an explicit 'align' "
                               "(top_left or bottom_right)";
  if (!positional && op.getAlign())
    return op.emitOpError()
           << "'align' has no effect without 'causal' or 'window'";
  if (std::optional<double> scale = valueOf(op.getScaleAttr());
      scale && !std::isfinite(*scale))
    return op.emitOpError()
           << "scale must be finite, got " << formatNumber(*scale);
  if (std::optional<double> softcap = valueOf(op.getSoftcapAttr());
      softcap && !(std::isfinite(*softcap) && *softcap > 0.0))
    return op.emitOpError() << "softcap must be positive and finite, got "
                            << formatNumber(*softcap);
  std::optional<double> dropout = valueOf(op.getDropoutAttr());
  if (dropout && !(*dropout >= 0.0 && *dropout < 1.0))
    return op.emitOpError() << "dropout probability must be in [0, 1), got "
                            << formatNumber(*dropout);
  if (dropout && *dropout > 0.0 && !op.getSeed())
    return op.emitOpError() << "dropout probability " << formatNumber(*dropout)
                            << " needs a 'seed' operand";
  if (op.getSeed() && !dropout)
    return op.emitOpError() << "'seed' is given without 'dropout'";
  return success();
}

LogicalResult SdpaOp::verify() {
  if (failed(verifyShapes(*this)))
    return failure();
  return verifyAttributes(*this);
}

FailureOr<double> SdpaOp::getEffectiveScale() {
  if (std::optional<double> scale = valueOf(getScaleAttr()))
    return *scale;
  int64_t headDim = getQuery().getType().getShape().back();
  if (ShapedType::isDynamic(headDim) || headDim <= 0)
    return failure();
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

LogicalResult
SdpaOp::reifyResultShapes(OpBuilder &builder,
                          ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  // out is [N..., Hq, L] of the query and Ev of the value; lse drops Ev.
  Location loc = getLoc();
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(builder, loc, getQuery());
  int64_t rank = sizes.size();
  sizes.back() = tensor::getMixedSize(builder, loc, getValue(), rank - 1);
  reifiedReturnShapes.push_back(sizes);
  if (getLse())
    reifiedReturnShapes.push_back(llvm::to_vector(ArrayRef(sizes).drop_back()));
  return success();
}

namespace {

/// The dims of `type` that `known` fixes: each dynamic dim of `type` takes
/// the dim of `known` in its place.
RankedTensorType refineType(RankedTensorType type, ArrayRef<int64_t> known) {
  SmallVector<int64_t> shape(type.getShape());
  for (auto [dim, fixed] : llvm::zip_equal(shape, known))
    if (ShapedType::isDynamic(dim))
      dim = fixed;
  return type.clone(shape);
}

/// Operands cast from a more static type read the cast's source, and result
/// dims that the operands fix become static, cast back to the old result
/// types for their users. A graph whose argument shapes are made static
/// (--attn-specialize-shapes) thus gets static attention.
struct RefineSdpaShapes : OpRewritePattern<SdpaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> operands(op->getOperands());
    bool folded = false;
    for (Value &operand : operands) {
      auto cast = operand.getDefiningOp<tensor::CastOp>();
      if (cast && tensor::canFoldIntoConsumerOp(cast)) {
        operand = cast.getSource();
        folded = true;
      }
    }
    auto shapeOf = [&](OpOperand &operand) {
      Value value = operands[operand.getOperandNumber()];
      return cast<RankedTensorType>(value.getType()).getShape();
    };
    // out is [N..., Hq, L] of the query and Ev of the value; lse drops Ev.
    SmallVector<int64_t> outShape(shapeOf(op.getQueryMutable()));
    outShape.back() = shapeOf(op.getValueMutable()).back();
    struct Refined {
      OpResult result;
      Type oldType, newType;
    };
    SmallVector<Refined> refined;
    auto refine = [&](Value result, ArrayRef<int64_t> known) {
      if (!result)
        return;
      auto type = cast<RankedTensorType>(result.getType());
      RankedTensorType newType = refineType(type, known);
      if (newType != type)
        refined.push_back({cast<OpResult>(result), type, newType});
    };
    refine(op.getOut(), outShape);
    refine(op.getLse(), ArrayRef(outShape).drop_back());
    if (!folded && refined.empty())
      return failure();

    rewriter.modifyOpInPlace(op, [&] {
      op->setOperands(operands);
      for (Refined &r : refined)
        r.result.setType(r.newType);
    });
    // Users keep the types they had.
    rewriter.setInsertionPointAfter(op);
    for (Refined &r : refined) {
      auto back =
          tensor::CastOp::create(rewriter, op.getLoc(), r.oldType, r.result);
      rewriter.replaceAllUsesExcept(r.result, back, back);
    }
    return success();
  }
};

} // namespace

void SdpaOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<RefineSdpaShapes>(context);
}

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// attn.block
//===----------------------------------------------------------------------===//

/// Checks that a block operand has rank `rank` and a supported element type.
static LogicalResult verifyBlockOperand(BlockOp op, StringRef name, Value value,
                                        int64_t rank) {
  auto type = cast<ShapedType>(value.getType());
  if (!type.hasRank() || type.getRank() != rank)
    return op.emitOpError() << name << " must have rank " << rank;
  return success();
}

LogicalResult BlockOp::verify() {
  Value query = getQuery(), key = getKey(), value = getValue();
  if (failed(verifyBlockOperand(*this, "query", query, 2)) ||
      failed(verifyBlockOperand(*this, "key", key, 2)) ||
      failed(verifyBlockOperand(*this, "value", value, 2)))
    return failure();
  bool onTensors = isa<TensorType>(query.getType());
  for (Value operand : getOperation()->getOperands())
    if (isa<ShapedType>(operand.getType()) &&
        isa<TensorType>(operand.getType()) != onTensors)
      return emitOpError() << "operands must be all tensors or all memrefs";

  auto queryType = cast<ShapedType>(query.getType());
  auto keyType = cast<ShapedType>(key.getType());
  auto valueType = cast<ShapedType>(value.getType());
  Type elementType = queryType.getElementType();
  if (!isSupportedFloat(elementType) ||
      keyType.getElementType() != elementType ||
      valueType.getElementType() != elementType)
    return emitOpError() << "query, key and value must share one element type "
                            "among f16, bf16, f32 and f64";
  ArrayRef<int64_t> q = queryType.getShape(), k = keyType.getShape(),
                    v = valueType.getShape();
  if (!dimsAgree(q[1], k[1]))
    return emitOpError() << "key head dim (" << k[1]
                         << ") must equal query head dim (" << q[1] << ")";
  if (!dimsAgree(k[0], v[0]))
    return emitOpError() << "value length (" << v[0]
                         << ") must equal key length (" << k[0] << ")";

  ArrayRef<int64_t> tiles = getTiles();
  if (tiles.size() != 2 || tiles[0] <= 0 || tiles[1] <= 0)
    return emitOpError() << "tiles must be two positive sizes [Bq, Bk], got "
                         << formatShape(tiles);
  if (!ShapedType::isDynamic(q[0]) && q[0] > tiles[0])
    return emitOpError() << "query block has " << q[0]
                         << " rows, more than the tile's " << tiles[0];

  if (Value mask = getMask()) {
    if (failed(verifyBlockOperand(*this, "mask", mask, 2)))
      return failure();
    auto maskType = cast<ShapedType>(mask.getType());
    Type maskElement = maskType.getElementType();
    if (!maskElement.isInteger(1) && !isSupportedFloat(maskElement))
      return emitOpError() << "mask element type must be i1 or a float type";
    ArrayRef<int64_t> m = maskType.getShape();
    if ((m[0] != 1 && !dimsAgree(m[0], q[0])) ||
        (m[1] != 1 && !dimsAgree(m[1], k[0])))
      return emitOpError() << "mask shape " << formatShape(m)
                           << " does not broadcast to the block's scores "
                           << formatShape({q[0], k[0]});
  }

  if (getOuts().empty() || getOuts().size() > 2)
    return emitOpError() << "expects outs (out) or (out, lse), got "
                         << getOuts().size() << " destinations";
  auto outType = cast<ShapedType>(getOut().getType());
  // f32 out for narrower inputs: split-K partials keep the accumulator's
  // precision until they are combined.
  Type outElement = outType.getElementType();
  if (!outType.hasRank() || !shapesAgree(outType.getShape(), {q[0], v[1]}) ||
      (outElement != elementType &&
       !(outElement.isF32() && elementType.getIntOrFloatBitWidth() < 32)))
    return emitOpError() << "out must be [Lb, Ev] = "
                         << formatShape({q[0], v[1]}) << " of " << elementType
                         << (elementType.getIntOrFloatBitWidth() < 32
                                 ? " or f32"
                                 : "");
  if (Value lse = getLse()) {
    auto lseType = cast<ShapedType>(lse.getType());
    if (!lseType.hasRank() || !shapesAgree(lseType.getShape(), {q[0]}) ||
        !lseType.getElementType().isF32())
      return emitOpError() << "lse must be [Lb] = " << formatShape({q[0]})
                           << " of f32";
  }

  if (std::optional<ArrayRef<int64_t>> window = getWindow())
    if (window->size() != 2 || (*window)[0] < 0 || (*window)[1] < 0)
      return emitOpError() << "window must be two non-negative sizes";
  std::optional<double> dropout = valueOf(getDropoutAttr());
  if (dropout && *dropout > 0.0 && !getSeed())
    return emitOpError() << "dropout needs a 'seed' operand";
  return success();
}

void BlockOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // On tensors the op is pure; on memrefs it reads its inputs and writes outs.
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

//===----------------------------------------------------------------------===//
// attn.launch
//===----------------------------------------------------------------------===//

LogicalResult LaunchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *kernel =
      symbolTable.lookupNearestSymbolFrom(*this, getKernelAttr());
  auto function = dyn_cast_or_null<FunctionOpInterface>(kernel);
  if (!function)
    return emitOpError() << "kernel '" << getKernel()
                         << "' does not name a function";
  // Once the kernel is lowered (to llvm.func) its signature is the target's
  // calling convention; only a func.func is checked against the captures.
  if (function->getName().getDialectNamespace() != "func")
    return success();
  SmallVector<Type> expected(getCaptures().getTypes());
  Type index = IndexType::get(getContext());
  expected.append({index, index});
  if (function.getArgumentTypes() != ArrayRef<Type>(expected) ||
      !function.getResultTypes().empty())
    return emitOpError() << "kernel '" << getKernel()
                         << "' must take the captures followed by (index, "
                            "index) and return nothing";
  return success();
}
