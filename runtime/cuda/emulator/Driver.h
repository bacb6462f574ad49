//===- Driver.h - what the emulator's files share --------------*- C++ -*-===//
//
// The library is built with hidden visibility: it exports only the CUDA
// driver entry points (Driver.cpp) and the kernel ABI (KernelAbi.cpp), so
// that its C++ internals cannot clash with the kernel libraries it loads
// into the global scope.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_DRIVER_H
#define SDPA_RUNTIME_CUDA_EMULATOR_DRIVER_H

#define SDPA_EMU_EXPORT __attribute__((visibility("default")))

namespace sdpa {
namespace emu {

/// cuda.h's result codes, those the emulator returns.
using CUresult = int;
enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_IMAGE = 200,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_LAUNCH_FAILED = 719,
};

/// Writes "sdpa CUDA emulator: <message>\n" to stderr: the driver API has
/// no way to say why a launch failed.
void report(const char *format, ...) __attribute__((format(printf, 1, 2)));

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_DRIVER_H
