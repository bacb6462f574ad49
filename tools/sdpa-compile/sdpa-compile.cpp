//===- sdpa-compile.cpp - compile an attention graph to an artifact -------===//
//
// Compiles one entry function of a .mlir file into an artifact directory
// that a runtime loads and that `sdpa-run DIR` runs: for --target=cpu
// kernel.so, for --target=nvptx kernels.ptx (and a cubin for --chip when
// ptxas is installed), with manifest.txt and source.mlir. Every failure is a
// message and exit status 1: usage errors as `sdpa-compile: error: ...`,
// problems in the IR as located MLIR diagnostics followed by such a line.
//
//===----------------------------------------------------------------------===//

#include "compiler/Compile.h"
#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/BufferizableOpInterfaceImpl.h"
#include "tools/common/InputModule.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sdpa;
namespace cl = llvm::cl;

static cl::OptionCategory compileCategory("sdpa-compile options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<input .mlir file>"),
                                      cl::cat(compileCategory));
static cl::opt<std::string>
    outputDir("o", cl::desc("artifact directory to write (created if needed)"),
              cl::value_desc("DIR"), cl::cat(compileCategory));
static cl::opt<std::string>
    target("target",
           cl::desc("what to compile for: cpu (the default) or nvptx"),
           cl::init("cpu"), cl::cat(compileCategory));
static cl::opt<std::string>
    chip("chip",
         cl::desc("GPU architecture for --target=nvptx: sm_80, sm_86, sm_87, "
                  "sm_89 or sm_90 (the default)"),
         cl::init("sm_90"), cl::cat(compileCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("entry function (default: the only public one)"),
              cl::value_desc("NAME"), cl::cat(compileCategory));
static cl::list<std::string> shapes(
    "shape",
    cl::desc("the static shape of each argument, in order (2x8x100x64, "
             "'scalar'): the entry is specialized to them, so that a graph "
             "with dynamic dims compiles for --target=nvptx"),
    cl::value_desc("DIMS"), cl::cat(compileCategory));
static cl::opt<std::string> tensorCores(
    "tensor-cores",
    cl::desc("with --target=nvptx: how f16/bf16 products use tensor cores, "
             "mma-sync (the default) or wmma (f16 only)"),
    cl::init("mma-sync"), cl::cat(compileCategory));
static cl::opt<bool> emulate(
    "emulate",
    cl::desc("with --target=nvptx: compile the kernels for this CPU as well "
             "and run them on the CUDA emulator (libsdpa-cuda-emulator.so), "
             "which needs no GPU"),
    cl::cat(compileCategory));
static cl::opt<int64_t>
    blockQ("block-q",
           cl::desc("query rows per block (0: the target's default)"),
           cl::init(0), cl::cat(compileCategory));
static cl::opt<int64_t> minGridBlocks(
    "min-grid-blocks",
    cl::desc("split the keys of attention whose grid has fewer blocks than "
             "N across blocks (split-K; default: the target's, 0: never)"),
    cl::value_desc("N"), cl::init(-1), cl::cat(compileCategory));
static cl::opt<int64_t>
    blockK("block-k",
           cl::desc("key columns per softmax step (0: the target's default)"),
           cl::init(0), cl::cat(compileCategory));

// Not "threads": libLLVM registers an option of that name.
static cl::opt<int64_t> gpuThreads(
    "gpu-threads",
    cl::desc("with --target=nvptx: the most threads per block, a multiple "
             "of 32 (0: the target's default, 256); fewer warps than a "
             "block's 16-row query groups compute several groups each"),
    cl::value_desc("N"), cl::init(0), cl::cat(compileCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "sdpa-compile: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(compileCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "sdpa-compile: compile an attention graph's entry function into an "
      "artifact directory\n");

  if (target != "cpu" && target != "nvptx")
    return fail("unknown --target=" + target + "; targets: cpu, nvptx");
  if (tensorCores != "mma-sync" && tensorCores != "wmma")
    return fail("unknown --tensor-cores=" + tensorCores +
                "; expected mma-sync or wmma");
  if (emulate && target != "nvptx")
    return fail("--emulate goes with --target=nvptx");
  if (target == "nvptx" && getNvptxSharedMemoryLimit(chip) == 0)
    return fail("unsupported --chip=" + chip +
                "; chips: sm_80, sm_86, sm_87, sm_89, sm_90");
  if (outputDir.empty())
    return fail("no output directory: give -o DIR");
  if (blockQ < 0 || blockK < 0)
    return fail("--block-q and --block-k must be positive (or 0 for the "
                "target's default), got " +
                llvm::Twine(blockQ) + " and " + llvm::Twine(blockK));

  InputModule input;
  std::string error;
  OwningOpRef<ModuleOp> module = input.parse(inputFile, error);
  if (!module)
    return fail(error.empty() ? "cannot parse " + inputFile : error);

  // Described before compiling because compilation lowers the module in
  // place; an unsupported entry is reported here, with its location.
  FailureOr<rt::Manifest> manifest = describeEntry(*module, entryName);
  if (failed(manifest))
    return fail("cannot compile " + inputFile + " for " + target);

  CompileOptions options;
  options.entry = manifest->entry;
  options.overrideTiling(blockQ, blockK, minGridBlocks);
  options.nvptx.chip = chip;
  options.emulate = emulate;
  options.nvptx.tensorCores = tensorCores;
  if (!options.setGpuThreads(gpuThreads, error))
    return fail(error);
  for (auto [i, text] : llvm::enumerate(shapes)) {
    std::vector<int64_t> shape;
    if (!rt::parseShape(text, shape, /*allowDynamic=*/false, error))
      return fail("--shape of argument #" + llvm::Twine(i) + ": " + error);
    options.argShapes.emplace_back(shape.begin(), shape.end());
  }
  // A failed compile leaves no half-written artifact behind, unless the
  // directory was the user's to begin with.
  bool existed = llvm::sys::fs::exists(outputDir);
  LogicalResult compiled =
      compileForTarget(*module, target, options, outputDir, error);
  if (failed(compiled)) {
    if (!existed)
      llvm::sys::fs::remove_directories(outputDir);
    return fail(error.empty() ? "cannot compile " + inputFile + " for " + target
                              : error);
  }

  llvm::outs() << "sdpa-compile: wrote " << outputDir << " (entry @"
               << manifest->entry << ", " << manifest->inputs.size()
               << " inputs, " << manifest->outputs.size() << " outputs)\n";
  return 0;
}
