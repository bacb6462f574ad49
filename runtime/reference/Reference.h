//===- Reference.h - float64 reference of attn.sdpa semantics --*- C++ -*-===//
//
// A direct, unfused float64 evaluation of scaled-dot-product attention exactly
// as design.md section 2 specifies it. It needs no MLIR and is the ground truth
// that integration tests and `sdpa-run --check` compare kernels against.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_REFERENCE_REFERENCE_H
#define SDPA_RUNTIME_REFERENCE_REFERENCE_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sdpa {
namespace ref {

/// A dense, row-major (C order) tensor of doubles.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape, std::vector<double> data)
      : shape(std::move(shape)), data(std::move(data)) {}
  /// A tensor of `shape` filled with `fill`.
  static Tensor filled(std::vector<int64_t> shape, double fill);
  int64_t numElements() const;
};

/// How the causal triangle and the sliding window line up rows with columns.
enum class Alignment {
  /// Row i is aligned with column i (PyTorch's is_causal).
  TopLeft,
  /// Row i is aligned with column i + S - L (decode, chunked prefill).
  BottomRight,
};

/// The optional mask operand of attn.sdpa.
struct Mask {
  enum class Kind { None, Bool, Additive };
  Kind kind = Kind::None;
  /// Broadcastable (numpy rules, trailing dims aligned) to [N..., Hq, L, S].
  /// For Kind::Bool a non-zero element means "may attend".
  Tensor values;
};

/// Everything attn.sdpa carries besides its tensor operands.
struct Attributes {
  /// Defaults to 1/sqrt(E) when unset.
  std::optional<double> scale;
  bool causal = false;
  /// {left, right}: keeps j in [i' - left, i' + right], i' the aligned row.
  std::optional<std::array<int64_t, 2>> window;
  /// Alignment of the causal triangle and of the window.
  Alignment alignment = Alignment::TopLeft;
  std::optional<double> softcap;
  /// Probability of dropping an element of the softmax, in [0, 1).
  double dropoutP = 0.0;
  uint64_t seed = 0;
};

struct Result {
  /// [N..., Hq, L, Ev]
  Tensor out;
  /// [N..., Hq, L], natural-log log-sum-exp of the (unmasked-out) scores;
  /// -inf for rows where every score is -inf.
  Tensor lse;
};

/// Evaluates attn.sdpa in float64. Returns an empty string on success, and
/// otherwise a message naming the operand and the dims that are inconsistent
/// (the result is then left untouched).
std::string evaluateSdpa(const Tensor &query, const Tensor &key,
                         const Tensor &value, const Mask &mask,
                         const Attributes &attrs, Result &result);

} // namespace ref
} // namespace sdpa

#endif // SDPA_RUNTIME_REFERENCE_REFERENCE_H
