//===- OnlineSoftmaxGpu.cpp - attn.block for the threads of a GPU block ---===//
//
// --attn-online-softmax-gpu lowers a bufferized attn.block that runs inside a
// gpu.launch (see --attn-map-grid-to-gpu) into code for all the threads of
// the block together: the online-softmax recurrence of --attn-online-softmax
// with f32 arithmetic, organised for SIMT execution.
//
// The block's T threads (a multiple of 32) stage every tile in dynamic
// shared memory as f32:
//
//   Qs[Bq][E]       the query rows times the scale
//   Ks[Bk][E + 1]   a key block (the padding column spreads a column walk
//                   over all the banks)
//   Vs[Bk][Ev']     a value block, Ev rounded up to 16 with zero columns
//   Ps[Bq][Bk + 1]  scores, then probabilities
//   M[Bq], L[Bq], A[Bq]   running max, running sum, last rescale factor
//
// Per key block: all threads load K and V (coalesced, converted to f32,
// zero past the keys); thread (ty, tx) = (t / 16, t % 16) computes the
// scores of rows ty + i * T/16 and columns tx + 16 * k as a register tile;
// each warp then takes whole rows, applies softcap, mask and positions, and
// finds the row max and sum with butterfly shuffles; finally the same thread
// tile accumulates P.V into registers, rescaled by A. Barriers separate the
// phases. The accumulator stays in registers for the whole key loop, and
// the max starts at the lowest finite value so that a fully masked row ends
// with out = 0 and lse = -inf.
//
// f16 and bf16 blocks run on mma.sync by default (OnlineSoftmaxMma.cpp).
// With tensor-cores=wmma, f16 blocks whose head dim and tiles are multiples
// of 16 run both products on WMMA (gpu.subgroup_mma_*) instead: Qs, Ks, Vs
// are staged as f16, each warp computes 16x16 tiles of the scores into Ps
// (f32, scaled when the softmax reads them), the probabilities are staged as
// f16, and each key block's P.V lands in an f32 tile that the threads add
// to their rescaled accumulators. The fragments stay opaque: every value
// crosses shared memory in plain row-major tiles, so no register layout of
// the MMA units is assumed.
//
// Every read of global memory uses an index clamped into the tensor and a
// select for what lies outside, so no thread diverges or reads out of
// bounds on ragged edges.
//
//===----------------------------------------------------------------------===//

#include "passes/DropoutPhilox.h"
#include "passes/GpuBlockLowering.h"
#include "passes/Passes.h"

#include "runtime/reference/Philox.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>
#include <numeric>

namespace sdpa {
#define GEN_PASS_DEF_ATTNONLINESOFTMAXGPUPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using namespace sdpa::attn;

using namespace sdpa::gpu_lowering;

Value GpuBlockLowering::guardedLoad(Value memref, Value i, Value rowLimit,
                                    Value j, Value colLimit, Value outside,
                                    bool widen) {
  Value inside =
      arith::AndIOp::create(b, lessThan(i, rowLimit), lessThan(j, colLimit));
  Value ci = minIndex(i, arith::SubIOp::create(b, rowLimit, idx(1)));
  Value cj = minIndex(j, arith::SubIOp::create(b, colLimit, idx(1)));
  Value v = memref::LoadOp::create(b, memref, ValueRange{ci, cj});
  if (widen)
    v = toF32(v);
  return arith::SelectOp::create(b, inside, v, outside);
}

LogicalResult GpuBlockLowering::lower() {
  auto queryType = cast<MemRefType>(op.getQuery().getType());
  auto valueType = cast<MemRefType>(op.getValue().getType());
  elementType = queryType.getElementType();
  outElement = cast<MemRefType>(op.getOut().getType()).getElementType();
  if (!elementType.isF32() && !elementType.isF16() && !elementType.isBF16())
    return op.emitOpError() << "the GPU lowering supports f32, f16 and bf16, "
                               "not "
                            << elementType << " (f64 runs on the CPU only)";
  headDim = queryType.getDimSize(1);
  valueDim = valueType.getDimSize(1);
  if (ShapedType::isDynamic(headDim) || ShapedType::isDynamic(valueDim))
    return op.emitOpError() << "the GPU lowering needs static head dims";
  if (headDim == 0 || valueDim == 0)
    return op.emitOpError() << "the GPU lowering needs E and Ev of at least 1";
  blockRows = op.getBlockRows();
  blockKeys = op.getBlockKeys();
  if (threads % kWarp != 0)
    return op.emitOpError() << "needs whole warps: " << threads
                            << " threads per block is not a multiple of 32";
  threadRows = threads / kTileCols;
  if (blockRows % threadRows != 0)
    return op.emitOpError()
           << "query block size " << blockRows << " must be a multiple of "
           << threadRows << " (threads per block / 16) on the GPU";
  if (blockKeys % kWarp != 0)
    return op.emitOpError() << "key block size " << blockKeys
                            << " must be a multiple of 32 on the GPU";
  // A block with fewer rows than the tile (decode, short prompts) stages
  // and computes only as many as it has, rounded up to what the thread
  // grid and the tensor cores divide.
  int64_t staticRows = queryType.getDimSize(0);
  if (!ShapedType::isDynamic(staticRows) && staticRows < blockRows) {
    int64_t granule = std::lcm<int64_t>(16, threadRows);
    blockRows =
        std::min(blockRows, (staticRows + granule - 1) / granule * granule);
  }
  narrowLaunch();
  rowsPerThread = blockRows / threadRows;
  colsPerThread = blockKeys / kTileCols;
  valueColsPerThread = (valueDim + kTileCols - 1) / kTileCols;
  paddedValueDim = valueColsPerThread * kTileCols;

  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  tx = arith::RemUIOp::create(b, tid, idx(kTileCols));
  ty = arith::DivUIOp::create(b, tid, idx(kTileCols));
  lane = arith::RemUIOp::create(b, tid, idx(kWarp));
  warp = arith::DivUIOp::create(b, tid, idx(kWarp));
  rows = b.createOrFold<memref::DimOp>(op.getQuery(), 0);
  keyLen = b.createOrFold<memref::DimOp>(op.getKey(), 0);

  shared = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(),
                         gpu::AddressSpaceAttr::get(
                             b.getContext(), gpu::AddressSpace::Workgroup)));
  tensorCores = elementType.isF16() && headDim % 16 == 0 &&
                blockRows % 16 == 0 && blockKeys % 16 == 0;
  scale = op.getScale().convertToDouble();
  if (op.getSoftcap())
    scale /= op.getSoftcap()->convertToDouble();
  if (tensorCoreKind == TensorCores::MmaSync && !elementType.isF32() &&
      blockRows % 16 == 0 && blockKeys % 16 == 0)
    return lowerWithMmaSync();
  if (tensorCores) {
    // Leading dims padded by 16 bytes against bank conflicts, keeping the
    // multiples of 16 bytes that WMMA needs.
    Type f16 = b.getF16Type();
    qs = sharedTile({blockRows, headDim + 8}, f16);
    ks = sharedTile({blockKeys, headDim + 8}, f16);
    vs = sharedTile({blockKeys, paddedValueDim + 8}, f16);
    ps = sharedTile({blockRows, blockKeys + 4});
    probs = sharedTile({blockRows, blockKeys + 8}, f16);
    blockValues = sharedTile({blockRows, paddedValueDim + 4});
  } else {
    qs = sharedTile({blockRows, headDim});
    ks = sharedTile({blockKeys, headDim + 1});
    vs = sharedTile({blockKeys, paddedValueDim});
    ps = sharedTile({blockRows, blockKeys + 1});
  }
  runMax = sharedTile({blockRows});
  runSum = sharedTile({blockRows});
  rescale = sharedTile({blockRows});
  if (failed(checkSharedMemory()))
    return failure();

  loadQuery();
  Value lowest = lowestF32();
  loop(tid, idx(blockRows), idx(threads), [&](Value r) {
    memref::StoreOp::create(b, lowest, runMax, r);
    memref::StoreOp::create(b, f32(0.0), runSum, r);
  });
  gpu::BarrierOp::create(b);

  SmallVector<Value> zeros(rowsPerThread * valueColsPerThread, f32(0.0));
  SmallVector<Value> acc =
      loopCarrying(op.getKeyBegin(), op.getKeyEnd(), idx(blockKeys), zeros,
                   [&](Value keyStart, ValueRange acc) {
                     loadKeysAndValues(keyStart);
                     gpu::BarrierOp::create(b);
                     computeScores();
                     gpu::BarrierOp::create(b);
                     softmaxRows(keyStart);
                     gpu::BarrierOp::create(b);
                     SmallVector<Value> next = accumulateValues(acc);
                     // The next block overwrites the tiles the others may still
                     // read.
                     gpu::BarrierOp::create(b);
                     return next;
                   });
  finalize(acc);
  return requestSharedMemory();
}

void GpuBlockLowering::narrowLaunch() {
  // A warp per 16-row group of the block's rows, at least kMinWarps; only
  // where the launch runs nothing else that depends on its threads.
  int64_t wanted = std::max<int64_t>(kMinWarps, (blockRows + 15) / 16) * kWarp;
  if (wanted >= threads)
    return;
  bool alone = true;
  launch.getBody().walk([&](Operation *inner) {
    if (inner != op && (isa<BlockOp, gpu::ThreadIdOp, gpu::BarrierOp>(inner)))
      alone = false;
  });
  if (!alone)
    return;
  threads = wanted;
  threadRows = threads / kTileCols;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(launch);
  launch.getBlockSizeXMutable().assign(idx(threads));
}

LogicalResult GpuBlockLowering::checkSharedMemory() {
  if (sharedBytes > sharedLimit)
    return op.emitOpError()
           << "needs " << sharedBytes << " bytes of shared memory (tiles ["
           << blockRows << ", " << blockKeys << "], E = " << headDim
           << ", Ev = " << valueDim << "), more than the " << sharedLimit
           << " a block may have; use smaller tiles";
  return success();
}

LogicalResult GpuBlockLowering::requestSharedMemory() {
  // The launch provides the largest shared memory any of its blocks needs.
  Value current = launch.getDynamicSharedMemorySize();
  std::optional<int64_t> currentBytes =
      current ? getConstantIntValue(current) : std::optional<int64_t>(0);
  if (!currentBytes)
    return op.emitOpError() << "the enclosing gpu.launch has a dynamic "
                               "shared memory size that is not a constant";
  if (*currentBytes < sharedBytes) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(launch);
    Value bytes = arith::ConstantOp::create(
        b, b.getI32IntegerAttr(static_cast<int32_t>(sharedBytes)));
    launch.getDynamicSharedMemorySizeMutable().assign(bytes);
  }
  return success();
}

void GpuBlockLowering::loadQuery() {
  // Qs = q * scale (tensor cores: q as it is); rows past the block's are 0.
  Value scaleValue = f32(scale);
  loop(tid, idx(blockRows * headDim), idx(threads), [&](Value n) {
    Value r = arith::DivUIOp::create(b, n, idx(headDim));
    Value e = arith::RemUIOp::create(b, n, idx(headDim));
    Value q = guardedLoad(op.getQuery(), r, rows, e, idx(headDim), stagedZero(),
                          /*widen=*/!tensorCores);
    if (!tensorCores)
      q = arith::MulFOp::create(b, q, scaleValue);
    memref::StoreOp::create(b, q, qs, ValueRange{r, e});
  });
}

void GpuBlockLowering::loadKeysAndValues(Value keyStart) {
  // Columns past the keys read as 0: their probabilities are 0, and a 0
  // value keeps 0 * garbage from turning into NaN.
  loop(tid, idx(blockKeys * headDim), idx(threads), [&](Value n) {
    Value j = arith::DivUIOp::create(b, n, idx(headDim));
    Value e = arith::RemUIOp::create(b, n, idx(headDim));
    Value k = guardedLoad(op.getKey(), add(keyStart, j), keyLen, e,
                          idx(headDim), stagedZero(), !tensorCores);
    memref::StoreOp::create(b, k, ks, ValueRange{j, e});
  });
  loop(tid, idx(blockKeys * paddedValueDim), idx(threads), [&](Value n) {
    Value j = arith::DivUIOp::create(b, n, idx(paddedValueDim));
    Value c = arith::RemUIOp::create(b, n, idx(paddedValueDim));
    Value v = guardedLoad(op.getValue(), add(keyStart, j), keyLen, c,
                          idx(valueDim), stagedZero(), !tensorCores);
    memref::StoreOp::create(b, v, vs, ValueRange{j, c});
  });
}

void GpuBlockLowering::mmaTiles(int64_t tileRows, int64_t tileCols,
                                int64_t steps,
                                function_ref<Value(Value, Value)> lhs,
                                function_ref<Value(Value, Value)> rhs,
                                bool rhsTransposed, Value result) {
  // All lanes of a warp take the same tiles, as WMMA needs.
  auto accType = gpu::MMAMatrixType::get({16, 16}, b.getF32Type(), "COp");
  loop(warp, idx(tileRows * tileCols), idx(threads / kWarp), [&](Value t) {
    Value ti = arith::DivUIOp::create(b, t, idx(tileCols));
    Value tj = arith::RemUIOp::create(b, t, idx(tileCols));
    Value init = gpu::SubgroupMmaConstantMatrixOp::create(b, accType, f32(0.0));
    SmallVector<Value> sum =
        loopCarrying(idx(0), idx(steps), idx(1), init,
                     [&](Value k, ValueRange partial) -> SmallVector<Value> {
                       Value a = lhs(ti, k);
                       Value bOperand = rhs(tj, k);
                       return {gpu::SubgroupMmaComputeOp::create(
                           b, accType, a, bOperand, partial[0], UnitAttr(),
                           rhsTransposed ? b.getUnitAttr() : UnitAttr())};
                     });
    gpu::SubgroupMmaStoreMatrixOp::create(
        b, sum[0], result, ValueRange{mul(ti, idx(16)), mul(tj, idx(16))},
        b.getIndexAttr(cast<MemRefType>(result.getType()).getDimSize(1)),
        UnitAttr());
  });
}

void GpuBlockLowering::computeScores() {
  if (tensorCores) {
    // Ps[16 ti.., 16 tj..] = Qs[16 ti..] . Ks[16 tj..]^T: Ks read
    // column-major is K^T.
    mmaTiles(
        blockRows / 16, blockKeys / 16, headDim / 16,
        [&](Value ti, Value k) {
          return mmaLoad(qs, mul(ti, idx(16)), mul(k, idx(16)), "AOp");
        },
        [&](Value tj, Value k) {
          return mmaLoad(ks, mul(tj, idx(16)), mul(k, idx(16)), "BOp",
                         /*transpose=*/true);
        },
        /*rhsTransposed=*/true, ps);
    return;
  }
  // Ps[r][c] = Qs[r] . Ks[c] for this thread's rows ty + i * threadRows and
  // columns tx + 16 * k.
  SmallVector<Value> rowIdx, colIdx;
  for (int64_t i = 0; i < rowsPerThread; ++i)
    rowIdx.push_back(add(ty, idx(i * threadRows)));
  for (int64_t k = 0; k < colsPerThread; ++k)
    colIdx.push_back(add(tx, idx(k * kTileCols)));
  SmallVector<Value> init(rowsPerThread * colsPerThread, f32(0.0));
  SmallVector<Value> sums = tileProduct(
      headDim, init, rowIdx, colIdx,
      [&](Value r, Value e) -> Value {
        return memref::LoadOp::create(b, qs, ValueRange{r, e});
      },
      [&](Value c, Value e) -> Value {
        return memref::LoadOp::create(b, ks, ValueRange{c, e});
      });
  for (int64_t i = 0; i < rowsPerThread; ++i)
    for (int64_t c = 0; c < colsPerThread; ++c)
      memref::StoreOp::create(b, sums[i * colsPerThread + c], ps,
                              ValueRange{rowIdx[i], colIdx[c]});
}

Value GpuBlockLowering::scoreOf(Value row, Value col, Value raw, bool bounded) {
  // Softcap, mask, then -inf outside the keys, causal alignment and the
  // window.
  Value negInf = f32(-std::numeric_limits<double>::infinity());
  Value s = raw;
  if (op.getSoftcap())
    s = arith::MulFOp::create(b, f32(op.getSoftcap()->convertToDouble()),
                              math::TanhOp::create(b, s));
  Value keyEnd = op.getKeyEnd();
  if (Value mask = op.getMask()) {
    auto maskType = cast<MemRefType>(mask.getType());
    // Clamped into the block's rows and the keys, as every read is.
    Value i = maskType.getDimSize(0) == 1
                  ? idx(0)
                  : minIndex(row, arith::SubIOp::create(b, rows, idx(1)));
    Value j = maskType.getDimSize(1) == 1
                  ? idx(0)
                  : minIndex(col, arith::SubIOp::create(b, keyEnd, idx(1)));
    Value m = memref::LoadOp::create(b, mask, ValueRange{i, j});
    if (maskType.getElementType().isInteger(1))
      s = arith::SelectOp::create(b, m, s, negInf);
    else
      s = arith::AddFOp::create(b, s, toF32(m));
  }
  if (!bounded)
    return s;
  Value allowed = lessThan(col, keyEnd);
  if (Value band = keyInBand(row, col, /*high=*/true, /*low=*/true))
    allowed = arith::AndIOp::create(b, allowed, band);
  return arith::SelectOp::create(b, allowed, s, negInf);
}

Value GpuBlockLowering::keyInBand(Value row, Value col, bool high, bool low) {
  // Key `col` against local row `row`'s aligned diagonal: at or before it
  // (plus the window's right side), at or after its left edge (window).
  std::optional<ArrayRef<int64_t>> window = op.getWindow();
  high = high && (op.getCausal() || window);
  low = low && window;
  if (!high && !low)
    return Value();
  auto i64 = b.getI64Type();
  auto constant = [&](int64_t v) {
    return arith::ConstantOp::create(b, b.getI64IntegerAttr(v));
  };
  Value c = arith::IndexCastOp::create(b, i64, col);
  Value aligned = arith::IndexCastOp::create(b, i64, add(op.getDiag(), row));
  Value inBand;
  if (high) {
    int64_t right = op.getCausal() ? 0 : (*window)[1];
    inBand = arith::CmpIOp::create(
        b, arith::CmpIPredicate::sle, c,
        arith::AddIOp::create(b, aligned, constant(right)));
  }
  if (low) {
    Value atLeft = arith::CmpIOp::create(
        b, arith::CmpIPredicate::sge, c,
        arith::SubIOp::create(b, aligned, constant((*window)[0])));
    inBand = inBand ? arith::AndIOp::create(b, inBand, atLeft) : atLeft;
  }
  return inBand;
}

Value GpuBlockLowering::keyBlockInside(Value keyStart, Value firstRow,
                                       int64_t count) {
  // The block's last key within the range and at or before the first
  // row's diagonal, its first key at or after the last row's left edge.
  Value last = add(keyStart, idx(blockKeys - 1));
  Value inside = lessThan(last, op.getKeyEnd());
  if (Value high = keyInBand(firstRow, last, /*high=*/true, /*low=*/false))
    inside = arith::AndIOp::create(b, inside, high);
  if (Value low = keyInBand(add(firstRow, idx(count - 1)), keyStart,
                            /*high=*/false, /*low=*/true))
    inside = arith::AndIOp::create(b, inside, low);
  return inside;
}

Value GpuBlockLowering::expViaExp2(Value x) {
  return math::Exp2Op::create(
      b, arith::MulFOp::create(b, x, f32(1.4426950408889634)));
}

void GpuBlockLowering::softmaxRows(Value keyStart) {
  // Warp w takes rows w, w + warps, ...; lane l holds columns l + 32 * k.
  double dropout = op.getDropout() ? op.getDropout()->convertToDouble() : 0.0;
  uint32_t threshold = sdpa::dropoutThreshold(dropout);
  int64_t perLane = blockKeys / kWarp;
  loop(warp, idx(blockRows), idx(threads / kWarp), [&](Value r) {
    // Read the old state before the shuffles, which the write below follows.
    Value oldMax = memref::LoadOp::create(b, runMax, r);
    Value oldSum = memref::LoadOp::create(b, runSum, r);
    SmallVector<Value> cols, scores;
    Value localMax = f32(-std::numeric_limits<double>::infinity());
    for (int64_t k = 0; k < perLane; ++k) {
      Value c = add(lane, idx(k * kWarp));
      Value col = add(keyStart, c);
      Value raw = memref::LoadOp::create(b, ps, ValueRange{r, c});
      if (tensorCores)
        raw = arith::MulFOp::create(b, raw, f32(scale));
      Value s = scoreOf(r, col, raw);
      cols.push_back(c);
      scores.push_back(s);
      localMax = arith::MaximumFOp::create(b, localMax, s);
    }
    Value newMax =
        arith::MaximumFOp::create(b, oldMax, warpReduce(localMax, true));
    Value alpha =
        math::ExpOp::create(b, arith::SubFOp::create(b, oldMax, newMax));
    Value localSum = f32(0.0);
    for (int64_t k = 0; k < perLane; ++k) {
      Value p =
          math::ExpOp::create(b, arith::SubFOp::create(b, scores[k], newMax));
      localSum = arith::AddFOp::create(b, localSum, p);
      Value kept = p;
      if (threshold > 0) {
        // The sum (and lse) are taken before dropout; only what is
        // accumulated into the output is dropped and rescaled.
        Value col = arith::IndexCastOp::create(b, b.getI64Type(),
                                               add(keyStart, cols[k]));
        Value keep = buildDropoutKeep(b, b.getLoc(), col, add(op.getRow(), r),
                                      op.getHead(), op.getBatch(), op.getSeed(),
                                      threshold);
        kept = arith::SelectOp::create(
            b, keep, arith::MulFOp::create(b, p, f32(1.0 / (1.0 - dropout))),
            f32(0.0));
      }
      if (tensorCores)
        memref::StoreOp::create(
            b, arith::TruncFOp::create(b, b.getF16Type(), kept), probs,
            ValueRange{r, cols[k]});
      else
        memref::StoreOp::create(b, kept, ps, ValueRange{r, cols[k]});
    }
    Value blockSum = warpReduce(localSum, false);
    Value newSum = arith::AddFOp::create(
        b, arith::MulFOp::create(b, oldSum, alpha), blockSum);
    Value first =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, idx(0));
    scf::IfOp::create(b, first, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, newMax, runMax, r);
      memref::StoreOp::create(b, newSum, runSum, r);
      memref::StoreOp::create(b, alpha, rescale, r);
      scf::YieldOp::create(b);
    });
  });
}

SmallVector<Value> GpuBlockLowering::accumulateValues(ValueRange acc) {
  // acc[i][k] = acc[i][k] * A[row i] + sum_j Ps[row i][j] * Vs[j][col k].
  SmallVector<Value> rowIdx, colIdx, scaled;
  for (int64_t i = 0; i < rowsPerThread; ++i)
    rowIdx.push_back(add(ty, idx(i * threadRows)));
  for (int64_t k = 0; k < valueColsPerThread; ++k)
    colIdx.push_back(add(tx, idx(k * kTileCols)));
  if (tensorCores) {
    // The key block's P.V on tensor cores into an f32 tile; then each
    // thread rescales its accumulator and adds its part.
    mmaTiles(
        blockRows / 16, paddedValueDim / 16, blockKeys / 16,
        [&](Value ti, Value k) {
          return mmaLoad(probs, mul(ti, idx(16)), mul(k, idx(16)), "AOp");
        },
        [&](Value tk, Value k) {
          return mmaLoad(vs, mul(k, idx(16)), mul(tk, idx(16)), "BOp");
        },
        /*rhsTransposed=*/false, blockValues);
    gpu::BarrierOp::create(b);
    SmallVector<Value> next;
    for (int64_t i = 0; i < rowsPerThread; ++i) {
      Value alpha = memref::LoadOp::create(b, rescale, rowIdx[i]);
      for (int64_t k = 0; k < valueColsPerThread; ++k) {
        Value pv = memref::LoadOp::create(b, blockValues,
                                          ValueRange{rowIdx[i], colIdx[k]});
        next.push_back(
            math::FmaOp::create(b, acc[i * valueColsPerThread + k], alpha, pv));
      }
    }
    return next;
  }
  for (int64_t i = 0; i < rowsPerThread; ++i) {
    Value alpha = memref::LoadOp::create(b, rescale, rowIdx[i]);
    for (int64_t k = 0; k < valueColsPerThread; ++k)
      scaled.push_back(
          arith::MulFOp::create(b, acc[i * valueColsPerThread + k], alpha));
  }
  return tileProduct(
      blockKeys, scaled, rowIdx, colIdx,
      [&](Value r, Value j) -> Value {
        return memref::LoadOp::create(b, ps, ValueRange{r, j});
      },
      [&](Value c, Value j) -> Value {
        return memref::LoadOp::create(b, vs, ValueRange{j, c});
      });
}

void GpuBlockLowering::finalize(ValueRange acc) {
  // out = acc / l (0 where l = 0: every score was -inf); lse = m + log(l).
  Value zero = f32(0.0);
  for (int64_t i = 0; i < rowsPerThread; ++i) {
    Value r = add(ty, idx(i * threadRows));
    Value inRows = lessThan(r, rows);
    scf::IfOp::create(b, inRows, [&](OpBuilder &, Location) {
      Value sum = memref::LoadOp::create(b, runSum, r);
      Value positive =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, sum, zero);
      Value inv = arith::SelectOp::create(
          b, positive, arith::DivFOp::create(b, f32(1.0), sum), zero);
      for (int64_t k = 0; k < valueColsPerThread; ++k) {
        Value c = add(tx, idx(k * kTileCols));
        Value o = fromF32(
            arith::MulFOp::create(b, acc[i * valueColsPerThread + k], inv),
            outElement);
        if ((k + 1) * kTileCols <= valueDim) {
          memref::StoreOp::create(b, o, op.getOut(), ValueRange{r, c});
          continue;
        }
        scf::IfOp::create(
            b, lessThan(c, idx(valueDim)), [&](OpBuilder &, Location) {
              memref::StoreOp::create(b, o, op.getOut(), ValueRange{r, c});
              scf::YieldOp::create(b);
            });
      }
      scf::YieldOp::create(b);
    });
  }
  Value lse = op.getLse();
  if (!lse)
    return;
  loop(tid, rows, idx(threads), [&](Value r) {
    Value sum = memref::LoadOp::create(b, runSum, r);
    Value max = memref::LoadOp::create(b, runMax, r);
    Value positive =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, sum, zero);
    Value value = arith::SelectOp::create(
        b, positive, arith::AddFOp::create(b, max, math::LogOp::create(b, sum)),
        f32(-std::numeric_limits<double>::infinity()));
    memref::StoreOp::create(b, value, lse, r);
  });
}

LogicalResult sdpa::lowerBlockOpForGpu(RewriterBase &rewriter, BlockOp op,
                                       int64_t sharedLimit, bool wmma) {
  if (!isa<MemRefType>(op.getQuery().getType()))
    return op.emitOpError()
           << "the GPU lowering runs after bufferization; bufferize "
              "attn.block first";
  auto launch = op->getParentOfType<gpu::LaunchOp>();
  if (!launch)
    return op.emitOpError() << "the GPU lowering needs the block inside a "
                               "gpu.launch (run --attn-map-grid-to-gpu)";
  std::optional<int64_t> threads = getConstantIntValue(launch.getBlockSizeX());
  std::optional<int64_t> threadsY = getConstantIntValue(launch.getBlockSizeY());
  std::optional<int64_t> threadsZ = getConstantIntValue(launch.getBlockSizeZ());
  if (!threads || threadsY != 1 || threadsZ != 1)
    return op.emitOpError() << "the enclosing gpu.launch must have a constant "
                               "block size of the form (T, 1, 1)";
  if (op->getParentRegion() != &launch.getBody())
    return op.emitOpError() << "must be directly in the gpu.launch body: "
                               "every thread of the block runs it";
  rewriter.setInsertionPoint(op);
  GpuBlockLowering lowering(rewriter, op, launch, *threads, sharedLimit);
  if (wmma)
    lowering.tensorCoreKind = GpuBlockLowering::TensorCores::Wmma;
  if (failed(lowering.lower()))
    return failure();
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct AttnOnlineSoftmaxGpuPass
    : sdpa::impl::AttnOnlineSoftmaxGpuPassBase<AttnOnlineSoftmaxGpuPass> {
  using AttnOnlineSoftmaxGpuPassBase::AttnOnlineSoftmaxGpuPassBase;
  void runOnOperation() override {
    SmallVector<BlockOp> ops;
    getOperation()->walk([&](BlockOp op) { ops.push_back(op); });
    if (tensorCores != "mma-sync" && tensorCores != "wmma") {
      getOperation()->emitError() << "unknown tensor-cores='" << tensorCores
                                  << "'; expected mma-sync or wmma";
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    for (BlockOp op : ops)
      if (failed(lowerBlockOpForGpu(rewriter, op, sharedMemoryLimit,
                                    tensorCores == "wmma")))
        return signalPassFailure();
  }
};
} // namespace
