//===- ReferenceEvaluator.cpp - run a function on the float64 reference ---===//
//
// Walks an entry function in program order, keeping one npy array per SSA
// value: attn.sdpa is evaluated by the float64 reference of runtime/reference,
// the ops between them by upstream lowering at f64.
//
//===----------------------------------------------------------------------===//

#include "tools/sdpa-run/ReferenceEvaluator.h"

#include "compiler/Compile.h"
#include "tools/common/RunArtifact.h"
#include "tools/sdpa-run/WidenToF64.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "runtime/reference/Reference.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FileSystem.h"

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

namespace {
/// Evaluates a function body in program order. attn.sdpa goes to the float64
/// reference; every maximal run of other ops between them (a segment) is
/// compiled as a function of its own, widened to f64 and lowered the way the
/// CPU pipeline lowers ops that are not attention (raising off), and run.
class Evaluator {
public:
  explicit Evaluator(func::FuncOp func) : func(func) {}
  FailureOr<std::vector<npy::Array>> run(ArrayRef<npy::Array> args);

private:
  LogicalResult evaluateConstants(Operation *op);
  LogicalResult flushSegment();
  bool inSegment(Value value);

  func::FuncOp func;
  llvm::DenseMap<Value, npy::Array> values;
  SmallVector<Operation *> segment;
  llvm::SmallPtrSet<Operation *, 16> segmentOps;
};
} // namespace

static bool isConstant(Value value) {
  Operation *def = value.getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>();
}

/// Gives every operand of `op` defined by an arith.constant its array.
LogicalResult Evaluator::evaluateConstants(Operation *op) {
  for (Value operand : op->getOperands()) {
    auto constant = operand.getDefiningOp<arith::ConstantOp>();
    if (!constant || values.count(operand))
      continue;
    FailureOr<npy::Array> array = evaluateConstant(constant);
    if (failed(array))
      return failure();
    values[operand] = std::move(*array);
  }
  return success();
}

bool Evaluator::inSegment(Value value) {
  Operation *owner = isa<BlockArgument>(value)
                         ? cast<BlockArgument>(value).getOwner()->getParentOp()
                         : value.getDefiningOp();
  Operation *top = func.getBody().front().findAncestorOpInBlock(*owner);
  return top && segmentOps.contains(top);
}

LogicalResult Evaluator::flushSegment() {
  if (segment.empty())
    return success();
  auto done = llvm::scope_exit([&] {
    segment.clear();
    segmentOps.clear();
  });

  // The segment reads values defined before it and produces the ones used
  // after it; constants are cloned into it rather than passed.
  llvm::SetVector<Value> reads, constants, produced;
  for (Operation *op : segment) {
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (!inSegment(operand))
          (isConstant(operand) ? constants : reads).insert(operand);
    });
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers())
        if (Operation *top =
                func.getBody().front().findAncestorOpInBlock(*user);
            !top || !segmentOps.contains(top))
          produced.insert(result);
  }
  for (Operation *op : segment) {
    WalkResult nested = op->walk([](attn::SdpaOp sdpa) {
      sdpa.emitError("the float64 reference evaluates attn.sdpa only at the "
                     "top level of the entry function");
      return WalkResult::interrupt();
    });
    if (nested.wasInterrupted())
      return failure();
  }
  if (produced.empty())
    return success();

  Location loc = segment.front()->getLoc();
  MLIRContext *context = func.getContext();
  // Sizes (tensor.dim of a dynamic dim, used on both sides of an
  // attn.sdpa) cross as i64 scalars.
  auto crossingType = [](Type type) -> Type {
    return type.isIndex() ? IntegerType::get(type.getContext(), 64) : type;
  };
  for (Value value : llvm::concat<const Value>(reads, produced))
    if (failed(dtypeFor(crossingType(value.getType()))))
      return (isa<BlockArgument>(value) ? emitError(loc)
                                        : value.getDefiningOp()->emitError())
             << "the float64 reference cannot pass a value of type "
             << value.getType() << " between attn.sdpa and the ops around it";

  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder builder(context);
  builder.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> argTypes, resultTypes;
  for (Value value : reads)
    argTypes.push_back(crossingType(value.getType()));
  for (Value value : produced)
    resultTypes.push_back(crossingType(value.getType()));
  auto segmentFunc =
      func::FuncOp::create(builder, loc, "reference_segment",
                           FunctionType::get(context, argTypes, resultTypes));
  Block *entry = segmentFunc.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [value, arg] : llvm::zip_equal(reads, entry->getArguments()))
    mapping.map(value, value.getType() == arg.getType()
                           ? Value(arg)
                           : arith::IndexCastOp::create(builder, loc,
                                                        value.getType(), arg));
  for (Value value : constants)
    builder.clone(*value.getDefiningOp(), mapping);
  for (Operation *op : segment)
    builder.clone(*op, mapping);
  SmallVector<Value> returned;
  for (Value value : produced) {
    Value result = mapping.lookup(value);
    Type type = crossingType(value.getType());
    returned.push_back(
        type == value.getType()
            ? result
            : arith::IndexCastOp::create(builder, loc, type, result));
  }
  func::ReturnOp::create(builder, loc, returned);
  if (failed(widenFloatsToF64(segmentFunc)))
    return emitError(loc) << "the float64 reference cannot widen these ops "
                             "to f64";

  SmallString<128> directory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("sdpa-reference", directory))
    return emitError(loc) << "cannot create a scratch directory: "
                          << ec.message();
  auto removeDirectory =
      llvm::scope_exit([&] { llvm::sys::fs::remove_directories(directory); });
  CompileOptions options;
  options.entry = "reference_segment";
  options.cpu.raise = false;
  std::string error;
  if (failed(compileForCpu(*module, options, std::string(directory), error)))
    return emitError(loc) << "the float64 reference cannot compile these ops"
                          << (error.empty() ? "" : ": ") << error;

  std::vector<npy::Array> inputs;
  for (Value value : reads) {
    const npy::Array &array = values.at(value);
    inputs.push_back(isa<FloatType>(getElementTypeOrSelf(value.getType()))
                         ? array.convertedTo(npy::DType::F64)
                         : array);
  }
  ArtifactRun run;
  if (!runArtifact(std::string(directory), "cpu", std::move(inputs),
                   /*benchRuns=*/0, /*threads=*/0, run, error))
    return emitError(loc) << "the float64 reference failed to run these ops: "
                          << error;
  for (auto [value, array] : llvm::zip_equal(produced, run.results))
    values[value] = std::move(array);
  return success();
}

FailureOr<std::vector<npy::Array>> Evaluator::run(ArrayRef<npy::Array> args) {
  if (!func.getBody().hasOneBlock())
    return func.emitError()
           << "the reference evaluator needs a function with one block";
  for (auto [arg, array] : llvm::zip_equal(func.getArguments(), args))
    values[arg] = array;

  for (Operation &op : func.getBody().front()) {
    if (isConstant(op.getNumResults() == 1 ? op.getResult(0) : Value()))
      continue; // Evaluated, or cloned into segments, where used.
    if (!isa<attn::SdpaOp, func::ReturnOp>(op)) {
      segment.push_back(&op);
      segmentOps.insert(&op);
      continue;
    }
    if (failed(flushSegment()) || failed(evaluateConstants(&op)))
      return failure();
    if (auto sdpa = dyn_cast<attn::SdpaOp>(op)) {
      if (failed(evaluateSdpa(sdpa, values)))
        return failure();
      continue;
    }
    // func.return: each result as the function declares it.
    std::vector<npy::Array> results;
    for (Value operand : op.getOperands()) {
      const npy::Array &array = values.at(operand);
      npy::DType dtype = *dtypeFor(operand.getType());
      results.push_back(array.dtype == dtype ? array
                                             : array.convertedTo(dtype));
    }
    return results;
  }
  return func.emitError() << "function body has no func.return";
}

FailureOr<std::vector<npy::Array>>
sdpa::evaluateReference(func::FuncOp func, ArrayRef<npy::Array> args) {
  // Evaluate a copy whose TOSA and tensor-level arith are linalg already,
  // and whose slices drop their unit dims unambiguously (the same tensors),
  // as in the pipelines, so that segments widen and compile uniformly.
  auto module = func->getParentOfType<ModuleOp>();
  OwningOpRef<ModuleOp> copy = module.clone();
  pruneToEntry(*copy, func.getSymName());
  PassManager pm(func.getContext());
  buildImportPasses(pm);
  if (failed(pm.run(*copy)))
    return func.emitError()
           << "the float64 reference cannot lower TOSA in this function";
  auto copied = copy->lookupSymbol<func::FuncOp>(func.getSymName());
  return Evaluator(copied).run(args);
}
