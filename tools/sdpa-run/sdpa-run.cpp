//===- sdpa-run.cpp - run an attention graph ------------------------------===//
//
// Runs an entry function of a .mlir file (compiling it first) or of a
// compiled artifact directory on inputs read from .npy files or generated at
// random, writes its results as .npy and prints a summary. Targets: cpu (the
// compiled kernels on the runtime's thread pool) and reference (the float64
// evaluation). --check compares with the reference, --bench times the
// kernels.
//
//===----------------------------------------------------------------------===//

#include "compiler/Compile.h"
#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/AttnOps.h"
#include "dialects/attn/BufferizableOpInterfaceImpl.h"
#include "passes/Passes.h"
#include "runtime/npy/RandomArray.h"
#include "runtime/npy/RelativeError.h"
#include "tools/common/BenchLine.h"
#include "tools/common/InputModule.h"
#include "tools/common/RunArtifact.h"
#include "tools/common/ThreadsOption.h"
#include "tools/sdpa-run/ReferenceEvaluator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace mlir;
using namespace sdpa;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("sdpa-run options");
static cl::opt<std::string>
    inputFile(cl::Positional, cl::Required,
              cl::desc("<input .mlir file or compiled artifact directory>"),
              cl::cat(runCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("entry function (default: the only public one)"),
              cl::value_desc("NAME"), cl::cat(runCategory));
static cl::opt<std::string>
    target("target",
           cl::desc("where to run: cpu (compiled kernels, the default), "
                    "nvptx (compiled kernels on the GPU) or reference "
                    "(float64 evaluation); an artifact runs on its own "
                    "target"),
           cl::init("cpu"), cl::cat(runCategory));
static cl::opt<std::string>
    chip("chip",
         cl::desc("GPU architecture to compile for with --target=nvptx "
                  "(sm_80, the default, runs on every newer GPU through "
                  "PTX)"),
         cl::init("sm_80"), cl::cat(runCategory));
static cl::list<std::string>
    inputs("input", cl::desc("one .npy file per argument, in order"),
           cl::value_desc("FILE.npy"), cl::cat(runCategory));
static cl::list<std::string>
    outputs("output", cl::desc("one .npy file per result, in order"),
            cl::value_desc("FILE.npy"), cl::cat(runCategory));
static cl::opt<uint64_t>
    randomSeed("random", cl::desc("generate random inputs from this seed"),
               cl::value_desc("SEED"), cl::cat(runCategory));
static cl::list<std::string> shapes(
    "shape",
    cl::desc("with --random: the shape of each argument, in order "
             "(2x8x100x64, 'scalar'); needed where an argument has dynamic "
             "dims"),
    cl::value_desc("DIMS"), cl::cat(runCategory));
static cl::opt<bool>
    check("check",
          cl::desc("compare every result with the float64 reference and fail "
                   "above the dtype's tolerance"),
          cl::cat(runCategory));
static cl::opt<unsigned>
    benchRuns("bench",
              cl::desc("time N runs of the kernels and print one "
                       "'bench:' line"),
              cl::value_desc("N"), cl::init(0), cl::cat(runCategory));
// --threads=N is read by hand: libLLVM already registers an option named
// "threads", and a second one would abort at startup.
static unsigned threadCount = 0;
static cl::opt<std::string> tensorCores(
    "tensor-cores",
    cl::desc("with --target=nvptx: how f16/bf16 products use tensor cores, "
             "mma-sync (the default) or wmma (f16 only)"),
    cl::init("mma-sync"), cl::cat(runCategory));
static cl::opt<bool> emulate(
    "emulate",
    cl::desc("with --target=nvptx: compile the kernels for this CPU as well "
             "and run them on the CUDA emulator (libsdpa-cuda-emulator.so), "
             "which needs no GPU"),
    cl::cat(runCategory));
static cl::opt<int64_t>
    blockQ("block-q",
           cl::desc("query rows per block (0: the target's default)"),
           cl::init(0), cl::cat(runCategory));
static cl::opt<int64_t> minGridBlocks(
    "min-grid-blocks",
    cl::desc("split the keys of attention whose grid has fewer blocks than "
             "N across blocks (split-K; default: the target's, 0: never)"),
    cl::value_desc("N"), cl::init(-1), cl::cat(runCategory));
static cl::opt<int64_t>
    blockK("block-k",
           cl::desc("key columns per softmax step (0: the target's default)"),
           cl::init(0), cl::cat(runCategory));
// Not "threads": libLLVM registers an option of that name.
static cl::opt<int64_t> gpuThreads(
    "gpu-threads",
    cl::desc("with --target=nvptx: the most threads per block, a multiple "
             "of 32 (0: the target's default, 256)"),
    cl::value_desc("N"), cl::init(0), cl::cat(runCategory));
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

/// Whether `shape` fits the declared `type` (a dynamic dim fits any size).
/// The runtime's rule (rt::shapeMatches), as for an artifact's manifest.
static bool fitsType(Type type, ArrayRef<int64_t> shape) {
  // Held in a local: a range over `*shapeOf(type)` would iterate a
  // destroyed temporary.
  SmallVector<int64_t> typeShape = *shapeOf(type);
  std::vector<int64_t> declared;
  for (int64_t dim : typeShape)
    declared.push_back(ShapedType::isDynamic(dim) ? rt::kDynamicDim : dim);
  return rt::shapeMatches(declared, {shape.begin(), shape.end()});
}

/// Whether every argument and result of `func` has a static shape.
static bool allStatic(func::FuncOp func) {
  auto isStatic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return !tensor || tensor.hasStaticShape();
  };
  return llvm::all_of(func.getArgumentTypes(), isStatic) &&
         llvm::all_of(func.getResultTypes(), isStatic);
}

/// A random argument of `type`, shaped by its --shape when one is given.
static FailureOr<npy::Array> randomArgument(Type type, unsigned index,
                                            std::mt19937_64 &rng) {
  SmallVector<int64_t> shape = *shapeOf(type);
  if (!shapes.empty()) {
    std::vector<int64_t> given;
    std::string error;
    if (!rt::parseShape(shapes[index], given, /*allowDynamic=*/false, error)) {
      fail("--shape of argument #" + llvm::Twine(index) + ": " + error);
      return failure();
    }
    if (!fitsType(type, given)) {
      fail("--shape " + formatShape(given) + " of argument #" +
           llvm::Twine(index) + " does not fit its type " + typeString(type));
      return failure();
    }
    shape.assign(given.begin(), given.end());
  } else if (llvm::any_of(shape, ShapedType::isDynamic)) {
    fail("argument #" + llvm::Twine(index) + " has type " + typeString(type) +
         " with dynamic dims; give the shape of every argument with --shape "
         "(or --input files)");
    return failure();
  }
  return npy::randomArray(*dtypeFor(type), {shape.begin(), shape.end()}, rng);
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
  if (!fitsType(type, array.shape)) {
    fail(where + ": shape " + formatShape(array.shape) +
         " does not match argument type " + typeString(type));
    return failure();
  }
  if (widenedBf16)
    return array.convertedTo(npy::DType::BF16);
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

/// FLOPs of the attention in `func`: 2 * (E + Ev) per allowed (i, j) pair
/// of each batch and query head, counting only the pairs that causal
/// alignment and the window allow (a mask's values are data, not counted).
/// Dynamic dims are known where q, k and v are arguments (`args`); other
/// attention with dynamic dims is not counted.
static double attentionFlops(func::FuncOp func, ArrayRef<npy::Array> args) {
  auto shapeOfOperand = [&](Value value) -> SmallVector<int64_t> {
    if (auto arg = dyn_cast<BlockArgument>(value);
        arg && arg.getOwner()->getParentOp() == func)
      return SmallVector<int64_t>(args[arg.getArgNumber()].shape.begin(),
                                  args[arg.getArgNumber()].shape.end());
    return llvm::to_vector(cast<ShapedType>(value.getType()).getShape());
  };
  double flops = 0.0;
  func.walk([&](attn::SdpaOp op) {
    SmallVector<int64_t> q = shapeOfOperand(op.getQuery());
    SmallVector<int64_t> v = shapeOfOperand(op.getValue());
    int64_t rank = q.size();
    int64_t keyLen = shapeOfOperand(op.getKey())[rank - 2];
    int64_t queryLen = q[rank - 2];
    if (ShapedType::isDynamicShape(q) || ShapedType::isDynamic(keyLen) ||
        ShapedType::isDynamic(v.back()))
      return;
    double batchHeads = 1.0;
    for (int64_t d = 0; d < rank - 2; ++d)
      batchHeads *= q[d];
    int64_t offset =
        op.getAlign() && *op.getAlign() == attn::Alignment::BottomRight
            ? keyLen - queryLen
            : 0;
    std::optional<ArrayRef<int64_t>> window = op.getWindow();
    double pairs = 0.0;
    for (int64_t i = 0; i < queryLen; ++i) {
      int64_t lo = 0, hi = keyLen - 1;
      if (op.getCausal())
        hi = std::min(hi, i + offset);
      if (window) {
        lo = std::max(lo, i + offset - (*window)[0]);
        hi = std::min(hi, i + offset + (*window)[1]);
      }
      if (hi >= lo)
        pairs += static_cast<double>(hi - lo + 1);
    }
    flops +=
        2.0 * batchHeads * pairs * static_cast<double>(q.back() + v.back());
  });
  return flops;
}

static double toleranceFor(npy::DType dtype) {
  switch (dtype) {
  case npy::DType::F16:
  case npy::DType::BF16:
    return 1e-2;
  case npy::DType::F32:
    return 1e-5;
  case npy::DType::F64:
    return 1e-10;
  default:
    return 0.0;
  }
}

/// The loosest tolerance of the float types `func` computes in: a result is
/// only as exact as the least precise value it was computed from (an f32
/// result of f16 projections, say). 0 when the function has no floats.
static double computeTolerance(func::FuncOp func) {
  double tolerance = 0.0;
  auto visit = [&](Type type) {
    Type element = getElementTypeOrSelf(type);
    if (!isa<FloatType>(element))
      return;
    if (FailureOr<npy::DType> dtype = dtypeFor(element); succeeded(dtype))
      tolerance = std::max(tolerance, toleranceFor(*dtype));
  };
  func.walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      visit(type);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          visit(arg.getType());
  });
  return tolerance;
}

/// The `bench:` line for the kernel times of --bench runs.
static void printBench(std::vector<double> times, double flops) {
  llvm::outs() << formatBenchLine(std::move(times), flops);
}

/// Runs the artifact in `directory` for `target`, once or --bench times.
static FailureOr<std::vector<npy::Array>>
runCompiled(const std::string &directory, ArrayRef<npy::Array> args,
            double flops) {
  ArtifactRun run;
  std::string error;
  if (!runArtifact(directory, target, {args.begin(), args.end()}, benchRuns,
                   threadCount, run, error)) {
    fail(error);
    return failure();
  }
  if (benchRuns > 0) {
    if (!run.device.empty())
      llvm::outs() << "device: " << run.device << "\n";
    printBench(run.times, flops);
  }
  return std::move(run.results);
}

/// Explains the usual cause of a reference that is NaN where the result is
/// not: a row whose every score is -inf, for which the graph as written
/// divides 0 by 0 and attn.sdpa (and a graph raised to it) gives 0.
static void noteNaNReference(unsigned index, const npy::Array &actual,
                             const npy::Array &expected) {
  int64_t count = 0;
  for (int64_t i = 0, e = expected.numElements(); i < e; ++i)
    count += std::isnan(expected.getAsDouble(i)) &&
             !std::isnan(actual.getAsDouble(i));
  if (count == 0)
    return;
  llvm::outs() << "note: result #" << index << ": the float64 reference is "
               << "NaN at " << count << " of " << expected.numElements()
               << " elements where the result is not; a row in which every "
                  "score is -inf (fully masked) is 0/0 in the graph as "
                  "written, and 0 (LSE -inf) in attn.sdpa and in graphs "
                  "raised to it\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  std::string threadsError;
  if (!takeThreadsOption(argc, argv, threadCount, threadsError))
    return fail(threadsError);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "sdpa-run: run an attention graph's entry function on .npy or random "
      "inputs\n");

  if (target != "cpu" && target != "nvptx" && target != "reference")
    return fail("unknown --target=" + target +
                "; this build runs graphs on: cpu, nvptx, reference");
  if (!inputs.empty() && randomSeed.getNumOccurrences())
    return fail("give either --input files or --random, not both");
  if (!shapes.empty() && !randomSeed.getNumOccurrences())
    return fail("--shape sizes random inputs; it goes with --random");
  if (inputs.empty() && !randomSeed.getNumOccurrences())
    return fail("no inputs: give one --input=FILE.npy per argument, or "
                "--random=SEED");
  if (benchRuns > 0 && target == "reference")
    return fail("--bench times compiled kernels; use it with --target=cpu "
                "or --target=nvptx");
  if (tensorCores != "mma-sync" && tensorCores != "wmma")
    return fail("unknown --tensor-cores=" + tensorCores +
                "; expected mma-sync or wmma");
  if (emulate && target != "nvptx")
    return fail("--emulate goes with --target=nvptx");
  if (target == "nvptx" && getNvptxSharedMemoryLimit(chip) == 0)
    return fail("unsupported --chip=" + chip +
                "; chips: sm_80, sm_86, sm_87, sm_89, sm_90");

  // A directory is a compiled artifact; its source.mlir describes the entry
  // and its manifest the target it runs on.
  bool isArtifact = llvm::sys::fs::is_directory(inputFile);
  std::string sourcePath = inputFile;
  if (isArtifact) {
    SmallString<256> path(inputFile);
    llvm::sys::path::append(path, "source.mlir");
    sourcePath = std::string(path);
    if (!llvm::sys::fs::exists(sourcePath))
      return fail("artifact " + inputFile +
                  " has no source.mlir describing its entry function");
    std::string text, error;
    rt::Manifest manifest;
    SmallString<256> manifestPath(inputFile);
    llvm::sys::path::append(manifestPath, "manifest.txt");
    if (!rt::readFile(std::string(manifestPath), text, error))
      return fail(error);
    if (!rt::parseManifest(text, manifest, error))
      return fail(std::string(manifestPath) + ": " + error);
    if (target.getNumOccurrences() && target != manifest.target)
      return fail(inputFile + " is a compiled artifact for target " +
                  manifest.target +
                  "; it runs with --target=" + manifest.target);
    target = manifest.target;
  }

  InputModule input;
  std::string error;
  OwningOpRef<ModuleOp> module = input.parse(sourcePath, error);
  if (!module)
    return error.empty() ? 1 : fail(error);

  FailureOr<func::FuncOp> entry = findEntry(*module);
  if (failed(entry) || failed(checkSignature(*entry)))
    return 1;
  func::FuncOp func = *entry;
  unsigned numArgs = func.getNumArguments();

  std::vector<npy::Array> args;
  if (randomSeed.getNumOccurrences()) {
    if (!shapes.empty() && shapes.size() != numArgs)
      return fail("@" + func.getSymName() + " takes " + llvm::Twine(numArgs) +
                  " arguments but " + llvm::Twine(shapes.size()) +
                  " --shape options were given");
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

  // The GPU needs static shapes: a graph with dynamic dims is specialized
  // to the shapes of these inputs, and compiled, run and checked as such.
  if (target == "nvptx" && !isArtifact && !allStatic(func)) {
    SmallVector<SmallVector<int64_t>> argShapes;
    for (const npy::Array &arg : args)
      argShapes.emplace_back(arg.shape.begin(), arg.shape.end());
    if (failed(specializeShapes(func, argShapes)))
      return 1;
  }

  FailureOr<std::vector<npy::Array>> results = failure();
  if (target == "reference") {
    results = evaluateReference(func, args);
  } else {
    std::string directory = inputFile;
    SmallString<128> scratch;
    if (!isArtifact) {
      CompileOptions options;
      if (!options.setGpuThreads(gpuThreads, error))
        return fail(error);
      if (std::error_code ec =
              llvm::sys::fs::createUniqueDirectory("sdpa-run", scratch))
        return fail("cannot create a scratch directory: " + ec.message());
      directory = std::string(scratch);
      OwningOpRef<ModuleOp> copy = module->clone();
      options.entry = func.getSymName().str();
      options.overrideTiling(blockQ, blockK, minGridBlocks);
      options.nvptx.chip = chip;
      options.emulate = emulate;
      options.nvptx.tensorCores = tensorCores;
      LogicalResult compiled =
          compileForTarget(*copy, target, options, directory, error);
      if (failed(compiled)) {
        llvm::sys::fs::remove_directories(directory);
        return error.empty() ? 1 : fail(error);
      }
    }
    results = runCompiled(directory, args, attentionFlops(func, args));
    if (!isArtifact)
      llvm::sys::fs::remove_directories(directory);
  }
  if (failed(results))
    return 1;

  llvm::outs() << "@" << func.getSymName() << " on " << target << ":\n";
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    printSummary(i, type, (*results)[i]);
  for (auto [path, array] : llvm::zip(outputs, *results))
    if (!npy::writeNpy(path, array, error))
      return fail(error);

  if (check) {
    FailureOr<std::vector<npy::Array>> expected = evaluateReference(func, args);
    if (failed(expected))
      return fail("--check: the float64 reference cannot evaluate @" +
                  func.getSymName());
    bool ok = true;
    double computed = computeTolerance(func);
    for (auto [i, pair] : llvm::enumerate(llvm::zip(*results, *expected))) {
      const npy::Array &actual = std::get<0>(pair);
      const npy::Array &expected = std::get<1>(pair);
      double err = npy::relativeError(
          expected.numElements(),
          [&](int64_t i) { return actual.getAsDouble(i); },
          [&](int64_t i) { return expected.getAsDouble(i); });
      double tolerance = std::max(toleranceFor(actual.dtype), computed);
      bool pass = err <= tolerance;
      ok &= pass;
      llvm::outs() << llvm::format("check: result #%u rel_error=%.3g "
                                   "tolerance=%.0e %s\n",
                                   static_cast<unsigned>(i), err, tolerance,
                                   pass ? "ok" : "FAILED");
      if (!pass)
        noteNaNReference(static_cast<unsigned>(i), actual, expected);
    }
    if (!ok)
      return fail("--check: results differ from the float64 reference");
  }
  return 0;
}
