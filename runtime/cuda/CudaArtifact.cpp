//===- CudaArtifact.cpp - loading and running compiled GPU kernels --------===//
//
// Like the CPU kernels, GPU kernels trust their arguments: a wrong shape is
// an out-of-bounds access on the device, which poisons the whole context.
// So tensors are checked against the manifest before anything is copied,
// and every driver call is checked, since a failure (an old driver, a full
// device, a kernel fault reported at the next synchronisation) must reach
// the user as a message naming the call.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaArtifact.h"
#include "runtime/cpu/ShapeFunction.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>

namespace sdpa {
namespace rt {

/// Kernels may use this much dynamic shared memory without opting in.
static constexpr int64_t kDefaultSharedBytes = 48 * 1024;

namespace {
/// The device allocations of one run, freed however the run ends.
class DeviceMemory {
public:
  explicit DeviceMemory(const CudaDriver &driver) : driver(driver) {}
  ~DeviceMemory() {
    for (CUdeviceptr pointer : pointers)
      driver.cuMemFree(pointer);
  }
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;

  bool allocate(size_t bytes, CUdeviceptr &pointer, std::string &error) {
    pointer = 0;
    // The driver refuses empty allocations; no kernel reads an empty tensor.
    if (bytes == 0)
      return true;
    if (!driver.check(driver.cuMemAlloc(&pointer, bytes), "cuMemAlloc", error))
      return false;
    pointers.push_back(pointer);
    return true;
  }

private:
  const CudaDriver &driver;
  std::vector<CUdeviceptr> pointers;
};

/// A CUDA event, destroyed with its scope.
class Event {
public:
  explicit Event(const CudaDriver &driver) : driver(driver) {}
  ~Event() {
    if (event)
      driver.cuEventDestroy(event);
  }
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;

  bool create(std::string &error) {
    return driver.check(driver.cuEventCreate(&event, 0), "cuEventCreate",
                        error);
  }
  CUevent get() const { return event; }

private:
  const CudaDriver &driver;
  CUevent event = nullptr;
};
} // namespace

/// Whether a cubin for `chip` (sm_90, sm_90a) runs on compute capability
/// major.minor: cubins are not portable across minor versions.
static bool chipMatches(const std::string &chip, int major, int minor) {
  std::string digits = chip.substr(3);
  while (!digits.empty() && (digits.back() < '0' || digits.back() > '9'))
    digits.pop_back();
  return digits == std::to_string(major) + std::to_string(minor);
}

std::unique_ptr<CudaArtifact> CudaArtifact::load(const std::string &dir,
                                                 std::string &error) {
  std::unique_ptr<CudaArtifact> artifact(new CudaArtifact());
  CudaArtifact &a = *artifact;
  const Manifest &m = a.manifestData;
  if (!loadManifest(dir, "nvptx", a.manifestData, error))
    return nullptr;
  // Rules on sizes the kernels compute from the entry's scalars, checked on
  // the host before each run.
  if (!m.shapes.empty()) {
    std::string hostPath = dir + "/" + m.host;
    a.host = openLibrary(hostPath, error);
    if (!a.host)
      return nullptr;
    a.shapeFunction =
        findPacked(a.host, hostPath, m.shapes, "shape function", error);
    if (!a.shapeFunction)
      return nullptr;
  }

  a.driver = CudaDriver::get(error);
  if (!a.driver)
    return nullptr;
  const CudaDriver &d = *a.driver;
  CUresult result = d.cuInit(0);
  if (result == CUDA_ERROR_NO_DEVICE) {
    d.check(result, "cuInit", error);
    error = "no CUDA device: " + error;
    return nullptr;
  }
  // The toolkit ships a libcuda stub for linking; found first on the library
  // path, it answers every call with this error.
  if (result == CUDA_ERROR_STUB_LIBRARY) {
    d.check(result, "cuInit", error);
    error = "no CUDA driver: " + error +
            " (the CUDA toolkit's stub library was loaded instead of the "
            "driver)";
    return nullptr;
  }
  if (!d.check(result, "cuInit", error))
    return nullptr;
  int count = 0;
  if (!d.check(d.cuDeviceGetCount(&count), "cuDeviceGetCount", error))
    return nullptr;
  if (count <= 0) {
    error = "no CUDA device: the CUDA driver found no GPU";
    return nullptr;
  }
  // An emulated artifact's library is host code, which a GPU cannot run,
  // and the emulator cannot run PTX.
  if (m.emulated && !d.emulator) {
    error = dir +
            " was compiled with --emulate: its kernels run on the CUDA "
            "emulator only (set SDPA_CUDA_DRIVER to "
            "libsdpa-cuda-emulator.so), not on the driver " +
            d.path;
    return nullptr;
  }
  if (!m.emulated && d.emulator) {
    error = "the CUDA emulator " + d.path +
            " runs only artifacts compiled "
            "with --emulate; " +
            dir + " holds PTX for a GPU";
    return nullptr;
  }
  int major = 0, minor = 0;
  char name[256] = {};
  if (!d.check(d.cuDeviceGet(&a.device, 0), "cuDeviceGet", error) ||
      !d.check(
          d.cuDeviceGetAttribute(
              &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, a.device),
          "cuDeviceGetAttribute", error) ||
      !d.check(
          d.cuDeviceGetAttribute(
              &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, a.device),
          "cuDeviceGetAttribute", error) ||
      !d.check(d.cuDeviceGetName(name, sizeof(name) - 1, a.device),
               "cuDeviceGetName", error))
    return nullptr;
  a.description = std::string(name) + ", sm_" + std::to_string(major) +
                  std::to_string(minor);

  // The primary context is the one the CUDA runtime and other libraries
  // share, so kernels and memory here coexist with theirs.
  CUcontext context = nullptr;
  if (!d.check(d.cuDevicePrimaryCtxRetain(&context, a.device),
               "cuDevicePrimaryCtxRetain", error))
    return nullptr;
  a.context = context;
  if (!d.check(d.cuCtxSetCurrent(a.context), "cuCtxSetCurrent", error))
    return nullptr;

  bool useCubin = !m.cubin.empty() && chipMatches(m.chip, major, minor);
  std::string path = dir + "/" + (useCubin ? m.cubin : m.library);
  std::string image;
  if (!readFile(path, image, error))
    return nullptr;
  // The driver reads PTX as a NUL-terminated string; a cubin is ELF with its
  // own sizes, which the extra byte does not disturb.
  image.push_back('\0');
  if (useCubin) {
    if (!d.check(d.cuModuleLoadData(&a.module, image.data()),
                 "cuModuleLoadData", error)) {
      error =
          "cannot load cubin '" + path + "' on " + a.description + ": " + error;
      return nullptr;
    }
  } else {
    // The JIT compiler says what is wrong with the PTX only in its log.
    std::vector<char> log(16384, '\0');
    int options[] = {CU_JIT_ERROR_LOG_BUFFER,
                     CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {log.data(), reinterpret_cast<void *>(
                                      static_cast<uintptr_t>(log.size() - 1))};
    if (!d.check(
            d.cuModuleLoadDataEx(&a.module, image.data(), 2, options, values),
            "cuModuleLoadDataEx", error)) {
      error = "cannot load PTX '" + path + "' for " + m.chip + " on " +
              a.description + ": " + error;
      std::string jitLog(log.data());
      if (!jitLog.empty())
        error += "; JIT log:\n" + jitLog;
      return nullptr;
    }
  }

  // A kernel launched several times needs the largest of its sizes: the
  // attribute is per kernel, not per launch.
  std::map<std::string, std::pair<CUfunction, int64_t>> kernels;
  for (size_t i = 0; i < m.launches.size(); ++i) {
    const LaunchSpec &launch = m.launches[i];
    CUfunction function = nullptr;
    if (!d.check(
            d.cuModuleGetFunction(&function, a.module, launch.kernel.c_str()),
            "cuModuleGetFunction", error)) {
      error = "launch " + std::to_string(i) + " (" + launch.kernel +
              "): cannot find kernel '" + launch.kernel + "' in '" + path +
              "': " + error;
      return nullptr;
    }
    a.functions.push_back(function);
    std::pair<CUfunction, int64_t> &kernel = kernels[launch.kernel];
    kernel.first = function;
    kernel.second = std::max(kernel.second, launch.sharedBytes);
  }
  for (const auto &[name, kernel] : kernels) {
    if (kernel.second > kDefaultSharedBytes &&
        !d.check(d.cuFuncSetAttribute(
                     kernel.first,
                     CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                     static_cast<int>(kernel.second)),
                 "cuFuncSetAttribute", error)) {
      error = "kernel '" + name + "': cannot allow " +
              std::to_string(kernel.second) +
              " bytes of dynamic shared memory on " + a.description + ": " +
              error;
      return nullptr;
    }
  }
  return artifact;
}

CudaArtifact::~CudaArtifact() {
  if (host)
    ::dlclose(host);
  if (!context)
    return;
  driver->cuCtxSetCurrent(context);
  if (module)
    driver->cuModuleUnload(module);
  driver->cuDevicePrimaryCtxRelease(device);
}

/// The bytes of a C-order tensor of `spec`; false when they overflow size_t.
static bool byteSize(const TensorSpec &spec, size_t &bytes) {
  size_t count = 1;
  for (int64_t dim : spec.shape) {
    if (dim != 0 && count > std::numeric_limits<size_t>::max() / dim)
      return false;
    count *= static_cast<size_t>(dim);
  }
  size_t element = npy::dtypeSize(spec.dtype);
  if (count > std::numeric_limits<size_t>::max() / element)
    return false;
  bytes = count * element;
  return true;
}

/// Allocates device memory for a tensor of `spec`; `name` ("input 0")
/// prefixes the error.
static bool allocate(DeviceMemory &memory, const TensorSpec &spec,
                     const std::string &name, CUdeviceptr &pointer,
                     size_t &bytes, std::string &error) {
  if (!byteSize(spec, bytes)) {
    error = name + ": shape " + formatShape(spec.shape) +
            " is too large to allocate";
    return false;
  }
  if (!memory.allocate(bytes, pointer, error)) {
    error = name + " (" + std::to_string(bytes) + " bytes): " + error;
    return false;
  }
  return true;
}

bool CudaArtifact::launchAll(std::vector<std::vector<void *>> &params,
                             std::string &error) {
  const CudaDriver &d = *driver;
  for (size_t i = 0; i < functions.size(); ++i) {
    const LaunchSpec &launch = manifestData.launches[i];
    // The manifest parser bounds every dim and size by INT32_MAX.
    CUresult result = d.cuLaunchKernel(
        functions[i], static_cast<unsigned>(launch.grid[0]),
        static_cast<unsigned>(launch.grid[1]),
        static_cast<unsigned>(launch.grid[2]),
        static_cast<unsigned>(launch.block[0]),
        static_cast<unsigned>(launch.block[1]),
        static_cast<unsigned>(launch.block[2]),
        static_cast<unsigned>(launch.sharedBytes), nullptr,
        params[i].empty() ? nullptr : params[i].data(), nullptr);
    if (!d.check(result, "cuLaunchKernel", error)) {
      error =
          "launch " + std::to_string(i) + " (" + launch.kernel + "): " + error;
      return false;
    }
  }
  return true;
}

bool CudaArtifact::execute(const std::vector<TensorRef> &inputs,
                           const std::vector<TensorRef> &outputs, int runs,
                           std::vector<double> *timed, std::string &error) {
  const Manifest &m = manifestData;
  if (!checkTensors(m, inputs, outputs, error))
    return false;
  // The shapes are static; the rules are on sizes computed from scalars.
  std::vector<std::vector<int64_t>> shapes;
  if (shapeFunction &&
      !evaluateShapeFunction(shapeFunction, m, inputs, shapes, error))
    return false;
  const CudaDriver &d = *driver;
  // The calling thread may not be the one that loaded the artifact.
  if (!d.check(d.cuCtxSetCurrent(context), "cuCtxSetCurrent", error))
    return false;

  DeviceMemory memory(d);
  std::vector<CUdeviceptr> inputPointers(inputs.size());
  std::vector<CUdeviceptr> outputPointers(outputs.size());
  std::vector<CUdeviceptr> bufferPointers(m.buffers.size());
  std::vector<size_t> outputBytes(outputs.size());
  // Scalars passed only by value stay in host memory.
  std::vector<bool> onDevice(inputs.size(), false);
  for (const LaunchSpec &launch : m.launches)
    for (const LaunchArg &arg : launch.args)
      if (arg.kind == LaunchArg::Kind::Input)
        onDevice[arg.index] = true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!onDevice[i])
      continue;
    std::string name = "input " + std::to_string(i);
    size_t bytes = 0;
    if (!allocate(memory, m.inputs[i], name, inputPointers[i], bytes, error))
      return false;
    if (bytes &&
        !d.check(d.cuMemcpyHtoD(inputPointers[i], inputs[i].data, bytes),
                 "cuMemcpyHtoD", error)) {
      error = name + ": " + error;
      return false;
    }
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!allocate(memory, m.outputs[i], "output " + std::to_string(i),
                  outputPointers[i], outputBytes[i], error))
      return false;
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    size_t bytes = 0;
    if (!allocate(memory, m.buffers[i], "buffer " + std::to_string(i),
                  bufferPointers[i], bytes, error))
      return false;
  }

  // cuLaunchKernel reads each argument through a pointer to its value; the
  // pointers above and the callers' scalars outlive the launches.
  std::vector<std::vector<void *>> params(m.launches.size());
  for (size_t i = 0; i < m.launches.size(); ++i) {
    for (const LaunchArg &arg : m.launches[i].args) {
      void *param = nullptr;
      switch (arg.kind) {
      case LaunchArg::Kind::Input:
        param = &inputPointers[arg.index];
        break;
      case LaunchArg::Kind::Value:
        param = inputs[arg.index].data;
        break;
      case LaunchArg::Kind::Output:
        param = &outputPointers[arg.index];
        break;
      case LaunchArg::Kind::Buffer:
        param = &bufferPointers[arg.index];
        break;
      }
      params[i].push_back(param);
    }
  }

  if (!timed) {
    if (!launchAll(params, error))
      return false;
  } else {
    timed->clear();
    Event start(d), stop(d);
    if (!start.create(error) || !stop.create(error))
      return false;
    // The warm-up pays for module loading on first use and cold caches.
    if (!launchAll(params, error))
      return false;
    for (int run = 0; run < runs; ++run) {
      float milliseconds = 0;
      if (!d.check(d.cuEventRecord(start.get(), nullptr), "cuEventRecord",
                   error) ||
          !launchAll(params, error) ||
          !d.check(d.cuEventRecord(stop.get(), nullptr), "cuEventRecord",
                   error) ||
          !d.check(d.cuEventSynchronize(stop.get()), "cuEventSynchronize",
                   error) ||
          !d.check(d.cuEventElapsedTime(&milliseconds, start.get(), stop.get()),
                   "cuEventElapsedTime", error))
        return false;
      timed->push_back(milliseconds);
    }
  }
  // Faults inside kernels surface here, not at the launch.
  if (!d.check(d.cuCtxSynchronize(), "cuCtxSynchronize", error))
    return false;

  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputBytes[i] &&
        !d.check(
            d.cuMemcpyDtoH(outputs[i].data, outputPointers[i], outputBytes[i]),
            "cuMemcpyDtoH", error)) {
      error = "output " + std::to_string(i) + ": " + error;
      return false;
    }
  }
  return true;
}

bool CudaArtifact::run(const std::vector<TensorRef> &inputs,
                       const std::vector<TensorRef> &outputs,
                       std::string &error) {
  return execute(inputs, outputs, 0, nullptr, error);
}

bool CudaArtifact::time(const std::vector<TensorRef> &inputs,
                        const std::vector<TensorRef> &outputs, int runs,
                        std::vector<double> &milliseconds, std::string &error) {
  milliseconds.clear();
  if (runs < 1) {
    error = "the number of timed runs must be at least 1, got " +
            std::to_string(runs);
    return false;
  }
  return execute(inputs, outputs, runs, &milliseconds, error);
}

} // namespace rt
} // namespace sdpa
