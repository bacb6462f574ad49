//===- RaiseSdpa.cpp - --attn-raise-sdpa ----------------------------------===//
//
// Replaces unfused attention graphs on tensors (Q.K^T, scale, masks,
// softmax, P.V as linalg ops, reshapes and TOSA lowered by tosa-to-linalg)
// by one attn.sdpa with the same semantics. The analysis is in
// RaiseSdpaMatchers.cpp; this file rebuilds the operands in attn.sdpa's
// layout and the result in the graph's.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "passes/RaiseSdpaMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNRAISESDPAPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using raise::Component;
using raise::Layout;
using Kind = Component::Kind;

/// The batch atoms (outermost first) as components.
static SmallVector<Component> atomComponents(ArrayRef<int64_t> atoms) {
  SmallVector<Component> components(atoms.size());
  int64_t inner = 1;
  for (int64_t k = static_cast<int64_t>(atoms.size()) - 1; k >= 0; --k) {
    components[k] = Component::batch(inner, atoms[k]);
    inner *= atoms[k];
  }
  return components;
}

/// What `component` holds, as atoms (batch) or itself (rows, columns,
/// features); nothing for a unit dim.
static SmallVector<Component> finePartsOf(const Component &component,
                                          ArrayRef<Component> atoms) {
  if (component.kind == Kind::Unit)
    return {};
  if (component.kind != Kind::Batch)
    return {component};
  SmallVector<Component> parts;
  for (const Component &atom : atoms)
    if (atom.kind == Kind::Batch && atom.inner >= component.inner &&
        atom.outer() <= component.outer())
      parts.push_back(atom);
  return parts;
}

namespace {
/// Where the raised ops are built (before the replaced contraction), and how
/// sizes (numbers as raise::SymbolicSizes gives them) become types and
/// values there.
struct RaiseBuilder {
  PatternRewriter &b;
  Location loc;
  const raise::SymbolicSizes &sizes;
  Operation *at;
  /// The replaced ops, which sizes must not be read from.
  const raise::SymbolicSizes::OpSet &avoid;

  RankedTensorType type(ArrayRef<int64_t> shape, Type elementType) const {
    return sizes.typeOf(shape, elementType);
  }
  SmallVector<OpFoldResult> values(ArrayRef<int64_t> shape) const {
    return llvm::map_to_vector(shape, [&](int64_t size) {
      return sizes.materialize(b, loc, size, at, avoid);
    });
  }
};
} // namespace

static Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

/// `value`, whose dims are `from`, reshaped (row-major) to `shape`: one
/// collapse_shape or expand_shape when one shape refines the other, else
/// both through a single dim; nothing when the shape is already right.
static Value reshapeTo(const RaiseBuilder &b, Value value,
                       ArrayRef<int64_t> from, ArrayRef<int64_t> shape) {
  if (from == shape)
    return value;
  Type elementType = elementTypeOf(value);
  RankedTensorType target = b.type(shape, elementType);
  if (from.size() > shape.size())
    if (auto groups = getReassociationIndicesForCollapse(from, shape))
      return tensor::CollapseShapeOp::create(b.b, b.loc, target, value,
                                             *groups);
  if (from.size() < shape.size())
    if (auto groups = getReassociationIndicesForCollapse(shape, from))
      return tensor::ExpandShapeOp::create(b.b, b.loc, target, value, *groups,
                                           b.values(shape));
  // The element count fits: buildSdpa checked it.
  int64_t count = 1;
  for (int64_t size : from)
    count *= size;
  SmallVector<int64_t> flat;
  if (count != 1)
    flat.push_back(count);
  if (!from.empty() && from.size() != flat.size()) {
    SmallVector<ReassociationIndices> groups;
    if (!flat.empty())
      groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, from.size())));
    value = tensor::CollapseShapeOp::create(
        b.b, b.loc, b.type(flat, elementType), value, groups);
  }
  if (shape.size() == flat.size())
    return value;
  SmallVector<ReassociationIndices> groups;
  if (!flat.empty())
    groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, shape.size())));
  return tensor::ExpandShapeOp::create(b.b, b.loc, target, value, groups,
                                       b.values(shape));
}

/// The fine parts (atoms, rows, columns, features) of each dim of `layout`.
static SmallVector<SmallVector<Component>>
finePartsPerDim(const Layout &layout, ArrayRef<Component> atoms) {
  return llvm::map_to_vector(
      layout, [&](const Component &c) { return finePartsOf(c, atoms); });
}

/// How the fine parts of `to` are found among those of `from`: fails when
/// the two layouts do not describe the same elements.
static FailureOr<SmallVector<int64_t>>
layoutPermutation(const Layout &from, const Layout &to,
                  ArrayRef<Component> atoms) {
  SmallVector<Component> fromFine, toFine;
  for (ArrayRef<Component> parts : finePartsPerDim(from, atoms))
    llvm::append_range(fromFine, parts);
  for (ArrayRef<Component> parts : finePartsPerDim(to, atoms))
    llvm::append_range(toFine, parts);
  if (fromFine.size() != toFine.size())
    return failure();
  SmallVector<int64_t> permutation;
  for (const Component &part : toFine) {
    auto it = llvm::find(fromFine, part);
    if (it == fromFine.end())
      return failure();
    permutation.push_back(it - fromFine.begin());
  }
  return permutation;
}

static bool isIdentity(ArrayRef<int64_t> permutation) {
  return llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size()));
}

/// Rewrites `value`, whose dims hold `from` and have sizes `fromShape`,
/// into a tensor of `shape` whose dims hold `to` (layoutPermutation must have
/// succeeded). When both list their parts in the same order this is a
/// reshape; otherwise the value is reshaped into its parts, transposed and
/// reshaped again.
static Value convertLayout(const RaiseBuilder &b, Value value,
                           ArrayRef<int64_t> fromShape, const Layout &from,
                           const Layout &to, ArrayRef<int64_t> shape,
                           ArrayRef<Component> atoms) {
  SmallVector<int64_t> permutation = *layoutPermutation(from, to, atoms);
  if (isIdentity(permutation))
    return reshapeTo(b, value, fromShape, shape);
  SmallVector<int64_t> fineShape;
  for (ArrayRef<Component> parts : finePartsPerDim(from, atoms))
    for (const Component &part : parts)
      fineShape.push_back(part.size);
  value = reshapeTo(b, value, fromShape, fineShape);
  SmallVector<int64_t> transposedShape =
      llvm::map_to_vector(permutation, [&](int64_t d) { return fineShape[d]; });
  Value init = tensor::EmptyOp::create(b.b, b.loc, b.values(transposedShape),
                                       elementTypeOf(value));
  value = linalg::TransposeOp::create(b.b, b.loc, value, init, permutation)
              ->getResult(0);
  return reshapeTo(b, value, transposedShape, shape);
}

/// The shape that `layout` describes.
static SmallVector<int64_t> shapeOf(const Layout &layout) {
  return llvm::map_to_vector(layout, [](const Component &c) { return c.size; });
}

/// not(mask), elementwise.
static Value negate(OpBuilder &b, Location loc, Value mask) {
  auto type = cast<RankedTensorType>(mask.getType());
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, mask), type.getElementType());
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{mask}, ValueRange{init},
      ArrayRef<AffineMap>{identity, identity}, iterators,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value one = arith::ConstantOp::create(nested, nestedLoc,
                                              nested.getBoolAttr(true));
        Value flipped = arith::XOrIOp::create(nested, nestedLoc, args[0], one);
        linalg::YieldOp::create(nested, nestedLoc, flipped);
      });
  return generic->getResult(0);
}

/// `value` converted to the float type `type` (widened or rounded).
static Value castFloat(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  if (value.getType().getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, type, value);
  return arith::TruncFOp::create(b, loc, type, value);
}

/// The query multiplied (or divided) by the run-time factors of the scores,
/// elementwise. The product is computed in f32 (f64 when the query or a
/// factor is f64) and rounded back to the query's type: for an f16 or bf16
/// query that one rounding of Q * s is a relative error of at most 2^-11
/// (2^-8) per element, within the tolerance of attention in those types.
static Value scaleQuery(OpBuilder &b, Location loc, Value query,
                        ArrayRef<raise::RuntimeFactor> factors) {
  auto type = cast<RankedTensorType>(query.getType());
  Type elementType = type.getElementType();
  Type computeType = b.getF32Type();
  auto isF64 = [](Value value) {
    return getElementTypeOrSelf(value.getType()).isF64();
  };
  if (elementType.isF64() ||
      llvm::any_of(factors, [&](const raise::RuntimeFactor &factor) {
        return isF64(factor.value);
      }))
    computeType = b.getF64Type();
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<Value> inputs = {query};
  SmallVector<AffineMap> maps = {identity};
  // A factor held in a tensor of size-1 dims is read at 0 from every point.
  for (const raise::RuntimeFactor &factor : factors)
    if (auto factorType = dyn_cast<RankedTensorType>(factor.value.getType())) {
      inputs.push_back(factor.value);
      SmallVector<AffineExpr> zeros(factorType.getRank(),
                                    b.getAffineConstantExpr(0));
      maps.push_back(AffineMap::get(rank, 0, zeros, b.getContext()));
    }
  maps.push_back(identity);
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, query), elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value x = castFloat(nested, nestedLoc, args[0], computeType);
        unsigned next = 1;
        for (const raise::RuntimeFactor &factor : factors) {
          Value s = isa<RankedTensorType>(factor.value.getType())
                        ? args[next++]
                        : factor.value;
          s = castFloat(nested, nestedLoc, s, computeType);
          x = factor.divide
                  ? arith::DivFOp::create(nested, nestedLoc, x, s).getResult()
                  : arith::MulFOp::create(nested, nestedLoc, x, s).getResult();
        }
        linalg::YieldOp::create(nested, nestedLoc,
                                castFloat(nested, nestedLoc, x, elementType));
      });
  return generic->getResult(0);
}

/// Builds the attn.sdpa that `match` describes and returns its output in
/// the layout of the replaced contraction.
namespace {
/// The raised op and its output in the replaced contraction's layout.
struct Raised {
  attn::SdpaOp sdpa;
  Value result;
  /// Whether `result` only reshapes the op's output (no transpose).
  bool reshapeOnly;
};
} // namespace

static FailureOr<Raised> buildSdpa(PatternRewriter &rewriter,
                                   const raise::AttentionMatch &match) {
  Location loc = match.root->getLoc();
  MLIRContext *context = rewriter.getContext();
  SmallVector<Component> atoms = atomComponents(match.batchAtoms);
  const Layout &batch = match.batchLayout;

  auto operandLayout = [&](bool shared, Component second, Component third) {
    Layout layout = batch;
    if (shared)
      layout.back() = Component::unit();
    layout.push_back(second);
    layout.push_back(third);
    return layout;
  };
  Component rows = Component::row(match.queryLen);
  Component cols = Component::col(match.keyLen);
  Layout query = operandLayout(false, rows, Component::feature(match.headDim));
  Layout key = operandLayout(match.sharedKeyValueHead, cols,
                             Component::feature(match.headDim));
  Layout value = operandLayout(match.sharedKeyValueHead, cols,
                               Component::feature(match.valueHeadDim));
  Layout out =
      operandLayout(false, rows, Component::feature(match.valueHeadDim));
  auto realShape = [&](const Layout &layout, int64_t second, int64_t third) {
    SmallVector<int64_t> shape = shapeOf(layout);
    shape[shape.size() - 2] = second;
    shape[shape.size() - 1] = third;
    return shape;
  };

  // The mask keeps the dims it has and broadcasts over the others.
  Layout maskLayout;
  if (match.mask) {
    SmallVector<Component> held;
    for (const Component &c : match.mask->layout)
      llvm::append_range(held, finePartsOf(c, atoms));
    for (const Component &c : batch)
      maskLayout.push_back(llvm::is_contained(held, c) ? c : Component::unit());
    maskLayout.push_back(llvm::is_contained(held, rows) ? rows
                                                        : Component::unit());
    maskLayout.push_back(llvm::is_contained(held, cols) ? cols
                                                        : Component::unit());
  }

  // Check every conversion before creating anything.
  if (failed(layoutPermutation(match.query.layout, query, atoms)) ||
      failed(layoutPermutation(match.key.layout, key, atoms)) ||
      failed(layoutPermutation(match.value.layout, value, atoms)) ||
      failed(layoutPermutation(out, match.resultLayout, atoms)) ||
      (match.mask &&
       failed(layoutPermutation(match.mask->layout, maskLayout, atoms))))
    return failure();

  // Every size must be computable where the op is built, and every element
  // count must fit in 64 bits (dynamic dims are large numbers here).
  const raise::SymbolicSizes &sizes = *match.sizes;
  Value result = match.root->getResult(0);
  SmallVector<const raise::LeafTensor *> leaves = {&match.query, &match.key,
                                                   &match.value};
  if (match.mask)
    leaves.push_back(&*match.mask);
  SmallVector<SmallVector<int64_t>> leafShapes;
  for (const raise::LeafTensor *leaf : leaves) {
    std::optional<SmallVector<int64_t>> shape = sizes.shapeOf(leaf->value);
    if (!shape)
      return failure();
    leafShapes.push_back(std::move(*shape));
  }
  std::optional<SmallVector<int64_t>> resultShape = sizes.shapeOf(result);
  if (!resultShape)
    return failure();
  SmallVector<int64_t> used;
  for (ArrayRef<int64_t> shape : leafShapes) {
    int64_t count = 1;
    for (int64_t size : shape)
      if (llvm::MulOverflow(count, size, count))
        return failure();
    llvm::append_range(used, shape);
  }
  llvm::append_range(used, *resultShape);
  for (const Layout *layout : {&query, &key, &value, &out, &maskLayout})
    for (const Component &c : *layout)
      used.push_back(c.size);
  for (const raise::LeafTensor *leaf : leaves)
    for (const Component &c : leaf->layout)
      used.push_back(c.size);
  if (!llvm::all_of(used, [&](int64_t size) {
        return sizes.isAvailableAt(size, match.root, match.chain);
      }))
    return failure();
  // The sizes that tensor.dim ops read from the replaced ops.
  SmallVector<int64_t> dimSizes;
  for (tensor::DimOp dim : match.chainDims) {
    std::optional<SmallVector<int64_t>> shape = sizes.shapeOf(dim.getSource());
    int64_t index = *dim.getConstantIndex();
    if (!shape || index < 0 || index >= static_cast<int64_t>(shape->size()) ||
        !sizes.isAvailableAt((*shape)[index], dim, match.chain))
      return failure();
    dimSizes.push_back((*shape)[index]);
  }

  RaiseBuilder builder{rewriter, loc, sizes, match.root, match.chain};
  // Leaf `k` (query, key, value, mask) in `layout`, with dims `shape`.
  auto convert = [&](unsigned k, const Layout &layout,
                     ArrayRef<int64_t> shape) {
    const raise::LeafTensor &leaf = *leaves[k];
    ArrayRef<int64_t> from = leafShapes[k];
    // A dim the graph proves static may still have a dynamic type.
    Value value = leaf.value;
    RankedTensorType type = builder.type(from, elementTypeOf(value));
    if (value.getType() != type)
      value = tensor::CastOp::create(rewriter, loc, type, value);
    return convertLayout(builder, value, from, leaf.layout, layout, shape,
                         atoms);
  };
  Value q = convert(0, query, realShape(query, match.queryLen, match.headDim));
  if (!match.runtimeFactors.empty())
    q = scaleQuery(rewriter, loc, q, match.runtimeFactors);
  Value k = convert(1, key, realShape(key, match.keyLen, match.headDim));
  Value v =
      convert(2, value, realShape(value, match.keyLen, match.valueHeadDim));
  Value mask;
  if (match.mask) {
    mask = convert(3, maskLayout, shapeOf(maskLayout));
    if (match.negateMask)
      mask = negate(rewriter, loc, mask);
  }

  SmallVector<int64_t> outShape =
      realShape(out, match.queryLen, match.valueHeadDim);
  RankedTensorType outType = builder.type(outShape, match.elementType);
  UnitAttr causal = match.causal ? rewriter.getUnitAttr() : nullptr;
  DenseI64ArrayAttr window =
      match.window ? rewriter.getDenseI64ArrayAttr(*match.window) : nullptr;
  attn::AlignmentAttr align =
      match.align ? attn::AlignmentAttr::get(context, *match.align) : nullptr;
  FloatAttr scale = rewriter.getF64FloatAttr(match.scale);
  FloatAttr softcap =
      match.softcap ? rewriter.getF64FloatAttr(*match.softcap) : nullptr;
  auto sdpa = attn::SdpaOp::create(rewriter, loc, outType, /*lse=*/Type(), q, k,
                                   v, mask, /*seed=*/Value(), causal, window,
                                   align, scale, softcap,
                                   /*dropout=*/nullptr);
  Value converted = convertLayout(builder, sdpa.getOut(), outShape, out,
                                  match.resultLayout, *resultShape, atoms);
  if (converted.getType() != result.getType())
    converted =
        tensor::CastOp::create(rewriter, loc, result.getType(), converted);
  for (auto [constDim, size] : llvm::zip_equal(match.chainDims, dimSizes)) {
    tensor::DimOp dim = constDim;
    rewriter.setInsertionPoint(dim);
    OpFoldResult value =
        sizes.materialize(rewriter, dim.getLoc(), size, dim, match.chain);
    rewriter.replaceOp(
        dim, getValueOrCreateConstantIndexOp(rewriter, dim.getLoc(), value));
  }
  return Raised{sdpa, converted,
                isIdentity(*layoutPermutation(out, match.resultLayout, atoms))};
}

namespace {
/// Raises the attention whose P.V contraction is `OpTy`.
template <typename OpTy> struct RaiseAttention : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::string reason;
    FailureOr<raise::AttentionMatch> match = raise::matchAttention(
        cast<linalg::LinalgOp>(op.getOperation()), reason);
    if (failed(match))
      return rewriter.notifyMatchFailure(op, reason);
    FailureOr<Raised> raised = buildSdpa(rewriter, *match);
    if (failed(raised))
      return rewriter.notifyMatchFailure(
          op, "cannot rebuild the operands in attn.sdpa's layout");
    rewriter.replaceOp(op, raised->result);
    // A reshape of the result back to attn.sdpa's shape (torch-mlir's expand
    // after a rank-3 batch_matmul) is attn.sdpa's output itself.
    Value out = raised->sdpa.getOut();
    if (raised->reshapeOnly && raised->result != out)
      for (Operation *user :
           llvm::make_early_inc_range(raised->result.getUsers()))
        if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user) &&
            user->getResult(0).getType() == out.getType())
          rewriter.replaceOp(user, out);
    return success();
  }
};

struct AttnRaiseSdpaPass
    : sdpa::impl::AttnRaiseSdpaPassBase<AttnRaiseSdpaPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnRaiseSdpaPatterns(patterns);
    // A graph that is not raised stays exactly as it was: the driver starts
    // from the contractions only, and neither folds nor moves constants.
    // What a raise leaves dead is erased as the driver follows it.
    SmallVector<Operation *> contractions;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.getNumDpsInputs() == 2 && op.getNumReductionLoops() == 1 &&
          !op->use_empty())
        contractions.push_back(op);
    });
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    if (failed(
            applyOpPatternsGreedily(contractions, std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace

void sdpa::populateAttnRaiseSdpaPatterns(RewritePatternSet &patterns) {
  patterns
      .add<RaiseAttention<linalg::GenericOp>, RaiseAttention<linalg::MatmulOp>,
           RaiseAttention<linalg::BatchMatmulOp>,
           RaiseAttention<linalg::ContractOp>>(patterns.getContext());
}
