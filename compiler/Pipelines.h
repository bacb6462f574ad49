//===- Pipelines.h - sdpa's pass pipelines, per target ----------*- C++ -*-===//
//
// Functions that fill a pass manager with everything from an attention graph
// (attn, linalg or TOSA on tensors) down to the LLVM dialect, and the
// `--sdpa-pipeline` registration that exposes them in sdpa-opt.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_COMPILER_PIPELINES_H
#define SDPA_COMPILER_PIPELINES_H

#include <cstdint>
#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir
namespace llvm {
class StringRef;
} // namespace llvm

namespace sdpa {

/// What the CPU code is generated for.
struct CpuTarget {
  std::string triple;
  std::string cpu;
  /// LLVM subtarget features ("+avx2,+fma,...").
  std::string features;
  /// Width of the widest vector registers with f32 FMA, in bits.
  int64_t vectorBits = 128;
};

/// The machine this process runs on, as LLVM sees it.
CpuTarget getHostCpuTarget();

/// TOSA, and arith/math ops on tensors, become linalg, tensor and arith ops
/// (upstream lowering), and ambiguous rank-reducing slices are made plain
/// (--attn-normalize-slices): the first step of the pipelines and of the
/// float64 reference.
void buildImportPasses(mlir::OpPassManager &pm);

struct CpuPipelineOptions {
  /// Query rows per block and key columns per online-softmax step; 0
  /// chooses by the head dim (128 up to E = 64, else 64).
  int64_t blockQ = 0;
  int64_t blockK = 0;
  /// Vector width in bits; 0 means the host's.
  int64_t vectorBits = 0;
  /// Split the keys of attention whose grid has fewer blocks than this
  /// (split-K); 0 never does. The thread pool is small, so the CPU does not
  /// by default.
  int64_t minGridBlocks = 0;
  /// Raise unfused attention graphs to attn.sdpa; false compiles them as
  /// written (what the float64 reference of sdpa-run needs).
  bool raise = true;
};

/// Lowers TOSA, raises unfused attention graphs to attn.sdpa, folds GQA
/// repeats of K/V, tiles attention, bufferizes (tensor arguments become
/// read-only memrefs, `strided<[?, ..., ?, 1], offset: ?>` for rank >= 1,
/// which take views with any outer strides, see --attn-strided-args; results
/// become identity-layout out-parameters), lowers attn.block to vector code,
/// outlines the grid loops into kernels the runtime launches and converts the
/// module to the LLVM dialect.
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const CpuPipelineOptions &options = {});

struct NvptxPipelineOptions {
  /// GPU architecture: sm_80, sm_86, sm_87, sm_89 or sm_90.
  std::string chip = "sm_90";
  /// Query rows per thread block and key columns per online-softmax step;
  /// f16 and bf16 attention with head dims up to 256 takes blockQ16 rows
  /// (see --attn-tile's block-q-16bit).
  int64_t blockQ = 64;
  int64_t blockQ16 = 128;
  int64_t blockK = 32;
  /// The most threads per block, a multiple of 32 that divides 16 * blockQ:
  /// an attention block takes a warp per 16 query rows, at least 4 (see
  /// --attn-online-softmax-gpu).
  int64_t threads = 256;
  /// Split the keys of attention whose grid has fewer blocks than this
  /// (split-K), so that decode fills the GPU: two waves of an H100's 132
  /// multiprocessors by default; 0 never splits.
  int64_t minGridBlocks = 264;
  /// Raise unfused attention graphs to attn.sdpa.
  bool raise = true;
  /// How f16/bf16 products use tensor cores: "mma-sync" (the default) or
  /// "wmma" (f16 only; the earlier form, kept for comparison).
  std::string tensorCores = "mma-sync";
  /// CUDA toolkit whose libdevice supplies exp, log and tanh; empty means
  /// getCudaToolkitPath().
  std::string toolkit;
};

/// The most shared memory a thread block may use on `chip` (bytes), 0 for
/// a chip the NVPTX pipeline does not support.
int64_t getNvptxSharedMemoryLimit(llvm::StringRef chip);

/// The graph passes every target starts with (import, raise, GQA folding),
/// then --attn-shape-function: the module gains the shape function of each
/// public function whose sizes are not all static.
void buildShapeFunctionPasses(mlir::OpPassManager &pm, bool raise = true);

/// Lowers functions that run on the host and hold no attention (the shape
/// functions of buildShapeFunctionPasses, alone in their module) to the LLVM
/// dialect, results as out-parameters, like the CPU pipeline's entry.
void buildHostFunctionPasses(mlir::OpPassManager &pm);

/// $CUDA_HOME when set, else /usr/local/cuda.
std::string getCudaToolkitPath();

/// Tiles attention, bufferizes as for the CPU but with identity layouts for
/// arguments too (kernels take bare pointers), runs each attention grid as
/// a gpu.launch whose blocks stage tiles in shared memory, outlines the
/// kernels and compiles them to PTX: the result holds a gpu.binary per
/// kernel and the entry function on memrefs, made of gpu.launch_func.
void buildNvptxPipeline(mlir::OpPassManager &pm,
                        const NvptxPipelineOptions &options = {});

/// The first part of buildNvptxPipeline: up to outlined kernels in one
/// gpu.module, launched by the entry function, before any lowering to NVVM.
void buildNvptxKernelPasses(mlir::OpPassManager &pm,
                            const NvptxPipelineOptions &options = {});

/// The rest of buildNvptxPipeline: the gpu.module to PTX in a gpu.binary.
void buildNvptxBinaryPasses(mlir::OpPassManager &pm,
                            const NvptxPipelineOptions &options = {});

/// What --emulate compiles from the result of buildNvptxKernelPasses: the
/// kernels alone, as CPU functions in the LLVM dialect with the entry points
/// of the CUDA driver emulator (--attn-emulate-gpu-kernels,
/// --attn-emulation-entry-points).
void buildNvptxEmulationPipeline(mlir::OpPassManager &pm);

/// Registers `--sdpa-pipeline="target=cpu|nvptx [chip=sm_XY] [block-q=N]
/// [block-k=N] [vector-bits=N] [threads=N] [min-grid-blocks=N]"`.
void registerSdpaPipelines();

} // namespace sdpa

#endif // SDPA_COMPILER_PIPELINES_H
