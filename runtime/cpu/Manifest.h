//===- Manifest.h - the manifest of a compiled sdpa artifact ---*- C++ -*-===//
//
// A compiled artifact is a directory holding `manifest.txt` and the kernel
// (a shared object on the CPU, a PTX file and optionally a cubin on NVIDIA
// GPUs). The manifest says which target the kernel is for, how to call it,
// and the dtype, shape and layout of every argument, so that the runtime can
// check tensors before handing them to code that trusts them blindly. The
// format is line based text:
//
//   sdpa-artifact 2
//   target cpu                          (or nvptx)
//   entry <function name>
//   library <file name relative to the artifact directory>
//   symbol <exported symbol of the packed entry>
//   input <dtype> <shape> <layout>      (one per input, in argument order)
//   output <dtype> <shape> <layout>     (one per output, in argument order)
//   shapes <exported packed symbol>     (required with dynamic dims)
//   check <message to the end of the line>   (repeatable, in order)
//
// `sdpa-artifact` comes first. `#` starts a comment line; blank lines are
// ignored. <dtype> is a dtypeName, <shape> dims joined by `x` (`1x8x128x64`)
// or `scalar` for rank 0, where a dim may be `?`: dynamic, any size, <layout>
// one of
//
//   contiguous   C order; the kernel assumes it (strides are not read)
//   rows         the innermost dim contiguous (stride 1, any if its size
//                is 1), the other strides any (0 for a broadcast dim,
//                negative, gaps): the kernel reads them from the descriptor.
//                sdpa-compile writes it for CPU inputs of rank >= 1, which
//                may be views (the query of a packed QKV projection, a
//                [B, L, H, E] tensor permuted to [B, H, L, E], a mask
//                expanded over heads); outputs and scalars are contiguous
//   strided      any strides, the innermost included
//
// With a dynamic dim (CPU artifacts only), `shapes` names a function of the
// library called like the entry but with the inputs only and then one
// output descriptor of an int64 vector [status, lhs, rhs, d...]: d are the
// outputs' dynamic dims in order, and status is 0 when the inputs' shapes
// fit together, or k + 1 when rule k, described by the k-th `check` record,
// fails; lhs and rhs are then its two sides, for the `{lhs}` and `{rhs}` of
// the message.
//
// For target nvptx, `library` names the PTX file, `symbol` is not used, and
// these records describe the kernels (they are refused for other targets):
//
//   chip sm_90                          (required: the PTX's target chip)
//   cubin <file name>                   (optional: a cubin for `chip`)
//   host <file name>                    (with `shapes`: a shared object for
//                                        the host CPU that exports it)
//   buffer <dtype> <shape>              (device scratch tensor, repeatable)
//   launch <kernel> grid <X>x<Y>x<Z> block <X>x<Y>x<Z> smem <bytes>
//          args <ref> <ref> ...         (on one line; at least one launch)
//
// A GPU artifact's shapes are static, but sizes inside the entry may come
// from its scalars (a KV cache read up to a position argument): the kernels
// compute them from `val<k>`, and the `shapes` function, called as for the
// CPU with the host's copies of the inputs, checks the rules that keep them
// in bounds before anything is copied or launched.
//
// Launches run in manifest order. A <ref> is `in<k>`, `out<k>` or `buf<k>`:
// the device pointer of that input, output or buffer (a rank-0 tensor is one
// element in device memory), or `val<k>`: the value of input k, a scalar of
// the entry (version 1 passed every rank-0 input by value, so its `in<k>`
// meant something else). GPU kernels get bare pointers, so nvptx inputs and
// outputs must be `contiguous`.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CPU_MANIFEST_H
#define SDPA_RUNTIME_CPU_MANIFEST_H

#include "runtime/npy/Npy.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sdpa {
namespace rt {

/// A dim of any size (`?` in the manifest).
constexpr int64_t kDynamicDim = -1;

/// The dtype, shape and layout a kernel expects of one argument.
struct TensorSpec {
  npy::DType dtype = npy::DType::F32;
  /// Sizes, kDynamicDim for a dynamic one.
  std::vector<int64_t> shape;
  /// How the kernel addresses the tensor (the manifest's <layout>).
  enum class Layout {
    /// `contiguous`: C order, assumed by the kernel.
    Contiguous,
    /// `rows`: innermost stride 1, the others read from the descriptor.
    Rows,
    /// `strided`: every stride read from the descriptor.
    Strided,
  };
  Layout layout = Layout::Contiguous;

  bool operator==(const TensorSpec &other) const;
  bool operator!=(const TensorSpec &other) const { return !(*this == other); }
};

/// One argument of a GPU kernel launch: a tensor of the entry or a scratch
/// buffer (its device pointer), or a scalar input (its value).
struct LaunchArg {
  enum class Kind {
    Input,  // `in<k>`: a device copy of input k, rank 0 included
    Value,  // `val<k>`: input k, a scalar, by value
    Output, // `out<k>`
    Buffer, // `buf<k>`
  };
  Kind kind = Kind::Input;
  int64_t index = 0;
  bool operator==(const LaunchArg &o) const {
    return kind == o.kind && index == o.index;
  }
};

/// One kernel launch of a GPU artifact, run in manifest order.
struct LaunchSpec {
  std::string kernel; // symbol in the PTX/cubin module
  std::array<int64_t, 3> grid = {1, 1, 1};
  std::array<int64_t, 3> block = {1, 1, 1};
  int64_t sharedBytes = 0; // dynamic shared memory per block
  std::vector<LaunchArg> args;
  bool operator==(const LaunchSpec &o) const; // all fields
};

struct Manifest {
  std::string target;
  std::string entry;
  std::string library;
  std::string symbol;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  /// The exported packed shape function: cpu, set iff a dim is dynamic;
  /// nvptx, set when sizes inside the entry depend on its scalars.
  std::string shapes;
  /// The messages of the shape function's rules, in order.
  std::vector<std::string> checks;
  /// nvptx: the chip of the PTX, "sm_80", "sm_90", ...
  std::string chip;
  /// nvptx: optional cubin for `chip`, a file name relative to the artifact.
  std::string cubin;
  /// nvptx: the shared object for the host that exports `shapes`; set iff
  /// `shapes` is.
  std::string host;
  /// nvptx: `library` is a shared object of the kernels compiled for the
  /// host CPU, for the CUDA driver emulator (sdpa-compile --emulate), not
  /// PTX; record `emulated`.
  bool emulated = false;
  /// nvptx: device scratch tensors, uninitialised.
  std::vector<TensorSpec> buffers;
  /// nvptx: kernels to run, in order.
  std::vector<LaunchSpec> launches;

  bool operator==(const Manifest &other) const;
  bool operator!=(const Manifest &other) const { return !(*this == other); }
};

/// Parses the text of a manifest.txt into `m`. On failure returns false and
/// sets `error` to a message naming the line and what is wrong with it.
bool parseManifest(const std::string &text, Manifest &m, std::string &error);

/// The text of a manifest.txt describing `m`, which parseManifest reads back
/// as `m`. The string fields must be single tokens (no whitespace), and only
/// `symbol`, `chip`, `cubin`, `host` and `shapes` may be empty (their records
/// are then left out).
std::string serializeManifest(const Manifest &m);

/// Reads and parses `dir`/manifest.txt and checks that it is for `target`
/// and names its files relative to `dir`. On failure returns false and sets
/// `error`, which names the directory or the manifest file.
bool loadManifest(const std::string &dir, const std::string &target,
                  Manifest &m, std::string &error);

/// Reads the whole file at `path` into `bytes`; on failure sets `error`.
bool readFile(const std::string &path, std::string &bytes, std::string &error);

/// The manifest's word for `layout`: `contiguous`, `rows` or `strided`.
const char *layoutName(TensorSpec::Layout layout);

/// Parses a shape as the manifest writes it (`2x8x?x64`, `scalar`), refusing
/// `?` unless `allowDynamic`. On failure sets `error` to what is wrong.
bool parseShape(const std::string &text, std::vector<int64_t> &shape,
                bool allowDynamic, std::string &error);

/// Whether `shape` has the rank of `spec` and its sizes, where a dynamic
/// dim of `spec` matches any size.
bool shapeMatches(const std::vector<int64_t> &spec,
                  const std::vector<int64_t> &shape);

/// `[1, 8, 128, 64]` (`[]` for a scalar, `?` for a dynamic dim), for
/// messages.
std::string formatShape(const std::vector<int64_t> &shape);

/// `[512, 64, 1]`, for messages: like formatShape, but every value is a
/// number (a stride may be negative).
std::string formatStrides(const std::vector<int64_t> &strides);

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CPU_MANIFEST_H
