//===- ReferenceEvaluator.cpp - run a function on the float64 reference ---===//
//
// Walks an entry function in program order, keeping one npy array per SSA
// value, and evaluates attn.sdpa with the float64 reference.
//
//===----------------------------------------------------------------------===//

#include "tools/sdpa-run/ReferenceEvaluator.h"

#include "compiler/Compile.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "runtime/reference/Reference.h"
#include "llvm/ADT/DenseMap.h"

#include <cstring>

using namespace mlir;
using namespace sdpa;

static ref::Tensor toTensor(const npy::Array &array) {
  ref::Tensor tensor;
  tensor.shape = array.shape;
  tensor.data.resize(array.numElements());
  for (int64_t i = 0, e = array.numElements(); i < e; ++i)
    tensor.data[i] = array.getAsDouble(i);
  return tensor;
}

/// Rounds the reference's float64 values to the element type of `type`, as a
/// kernel writing that type would.
static FailureOr<npy::Array> fromTensor(Operation *op,
                                        const ref::Tensor &tensor, Type type) {
  auto shaped = cast<ShapedType>(type);
  ArrayRef<int64_t> declared = shaped.getShape();
  bool matches = declared.size() == tensor.shape.size();
  for (size_t d = 0; matches && d < declared.size(); ++d)
    matches =
        ShapedType::isDynamic(declared[d]) || declared[d] == tensor.shape[d];
  if (!matches)
    return op->emitError() << "evaluated result shape does not match its "
                              "declared type "
                           << type;
  npy::Array array =
      npy::Array::zeros(*dtypeFor(shaped.getElementType()), tensor.shape);
  for (int64_t i = 0, e = array.numElements(); i < e; ++i)
    array.setFromDouble(i, tensor.data[i]);
  return array;
}

static FailureOr<npy::Array> evaluateConstant(arith::ConstantOp op) {
  Type type = op.getType();
  FailureOr<npy::DType> dtype = dtypeFor(type);
  if (failed(dtype))
    return op.emitError() << "the reference evaluator has no values of type "
                          << type;
  if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue())) {
    ArrayRef<int64_t> shape = cast<ShapedType>(type).getShape();
    npy::Array array = npy::Array::zeros(*dtype, {shape.begin(), shape.end()});
    int64_t i = 0;
    if (dense.getElementType().isIntOrIndex()) {
      for (const APInt &value : dense.getValues<APInt>())
        array.setFromDouble(i++, dense.getElementType().isInteger(1)
                                     ? value.getZExtValue()
                                     : value.getSExtValue());
    } else {
      for (const APFloat &value : dense.getValues<APFloat>())
        array.setFromDouble(i++, value.convertToDouble());
    }
    return array;
  }
  npy::Array array = npy::Array::zeros(*dtype, {});
  if (auto integer = dyn_cast<IntegerAttr>(op.getValue())) {
    // Store integers bit-exactly: a dropout seed uses all 64 bits.
    int64_t value = integer.getValue().getSExtValue();
    if (*dtype == npy::DType::I64) {
      std::memcpy(array.bytes.data(), &value, sizeof(value));
      return array;
    }
    array.setFromDouble(0, static_cast<double>(value));
    return array;
  }
  if (auto real = dyn_cast<FloatAttr>(op.getValue())) {
    array.setFromDouble(0, real.getValueAsDouble());
    return array;
  }
  return op.emitError() << "the reference evaluator cannot read constant "
                        << op.getValue();
}

/// Reads a dropout seed: an i64 scalar (rank 0 or a single element).
static uint64_t readSeed(const npy::Array &array) {
  int64_t seed = 0;
  if (array.dtype == npy::DType::I64 && array.bytes.size() >= sizeof(seed))
    std::memcpy(&seed, array.bytes.data(), sizeof(seed));
  else if (array.numElements() > 0)
    seed = static_cast<int64_t>(array.getAsDouble(0));
  return static_cast<uint64_t>(seed);
}

static LogicalResult evaluateSdpa(attn::SdpaOp op,
                                  llvm::DenseMap<Value, npy::Array> &values) {
  ref::Mask mask;
  if (Value maskValue = op.getMask()) {
    mask.kind = getElementTypeOrSelf(maskValue.getType()).isInteger(1)
                    ? ref::Mask::Kind::Bool
                    : ref::Mask::Kind::Additive;
    mask.values = toTensor(values.at(maskValue));
  }
  ref::Attributes attrs;
  if (FloatAttr scale = op.getScaleAttr())
    attrs.scale = scale.getValueAsDouble();
  attrs.causal = op.getCausal();
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow())
    attrs.window = {(*window)[0], (*window)[1]};
  if (op.getAlign() == attn::Alignment::BottomRight)
    attrs.alignment = ref::Alignment::BottomRight;
  if (FloatAttr softcap = op.getSoftcapAttr())
    attrs.softcap = softcap.getValueAsDouble();
  if (FloatAttr dropout = op.getDropoutAttr())
    attrs.dropoutP = dropout.getValueAsDouble();
  if (Value seed = op.getSeed())
    attrs.seed = readSeed(values.at(seed));

  ref::Result result;
  std::string error = ref::evaluateSdpa(
      toTensor(values.at(op.getQuery())), toTensor(values.at(op.getKey())),
      toTensor(values.at(op.getValue())), mask, attrs, result);
  if (!error.empty())
    return op.emitError() << "cannot evaluate on these inputs: " << error;

  FailureOr<npy::Array> out = fromTensor(op, result.out, op.getOut().getType());
  if (failed(out))
    return failure();
  values[op.getOut()] = std::move(*out);
  if (Value lseValue = op.getLse()) {
    FailureOr<npy::Array> lse = fromTensor(op, result.lse, lseValue.getType());
    if (failed(lse))
      return failure();
    values[lseValue] = std::move(*lse);
  }
  return success();
}

FailureOr<std::vector<npy::Array>>
sdpa::evaluateReference(func::FuncOp func, ArrayRef<npy::Array> args) {
  if (!func.getBody().hasOneBlock())
    return func.emitError()
           << "the reference evaluator needs a function with one block";
  llvm::DenseMap<Value, npy::Array> values;
  for (auto [arg, array] : llvm::zip_equal(func.getArguments(), args))
    values[arg] = array;

  for (Operation &op : func.getBody().front()) {
    if (auto sdpa = dyn_cast<attn::SdpaOp>(op)) {
      if (failed(evaluateSdpa(sdpa, values)))
        return failure();
      continue;
    }
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      FailureOr<npy::Array> array = evaluateConstant(constant);
      if (failed(array))
        return failure();
      values[constant.getResult()] = std::move(*array);
      continue;
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<npy::Array> results;
      for (Value operand : ret.getOperands())
        results.push_back(values.at(operand));
      return results;
    }
    return op.emitError() << "the float64 reference evaluator supports "
                             "attn.sdpa, arith.constant and func.return; "
                             "cannot evaluate '"
                          << op.getName() << "'";
  }
  return func.emitError() << "function body has no func.return";
}
