//===- SymbolicSizes.cpp - dynamic dims as numbers for the raise ----------===//

#include "passes/SymbolicSizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace sdpa::raise;

/// The stand-in primes start above the sizes attention usually has, so that
/// few candidates divide a static size and products stay far from overflow.
static constexpr int64_t kFirstPrimeCandidate = (1 << 20) + 1;

namespace {
/// A size as `coefficient` times the run-time sizes of `symbols` (sorted,
/// with repetition); `known` is false where the product overflowed.
struct Monomial {
  int64_t coefficient = 1;
  SmallVector<unsigned, 2> symbols;
  bool known = true;

  static Monomial ofStatic(int64_t size) { return {size, {}, true}; }
  static Monomial unknown() { return {1, {}, false}; }
  bool operator==(const Monomial &other) const {
    return known == other.known && coefficient == other.coefficient &&
           symbols == other.symbols;
  }
};

/// Builds the monomials of every dim, then merges the symbols the ops prove
/// equal (union-find, where a class may also be bound to a static size).
class Analysis {
public:
  void run(Operation *scope);

  Monomial canonical(const Monomial &m);
  unsigned find(unsigned symbol) {
    while (parent[symbol] != symbol)
      symbol = parent[symbol] = parent[parent[symbol]];
    return symbol;
  }
  std::optional<int64_t> boundSize(unsigned root) const { return bound[root]; }
  unsigned numSymbols() const { return parent.size(); }

  /// Values in the order they were seen (arguments first), and their dims.
  SmallVector<Value> order;
  DenseMap<Value, SmallVector<Monomial>> dims;
  /// Symbols that stand for an index value outside any tensor.
  SmallVector<std::pair<unsigned, Value>> indexSymbols;

private:
  unsigned fresh() {
    parent.push_back(parent.size());
    bound.push_back(std::nullopt);
    return parent.size() - 1;
  }
  Monomial symbol(unsigned s) { return {1, {s}, true}; }
  Monomial multiply(const Monomial &a, const Monomial &b);
  bool unify(const Monomial &x, const Monomial &y);
  void constrain(const Monomial &a, const Monomial &b) {
    constraints.push_back({a, b});
  }
  const SmallVector<Monomial> &dimsOf(Value value);
  Monomial sizeOf(OpFoldResult size);
  Monomial indexValue(Value value);
  SmallVector<Monomial> resultDims(OpResult result);
  void visit(Operation *op);

  SmallVector<unsigned> parent;
  SmallVector<std::optional<int64_t>> bound;
  DenseMap<Value, Monomial> indices;
  SmallVector<std::pair<Monomial, Monomial>> constraints;
};
} // namespace

Monomial Analysis::multiply(const Monomial &a, const Monomial &b) {
  if (!a.known || !b.known)
    return Monomial::unknown();
  Monomial product;
  if (llvm::MulOverflow(a.coefficient, b.coefficient, product.coefficient))
    return Monomial::unknown();
  llvm::append_range(product.symbols, a.symbols);
  llvm::append_range(product.symbols, b.symbols);
  llvm::sort(product.symbols);
  return product;
}

Monomial Analysis::canonical(const Monomial &m) {
  if (!m.known)
    return m;
  Monomial out = Monomial::ofStatic(m.coefficient);
  for (unsigned s : m.symbols) {
    unsigned root = find(s);
    if (!bound[root]) {
      out.symbols.push_back(root);
      continue;
    }
    if (llvm::MulOverflow(out.coefficient, *bound[root], out.coefficient))
      return Monomial::unknown();
  }
  llvm::sort(out.symbols);
  return out;
}

/// Records that two sizes are equal at run time: merges two symbols
/// (c * x = c * y) or binds one to a static size (c * x = d). Symbols both
/// sides share are not cancelled, as a zero size would make that unsound.
/// Returns whether anything was learnt.
bool Analysis::unify(const Monomial &x, const Monomial &y) {
  Monomial a = canonical(x), b = canonical(y);
  if (!a.known || !b.known || a == b)
    return false;
  if (a.symbols.size() < b.symbols.size())
    std::swap(a, b);
  if (a.symbols.size() != 1 || a.coefficient <= 0)
    return false;
  if (b.symbols.size() == 1) {
    if (a.coefficient != b.coefficient)
      return false;
    parent[a.symbols[0]] = b.symbols[0];
    return true;
  }
  if (b.coefficient % a.coefficient != 0)
    return false;
  bound[a.symbols[0]] = b.coefficient / a.coefficient;
  return true;
}

const SmallVector<Monomial> &Analysis::dimsOf(Value value) {
  auto it = dims.find(value);
  if (it != dims.end())
    return it->second;
  // An argument, or a value the walk has not reached: each dynamic dim is a
  // size of its own.
  SmallVector<Monomial> fromType;
  if (auto type = dyn_cast<RankedTensorType>(value.getType()))
    for (int64_t size : type.getShape())
      fromType.push_back(ShapedType::isDynamic(size)
                             ? symbol(fresh())
                             : Monomial::ofStatic(size));
  order.push_back(value);
  return dims[value] = std::move(fromType);
}

Monomial Analysis::sizeOf(OpFoldResult size) {
  if (std::optional<int64_t> constant = getConstantIntValue(size))
    return *constant >= 0 ? Monomial::ofStatic(*constant) : Monomial::unknown();
  return indexValue(cast<Value>(size));
}

/// The size an index value holds: the dim of a tensor, a constant, or
/// products and exact quotients of those; any other value is a symbol of
/// its own (the same one wherever it is used).
Monomial Analysis::indexValue(Value value) {
  if (auto it = indices.find(value); it != indices.end())
    return it->second;
  Monomial result;
  bool computed = false;
  Operation *def = value.getDefiningOp();
  if (std::optional<int64_t> constant = getConstantIntValue(value)) {
    result =
        *constant >= 0 ? Monomial::ofStatic(*constant) : Monomial::unknown();
    computed = true;
  } else if (auto dim = dyn_cast_if_present<tensor::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    auto type = dyn_cast<RankedTensorType>(dim.getSource().getType());
    if (index && type && *index >= 0 && *index < type.getRank()) {
      result = dimsOf(dim.getSource())[*index];
      computed = true;
    }
  } else if (isa_and_present<arith::MulIOp>(def)) {
    result = multiply(indexValue(def->getOperand(0)),
                      indexValue(def->getOperand(1)));
    computed = true;
  } else if (isa_and_present<arith::IndexCastOp, arith::IndexCastUIOp,
                             arith::ExtSIOp, arith::ExtUIOp>(def)) {
    result = indexValue(def->getOperand(0));
    computed = true;
  } else if (isa_and_present<arith::DivSIOp, arith::DivUIOp, arith::CeilDivSIOp,
                             arith::CeilDivUIOp, arith::FloorDivSIOp>(def)) {
    // Exact quotients only, where rounding does not matter.
    std::optional<int64_t> divisor = getConstantIntValue(def->getOperand(1));
    Monomial dividend = canonical(indexValue(def->getOperand(0)));
    if (divisor && *divisor > 0 && dividend.known &&
        dividend.coefficient % *divisor == 0) {
      dividend.coefficient /= *divisor;
      result = dividend;
      computed = true;
    }
  }
  if (!computed) {
    unsigned s = fresh();
    indexSymbols.push_back({s, value});
    result = symbol(s);
  }
  return indices[value] = result;
}

/// The dims of an op's result, from the op's semantics where they are
/// known; empty where they are not.
SmallVector<Monomial> Analysis::resultDims(OpResult result) {
  Operation *op = result.getOwner();
  SmallVector<Monomial> out;
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    for (OpFoldResult size : empty.getMixedSizes())
      out.push_back(sizeOf(size));
  } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    for (OpFoldResult size : expand.getMixedOutputShape())
      out.push_back(sizeOf(size));
  } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    const SmallVector<Monomial> &source = dimsOf(collapse.getSrc());
    for (const ReassociationIndices &group :
         collapse.getReassociationIndices()) {
      Monomial product;
      for (int64_t d : group)
        product = multiply(product, source[d]);
      out.push_back(product);
    }
  } else if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    if (auto source = dyn_cast<RankedTensorType>(cast.getSource().getType());
        source && source.getRank() == cast.getType().getRank())
      out = dimsOf(cast.getSource());
  } else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    for (auto [d, size] : llvm::enumerate(slice.getMixedSizes()))
      if (!dropped.test(d))
        out.push_back(sizeOf(size));
  } else if (auto dps = dyn_cast<DestinationStyleOpInterface>(op)) {
    if (dps.hasPureTensorSemantics())
      if (OpOperand *init = dps.getTiedOpOperand(result))
        out = dimsOf(init->get());
  }
  return out;
}

void Analysis::visit(Operation *op) {
  for (OpResult result : op->getResults()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      continue;
    SmallVector<Monomial> computed = resultDims(result);
    if (computed.size() != static_cast<size_t>(type.getRank()))
      computed.clear();
    SmallVector<Monomial> resultDims;
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      if (!ShapedType::isDynamic(size)) {
        resultDims.push_back(Monomial::ofStatic(size));
        if (!computed.empty())
          constrain(computed[d], resultDims.back());
      } else {
        resultDims.push_back(computed.empty() ? symbol(fresh()) : computed[d]);
      }
    }
    order.push_back(result);
    dims[result] = std::move(resultDims);
  }

  // The dims a linalg op indexes with one loop are equal.
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    DenseMap<unsigned, Monomial> loops;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      const SmallVector<Monomial> operandDims = dimsOf(operand.get());
      for (auto [d, expr] : llvm::enumerate(map.getResults())) {
        auto dim = dyn_cast<AffineDimExpr>(expr);
        if (!dim || d >= operandDims.size())
          continue;
        auto [it, inserted] =
            loops.try_emplace(dim.getPosition(), operandDims[d]);
        if (!inserted)
          constrain(it->second, operandDims[d]);
      }
    }
  }
  // linalg.softmax's input and output have one shape.
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op)) {
    const SmallVector<Monomial> input = dimsOf(softmax.getInput());
    const SmallVector<Monomial> output = dimsOf(softmax.getOutput());
    for (auto [a, b] : llvm::zip(input, output))
      constrain(a, b);
  }
  // A reshape keeps the number of elements of each group.
  auto constrainGroups = [&](Value expanded, Value collapsed,
                             ArrayRef<ReassociationIndices> groups) {
    const SmallVector<Monomial> fine = dimsOf(expanded);
    const SmallVector<Monomial> coarse = dimsOf(collapsed);
    for (auto [g, group] : llvm::enumerate(groups)) {
      Monomial product;
      for (int64_t d : group)
        product = multiply(product, fine[d]);
      constrain(product, coarse[g]);
    }
  };
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
    constrainGroups(expand.getResult(), expand.getSrc(),
                    expand.getReassociationIndices());
  if (auto cast = dyn_cast<tensor::CastOp>(op))
    if (auto source = dyn_cast<RankedTensorType>(cast.getSource().getType());
        source && source.getRank() == cast.getType().getRank()) {
      const SmallVector<Monomial> from = dimsOf(cast.getSource());
      const SmallVector<Monomial> to = dimsOf(cast.getResult());
      for (auto [a, b] : llvm::zip(from, to))
        constrain(a, b);
    }
}

void Analysis::run(Operation *scope) {
  scope->walk<WalkOrder::PreOrder>([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument argument : block.getArguments())
          dimsOf(argument);
    if (op != scope)
      visit(op);
  });
  // Each merge or binding removes a class, so this ends.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto &[a, b] : constraints)
      changed |= unify(a, b);
  }
}

//===----------------------------------------------------------------------===//
// SymbolicSizes
//===----------------------------------------------------------------------===//

static bool isPrime(int64_t n) {
  if (n < 2)
    return false;
  for (int64_t d = 2; d * d <= n; ++d)
    if (n % d == 0)
      return false;
  return true;
}

SymbolicSizes::SymbolicSizes(Operation *scope) : dominance(scope) {
  Analysis analysis;
  analysis.run(scope);

  // A prime stands for each unbound class; none may divide a static size or
  // a coefficient, so that equal numbers are equal products.
  SmallVector<int64_t> statics;
  for (Value value : analysis.order)
    for (const Monomial &m : analysis.dims[value])
      for (const Monomial &c : {m, analysis.canonical(m)})
        if (c.known && c.coefficient > 1)
          statics.push_back(c.coefficient);
  DenseMap<unsigned, int64_t> primeOf;
  int64_t candidate = kFirstPrimeCandidate;
  auto nextPrime = [&] {
    for (;; ++candidate)
      if (isPrime(candidate) &&
          llvm::none_of(statics, [&](int64_t s) { return s % candidate == 0; }))
        return candidate++;
  };
  for (unsigned s = 0, e = analysis.numSymbols(); s < e; ++s) {
    unsigned root = analysis.find(s);
    if (!analysis.boundSize(root) && !primeOf.count(root)) {
      int64_t prime = nextPrime();
      primeOf[root] = prime;
      primes.push_back(prime);
    }
  }

  auto evaluate = [&](const Monomial &m) -> std::optional<int64_t> {
    Monomial c = analysis.canonical(m);
    if (!c.known)
      return std::nullopt;
    int64_t value = c.coefficient;
    for (unsigned s : c.symbols)
      if (llvm::MulOverflow(value, primeOf.lookup(s), value))
        return std::nullopt;
    return value;
  };
  auto addRepresentative = [&](const Monomial &m, Value value, int64_t dim) {
    Monomial c = analysis.canonical(m);
    if (c.known && c.coefficient == 1 && c.symbols.size() == 1)
      representatives[primeOf.lookup(c.symbols[0])].push_back({value, dim});
  };
  for (Value value : analysis.order) {
    SmallVector<std::optional<int64_t>> &shape = shapes[value];
    for (auto [d, m] : llvm::enumerate(analysis.dims[value])) {
      shape.push_back(evaluate(m));
      addRepresentative(m, value, d);
    }
  }
  for (auto [s, value] : analysis.indexSymbols)
    addRepresentative(Monomial{1, {s}, true}, value, -1);
}

std::optional<SmallVector<int64_t>> SymbolicSizes::shapeOf(Value value) const {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return std::nullopt;
  auto it = shapes.find(value);
  if (it == shapes.end()) {
    if (!type.hasStaticShape())
      return std::nullopt;
    return llvm::to_vector(type.getShape());
  }
  SmallVector<int64_t> shape;
  for (std::optional<int64_t> size : it->second) {
    if (!size)
      return std::nullopt;
    shape.push_back(*size);
  }
  return shape;
}

std::optional<SmallVector<int64_t>>
SymbolicSizes::loopRangesOf(linalg::LinalgOp op) const {
  SmallVector<int64_t> all;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<ShapedType>(operand.get().getType()))
      continue;
    std::optional<SmallVector<int64_t>> shape = shapeOf(operand.get());
    if (!shape)
      return std::nullopt;
    llvm::append_range(all, *shape);
  }
  AffineMap shapesToLoops = op.getShapesToLoopsMap();
  if (!shapesToLoops)
    return std::nullopt;
  return llvm::to_vector(shapesToLoops.compose(all));
}

bool SymbolicSizes::isSymbolic(int64_t size) const {
  return size != 0 &&
         llvm::any_of(primes, [&](int64_t p) { return size % p == 0; });
}

RankedTensorType SymbolicSizes::typeOf(ArrayRef<int64_t> shape,
                                       Type elementType) const {
  SmallVector<int64_t> typeShape = llvm::map_to_vector(shape, [&](int64_t s) {
    return isSymbolic(s) ? ShapedType::kDynamic : s;
  });
  return RankedTensorType::get(typeShape, elementType);
}

SmallVector<int64_t> SymbolicSizes::primeFactors(int64_t size,
                                                 int64_t &coefficient) const {
  SmallVector<int64_t> factors;
  coefficient = size;
  if (size == 0)
    return factors;
  for (int64_t p : primes)
    while (coefficient % p == 0) {
      factors.push_back(p);
      coefficient /= p;
    }
  return factors;
}

/// Whether `value` is computed from a result of `avoid`.
static bool readsAny(Value value, const SymbolicSizes::OpSet &avoid) {
  if (avoid.empty())
    return false;
  SmallVector<Value> work = {value};
  llvm::SmallPtrSet<Operation *, 16> seen;
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (!def || !seen.insert(def).second)
      continue;
    if (avoid.contains(def))
      return true;
    llvm::append_range(work, def->getOperands());
  }
  return false;
}

const SymbolicSizes::Representative *
SymbolicSizes::availableRepresentative(int64_t prime, Operation *at,
                                       const OpSet &avoid) const {
  auto it = representatives.find(prime);
  if (it == representatives.end())
    return nullptr;
  for (const Representative &rep : it->second)
    if (dominance.properlyDominates(rep.value, at) &&
        !readsAny(rep.value, avoid))
      return &rep;
  return nullptr;
}

bool SymbolicSizes::isAvailableAt(int64_t size, Operation *at,
                                  const OpSet &avoid) const {
  int64_t coefficient;
  return llvm::all_of(primeFactors(size, coefficient), [&](int64_t p) {
    return availableRepresentative(p, at, avoid) != nullptr;
  });
}

OpFoldResult SymbolicSizes::materialize(OpBuilder &b, Location loc,
                                        int64_t size, Operation *at,
                                        const OpSet &avoid) const {
  int64_t coefficient;
  SmallVector<int64_t> factors = primeFactors(size, coefficient);
  if (factors.empty())
    return b.getIndexAttr(size);
  Value product;
  for (int64_t p : factors) {
    const Representative *rep = availableRepresentative(p, at, avoid);
    Value factor =
        rep->dim >= 0
            ? tensor::DimOp::create(b, loc, rep->value, rep->dim).getResult()
            : rep->value;
    if (!factor.getType().isIndex())
      factor = arith::IndexCastOp::create(b, loc, b.getIndexType(), factor);
    product = product
                  ? arith::MulIOp::create(b, loc, product, factor).getResult()
                  : factor;
  }
  if (coefficient != 1)
    product = arith::MulIOp::create(
        b, loc, product, arith::ConstantIndexOp::create(b, loc, coefficient));
  return product;
}
