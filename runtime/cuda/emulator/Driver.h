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

#include "runtime/cuda/CudaDriver.h"

#define SDPA_EMU_EXPORT __attribute__((visibility("default")))

namespace sdpa {
namespace emu {

// cuda.h's types and values, as the launcher declares them.
using namespace ::sdpa::rt;

/// Writes "sdpa CUDA emulator: <message>\n" to stderr: the driver API has
/// no way to say why a launch failed.
void report(const char *format, ...) __attribute__((format(printf, 1, 2)));

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_DRIVER_H
