//===- SymbolicSizes.h - dynamic dims as numbers for the raise -*- C++ -*-===//
//
// The raise (RaiseSdpaMatchers.cpp) reasons about sizes as integers: it
// multiplies, divides and compares them to follow reshapes and to tell the
// batch, rows, columns and features apart. This analysis lets it do the same
// for tensors with dynamic dims. Every dynamic dim of a function is
// described as a product of symbols (an integer coefficient times run-time
// sizes), symbols that the function's ops prove equal are merged (the dims a
// linalg op indexes with one loop, the parts of a reshape, the dims a
// tensor.empty takes from a tensor.dim), and each remaining symbol then
// stands for a distinct large prime. Two sizes are equal as numbers exactly
// when they are the same product, so what the matcher proves with the
// numbers holds for every run-time size; what it cannot prove (two symbols
// that nothing relates) it refuses, as it refuses two different static
// sizes.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_SYMBOLICSIZES_H
#define SDPA_PASSES_SYMBOLICSIZES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <optional>

namespace sdpa::raise {

class SymbolicSizes {
public:
  /// Analyses every tensor of `scope` (a function).
  explicit SymbolicSizes(mlir::Operation *scope);

  /// The dims of a ranked tensor as numbers: static dims as they are,
  /// dynamic ones as their product of stand-in primes. Nothing when `value`
  /// is not a ranked tensor or a product does not fit in 64 bits.
  std::optional<mlir::SmallVector<int64_t>> shapeOf(mlir::Value value) const;

  /// The sizes of a linalg op's loops, as numbers like shapeOf's.
  std::optional<mlir::SmallVector<int64_t>>
  loopRangesOf(mlir::linalg::LinalgOp op) const;

  /// Whether a number that shapeOf returned holds a run-time size.
  bool isSymbolic(int64_t size) const;

  /// The type of a tensor of `shape` (numbers as shapeOf returns them):
  /// dynamic where the size is symbolic.
  mlir::RankedTensorType typeOf(llvm::ArrayRef<int64_t> shape,
                                mlir::Type elementType) const;

  /// Ops whose results a computed size must not read (ops about to be
  /// erased).
  using OpSet = llvm::SmallPtrSet<mlir::Operation *, 16>;

  /// Whether `size` can be computed where `at` is: each of its symbols is
  /// the dim of a tensor, or an index, defined before it and not computed
  /// from the results of `avoid`.
  bool isAvailableAt(int64_t size, mlir::Operation *at,
                     const OpSet &avoid = {}) const;

  /// `size` at the builder's insertion point, which must be where `at` is:
  /// an attribute when static, else the product of tensor.dim ops (and
  /// index values) it stands for. isAvailableAt must have held.
  mlir::OpFoldResult materialize(mlir::OpBuilder &b, mlir::Location loc,
                                 int64_t size, mlir::Operation *at,
                                 const OpSet &avoid = {}) const;

private:
  /// A value of a symbol: the dim of a tensor (`dim` >= 0) or an index.
  struct Representative {
    mlir::Value value;
    int64_t dim;
  };
  /// The primes that `size` is made of, with repetition, and the rest.
  mlir::SmallVector<int64_t> primeFactors(int64_t size,
                                          int64_t &coefficient) const;
  const Representative *availableRepresentative(int64_t prime,
                                                mlir::Operation *at,
                                                const OpSet &avoid) const;

  llvm::DenseMap<mlir::Value, mlir::SmallVector<std::optional<int64_t>>> shapes;
  /// The primes that stand for run-time sizes.
  mlir::SmallVector<int64_t> primes;
  /// The prime each unbound symbol class stands for, and what holds it.
  llvm::DenseMap<int64_t, mlir::SmallVector<Representative, 2>> representatives;
  mlir::DominanceInfo dominance;
};

} // namespace sdpa::raise

#endif // SDPA_PASSES_SYMBOLICSIZES_H
