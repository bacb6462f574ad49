//===- sdpa-compile.cpp - compile an attention graph to an artifact -------===//
//
// Compiles one entry function of a .mlir file into an artifact directory
// (kernel.so, manifest.txt, source.mlir) that the runtime loads and that
// `sdpa-run DIR` runs. Every failure is a message and exit status 1: usage
// errors as `sdpa-compile: error: ...`, problems in the IR as located MLIR
// diagnostics followed by such a line.
//
//===----------------------------------------------------------------------===//

#include "compiler/Compile.h"
#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/BufferizableOpInterfaceImpl.h"

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
    target("target", cl::desc("what to compile for: cpu (the default)"),
           cl::init("cpu"), cl::cat(compileCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("entry function (default: the only public one)"),
              cl::value_desc("NAME"), cl::cat(compileCategory));
static cl::opt<int64_t> blockQ("block-q",
                               cl::desc("query rows per block (cpu)"),
                               cl::init(64), cl::cat(compileCategory));
static cl::opt<int64_t> blockK("block-k",
                               cl::desc("key columns per softmax step (cpu)"),
                               cl::init(64), cl::cat(compileCategory));

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

  // Targets that are planned are named as such, so that a user can tell a
  // typo from a missing feature.
  if (target == "nvptx" || target == "cuda" || target == "gpu")
    return fail("--target=" + target +
                " is not supported by this build yet; targets: cpu");
  if (target != "cpu")
    return fail("unknown --target=" + target + "; targets: cpu");
  if (outputDir.empty())
    return fail("no output directory: give -o DIR");
  if (blockQ <= 0 || blockK <= 0)
    return fail("--block-q and --block-k must be positive, got " +
                llvm::Twine(blockQ) + " and " + llvm::Twine(blockK));

  DialectRegistry registry;
  registerAllDialects(registry);
  registry.insert<attn::AttnDialect>();
  attn::registerBufferizableOpInterfaceExternalModels(registry);
  MLIRContext context(registry);
  // The diagnostics point into the source; the op dump would repeat it.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::string error;
  auto buffer = openInputFile(inputFile, &error);
  if (!buffer)
    return fail(error);
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail("cannot parse " + inputFile);

  // Described before compiling because compileForCpu lowers the module in
  // place; an unsupported entry is reported here, with its location.
  FailureOr<rt::Manifest> manifest = describeEntry(*module, entryName);
  if (failed(manifest))
    return fail("cannot compile " + inputFile + " for " + target);

  CompileOptions options;
  options.entry = manifest->entry;
  options.cpu.blockQ = blockQ;
  options.cpu.blockK = blockK;
  // A failed compile leaves no half-written artifact behind, unless the
  // directory was the user's to begin with.
  bool existed = llvm::sys::fs::exists(outputDir);
  if (failed(compileForCpu(*module, options, outputDir, error))) {
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
