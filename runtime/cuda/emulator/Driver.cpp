//===- Driver.cpp - the CUDA driver entry points of the emulator ----------===//
//
// One device, "sdpa CPU emulator" of compute capability 8.0, whose memory is
// host memory and whose launches have finished when cuLaunchKernel returns.
// The symbols are those runtime/cuda/CudaDriver.cpp resolves (the _v2 ones
// where cuda.h has them), plus the unversioned names where both have the
// same signature. Handles are checked against the live ones, since the
// emulator is for finding bugs: a stale handle is an error, not a crash.
//
// As on a GPU, a failed launch is sticky: launches, copies, allocations,
// module loads and synchronisations return its error until the primary
// context is released for good. Freeing and unloading still work, so the
// launcher's cleanup does not leak.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/Driver.h"
#include "runtime/cuda/emulator/DeviceMemory.h"
#include "runtime/cuda/emulator/KernelModule.h"
#include "runtime/cuda/emulator/Launch.h"

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

using namespace sdpa::emu;

namespace {
struct Event {
  bool recorded = false;
  std::chrono::steady_clock::time_point time;
};
} // namespace

static std::atomic<bool> initialized{false};
static std::atomic<int> contextRefs{0};
static std::atomic<CUresult> stickyError{CUDA_SUCCESS};
/// The primary context: its address is the CUcontext.
static char primaryContext;
static thread_local void *currentContext = nullptr;
static DeviceMemory memory;

/// The live handles. Modules are not freed at exit: unloading libraries
/// from a destructor that runs during exit is not safe.
static std::mutex handleMutex;
static std::set<KernelModule *> modules;
static std::set<KernelFunction *> functions;
static std::set<Event *> events;

void sdpa::emu::report(const char *format, ...) {
  char text[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof(text), format, args);
  va_end(args);
  // One call, so that messages of concurrent calls do not interleave.
  std::fprintf(stderr, "sdpa CUDA emulator: %s\n", text);
}

/// What most calls check first: cuInit, then a current context when
/// `needsContext`.
static CUresult enter(bool needsContext) {
  if (!initialized)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (needsContext && (currentContext != &primaryContext || contextRefs <= 0))
    return CUDA_ERROR_INVALID_CONTEXT;
  return CUDA_SUCCESS;
}

/// enter(true), then the sticky error of a failed launch.
static CUresult enterWork() {
  CUresult result = enter(true);
  return result ? result : stickyError.load();
}

static bool liveFunction(KernelFunction *function) {
  std::lock_guard<std::mutex> lock(handleMutex);
  return functions.count(function) != 0;
}

static bool liveEvent(Event *event) {
  std::lock_guard<std::mutex> lock(handleMutex);
  return events.count(event) != 0;
}

/// Loads `image` into *module; on failure writes why into `log` (`logSize`
/// bytes) or, without a log, to stderr.
static CUresult loadModule(void **module, const void *image, char *log,
                           size_t logSize) {
  if (!module)
    return CUDA_ERROR_INVALID_VALUE;
  CUresult result = CUDA_SUCCESS;
  std::string why;
  std::unique_ptr<KernelModule> loaded = KernelModule::load(image, result, why);
  if (!loaded) {
    if (log && logSize)
      std::snprintf(log, logSize, "%s", why.c_str());
    else
      report("cannot load module: %s", why.c_str());
    return result;
  }
  std::lock_guard<std::mutex> lock(handleMutex);
  modules.insert(loaded.get());
  *module = loaded.release();
  return CUDA_SUCCESS;
}

extern "C" {

SDPA_EMU_EXPORT CUresult cuInit(unsigned flags) {
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  initialized = true;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuDeviceGetCount(int *count) {
  if (CUresult result = enter(false))
    return result;
  if (!count)
    return CUDA_ERROR_INVALID_VALUE;
  *count = 1;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  if (CUresult result = enter(false))
    return result;
  if (!device)
    return CUDA_ERROR_INVALID_VALUE;
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuDeviceGetName(char *name, int length, int device) {
  if (CUresult result = enter(false))
    return result;
  if (!name || length <= 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(length), "sdpa CPU emulator");
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute,
                                              int device) {
  if (CUresult result = enter(false))
    return result;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  if (!value)
    return CUDA_ERROR_INVALID_VALUE;
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = 8;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = 0;
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

SDPA_EMU_EXPORT CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  if (CUresult result = enter(false))
    return result;
  if (!context)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  ++contextRefs;
  *context = &primaryContext;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  if (CUresult result = enter(false))
    return result;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  int refs = contextRefs.load();
  do {
    if (refs <= 0)
      return CUDA_ERROR_INVALID_CONTEXT;
  } while (!contextRefs.compare_exchange_weak(refs, refs - 1));
  // The last release destroys the context, and its sticky error with it.
  if (refs == 1)
    stickyError = CUDA_SUCCESS;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuDevicePrimaryCtxRelease(int device) {
  return cuDevicePrimaryCtxRelease_v2(device);
}

SDPA_EMU_EXPORT CUresult cuCtxSetCurrent(void *context) {
  if (CUresult result = enter(false))
    return result;
  if (context && context != &primaryContext)
    return CUDA_ERROR_INVALID_CONTEXT;
  currentContext = context;
  return CUDA_SUCCESS;
}

/// Launches are synchronous: all there is to wait for is their outcome.
SDPA_EMU_EXPORT CUresult cuCtxSynchronize(void) { return enterWork(); }

SDPA_EMU_EXPORT CUresult cuModuleLoadData(void **module, const void *image) {
  if (CUresult result = enterWork())
    return result;
  return loadModule(module, image, nullptr, 0);
}

SDPA_EMU_EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image,
                                            unsigned numOptions, int *options,
                                            void **values) {
  if (CUresult result = enterWork())
    return result;
  if (numOptions && (!options || !values))
    return CUDA_ERROR_INVALID_VALUE;
  char *log = nullptr;
  size_t logSize = 0;
  unsigned sizeOption = numOptions;
  for (unsigned i = 0; i < numOptions; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER) {
      log = static_cast<char *>(values[i]);
    } else if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) {
      logSize = reinterpret_cast<uintptr_t>(values[i]);
      sizeOption = i;
    }
  }
  if (log && logSize)
    log[0] = '\0';
  CUresult result = loadModule(module, image, log, logSize);
  // As the JIT does, say how much of the log was written.
  if (log && logSize && sizeOption < numOptions)
    values[sizeOption] =
        reinterpret_cast<void *>(static_cast<uintptr_t>(std::strlen(log)));
  return result;
}

SDPA_EMU_EXPORT CUresult cuModuleUnload(void *module) {
  if (CUresult result = enter(true))
    return result;
  KernelModule *loaded = static_cast<KernelModule *>(module);
  {
    std::lock_guard<std::mutex> lock(handleMutex);
    if (!modules.erase(loaded))
      return CUDA_ERROR_INVALID_HANDLE;
    for (auto it = functions.begin(); it != functions.end();)
      it = (*it)->module == loaded ? functions.erase(it) : std::next(it);
  }
  delete loaded;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuModuleGetFunction(void **function, void *module,
                                             const char *name) {
  if (CUresult result = enter(true))
    return result;
  if (!function || !name)
    return CUDA_ERROR_INVALID_VALUE;
  KernelModule *loaded = static_cast<KernelModule *>(module);
  std::lock_guard<std::mutex> lock(handleMutex);
  if (!modules.count(loaded))
    return CUDA_ERROR_INVALID_HANDLE;
  KernelFunction *found = loaded->function(name);
  if (!found)
    return CUDA_ERROR_NOT_FOUND;
  functions.insert(found);
  *function = found;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuFuncSetAttribute(void *function, int attribute,
                                            int value) {
  if (CUresult result = enter(true))
    return result;
  KernelFunction *f = static_cast<KernelFunction *>(function);
  if (!liveFunction(f))
    return CUDA_ERROR_INVALID_HANDLE;
  // The launch checks the size against the library's shared memory.
  if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES || value < 0)
    return CUDA_ERROR_INVALID_VALUE;
  f->maxDynamicShared = value;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuMemAlloc_v2(unsigned long long *pointer,
                                       size_t bytes) {
  if (CUresult result = enterWork())
    return result;
  if (!pointer)
    return CUDA_ERROR_INVALID_VALUE;
  uint64_t allocated = 0;
  CUresult result = memory.allocate(bytes, allocated);
  if (result == CUDA_SUCCESS)
    *pointer = allocated;
  return result;
}

SDPA_EMU_EXPORT CUresult cuMemFree_v2(unsigned long long pointer) {
  if (CUresult result = enter(true))
    return result;
  return memory.release(pointer);
}

SDPA_EMU_EXPORT CUresult cuMemcpyHtoD_v2(unsigned long long device,
                                         const void *host, size_t bytes) {
  if (CUresult result = enterWork())
    return result;
  if (bytes == 0)
    return CUDA_SUCCESS;
  if (!host || !memory.contains(device, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(reinterpret_cast<void *>(device), host, bytes);
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuMemcpyDtoH_v2(void *host, unsigned long long device,
                                         size_t bytes) {
  if (CUresult result = enterWork())
    return result;
  if (bytes == 0)
    return CUDA_SUCCESS;
  if (!host || !memory.contains(device, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(host, reinterpret_cast<const void *>(device), bytes);
  return CUDA_SUCCESS;
}

/// Runs the whole grid before returning; `stream` is ignored, since there
/// is nothing to overlap with.
SDPA_EMU_EXPORT CUresult cuLaunchKernel(void *function, unsigned gridX,
                                        unsigned gridY, unsigned gridZ,
                                        unsigned blockX, unsigned blockY,
                                        unsigned blockZ, unsigned sharedBytes,
                                        void *stream, void **params,
                                        void **extra) {
  if (CUresult result = enterWork())
    return result;
  KernelFunction *f = static_cast<KernelFunction *>(function);
  if (!liveFunction(f))
    return CUDA_ERROR_INVALID_HANDLE;
  if (extra) {
    report("kernel %s: launch with `extra`; the emulator takes arguments "
           "through `params` only",
           f->name.c_str());
    return CUDA_ERROR_INVALID_VALUE;
  }
  LaunchConfig config;
  config.kernel = f->entry;
  config.params = params;
  config.grid[0] = gridX;
  config.grid[1] = gridY;
  config.grid[2] = gridZ;
  config.block[0] = blockX;
  config.block[1] = blockY;
  config.block[2] = blockZ;
  CUresult result = launchKernel(*f, config, sharedBytes);
  if (result == CUDA_ERROR_LAUNCH_FAILED)
    stickyError = result;
  return result;
}

SDPA_EMU_EXPORT CUresult cuEventCreate(void **event, unsigned flags) {
  if (CUresult result = enter(true))
    return result;
  if (!event)
    return CUDA_ERROR_INVALID_VALUE;
  Event *created = new Event();
  std::lock_guard<std::mutex> lock(handleMutex);
  events.insert(created);
  *event = created;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuEventRecord(void *event, void *stream) {
  if (CUresult result = enter(true))
    return result;
  Event *e = static_cast<Event *>(event);
  if (!liveEvent(e))
    return CUDA_ERROR_INVALID_HANDLE;
  e->recorded = true;
  e->time = std::chrono::steady_clock::now();
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuEventSynchronize(void *event) {
  if (CUresult result = enterWork())
    return result;
  return liveEvent(static_cast<Event *>(event)) ? CUDA_SUCCESS
                                                : CUDA_ERROR_INVALID_HANDLE;
}

SDPA_EMU_EXPORT CUresult cuEventElapsedTime_v2(float *milliseconds, void *start,
                                               void *end) {
  if (CUresult result = enter(true))
    return result;
  Event *first = static_cast<Event *>(start);
  Event *last = static_cast<Event *>(end);
  if (!milliseconds)
    return CUDA_ERROR_INVALID_VALUE;
  if (!liveEvent(first) || !liveEvent(last) || !first->recorded ||
      !last->recorded)
    return CUDA_ERROR_INVALID_HANDLE;
  *milliseconds =
      std::chrono::duration<float, std::milli>(last->time - first->time)
          .count();
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuEventElapsedTime(float *milliseconds, void *start,
                                            void *end) {
  return cuEventElapsedTime_v2(milliseconds, start, end);
}

SDPA_EMU_EXPORT CUresult cuEventDestroy_v2(void *event) {
  if (CUresult result = enter(true))
    return result;
  Event *e = static_cast<Event *>(event);
  {
    std::lock_guard<std::mutex> lock(handleMutex);
    if (!events.erase(e))
      return CUDA_ERROR_INVALID_HANDLE;
  }
  delete e;
  return CUDA_SUCCESS;
}

SDPA_EMU_EXPORT CUresult cuEventDestroy(void *event) {
  return cuEventDestroy_v2(event);
}

} // extern "C"

namespace {
struct ErrorEntry {
  CUresult code;
  const char *name;
  const char *text;
};
} // namespace

static const ErrorEntry kErrors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED",
     "initialization error"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE",
     "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE",
     "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT",
     "invalid device context"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE",
     "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED",
     "unspecified launch failure"},
};

/// The entry of kErrors for `error`, or null.
static const ErrorEntry *findError(CUresult error) {
  for (const ErrorEntry &entry : kErrors)
    if (entry.code == error)
      return &entry;
  return nullptr;
}

extern "C" {

/// Like the real driver's, these work before cuInit and fail for codes
/// they do not know.
SDPA_EMU_EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  if (!name)
    return CUDA_ERROR_INVALID_VALUE;
  const ErrorEntry *entry = findError(error);
  *name = entry ? entry->name : nullptr;
  return entry ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

SDPA_EMU_EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
  if (!text)
    return CUDA_ERROR_INVALID_VALUE;
  const ErrorEntry *entry = findError(error);
  *text = entry ? entry->text : nullptr;
  return entry ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

} // extern "C"
