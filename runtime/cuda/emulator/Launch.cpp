//===- Launch.cpp - running a kernel launch block by block ----------------===//
//
// Blocks run one after the other in the order x, y, z on the calling thread,
// all in the one fiber runner, whose stacks thus serve every launch.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/Launch.h"

#include "runtime/cuda/emulator/FaultReport.h"

#include <cstring>
#include <mutex>

namespace sdpa {
namespace emu {

/// What a GPU of compute capability 8.0 allows.
static constexpr uint64_t kMaxThreadsPerBlock = 1024;
static constexpr uint32_t kMaxBlockZ = 64;
static constexpr uint32_t kMaxGridYZ = 65535;
static constexpr uint32_t kMaxGridX = 0x7fffffff;

/// Whether a GPU would run a launch of `config`, else why not.
static bool checkShape(const KernelFunction &function,
                       const LaunchConfig &config) {
  const uint32_t *grid = config.grid, *block = config.block;
  const char *name = function.name.c_str();
  uint64_t threads = static_cast<uint64_t>(block[0]) * block[1] * block[2];
  if (!grid[0] || !grid[1] || !grid[2] || !block[0] || !block[1] || !block[2]) {
    report("kernel %s: grid %ux%ux%u or block %ux%ux%u has a zero dimension",
           name, grid[0], grid[1], grid[2], block[0], block[1], block[2]);
    return false;
  }
  if (threads > kMaxThreadsPerBlock || block[2] > kMaxBlockZ) {
    report("kernel %s: block %ux%ux%u exceeds %llu threads or z %u", name,
           block[0], block[1], block[2],
           static_cast<unsigned long long>(kMaxThreadsPerBlock), kMaxBlockZ);
    return false;
  }
  if (grid[0] > kMaxGridX || grid[1] > kMaxGridYZ || grid[2] > kMaxGridYZ) {
    report("kernel %s: grid %ux%ux%u exceeds x %u or y, z %u", name, grid[0],
           grid[1], grid[2], kMaxGridX, kMaxGridYZ);
    return false;
  }
  return true;
}

CUresult launchKernel(const KernelFunction &function,
                      const LaunchConfig &config, unsigned sharedBytes) {
  if (!checkShape(function, config))
    return CUDA_ERROR_INVALID_VALUE;
  const char *name = function.name.c_str();
  if (sharedBytes > static_cast<unsigned>(function.maxDynamicShared)) {
    report("kernel %s: %u bytes of dynamic shared memory exceed its limit of "
           "%d (raise it with CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)",
           name, sharedBytes, function.maxDynamicShared);
    return CUDA_ERROR_INVALID_VALUE;
  }
  const KernelModule &module = *function.module;
  if (sharedBytes > module.sharedCapacity()) {
    report("kernel %s: %u bytes of dynamic shared memory exceed the %lld of "
           "its library's __sdpa_emu_shared",
           name, sharedBytes, static_cast<long long>(module.sharedCapacity()));
    return CUDA_ERROR_INVALID_VALUE;
  }

  Schedule schedule;
  std::string error;
  if (!Schedule::fromEnvironment(schedule, error)) {
    report("kernel %s: %s", name, error.c_str());
    return CUDA_ERROR_INVALID_VALUE;
  }

  static std::mutex mutex;
  static BlockRunner runner;
  std::lock_guard<std::mutex> lock(mutex);
  uint32_t threads = config.block[0] * config.block[1] * config.block[2];
  if (!runner.reserve(threads)) {
    report("kernel %s: no memory for the stacks of %u threads", name, threads);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  LaunchConfig blocks = config;
  blocks.shared = module.shared();
  blocks.sharedBytes = sharedBytes;
  FaultReport faults(name);
  uint32_t id[3];
  for (id[2] = 0; id[2] < config.grid[2]; ++id[2]) {
    for (id[1] = 0; id[1] < config.grid[1]; ++id[1]) {
      for (id[0] = 0; id[0] < config.grid[0]; ++id[0]) {
        // Shared memory starts out as NaNs (all ones), so that reading it
        // before writing it shows in the results.
        if (sharedBytes)
          std::memset(module.shared(), 0xFF, sharedBytes);
        if (!runner.run(blocks, id, schedule, error)) {
          report("kernel %s, block (%u,%u,%u): %s", name, id[0], id[1], id[2],
                 error.c_str());
          return CUDA_ERROR_LAUNCH_FAILED;
        }
      }
    }
  }
  return CUDA_SUCCESS;
}

} // namespace emu
} // namespace sdpa
