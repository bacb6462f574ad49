//===- Compile.h - the compile API: module in, artifact out -----*- C++ -*-===//
//
// Compiles an entry function, and the functions it calls (the rest of the
// module is dropped), to an artifact directory a runtime loads: for the
// GPU, PTX (and a cubin) with the launches in the manifest; for the CPU,
// `kernel.so` (built from the module with the host's LLVM target and linked
// by the system C compiler driver), `manifest.txt` (entry symbol, argument
// dtypes, shapes and layouts, and with dynamic dims the shape function and
// its rules; see runtime/cpu/Manifest.h) and `source.mlir` (the input, kept
// so that results can be checked against the float64 reference later).
// Scalar results of a CPU entry are written through rank-0 descriptors like
// tensors.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_COMPILER_COMPILE_H
#define SDPA_COMPILER_COMPILE_H

#include "compiler/Pipelines.h"
#include "runtime/cpu/Manifest.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace sdpa {

struct CompileOptions {
  /// Entry function; empty means the only public function.
  std::string entry;
  CpuPipelineOptions cpu;
  NvptxPipelineOptions nvptx;
  /// nvptx: the artifact runs its kernels on the CUDA driver emulator
  /// (runtime/cuda/emulator) instead of a GPU: its `library` is a shared
  /// object of the kernels compiled for the host CPU. The PTX (and the cubin
  /// when ptxas is there) are still written, for inspection.
  bool emulate = false;
  /// The static shape of each entry argument ([] for scalars and rank 0):
  /// the entry is specialized to them first (--attn-specialize-shapes), as
  /// the GPU needs. Empty: the signature as written.
  std::vector<llvm::SmallVector<int64_t>> argShapes;

  /// Sets the most threads per GPU block (0 keeps the default); false,
  /// with the reason in `error`, unless a multiple of 32 up to 1024.
  bool setGpuThreads(int64_t threads, std::string &error) {
    if (threads < 0 || threads % 32 != 0 || threads > 1024) {
      error = "--gpu-threads must be a multiple of 32 up to 1024 (or 0 for "
              "the target's default), got " +
              std::to_string(threads);
      return false;
    }
    if (threads > 0)
      nvptx.threads = threads;
    return true;
  }

  /// Sets the tiling of both targets (a block-q given holds for every
  /// element type); a block size <= 0 or a negative minGridBlocks keeps the
  /// target's default.
  void overrideTiling(int64_t blockQ, int64_t blockK, int64_t minGridBlocks) {
    if (blockQ > 0)
      cpu.blockQ = nvptx.blockQ = nvptx.blockQ16 = blockQ;
    if (blockK > 0)
      cpu.blockK = nvptx.blockK = blockK;
    if (minGridBlocks >= 0)
      cpu.minGridBlocks = nvptx.minGridBlocks = minGridBlocks;
  }
};

/// Compiles `module` for the host CPU into `directory` (created if needed).
/// Diagnostics about the IR are emitted on the module's context; failures of
/// the tool chain (writing files, linking) are reported in `error`. The
/// module is lowered in place.
mlir::LogicalResult compileForCpu(mlir::ModuleOp module,
                                  const CompileOptions &options,
                                  const std::string &directory,
                                  std::string &error);

/// Compiles `module` for an NVIDIA GPU (`options.nvptx.chip`) into
/// `directory`: `kernels.ptx`, `kernels.<chip>.cubin` and `ptxas.log`
/// (registers, shared memory, spills) when the toolkit's ptxas is present,
/// `manifest.txt` (the launches with their grids, shared memory and
/// arguments) and `source.mlir`. The entry function must consist of
/// attention the pipeline turns into kernel launches. Errors as for
/// compileForCpu.
mlir::LogicalResult compileForNvptx(mlir::ModuleOp module,
                                    const CompileOptions &options,
                                    const std::string &directory,
                                    std::string &error);

/// compileForCpu or compileForNvptx, by target name (`cpu`, `nvptx`),
/// after specializing the entry to `options.argShapes` when given.
mlir::LogicalResult compileForTarget(mlir::ModuleOp module,
                                     llvm::StringRef target,
                                     const CompileOptions &options,
                                     const std::string &directory,
                                     std::string &error);

/// Erases the functions of `module` that `entry` does not reach through
/// symbol references: an artifact holds one entry point, and another
/// function of the file (one the target cannot compile, say) must not
/// stop it from compiling, nor from being evaluated by the reference.
void pruneToEntry(mlir::ModuleOp module, llvm::StringRef entry);

/// The runtime dtype of a scalar type, or of a shaped type's elements: f16,
/// bf16, f32, f64, i1 (bool), i32, i64. Fails for anything else.
mlir::FailureOr<npy::DType> dtypeFor(mlir::Type type);

/// Finds the entry function and describes its arguments and results as the
/// manifest for `target` (`cpu`, `nvptx`) does: tensor inputs of rank >= 1
/// are `rows` on the CPU (views with a contiguous innermost dim), everything
/// else `contiguous`. Emits an error naming what is not supported.
mlir::FailureOr<rt::Manifest> describeEntry(mlir::ModuleOp module,
                                            llvm::StringRef entry,
                                            llvm::StringRef target = "cpu");

} // namespace sdpa

#endif // SDPA_COMPILER_COMPILE_H
