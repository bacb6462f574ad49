//===- CudaArtifact.h - loading and running compiled GPU kernels -*- C++
//-*-===//
//
// A GPU artifact is a directory with manifest.txt (target nvptx), a PTX file
// (`library`) and optionally a cubin for the manifest's `chip`. The kernels
// take bare arguments: a device pointer for every tensor (inputs, outputs and
// scratch buffers, all C order) and the value of every rank-0 input, in the
// order each `launch` record lists them. The launches run in manifest order
// on the default stream of device 0's primary context. Where sizes inside
// the entry come from its scalars, the manifest's shape function (in the
// `host` library) checks them on the host first.
//
// The CUDA driver is loaded at run time (see CudaDriver.h): without a driver
// or a GPU, load() returns an error message.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_CUDAARTIFACT_H
#define SDPA_RUNTIME_CUDA_CUDAARTIFACT_H

#include "runtime/cpu/CpuArtifact.h"
#include "runtime/cpu/Manifest.h"
#include "runtime/cuda/CudaDriver.h"

#include <memory>
#include <string>
#include <vector>

namespace sdpa {
namespace rt {

class CudaArtifact {
public:
  /// Loads the artifact in directory `dir` onto device 0. On failure returns
  /// null and sets `error`: the manifest cannot be read, is malformed or not
  /// for target `nvptx`; there is no CUDA driver or no GPU; the module does
  /// not load (for PTX, with the JIT compiler's log); or it lacks a kernel.
  /// The cubin is used when the device's compute capability is the
  /// manifest's chip, the PTX otherwise.
  static std::unique_ptr<CudaArtifact> load(const std::string &dir,
                                            std::string &error);
  ~CudaArtifact();
  CudaArtifact(const CudaArtifact &) = delete;
  CudaArtifact &operator=(const CudaArtifact &) = delete;

  const Manifest &manifest() const { return manifestData; }

  /// Device name and compute capability, for messages
  /// ("NVIDIA H100 80GB HBM3, sm_90").
  std::string deviceDescription() const { return description; }

  /// Checks every tensor against the manifest as CpuArtifact::run does
  /// (checkTensors) and the rules of the shape function, if any, copies the
  /// inputs to the device, runs every launch in order, synchronises and copies
  /// the outputs back. On a mismatch nothing runs; on a driver error the
  /// message names the call and the CUDA error. Makes the artifact's context
  /// current on the calling thread. Concurrent calls are safe: each allocates
  /// its own device memory.
  bool run(const std::vector<TensorRef> &inputs,
           const std::vector<TensorRef> &outputs, std::string &error);

  /// Like run, but runs the launch sequence `runs` (>= 1) times after one
  /// warm-up and sets `milliseconds` to each run's kernel time, measured
  /// with CUDA events around the launches only (copies excluded). The
  /// outputs are those of the last run.
  bool time(const std::vector<TensorRef> &inputs,
            const std::vector<TensorRef> &outputs, int runs,
            std::vector<double> &milliseconds, std::string &error);

private:
  CudaArtifact() = default;

  /// run (timed == null) or time.
  bool execute(const std::vector<TensorRef> &inputs,
               const std::vector<TensorRef> &outputs, int runs,
               std::vector<double> *timed, std::string &error);
  /// Launches every kernel once, with params[i] the arguments of launch i.
  bool launchAll(std::vector<std::vector<void *>> &params, std::string &error);

  Manifest manifestData;
  const CudaDriver *driver = nullptr;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  /// The kernel of each launch.
  std::vector<CUfunction> functions;
  /// The `host` library and its shape function, when the manifest has one.
  void *host = nullptr;
  void (*shapeFunction)(void **) = nullptr;
  std::string description;
};

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_CUDAARTIFACT_H
