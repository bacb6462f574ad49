//===- OnlineSoftmaxMma.cpp - attn.block on mma.sync tensor cores ---------===//
//
// The f16/bf16 form of --attn-online-softmax-gpu: both products on the
// m16n8k16 tensor-core instruction (nvgpu.mma.sync), with everything but
// the key and value tiles in registers, as FlashAttention-2 does.
//
// Warp w of W owns G of the block's 16-row query groups: where every warp
// has G, groups w G .. w G + G - 1, computed together (each B fragment is
// read once for all G; the block usually has a warp per group, G = 1),
// else groups w, w + W, ..., one after another.
// In an m16n8k16 product, lane l = 4 g + t holds
//
//   A (16x16): rows g and g + 8, columns 2t, 2t + 1 and 2t + 8, 2t + 9
//   B (16x8):  rows 2t, 2t + 1 and 2t + 8, 2t + 9 of column g
//   C (16x8):  rows g and g + 8, columns 2t, 2t + 1
//
// (the PTX ISA's fragment layouts). The query group's fragments are loaded
// once; per key block, S = Q.K^T lands in C fragments, one per 8 keys, so a
// lane holds two rows' scores and a quad (the 4 lanes of one g) whole rows:
// row max and sum need two shuffles. The probabilities of two consecutive
// C fragments are exactly the A fragment of the next product's 16 keys, so
// P.V reads them from registers. Each lane keeps its partial row sums and
// the quad adds them once, at the end. Exponentials are exp2 of x log2 e
// (one ex2 instruction), and the causal, window and key-range checks run
// only in key blocks that cross one of them for the group's rows.
//
// Only K and V pass through shared memory (as the element type, zero past
// the keys and padded to 16 columns), in two buffers: the next key block's
// tiles arrive by cp.async while this one's are used. B fragments come
// from them by ldmatrix: K's as they lie, V's transposed.
//
//===----------------------------------------------------------------------===//

#include "passes/DropoutPhilox.h"
#include "passes/GpuBlockLowering.h"

#include "runtime/reference/Philox.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace sdpa;
using namespace sdpa::gpu_lowering;

static int64_t roundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

/// The registers a thread may give the fragments that live through the key
/// loop (query and output) and still hold a key block's scores,
/// probabilities and addresses within the 255 it has.
constexpr int64_t kFragmentRegisterBudget = 160;

Value GpuBlockLowering::fragment(ArrayRef<Value> elements, int64_t r, int64_t c,
                                 Type type) {
  return vector::FromElementsOp::create(b, VectorType::get({r, c}, type),
                                        elements);
}

Value GpuBlockLowering::mma(Value a, Value bOperand, Value c) {
  return nvgpu::MmaSyncOp::create(b, a, bOperand, c,
                                  b.getI64ArrayAttr({16, 8, 16}));
}

Value GpuBlockLowering::stageKeyValueTiles(Value keyStart, Value buffer,
                                           int64_t keyCols, int64_t valueCols) {
  // Rows past the keys and columns past E or Ev stage as 0: their
  // probabilities are 0, a 0 value keeps 0 * garbage from turning into
  // NaN, and padding columns add nothing to the scores.
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  auto stage = [&](Value source, Value tile, int64_t dim, int64_t cols) {
    if (!asyncCopies) {
      loop(tid, idx(blockKeys * cols), idx(threads), [&](Value n) {
        Value j = arith::DivUIOp::create(b, n, idx(cols));
        Value c = arith::RemUIOp::create(b, n, idx(cols));
        Value x = guardedLoad(source, add(keyStart, j), keyLen, c, idx(dim),
                              zero, /*widen=*/false);
        memref::StoreOp::create(b, x, tile, ValueRange{buffer, j, c});
      });
      return;
    }
    // 16-byte copies, 8 elements of a row each; cp.async zero-fills what
    // it does not read (srcElements), from an address clamped into the
    // tensor.
    int64_t chunks = cols / 8;
    loop(tid, idx(blockKeys * chunks), idx(threads), [&](Value n) {
      Value j = arith::DivUIOp::create(b, n, idx(chunks));
      Value c = mul(arith::RemUIOp::create(b, n, idx(chunks)), idx(8));
      Value row = add(keyStart, j);
      Value inside = arith::AndIOp::create(b, lessThan(row, keyLen),
                                           lessThan(c, idx(dim)));
      Value sourceRow = minIndex(row, arith::SubIOp::create(b, keyLen, idx(1)));
      Value sourceCol =
          arith::SelectOp::create(b, lessThan(c, idx(dim)), c, idx(0));
      Value count = arith::SelectOp::create(b, inside, idx(8), idx(0));
      nvgpu::DeviceAsyncCopyOp::create(
          b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tile,
          ValueRange{buffer, j, c}, source, ValueRange{sourceRow, sourceCol},
          b.getIndexAttr(8), count, b.getUnitAttr());
    });
  };
  stage(op.getKey(), ks, headDim, keyCols);
  stage(op.getValue(), vs, valueDim, valueCols);
  if (!asyncCopies)
    return Value();
  return nvgpu::DeviceAsyncCreateGroupOp::create(
      b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), ValueRange());
}

/// Whether `type` can be read by 16-byte asynchronous copies of 8 elements:
/// 16-bit elements, contiguous rows, and rows of a multiple of 8 elements
/// starting at multiples of 8 (static strides; the offset of a view is a
/// sum of multiples of them).
static bool suitsAsyncCopies(Type type, int64_t cols) {
  auto memref = cast<MemRefType>(type);
  if (memref.getElementType().getIntOrFloatBitWidth() != 16 || cols % 8 != 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(memref.getStridesAndOffset(strides, offset)) ||
      strides.size() != 2)
    return false;
  return strides[1] == 1 && !ShapedType::isDynamic(strides[0]) &&
         strides[0] % 8 == 0 &&
         (ShapedType::isDynamic(offset) || offset % 8 == 0);
}

SmallVector<Value> GpuBlockLowering::loadQueryFragments(Value rowBase,
                                                        int64_t keyCols) {
  // The A fragments of the group's rows, one per 16 columns of E, read
  // straight from global memory (zero past the rows and E).
  Value g = quadGroup, t = quadLane;
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  SmallVector<Value> fragments;
  for (int64_t k = 0; k < keyCols / 16; ++k) {
    SmallVector<Value> elements;
    for (int64_t reg = 0; reg < 4; ++reg) {
      Value row = add(rowBase, add(g, idx(reg % 2 * 8)));
      for (int64_t j = 0; j < 2; ++j) {
        Value col = add(mul(t, idx(2)), idx(k * 16 + reg / 2 * 8 + j));
        elements.push_back(guardedLoad(op.getQuery(), row, rows, col,
                                       idx(headDim), zero, /*widen=*/false));
      }
    }
    fragments.push_back(fragment(elements, 4, 2, elementType));
  }
  return fragments;
}

void GpuBlockLowering::stageQueryTile(int64_t keyCols) {
  // All of the block's rows, zero past the rows and E, read once.
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  loop(tid, idx(blockRows * keyCols), idx(threads), [&](Value n) {
    Value r = arith::DivUIOp::create(b, n, idx(keyCols));
    Value c = arith::RemUIOp::create(b, n, idx(keyCols));
    Value x = guardedLoad(op.getQuery(), r, rows, c, idx(headDim), zero,
                          /*widen=*/false);
    memref::StoreOp::create(b, x, qs, ValueRange{r, c});
  });
  gpu::BarrierOp::create(b);
}

Value GpuBlockLowering::ldmatrix(Value tile, ValueRange leading, Value row0,
                                 int64_t col0, int64_t tiles, bool quadrants,
                                 bool transpose) {
  // Lanes 8m..8m+7 give the addresses of the 8 rows of 8x8 matrix m, and
  // lane l receives row l / 4, columns 2 (l % 4) and 2 (l % 4) + 1 of every
  // matrix (of its transpose with `transpose`), one row of the result per
  // matrix. Lanes past the matrices of an x2 give addresses the hardware
  // ignores.
  Value m = arith::DivUIOp::create(b, lane, idx(8));
  Value r = arith::RemUIOp::create(b, lane, idx(8));
  if (tiles == 2)
    m = arith::RemUIOp::create(b, m, idx(2));
  Value row = add(row0, r);
  Value col = add(idx(col0), mul(m, idx(8)));
  if (quadrants) {
    row = add(row, mul(arith::RemUIOp::create(b, m, idx(2)), idx(8)));
    col = add(idx(col0), mul(arith::DivUIOp::create(b, m, idx(2)), idx(8)));
  }
  SmallVector<Value> indices(leading);
  indices.append({row, col});
  return nvgpu::LdMatrixOp::create(b, VectorType::get({tiles, 2}, elementType),
                                   tile, indices, transpose,
                                   static_cast<uint32_t>(tiles));
}

Value GpuBlockLowering::queryFragment(ArrayRef<Value> query, Value rowBase,
                                      int64_t k) {
  if (!query.empty())
    return query[k];
  // The quadrants of the group's 16x16 tile at columns 16 k..: row m of
  // the result is then register m of the A fragment (see
  // loadQueryFragments).
  return ldmatrix(qs, ValueRange(), rowBase, k * 16, 4, /*quadrants=*/true,
                  /*transpose=*/false);
}

SmallVector<GpuBlockLowering::RowGroupState>
GpuBlockLowering::mmaKeyBlock(ArrayRef<Value> rowBases, Value keyStart,
                              ArrayRef<SmallVector<Value>> query,
                              ArrayRef<RowGroupState> states, int64_t keyCols,
                              int64_t valueCols) {
  int64_t keyTiles = blockKeys / 8;
  int64_t groups = rowBases.size();
  Type f32Type = b.getF32Type();
  Value zeroAcc = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({2, 2}, f32Type),
                                b.getF32FloatAttr(0.0)));

  // B fragments by ldmatrix (see ldmatrix). A B fragment (k = 2t.. and
  // 2t + 8.. of column g) is two matrices: those of 8 columns after another
  // along a key row (keys: matrix m at column col0 + 8 m) or, transposed,
  // of 8 rows after another down a value column (values: the quadrants,
  // matrix m at row row0 + 8 (m % 2), column col0 + 8 (m / 2)). Each is
  // read once for all of the warp's groups.
  auto rows = [&](Value matrices, int64_t first) -> Value {
    return vector::ExtractStridedSliceOp::create(
        b, matrices, ArrayRef<int64_t>{first, 0}, ArrayRef<int64_t>{2, 2},
        ArrayRef<int64_t>{1, 1});
  };

  // S = Q.K^T, one C fragment per 8 keys. B(k, n) = K[n][k]: the matrices
  // of keys n.. and columns k.., k + 8.. as they lie, for two steps of E
  // per ldmatrix.x4 (one x2 for an odd last step).
  // The steps of E are the outer loop, so that A fragments read from
  // shared memory are read once per key block.
  int64_t steps = keyCols / 16;
  SmallVector<SmallVector<Value>> accs(groups,
                                       SmallVector<Value>(keyTiles, zeroAcc));
  for (int64_t k = 0; k < steps; k += 2) {
    int64_t tiles = k + 1 < steps ? 4 : 2;
    SmallVector<Value> a0, a1;
    for (int64_t i = 0; i < groups; ++i) {
      a0.push_back(queryFragment(query[i], rowBases[i], k));
      a1.push_back(tiles == 4 ? queryFragment(query[i], rowBases[i], k + 1)
                              : Value());
    }
    for (int64_t n = 0; n < keyTiles; ++n) {
      Value matrices = ldmatrix(ks, stageBuffer, idx(n * 8), k * 16, tiles,
                                /*quadrants=*/false, /*transpose=*/false);
      for (int64_t i = 0; i < groups; ++i) {
        accs[i][n] = mma(a0[i], rows(matrices, 0), accs[i][n]);
        if (tiles == 4)
          accs[i][n] = mma(a1[i], rows(matrices, 2), accs[i][n]);
      }
    }
  }

  SmallVector<RowGroupState> next(groups);
  SmallVector<SmallVector<Value>> pFragments(groups);
  SmallVector<SmallVector<Value>> outs(groups);
  for (int64_t i = 0; i < groups; ++i) {
    SmallVector<Value> scores = mmaScores(rowBases[i], keyStart, accs[i]);
    Value alpha[2];
    pFragments[i] = mmaProbabilities(rowBases[i], keyStart, scores, states[i],
                                     next[i], alpha);
    for (Value out : states[i].out) {
      SmallVector<Value> scaled;
      for (int64_t v = 0; v < 4; ++v)
        scaled.push_back(arith::MulFOp::create(
            b,
            vector::ExtractOp::create(b, out, ArrayRef<int64_t>{v / 2, v % 2}),
            alpha[v / 2]));
      outs[i].push_back(fragment(scaled, 2, 2, f32Type));
    }
  }

  // O = O * alpha + P.V. B(k, n) = V[k][n]: the transposed matrices of
  // keys k.., k + 8.. and value columns n.., for two n8 tiles per
  // ldmatrix.x4.trans.
  int64_t valueTiles = valueCols / 8;
  for (int64_t k = 0; k < keyTiles / 2; ++k) {
    for (int64_t n = 0; n < valueTiles; n += 2) {
      Value matrices = ldmatrix(vs, stageBuffer, idx(k * 16), n * 8, 4,
                                /*quadrants=*/true, /*transpose=*/true);
      for (int64_t i = 0; i < groups; ++i) {
        outs[i][n] = mma(pFragments[i][k], rows(matrices, 0), outs[i][n]);
        outs[i][n + 1] =
            mma(pFragments[i][k], rows(matrices, 2), outs[i][n + 1]);
      }
    }
  }
  for (int64_t i = 0; i < groups; ++i)
    next[i].out = outs[i];
  return next;
}

SmallVector<Value> GpuBlockLowering::mmaScores(Value rowBase, Value keyStart,
                                               ArrayRef<Value> accs) {
  Value g = quadGroup, t = quadLane;
  Value twoT = mul(t, idx(2));
  int64_t keyTiles = accs.size();
  auto scoresOf = [&](bool bounded) {
    SmallVector<Value> values; // [tile * 4 + value]
    for (int64_t n = 0; n < keyTiles; ++n) {
      for (int64_t v = 0; v < 4; ++v) {
        Value raw = vector::ExtractOp::create(b, accs[n],
                                              ArrayRef<int64_t>{v / 2, v % 2});
        raw = arith::MulFOp::create(b, raw, f32(scale));
        Value row = add(rowBase, add(g, idx(v / 2 * 8)));
        Value col = add(keyStart, add(twoT, idx(n * 8 + v % 2)));
        values.push_back(scoreOf(row, col, raw, bounded));
      }
    }
    return values;
  };
  // Most key blocks lie wholly inside the key range, causal alignment and
  // the window for the group's 16 rows: those skip the per-score checks
  // (a branch uniform over the warp).
  auto inside = scf::IfOp::create(
      b, SmallVector<Type>(keyTiles * 4, b.getF32Type()),
      keyBlockInside(keyStart, rowBase, 16), /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(inside.thenBlock());
  scf::YieldOp::create(b, scoresOf(/*bounded=*/false));
  b.setInsertionPointToStart(inside.elseBlock());
  scf::YieldOp::create(b, scoresOf(/*bounded=*/true));
  return SmallVector<Value>(inside.getResults());
}

SmallVector<Value> GpuBlockLowering::mmaProbabilities(
    Value rowBase, Value keyStart, ArrayRef<Value> scores,
    const RowGroupState &state, RowGroupState &next, Value alpha[2]) {
  Value g = quadGroup, t = quadLane;
  Value twoT = mul(t, idx(2));
  int64_t keyTiles = scores.size() / 4;
  // The online softmax of the lane's two rows; a quad holds each row whole.
  Value newMax[2];
  for (int64_t h = 0; h < 2; ++h) {
    Value local = f32(-std::numeric_limits<double>::infinity());
    for (int64_t n = 0; n < keyTiles; ++n)
      for (int64_t j = 0; j < 2; ++j)
        local = arith::MaximumFOp::create(b, local, scores[n * 4 + h * 2 + j]);
    newMax[h] =
        arith::MaximumFOp::create(b, state.max[h], warpReduce(local, true, 4));
    alpha[h] = expViaExp2(arith::SubFOp::create(b, state.max[h], newMax[h]));
    next.max[h] = newMax[h];
  }
  double dropout = op.getDropout() ? op.getDropout()->convertToDouble() : 0.0;
  uint32_t threshold = sdpa::dropoutThreshold(dropout);
  Value partial[2] = {f32(0.0), f32(0.0)};
  SmallVector<Value> probs; // [tile * 4 + value], as the element type
  for (int64_t n = 0; n < keyTiles; ++n) {
    for (int64_t v = 0; v < 4; ++v) {
      int64_t h = v / 2;
      Value p =
          expViaExp2(arith::SubFOp::create(b, scores[n * 4 + v], newMax[h]));
      partial[h] = arith::AddFOp::create(b, partial[h], p);
      if (threshold > 0) {
        // The sum (and lse) are taken before dropout; only what is
        // accumulated into the output is dropped and rescaled.
        Value col = arith::IndexCastOp::create(
            b, b.getI64Type(), add(keyStart, add(twoT, idx(n * 8 + v % 2))));
        Value row = add(op.getRow(), add(rowBase, add(g, idx(h * 8))));
        Value keep = buildDropoutKeep(b, b.getLoc(), col, row, op.getHead(),
                                      op.getBatch(), op.getSeed(), threshold);
        p = arith::SelectOp::create(
            b, keep, arith::MulFOp::create(b, p, f32(1.0 / (1.0 - dropout))),
            f32(0.0));
      }
      probs.push_back(arith::TruncFOp::create(b, elementType, p));
    }
  }
  for (int64_t h = 0; h < 2; ++h)
    next.sum[h] = math::FmaOp::create(b, state.sum[h], alpha[h], partial[h]);

  // P as A fragments: keys 16 k.. are the C fragments 2k and 2k + 1.
  SmallVector<Value> pFragments;
  for (int64_t k = 0; k < keyTiles / 2; ++k) {
    SmallVector<Value> elements;
    for (int64_t reg = 0; reg < 4; ++reg)
      for (int64_t j = 0; j < 2; ++j)
        elements.push_back(probs[(2 * k + reg / 2) * 4 + reg % 2 * 2 + j]);
    pFragments.push_back(fragment(elements, 4, 2, elementType));
  }
  return pFragments;
}

void GpuBlockLowering::mmaFinalize(Value rowBase, const RowGroupState &state) {
  // out = O / l (0 where l = 0: every score was -inf); lse = m + log(l),
  // written by the first lane of each quad.
  Value g = quadGroup, t = quadLane;
  Value zero = f32(0.0);
  for (int64_t h = 0; h < 2; ++h) {
    Value row = add(rowBase, add(g, idx(h * 8)));
    Value sum = warpReduce(state.sum[h], false, 4);
    Value positive =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, sum, zero);
    Value inv = arith::SelectOp::create(
        b, positive, arith::DivFOp::create(b, f32(1.0), sum), zero);
    scf::IfOp::create(b, lessThan(row, rows), [&](OpBuilder &, Location) {
      for (auto [n, out] : llvm::enumerate(state.out)) {
        for (int64_t j = 0; j < 2; ++j) {
          Value col = add(mul(t, idx(2)), idx(static_cast<int64_t>(n) * 8 + j));
          Value o = arith::MulFOp::create(
              b, vector::ExtractOp::create(b, out, ArrayRef<int64_t>{h, j}),
              inv);
          o = fromF32(o, outElement);
          if ((static_cast<int64_t>(n) + 1) * 8 <= valueDim) {
            memref::StoreOp::create(b, o, op.getOut(), ValueRange{row, col});
            continue;
          }
          scf::IfOp::create(b, lessThan(col, idx(valueDim)),
                            [&](OpBuilder &, Location) {
                              memref::StoreOp::create(b, o, op.getOut(),
                                                      ValueRange{row, col});
                              scf::YieldOp::create(b);
                            });
        }
      }
      if (Value lse = op.getLse()) {
        Value first =
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, t, idx(0));
        scf::IfOp::create(b, first, [&](OpBuilder &, Location) {
          Value value = arith::SelectOp::create(
              b, positive,
              arith::AddFOp::create(b, state.max[h],
                                    math::LogOp::create(b, sum)),
              f32(-std::numeric_limits<double>::infinity()));
          memref::StoreOp::create(b, value, lse, row);
          scf::YieldOp::create(b);
        });
      }
      scf::YieldOp::create(b);
    });
  }
}

LogicalResult GpuBlockLowering::lowerWithMmaSync() {
  int64_t warps = threads / kWarp;
  int64_t keyCols = roundUp(headDim, 16);
  int64_t valueCols = roundUp(valueDim, 16);
  int64_t groupsPerWarp = (blockRows / 16 + warps - 1) / warps;
  // Every warp has groupsPerWarp groups: they share each B fragment, which
  // halves the shared memory reads of two groups.
  bool shareFragments = blockRows / 16 == groupsPerWarp * warps;
  // Two buffers of each, so that the next key block's copies overlap this
  // one's products; rows padded by 16 bytes, which keeps a warp's reads of
  // 8 rows on distinct banks.
  ks = sharedTile({2, blockKeys, keyCols + 8}, elementType);
  vs = sharedTile({2, blockKeys, valueCols + 8}, elementType);
  asyncCopies = suitsAsyncCopies(op.getKey().getType(), headDim) &&
                suitsAsyncCopies(op.getValue().getType(), valueDim);
  // The query's A fragments (E / 4 registers a group) stay in registers
  // unless, with the output's C fragments (Ev / 2), they would crowd out
  // the scores and addresses and spill (E = Ev = 256 does): they are then
  // read from a shared tile by ldmatrix in every key block, where shared
  // memory has room for it.
  int64_t fragmentRegisters = groupsPerWarp * (keyCols / 4 + valueCols / 2);
  int64_t queryTileBytes =
      blockRows * (keyCols + 8) * elementType.getIntOrFloatBitWidth() / 8;
  bool queryInShared =
      fragmentRegisters > kFragmentRegisterBudget &&
      roundUp(sharedBytes, 128) + queryTileBytes <= sharedLimit;
  if (queryInShared)
    qs = sharedTile({blockRows, keyCols + 8}, elementType);
  if (failed(checkSharedMemory()))
    return failure();

  // Per group: max and sum of rows g and g + 8, then the output tiles.
  quadGroup = arith::DivUIOp::create(b, lane, idx(4));
  quadLane = arith::RemUIOp::create(b, lane, idx(4));
  Value lowest = lowestF32();
  Value zeroAcc = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({2, 2}, b.getF32Type()),
                                b.getF32FloatAttr(0.0)));
  int64_t stateSize = 4 + valueCols / 8;
  auto pack = [&](const RowGroupState &s, SmallVector<Value> &into) {
    into.append({s.max[0], s.max[1], s.sum[0], s.sum[1]});
    into.append(s.out.begin(), s.out.end());
  };
  auto unpack = [&](ValueRange values, int64_t group) {
    RowGroupState s;
    ValueRange mine = values.slice(group * stateSize, stateSize);
    s.max[0] = mine[0];
    s.max[1] = mine[1];
    s.sum[0] = mine[2];
    s.sum[1] = mine[3];
    s.out.assign(mine.begin() + 4, mine.end());
    return s;
  };
  SmallVector<Value> init;
  SmallVector<Value> rowBases, active;
  SmallVector<SmallVector<Value>> query;
  for (int64_t i = 0; i < groupsPerWarp; ++i) {
    RowGroupState s;
    s.max[0] = s.max[1] = lowest;
    s.sum[0] = s.sum[1] = f32(0.0);
    s.out.assign(valueCols / 8, zeroAcc);
    pack(s, init);
    // Where the groups fill the warps evenly, warp w owns groups w G ..
    // w G + G - 1 and computes them together; else groups w, w + W, ...,
    // one after another, and a warp past the block's rows only helps with
    // loads (warp-uniform).
    Value rowBase =
        mul(shareFragments ? add(mul(warp, idx(groupsPerWarp)), idx(i))
                           : add(warp, idx(i * warps)),
            idx(16));
    rowBases.push_back(rowBase);
    active.push_back(lessThan(rowBase, idx(blockRows)));
    if (!queryInShared)
      query.push_back(loadQueryFragments(rowBase, keyCols));
    else
      query.emplace_back();
  }
  if (queryInShared)
    stageQueryTile(keyCols);

  // The first key block's tiles; then, in each step, the next block's are
  // staged into the other buffer while this one's are used. Copies are
  // waited for by the thread that issued them, the barrier makes them
  // everyone's.
  Value keyBegin = op.getKeyBegin(), keyEnd = op.getKeyEnd();
  scf::IfOp::create(b, lessThan(keyBegin, keyEnd), [&](OpBuilder &, Location) {
    stageKeyValueTiles(keyBegin, idx(0), keyCols, valueCols);
    scf::YieldOp::create(b);
  });
  SmallVector<Value> final = loopCarrying(
      keyBegin, keyEnd, idx(blockKeys), init,
      [&](Value keyStart, ValueRange state) -> SmallVector<Value> {
        Value step = arith::DivUIOp::create(
            b, arith::SubIOp::create(b, keyStart, keyBegin), idx(blockKeys));
        stageBuffer = arith::RemUIOp::create(b, step, idx(2));
        Value nextStart = add(keyStart, idx(blockKeys));
        scf::IfOp::create(
            b, lessThan(nextStart, keyEnd),
            [&](OpBuilder &, Location) {
              Value group = stageKeyValueTiles(
                  nextStart, arith::SubIOp::create(b, idx(1), stageBuffer),
                  keyCols, valueCols);
              if (group)
                nvgpu::DeviceAsyncWaitOp::create(b, group,
                                                 b.getI32IntegerAttr(1));
              scf::YieldOp::create(b);
            },
            [&](OpBuilder &, Location) {
              // The last block: an empty group to wait on, and nothing
              // left pending.
              if (asyncCopies)
                nvgpu::DeviceAsyncWaitOp::create(
                    b,
                    nvgpu::DeviceAsyncCreateGroupOp::create(
                        b, nvgpu::DeviceAsyncTokenType::get(b.getContext()),
                        ValueRange()),
                    b.getI32IntegerAttr(0));
              scf::YieldOp::create(b);
            });
        gpu::BarrierOp::create(b);
        SmallVector<Value> next;
        if (shareFragments) {
          SmallVector<RowGroupState> states;
          for (int64_t i = 0; i < groupsPerWarp; ++i)
            states.push_back(unpack(state, i));
          for (const RowGroupState &updated : mmaKeyBlock(
                   rowBases, keyStart, query, states, keyCols, valueCols))
            pack(updated, next);
          gpu::BarrierOp::create(b);
          return next;
        }
        for (int64_t i = 0; i < groupsPerWarp; ++i) {
          ValueRange mine = state.slice(i * stateSize, stateSize);
          auto ifOp = scf::IfOp::create(b, TypeRange(mine), active[i],
                                        /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(ifOp.thenBlock());
            SmallVector<Value> packed;
            pack(mmaKeyBlock(rowBases[i], keyStart, query[i], unpack(state, i),
                             keyCols, valueCols)
                     .front(),
                 packed);
            scf::YieldOp::create(b, packed);
            b.setInsertionPointToStart(ifOp.elseBlock());
            scf::YieldOp::create(b, mine);
          }
          next.append(ifOp.getResults().begin(), ifOp.getResults().end());
        }
        // The next key block overwrites the tiles.
        gpu::BarrierOp::create(b);
        return next;
      });
  for (int64_t i = 0; i < groupsPerWarp; ++i) {
    auto ifOp = scf::IfOp::create(b, active[i], [&](OpBuilder &, Location) {
      mmaFinalize(rowBases[i], unpack(final, i));
      scf::YieldOp::create(b);
    });
    (void)ifOp;
  }
  return requestSharedMemory();
}
