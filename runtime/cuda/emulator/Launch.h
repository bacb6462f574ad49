//===- Launch.h - running a kernel launch block by block -------*- C++ -*-===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_LAUNCH_H
#define SDPA_RUNTIME_CUDA_EMULATOR_LAUNCH_H

#include "runtime/cuda/emulator/KernelModule.h"

namespace sdpa {
namespace emu {

/// cuLaunchKernel of `function`, run to the end before returning, one
/// launch at a time. Returns CUDA_ERROR_INVALID_VALUE for a launch a GPU
/// would refuse and CUDA_ERROR_LAUNCH_FAILED for one whose threads cannot
/// all finish, each with a message on stderr.
CUresult launchKernel(const KernelFunction &function,
                      const LaunchConfig &config, unsigned sharedBytes);

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_LAUNCH_H
