//===- ShapeFunction.h - calling an artifact's shape function ---*- C++ -*-===//
//
// The `shapes` function a manifest names is compiled for the host: in a CPU
// artifact it sits in the kernel's library, in a GPU artifact in its `host`
// library. Both launchers call it the same way, with the descriptors of the
// inputs (host memory) and of one int64 vector [status, lhs, rhs, d...] (see
// Manifest.h), before any kernel runs.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CPU_SHAPEFUNCTION_H
#define SDPA_RUNTIME_CPU_SHAPEFUNCTION_H

#include "runtime/cpu/CpuArtifact.h"
#include "runtime/cpu/Manifest.h"

#include <string>
#include <vector>

namespace sdpa {
namespace rt {

/// A packed function of a compiled library: args[k] points to the memref
/// descriptor of argument k.
using PackedFunction = void (*)(void **args);

/// Opens the shared object at `path` (which must contain a slash, so that
/// dlopen never searches the library path). On failure returns null and sets
/// `error` naming the file and the loader's reason.
void *openLibrary(const std::string &path, std::string &error);

/// The packed function `symbol` of the library `handle` opened from `path`;
/// `what` names it in the message ("entry symbol", "shape function"). On
/// failure returns null and sets `error`.
PackedFunction findPacked(void *handle, const std::string &path,
                          const std::string &symbol, const char *what,
                          std::string &error);

/// Calls `function` with the descriptors of `first` then `second`, all
/// checked against the manifest already.
void callPacked(PackedFunction function, const std::vector<TensorRef> &first,
                const std::vector<TensorRef> &second);

/// Runs the shape function `function` of `m` on `inputs` (checked against
/// the manifest already) and sets `shapes` to the shapes of the outputs: the
/// manifest's, with the dynamic dims it computed. When a rule fails, or a
/// computed dim is negative, returns false and sets `error` to the rule's
/// `check` message with its two sides.
bool evaluateShapeFunction(PackedFunction function, const Manifest &m,
                           const std::vector<TensorRef> &inputs,
                           std::vector<std::vector<int64_t>> &shapes,
                           std::string &error);

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CPU_SHAPEFUNCTION_H
