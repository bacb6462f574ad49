//===- RunArtifact.cpp - run a compiled artifact on its target ------------===//

#include "tools/common/RunArtifact.h"

#include "runtime/cpu/CpuArtifact.h"
#include "runtime/cpu/Manifest.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/cuda/CudaArtifact.h"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <unistd.h>

using namespace sdpa;

namespace {
/// Views of the inputs for a launcher.
std::vector<rt::TensorRef> viewsOf(std::vector<npy::Array> &arrays) {
  std::vector<rt::TensorRef> views;
  for (npy::Array &array : arrays)
    views.push_back({array.dtype, array.shape, {}, array.bytes.data()});
  return views;
}

/// Output arrays of `shapes` with the manifest's dtypes, and their views.
std::vector<rt::TensorRef>
allocateOutputs(const rt::Manifest &manifest,
                const std::vector<std::vector<int64_t>> &shapes,
                std::vector<npy::Array> &results) {
  results.clear();
  for (size_t k = 0; k < manifest.outputs.size(); ++k)
    results.push_back(npy::Array::zeros(manifest.outputs[k].dtype, shapes[k]));
  return viewsOf(results);
}
/// Points SDPA_CUDA_DRIVER at the CUDA emulator beside this tool
/// (`<bin>/../lib/libsdpa-cuda-emulator.so` in the build tree, the library
/// directory when installed), unless the user chose a driver.
void selectEmulator() {
  const char *chosen = std::getenv("SDPA_CUDA_DRIVER");
  if (chosen && *chosen)
    return;
  char exe[4096];
  ssize_t length = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (length <= 0)
    return;
  std::string prefix(exe, length);
  prefix = prefix.substr(0, prefix.rfind('/'));
  prefix = prefix.substr(0, prefix.rfind('/'));
  for (const char *dir : {"lib", SDPA_INSTALL_LIBDIR}) {
    std::string path = prefix + "/" + dir + "/libsdpa-cuda-emulator.so";
    if (::access(path.c_str(), R_OK) == 0) {
      ::setenv("SDPA_CUDA_DRIVER", path.c_str(), 1);
      return;
    }
  }
}
} // namespace

bool sdpa::runArtifact(const std::string &directory, const std::string &target,
                       std::vector<npy::Array> inputs, unsigned benchRuns,
                       unsigned threads, ArtifactRun &run, std::string &error) {
  run.times.clear();
  if (target == "nvptx") {
    // Emulated artifacts run on the emulator without further ado.
    rt::Manifest manifest;
    std::string ignored;
    if (rt::loadManifest(directory, "nvptx", manifest, ignored) &&
        manifest.emulated)
      selectEmulator();
    std::unique_ptr<rt::CudaArtifact> artifact =
        rt::CudaArtifact::load(directory, error);
    if (!artifact)
      return false;
    run.device = artifact->deviceDescription();
    // GPU artifacts have static shapes.
    std::vector<std::vector<int64_t>> shapes;
    for (const rt::TensorSpec &spec : artifact->manifest().outputs)
      shapes.push_back(spec.shape);
    std::vector<rt::TensorRef> in = viewsOf(inputs);
    std::vector<rt::TensorRef> out =
        allocateOutputs(artifact->manifest(), shapes, run.results);
    if (!artifact->run(in, out, error))
      return false;
    return benchRuns == 0 ||
           artifact->time(in, out, benchRuns, run.times, error);
  }
  std::unique_ptr<rt::CpuArtifact> artifact =
      rt::CpuArtifact::load(directory, error);
  if (!artifact)
    return false;
  std::vector<rt::TensorRef> in = viewsOf(inputs);
  std::vector<std::vector<int64_t>> shapes;
  if (!artifact->outputShapes(in, shapes, error))
    return false;
  std::vector<rt::TensorRef> out =
      allocateOutputs(artifact->manifest(), shapes, run.results);
  rt::ThreadPool pool(threads);
  if (!artifact->run(in, out, pool, error))
    return false;
  for (unsigned r = 0; r < benchRuns; ++r) {
    auto start = std::chrono::steady_clock::now();
    artifact->run(in, out, pool, error);
    auto stop = std::chrono::steady_clock::now();
    run.times.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
  }
  return true;
}
