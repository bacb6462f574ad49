//===- RunArtifact.cpp - run a compiled artifact on its target ------------===//

#include "tools/common/RunArtifact.h"

#include "runtime/cpu/CpuArtifact.h"
#include "runtime/cpu/Manifest.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/cuda/CudaArtifact.h"

#include <chrono>
#include <memory>

using namespace sdpa;

namespace {
/// Output arrays shaped as the manifest says, and views of inputs and
/// outputs for a launcher.
struct Buffers {
  Buffers(const rt::Manifest &manifest, std::vector<npy::Array> &inputs,
          std::vector<npy::Array> &results) {
    results.clear();
    for (const rt::TensorSpec &spec : manifest.outputs)
      results.push_back(npy::Array::zeros(spec.dtype, spec.shape));
    for (npy::Array &array : inputs)
      in.push_back({array.dtype, array.shape, {}, array.bytes.data()});
    for (npy::Array &array : results)
      out.push_back({array.dtype, array.shape, {}, array.bytes.data()});
  }
  std::vector<rt::TensorRef> in, out;
};
} // namespace

bool sdpa::runArtifact(const std::string &directory, const std::string &target,
                       std::vector<npy::Array> inputs, unsigned benchRuns,
                       unsigned threads, ArtifactRun &run, std::string &error) {
  run.times.clear();
  if (target == "nvptx") {
    std::unique_ptr<rt::CudaArtifact> artifact =
        rt::CudaArtifact::load(directory, error);
    if (!artifact)
      return false;
    run.device = artifact->deviceDescription();
    Buffers buffers(artifact->manifest(), inputs, run.results);
    if (!artifact->run(buffers.in, buffers.out, error))
      return false;
    return benchRuns == 0 ||
           artifact->time(buffers.in, buffers.out, benchRuns, run.times, error);
  }
  std::unique_ptr<rt::CpuArtifact> artifact =
      rt::CpuArtifact::load(directory, error);
  if (!artifact)
    return false;
  Buffers buffers(artifact->manifest(), inputs, run.results);
  rt::ThreadPool pool(threads);
  if (!artifact->run(buffers.in, buffers.out, pool, error))
    return false;
  for (unsigned r = 0; r < benchRuns; ++r) {
    auto start = std::chrono::steady_clock::now();
    artifact->run(buffers.in, buffers.out, pool, error);
    auto stop = std::chrono::steady_clock::now();
    run.times.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
  }
  return true;
}
