//===- KernelModule.cpp - a loaded kernel library -------------------------===//
//
// The launcher hands over the library's bytes, not a file, as it would a
// cubin; dlopen needs a file, so the bytes go to an anonymous memfd that is
// opened through /proc/self/fd. The library leaves the kernel ABI functions
// undefined and is loaded RTLD_LOCAL (each module has its own shared memory
// array), so this library must be in the global scope for them to resolve
// to it; the launcher loads drivers RTLD_LOCAL, hence the promotion.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/KernelModule.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <mutex>
#include <sys/mman.h>
#include <unistd.h>

namespace sdpa {
namespace emu {

static const char kNotKernelLibrary[] =
    "not an sdpa emulation kernel library (compile with sdpa-compile "
    "--emulate)";
static const char kKernelPrefix[] = "__sdpa_emu_kernel_";

#if defined(__x86_64__)
static constexpr int kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
static constexpr int kHostMachine = EM_AARCH64;
#else
static constexpr int kHostMachine = -1; // Not checked.
#endif

/// Adds this library to the global scope (once: the flag sticks).
static void makeSelfGlobal() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    // A hidden function: an exported one could resolve to another copy of
    // the emulator. The handle is kept: kernel libraries bind to this one.
    if (::dladdr(reinterpret_cast<void *>(&makeSelfGlobal), &info) &&
        info.dli_fname)
      ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  });
}

/// Checks the ELF header at `bytes` and sets `size` to the file's length,
/// which ends with the section or the program headers; else sets `why`.
static bool elfSize(const unsigned char *bytes, size_t &size,
                    std::string &why) {
  // The image may be as short as its terminating NUL: compare byte by byte.
  for (int i = 0; i < SELFMAG; ++i) {
    if (bytes[i] != static_cast<unsigned char>(ELFMAG[i])) {
      why = kNotKernelLibrary;
      return false;
    }
  }
  if (bytes[EI_CLASS] != ELFCLASS64) {
    why = std::string(kNotKernelLibrary) + ": a 32-bit ELF file";
    return false;
  }
  Elf64_Ehdr header;
  std::memcpy(&header, bytes, sizeof(header));
  if (header.e_machine == EM_CUDA) {
    why = std::string(kNotKernelLibrary) + ": a CUDA cubin";
    return false;
  }
  if (header.e_type != ET_DYN ||
      (kHostMachine >= 0 && header.e_machine != kHostMachine)) {
    why = std::string(kNotKernelLibrary) +
          ": an ELF file but not a shared object for this CPU";
    return false;
  }
  uint64_t sections = header.e_shoff + static_cast<uint64_t>(header.e_shnum) *
                                           header.e_shentsize;
  uint64_t segments = header.e_phoff + static_cast<uint64_t>(header.e_phnum) *
                                           header.e_phentsize;
  size = std::max<uint64_t>({sections, segments, sizeof(header)});
  return true;
}

static std::string procPath(int fd) {
  // Not std::to_string, whose digit table is a unique symbol that would
  // keep the emulator from ever unloading.
  char path[32];
  std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  return path;
}

std::unique_ptr<KernelModule>
KernelModule::load(const void *image, CUresult &result, std::string &why) {
  result = CUDA_ERROR_INVALID_IMAGE;
  const unsigned char *bytes = static_cast<const unsigned char *>(image);
  size_t size = 0;
  if (!bytes) {
    why = "no image";
    return nullptr;
  }
  if (!elfSize(bytes, size, why))
    return nullptr;

  makeSelfGlobal();
  std::unique_ptr<KernelModule> module(new KernelModule());
  module->fd = ::memfd_create("sdpa-emulated-kernels", MFD_CLOEXEC);
  if (module->fd < 0) {
    result = CUDA_ERROR_OUT_OF_MEMORY;
    why = std::string("memfd_create: ") + std::strerror(errno);
    return nullptr;
  }
  for (size_t done = 0; done < size;) {
    ssize_t written = ::write(module->fd, bytes + done, size - done);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0) {
      result = CUDA_ERROR_OUT_OF_MEMORY;
      why = std::string("writing the library to a memfd: ") +
            std::strerror(errno);
      return nullptr;
    }
    done += static_cast<size_t>(written);
  }

  // dlopen returns a loaded library whose name matches before it looks at
  // the file, and a library loaded from a memfd of this number earlier may
  // still be loaded (dlclose need not unload): take another number then.
  std::string path = procPath(module->fd);
  while (void *stale = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    ::dlclose(stale);
    int other = ::fcntl(module->fd, F_DUPFD_CLOEXEC, module->fd + 1);
    if (other < 0) {
      result = CUDA_ERROR_OUT_OF_MEMORY;
      why = std::string("fcntl: ") + std::strerror(errno);
      return nullptr;
    }
    ::close(module->fd);
    module->fd = other;
    path = procPath(other);
  }
  module->handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->handle) {
    const char *error = ::dlerror();
    why = error ? error : "dlopen failed";
    return nullptr;
  }

  // Without these the library uses no shared memory.
  auto *capacity = static_cast<const int64_t *>(
      ::dlsym(module->handle, "__sdpa_emu_shared_size"));
  module->sharedMemory = static_cast<unsigned char *>(
      ::dlsym(module->handle, "__sdpa_emu_shared"));
  if (module->sharedMemory && capacity && *capacity > 0)
    module->sharedBytes = *capacity;
  result = CUDA_SUCCESS;
  return module;
}

KernelModule::~KernelModule() {
  if (handle)
    ::dlclose(handle);
  if (fd >= 0)
    ::close(fd);
}

KernelFunction *KernelModule::function(const std::string &name) {
  auto it = functions.find(name);
  if (it != functions.end())
    return it->second.get();
  void *symbol = ::dlsym(handle, (kKernelPrefix + name).c_str());
  if (!symbol)
    return nullptr;
  auto function = std::make_unique<KernelFunction>();
  function->module = this;
  function->entry = reinterpret_cast<KernelEntry>(symbol);
  function->name = name;
  return (functions[name] = std::move(function)).get();
}

} // namespace emu
} // namespace sdpa
