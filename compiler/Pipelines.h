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

struct CpuPipelineOptions {
  /// Query rows per block and key columns per online-softmax step.
  int64_t blockQ = 64;
  int64_t blockK = 64;
  /// Vector width in bits; 0 means the host's.
  int64_t vectorBits = 0;
};

/// Lowers TOSA, raises unfused attention graphs to attn.sdpa, folds GQA
/// repeats of K/V, tiles attention, bufferizes (entry arguments and results
/// become identity-layout memrefs, results out-parameters), lowers attn.block
/// to vector code, outlines the grid loops into kernels the runtime launches
/// and converts the module to the LLVM dialect.
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const CpuPipelineOptions &options = {});

/// Registers `--sdpa-pipeline="target=cpu [block-q=N] [block-k=N]
/// [vector-bits=N]"`.
void registerSdpaPipelines();

} // namespace sdpa

#endif // SDPA_COMPILER_PIPELINES_H
