//===- GpuBlockLowering.h - attn.block for a GPU block's threads -*- C++
//-*-===//
//
// The state and helpers of --attn-online-softmax-gpu, shared by its SIMT and
// WMMA forms (OnlineSoftmaxGpu.cpp) and its mma.sync form
// (OnlineSoftmaxMma.cpp). Private to the pass.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_GPUBLOCKLOWERING_H
#define SDPA_PASSES_GPUBLOCKLOWERING_H

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APFloat.h"

namespace sdpa {
namespace gpu_lowering {

using namespace mlir;
using attn::BlockOp;

constexpr int64_t kWarp = 32;
/// The fewest warps a block is narrowed to: they share the staging of K
/// and V even where fewer compute.
constexpr int64_t kMinWarps = 4;
/// Threads along a row of the product tiles.
constexpr int64_t kTileCols = 16;

class GpuBlockLowering {
public:
  GpuBlockLowering(RewriterBase &rewriter, BlockOp op, gpu::LaunchOp launch,
                   int64_t threads, int64_t sharedLimit)
      : op(op), launch(launch), b(op.getLoc(), rewriter), threads(threads),
        sharedLimit(sharedLimit) {}

  LogicalResult lower();

  /// How f16 and bf16 products run on tensor cores.
  enum class TensorCores { MmaSync, Wmma };
  TensorCores tensorCoreKind = TensorCores::MmaSync;

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  /// The lowest finite f32, where the running max starts: a fully masked
  /// row then ends with out = 0 and lse = -inf, not NaN.
  Value lowestF32() {
    return f32(llvm::APFloat::getLargest(llvm::APFloat::IEEEsingle(),
                                         /*Negative=*/true)
                   .convertToDouble());
  }
  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, b.getF32Type(), v);
  }
  Value fromF32(Value v, Type to) {
    if (to.isF32())
      return v;
    return arith::TruncFOp::create(b, to, v);
  }
  Value add(Value x, Value y) { return b.createOrFold<arith::AddIOp>(x, y); }
  Value mul(Value x, Value y) { return b.createOrFold<arith::MulIOp>(x, y); }
  Value lessThan(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
  }
  Value minIndex(Value x, Value y) {
    return b.createOrFold<arith::MinUIOp>(x, y);
  }
  /// for (iv = lb; iv < ub; iv += step) body(iv)
  void loop(Value lb, Value ub, Value step, function_ref<void(Value)> body) {
    auto forOp = scf::ForOp::create(b, lb, ub, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    body(forOp.getInductionVar());
  }
  SmallVector<Value>
  loopCarrying(Value lb, Value ub, Value step, ValueRange init,
               function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp = scf::ForOp::create(
        b, lb, ub, step, init,
        [&](OpBuilder &, Location, Value iv, ValueRange args) {
          scf::YieldOp::create(b, body(iv, args));
        });
    return SmallVector<Value>(forOp.getResults());
  }
  /// The next tile of shared memory, shaped `shape`, of f32 unless said
  /// otherwise. Tiles start at multiples of 128 bytes, which covers the
  /// 32-byte alignment tensor-core loads and stores need.
  Value sharedTile(ArrayRef<int64_t> shape, Type element = {}) {
    if (!element)
      element = b.getF32Type();
    sharedBytes = (sharedBytes + 127) / 128 * 128;
    auto type =
        MemRefType::get(shape, element, MemRefLayoutAttrInterface(),
                        gpu::AddressSpaceAttr::get(
                            b.getContext(), gpu::AddressSpace::Workgroup));
    Value view =
        memref::ViewOp::create(b, type, shared, idx(sharedBytes), ValueRange());
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    sharedBytes += count * element.getIntOrFloatBitWidth() / 8;
    return view;
  }
  /// Butterfly reduction across groups of `span` consecutive lanes (a power
  /// of two up to 32, the whole warp by default).
  Value warpReduce(Value v, bool isMax, int64_t span = kWarp) {
    Value width = arith::ConstantOp::create(b, b.getI32IntegerAttr(kWarp));
    for (int64_t offset = span / 2; offset > 0; offset /= 2) {
      Value other =
          gpu::ShuffleOp::create(
              b, v, arith::ConstantOp::create(b, b.getI32IntegerAttr(offset)),
              width, gpu::ShuffleMode::XOR)
              .getShuffleResult();
      v = isMax ? Value(arith::MaximumFOp::create(b, v, other))
                : Value(arith::AddFOp::create(b, v, other));
    }
    return v;
  }
  /// `memref[clamp(i), clamp(j)]` (as f32 when `widen`), or `outside` when
  /// (i, j) is not below (rows, cols): clamped so that every thread reads in
  /// bounds.
  Value guardedLoad(Value memref, Value i, Value rowLimit, Value j,
                    Value colLimit, Value outside, bool widen = true);

  /// init[i * cols + k] + sum over t < extent of lhs(rows[i], t) *
  /// rhs(cols[k], t): a register-tiled product over this thread's rows
  /// and columns.
  SmallVector<Value> tileProduct(int64_t extent, ValueRange init,
                                 ArrayRef<Value> rowIdx, ArrayRef<Value> colIdx,
                                 function_ref<Value(Value, Value)> lhs,
                                 function_ref<Value(Value, Value)> rhs) {
    return loopCarrying(idx(0), idx(extent), idx(1), init,
                        [&](Value t, ValueRange partial) -> SmallVector<Value> {
                          SmallVector<Value> x, y, next;
                          for (Value r : rowIdx)
                            x.push_back(lhs(r, t));
                          for (Value c : colIdx)
                            y.push_back(rhs(c, t));
                          for (size_t i = 0; i < x.size(); ++i)
                            for (size_t k = 0; k < y.size(); ++k)
                              next.push_back(math::FmaOp::create(
                                  b, x[i], y[k], partial[i * y.size() + k]));
                          return next;
                        });
  }

  /// Tensor cores (WMMA, f16): a 16x16 operand of `tile` at (row, col).
  Value mmaLoad(Value tile, Value row, Value col, StringRef operand,
                bool transpose = false) {
    auto type = cast<MemRefType>(tile.getType());
    return gpu::SubgroupMmaLoadMatrixOp::create(
        b, gpu::MMAMatrixType::get({16, 16}, type.getElementType(), operand),
        tile, ValueRange{row, col}, b.getIndexAttr(type.getDimSize(1)),
        transpose ? b.getUnitAttr() : UnitAttr());
  }
  /// result[16 ti.., 16 tj..] = sum over k < steps of lhs(ti, k) x
  /// rhs(tj, k), 16x16x16 products, for tileRows x tileCols output tiles
  /// that the warps share round-robin.
  void mmaTiles(int64_t tileRows, int64_t tileCols, int64_t steps,
                function_ref<Value(Value, Value)> lhs,
                function_ref<Value(Value, Value)> rhs, bool rhsTransposed,
                Value result);
  /// Zero in the type the tiles are staged in.
  Value stagedZero() {
    if (tensorCores)
      return arith::ConstantOp::create(b, b.getF16FloatAttr(0));
    return f32(0.0);
  }

  void loadQuery();
  void loadKeysAndValues(Value keyStart);
  void computeScores();
  void softmaxRows(Value keyStart);
  SmallVector<Value> accumulateValues(ValueRange acc);
  void finalize(ValueRange acc);
  /// The final score of local row `row` at absolute key column `col` from
  /// its scaled product `raw`: softcap and mask, then, where `bounded`,
  /// -inf outside the key range, causal alignment and the window (a key
  /// block that lies inside all three for every row may skip them).
  Value scoreOf(Value row, Value col, Value raw, bool bounded = true);
  /// Whether key `col` lies at or before local row `row`'s diagonal (plus
  /// the window's right side; `high`) and at or after its window's left
  /// edge (`low`): i1, or null where causal alignment and the window ask
  /// for neither.
  Value keyInBand(Value row, Value col, bool high, bool low);
  /// exp(x) as exp2(x log2 e): exp2 is one instruction on the GPU (ex2),
  /// exp about ten.
  Value expViaExp2(Value x);
  /// Whether every key of [keyStart, keyStart + blockKeys) lies inside the
  /// key range, causal alignment and the window for the local rows
  /// [firstRow, firstRow + count): i1, uniform over whoever asks.
  Value keyBlockInside(Value keyStart, Value firstRow, int64_t count);
  /// Narrows the launch to the warps the block has rows for (a warp per 16
  /// rows, at least kMinWarps), when it runs nothing but this block: the
  /// launch's thread count is the most a block may take.
  void narrowLaunch();
  /// Fails with a message when the tiles need more shared memory than a
  /// block may have.
  LogicalResult checkSharedMemory();
  /// Grows the launch's dynamic shared memory to what this block uses.
  LogicalResult requestSharedMemory();

  // The mma.sync form (OnlineSoftmaxMma.cpp): each warp owns 16-row query
  // groups whose scores, probabilities and output stay in the registers of
  // the m16n8k16 fragments.
  LogicalResult lowerWithMmaSync();
  /// The running state of one 16-row group: for the rows g and g + 8 of
  /// this lane (g = lane / 4), the max and this lane's partial sum, then the
  /// output's n8 tiles.
  struct RowGroupState {
    Value max[2], sum[2];
    SmallVector<Value> out;
  };
  /// Stages the key and value rows from keyStart into tile buffer `buffer`
  /// of ks and vs: with asynchronous copies where their layout allows
  /// (returns the group they form), else with loads and stores (returns
  /// null).
  Value stageKeyValueTiles(Value keyStart, Value buffer, int64_t keyCols,
                           int64_t valueCols);
  /// The buffer of ks and vs the current key block reads.
  Value stageBuffer;
  bool asyncCopies = false;
  SmallVector<Value> loadQueryFragments(Value rowBase, int64_t keyCols);
  /// Stages the block's query rows into qs (rows padded by 16 bytes), for
  /// head dims whose fragments do not stay in registers.
  void stageQueryTile(int64_t keyCols);
  /// ldmatrix of `tiles` (2 or 4) 8x8 matrices of `tile` at
  /// [leading..., row0.., col0..]: side by side along the row, or with
  /// `quadrants` the four quadrants of a 16x16 tile in column-major order
  /// (an A fragment, or two B fragments of a transposed tile).
  Value ldmatrix(Value tile, ValueRange leading, Value row0, int64_t col0,
                 int64_t tiles, bool quadrants, bool transpose);
  /// The A fragment of query columns 16 k.. of the group at rowBase:
  /// query[k], or read from qs when `query` is empty.
  Value queryFragment(ArrayRef<Value> query, Value rowBase, int64_t k);
  /// One key block for the warp's groups at `rowBases` (their query
  /// fragments, or empty ones for qs, and states): each B fragment is read
  /// once for all of them.
  SmallVector<RowGroupState> mmaKeyBlock(ArrayRef<Value> rowBases,
                                         Value keyStart,
                                         ArrayRef<SmallVector<Value>> query,
                                         ArrayRef<RowGroupState> states,
                                         int64_t keyCols, int64_t valueCols);
  /// The scores of a group's Q.K^T C fragments `accs`, [tile * 4 + value].
  SmallVector<Value> mmaScores(Value rowBase, Value keyStart,
                               ArrayRef<Value> accs);
  /// The online softmax step of a group: its next max and sum into `next`,
  /// the rescale of its old output into `alpha` (rows g and g + 8); returns
  /// the probabilities as the A fragments of P.V, one per 16 keys.
  SmallVector<Value> mmaProbabilities(Value rowBase, Value keyStart,
                                      ArrayRef<Value> scores,
                                      const RowGroupState &state,
                                      RowGroupState &next, Value alpha[2]);
  void mmaFinalize(Value rowBase, const RowGroupState &state);
  /// The m16n8k16 product a.b + c (a: vector<4x2xT>, b: vector<2x2xT>, c:
  /// vector<2x2xf32>).
  Value mma(Value a, Value bOperand, Value c);
  /// vector<RxCxT> of `elements` in row-major order.
  Value fragment(ArrayRef<Value> elements, int64_t r, int64_t c, Type type);

  BlockOp op;
  gpu::LaunchOp launch;
  ImplicitLocOpBuilder b;
  int64_t threads, sharedLimit;

  /// The inputs' element type and out's (the inputs' or, for split-K
  /// partials, f32).
  Type elementType, outElement;
  int64_t headDim = 0, valueDim = 0, paddedValueDim = 0;
  int64_t blockRows = 0, blockKeys = 0;
  /// Rows of the thread grid and rows per thread in the product tiles,
  /// score columns and value columns per thread.
  int64_t threadRows = 0, rowsPerThread = 0, colsPerThread = 0,
          valueColsPerThread = 0;
  int64_t sharedBytes = 0;
  /// f16 blocks whose dims suit 16x16x16 products run both products on
  /// tensor cores: Qs, Ks, Vs and the probabilities are f16 tiles, the
  /// scores and each key block's P.V land in f32 tiles, and the recurrence
  /// is the SIMT form's.
  bool tensorCores = false;
  /// The scale (divided by softcap when set, which the tanh undoes). SIMT
  /// folds it into Qs; tensor cores take the f16 query as it is and apply it
  /// to the f32 scores the softmax reads from Ps.
  double scale = 1.0;
  Value shared, qs, ks, vs, ps, runMax, runSum, rescale;
  /// Tensor cores only: the f16 probabilities and the key block's f32 P.V.
  Value probs, blockValues;
  Value tid, tx, ty, lane, warp;
  /// mma.sync: the lane's group g = lane / 4 and its place t = lane % 4 in
  /// the quad of g, which fix the rows and columns of its fragments.
  Value quadGroup, quadLane;
  Value rows, keyLen;
};

} // namespace gpu_lowering
} // namespace sdpa

#endif // SDPA_PASSES_GPUBLOCKLOWERING_H
