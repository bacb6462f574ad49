//===- CpuArtifact.cpp - loading and running compiled CPU kernels ---------===//
//
// The kernel trusts its descriptors completely: a wrong shape or stride is an
// out-of-bounds access, not an error. So run() checks everything the manifest
// pins down before the call, and the messages name the argument and both
// values, since they are what a user of sdpa-run sees when passing the wrong
// file.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuArtifact.h"
#include "runtime/cpu/ShapeFunction.h"

#include <dlfcn.h>

namespace sdpa {
namespace rt {

static const char kParallelForSymbol[] = "__sdpa_parallel_for";

/// The pool of the run() executing on this thread. Thread-local so that
/// concurrent runs with different pools do not interfere; null on pool
/// workers, where a nested grid loop then runs serially.
static thread_local ThreadPool *currentPool = nullptr;

using KernelBody = void (*)(void *ctx, int64_t begin, int64_t end);

extern "C" {
/// What the kernel's `__sdpa_parallel_for` points to.
static void sdpaParallelFor(KernelBody body, void *ctx, int64_t n) {
  if (!currentPool) {
    if (n > 0)
      body(ctx, 0, n);
    return;
  }
  currentPool->parallelFor(
      n, [&](int64_t begin, int64_t end) { body(ctx, begin, end); });
}
}

namespace {
/// Sets currentPool for the duration of a kernel call.
class CurrentPoolScope {
public:
  explicit CurrentPoolScope(ThreadPool &pool) : saved(currentPool) {
    currentPool = &pool;
  }
  ~CurrentPoolScope() { currentPool = saved; }

private:
  ThreadPool *saved;
};
} // namespace

std::unique_ptr<CpuArtifact> CpuArtifact::load(const std::string &dir,
                                               std::string &error) {
  std::unique_ptr<CpuArtifact> artifact(new CpuArtifact());
  Manifest &m = artifact->manifestData;
  if (!loadManifest(dir, "cpu", m, error))
    return nullptr;
  // Always a path with a slash (loadManifest refuses absolute names), so
  // dlopen never searches the library path and picks up some other kernel.so.
  std::string libraryPath = dir + "/" + m.library;

  artifact->handle = openLibrary(libraryPath, error);
  if (!artifact->handle)
    return nullptr;

  // The packed functions the manifest names: the entry, and the shape
  // function where dims are dynamic.
  artifact->entry = findPacked(artifact->handle, libraryPath, m.symbol,
                               "entry symbol", error);
  if (!artifact->entry)
    return nullptr;
  if (!m.shapes.empty()) {
    artifact->shapeFunction = findPacked(artifact->handle, libraryPath,
                                         m.shapes, "shape function", error);
    if (!artifact->shapeFunction)
      return nullptr;
  }

  void *hook = ::dlsym(artifact->handle, kParallelForSymbol);
  if (!hook) {
    error = "'" + libraryPath + "' does not define '" + kParallelForSymbol +
            "', through which its grid loops reach the thread pool";
    return nullptr;
  }
  // Loading the same file twice gives the same object and stores the same
  // value again, so artifacts sharing a library do not disturb each other.
  *static_cast<void **>(hook) = reinterpret_cast<void *>(&sdpaParallelFor);
  return artifact;
}

CpuArtifact::~CpuArtifact() {
  if (handle)
    ::dlclose(handle);
}

static int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::vector<int64_t> contiguousStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

/// Whether `strides` address `shape` as C order does. Dims of size 1 are never
/// stepped along, so their strides do not matter, and neither do any for an
/// empty tensor.
static bool isContiguous(const std::vector<int64_t> &shape,
                         const std::vector<int64_t> &strides) {
  if (numElements(shape) == 0)
    return true;
  std::vector<int64_t> expected = contiguousStrides(shape);
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1 && strides[i] != expected[i])
      return false;
  return true;
}

/// Whether `strides` step the innermost dim of `shape` by one element, as a
/// `rows` kernel assumes statically. An innermost dim of size 1 is never
/// stepped along, and an empty tensor is never read.
static bool hasUnitInnerStride(const std::vector<int64_t> &shape,
                               const std::vector<int64_t> &strides) {
  return shape.empty() || numElements(shape) == 0 || shape.back() == 1 ||
         strides.back() == 1;
}

/// Checks `tensor` against `spec`; `name` ("input 1") prefixes the error.
static bool checkTensor(const TensorRef &tensor, const TensorSpec &spec,
                        const std::string &name, std::string &error) {
  if (tensor.dtype != spec.dtype) {
    error = name + ": dtype " + npy::dtypeName(tensor.dtype) +
            " does not match the kernel's " + npy::dtypeName(spec.dtype);
    return false;
  }
  if (tensor.shape.size() != spec.shape.size()) {
    error = name + ": rank " + std::to_string(tensor.shape.size()) +
            " does not match the kernel's rank " +
            std::to_string(spec.shape.size());
    return false;
  }
  for (size_t d = 0; d < tensor.shape.size(); ++d) {
    if (tensor.shape[d] < 0) {
      error =
          name + ": shape " + formatShape(tensor.shape) + " has a negative dim";
      return false;
    }
    if (spec.shape[d] != kDynamicDim && tensor.shape[d] != spec.shape[d]) {
      error = name + ": shape " + formatShape(tensor.shape) +
              " does not match the kernel's " + formatShape(spec.shape);
      return false;
    }
  }
  if (!tensor.strides.empty()) {
    if (tensor.strides.size() != tensor.shape.size()) {
      error = name + ": " + std::to_string(tensor.strides.size()) +
              " strides given for rank " + std::to_string(tensor.shape.size());
      return false;
    }
    if (spec.layout == TensorSpec::Layout::Contiguous &&
        !isContiguous(tensor.shape, tensor.strides)) {
      error = name + ": strides " + formatStrides(tensor.strides) +
              " are not contiguous, and the kernel needs contiguous " +
              formatStrides(contiguousStrides(tensor.shape));
      return false;
    }
    if (spec.layout == TensorSpec::Layout::Rows &&
        !hasUnitInnerStride(tensor.shape, tensor.strides)) {
      error = name + ": strides " + formatStrides(tensor.strides) +
              " step the innermost dim by " +
              std::to_string(tensor.strides.back()) +
              ", and the kernel needs the innermost dim contiguous (stride "
              "1; the other strides may be anything)";
      return false;
    }
  }
  if (!tensor.data && numElements(tensor.shape) != 0) {
    error = name + ": data pointer is null";
    return false;
  }
  return true;
}

static std::string countError(const char *what, size_t expected, size_t got) {
  return "expected " + std::to_string(expected) + " " + what +
         (expected == 1 ? "" : "s") + ", got " + std::to_string(got);
}

/// Checks the count of `tensors` and each against `specs`; `what` is
/// "input" or "output".
static bool checkAll(const std::vector<TensorRef> &tensors,
                     const std::vector<TensorSpec> &specs, const char *what,
                     std::string &error) {
  if (tensors.size() != specs.size()) {
    error = countError(what, specs.size(), tensors.size());
    return false;
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!checkTensor(tensors[i], specs[i],
                     std::string(what) + " " + std::to_string(i), error))
      return false;
  return true;
}

bool checkTensors(const Manifest &m, const std::vector<TensorRef> &inputs,
                  const std::vector<TensorRef> &outputs, std::string &error) {
  // Both counts first: a missing output is the error, not a later input.
  if (outputs.size() != m.outputs.size() && inputs.size() == m.inputs.size()) {
    error = countError("output", m.outputs.size(), outputs.size());
    return false;
  }
  return checkAll(inputs, m.inputs, "input", error) &&
         checkAll(outputs, m.outputs, "output", error);
}

bool CpuArtifact::outputShapes(const std::vector<TensorRef> &inputs,
                               std::vector<std::vector<int64_t>> &shapes,
                               std::string &error) const {
  const Manifest &m = manifestData;
  if (!checkAll(inputs, m.inputs, "input", error))
    return false;
  if (!shapeFunction) {
    shapes.clear();
    for (const TensorSpec &spec : m.outputs)
      shapes.push_back(spec.shape);
    return true;
  }
  return evaluateShapeFunction(shapeFunction, m, inputs, shapes, error);
}

bool CpuArtifact::run(const std::vector<TensorRef> &inputs,
                      const std::vector<TensorRef> &outputs, ThreadPool &pool,
                      std::string &error) {
  if (!checkTensors(manifestData, inputs, outputs, error))
    return false;
  if (shapeFunction) {
    // The dynamic dims of the outputs, and the rules the kernel relies on.
    std::vector<std::vector<int64_t>> shapes;
    if (!outputShapes(inputs, shapes, error))
      return false;
    for (size_t i = 0; i < outputs.size(); ++i) {
      TensorSpec spec = manifestData.outputs[i];
      spec.shape = shapes[i];
      if (!checkTensor(outputs[i], spec, "output " + std::to_string(i), error))
        return false;
    }
  }

  CurrentPoolScope scope(pool);
  callPacked(entry, inputs, outputs);
  return true;
}

} // namespace rt
} // namespace sdpa
