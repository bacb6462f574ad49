//===- sdpa-run.cpp - run an attention graph ------------------------------===//
//
// Runs an entry function of a .mlir file on inputs read from .npy files or
// generated at random, writes its results as .npy and prints a summary. The
// float64 reference is the target this build provides.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"
#include "tools/sdpa-run/ReferenceEvaluator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace mlir;
using namespace sdpa;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("sdpa-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<input .mlir file>"),
                                      cl::cat(runCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("entry function (default: the only public one)"),
              cl::value_desc("NAME"), cl::cat(runCategory));
static cl::opt<std::string>
    target("target", cl::desc("where to run: reference (float64 evaluation)"),
           cl::init("reference"), cl::cat(runCategory));
static cl::list<std::string>
    inputs("input", cl::desc("one .npy file per argument, in order"),
           cl::value_desc("FILE.npy"), cl::cat(runCategory));
static cl::list<std::string>
    outputs("output", cl::desc("one .npy file per result, in order"),
            cl::value_desc("FILE.npy"), cl::cat(runCategory));
static cl::opt<uint64_t>
    randomSeed("random", cl::desc("generate random inputs from this seed"),
               cl::value_desc("SEED"), cl::cat(runCategory));
static cl::opt<unsigned>
    printCount("print", cl::desc("values printed per result (default 8)"),
               cl::init(8), cl::cat(runCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "sdpa-run: error: " << message << "\n";
  return 1;
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os);
  os << ']';
  return text;
}

static std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

static FailureOr<func::FuncOp> findEntry(ModuleOp module) {
  if (!entryName.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func || func.isExternal()) {
      fail("no function @" + entryName + " with a body in " + inputFile);
      return failure();
    }
    return func;
  }
  SmallVector<func::FuncOp> candidates;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      candidates.push_back(func);
  if (candidates.size() == 1)
    return candidates.front();
  std::string names;
  for (func::FuncOp func : candidates)
    names += " @" + func.getSymName().str();
  fail(candidates.empty() ? "no public function with a body in " + inputFile
                          : "several public functions (" + names.substr(1) +
                                "); choose one with --entry=NAME");
  return failure();
}

/// The shape of a function argument or result: a ranked tensor's, or [] for
/// a scalar. Fails for anything else.
static FailureOr<SmallVector<int64_t>> shapeOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return llvm::to_vector(tensor.getShape());
  if (type.isIntOrFloat())
    return SmallVector<int64_t>();
  return failure();
}

static LogicalResult checkSignature(func::FuncOp func) {
  auto check = [&](Type type, StringRef what, unsigned index) {
    if (succeeded(shapeOf(type)) && succeeded(dtypeFor(type)))
      return success();
    fail(what + " #" + llvm::Twine(index) + " of @" + func.getSymName() +
         " has type " + typeString(type) +
         "; sdpa-run handles ranked tensors and scalars of f16, bf16, f32, "
         "f64, i1, i32 and i64");
    return failure();
  };
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
    if (failed(check(type, "argument", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
}

static FailureOr<npy::Array> randomArgument(Type type, unsigned index,
                                            std::mt19937_64 &rng) {
  SmallVector<int64_t> shape = *shapeOf(type);
  if (llvm::any_of(shape, ShapedType::isDynamic)) {
    fail("argument #" + llvm::Twine(index) + " has type " + typeString(type) +
         " with dynamic dims; --random needs static shapes, give --input "
         "files instead");
    return failure();
  }
  npy::DType dtype = *dtypeFor(type);
  npy::Array array = npy::Array::zeros(dtype, {shape.begin(), shape.end()});
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  // Masks keep most positions so that rows are rarely empty, yet some are.
  std::bernoulli_distribution keep(0.8);
  for (int64_t i = 0, e = array.numElements(); i < e; ++i) {
    switch (dtype) {
    case npy::DType::Bool:
      array.setFromDouble(i, keep(rng) ? 1.0 : 0.0);
      break;
    case npy::DType::I32:
      array.setFromDouble(i, static_cast<double>(rng() % 201) - 100.0);
      break;
    case npy::DType::I64: {
      uint64_t bits = rng();
      std::memcpy(array.bytes.data() + i * sizeof(bits), &bits, sizeof(bits));
      break;
    }
    case npy::DType::F16:
    case npy::DType::BF16:
    case npy::DType::F32:
    case npy::DType::F64:
      array.setFromDouble(i, uniform(rng));
      break;
    }
  }
  return array;
}

static FailureOr<npy::Array> readArgument(Type type, unsigned index,
                                          const std::string &path) {
  npy::Array array;
  std::string error;
  if (!npy::readNpy(path, array, error)) {
    fail(error);
    return failure();
  }
  npy::DType expected = *dtypeFor(type);
  std::string where = "input #" + std::to_string(index) + " (" + path + ")";
  // numpy has no bfloat16: bf16 arguments read f32 files, rounded on load.
  bool widenedBf16 =
      expected == npy::DType::BF16 && array.dtype == npy::DType::F32;
  if (array.dtype != expected && !widenedBf16) {
    fail(where + ": dtype " + npy::dtypeName(array.dtype) +
         " does not match argument type " + typeString(type) + " (expected " +
         npy::dtypeName(expected) + ")");
    return failure();
  }
  SmallVector<int64_t> shape = *shapeOf(type);
  bool matches = shape.size() == array.shape.size();
  for (size_t d = 0; matches && d < shape.size(); ++d)
    matches = ShapedType::isDynamic(shape[d]) || shape[d] == array.shape[d];
  if (!matches) {
    fail(where + ": shape " + formatShape(array.shape) +
         " does not match argument type " + typeString(type));
    return failure();
  }
  if (widenedBf16) {
    npy::Array rounded = npy::Array::zeros(npy::DType::BF16, array.shape);
    for (int64_t i = 0, e = array.numElements(); i < e; ++i)
      rounded.setFromDouble(i, array.getAsDouble(i));
    return rounded;
  }
  return array;
}

static void printSummary(unsigned index, Type type, const npy::Array &array) {
  llvm::outs() << "result #" << index << ": " << type;
  int64_t count = array.numElements();
  if (count == 0) {
    llvm::outs() << " (empty)\n";
    return;
  }
  double minimum = INFINITY, maximum = -INFINITY, sum = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    double value = array.getAsDouble(i);
    minimum = std::min(minimum, value);
    maximum = std::max(maximum, value);
    sum += value;
  }
  llvm::outs() << llvm::format(
      " min=%.6g max=%.6g mean=%.6g\n  values:", minimum, maximum, sum / count);
  for (int64_t i = 0; i < std::min<int64_t>(count, printCount); ++i)
    llvm::outs() << llvm::format(" %.6g", array.getAsDouble(i));
  llvm::outs() << (count > printCount ? " ...\n" : "\n");
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "sdpa-run: run an attention graph's entry function on .npy or random "
      "inputs\n");

  if (target != "reference")
    return fail("unknown --target=" + target +
                "; this build runs graphs on: reference");
  if (!inputs.empty() && randomSeed.getNumOccurrences())
    return fail("give either --input files or --random, not both");
  if (inputs.empty() && !randomSeed.getNumOccurrences())
    return fail("no inputs: give one --input=FILE.npy per argument, or "
                "--random=SEED");

  DialectRegistry registry;
  registerAllDialects(registry);
  registry.insert<attn::AttnDialect>();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto buffer = openInputFile(inputFile, &error);
  if (!buffer)
    return fail(error);
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  FailureOr<func::FuncOp> entry = findEntry(*module);
  if (failed(entry) || failed(checkSignature(*entry)))
    return 1;
  func::FuncOp func = *entry;
  unsigned numArgs = func.getNumArguments();

  std::vector<npy::Array> args;
  if (randomSeed.getNumOccurrences()) {
    std::mt19937_64 rng(randomSeed);
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      FailureOr<npy::Array> array = randomArgument(type, i, rng);
      if (failed(array))
        return 1;
      args.push_back(std::move(*array));
    }
  } else {
    if (inputs.size() != numArgs)
      return fail("@" + func.getSymName() + " takes " + llvm::Twine(numArgs) +
                  " arguments but " + llvm::Twine(inputs.size()) +
                  " --input files were given");
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      FailureOr<npy::Array> array = readArgument(type, i, inputs[i]);
      if (failed(array))
        return 1;
      args.push_back(std::move(*array));
    }
  }
  if (!outputs.empty() && outputs.size() != func.getNumResults())
    return fail("@" + func.getSymName() + " returns " +
                llvm::Twine(func.getNumResults()) + " results but " +
                llvm::Twine(outputs.size()) + " --output files were given");

  FailureOr<std::vector<npy::Array>> results = evaluateReference(func, args);
  if (failed(results))
    return 1;

  llvm::outs() << "@" << func.getSymName() << " on " << target << ":\n";
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    printSummary(i, type, (*results)[i]);
  for (auto [path, array] : llvm::zip(outputs, *results))
    if (!npy::writeNpy(path, array, error))
      return fail(error);
  return 0;
}
