//===- DeviceMemory.h - device allocations in guarded host memory -*- C++
//-*-===//
//
// Every allocation ends just before a PROT_NONE page (and starts after one),
// so a kernel reading past the end of a buffer faults as it would on a GPU
// instead of reading its neighbour. Starts are 256-byte aligned as
// cuMemAlloc's are, which leaves up to 255 bytes of slack before the guard.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_DEVICEMEMORY_H
#define SDPA_RUNTIME_CUDA_EMULATOR_DEVICEMEMORY_H

#include "runtime/cuda/emulator/Driver.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace sdpa {
namespace emu {

class DeviceMemory {
public:
  DeviceMemory() = default;
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;

  /// cuMemAlloc: `bytes` of memory filled with 0xFF, so that data read
  /// before it is written shows up as NaN.
  CUresult allocate(size_t bytes, uint64_t &pointer);
  /// cuMemFree of a pointer allocate() returned.
  CUresult release(uint64_t pointer);
  /// Whether [pointer, pointer + bytes) lies in one allocation.
  bool contains(uint64_t pointer, size_t bytes) const;

private:
  struct Mapping {
    void *base;
    size_t mappedBytes;
    size_t bytes;
  };
  mutable std::mutex mutex;
  /// By the pointer allocate() returned.
  std::map<uint64_t, Mapping> mappings;
};

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_DEVICEMEMORY_H
