//===- Manifest.h - the manifest of a compiled sdpa artifact ---*- C++ -*-===//
//
// A compiled artifact is a directory holding `manifest.txt` and the kernel
// (a shared object on the CPU). The manifest says which target the kernel is
// for, which symbol to call, and the dtype, shape and layout of every argument,
// so that the runtime can check tensors before handing them to code that
// trusts them blindly. The format is line based text:
//
//   sdpa-artifact 1
//   target cpu
//   entry <function name>
//   library <file name relative to the artifact directory>
//   symbol <exported symbol of the packed entry>
//   input <dtype> <shape> <layout>      (one per input, in argument order)
//   output <dtype> <shape> <layout>     (one per output, in argument order)
//
// `sdpa-artifact` comes first. `#` starts a comment line; blank lines are
// ignored. <dtype> is a dtypeName, <shape> dims joined by `x` (`1x8x128x64`)
// or `scalar` for rank 0, <layout> `strided` (any strides) or `contiguous`.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CPU_MANIFEST_H
#define SDPA_RUNTIME_CPU_MANIFEST_H

#include "runtime/npy/Npy.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sdpa {
namespace rt {

/// The dtype, static shape and layout a kernel expects of one argument.
struct TensorSpec {
  npy::DType dtype = npy::DType::F32;
  std::vector<int64_t> shape;
  /// True for `strided`: the kernel reads the strides from the descriptor.
  /// False for `contiguous`: the kernel assumes C order.
  bool anyStrides = false;

  bool operator==(const TensorSpec &other) const;
  bool operator!=(const TensorSpec &other) const { return !(*this == other); }
};

struct Manifest {
  std::string target;
  std::string entry;
  std::string library;
  std::string symbol;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;

  bool operator==(const Manifest &other) const;
  bool operator!=(const Manifest &other) const { return !(*this == other); }
};

/// Parses the text of a manifest.txt into `m`. On failure returns false and
/// sets `error` to a message naming the line and what is wrong with it.
bool parseManifest(const std::string &text, Manifest &m, std::string &error);

/// The text of a manifest.txt describing `m`, which parseManifest reads back
/// as `m`. The string fields must be single non-empty tokens (no whitespace).
std::string serializeManifest(const Manifest &m);

/// `[1, 8, 128, 64]` (`[]` for a scalar), for messages.
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CPU_MANIFEST_H
