//===- OutlineCpuGrid.cpp - grid loops to CPU runtime launches ------------===//
//
// --attn-outline-cpu-grid moves the body of every outermost scf.forall (on
// memrefs, after bufferization) into its own function that runs a range of
// linearized block indices, and replaces the loop by attn.launch, which the
// CPU runtime's thread pool executes. Constants are cloned into the kernel;
// every other value the body uses from above becomes a kernel argument.
// Static stack buffers are allocated once per kernel call, not per block.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNOUTLINECPUGRIDPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using namespace sdpa::attn;

namespace {

/// The trip count of each dim of `loop`, as values before the loop.
SmallVector<Value> tripCounts(OpBuilder &b, scf::ForallOp loop) {
  SmallVector<Value> counts;
  Location loc = loop.getLoc();
  for (auto [lb, ub, step] :
       llvm::zip_equal(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                       loop.getMixedStep())) {
    Value lo = getValueOrCreateConstantIndexOp(b, loc, lb);
    Value hi = getValueOrCreateConstantIndexOp(b, loc, ub);
    Value st = getValueOrCreateConstantIndexOp(b, loc, step);
    Value span = b.createOrFold<arith::SubIOp>(loc, hi, lo);
    Value positive = b.createOrFold<arith::MaxSIOp>(
        loc, span, arith::ConstantIndexOp::create(b, loc, 0));
    counts.push_back(b.createOrFold<arith::CeilDivUIOp>(loc, positive, st));
  }
  return counts;
}

LogicalResult outlineForall(scf::ForallOp loop, func::FuncOp parent,
                            SymbolTable &symbols, unsigned index) {
  if (!loop.getOutputs().empty())
    return loop.emitOpError()
           << "cannot outline a grid loop with shared outputs: bufferize "
              "first";
  MLIRContext *ctx = loop.getContext();
  Location loc = loop.getLoc();
  OpBuilder b(loop);

  // Values from above: constants are cloned, the rest are captured.
  SetVector<Value> above;
  getUsedValuesDefinedAbove(loop.getRegion(), above);
  SmallVector<Value> captures;
  SmallVector<Operation *> constants;
  for (Value v : above) {
    Operation *def = v.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(def);
    else
      captures.push_back(v);
  }
  // The loop bounds are needed inside to delinearize; capture the dynamic
  // ones too.
  SmallVector<Value> counts = tripCounts(b, loop);
  for (Value count : counts)
    if (!count.getDefiningOp<arith::ConstantOp>() &&
        !llvm::is_contained(captures, count))
      captures.push_back(count);
  SmallVector<Value> lbsSteps;
  for (OpFoldResult ofr : llvm::concat<const OpFoldResult>(
           loop.getMixedLowerBound(), loop.getMixedStep()))
    if (auto v = dyn_cast<Value>(ofr); v && !llvm::is_contained(captures, v))
      captures.push_back(v);

  // The kernel: (captures..., begin, end).
  SmallVector<Type> argTypes(ValueRange(captures).getTypes());
  Type indexType = IndexType::get(ctx);
  argTypes.append({indexType, indexType});
  std::string name = (parent.getName() + "_grid" + Twine(index)).str();
  OpBuilder moduleBuilder(parent);
  auto kernel = func::FuncOp::create(moduleBuilder, loc, name,
                                     FunctionType::get(ctx, argTypes, {}));
  kernel.setPrivate();
  symbols.insert(kernel);
  Block *entry = kernel.addEntryBlock();
  OpBuilder kb = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  for (auto [capture, arg] : llvm::zip(captures, entry->getArguments()))
    mapping.map(capture, arg);
  for (Operation *constant : constants)
    kb.clone(*constant, mapping);
  Value begin = entry->getArgument(captures.size());
  Value end = entry->getArgument(captures.size() + 1);
  auto one = arith::ConstantIndexOp::create(kb, loc, 1);
  auto blockLoop = scf::ForOp::create(kb, loc, begin, end, one);
  func::ReturnOp::create(kb, loc);

  // Inside: delinearize the block index (row-major, last dim fastest), map
  // it to the loop's induction variables and clone the body.
  kb.setInsertionPointToStart(blockLoop.getBody());
  Value linear = blockLoop.getInductionVar();
  SmallVector<Value> ivs(counts.size());
  for (int64_t d = counts.size() - 1; d >= 0; --d) {
    Value count = mapping.lookupOrDefault(counts[d]);
    if (auto c = counts[d].getDefiningOp<arith::ConstantOp>())
      count = kb.clone(*c)->getResult(0);
    Value position =
        d == 0 ? linear : kb.createOrFold<arith::RemUIOp>(loc, linear, count);
    if (d > 0)
      linear = kb.createOrFold<arith::DivUIOp>(loc, linear, count);
    Value lb =
        getValueOrCreateConstantIndexOp(kb, loc, loop.getMixedLowerBound()[d]);
    Value step =
        getValueOrCreateConstantIndexOp(kb, loc, loop.getMixedStep()[d]);
    lb = mapping.lookupOrDefault(lb);
    step = mapping.lookupOrDefault(step);
    ivs[d] = kb.createOrFold<arith::AddIOp>(
        loc, lb, kb.createOrFold<arith::MulIOp>(loc, position, step));
  }
  for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
    mapping.map(iv, value);
  for (Operation &op : loop.getBody()->without_terminator())
    kb.clone(op, mapping);
  // Static stack buffers of the body move out of the block loop: a chunk of
  // many blocks would otherwise grow the stack by one set per block. Their
  // contents are undefined at each allocation anyway, and the blocks of a
  // chunk run one after the other.
  for (auto alloca : llvm::make_early_inc_range(
           blockLoop.getBody()->getOps<memref::AllocaOp>()))
    if (alloca.getType().hasStaticShape() && alloca->getNumOperands() == 0)
      alloca->moveBefore(blockLoop);

  // The launch replaces the loop.
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (Value count : counts)
    total = b.createOrFold<arith::MulIOp>(loc, total, count);
  LaunchOp::create(b, loc, SymbolRefAttr::get(kernel), captures, total);
  loop.erase();
  return success();
}

struct AttnOutlineCpuGridPass
    : sdpa::impl::AttnOutlineCpuGridPassBase<AttnOutlineCpuGridPass> {
  using AttnOutlineCpuGridPassBase::AttnOutlineCpuGridPassBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      SmallVector<scf::ForallOp> loops;
      function.walk([&](scf::ForallOp loop) {
        if (!loop->getParentOfType<scf::ForallOp>())
          loops.push_back(loop);
      });
      for (auto [index, loop] : llvm::enumerate(loops))
        if (failed(outlineForall(loop, function, symbols, index)))
          return signalPassFailure();
    }
  }
};

} // namespace
