//===- CpuArtifact.h - loading and running compiled CPU kernels -*- C++ -*-===//
//
// A CPU artifact is a directory with manifest.txt and a shared object that
// exports the packed entry named by the manifest:
//
//   void <symbol>(void **args);
//
// args[k] points to the memref descriptor of argument k, inputs then outputs
// in manifest order. For a rank-R tensor of element type T a descriptor is
// { T *allocated; T *aligned; int64_t offset; int64_t sizes[R];
//   int64_t strides[R]; } (the first three fields for R == 0), offset and
// strides counted in elements. The entry writes its results through the
// output descriptors.
//
// The object also defines `void *__sdpa_parallel_for`, which the loader sets
// to a function
//
//   void (*)(void (*body)(void *ctx, int64_t begin, int64_t end), void *ctx,
//            int64_t n)
//
// that runs body over [0, n) on the ThreadPool passed to run(); the
// generated code calls through it for its grid loops, so kernels need no
// threading library of their own.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CPU_CPUARTIFACT_H
#define SDPA_RUNTIME_CPU_CPUARTIFACT_H

#include "runtime/cpu/Manifest.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/npy/Npy.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sdpa {
namespace rt {

/// A view of caller-owned tensor memory.
struct TensorRef {
  npy::DType dtype = npy::DType::F32;
  std::vector<int64_t> shape;
  /// In elements, one per dim; empty means contiguous C order.
  std::vector<int64_t> strides;
  /// Element [0, ..., 0].
  void *data = nullptr;
};

/// The strides, in elements, of a C-order tensor of `shape`.
std::vector<int64_t> contiguousStrides(const std::vector<int64_t> &shape);

/// Checks `inputs` and `outputs` against the specs of `m`: their counts, and
/// each tensor's dtype, rank, shape (a dynamic dim matches any size),
/// strides (C order for a `contiguous`
/// spec, innermost stride 1 for `rows`, any for `strided`) and data
/// pointer. On a mismatch returns false and sets `error` naming the input or
/// output and both values. The launchers call this before handing tensors to
/// kernels, which trust them blindly.
bool checkTensors(const Manifest &m, const std::vector<TensorRef> &inputs,
                  const std::vector<TensorRef> &outputs, std::string &error);

class CpuArtifact {
public:
  /// Loads the artifact in directory `dir`. On failure returns null and sets
  /// `error`: the directory or its manifest.txt cannot be read, the manifest
  /// is malformed or not for target `cpu`, the library does not load, or it
  /// lacks the entry symbol or `__sdpa_parallel_for`.
  static std::unique_ptr<CpuArtifact> load(const std::string &dir,
                                           std::string &error);
  ~CpuArtifact();
  CpuArtifact(const CpuArtifact &) = delete;
  CpuArtifact &operator=(const CpuArtifact &) = delete;

  const Manifest &manifest() const { return manifestData; }

  /// The shapes the outputs must have for `inputs`: the manifest's, with
  /// dynamic dims computed by the artifact's shape function, which also
  /// checks that the inputs' shapes fit together (the key's batch dim is the
  /// query's, say). Checks the inputs against the manifest first. On a
  /// mismatch returns false and sets `error` naming the input or the rule.
  bool outputShapes(const std::vector<TensorRef> &inputs,
                    std::vector<std::vector<int64_t>> &shapes,
                    std::string &error) const;

  /// Checks every tensor against the manifest (count, dtype, rank, shape,
  /// strides, data pointer) and, with dynamic dims, against outputShapes(),
  /// then runs the kernel with its grid loops on
  /// `pool` and returns true. On a mismatch the kernel does not run: returns
  /// false and sets `error` naming the input or output. Concurrent calls,
  /// on this or other artifacts, are safe.
  bool run(const std::vector<TensorRef> &inputs,
           const std::vector<TensorRef> &outputs, ThreadPool &pool,
           std::string &error);

private:
  CpuArtifact() = default;

  Manifest manifestData;
  void *handle = nullptr;
  void (*entry)(void **) = nullptr;
  /// The manifest's `shapes` function; null for static shapes.
  void (*shapeFunction)(void **) = nullptr;
};

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CPU_CPUARTIFACT_H
