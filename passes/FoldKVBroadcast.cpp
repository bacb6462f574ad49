//===- FoldKVBroadcast.cpp - --attn-fold-kv-broadcast ---------------------===//
//
// Makes attn.sdpa read key and value from before a repeat_interleave of their
// heads, so grouped-query attention never materialises repeated K/V. Whether a
// chain of reshapes, broadcasts, tiles and copies is such a repeat is proved
// with integer constraints on tensor coordinates, so every spelling that
// exporters and upstream lowerings produce is recognised, and none is folded
// wrongly.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Analysis/Presburger/IntegerRelation.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/SymbolicSizes.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNFOLDKVBROADCASTPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using presburger::IntegerPolyhedron;

/// Longest chain of data movement ops followed back from a key or value.
static constexpr int kMaxChainLength = 16;

namespace {
/// Integer constraints between the coordinates of the tensors along a chain
/// of data movement ops. Every variable is one coordinate (or a helper such
/// as a tile's repeat index), bounded by its dim.
class CoordinateRelation {
public:
  CoordinateRelation()
      : constraints(presburger::PresburgerSpace::getSetSpace(0)) {}

  /// Adds a variable with lower <= x (<= upper).
  unsigned addVariable(int64_t lower, std::optional<int64_t> upper) {
    unsigned id = constraints.appendVar(presburger::VarKind::SetDim);
    addInequality({{id, 1}}, -lower);
    if (upper)
      addInequality({{id, -1}}, *upper);
    return id;
  }

  /// Adds one coordinate per dim of `shape`, 0 <= x < size; a coordinate of
  /// a dynamic dim only has 0 <= x (what is proved then holds for any size).
  SmallVector<unsigned> addCoordinates(ArrayRef<int64_t> shape,
                                       const raise::SymbolicSizes &sizes) {
    return llvm::map_to_vector(shape, [&](int64_t size) {
      return addVariable(0, sizes.isSymbolic(size)
                                ? std::nullopt
                                : std::optional<int64_t>(size - 1));
    });
  }

  using Terms = ArrayRef<std::pair<unsigned, int64_t>>;

  /// sum(coefficient * variable) + constant == 0.
  void addEquality(Terms terms, int64_t constant = 0) {
    constraints.addEquality(row(terms, constant));
  }
  /// sum(coefficient * variable) + constant >= 0.
  void addInequality(Terms terms, int64_t constant = 0) {
    constraints.addInequality(row(terms, constant));
  }
  /// Whether some integer point satisfies the constraints.
  bool isFeasible() const { return !constraints.isIntegerEmpty(); }
  /// Whether no integer point satisfies the constraints and also
  /// sum(coefficient * variable) + constant >= 0: the constraints imply the
  /// opposite.
  bool excludes(Terms terms, int64_t constant = 0) const {
    IntegerPolyhedron extended = constraints;
    extended.addInequality(row(terms, constant));
    return extended.isIntegerEmpty();
  }

private:
  SmallVector<int64_t> row(Terms terms, int64_t constant) const {
    SmallVector<int64_t> coefficients(constraints.getNumVars() + 1, 0);
    for (auto [id, coefficient] : terms)
      coefficients[id] += coefficient;
    coefficients.back() = constant;
    return coefficients;
  }

  IntegerPolyhedron constraints;
};

/// A tensor along the chain, the variables of its coordinates, and the
/// constraints known when it was reached.
struct ChainLink {
  Value value;
  SmallVector<unsigned> coordinates;
  CoordinateRelation relation;
};
} // namespace

/// The shape of a tensor, dynamic dims as SymbolicSizes' numbers; empty
/// when it is not known (or has rank 0, which nothing here follows).
static SmallVector<int64_t> shapeOf(Value value,
                                    const raise::SymbolicSizes &sizes) {
  return sizes.shapeOf(value).value_or(SmallVector<int64_t>());
}

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// Row-major strides of `shape`; fails where a stride would hold a dynamic
/// size (the relation is linear in the coordinates only).
static FailureOr<SmallVector<int64_t>>
stridesOf(ArrayRef<int64_t> shape, const raise::SymbolicSizes &sizes) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
    if (sizes.isSymbolic(shape[d + 1]))
      return failure();
    strides[d] = strides[d + 1] * shape[d + 1];
  }
  return strides;
}

/// Relates, for each reassociation group, the coordinate of the merged dim
/// to those of the dims it splits into: merged == sum(part_k * stride_k),
/// strides row-major within the group.
static LogicalResult relateReassociation(CoordinateRelation &relation,
                                         ArrayRef<unsigned> merged,
                                         ArrayRef<unsigned> split,
                                         ArrayRef<int64_t> splitShape,
                                         ArrayRef<ReassociationIndices> groups,
                                         const raise::SymbolicSizes &sizes) {
  for (auto [g, group] : llvm::enumerate(groups)) {
    SmallVector<int64_t> groupShape =
        llvm::map_to_vector(group, [&](int64_t d) { return splitShape[d]; });
    FailureOr<SmallVector<int64_t>> strides = stridesOf(groupShape, sizes);
    if (failed(strides))
      return failure();
    SmallVector<std::pair<unsigned, int64_t>> terms = {{merged[g], -1}};
    for (auto [d, stride] : llvm::zip_equal(group, *strides))
      terms.push_back({split[d], stride});
    relation.addEquality(terms);
  }
  return success();
}

/// Whether `generic` only copies its one input into its one output (identity
/// output map, input map of dims and constants).
static bool isCopy(linalg::GenericOp generic) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return false;
  Block &body = generic.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!yield || body.getOperations().size() != 1 ||
      yield.getValues().size() != 1 ||
      yield.getValues()[0] != body.getArgument(0))
    return false;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  return maps[1].isIdentity() &&
         llvm::all_of(maps[0].getResults(), [](AffineExpr expr) {
           return isa<AffineDimExpr, AffineConstantExpr>(expr);
         });
}

/// Steps from `link` to the input of the data movement op that produced it,
/// adding the constraints that op implies between their coordinates. Fails
/// at anything else, or where a dynamic size would enter a constraint.
static FailureOr<ChainLink> stepBack(const ChainLink &link,
                                     const raise::SymbolicSizes &sizes) {
  Operation *op = link.value.getDefiningOp();
  SmallVector<int64_t> shape = shapeOf(link.value, sizes);
  if (!op || op->getNumResults() != 1 || shape.empty())
    return failure();
  Value input;
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tosa::ReshapeOp,
          linalg::BroadcastOp, linalg::TransposeOp, tosa::TileOp,
          tosa::TransposeOp>(op))
    input = op->getOperand(0);
  else if (auto generic = dyn_cast<linalg::GenericOp>(op);
           generic && isCopy(generic))
    input = generic.getDpsInputs()[0];
  else
    return failure();
  SmallVector<int64_t> inputShape = shapeOf(input, sizes);
  if (inputShape.empty() || elementTypeOf(input) != elementTypeOf(link.value))
    return failure();

  ChainLink next{input, {}, link.relation};
  CoordinateRelation &relation = next.relation;
  ArrayRef<unsigned> out = link.coordinates;
  SmallVector<unsigned> &in = next.coordinates;

  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    in = relation.addCoordinates(inputShape, sizes);
    if (failed(relateReassociation(relation, out, in, inputShape,
                                   collapse.getReassociationIndices(), sizes)))
      return failure();
  } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    in = relation.addCoordinates(inputShape, sizes);
    if (failed(relateReassociation(relation, in, out, shape,
                                   expand.getReassociationIndices(), sizes)))
      return failure();
  } else if (isa<tosa::ReshapeOp>(op)) {
    // A reshape keeps the row-major linear index.
    in = relation.addCoordinates(inputShape, sizes);
    FailureOr<SmallVector<int64_t>> outStrides = stridesOf(shape, sizes);
    FailureOr<SmallVector<int64_t>> inStrides = stridesOf(inputShape, sizes);
    if (failed(outStrides) || failed(inStrides))
      return failure();
    SmallVector<std::pair<unsigned, int64_t>> terms;
    for (auto [id, stride] : llvm::zip_equal(out, *outStrides))
      terms.push_back({id, stride});
    for (auto [id, stride] : llvm::zip_equal(in, *inStrides))
      terms.push_back({id, -stride});
    relation.addEquality(terms);
  } else if (auto broadcast = dyn_cast<linalg::BroadcastOp>(op)) {
    ArrayRef<int64_t> added = broadcast.getDimensions();
    for (auto [d, id] : llvm::enumerate(out))
      if (!llvm::is_contained(added, static_cast<int64_t>(d)))
        in.push_back(id);
  } else if (auto transpose = dyn_cast<linalg::TransposeOp>(op)) {
    // Output dim d is input dim permutation[d].
    in.assign(out.size(), 0);
    for (auto [d, source] : llvm::enumerate(transpose.getPermutation()))
      in[source] = out[d];
  } else if (auto transpose = dyn_cast<tosa::TransposeOp>(op)) {
    in.assign(out.size(), 0);
    for (auto [d, source] : llvm::enumerate(transpose.getPerms()))
      in[source] = out[d];
  } else if (isa<tosa::TileOp>(op)) {
    // out = in + size * k for a repeat index k of each tiled dim.
    in = relation.addCoordinates(inputShape, sizes);
    for (auto [d, size] : llvm::enumerate(inputShape)) {
      if (size <= 0 || sizes.isSymbolic(size) || sizes.isSymbolic(shape[d]))
        return failure();
      if (size == shape[d]) {
        relation.addEquality({{out[d], 1}, {in[d], -1}});
        continue;
      }
      unsigned repeat = relation.addVariable(0, shape[d] / size - 1);
      relation.addEquality({{out[d], 1}, {in[d], -1}, {repeat, -size}});
    }
  } else {
    auto generic = cast<linalg::GenericOp>(op);
    in = relation.addCoordinates(inputShape, sizes);
    AffineMap map = generic.getIndexingMapsArray()[0];
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      if (auto dim = dyn_cast<AffineDimExpr>(expr))
        relation.addEquality({{in[d], 1}, {out[dim.getPosition()], -1}});
      else
        relation.addEquality({{in[d], 1}},
                             -cast<AffineConstantExpr>(expr).getValue());
    }
  }
  if (in.size() != inputShape.size())
    return failure();
  return next;
}

/// Whether the relation proves that `candidate` reads, for every coordinate
/// of the operand, the same coordinate except head h -> h / factor.
static bool provesRepeatInterleave(const ChainLink &operand,
                                   const ChainLink &candidate, int64_t headDim,
                                   int64_t factor) {
  const CoordinateRelation &relation = candidate.relation;
  // Constraints that nothing satisfies (an empty tensor, IR the relation
  // does not model) would prove anything.
  if (!relation.isFeasible())
    return false;
  for (auto [d, pair] : llvm::enumerate(
           llvm::zip_equal(operand.coordinates, candidate.coordinates))) {
    auto [o, c] = pair;
    if (static_cast<int64_t>(d) != headDim) {
      // c == o: neither c > o nor c < o is possible.
      if (!relation.excludes({{c, 1}, {o, -1}}, -1) ||
          !relation.excludes({{o, 1}, {c, -1}}, -1))
        return false;
      continue;
    }
    // factor * c <= o <= factor * c + factor - 1.
    if (!relation.excludes({{c, factor}, {o, -1}}, -1) ||
        !relation.excludes({{o, 1}, {c, -factor}}, -factor))
      return false;
  }
  return true;
}

/// Every tensor up the chain of `operand` that it provably repeats the heads
/// of, with that tensor's head count, nearest first.
/// Dynamic dims other than the heads are allowed: their sizes are compared
/// as SymbolicSizes' numbers, equal only where the ops prove them equal.
static SmallVector<std::pair<Value, int64_t>>
findHeadRepeatSources(Value operand, int64_t headDim,
                      const raise::SymbolicSizes &sizes) {
  SmallVector<std::pair<Value, int64_t>> sources;
  SmallVector<int64_t> shape = shapeOf(operand, sizes);
  if (shape.empty() || sizes.isSymbolic(shape[headDim]))
    return sources;
  ChainLink link{operand, {}, CoordinateRelation()};
  link.coordinates = link.relation.addCoordinates(shape, sizes);
  ChainLink start = link;
  for (int step = 0; step < kMaxChainLength; ++step) {
    FailureOr<ChainLink> next = stepBack(link, sizes);
    if (failed(next))
      break;
    link = std::move(*next);
    SmallVector<int64_t> candidateShape = shapeOf(link.value, sizes);
    if (candidateShape.size() != shape.size())
      continue;
    int64_t heads = candidateShape[headDim];
    bool otherDimsAgree =
        llvm::all_of(llvm::seq<int64_t>(0, shape.size()), [&](int64_t d) {
          return d == headDim || candidateShape[d] == shape[d];
        });
    if (!otherDimsAgree || heads == 0 || sizes.isSymbolic(heads) ||
        shape[headDim] % heads != 0)
      continue;
    if (provesRepeatInterleave(start, link, headDim, shape[headDim] / heads))
      sources.push_back({link.value, heads});
  }
  return sources;
}

namespace {
/// Replaces attn.sdpa's key and value by the sources of their head repeats.
struct FoldRepeatedKeyValue : OpRewritePattern<attn::SdpaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attn::SdpaOp op,
                                PatternRewriter &rewriter) const override {
    int64_t headDim = op.getBatchRank();
    raise::SymbolicSizes sizes(
        op->getParentWithTrait<OpTrait::IsIsolatedFromAbove>());
    auto keys = findHeadRepeatSources(op.getKey(), headDim, sizes);
    auto values = findHeadRepeatSources(op.getValue(), headDim, sizes);
    // attn.sdpa needs as many key heads as value heads: fold both to sources
    // with the same head count, the fewest heads that both reach.
    std::optional<std::pair<Value, Value>> best;
    int64_t bestHeads = 0;
    for (auto [key, keyHeads] : keys)
      for (auto [value, valueHeads] : values)
        if (keyHeads == valueHeads && (!best || keyHeads < bestHeads)) {
          best = {key, value};
          bestHeads = keyHeads;
        }
    if (!best)
      return rewriter.notifyMatchFailure(
          op, "key and value are not both provably a repeat_interleave of "
              "the same number of heads");
    rewriter.modifyOpInPlace(op, [&] {
      op.getKeyMutable().assign(best->first);
      op.getValueMutable().assign(best->second);
    });
    return success();
  }
};

struct AttnFoldKVBroadcastPass
    : sdpa::impl::AttnFoldKVBroadcastPassBase<AttnFoldKVBroadcastPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnFoldKVBroadcastPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnFoldKVBroadcastPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldRepeatedKeyValue>(patterns.getContext());
}
