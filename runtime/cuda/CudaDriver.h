//===- CudaDriver.h - the CUDA driver API, loaded at run time --*- C++ -*-===//
//
// The few driver API types and entry points the launcher uses, declared here
// and resolved with dlopen/dlsym from libcuda.so.1 (or from the library named
// by the environment variable SDPA_CUDA_DRIVER, which tests point at a fake
// driver). Nothing links against libcuda and no CUDA header is needed, so the
// runtime builds everywhere and a machine without a GPU gets an error
// message, not a loader failure.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_CUDADRIVER_H
#define SDPA_RUNTIME_CUDA_CUDADRIVER_H

#include <cstddef>
#include <string>

namespace sdpa {
namespace rt {

// The driver API's own names and values (cuda.h), so that calls read as in
// NVIDIA's documentation.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_STUB_LIBRARY = 34,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_IMAGE = 200,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_LAUNCH_FAILED = 719,
};
enum : int {
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

/// The driver's entry points. Each pointer has the signature of the cuda.h
/// function it is named after (the `_v2` symbol where the driver has one).
class CudaDriver {
public:
  /// The driver of this process: libcuda.so.1, or $SDPA_CUDA_DRIVER when set
  /// and not empty. Returns null and sets `error` ("no CUDA driver: ...")
  /// when the library does not load or lacks an entry point. A driver stays
  /// loaded until the process exits: libcuda starts threads and registers
  /// exit handlers, so unloading it is not safe.
  static const CudaDriver *get(std::string &error);

  /// When `result` is not CUDA_SUCCESS, sets `error` to "<call> failed:
  /// <error name> (<error string>)" and returns false.
  bool check(CUresult result, const char *call, std::string &error) const;

  /// Whether this is sdpa's CUDA driver emulator (runtime/cuda/emulator),
  /// which runs the kernels of artifacts compiled with --emulate on the CPU
  /// and nothing else.
  bool emulator = false;
  /// The library loaded, for messages.
  std::string path;

  CUresult (*cuInit)(unsigned flags) = nullptr;
  CUresult (*cuDeviceGetCount)(int *count) = nullptr;
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal) = nullptr;
  CUresult (*cuDeviceGetName)(char *name, int length,
                              CUdevice device) = nullptr;
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute,
                                   CUdevice device) = nullptr;
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context,
                                       CUdevice device) = nullptr;
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device) = nullptr;
  CUresult (*cuCtxSetCurrent)(CUcontext context) = nullptr;
  CUresult (*cuCtxSynchronize)() = nullptr;
  CUresult (*cuModuleLoadData)(CUmodule *module, const void *image) = nullptr;
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image,
                                 unsigned numOptions, int *options,
                                 void **values) = nullptr;
  CUresult (*cuModuleUnload)(CUmodule module) = nullptr;
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module,
                                  const char *name) = nullptr;
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute,
                                 int value) = nullptr;
  CUresult (*cuMemAlloc)(CUdeviceptr *pointer, size_t bytes) = nullptr;
  CUresult (*cuMemFree)(CUdeviceptr pointer) = nullptr;
  CUresult (*cuMemcpyHtoD)(CUdeviceptr device, const void *host,
                           size_t bytes) = nullptr;
  CUresult (*cuMemcpyDtoH)(void *host, CUdeviceptr device,
                           size_t bytes) = nullptr;
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned gridX,
                             unsigned gridY, unsigned gridZ, unsigned blockX,
                             unsigned blockY, unsigned blockZ,
                             unsigned sharedBytes, CUstream stream,
                             void **params, void **extra) = nullptr;
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags) = nullptr;
  CUresult (*cuEventRecord)(CUevent event, CUstream stream) = nullptr;
  CUresult (*cuEventSynchronize)(CUevent event) = nullptr;
  CUresult (*cuEventElapsedTime)(float *milliseconds, CUevent start,
                                 CUevent end) = nullptr;
  CUresult (*cuEventDestroy)(CUevent event) = nullptr;
  CUresult (*cuGetErrorName)(CUresult result, const char **name) = nullptr;
  CUresult (*cuGetErrorString)(CUresult result, const char **text) = nullptr;

private:
  CudaDriver() = default;
};

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_CUDADRIVER_H
