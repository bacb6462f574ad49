//===- KernelModule.h - a loaded kernel library ----------------*- C++ -*-===//
//
// What the emulator takes for a CUDA module: a shared object of kernels
// compiled for the host CPU (sdpa-compile --emulate) that exports, for each
// kernel K, `void __sdpa_emu_kernel_K(void **params)` running one GPU
// thread, plus the block's dynamic shared memory `__sdpa_emu_shared` and its
// capacity `int64_t __sdpa_emu_shared_size`.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_KERNELMODULE_H
#define SDPA_RUNTIME_CUDA_EMULATOR_KERNELMODULE_H

#include "runtime/cuda/emulator/BlockRunner.h"
#include "runtime/cuda/emulator/Driver.h"

#include <map>
#include <memory>
#include <string>

namespace sdpa {
namespace emu {

class KernelModule;

/// A CUfunction.
struct KernelFunction {
  KernelModule *module;
  KernelEntry entry;
  std::string name;
  /// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: what a launch may ask
  /// for without the kernel opting in is 48 KiB, as on a GPU.
  int maxDynamicShared = 48 * 1024;
};

/// A CUmodule.
class KernelModule {
public:
  /// Loads the kernel library whose ELF bytes start at `image` (there is no
  /// size: cuModuleLoadData has none). On failure returns null with
  /// `result` set and `why` saying what is wrong.
  static std::unique_ptr<KernelModule> load(const void *image, CUresult &result,
                                            std::string &why);
  ~KernelModule();
  KernelModule(const KernelModule &) = delete;
  KernelModule &operator=(const KernelModule &) = delete;

  /// Kernel `name` (without the __sdpa_emu_kernel_ prefix), the same
  /// object for each lookup; null when the library has no such kernel.
  KernelFunction *function(const std::string &name);

  /// The dynamic shared memory of the running block.
  unsigned char *shared() const { return sharedMemory; }
  int64_t sharedCapacity() const { return sharedBytes; }

private:
  KernelModule() = default;

  void *handle = nullptr;
  /// The memfd the library was loaded from, open while it is loaded (see
  /// load()).
  int fd = -1;
  unsigned char *sharedMemory = nullptr;
  int64_t sharedBytes = 0;
  std::map<std::string, std::unique_ptr<KernelFunction>> functions;
};

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_KERNELMODULE_H
