//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//
//
// cuda.h maps most names to versioned symbols (cuMemAlloc is cuMemAlloc_v2);
// the unversioned symbols are kept by the driver for old binaries and have
// 32-bit sizes, so each entry point is resolved by the name cuda.h would
// link, falling back to an older name only where newer drivers added the
// versioned one.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaDriver.h"

#include <cstdlib>
#include <dlfcn.h>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>

namespace sdpa {
namespace rt {

static const char kDefaultDriver[] = "libcuda.so.1";

/// Sets `function` to the first of `names` that `handle` exports; on failure
/// appends the preferred name to `missing`.
template <typename Function>
static void resolve(void *handle, Function &function,
                    std::initializer_list<const char *> names,
                    std::string &missing) {
  for (const char *name : names) {
    if (void *symbol = ::dlsym(handle, name)) {
      function = reinterpret_cast<Function>(symbol);
      return;
    }
  }
  if (missing.empty())
    missing = *names.begin();
}

const CudaDriver *CudaDriver::get(std::string &error) {
  const char *variable = std::getenv("SDPA_CUDA_DRIVER");
  std::string path = variable && *variable ? variable : kDefaultDriver;

  // Loaded drivers, by path; never freed (see the header).
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<CudaDriver>> drivers;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = drivers.find(path);
  if (it != drivers.end())
    return it->second.get();

  void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = ::dlerror();
    error = "no CUDA driver: cannot load " + path + ": " +
            (why ? why : "unknown error");
    return nullptr;
  }
  std::unique_ptr<CudaDriver> driver(new CudaDriver());
  CudaDriver &d = *driver;
  std::string missing;
  resolve(handle, d.cuInit, {"cuInit"}, missing);
  resolve(handle, d.cuDeviceGetCount, {"cuDeviceGetCount"}, missing);
  resolve(handle, d.cuDeviceGet, {"cuDeviceGet"}, missing);
  resolve(handle, d.cuDeviceGetName, {"cuDeviceGetName"}, missing);
  resolve(handle, d.cuDeviceGetAttribute, {"cuDeviceGetAttribute"}, missing);
  resolve(handle, d.cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"},
          missing);
  resolve(handle, d.cuDevicePrimaryCtxRelease,
          {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"},
          missing);
  resolve(handle, d.cuCtxSetCurrent, {"cuCtxSetCurrent"}, missing);
  resolve(handle, d.cuCtxSynchronize, {"cuCtxSynchronize"}, missing);
  resolve(handle, d.cuModuleLoadData, {"cuModuleLoadData"}, missing);
  resolve(handle, d.cuModuleLoadDataEx, {"cuModuleLoadDataEx"}, missing);
  resolve(handle, d.cuModuleUnload, {"cuModuleUnload"}, missing);
  resolve(handle, d.cuModuleGetFunction, {"cuModuleGetFunction"}, missing);
  resolve(handle, d.cuFuncSetAttribute, {"cuFuncSetAttribute"}, missing);
  resolve(handle, d.cuMemAlloc, {"cuMemAlloc_v2"}, missing);
  resolve(handle, d.cuMemFree, {"cuMemFree_v2"}, missing);
  resolve(handle, d.cuMemcpyHtoD, {"cuMemcpyHtoD_v2"}, missing);
  resolve(handle, d.cuMemcpyDtoH, {"cuMemcpyDtoH_v2"}, missing);
  resolve(handle, d.cuLaunchKernel, {"cuLaunchKernel"}, missing);
  resolve(handle, d.cuEventCreate, {"cuEventCreate"}, missing);
  resolve(handle, d.cuEventRecord, {"cuEventRecord"}, missing);
  resolve(handle, d.cuEventSynchronize, {"cuEventSynchronize"}, missing);
  // The _v2 appeared in CUDA 12.8; both have the same signature.
  resolve(handle, d.cuEventElapsedTime,
          {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, missing);
  resolve(handle, d.cuEventDestroy, {"cuEventDestroy_v2"}, missing);
  resolve(handle, d.cuGetErrorName, {"cuGetErrorName"}, missing);
  resolve(handle, d.cuGetErrorString, {"cuGetErrorString"}, missing);
  if (!missing.empty()) {
    error = "no CUDA driver: " + path + " does not export " + missing +
            " (the driver is too old, or not a CUDA driver)";
    ::dlclose(handle);
    return nullptr;
  }
  // The emulator exports what emulated kernels call; a real driver does not.
  d.emulator = ::dlsym(handle, "__sdpa_emu_barrier") != nullptr;
  d.path = path;
  return (drivers[path] = std::move(driver)).get();
}

bool CudaDriver::check(CUresult result, const char *call,
                       std::string &error) const {
  if (result == CUDA_SUCCESS)
    return true;
  // Both lookups fail for codes this driver does not know.
  const char *name = nullptr;
  const char *text = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = nullptr;
  if (cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
    text = nullptr;
  error = std::string(call) + " failed: " +
          (name ? std::string(name) : "CUDA error " + std::to_string(result));
  if (text)
    error += std::string(" (") + text + ")";
  return false;
}

} // namespace rt
} // namespace sdpa
