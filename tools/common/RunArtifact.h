//===- RunArtifact.h - run a compiled artifact on its target ---*- C++ -*-===//
//
// What sdpa-run and sdpa-launch do with an artifact directory: load it with
// the launcher of its manifest's target (the CPU thread pool or the CUDA
// driver), run it once on the inputs, and time further runs for --bench.
// Plain C++ over the runtime, so sdpa-launch builds without LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_TOOLS_COMMON_RUNARTIFACT_H
#define SDPA_TOOLS_COMMON_RUNARTIFACT_H

#include "runtime/npy/Npy.h"

#include <string>
#include <vector>

namespace sdpa {

struct ArtifactRun {
  /// The outputs, in manifest order.
  std::vector<npy::Array> results;
  /// Milliseconds of each timed run: wall time of a launch on the CPU,
  /// CUDA-event time of the kernels (copies excluded) on the GPU.
  std::vector<double> times;
  /// The GPU the artifact ran on ("NVIDIA H100 ..., sm_90"); empty on the
  /// CPU.
  std::string device;
};

/// Runs the artifact for `target` (`cpu` or `nvptx`) in `directory` on
/// `inputs` (checked against its manifest), then `benchRuns` more times,
/// timed. CPU artifacts run on `threads` threads (0: all cores). On failure
/// sets `error` and returns false.
bool runArtifact(const std::string &directory, const std::string &target,
                 std::vector<npy::Array> inputs, unsigned benchRuns,
                 unsigned threads, ArtifactRun &run, std::string &error);

} // namespace sdpa

#endif // SDPA_TOOLS_COMMON_RUNARTIFACT_H
