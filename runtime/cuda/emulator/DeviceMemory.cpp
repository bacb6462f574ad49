//===- DeviceMemory.cpp - device allocations in guarded host memory -------===//

#include "runtime/cuda/emulator/DeviceMemory.h"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace sdpa {
namespace emu {

static constexpr size_t kAlignment = 256;

static size_t roundUp(size_t value, size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

DeviceMemory::~DeviceMemory() {
  for (const auto &entry : mappings)
    ::munmap(entry.second.base, entry.second.mappedBytes);
}

CUresult DeviceMemory::allocate(size_t bytes, uint64_t &pointer) {
  if (bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  // The fill below would touch every page: refuse what cannot fit rather
  // than wake the OOM killer.
  size_t physical = static_cast<size_t>(::sysconf(_SC_PHYS_PAGES)) * page;
  if (bytes > physical || bytes > SIZE_MAX / 2)
    return CUDA_ERROR_OUT_OF_MEMORY;
  // [guard page][data pages][guard page], the data flush with the end.
  size_t span = roundUp(roundUp(bytes, kAlignment), page);
  size_t mappedBytes = span + 2 * page;
  void *base = ::mmap(nullptr, mappedBytes, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return CUDA_ERROR_OUT_OF_MEMORY;
  char *data = static_cast<char *>(base) + page;
  if (::mprotect(data, span, PROT_READ | PROT_WRITE) != 0) {
    ::munmap(base, mappedBytes);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  char *start = data + span - roundUp(bytes, kAlignment);
  std::memset(start, 0xFF, bytes);
  pointer = reinterpret_cast<uintptr_t>(start);
  std::lock_guard<std::mutex> lock(mutex);
  mappings[pointer] = {base, mappedBytes, bytes};
  return CUDA_SUCCESS;
}

CUresult DeviceMemory::release(uint64_t pointer) {
  Mapping mapping;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = mappings.find(pointer);
    if (it == mappings.end())
      return CUDA_ERROR_INVALID_VALUE;
    mapping = it->second;
    mappings.erase(it);
  }
  ::munmap(mapping.base, mapping.mappedBytes);
  return CUDA_SUCCESS;
}

bool DeviceMemory::contains(uint64_t pointer, size_t bytes) const {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = mappings.upper_bound(pointer);
  if (it == mappings.begin())
    return false;
  --it;
  uint64_t offset = pointer - it->first;
  return offset <= it->second.bytes && bytes <= it->second.bytes - offset;
}

} // namespace emu
} // namespace sdpa
