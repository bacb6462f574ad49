//===- RaiseSdpaMatchers.h - recognising unfused attention -----*- C++ -*-===//
//
// The analysis behind --attn-raise-sdpa: given the contraction that computes
// P.V, proves (or refuses to prove) that the graph feeding it is exactly
// scaled-dot-product attention, and describes the operands, the mask and the
// attributes of the attn.sdpa that computes the same values.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_RAISESDPAMATCHERS_H
#define SDPA_PASSES_RAISESDPAMATCHERS_H

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Support/LLVM.h"
#include "passes/SymbolicSizes.h"

#include <array>
#include <memory>
#include <optional>
#include <string>

namespace sdpa::raise {

/// What one dim of a tensor holds in the attention's logical index space:
/// the flattened batch index `f` (every dim before L in attn.sdpa's
/// operands), the query row `i`, the key column `j`, or a feature (E of Q
/// and K, Ev of V and the output). A `Batch` dim holds `(f / inner) % size`,
/// so dims that exporters merge or split with reshapes stay comparable. Dims
/// of size 1 are `Unit`, whatever they stand for.
struct Component {
  enum class Kind : uint8_t { Unit, Batch, Row, Col, Feature };
  Kind kind = Kind::Unit;
  int64_t size = 1;
  /// Batch only: the product of the batch sizes after this dim.
  int64_t inner = 1;

  int64_t outer() const { return inner * size; }
  bool operator==(const Component &other) const {
    return kind == other.kind && size == other.size && inner == other.inner;
  }
  bool operator!=(const Component &other) const { return !(*this == other); }

  static Component unit() { return {}; }
  static Component batch(int64_t inner, int64_t size);
  static Component row(int64_t size);
  static Component col(int64_t size);
  static Component feature(int64_t size);
};

/// One component per dim of a tensor.
using Layout = mlir::SmallVector<Component, 5>;

/// A tensor the raised op reads, and what each of its dims holds.
struct LeafTensor {
  mlir::Value value;
  Layout layout;
};

/// A factor of the scores known only at run time: the same float at every
/// point of the scores, either a scalar or a tensor whose dims all have size
/// 1. The rewrite applies it to the query.
struct RuntimeFactor {
  mlir::Value value;
  /// Whether the scores are divided by it rather than multiplied.
  bool divide = false;
};

/// Everything the rewrite needs to build the attn.sdpa that replaces `root`.
struct AttentionMatch {
  /// The contraction computing P.V, and the layout of its result.
  mlir::linalg::LinalgOp root;
  Layout resultLayout;

  LeafTensor query, key, value;
  /// Whether key and value hold one head for all query heads (the innermost
  /// batch atom is broadcast by the contractions' indexing maps).
  bool sharedKeyValueHead = false;
  /// An additive float mask or an i1 mask (true = attend), if any; an i1
  /// mask with `negateMask` marks the positions that must not attend.
  std::optional<LeafTensor> mask;
  bool negateMask = false;

  /// The product of the constant factors of the scores.
  double scale = 1.0;
  /// The run-time factors, applied inside the softcap like `scale`.
  mlir::SmallVector<RuntimeFactor> runtimeFactors;
  std::optional<double> softcap;
  bool causal = false;
  std::optional<std::array<int64_t, 2>> window;
  std::optional<attn::Alignment> align;

  /// The batch is split into atoms (outermost first): attn.sdpa gets one
  /// batch dim per atom, the last one being the head dim. Empty when the
  /// graph has no batch at all.
  mlir::SmallVector<int64_t> batchAtoms;
  /// attn.sdpa's batch and head dims: the atoms, with the unit dims the
  /// query has among them (at least one dim).
  Layout batchLayout;
  /// Sizes are numbers as SymbolicSizes gives them: a dynamic dim is a
  /// product of stand-in primes, which `sizes` turns back into types and
  /// values.
  int64_t queryLen = 0, keyLen = 0, headDim = 0, valueHeadDim = 0;
  mlir::Type elementType;
  std::shared_ptr<const SymbolicSizes> sizes;
  /// The ops that compute the attention, which the rewrite leaves dead, and
  /// the tensor.dim ops outside them that read their sizes (dynamic shapes:
  /// TOSA's broadcast checks, the sizes of later tensors).
  SymbolicSizes::OpSet chain;
  mlir::SmallVector<mlir::tensor::DimOp> chainDims;
};

/// Matches the attention whose final contraction is `root`. On failure,
/// `reason` says what did not match.
mlir::FailureOr<AttentionMatch> matchAttention(mlir::linalg::LinalgOp root,
                                               std::string &reason);

} // namespace sdpa::raise

#endif // SDPA_PASSES_RAISESDPAMATCHERS_H
