//===- RaiseSdpaMatchers.cpp - recognising unfused attention --------------===//
//
// Proves that the graph feeding a P.V contraction is scaled-dot-product
// attention. Exporters spell attention in many ways (named or generic
// contractions, reshapes between rank-3 and rank-4 forms, fused or separate
// elementwise ops, broadcasts in indexing maps, several softmax
// decompositions), so the graph is not matched op by op: every tensor on the
// way is described by what each of its dims holds in one logical index space
// (batch, query row i, key column j, feature), every scalar computed in a
// linalg body becomes a node of an expression graph over that space, and the
// attention formula is matched on the expression graph. Anything the
// description cannot express, or any expression that is not exactly the
// formula, refuses the match.
//
//===----------------------------------------------------------------------===//

#include "passes/RaiseSdpaMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <cmath>
#include <limits>
#include <memory>

using namespace mlir;
using namespace sdpa;
using namespace sdpa::raise;
using Kind = Component::Kind;

/// Longest chain of data movement ops followed back from an operand.
static constexpr int kMaxLeafSteps = 16;
/// Deepest recursion when comparing two expressions structurally.
static constexpr int kMaxCompareDepth = 32;

Component Component::batch(int64_t inner, int64_t size) {
  if (size == 1)
    return unit();
  return {Kind::Batch, size, inner};
}
Component Component::row(int64_t size) {
  return size == 1 ? unit() : Component{Kind::Row, size, 1};
}
Component Component::col(int64_t size) {
  return size == 1 ? unit() : Component{Kind::Col, size, 1};
}
Component Component::feature(int64_t size) {
  return size == 1 ? unit() : Component{Kind::Feature, size, 1};
}

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// Looks through arith.extf, which only widens.
static Value stripExtF(Value value) {
  while (auto ext = value.getDefiningOp<arith::ExtFOp>())
    value = ext.getIn();
  return value;
}

/// The predicate that compares the same values with the operands swapped.
static arith::CmpIPredicate swapOperands(arith::CmpIPredicate pred) {
  using P = arith::CmpIPredicate;
  switch (pred) {
  case P::slt:
    return P::sgt;
  case P::sle:
    return P::sge;
  case P::sgt:
    return P::slt;
  case P::sge:
    return P::sle;
  case P::ult:
    return P::ugt;
  case P::ule:
    return P::uge;
  case P::ugt:
    return P::ult;
  case P::uge:
    return P::ule;
  default:
    return pred;
  }
}

/// Whether `value` may be used by an op created just before `op`.
static bool availableAt(Value value, Operation *op) {
  Block *block = value.getParentBlock();
  Operation *ancestor = block ? block->findAncestorOpInBlock(*op) : nullptr;
  if (!ancestor)
    return false;
  Operation *def = value.getDefiningOp();
  return !def || def->isBeforeInBlock(ancestor);
}

/// Merges the components of dims that a reshape turns into one dim
/// (row-major): units vanish, adjacent batch ranges join, anything else
/// cannot be described.
static FailureOr<Component> mergeComponents(ArrayRef<Component> parts) {
  SmallVector<Component> nonUnit;
  for (const Component &part : parts)
    if (part.kind != Kind::Unit)
      nonUnit.push_back(part);
  if (nonUnit.empty())
    return Component::unit();
  if (nonUnit.size() == 1)
    return nonUnit.front();
  for (auto [outer, inner] : llvm::zip(nonUnit, ArrayRef(nonUnit).drop_front()))
    if (outer.kind != Kind::Batch || inner.kind != Kind::Batch ||
        inner.outer() != outer.inner)
      return failure();
  int64_t size = nonUnit.front().outer() / nonUnit.back().inner;
  return Component::batch(nonUnit.back().inner, size);
}

namespace {
enum class NodeKind : uint8_t {
  /// A tensor read at the logical point, through a layout.
  Read,
  /// A scalar computed by an op in a linalg body.
  Body,
  /// linalg.index of a loop.
  Index,
  /// A scalar from outside the body that is not a constant.
  Scalar,
  /// A constant scalar or splat.
  Constant,
  /// A linalg op with reduction loops whose meaning is not fixed yet.
  Reduction,
  /// linalg.softmax.
  Softmax,
};

struct Node {
  NodeKind kind;
  Value value;
  Layout layout;
  unsigned context = 0;
  Component component;
  TypedAttr constant;
  Operation *op = nullptr;
};

/// A linalg op seen with a meaning for each of its loops (nullopt for
/// reduction loops until a matcher gives them one).
struct Context {
  linalg::LinalgOp op;
  SmallVector<std::optional<Component>> loops;
};

/// How a lookup walks the graph: whether the ops it steps through belong to
/// the attention (and must have no other users), and whether reshapes may
/// split the batch further than it is known to be split.
struct Mode {
  bool record;
  bool refine;
};
constexpr Mode kChain{true, true};
constexpr Mode kAux{false, false};

/// An integer affine function of the query row and key column, and of the
/// key and query lengths where they are run-time sizes (read with
/// tensor.dim).
struct IndexLinear {
  int64_t row = 0, col = 0, constant = 0;
  int64_t keyLens = 0, queryLens = 0;

  IndexLinear operator+(const IndexLinear &o) const {
    return {row + o.row, col + o.col, constant + o.constant,
            keyLens + o.keyLens, queryLens + o.queryLens};
  }
  IndexLinear operator*(int64_t f) const {
    return {row * f, col * f, constant * f, keyLens * f, queryLens * f};
  }
  IndexLinear operator-(const IndexLinear &o) const { return *this + o * -1; }
  bool isConstant() const {
    return row == 0 && col == 0 && keyLens == 0 && queryLens == 0;
  }
};

/// A bound on j - i: `constant` plus `lengths` times S - L, which is only
/// kept apart from the constant when the lengths are run-time sizes.
struct Bound {
  int64_t constant = 0;
  int64_t lengths = 0;
  bool operator==(const Bound &o) const {
    return constant == o.constant && lengths == o.lengths;
  }
};

/// What the masking ops found so far allow: bounds on j - i and one mask
/// tensor.
struct MaskState {
  std::optional<Bound> upper, lower;
  std::optional<unsigned> mask;
  bool negateMask = false;
};

struct ContractionOperands {
  unsigned lhs, rhs;
};

class Matcher {
public:
  explicit Matcher(linalg::LinalgOp root)
      : root(root),
        sizes(std::make_shared<SymbolicSizes>(
            root->getParentWithTrait<OpTrait::IsIsolatedFromAbove>())) {}
  FailureOr<AttentionMatch> run(std::string &reason);

private:
  LogicalResult fail(const Twine &message) {
    reason = message.str();
    return failure();
  }

  /// Shapes and loop sizes as numbers, dynamic dims included (see
  /// SymbolicSizes.h).
  std::optional<SmallVector<int64_t>> shapeOf(Value value) const {
    return sizes->shapeOf(value);
  }
  FailureOr<SmallVector<int64_t>> loopRanges(linalg::LinalgOp op) {
    std::optional<SmallVector<int64_t>> ranges = sizes->loopRangesOf(op);
    if (!ranges)
      return fail("the sizes of '" + op->getName().getStringRef() +
                  "' cannot be related to the attention's");
    return *ranges;
  }

  // Building the expression graph.
  unsigned addNode(Node node) {
    nodes.push_back(std::move(node));
    return nodes.size() - 1;
  }
  unsigned readNode(Value tensor, const Layout &layout);
  unsigned constantNode(TypedAttr attr);
  FailureOr<unsigned> contextFor(linalg::LinalgOp op,
                                 ArrayRef<std::optional<Component>> loops);
  FailureOr<unsigned> contextForResult(OpResult result, const Layout &layout);
  FailureOr<Layout> operandLayout(unsigned context, OpOperand &operand);
  FailureOr<unsigned> bodyNode(Value value, unsigned context);
  FailureOr<unsigned> operandNode(unsigned id, unsigned index);
  FailureOr<unsigned> expand(unsigned id, Mode mode);
  FailureOr<Layout> expandSource(const Layout &layout,
                                 ArrayRef<ReassociationIndices> groups);
  FailureOr<Layout> collapseSource(const Layout &layout,
                                   ArrayRef<int64_t> sourceShape,
                                   ArrayRef<ReassociationIndices> groups,
                                   Mode mode);
  unsigned resolve(unsigned id, Mode mode);
  unsigned stripCasts(unsigned id, Mode mode);
  LogicalResult addBoundary(int64_t boundary, Mode mode);

  // Queries on nodes.
  template <typename OpTy> OpTy bodyOp(unsigned id) {
    if (nodes[id].kind != NodeKind::Body)
      return nullptr;
    return nodes[id].value.getDefiningOp<OpTy>();
  }
  std::optional<double> floatConstant(unsigned id);
  std::optional<APInt> intConstant(unsigned id);
  std::optional<Value> runtimeScalar(unsigned id);
  bool isNegInf(unsigned id) {
    std::optional<double> value = floatConstant(id);
    return value && std::isinf(*value) && *value < 0;
  }
  bool isZero(unsigned id) {
    std::optional<double> value = floatConstant(id);
    return value && *value == 0.0;
  }
  bool same(unsigned a, unsigned b, int depth = 0);
  FailureOr<IndexLinear> linear(unsigned id, int depth = 0);
  FailureOr<IndexLinear> lengthTerms(Value value, int depth);

  // The attention formula, outermost first.
  FailureOr<unsigned> matchSoftmax(unsigned id);
  FailureOr<unsigned> matchNormalized(unsigned exp, unsigned sum);
  FailureOr<unsigned> matchShiftedExp(unsigned id);
  FailureOr<unsigned> matchLogSoftmaxExp(unsigned id);
  enum class Combiner { Max, Add };
  FailureOr<unsigned> matchReduction(unsigned id, Combiner combiner);
  FailureOr<ContractionOperands> matchScores(unsigned id);
  FailureOr<ContractionOperands> matchScaledProduct(unsigned id);
  LogicalResult addBias(unsigned term);
  LogicalResult addCondition(unsigned id, bool negated, int depth = 0);
  LogicalResult addMask(unsigned id, bool negated);
  FailureOr<ContractionOperands> matchContraction(unsigned id);
  FailureOr<unsigned> peelScale(unsigned id, Mode mode);
  FailureOr<LeafTensor> chooseLeaf(unsigned id, Mode mode, bool allowSharedHead,
                                   bool isMask, bool preferBatchFirst = false);
  FailureOr<unsigned> stepLeaf(unsigned id, Mode mode);
  LogicalResult setAttributes(AttentionMatch &match);
  SmallVector<Component> atomComponents() const;
  std::optional<Layout> leadingBatchDims(const Layout &layout) const;
  LogicalResult checkChain(Type elementType,
                           SmallVectorImpl<tensor::DimOp> &dims);
  LogicalResult tryRoot(unsigned probabilitiesInput, unsigned rowChoice,
                        AttentionMatch &match);

  /// What a failed alternative must undo.
  struct MatchState {
    size_t chainSize;
    double scale;
    size_t numFactors;
    std::optional<double> softcap;
    MaskState mask;
  };
  MatchState save() const {
    return {chain.size(), scale, factors.size(), softcap, maskState};
  }
  void restore(const MatchState &state) {
    restoreChain(state.chainSize);
    scale = state.scale;
    factors.truncate(state.numFactors);
    softcap = state.softcap;
    maskState = state.mask;
  }

  void restoreChain(size_t size) {
    while (chain.size() > size)
      chain.pop_back();
  }

  linalg::LinalgOp root;
  std::shared_ptr<SymbolicSizes> sizes;
  std::string reason;

  SmallVector<Node> nodes;
  SmallVector<Context> contexts;
  DenseMap<Value, SmallVector<unsigned, 1>> readNodes;
  DenseMap<std::pair<Value, unsigned>, unsigned> bodyNodes;
  DenseMap<Operation *, SmallVector<unsigned, 1>> contextsOf;
  DenseMap<unsigned, unsigned> expanded;
  /// Read nodes whose expand_shape was followed together with the
  /// collapse_shape before it.
  DenseMap<unsigned, Operation *> composedCollapses;

  /// Ops that compute the attention from its operands.
  llvm::SetVector<Operation *> chain;
  /// Types that arith.truncf ops looked through round to.
  SmallVector<Type> roundings;
  /// Products of the trailing batch sizes where the batch may be cut into
  /// dims; always a chain under divisibility, 1 and the whole batch included.
  SmallVector<int64_t> boundaries;

  int64_t queryLen = 0, keyLen = 0;
  /// How many loops of the root may be the query rows.
  size_t numRowChoices = 1;
  double scale = 1.0;
  SmallVector<RuntimeFactor> factors;
  std::optional<double> softcap;
  MaskState maskState;
};
} // namespace

//===----------------------------------------------------------------------===//
// Expression graph
//===----------------------------------------------------------------------===//

unsigned Matcher::readNode(Value tensor, const Layout &layout) {
  SmallVector<unsigned, 1> &known = readNodes[tensor];
  for (unsigned id : known)
    if (nodes[id].layout == layout)
      return id;
  Node node{NodeKind::Read};
  node.value = tensor;
  node.layout = layout;
  unsigned id = addNode(std::move(node));
  readNodes[tensor].push_back(id);
  return id;
}

unsigned Matcher::constantNode(TypedAttr attr) {
  Node node{NodeKind::Constant};
  node.constant = attr;
  return addNode(std::move(node));
}

FailureOr<unsigned>
Matcher::contextFor(linalg::LinalgOp op,
                    ArrayRef<std::optional<Component>> loops) {
  SmallVector<unsigned, 1> &known = contextsOf[op];
  for (unsigned id : known)
    if (ArrayRef(contexts[id].loops) == loops)
      return id;
  contexts.push_back({op, llvm::to_vector(loops)});
  contextsOf[op].push_back(contexts.size() - 1);
  return contexts.size() - 1;
}

/// Gives each loop of the op producing `result` the meaning of the output
/// dim it writes; reduction loops stay open. An op with several results is
/// described through `result` alone: its other results are only used if the
/// matchers prove them (checkChain refuses ones that escape the attention).
FailureOr<unsigned> Matcher::contextForResult(OpResult result,
                                              const Layout &layout) {
  auto op = cast<linalg::LinalgOp>(result.getOwner());
  if (!op.hasPureTensorSemantics() ||
      op->getNumResults() != op.getNumDpsInits())
    return fail("'" + op->getName().getStringRef() +
                "' does not compute tensors");
  FailureOr<SmallVector<int64_t>> loopSizes = loopRanges(op);
  if (failed(loopSizes))
    return failure();
  SmallVector<int64_t> ranges = std::move(*loopSizes);
  AffineMap map = op.getIndexingMapMatchingResult(result);
  SmallVector<std::optional<Component>> loops(op.getNumLoops());
  for (auto [d, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      std::optional<Component> &loop = loops[dim.getPosition()];
      if (loop && *loop != layout[d])
        return fail("an output indexing map repeats a loop");
      loop = layout[d];
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || layout[d].kind != Kind::Unit)
      return fail("unsupported output indexing map");
  }
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [d, loop] : llvm::enumerate(loops)) {
    if (!loop) {
      if (iterators[d] == utils::IteratorType::reduction)
        continue;
      if (ranges[d] != 1)
        return fail("a parallel loop writes no output dim");
      loop = Component::unit();
    }
    if (loop->size != ranges[d])
      return fail("loop sizes do not match the attention's sizes");
  }
  return contextFor(op, loops);
}

FailureOr<Layout> Matcher::operandLayout(unsigned context, OpOperand &operand) {
  Context ctx = contexts[context];
  std::optional<SmallVector<int64_t>> shape = shapeOf(operand.get());
  if (!shape)
    return fail("an operand's sizes cannot be related to the attention's");
  AffineMap map = ctx.op.getMatchingIndexingMap(&operand);
  Layout layout;
  for (auto [d, expr] : llvm::enumerate(map.getResults())) {
    Component component;
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      const std::optional<Component> &loop = ctx.loops[dim.getPosition()];
      if (!loop)
        return fail("an operand is indexed by an unmatched reduction loop");
      component = *loop;
    } else if (auto constant = dyn_cast<AffineConstantExpr>(expr);
               !constant || constant.getValue() != 0) {
      return fail("unsupported input indexing map");
    }
    if (component.size != (*shape)[d])
      return fail("an operand's shape does not match its indexing map");
    layout.push_back(component);
  }
  return layout;
}

FailureOr<unsigned> Matcher::bodyNode(Value value, unsigned context) {
  auto key = std::make_pair(value, context);
  if (auto it = bodyNodes.find(key); it != bodyNodes.end())
    return it->second;
  linalg::LinalgOp op = contexts[context].op;
  Block *body = op.getBlock();
  FailureOr<unsigned> id = failure();
  if (auto arg = dyn_cast<BlockArgument>(value);
      arg && arg.getOwner() == body) {
    OpOperand *operand = op.getMatchingOpOperand(arg);
    if (!isa<RankedTensorType>(operand->get().getType())) {
      Value scalar = operand->get();
      Attribute attr;
      if (matchPattern(scalar, m_Constant(&attr)) && isa<TypedAttr>(attr))
        id = constantNode(cast<TypedAttr>(attr));
      else
        id = addNode({NodeKind::Scalar, scalar});
    } else {
      FailureOr<Layout> layout = operandLayout(context, *operand);
      if (failed(layout))
        return failure();
      id = readNode(operand->get(), *layout);
    }
  } else if (Operation *def = value.getDefiningOp();
             def && op->isProperAncestor(def)) {
    if (def->getBlock() != body)
      return fail("nested regions in a linalg body are not supported");
    Attribute attr;
    if (auto index = dyn_cast<linalg::IndexOp>(def)) {
      const std::optional<Component> &loop =
          contexts[context].loops[index.getDim()];
      if (!loop)
        return fail("linalg.index of an unmatched reduction loop");
      Node node{NodeKind::Index};
      node.component = *loop;
      id = addNode(std::move(node));
    } else if (matchPattern(value, m_Constant(&attr)) && isa<TypedAttr>(attr)) {
      id = constantNode(cast<TypedAttr>(attr));
    } else {
      Node node{NodeKind::Body, value};
      node.context = context;
      id = addNode(std::move(node));
    }
  } else {
    Attribute attr;
    if (matchPattern(value, m_Constant(&attr)) && isa<TypedAttr>(attr))
      id = constantNode(cast<TypedAttr>(attr));
    else
      id = addNode({NodeKind::Scalar, value});
  }
  bodyNodes[key] = *id;
  return id;
}

FailureOr<unsigned> Matcher::operandNode(unsigned id, unsigned index) {
  Node node = nodes[id];
  return bodyNode(node.value.getDefiningOp()->getOperand(index), node.context);
}

LogicalResult Matcher::addBoundary(int64_t boundary, Mode mode) {
  if (llvm::is_contained(boundaries, boundary))
    return success();
  if (!mode.refine)
    return failure();
  for (int64_t known : boundaries)
    if (known % boundary != 0 && boundary % known != 0)
      return fail("reshapes split the batch in incompatible ways");
  boundaries.push_back(boundary);
  llvm::sort(boundaries);
  return success();
}

/// What the dims of a tensor hold that reshapes, by `groups`, to one whose
/// dims hold `layout`, with fewer dims (each group merges into one).
FailureOr<Layout> Matcher::expandSource(const Layout &layout,
                                        ArrayRef<ReassociationIndices> groups) {
  Layout source;
  for (const ReassociationIndices &group : groups) {
    SmallVector<Component> parts =
        llvm::map_to_vector(group, [&](int64_t d) { return layout[d]; });
    FailureOr<Component> merged = mergeComponents(parts);
    if (failed(merged))
      return failure();
    source.push_back(*merged);
  }
  return source;
}

/// What the dims of a tensor of `sourceShape` hold that collapses, by
/// `groups`, to one whose dims hold `layout`: the batch splits at new
/// boundaries, anything else stays in the one non-unit dim of its group.
FailureOr<Layout> Matcher::collapseSource(const Layout &layout,
                                          ArrayRef<int64_t> sourceShape,
                                          ArrayRef<ReassociationIndices> groups,
                                          Mode mode) {
  Layout source(sourceShape.size());
  for (auto [g, group] : llvm::enumerate(groups)) {
    const Component &merged = layout[g];
    if (merged.kind == Kind::Unit)
      continue;
    if (merged.kind != Kind::Batch) {
      // Row, column or feature: exactly one non-unit dim holds it.
      int count = 0;
      for (int64_t d : group)
        if (sourceShape[d] != 1) {
          source[d] = merged;
          ++count;
        }
      if (count != 1)
        return failure();
      continue;
    }
    int64_t inner = merged.inner;
    for (int64_t d : llvm::reverse(group)) {
      source[d] = Component::batch(inner, sourceShape[d]);
      inner *= sourceShape[d];
      if (failed(addBoundary(inner, mode)))
        return failure();
    }
  }
  return source;
}

/// The expression a Read node's tensor holds, one op back; fails at
/// anything that is not understood (the Read is then a leaf).
FailureOr<unsigned> Matcher::expand(unsigned id, Mode mode) {
  if (auto it = expanded.find(id); it != expanded.end()) {
    if (mode.record) {
      chain.insert(nodes[id].value.getDefiningOp());
      if (Operation *collapse = composedCollapses.lookup(id))
        chain.insert(collapse);
    }
    return it->second;
  }
  Value tensor = nodes[id].value;
  Layout layout = nodes[id].layout;
  Operation *def = tensor.getDefiningOp();
  std::optional<SmallVector<int64_t>> shape = shapeOf(tensor);
  if (!def || !shape)
    return failure();

  FailureOr<unsigned> result = failure();
  if (auto expandShape = dyn_cast<tensor::ExpandShapeOp>(def)) {
    FailureOr<Layout> source =
        expandSource(layout, expandShape.getReassociationIndices());
    if (succeeded(source)) {
      result = readNode(expandShape.getSrc(), *source);
    } else if (auto collapse = expandShape.getSrc()
                                   .getDefiningOp<tensor::CollapseShapeOp>()) {
      // A reshape through one flat dim, as tosa-to-tensor lowers a
      // tosa.reshape with dynamic dims: the two ops as one reshape between
      // the collapse's source and the expand's result, where one refines
      // the other.
      std::optional<SmallVector<int64_t>> from = shapeOf(collapse.getSrc());
      if (!from)
        return failure();
      if (from->size() > shape->size()) {
        if (auto groups = getReassociationIndicesForCollapse(*from, *shape))
          source = collapseSource(layout, *from, *groups, mode);
      } else if (from->size() < shape->size()) {
        if (auto groups = getReassociationIndicesForCollapse(*shape, *from))
          source = expandSource(layout, *groups);
      } else if (*from == *shape) {
        source = layout;
      }
      if (failed(source))
        return failure();
      result = readNode(collapse.getSrc(), *source);
      composedCollapses[id] = collapse;
      if (mode.record)
        chain.insert(collapse);
    }
  } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    std::optional<SmallVector<int64_t>> sourceShape =
        shapeOf(collapse.getSrc());
    if (!sourceShape)
      return failure();
    FailureOr<Layout> source = collapseSource(
        layout, *sourceShape, collapse.getReassociationIndices(), mode);
    if (failed(source))
      return failure();
    result = readNode(collapse.getSrc(), *source);
  } else if (auto constant = dyn_cast<arith::ConstantOp>(def)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat())
      return failure();
    result = constantNode(dense.getSplatValue<TypedAttr>());
  } else if (auto softmax = dyn_cast<linalg::SoftmaxOp>(def)) {
    if (!shapeOf(softmax.getInput()))
      return failure();
    Node node{NodeKind::Softmax, tensor};
    node.layout = layout;
    node.op = softmax;
    result = addNode(std::move(node));
  } else if (auto op = dyn_cast<linalg::LinalgOp>(def)) {
    FailureOr<unsigned> context =
        contextForResult(cast<OpResult>(tensor), layout);
    if (failed(context))
      return failure();
    if (llvm::any_of(contexts[*context].loops,
                     [](const auto &loop) { return !loop; })) {
      Node node{NodeKind::Reduction, tensor};
      node.context = *context;
      result = addNode(std::move(node));
    } else {
      Operation *yield = op.getBlock()->getTerminator();
      result =
          bodyNode(yield->getOperand(cast<OpResult>(tensor).getResultNumber()),
                   *context);
    }
  }
  if (failed(result))
    return failure();
  expanded[id] = *result;
  if (mode.record)
    chain.insert(def);
  return result;
}

unsigned Matcher::resolve(unsigned id, Mode mode) {
  while (nodes[id].kind == NodeKind::Read) {
    FailureOr<unsigned> next = expand(id, mode);
    if (failed(next))
      break;
    id = *next;
  }
  return id;
}

unsigned Matcher::stripCasts(unsigned id, Mode mode) {
  for (;;) {
    id = resolve(id, mode);
    if (!bodyOp<arith::ExtFOp>(id) && !bodyOp<arith::TruncFOp>(id))
      return id;
    // A rounding inside a body is checked like the chain's tensor types.
    if (auto trunc = bodyOp<arith::TruncFOp>(id))
      roundings.push_back(trunc.getType());
    FailureOr<unsigned> operand = operandNode(id, 0);
    if (failed(operand))
      return id;
    id = *operand;
  }
}

std::optional<double> Matcher::floatConstant(unsigned id) {
  id = resolve(id, kAux);
  const Node &node = nodes[id];
  if (node.kind == NodeKind::Constant) {
    if (auto attr = dyn_cast<FloatAttr>(node.constant))
      return attr.getValueAsDouble();
    return std::nullopt;
  }
  // A cast of a constant: round as the cast does.
  Operation *op =
      node.kind == NodeKind::Body ? node.value.getDefiningOp() : nullptr;
  if (!isa_and_nonnull<arith::ExtFOp, arith::TruncFOp>(op))
    return std::nullopt;
  FailureOr<unsigned> operand = operandNode(id, 0);
  if (failed(operand))
    return std::nullopt;
  std::optional<double> value = floatConstant(*operand);
  if (!value)
    return std::nullopt;
  APFloat rounded(*value);
  bool lost = false;
  rounded.convert(
      cast<FloatType>(op->getResult(0).getType()).getFloatSemantics(),
      APFloat::rmNearestTiesToEven, &lost);
  return rounded.convertToDouble();
}

std::optional<APInt> Matcher::intConstant(unsigned id) {
  id = resolve(id, kAux);
  const Node &node = nodes[id];
  if (node.kind != NodeKind::Constant)
    return std::nullopt;
  if (auto attr = dyn_cast<IntegerAttr>(node.constant))
    return attr.getValue();
  return std::nullopt;
}

/// A float that is the same at every point and known only at run time: a
/// scalar from outside the body, or a tensor whose dims all have size 1
/// (read as an operand, through tensor.extract, or filled or broadcast into
/// a larger tensor), looking through widening casts. Returns the scalar or
/// the size-1 tensor.
std::optional<Value> Matcher::runtimeScalar(unsigned id) {
  for (int step = 0; step < kMaxLeafSteps; ++step) {
    const Node &node = nodes[id];
    if (node.kind == NodeKind::Read) {
      if (llvm::all_of(node.layout,
                       [](const Component &c) { return c.kind == Kind::Unit; }))
        return isa<FloatType>(elementTypeOf(node.value))
                   ? std::optional<Value>(node.value)
                   : std::nullopt;
      unsigned next = resolve(id, kAux);
      if (next == id)
        return std::nullopt;
      id = next;
      continue;
    }
    if (node.kind == NodeKind::Scalar)
      return isa<FloatType>(node.value.getType())
                 ? std::optional<Value>(node.value)
                 : std::nullopt;
    if (auto extract = bodyOp<tensor::ExtractOp>(id)) {
      // The tensor must come from outside the body, and every in-bounds
      // index of a tensor of size-1 dims is 0.
      Value tensor = extract.getTensor();
      auto type = dyn_cast<RankedTensorType>(tensor.getType());
      Region &body = contexts[node.context].op->getRegion(0);
      if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
          !isa<FloatType>(type.getElementType()) ||
          body.isAncestor(tensor.getParentRegion()))
        return std::nullopt;
      return tensor;
    }
    if (!bodyOp<arith::ExtFOp>(id))
      return std::nullopt;
    FailureOr<unsigned> operand = operandNode(id, 0);
    if (failed(operand))
      return std::nullopt;
    id = *operand;
  }
  return std::nullopt;
}

/// Whether two nodes compute the same value: the same node, or the same op
/// on the same operands (exporters and fusion may duplicate an op).
bool Matcher::same(unsigned a, unsigned b, int depth) {
  if (a == b)
    return true;
  auto widened = [&](unsigned id) {
    // Widening is exact: extf(x) holds the value of x.
    for (;;) {
      id = resolve(id, kAux);
      if (!bodyOp<arith::ExtFOp>(id))
        return id;
      FailureOr<unsigned> operand = operandNode(id, 0);
      if (failed(operand))
        return id;
      id = *operand;
    }
  };
  a = widened(a);
  b = widened(b);
  if (a == b)
    return true;
  const Node &x = nodes[a], &y = nodes[b];
  if (x.kind != y.kind || depth > kMaxCompareDepth)
    return false;
  switch (x.kind) {
  case NodeKind::Constant:
    return x.constant == y.constant;
  case NodeKind::Index:
    return x.component == y.component;
  case NodeKind::Body: {
    Operation *p = x.value.getDefiningOp(), *q = y.value.getDefiningOp();
    if (p->getName() != q->getName() ||
        p->getNumOperands() != q->getNumOperands() ||
        p->getResultTypes() != q->getResultTypes() ||
        p->getRawDictionaryAttrs() != q->getRawDictionaryAttrs() ||
        p->getPropertiesAsAttribute() != q->getPropertiesAsAttribute())
      return false;
    for (unsigned i = 0, e = p->getNumOperands(); i < e; ++i) {
      FailureOr<unsigned> u = operandNode(a, i), v = operandNode(b, i);
      if (failed(u) || failed(v) || !same(*u, *v, depth + 1))
        return false;
    }
    return true;
  }
  default:
    return false;
  }
}

/// The node as an affine function of the query row and key column.
static FailureOr<IndexLinear> combineLinear(Operation *op,
                                            FailureOr<IndexLinear> lhs,
                                            FailureOr<IndexLinear> rhs);

FailureOr<IndexLinear> Matcher::linear(unsigned id, int depth) {
  if (depth > kMaxCompareDepth)
    return failure();
  unsigned resolved = resolve(id, kAux);
  const Node &node = nodes[resolved];
  if (node.kind == NodeKind::Index) {
    switch (node.component.kind) {
    case Kind::Unit:
      return IndexLinear{};
    case Kind::Row:
      return IndexLinear{1, 0, 0};
    case Kind::Col:
      return IndexLinear{0, 1, 0};
    default:
      return failure();
    }
  }
  if (node.kind == NodeKind::Scalar)
    return lengthTerms(node.value, depth + 1);
  if (node.kind == NodeKind::Constant) {
    if (std::optional<APInt> value = intConstant(resolved);
        value && value->getBitWidth() > 1)
      return IndexLinear{0, 0, value->getSExtValue()};
    return failure();
  }
  if (node.kind == NodeKind::Read) {
    // A constant arange along the rows or the columns.
    auto constant = node.value.getDefiningOp<arith::ConstantOp>();
    auto dense = constant ? dyn_cast<DenseIntElementsAttr>(constant.getValue())
                          : nullptr;
    if (!dense || dense.getElementType().isInteger(1))
      return failure();
    const Layout &layout = node.layout;
    auto axis = llvm::find_if(
        layout, [](const Component &c) { return c.kind != Kind::Unit; });
    if (axis == layout.end() ||
        std::count_if(layout.begin(), layout.end(), [](const Component &c) {
          return c.kind != Kind::Unit;
        }) != 1)
      return failure();
    if (axis->kind != Kind::Row && axis->kind != Kind::Col)
      return failure();
    SmallVector<APInt> values(dense.getValues<APInt>());
    int64_t offset = values.front().getSExtValue();
    for (auto [k, value] : llvm::enumerate(values))
      if (value.getSExtValue() != offset + static_cast<int64_t>(k))
        return failure();
    return axis->kind == Kind::Row ? IndexLinear{1, 0, offset}
                                   : IndexLinear{0, 1, offset};
  }
  if (node.kind != NodeKind::Body)
    return failure();
  Operation *op = node.value.getDefiningOp();
  if (isa<arith::IndexCastOp, arith::ExtSIOp>(op)) {
    FailureOr<unsigned> operand = operandNode(resolved, 0);
    if (failed(operand))
      return failure();
    return linear(*operand, depth + 1);
  }
  if (!isa<arith::AddIOp, arith::SubIOp, arith::MulIOp>(op))
    return failure();
  FailureOr<unsigned> lhsId = operandNode(resolved, 0),
                      rhsId = operandNode(resolved, 1);
  if (failed(lhsId) || failed(rhsId))
    return failure();
  return combineLinear(op, linear(*lhsId, depth + 1),
                       linear(*rhsId, depth + 1));
}

/// The sum, difference or product (affine when one side is a constant) of
/// two affine functions, as the arith op `op` computes it.
static FailureOr<IndexLinear> combineLinear(Operation *op,
                                            FailureOr<IndexLinear> lhs,
                                            FailureOr<IndexLinear> rhs) {
  if (failed(lhs) || failed(rhs))
    return failure();
  if (isa<arith::AddIOp>(op))
    return *lhs + *rhs;
  if (isa<arith::SubIOp>(op))
    return *lhs - *rhs;
  if (lhs->isConstant())
    std::swap(lhs, rhs);
  if (!rhs->isConstant())
    return failure();
  return *lhs * rhs->constant;
}

/// An integer from outside the linalg body as a function of the lengths:
/// the key or query length read with tensor.dim (an offset S - L that an
/// exporter computed from the tensors' sizes), constants, and sums,
/// differences and constant multiples of those.
FailureOr<IndexLinear> Matcher::lengthTerms(Value value, int depth) {
  if (depth > kMaxCompareDepth)
    return failure();
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return IndexLinear{0, 0, *constant};
  Operation *def = value.getDefiningOp();
  if (auto dim = dyn_cast_if_present<tensor::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    std::optional<SmallVector<int64_t>> shape = shapeOf(dim.getSource());
    if (!index || !shape || *index < 0 ||
        *index >= static_cast<int64_t>(shape->size()))
      return failure();
    int64_t size = (*shape)[*index];
    if (!sizes->isSymbolic(size))
      return IndexLinear{0, 0, size};
    // With L and S one run-time size, a length is counted as S.
    if (size == keyLen)
      return IndexLinear{0, 0, 0, 1, 0};
    if (size == queryLen)
      return IndexLinear{0, 0, 0, 0, 1};
    return failure();
  }
  if (isa_and_present<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp>(
          def))
    return lengthTerms(def->getOperand(0), depth + 1);
  if (!isa_and_present<arith::AddIOp, arith::SubIOp, arith::MulIOp>(def))
    return failure();
  return combineLinear(def, lengthTerms(def->getOperand(0), depth + 1),
                       lengthTerms(def->getOperand(1), depth + 1));
}

//===----------------------------------------------------------------------===//
// The attention formula
//===----------------------------------------------------------------------===//

/// Whether `value`, computed in `body`, reads any of `args`.
static bool readsAny(Value value, Block *body, ValueRange args) {
  SmallVector<Value> worklist = {value};
  llvm::SmallPtrSet<Operation *, 8> visited;
  while (!worklist.empty()) {
    Value next = worklist.pop_back_val();
    if (llvm::is_contained(args, next))
      return true;
    Operation *def = next.getDefiningOp();
    if (!def || def->getBlock() != body || !visited.insert(def).second)
      continue;
    llvm::append_range(worklist, def->getOperands());
  }
  return false;
}

/// Whether `cond` is isnan(x), as `cmpf uno, x, x` or `cmpf une, x, x`.
static bool isNaNTest(Value cond, Value x) {
  auto cmp = cond.getDefiningOp<arith::CmpFOp>();
  return cmp && cmp.getLhs() == x && cmp.getRhs() == x &&
         (cmp.getPredicate() == arith::CmpFPredicate::UNO ||
          cmp.getPredicate() == arith::CmpFPredicate::UNE);
}

/// Whether `cond` says that `x` replaces the running max `acc`: x > acc or
/// x >= acc (ordered, either operand order), optionally or'ed with
/// isnan(x) when `allowNaN`.
static bool isMaxPick(Value cond, Value x, Value acc, bool allowNaN) {
  if (auto ori = cond.getDefiningOp<arith::OrIOp>()) {
    if (!allowNaN)
      return false;
    for (unsigned k : {0u, 1u})
      if (isNaNTest(ori->getOperand(k), x) &&
          isMaxPick(ori->getOperand(1 - k), x, acc, /*allowNaN=*/false))
        return true;
    return false;
  }
  auto cmp = cond.getDefiningOp<arith::CmpFOp>();
  if (!cmp)
    return false;
  using P = arith::CmpFPredicate;
  P pred = cmp.getPredicate();
  if (cmp.getLhs() == x && cmp.getRhs() == acc)
    return pred == P::OGT || pred == P::OGE;
  if (cmp.getLhs() == acc && cmp.getRhs() == x)
    return pred == P::OLT || pred == P::OLE;
  return false;
}

/// The value that the body of a reduction combines into `acc` when
/// `yielded` is its max or sum, or nothing. A max is maximumf or maxnumf,
/// or select(pick, x, acc) as torch-mlir lowers aten.max.dim. Without the
/// isnan clause the select ignores a NaN score where maximumf returns it;
/// the softmax is NaN on that whole row either way (the sum adds exp(NaN)),
/// so the attention is the same.
static Value combinedValue(Value yielded, Value acc, Block *body, bool isMax) {
  Operation *def = yielded.getDefiningOp();
  if (!def || def->getBlock() != body)
    return {};
  auto other = [&]() -> Value {
    if (def->getOperand(0) == acc)
      return def->getOperand(1);
    if (def->getOperand(1) == acc)
      return def->getOperand(0);
    return {};
  };
  if (!isMax)
    return isa<arith::AddFOp>(def) ? other() : Value();
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
    return other();
  auto select = dyn_cast<arith::SelectOp>(def);
  if (!select || select.getFalseValue() != acc ||
      !isMaxPick(select.getCondition(), select.getTrueValue(), acc,
                 /*allowNaN=*/true))
    return {};
  return select.getTrueValue();
}

/// Matches a reduction over the key columns with `combiner` and the
/// combiner's identity (or, for max, the lowest finite value) as init;
/// returns the node of the reduced value. The body may compute that value
/// from its inputs first (a sum of exp(s - max) fused into the sum), and
/// the op may have other results if they are dead (the index that
/// aten.max.dim computes beside the max). The reduced value may be cast
/// after the reduction: tosa-to-linalg sums bf16 in f32 and rounds the sum
/// back in an op of its own (roundings are checked with the chain's types).
FailureOr<unsigned> Matcher::matchReduction(unsigned id, Combiner combiner) {
  id = stripCasts(id, kChain);
  if (nodes[id].kind != NodeKind::Reduction)
    return fail("expected a reduction over the key columns");
  Context ctx = contexts[nodes[id].context];
  linalg::LinalgOp op = ctx.op;
  auto result = cast<OpResult>(nodes[id].value);
  unsigned number = result.getResultNumber();
  for (OpResult other : op->getResults())
    if (other != result && !other.use_empty())
      return fail("another result of a softmax reduction (the index of a "
                  "max?) is used");
  FailureOr<SmallVector<int64_t>> loopSizes = loopRanges(op);
  if (failed(loopSizes))
    return failure();
  SmallVector<int64_t> ranges = std::move(*loopSizes);
  int reduced = 0;
  for (auto [d, loop] : llvm::enumerate(ctx.loops)) {
    if (loop)
      continue;
    if (ranges[d] == 1) {
      loop = Component::unit();
      continue;
    }
    if (ranges[d] != keyLen || ++reduced > 1)
      return fail("a softmax reduction is not over the key columns");
    loop = Component::col(keyLen);
  }
  if (reduced == 0 && keyLen != 1)
    return fail("a softmax reduction is not over the key columns");
  FailureOr<unsigned> context = contextFor(op, ctx.loops);
  if (failed(context))
    return failure();

  Block *body = op.getBlock();
  Value acc = op.getRegionOutputArgs()[number];
  Value combined = combinedValue(body->getTerminator()->getOperand(number), acc,
                                 body, combiner == Combiner::Max);
  if (!combined)
    return fail(combiner == Combiner::Max
                    ? "expected a max reduction for the softmax"
                    : "expected a sum reduction for the softmax");
  if (readsAny(combined, body, op.getRegionOutputArgs()))
    return fail("unexpected body in a softmax reduction");

  OpOperand *init = op.getDpsInitOperand(number);
  FailureOr<Layout> initLayout = operandLayout(*context, *init);
  if (failed(initLayout))
    return failure();
  std::optional<double> initValue =
      floatConstant(readNode(init->get(), *initLayout));
  if (!initValue)
    return fail("a softmax reduction's init is not a constant");
  if (combiner == Combiner::Add && *initValue != 0.0)
    return fail("the softmax sum does not start at 0");
  if (combiner == Combiner::Max) {
    auto type = cast<FloatType>(elementTypeOf(init->get()));
    APFloat lowest = APFloat::getLargest(type.getFloatSemantics(), true);
    if (!(std::isinf(*initValue) && *initValue < 0) &&
        *initValue != lowest.convertToDouble())
      return fail("the softmax max does not start at -inf or the lowest "
                  "finite value");
  }
  // Widening is exact: the reduced value is the narrower one.
  return bodyNode(stripExtF(combined), *context);
}

/// exp(y - max_j(y)): returns y.
FailureOr<unsigned> Matcher::matchShiftedExp(unsigned id) {
  id = resolve(id, kChain);
  auto exp = bodyOp<math::ExpOp>(id);
  if (!exp)
    return fail("expected exp in the softmax");
  FailureOr<unsigned> shifted = operandNode(id, 0);
  if (failed(shifted))
    return failure();
  unsigned sub = resolve(*shifted, kChain);
  if (!bodyOp<arith::SubFOp>(sub))
    return fail("expected the softmax to subtract the row max");
  FailureOr<unsigned> y = operandNode(sub, 0), max = operandNode(sub, 1);
  if (failed(y) || failed(max))
    return failure();
  FailureOr<unsigned> reduced = matchReduction(*max, Combiner::Max);
  if (failed(reduced))
    return failure();
  if (!same(*reduced, *y))
    return fail("the softmax subtracts the max of another tensor");
  return *y;
}

/// e / sum_j(e) with e = exp(y - max_j(y)): returns y.
FailureOr<unsigned> Matcher::matchNormalized(unsigned exp, unsigned sum) {
  FailureOr<unsigned> y = matchShiftedExp(exp);
  if (failed(y))
    return failure();
  FailureOr<unsigned> summed = matchReduction(sum, Combiner::Add);
  if (failed(summed))
    return failure();
  if (!same(*summed, exp))
    return fail("the softmax divides by the sum of another tensor");
  return y;
}

/// exp(log_softmax(y)), as (y - max) - log(sum(exp(y - max))) or
/// y - (max + log(sum(exp(y - max)))): returns y.
FailureOr<unsigned> Matcher::matchLogSoftmaxExp(unsigned id) {
  FailureOr<unsigned> argument = operandNode(id, 0);
  if (failed(argument))
    return failure();
  unsigned sub = resolve(*argument, kChain);
  if (!bodyOp<arith::SubFOp>(sub))
    return fail("expected a softmax");
  FailureOr<unsigned> lhs = operandNode(sub, 0), rhs = operandNode(sub, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  // log(sum_j(exp(shifted))) where shifted must equal `expected`.
  auto matchLogSum = [&](unsigned logId, unsigned expected) -> LogicalResult {
    unsigned log = resolve(logId, kChain);
    if (!bodyOp<math::LogOp>(log))
      return fail("expected log of the softmax sum");
    FailureOr<unsigned> sum = operandNode(log, 0);
    if (failed(sum))
      return failure();
    FailureOr<unsigned> summed = matchReduction(*sum, Combiner::Add);
    if (failed(summed))
      return failure();
    unsigned exp = resolve(*summed, kChain);
    if (!bodyOp<math::ExpOp>(exp))
      return fail("expected the sum of exp in the log-softmax");
    FailureOr<unsigned> inner = operandNode(exp, 0);
    if (failed(inner) || !same(*inner, expected))
      return fail("the log-softmax sums another tensor");
    return success();
  };

  size_t mark = chain.size();
  // (y - max) - log(sum(exp(y - max))).
  unsigned shifted = resolve(*lhs, kChain);
  if (bodyOp<arith::SubFOp>(shifted)) {
    FailureOr<unsigned> y = operandNode(shifted, 0),
                        max = operandNode(shifted, 1);
    if (succeeded(y) && succeeded(max)) {
      FailureOr<unsigned> reduced = matchReduction(*max, Combiner::Max);
      if (succeeded(reduced) && same(*reduced, *y) &&
          succeeded(matchLogSum(*rhs, *lhs)))
        return *y;
    }
  }
  restoreChain(mark);
  // y - (max + log(sum(exp(y - max)))).
  unsigned total = resolve(*rhs, kChain);
  if (!bodyOp<arith::AddFOp>(total))
    return fail("expected a softmax");
  for (unsigned k : {0u, 1u}) {
    FailureOr<unsigned> max = operandNode(total, k),
                        log = operandNode(total, 1 - k);
    if (failed(max) || failed(log))
      return failure();
    size_t inner = chain.size();
    FailureOr<unsigned> reduced = matchReduction(*max, Combiner::Max);
    if (succeeded(reduced) && same(*reduced, *lhs)) {
      // The summed exp must be exp(y - max) with this max.
      unsigned logNode = resolve(*log, kChain);
      if (bodyOp<math::LogOp>(logNode)) {
        FailureOr<unsigned> sum = operandNode(logNode, 0);
        FailureOr<unsigned> summed = succeeded(sum)
                                         ? matchReduction(*sum, Combiner::Add)
                                         : FailureOr<unsigned>(failure());
        if (succeeded(summed)) {
          FailureOr<unsigned> y = matchShiftedExp(*summed);
          if (succeeded(y) && same(*y, *lhs))
            return *lhs;
        }
      }
    }
    restoreChain(inner);
  }
  return fail("expected a softmax");
}

/// Matches softmax over the key columns in any supported spelling; returns
/// the node of its input.
FailureOr<unsigned> Matcher::matchSoftmax(unsigned id) {
  id = stripCasts(id, kChain);
  const Node &node = nodes[id];
  if (node.kind == NodeKind::Softmax) {
    auto softmax = cast<linalg::SoftmaxOp>(node.op);
    Layout layout = node.layout;
    const Component &axis = layout[softmax.getDimension()];
    bool overKeys =
        axis.kind == Kind::Col || (keyLen == 1 && axis.kind == Kind::Unit);
    if (!overKeys)
      return fail("linalg.softmax is not over the key columns");
    return readNode(softmax.getInput(), layout);
  }
  if (bodyOp<arith::DivFOp>(id)) {
    FailureOr<unsigned> exp = operandNode(id, 0), sum = operandNode(id, 1);
    if (failed(exp) || failed(sum))
      return failure();
    return matchNormalized(*exp, *sum);
  }
  if (bodyOp<arith::MulFOp>(id)) {
    // e * (1 / sum).
    std::optional<std::string> closest;
    for (unsigned k : {0u, 1u}) {
      FailureOr<unsigned> exp = operandNode(id, 1 - k),
                          reciprocal = operandNode(id, k);
      if (failed(exp) || failed(reciprocal))
        return failure();
      size_t mark = chain.size();
      unsigned div = resolve(*reciprocal, kChain);
      if (bodyOp<arith::DivFOp>(div)) {
        FailureOr<unsigned> one = operandNode(div, 0),
                            sum = operandNode(div, 1);
        if (succeeded(one) && succeeded(sum) && floatConstant(*one) == 1.0) {
          FailureOr<unsigned> y = matchNormalized(*exp, *sum);
          if (succeeded(y))
            return y;
          closest = reason;
        }
      }
      restoreChain(mark);
    }
    return fail(closest ? *closest
                        : "expected a softmax before the P.V contraction");
  }
  if (bodyOp<math::ExpOp>(id))
    return matchLogSoftmaxExp(id);
  return fail("expected a softmax before the P.V contraction");
}

LogicalResult Matcher::addMask(unsigned id, bool negated) {
  if (maskState.mask)
    return fail("more than one mask tensor");
  maskState.mask = id;
  maskState.negateMask = negated;
  return success();
}

/// Records a condition under which a score is kept (or, when `negated`,
/// dropped): conjunctions of index comparisons and at most one i1 tensor.
LogicalResult Matcher::addCondition(unsigned id, bool negated, int depth) {
  if (depth > kMaxCompareDepth)
    return fail("mask condition too deep");
  // Copies: the lookups below add nodes.
  NodeKind kind = nodes[id].kind;
  Value value = nodes[id].value;
  if (kind == NodeKind::Read) {
    // A mask tensor computed in the graph may be index comparisons (causal,
    // window); otherwise the tensor itself is the mask.
    unsigned resolved = resolve(id, kAux);
    if (resolved != id) {
      MaskState saved = maskState;
      if (succeeded(addCondition(resolved, negated, depth + 1)))
        return success();
      maskState = saved;
    }
    if (!elementTypeOf(value).isInteger(1))
      return fail("a select condition is not an i1 tensor");
    return addMask(id, negated);
  }
  if (kind == NodeKind::Constant) {
    std::optional<APInt> value = intConstant(id);
    if (value && value->getBitWidth() == 1 && value->isOne() != negated)
      return success();
    return fail("a mask condition excludes every score");
  }
  if (kind != NodeKind::Body)
    return fail("unsupported mask condition");
  Operation *op = value.getDefiningOp();
  auto operand = [&](unsigned k) { return operandNode(id, k); };
  if (isa<arith::XOrIOp>(op) && op->getResult(0).getType().isInteger(1)) {
    for (unsigned k : {0u, 1u}) {
      FailureOr<unsigned> lhs = operand(k), rhs = operand(1 - k);
      if (failed(lhs) || failed(rhs))
        return failure();
      if (std::optional<APInt> value = intConstant(*rhs);
          value && value->isOne())
        return addCondition(*lhs, !negated, depth + 1);
    }
    return fail("unsupported mask condition");
  }
  if ((isa<arith::AndIOp>(op) && !negated) ||
      (isa<arith::OrIOp>(op) && negated)) {
    FailureOr<unsigned> lhs = operand(0), rhs = operand(1);
    if (failed(lhs) || failed(rhs) ||
        failed(addCondition(*lhs, negated, depth + 1)) ||
        failed(addCondition(*rhs, negated, depth + 1)))
      return failure();
    return success();
  }
  auto cmp = dyn_cast<arith::CmpIOp>(op);
  if (!cmp)
    return fail("unsupported mask condition");
  FailureOr<unsigned> lhsId = operand(0), rhsId = operand(1);
  if (failed(lhsId) || failed(rhsId))
    return failure();
  FailureOr<IndexLinear> lhs = linear(*lhsId), rhs = linear(*rhsId);
  if (failed(lhs) || failed(rhs))
    return fail("a mask condition compares something other than the query "
                "row and key column");
  // (lhs - rhs) pred 0, normalized to (j - i + c + m * (S - L)) pred 0.
  IndexLinear difference = *lhs - *rhs;
  int64_t row = difference.row, col = difference.col;
  int64_t constant = difference.constant;
  // The lengths may only enter as a multiple of S - L (0 when L and S are
  // one run-time size, which lengthTerms then counts as S).
  int64_t lengths = difference.keyLens;
  if (difference.keyLens != -difference.queryLens ||
      (keyLen == queryLen && lengths != 0))
    return fail("a mask condition depends on the lengths other than "
                "through S - L");
  arith::CmpIPredicate pred = cmp.getPredicate();
  if (negated)
    pred = arith::invertPredicate(pred);
  // With one query row i is always 0 (and j with one key column), so a
  // bound on j alone (or i alone) is a bound on j - i.
  if (row == 0 && queryLen == 1)
    row = -col;
  if (col == 0 && keyLen == 1)
    col = -row;
  if (col != -row || (col != 1 && col != -1))
    return fail("a mask condition is not a bound on j - i");
  if (col == -1) {
    constant = -constant;
    lengths = -lengths;
    pred = swapOperands(pred);
  }
  // Bounds relative to different alignments are not comparable.
  auto tighten = [&](std::optional<Bound> &known, int64_t bound, bool upper) {
    Bound next{bound, -lengths};
    if (known && known->lengths != next.lengths)
      return false;
    if (known)
      next.constant = upper ? std::min(known->constant, next.constant)
                            : std::max(known->constant, next.constant);
    known = next;
    return true;
  };
  bool ok = true;
  switch (pred) {
  case arith::CmpIPredicate::slt:
    ok = tighten(maskState.upper, -constant - 1, true);
    break;
  case arith::CmpIPredicate::sle:
    ok = tighten(maskState.upper, -constant, true);
    break;
  case arith::CmpIPredicate::sgt:
    ok = tighten(maskState.lower, -constant + 1, false);
    break;
  case arith::CmpIPredicate::sge:
    ok = tighten(maskState.lower, -constant, false);
    break;
  case arith::CmpIPredicate::eq:
    ok = tighten(maskState.upper, -constant, true) &&
         tighten(maskState.lower, -constant, false);
    break;
  default:
    return fail("unsupported comparison in a mask condition");
  }
  if (!ok)
    return fail("mask conditions bound j - i relative to different "
                "alignments");
  return success();
}

/// A term added to the scores: a float mask tensor, or select(cond, 0,
/// -inf) (a mask built as a bias).
LogicalResult Matcher::addBias(unsigned term) {
  unsigned tensor = term;
  while (bodyOp<arith::ExtFOp>(tensor)) {
    FailureOr<unsigned> operand = operandNode(tensor, 0);
    if (failed(operand))
      return failure();
    tensor = *operand;
  }
  unsigned resolved = resolve(tensor, kAux);
  if (bodyOp<arith::SelectOp>(resolved)) {
    FailureOr<unsigned> cond = operandNode(resolved, 0),
                        onTrue = operandNode(resolved, 1),
                        onFalse = operandNode(resolved, 2);
    if (succeeded(cond) && succeeded(onTrue) && succeeded(onFalse)) {
      MaskState saved = maskState;
      if (isZero(*onTrue) && isNegInf(*onFalse) &&
          succeeded(addCondition(*cond, /*negated=*/false)))
        return success();
      maskState = saved;
      if (isNegInf(*onTrue) && isZero(*onFalse) &&
          succeeded(addCondition(*cond, /*negated=*/true)))
        return success();
      maskState = saved;
    }
  }
  if (nodes[tensor].kind != NodeKind::Read ||
      !isa<FloatType>(elementTypeOf(nodes[tensor].value)))
    return fail("a term added to the scores is not a mask tensor");
  return addMask(tensor, /*negated=*/false);
}

/// Masks on top of Q.K^T: selects with -inf and added biases, in any order.
/// Which operand of an addition is the mask is tried both ways, down to the
/// contraction. Returns the contraction's operands.
FailureOr<ContractionOperands> Matcher::matchScores(unsigned id) {
  id = stripCasts(id, kChain);
  if (bodyOp<arith::SelectOp>(id)) {
    FailureOr<unsigned> cond = operandNode(id, 0), onTrue = operandNode(id, 1),
                        onFalse = operandNode(id, 2);
    if (failed(cond) || failed(onTrue) || failed(onFalse))
      return failure();
    if (isNegInf(*onFalse)) {
      if (failed(addCondition(*cond, /*negated=*/false)))
        return failure();
      return matchScores(*onTrue);
    }
    if (isNegInf(*onTrue)) {
      if (failed(addCondition(*cond, /*negated=*/true)))
        return failure();
      return matchScores(*onFalse);
    }
    return fail("a select on the scores fills with a value other than -inf");
  }
  if (bodyOp<arith::AddFOp>(id)) {
    for (unsigned k : {1u, 0u}) {
      FailureOr<unsigned> term = operandNode(id, k),
                          scores = operandNode(id, 1 - k);
      if (failed(term) || failed(scores))
        return failure();
      MatchState saved = save();
      if (succeeded(addBias(*term))) {
        FailureOr<ContractionOperands> operands = matchScores(*scores);
        if (succeeded(operands))
          return operands;
      }
      restore(saved);
    }
  }
  return matchScaledProduct(id);
}

/// softcap * tanh(s / softcap) (optional), then multiplications and
/// divisions by constants or run-time scalars, on top of Q.K^T. Factors
/// under the tanh scale the scores before the softcap, as attn.sdpa's scale
/// does; a run-time factor outside it is not a scale and is refused.
FailureOr<ContractionOperands> Matcher::matchScaledProduct(unsigned id) {
  id = stripCasts(id, kChain);
  if (bodyOp<arith::MulFOp>(id)) {
    for (unsigned k : {0u, 1u}) {
      FailureOr<unsigned> cap = operandNode(id, k),
                          tanhId = operandNode(id, 1 - k);
      if (failed(cap) || failed(tanhId))
        return failure();
      std::optional<double> capValue = floatConstant(*cap);
      if (!capValue || *capValue <= 0 || !std::isfinite(*capValue))
        continue;
      size_t mark = chain.size();
      unsigned tanh = resolve(*tanhId, kChain);
      if (bodyOp<math::TanhOp>(tanh)) {
        FailureOr<unsigned> argument = operandNode(tanh, 0);
        unsigned div = succeeded(argument) ? resolve(*argument, kChain) : tanh;
        if (bodyOp<arith::DivFOp>(div)) {
          FailureOr<unsigned> inner = operandNode(div, 0),
                              divisor = operandNode(div, 1);
          if (succeeded(inner) && succeeded(divisor) &&
              floatConstant(*divisor) == capValue) {
            softcap = *capValue;
            id = stripCasts(*inner, kChain);
            break;
          }
        }
      }
      restoreChain(mark);
    }
  }

  for (;;) {
    if (bodyOp<arith::MulFOp>(id)) {
      FailureOr<unsigned> lhs = operandNode(id, 0), rhs = operandNode(id, 1);
      if (failed(lhs) || failed(rhs))
        return failure();
      if (std::optional<double> value = floatConstant(*rhs)) {
        scale *= *value;
        id = stripCasts(*lhs, kChain);
        continue;
      }
      if (std::optional<double> value = floatConstant(*lhs)) {
        scale *= *value;
        id = stripCasts(*rhs, kChain);
        continue;
      }
      if (std::optional<Value> factor = runtimeScalar(*rhs)) {
        factors.push_back({*factor, /*divide=*/false});
        id = stripCasts(*lhs, kChain);
        continue;
      }
      if (std::optional<Value> factor = runtimeScalar(*lhs)) {
        factors.push_back({*factor, /*divide=*/false});
        id = stripCasts(*rhs, kChain);
        continue;
      }
      return fail("the scores are multiplied by something that is not a "
                  "scalar");
    }
    if (bodyOp<arith::DivFOp>(id)) {
      FailureOr<unsigned> lhs = operandNode(id, 0), rhs = operandNode(id, 1);
      if (failed(lhs) || failed(rhs))
        return failure();
      if (std::optional<double> value = floatConstant(*rhs)) {
        if (*value == 0.0)
          return fail("the scores are divided by zero");
        scale /= *value;
      } else if (std::optional<Value> factor = runtimeScalar(*rhs)) {
        factors.push_back({*factor, /*divide=*/true});
      } else {
        return fail("the scores are divided by something that is not a "
                    "scalar");
      }
      id = stripCasts(*lhs, kChain);
      continue;
    }
    break;
  }
  return matchContraction(id);
}

/// Q.K^T (or any contraction over one feature dim): returns its operands,
/// query first.
FailureOr<ContractionOperands> Matcher::matchContraction(unsigned id) {
  if (nodes[id].kind != NodeKind::Reduction)
    return fail("expected the Q.K^T contraction under the scores");
  Context ctx = contexts[nodes[id].context];
  linalg::LinalgOp op = ctx.op;
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return fail("the Q.K^T contraction must have two inputs and one init");
  // Body: acc + a * b, a and b possibly widened.
  Block *body = op.getBlock();
  auto add =
      body->getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = op.getRegionOutputArgs()[0];
  if (!add || add->getBlock() != body)
    return fail("the Q.K^T contraction is not a sum of products");
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if ((add.getLhs() != acc && add.getRhs() != acc) || !mul ||
      mul->getBlock() != body)
    return fail("the Q.K^T contraction is not a sum of products");
  Value a = stripExtF(mul.getLhs()), b = stripExtF(mul.getRhs());
  ValueRange inputs = op.getRegionInputArgs();
  if (!((a == inputs[0] && b == inputs[1]) ||
        (a == inputs[1] && b == inputs[0])))
    return fail("the Q.K^T contraction is not a sum of products");

  FailureOr<SmallVector<int64_t>> loopSizes = loopRanges(op);
  if (failed(loopSizes))
    return failure();
  SmallVector<int64_t> ranges = std::move(*loopSizes);
  int reduced = 0;
  for (auto [d, loop] : llvm::enumerate(ctx.loops)) {
    if (loop)
      continue;
    if (ranges[d] != 1 && ++reduced > 1)
      return fail("Q.K^T contracts more than one dim");
    loop = Component::feature(ranges[d]);
  }
  FailureOr<unsigned> context = contextFor(op, ctx.loops);
  if (failed(context))
    return failure();
  FailureOr<Layout> lhs = operandLayout(*context, *op.getDpsInputOperand(0));
  FailureOr<Layout> rhs = operandLayout(*context, *op.getDpsInputOperand(1));
  FailureOr<Layout> init = operandLayout(*context, *op.getDpsInitOperand(0));
  if (failed(lhs) || failed(rhs) || failed(init))
    return failure();
  if (floatConstant(readNode(op.getDpsInitOperand(0)->get(), *init)) != 0.0)
    return fail("the Q.K^T contraction does not start from zero");
  auto has = [](const Layout &layout, Kind kind) {
    return llvm::any_of(layout,
                        [&](const Component &c) { return c.kind == kind; });
  };
  bool swapped = has(*lhs, Kind::Col) || has(*rhs, Kind::Row);
  const Layout &query = swapped ? *rhs : *lhs;
  const Layout &key = swapped ? *lhs : *rhs;
  if (has(query, Kind::Col) || has(key, Kind::Row))
    return fail("Q.K^T does not contract queries with keys");
  unsigned q = readNode(op.getDpsInputOperand(swapped ? 1 : 0)->get(), query);
  unsigned k = readNode(op.getDpsInputOperand(swapped ? 0 : 1)->get(), key);
  return ContractionOperands{q, k};
}

/// Q or K multiplied (or divided) by constants or run-time scalars before
/// Q.K^T: folds them into the scale and the run-time factors and returns the
/// unscaled operand.
FailureOr<unsigned> Matcher::peelScale(unsigned id, Mode mode) {
  for (;;) {
    size_t mark = chain.size();
    double scaleBefore = scale;
    size_t factorsBefore = factors.size();
    unsigned resolved = resolve(id, mode);
    auto isParallel = [&](unsigned node) {
      return contexts[nodes[node].context].op.getNumReductionLoops() == 0;
    };
    std::optional<unsigned> next;
    if (bodyOp<arith::MulFOp>(resolved) && isParallel(resolved)) {
      for (unsigned k : {0u, 1u}) {
        FailureOr<unsigned> factor = operandNode(resolved, k),
                            operand = operandNode(resolved, 1 - k);
        if (failed(factor) || failed(operand))
          return failure();
        if (std::optional<double> value = floatConstant(*factor)) {
          scale *= *value;
          next = *operand;
          break;
        }
      }
      for (unsigned k : {0u, 1u}) {
        if (next)
          break;
        FailureOr<unsigned> factor = operandNode(resolved, k),
                            operand = operandNode(resolved, 1 - k);
        if (failed(factor) || failed(operand))
          return failure();
        if (std::optional<Value> value = runtimeScalar(*factor)) {
          factors.push_back({*value, /*divide=*/false});
          next = *operand;
        }
      }
    } else if (bodyOp<arith::DivFOp>(resolved) && isParallel(resolved)) {
      FailureOr<unsigned> operand = operandNode(resolved, 0),
                          divisor = operandNode(resolved, 1);
      if (failed(operand) || failed(divisor))
        return failure();
      if (std::optional<double> value = floatConstant(*divisor);
          value && *value != 0.0) {
        scale /= *value;
        next = *operand;
      } else if (std::optional<Value> value = runtimeScalar(*divisor)) {
        factors.push_back({*value, /*divide=*/true});
        next = *operand;
      }
    }
    // A factor applied to something computed in the same body (a fused
    // cast, say) stays in the operand: its tensor is what attn.sdpa reads.
    if (!next || nodes[*next].kind != NodeKind::Read) {
      scale = scaleBefore;
      factors.truncate(factorsBefore);
      restoreChain(mark);
      break;
    }
    id = *next;
  }
  if (nodes[id].kind != NodeKind::Read)
    return fail("unsupported attention operand");
  return id;
}

/// One data movement op back from a leaf operand: a reshape, or a linalg op
/// that copies its input (transpose, broadcast, generic copy).
FailureOr<unsigned> Matcher::stepLeaf(unsigned id, Mode mode) {
  Value tensor = nodes[id].value;
  Operation *def = tensor.getDefiningOp();
  if (!def)
    return failure();
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
    return expand(id, mode);
  auto op = dyn_cast<linalg::LinalgOp>(def);
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 ||
      !isa<RankedTensorType>(op.getDpsInputOperand(0)->get().getType()) ||
      elementTypeOf(op.getDpsInputOperand(0)->get()) != elementTypeOf(tensor))
    return failure();
  Block *body = op.getBlock();
  if (body->getTerminator()->getOperand(0) != op.getRegionInputArgs()[0])
    return failure();
  return expand(id, mode);
}

/// Follows a Q, K, V or mask operand back through data movement and picks
/// the earliest tensor that still holds all it must: the whole batch for Q,
/// the whole batch or all but the head for K and V (`allowSharedHead`),
/// anything for a mask.
FailureOr<LeafTensor> Matcher::chooseLeaf(unsigned id, Mode mode,
                                          bool allowSharedHead, bool isMask,
                                          bool preferBatchFirst) {
  SmallVector<unsigned> candidates = {id};
  for (int step = 0; step < kMaxLeafSteps; ++step) {
    FailureOr<unsigned> next = stepLeaf(candidates.back(), mode);
    if (failed(next) || nodes[*next].kind != NodeKind::Read)
      break;
    candidates.push_back(*next);
  }
  int64_t total = boundaries.back();
  int64_t head = boundaries.size() > 1 ? boundaries[1] : 1;
  auto eligible = [&](const Layout &layout) {
    if (isMask)
      return true;
    int64_t covered = 1;
    bool allOuter = true;
    for (const Component &c : layout)
      if (c.kind == Kind::Batch) {
        covered *= c.size;
        allOuter &= c.inner >= head;
      }
    return covered == total ||
           (allowSharedHead && allOuter && covered * head == total);
  };
  // The query prefers a tensor already in [N..., H, L, E] form: attn.sdpa's
  // batch dims then follow it.
  if (preferBatchFirst)
    for (unsigned candidate : llvm::reverse(candidates))
      if (eligible(nodes[candidate].layout) &&
          leadingBatchDims(nodes[candidate].layout))
        return LeafTensor{nodes[candidate].value, nodes[candidate].layout};
  for (unsigned candidate : llvm::reverse(candidates))
    if (eligible(nodes[candidate].layout))
      return LeafTensor{nodes[candidate].value, nodes[candidate].layout};
  return fail("an attention operand does not cover the whole batch");
}

/// The batch atoms, outermost first.
SmallVector<Component> Matcher::atomComponents() const {
  SmallVector<Component> atoms;
  for (auto [outer, inner] :
       llvm::zip(llvm::reverse(boundaries),
                 llvm::drop_begin(llvm::reverse(boundaries))))
    atoms.push_back(Component::batch(inner, outer / inner));
  return atoms;
}

/// The dims before [L, E] of a query layout when they are exactly the batch
/// atoms in order, with unit dims among them.
std::optional<Layout> Matcher::leadingBatchDims(const Layout &layout) const {
  size_t rank = layout.size();
  if (rank < 3 ||
      !llvm::is_contained({Kind::Row, Kind::Unit}, layout[rank - 2].kind) ||
      !llvm::is_contained({Kind::Feature, Kind::Unit}, layout[rank - 1].kind))
    return std::nullopt;
  Layout leading(layout.begin(), layout.end() - 2);
  SmallVector<Component> nonUnit;
  for (const Component &c : leading)
    if (c.kind != Kind::Unit)
      nonUnit.push_back(c);
  if (ArrayRef(nonUnit) != ArrayRef(atomComponents()))
    return std::nullopt;
  return leading;
}

/// Causal alignment and window from the bounds on j - i.
LogicalResult Matcher::setAttributes(AttentionMatch &match) {
  std::optional<Bound> upper = maskState.upper, lower = maskState.lower;
  if (!upper && !lower)
    return success();
  // A window side nothing bounds reaches past every row and column; with
  // run-time sizes, past any size a kernel is given.
  int64_t unbounded = sizes->isSymbolic(queryLen) || sizes->isSymbolic(keyLen)
                          ? std::numeric_limits<int32_t>::max()
                          : queryLen + keyLen;
  // The bottom-right offset S - L: a number when the lengths are static; a
  // term of its own when they are run-time sizes (a difference of stand-in
  // primes is not a number the mask's constants may be compared with).
  SmallVector<Bound, 2> offsets = {Bound{0, 0}};
  if (keyLen != queryLen)
    offsets.push_back(sizes->isSymbolic(keyLen) || sizes->isSymbolic(queryLen)
                          ? Bound{0, 1}
                          : Bound{keyLen - queryLen, 0});
  // Prefer causal (cheaper and clearer) over a window that says the same.
  for (bool wantCausal : {true, false}) {
    for (const Bound &offset : offsets) {
      bool causal = upper && *upper == offset;
      if (causal != wantCausal)
        continue;
      if ((upper && upper->lengths != offset.lengths) ||
          (lower && lower->lengths != offset.lengths))
        continue;
      int64_t right = upper ? upper->constant - offset.constant : unbounded;
      int64_t left = lower ? offset.constant - lower->constant : unbounded;
      if (left < 0 || right < 0)
        continue;
      match.causal = causal;
      match.align = offset == Bound{0, 0} ? attn::Alignment::TopLeft
                                          : attn::Alignment::BottomRight;
      if (!causal || lower)
        match.window = std::array<int64_t, 2>{left, causal ? 0 : right};
      return success();
    }
  }
  return fail("the index mask is neither causal nor a window of either "
              "alignment");
}

/// Every intermediate must feed only the attention (or a tensor.dim, which
/// the rewrite computes from the operands' sizes instead), and compute in
/// the operands' type or wider.
LogicalResult Matcher::checkChain(Type elementType,
                                  SmallVectorImpl<tensor::DimOp> &dims) {
  Type f32 = Float32Type::get(elementType.getContext());
  Type f64 = Float64Type::get(elementType.getContext());
  for (Type type : roundings)
    if (type != elementType && type != f32 && type != f64)
      return fail("the attention rounds to a type narrower than its operands");
  for (Operation *op : chain) {
    if (op == root)
      continue;
    for (Value result : op->getResults()) {
      for (Operation *user : result.getUsers()) {
        if (user == root || chain.contains(user))
          continue;
        if (auto dim = dyn_cast<tensor::DimOp>(user);
            dim && dim.getConstantIndex()) {
          dims.push_back(dim);
          continue;
        }
        return fail("an intermediate of the attention ('" +
                    op->getName().getStringRef() + "') has a use outside it");
      }
      // A dead result (the index of a max) is computed in whatever type.
      if (result.use_empty())
        continue;
      Type type = elementTypeOf(result);
      if (type != elementType && type != f32 && type != f64)
        return fail("an intermediate of the attention computes in a type "
                    "narrower than its operands");
    }
  }
  return success();
}

/// The contraction's `probabilities` input is softmax(scores) and the other
/// is V.
LogicalResult Matcher::tryRoot(unsigned probabilitiesInput, unsigned rowChoice,
                               AttentionMatch &match) {
  OpOperand *probabilities = root.getDpsInputOperand(probabilitiesInput);
  OpOperand *values = root.getDpsInputOperand(1 - probabilitiesInput);
  AffineMap pMap = root.getMatchingIndexingMap(probabilities);
  AffineMap vMap = root.getMatchingIndexingMap(values);
  AffineMap outMap = root.getIndexingMapMatchingResult(root->getResult(0));
  FailureOr<SmallVector<int64_t>> loopSizes = loopRanges(root);
  if (failed(loopSizes))
    return failure();
  SmallVector<int64_t> ranges = std::move(*loopSizes);
  SmallVector<utils::IteratorType> iterators = root.getIteratorTypesArray();

  // Loops: batch (in P, V and out), rows (P and out), columns (the one
  // reduction loop, in P and V), features (V and out). Batch loops that V
  // broadcasts (multi-query attention) look like rows: each of them is tried
  // as the rows, the last one in the output first.
  std::optional<unsigned> colLoop, featureLoop;
  SmallVector<unsigned> batchLoops, rowCandidates;
  for (unsigned d = 0, e = root.getNumLoops(); d < e; ++d) {
    auto uses = [&](AffineMap map) { return map.isFunctionOfDim(d); };
    bool inP = uses(pMap), inV = uses(vMap), inOut = uses(outMap);
    if (iterators[d] == utils::IteratorType::reduction) {
      if (!inP || !inV || inOut || colLoop)
        return fail("P.V must contract exactly the key columns");
      colLoop = d;
    } else if (inP && inV && inOut) {
      batchLoops.push_back(d);
    } else if (inP && !inV && inOut) {
      rowCandidates.push_back(d);
    } else if (!inP && inV && inOut && !featureLoop) {
      featureLoop = d;
    } else {
      return fail("P.V is not a batched matrix product");
    }
  }
  if (rowCandidates.empty() || !colLoop || !featureLoop)
    return fail("P.V is not a batched matrix product");
  numRowChoices = rowCandidates.size();
  if (rowChoice >= rowCandidates.size())
    return failure();
  llvm::sort(rowCandidates, [&](unsigned a, unsigned b) {
    return outMap.getResultPosition(getAffineDimExpr(a, root->getContext())) >
           outMap.getResultPosition(getAffineDimExpr(b, root->getContext()));
  });
  std::optional<unsigned> rowLoop = rowCandidates[rowChoice];
  for (unsigned d : rowCandidates)
    if (d != *rowLoop)
      batchLoops.push_back(d);
  queryLen = ranges[*rowLoop];
  keyLen = ranges[*colLoop];

  // The flat batch runs over the batch loops in the order the output holds
  // them, so that the result needs no transpose in the usual case.
  SmallVector<unsigned> batchOrder;
  for (AffineExpr expr : outMap.getResults())
    if (auto dim = dyn_cast<AffineDimExpr>(expr);
        dim && llvm::is_contained(batchLoops, dim.getPosition()))
      batchOrder.push_back(dim.getPosition());
  SmallVector<std::optional<Component>> loops(root.getNumLoops());
  int64_t inner = 1;
  boundaries = {1};
  for (unsigned d : llvm::reverse(batchOrder)) {
    loops[d] = Component::batch(inner, ranges[d]);
    inner *= ranges[d];
    if (!llvm::is_contained(boundaries, inner))
      boundaries.push_back(inner);
  }
  loops[*rowLoop] = Component::row(queryLen);
  loops[*colLoop] = Component::col(keyLen);
  loops[*featureLoop] = Component::feature(ranges[*featureLoop]);
  match.valueHeadDim = ranges[*featureLoop];

  FailureOr<unsigned> context = contextFor(root, loops);
  if (failed(context))
    return failure();
  FailureOr<Layout> pLayout = operandLayout(*context, *probabilities);
  FailureOr<Layout> vLayout = operandLayout(*context, *values);
  FailureOr<Layout> initLayout =
      operandLayout(*context, *root.getDpsInitOperand(0));
  if (failed(pLayout) || failed(vLayout) || failed(initLayout))
    return failure();
  match.resultLayout = *initLayout;
  if (floatConstant(readNode(root.getDpsInitOperand(0)->get(), *initLayout)) !=
      0.0)
    return fail("the P.V contraction does not start from zero");

  FailureOr<unsigned> scores =
      matchSoftmax(readNode(probabilities->get(), *pLayout));
  if (failed(scores))
    return failure();
  FailureOr<ContractionOperands> operands = matchScores(*scores);
  if (failed(operands))
    return failure();
  FailureOr<unsigned> query = peelScale(operands->lhs, kChain);
  Mode leafMode{true, false};
  FailureOr<unsigned> key = peelScale(operands->rhs, leafMode);
  if (failed(query) || failed(key))
    return failure();
  if (!std::isfinite(scale))
    return fail("the scale is not finite");
  // The query is scaled where attn.sdpa is built, in place of the root.
  for (const RuntimeFactor &factor : factors)
    if (!availableAt(factor.value, root))
      return fail("a run-time scale is not available where the attention is "
                  "computed");

  // Q may split the batch further (its own [N..., H] dims); the others only
  // use what is known by then.
  FailureOr<LeafTensor> queryLeaf =
      chooseLeaf(*query, {false, true}, false, false, true);
  if (failed(queryLeaf))
    return failure();
  FailureOr<LeafTensor> keyLeaf = chooseLeaf(*key, kAux, true, false);
  FailureOr<LeafTensor> valueLeaf =
      chooseLeaf(readNode(values->get(), *vLayout), kAux, true, false);
  if (failed(keyLeaf) || failed(valueLeaf))
    return failure();
  match.query = *queryLeaf;
  match.key = *keyLeaf;
  match.value = *valueLeaf;
  auto batchSize = [](const Layout &layout) {
    int64_t size = 1;
    for (const Component &c : layout)
      if (c.kind == Kind::Batch)
        size *= c.size;
    return size;
  };
  int64_t total = boundaries.back();
  bool keyShared = batchSize(match.key.layout) != total;
  bool valueShared = batchSize(match.value.layout) != total;
  if (keyShared != valueShared)
    return fail("key and value do not have the same heads");
  match.sharedKeyValueHead = keyShared;

  if (maskState.mask) {
    FailureOr<LeafTensor> mask = chooseLeaf(*maskState.mask, kAux, true, true);
    if (failed(mask))
      return failure();
    match.mask = *mask;
    match.negateMask = maskState.negateMask;
  }
  if (failed(setAttributes(match)))
    return failure();

  Type elementType = elementTypeOf(match.query.value);
  if (!elementType.isF16() && !elementType.isBF16() && !elementType.isF32() &&
      !elementType.isF64())
    return fail("unsupported element type");
  if (elementTypeOf(match.key.value) != elementType ||
      elementTypeOf(match.value.value) != elementType ||
      elementTypeOf(root->getResult(0)) != elementType)
    return fail("query, key, value and result do not share one element type");
  if (failed(checkChain(elementType, match.chainDims)))
    return failure();
  match.chain.insert(chain.begin(), chain.end());
  for (const LeafTensor *leaf : {&match.query, &match.key, &match.value})
    if (chain.contains(leaf->value.getDefiningOp()))
      return fail("an attention operand is computed from the scores");
  if (match.mask) {
    if (chain.contains(match.mask->value.getDefiningOp()))
      return fail("the mask is computed from the scores");
    Type maskType = elementTypeOf(match.mask->value);
    if (!maskType.isInteger(1) && !maskType.isF16() && !maskType.isBF16() &&
        !maskType.isF32() && !maskType.isF64())
      return fail("unsupported mask element type");
  }

  match.elementType = elementType;
  match.scale = scale;
  match.runtimeFactors = factors;
  match.softcap = softcap;
  for (auto [outer, inner] :
       llvm::zip(llvm::reverse(boundaries),
                 llvm::drop_begin(llvm::reverse(boundaries))))
    match.batchAtoms.push_back(outer / inner);
  // attn.sdpa's batch dims follow the query's leading dims when those are
  // exactly the atoms (and unit dims), so that an [N..., H, L, E] query is
  // read as it is.
  SmallVector<Component> atoms = atomComponents();
  std::optional<Layout> leading = leadingBatchDims(match.query.layout);
  if (leading &&
      (!match.sharedKeyValueHead || leading->back().kind != Kind::Unit))
    match.batchLayout = *leading;
  if (match.batchLayout.empty()) {
    match.batchLayout.assign(atoms.begin(), atoms.end());
    if (match.batchLayout.empty())
      match.batchLayout.push_back(Component::unit());
  }
  match.queryLen = queryLen;
  match.keyLen = keyLen;
  match.sizes = sizes;
  for (const Component &c : match.query.layout)
    if (c.kind == Kind::Feature)
      match.headDim = c.size;
  if (match.headDim == 0)
    match.headDim = 1;
  return success();
}

FailureOr<AttentionMatch> Matcher::run(std::string &why) {
  auto finish = [&]() -> FailureOr<AttentionMatch> {
    why = reason;
    return failure();
  };
  if (!root.hasPureTensorSemantics() || root.getNumDpsInputs() != 2 ||
      root.getNumDpsInits() != 1 || root->getNumResults() != 1) {
    reason = "not a contraction of two tensors";
    return finish();
  }
  if (llvm::any_of(root->getOperands(), [&](Value v) { return !shapeOf(v); })) {
    reason = "the contraction's sizes cannot be related to each other";
    return finish();
  }
  // acc + a * b.
  Block *body = root.getBlock();
  auto add =
      body->getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = root.getRegionOutputArgs()[0];
  Value product = add && add.getLhs() == acc ? add.getRhs()
                  : add                      ? add.getLhs()
                                             : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  ValueRange inputs = root.getRegionInputArgs();
  if (!add || (add.getLhs() != acc && add.getRhs() != acc) || !mul ||
      mul->getBlock() != body || add->getBlock() != body) {
    reason = "not a sum of products";
    return finish();
  }
  Value a = stripExtF(mul.getLhs()), b = stripExtF(mul.getRhs());
  if (!((a == inputs[0] && b == inputs[1]) ||
        (a == inputs[1] && b == inputs[0]))) {
    reason = "not a sum of products";
    return finish();
  }
  if (root.getNumReductionLoops() != 1) {
    reason = "not a contraction over one dim";
    return finish();
  }
  size_t furthest = 0;
  std::string bestReason;
  for (unsigned p : {0u, 1u}) {
    numRowChoices = 1;
    for (unsigned choice = 0; choice < numRowChoices; ++choice) {
      AttentionMatch match;
      match.root = root;
      nodes.clear();
      contexts.clear();
      readNodes.clear();
      bodyNodes.clear();
      contextsOf.clear();
      expanded.clear();
      composedCollapses.clear();
      chain.clear();
      chain.insert(root);
      roundings.clear();
      scale = 1.0;
      factors.clear();
      softcap.reset();
      maskState = MaskState();
      if (succeeded(tryRoot(p, choice, match)))
        return match;
      // Report the attempt that got furthest into the graph.
      if (nodes.size() >= furthest) {
        furthest = nodes.size();
        bestReason = reason;
      }
    }
  }
  reason = bestReason;
  return finish();
}

FailureOr<AttentionMatch> sdpa::raise::matchAttention(linalg::LinalgOp root,
                                                      std::string &reason) {
  return Matcher(root).run(reason);
}
