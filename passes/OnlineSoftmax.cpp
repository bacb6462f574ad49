//===- OnlineSoftmax.cpp - attn.block to the online-softmax recurrence ----===//
//
// --attn-online-softmax lowers a bufferized attn.block into loops over key
// blocks that keep, per query row, a running max m, a running sum l and an
// accumulator rescaled by exp(m_old - m_new) when the max grows. Everything
// is vector code over fixed-size scratch tiles on the stack:
//
//   Qs [Bq][E]   the query rows, times the scale, in the accumulation type
//   Kt [E][Bk]   the key block, transposed so that scores are outer products
//   Vp [Bk][Ev]  the value block
//   Sb [Bq][Bk]  scores, then probabilities
//   Acc[Bq][Ev], M[Bq], L[Bq]   the recurrence's state
//
// Packing converts f16/bf16 to f32 (f64 stays f64) and zero-fills ragged
// edges, so the two products run on aligned, padded tiles: Q.K^T as a 4-row
// register-blocked outer product over E, P.V as the same over the key block,
// each register block up to 4 vectors wide where there are 32 vector
// registers. Kt is packed a lanes x lanes tile at a time, transposed in
// registers by a shuffle network (element-wise packing compiles to scatter
// stores, which cost as much as Q.K^T itself). Row maxima and sums are trees
// of shuffles, not sequential reductions.
// Key blocks that causal alignment, the window or the end of the keys cut
// through take a path that masks per element; the others skip it. The max
// starts at the lowest finite value, so a row whose scores are all -inf keeps
// p = 0 and ends with out = 0 and lse = -inf.
//
//===----------------------------------------------------------------------===//

#include "passes/DropoutPhilox.h"
#include "passes/Passes.h"

#include "runtime/reference/Philox.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNONLINESOFTMAXPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using namespace sdpa::attn;

namespace {

/// Rows of the register blocks of both products.
constexpr int64_t kRowsPerMicroTile = 4;

int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

class BlockLowering {
public:
  BlockLowering(RewriterBase &rewriter, BlockOp op, int64_t vectorBits)
      : op(op), b(op.getLoc(), rewriter), vectorBits(vectorBits) {}

  LogicalResult lower();

private:
  // Small builders.
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value accConst(double v) {
    return arith::ConstantOp::create(b, FloatAttr::get(accType, v));
  }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, vecType, scalar);
  }
  Value toAcc(Value v) {
    Type from = mlir::getElementTypeOrSelf(v.getType());
    if (from == accType)
      return v;
    Type to = isa<VectorType>(v.getType())
                  ? Type(VectorType::get(
                        cast<VectorType>(v.getType()).getShape(), accType))
                  : accType;
    if (from.getIntOrFloatBitWidth() < accType.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, to, v);
    return arith::TruncFOp::create(b, to, v);
  }
  Value fromAcc(Value v, Type to) {
    if (to == accType)
      return v;
    if (to.getIntOrFloatBitWidth() < accType.getIntOrFloatBitWidth())
      return arith::TruncFOp::create(b, to, v);
    return arith::ExtFOp::create(b, to, v);
  }
  Value dim(Value memref, int64_t d) {
    return b.createOrFold<memref::DimOp>(memref, d);
  }
  Value scratch(ArrayRef<int64_t> shape) {
    auto type = MemRefType::get(shape, accType);
    return memref::AllocaOp::create(b, type, ValueRange(), ValueRange(),
                                    b.getI64IntegerAttr(64));
  }
  /// for (iv = lb; iv < ub; iv += step) body(iv)
  void loop(Value lb, Value ub, int64_t step, function_ref<void(Value)> body) {
    auto forOp = scf::ForOp::create(b, lb, ub, idx(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    body(forOp.getInductionVar());
  }
  /// A loop carrying `init`; body returns the next values.
  ValueRange
  loopCarrying(Value lb, Value ub, int64_t step, ValueRange init,
               function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp = scf::ForOp::create(
        b, lb, ub, idx(step), init,
        [&](OpBuilder &, Location, Value iv, ValueRange args) {
          scf::YieldOp::create(b, body(iv, args));
        });
    return forOp.getResults();
  }

  /// cond ? thenValue() : elseValue(), evaluating only the branch taken.
  Value ifElse(Value cond, function_ref<Value()> thenValue,
               function_ref<Value()> elseValue) {
    auto ifOp = scf::IfOp::create(b, TypeRange{accType}, cond,
                                  /*addThenBlock=*/true, /*addElseBlock=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, thenValue());
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, elseValue());
    return ifOp.getResult(0);
  }

  void packQuery();
  void packKeysAndValues(Value keyStart, Value cols);
  void packKeyTiles(Value keyStart, Value fullCols);
  SmallVector<Value> transposeTile(SmallVector<Value> rows);
  Value reduceLanes(Value vector, bool max);
  void computeScores();
  void computeScoresFromKeyRows(Value keyStart, Value cols);
  void softmaxRows(Value keyStart, bool maskPositions);
  void accumulateValues(Value keyStart, Value cols);
  void finalize();
  Value maskVector(Value row, Value col);
  Value maskBytes(Value maskRow, Value col, Value zero, Value negInf);
  Value maskColumns(Value maskRow, Value col, Value maskCols, Value zero,
                    Value negInf);
  void prefetchRow(Value memref, Value row, int64_t cols);
  Value dropoutKeeps(Value row, Value col, uint32_t threshold);
  Value allowedPositions(Value row, Value col);

  BlockOp op;
  ImplicitLocOpBuilder b;
  int64_t vectorBits;

  // The inputs' element type, the accumulator's, and out's (the inputs'
  // or, for split-K partials, f32).
  Type elementType, accType, outElement;
  VectorType vecType;
  int64_t lanes = 0, headDim = 0, valueDim = 0, paddedValueDim = 0;
  int64_t blockRows = 0, blockKeys = 0, paddedRows = 0;
  int64_t colsPerTile = 0, valueColsPerTile = 0;
  Value rows, rowsPadded, keyLen;
  /// Blocks of at most a few rows (decode) read key rows directly instead of
  /// packing them transposed: packing would cost more than the products.
  bool directKeys = false;
  int64_t staticRows = 0;
  /// Values are packed with vector loads (unit inner stride, Ev a multiple
  /// of the lanes).
  bool vectorValues = false;
  /// Blocks of a few rows (decode) read value rows directly in P.V: the
  /// copy into Vp would cost as much as the products (it was LLVM's memcpy
  /// for most of decode's time).
  bool directValues = false;
  /// Keys are packed transposed a lanes x lanes tile at a time, through a
  /// shuffle network in registers (unit inner stride, E a multiple of the
  /// lanes); otherwise element by element.
  bool vectorKeys = false;
  Value qs, kt, vp, sb, acc, runMax, runSum;
};

LogicalResult BlockLowering::lower() {
  auto queryType = cast<MemRefType>(op.getQuery().getType());
  auto valueType = cast<MemRefType>(op.getValue().getType());
  elementType = queryType.getElementType();
  outElement = cast<MemRefType>(op.getOut().getType()).getElementType();
  accType = elementType.isF64() ? Type(b.getF64Type()) : Type(b.getF32Type());
  lanes = std::max<int64_t>(1, vectorBits / accType.getIntOrFloatBitWidth());
  vecType = VectorType::get({lanes}, accType);
  headDim = queryType.getDimSize(1);
  valueDim = valueType.getDimSize(1);
  if (ShapedType::isDynamic(headDim) || ShapedType::isDynamic(valueDim))
    return op.emitOpError()
           << "the CPU lowering needs static head dims, got E = "
           << (ShapedType::isDynamic(headDim) ? std::string("?")
                                              : std::to_string(headDim))
           << " and Ev = "
           << (ShapedType::isDynamic(valueDim) ? std::string("?")
                                               : std::to_string(valueDim));
  blockRows = op.getBlockRows();
  blockKeys = op.getBlockKeys();
  if (blockKeys % lanes != 0)
    return op.emitOpError()
           << "key block size " << blockKeys
           << " must be a multiple of the vector lanes (" << lanes << ")";
  paddedRows = roundUp(blockRows, kRowsPerMicroTile);
  paddedValueDim = roundUp(valueDim, lanes);
  // Register blocks of kRowsPerMicroTile rows by up to 4 vectors where the
  // target has 32 vector registers (AVX-512), 2 where it may have 16: the
  // accumulators, one row of operands and a broadcast must fit.
  int64_t maxVectors = vectorBits >= 512 ? 4 : 2;
  auto tileCols = [&](int64_t cols) {
    int64_t vectors = maxVectors;
    while (vectors > 1 && cols % (vectors * lanes) != 0)
      vectors /= 2;
    return vectors * lanes;
  };
  colsPerTile = tileCols(blockKeys);
  valueColsPerTile = tileCols(paddedValueDim);

  auto unitInnerStride = [](Value memref) {
    auto type = cast<MemRefType>(memref.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    return succeeded(type.getStridesAndOffset(strides, offset)) &&
           !strides.empty() && strides.back() == 1;
  };
  staticRows = queryType.getDimSize(0);
  directKeys = !ShapedType::isDynamic(staticRows) &&
               staticRows <= kRowsPerMicroTile && headDim % lanes == 0 &&
               unitInnerStride(op.getKey());
  vectorValues = valueDim % lanes == 0 && unitInnerStride(op.getValue());
  directValues = !ShapedType::isDynamic(staticRows) &&
                 staticRows <= kRowsPerMicroTile && vectorValues;
  vectorKeys =
      !directKeys && headDim % lanes == 0 && unitInnerStride(op.getKey());
  rows = dim(op.getQuery(), 0);
  keyLen = dim(op.getKey(), 0);
  rowsPadded = b.createOrFold<arith::MulIOp>(
      b.createOrFold<arith::CeilDivUIOp>(rows, idx(kRowsPerMicroTile)),
      idx(kRowsPerMicroTile));

  qs = scratch({paddedRows, std::max<int64_t>(headDim, 1)});
  kt = scratch({std::max<int64_t>(headDim, 1), blockKeys});
  vp = scratch({blockKeys, paddedValueDim});
  sb = scratch({paddedRows, blockKeys});
  acc = scratch({paddedRows, paddedValueDim});
  runMax = scratch({paddedRows});
  runSum = scratch({paddedRows});

  packQuery();

  // State: max at the lowest finite value, sum and accumulator at 0. Vp's
  // padding columns stay 0 for the whole block.
  Value lowest = accConst(
      llvm::APFloat::getLargest(cast<FloatType>(accType).getFloatSemantics(),
                                /*Negative=*/true)
          .convertToDouble());
  Value zeroVec = splat(accConst(0.0));
  loop(idx(0), idx(paddedRows), 1, [&](Value i) {
    memref::StoreOp::create(b, lowest, runMax, i);
    memref::StoreOp::create(b, accConst(0.0), runSum, i);
    loop(idx(0), idx(paddedValueDim), lanes, [&](Value c) {
      vector::StoreOp::create(b, zeroVec, acc, ValueRange{i, c});
    });
  });
  if (!directValues)
    loop(idx(0), idx(blockKeys), 1, [&](Value j) {
      loop(idx(0), idx(paddedValueDim), lanes, [&](Value c) {
        vector::StoreOp::create(b, zeroVec, vp, ValueRange{j, c});
      });
    });

  // The key blocks this block may see.
  Value keyBegin = op.getKeyBegin(), keyEnd = op.getKeyEnd();
  loop(keyBegin, keyEnd, blockKeys, [&](Value keyStart) {
    Value cols = arith::MinSIOp::create(
        b, idx(blockKeys), arith::SubIOp::create(b, keyEnd, keyStart));
    packKeysAndValues(keyStart, cols);
    if (directKeys)
      computeScoresFromKeyRows(keyStart, cols);
    else
      computeScores();

    // Whether every (row, column) of this key block is allowed by the key
    // range, causal alignment and the window.
    Value blockEnd = arith::AddIOp::create(b, keyStart, idx(blockKeys));
    Value full =
        arith::CmpIOp::create(b, arith::CmpIPredicate::sle, blockEnd, keyEnd);
    std::optional<ArrayRef<int64_t>> window = op.getWindow();
    if (op.getCausal() || window) {
      int64_t right = op.getCausal() ? 0 : (*window)[1];
      Value lastCol = arith::SubIOp::create(b, blockEnd, idx(1));
      Value firstRowLimit = arith::AddIOp::create(b, op.getDiag(), idx(right));
      full = arith::AndIOp::create(
          b, full,
          arith::CmpIOp::create(b, arith::CmpIPredicate::sle, lastCol,
                                firstRowLimit));
      if (window) {
        Value lastRow = arith::SubIOp::create(
            b, arith::AddIOp::create(b, op.getDiag(), rows), idx(1));
        Value lastRowLow = arith::SubIOp::create(b, lastRow, idx((*window)[0]));
        full = arith::AndIOp::create(
            b, full,
            arith::CmpIOp::create(b, arith::CmpIPredicate::sge, keyStart,
                                  lastRowLow));
      }
    }
    scf::IfOp::create(
        b, full,
        [&](OpBuilder &, Location) {
          softmaxRows(keyStart, /*maskPositions=*/false);
          scf::YieldOp::create(b);
        },
        [&](OpBuilder &, Location) {
          softmaxRows(keyStart, /*maskPositions=*/true);
          scf::YieldOp::create(b);
        });
    accumulateValues(keyStart, cols);
  });

  finalize();
  return success();
}

void BlockLowering::packQuery() {
  // Qs = q * scale (divided by softcap when set, which the tanh undoes).
  double scale = op.getScale().convertToDouble();
  if (op.getSoftcap())
    scale /= op.getSoftcap()->convertToDouble();
  Value scaleValue = accConst(scale);
  loop(idx(0), idx(paddedRows), 1, [&](Value i) {
    Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i, rows);
    loop(idx(0), idx(headDim), 1, [&](Value e) {
      Value q = ifElse(
          valid,
          [&] {
            Value x = toAcc(
                memref::LoadOp::create(b, op.getQuery(), ValueRange{i, e}));
            return Value(arith::MulFOp::create(b, x, scaleValue));
          },
          [&] { return accConst(0.0); });
      memref::StoreOp::create(b, q, qs, ValueRange{i, e});
    });
  });
}

Value BlockLowering::reduceLanes(Value vector, bool max) {
  // The max (maxnum) or sum of the lanes as a tree of log2(lanes) shuffles
  // and vector ops. vector.reduction keeps the sequential order of a scalar
  // loop, a chain of `lanes` dependent operations per row.
  for (int64_t h = lanes / 2; h >= 1; h /= 2) {
    SmallVector<int64_t> upperHalf(lanes);
    for (int64_t c = 0; c < lanes; ++c)
      upperHalf[c] = c < h ? c + h : c;
    Value folded = vector::ShuffleOp::create(b, vector, vector, upperHalf);
    vector = max ? Value(arith::MaxNumFOp::create(b, vector, folded))
                 : Value(arith::AddFOp::create(b, vector, folded));
  }
  return vector::ExtractOp::create(b, vector, ArrayRef<int64_t>{0});
}

SmallVector<Value> BlockLowering::transposeTile(SmallVector<Value> rows) {
  // Transposing swaps each bit of the row index with the same bit of the
  // column index; the swap for bit h exchanges, in every 2h x 2h block, the
  // h x h block right of the diagonal with the one below it: one two-input
  // shuffle per row and bit, log2(lanes) * lanes shuffles in all.
  for (int64_t h = lanes / 2; h >= 1; h /= 2) {
    SmallVector<int64_t> upper(lanes), lower(lanes);
    for (int64_t c = 0; c < lanes; ++c) {
      bool high = c & h;
      upper[c] = high ? lanes + c - h : c;
      lower[c] = high ? lanes + c : c + h;
    }
    for (int64_t i = 0; i < lanes; ++i) {
      if (i & h)
        continue;
      Value top = rows[i], bottom = rows[i + h];
      rows[i] = vector::ShuffleOp::create(b, top, bottom, upper);
      rows[i + h] = vector::ShuffleOp::create(b, top, bottom, lower);
    }
  }
  return rows;
}

void BlockLowering::packKeyTiles(Value keyStart, Value fullCols) {
  // Kt[e0 + c][j0 + r] = k[keyStart + j0 + r][e0 + c] for whole lanes x
  // lanes tiles: row loads, a transpose in registers, row stores.
  auto elementVec = VectorType::get({lanes}, elementType);
  loop(idx(0), fullCols, lanes, [&](Value j0) {
    loop(idx(0), idx(headDim), lanes, [&](Value e0) {
      SmallVector<Value> rows;
      for (int64_t r = 0; r < lanes; ++r) {
        Value key = arith::AddIOp::create(b, keyStart,
                                          arith::AddIOp::create(b, j0, idx(r)));
        rows.push_back(toAcc(vector::LoadOp::create(b, elementVec, op.getKey(),
                                                    ValueRange{key, e0})));
      }
      SmallVector<Value> columns = transposeTile(std::move(rows));
      for (int64_t c = 0; c < lanes; ++c)
        vector::StoreOp::create(
            b, columns[c], kt,
            ValueRange{arith::AddIOp::create(b, e0, idx(c)), j0});
    });
  });
}

void BlockLowering::packKeysAndValues(Value keyStart, Value cols) {
  // Kt[e][j] = k[keyStart + j][e] and Vp[j][:] = v[keyStart + j][:] for the
  // block's columns; the columns past the end of the keys are zero.
  if (!directKeys) {
    // Key columns before `firstScalarKey` are packed by whole tiles, the
    // rest element by element.
    Value firstScalarKey = idx(0);
    if (vectorKeys) {
      firstScalarKey = arith::MulIOp::create(
          b, arith::DivUIOp::create(b, cols, idx(lanes)), idx(lanes));
      packKeyTiles(keyStart, firstScalarKey);
    }
    loop(firstScalarKey, cols, 1, [&](Value j) {
      Value key = arith::AddIOp::create(b, keyStart, j);
      loop(idx(0), idx(headDim), 1, [&](Value e) {
        Value k =
            toAcc(memref::LoadOp::create(b, op.getKey(), ValueRange{key, e}));
        memref::StoreOp::create(b, k, kt, ValueRange{e, j});
      });
    });
  }
  auto elementVec = VectorType::get({lanes}, elementType);
  auto packValues = [&](Value values) {
    loop(idx(0), cols, 1, [&](Value j) {
      Value key = arith::AddIOp::create(b, keyStart, j);
      if (vectorValues) {
        loop(idx(0), idx(valueDim), lanes, [&](Value e) {
          Value v = toAcc(vector::LoadOp::create(b, elementVec, values,
                                                 ValueRange{key, e}));
          vector::StoreOp::create(b, v, vp, ValueRange{j, e});
        });
        return;
      }
      loop(idx(0), idx(valueDim), 1, [&](Value e) {
        Value v = toAcc(memref::LoadOp::create(b, values, ValueRange{key, e}));
        memref::StoreOp::create(b, v, vp, ValueRange{j, e});
      });
    });
  };
  // Values with rows of unknown stride (entry arguments, which may be
  // views) are most often adjacent rows all the same. When they are and the
  // block is a plain copy into unpadded rows of Vp, the rows form one run
  // that LLVM copies with memcpy, given the stride statically: version the
  // copy on it.
  auto valueType = cast<MemRefType>(op.getValue().getType());
  SmallVector<int64_t> valueStrides;
  int64_t ignoredOffset;
  bool versionOnStride =
      !directValues && vectorValues && elementType == accType &&
      valueDim == paddedValueDim &&
      succeeded(valueType.getStridesAndOffset(valueStrides, ignoredOffset)) &&
      ShapedType::isDynamic(valueStrides[0]);
  if (directValues) {
    // accumulateValues reads the value rows where they are.
  } else if (!versionOnStride) {
    packValues(op.getValue());
  } else {
    auto metadata = memref::ExtractStridedMetadataOp::create(b, op.getValue());
    Value adjacent = arith::CmpIOp::create(
        b, arith::CmpIPredicate::eq, metadata.getStrides()[0], idx(valueDim));
    auto ifOp = scf::IfOp::create(b, adjacent, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    // A reinterpret_cast, since canonicalization folds a memref.cast to the
    // static stride back into the loads.
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < 2; ++d)
      sizes.push_back(
          valueType.isDynamicDim(d)
              ? OpFoldResult(metadata.getSizes()[d])
              : OpFoldResult(b.getIndexAttr(valueType.getDimSize(d))));
    Value rows = memref::ReinterpretCastOp::create(
        b,
        MemRefType::get(valueType.getShape(), elementType,
                        StridedLayoutAttr::get(b.getContext(),
                                               ShapedType::kDynamic,
                                               {valueDim, 1}),
                        valueType.getMemorySpace()),
        metadata.getBaseBuffer(), OpFoldResult(metadata.getOffset()), sizes,
        ArrayRef<OpFoldResult>{b.getIndexAttr(valueDim), b.getIndexAttr(1)});
    packValues(rows);
    b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    packValues(op.getValue());
  }
  Value zero = accConst(0.0);
  Value zeroVec = splat(zero);
  loop(cols, idx(blockKeys), 1, [&](Value j) {
    if (!directKeys)
      loop(idx(0), idx(headDim), 1, [&](Value e) {
        memref::StoreOp::create(b, zero, kt, ValueRange{e, j});
      });
    if (!directValues)
      loop(idx(0), idx(paddedValueDim), lanes, [&](Value c) {
        vector::StoreOp::create(b, zeroVec, vp, ValueRange{j, c});
      });
  });
}

void BlockLowering::computeScores() {
  // Sb[i][c..] = sum_e Qs[i][e] * Kt[e][c..], in register blocks of
  // kRowsPerMicroTile rows by colsPerTile columns.
  int64_t vectorsPerRow = colsPerTile / lanes;
  loop(idx(0), rowsPadded, kRowsPerMicroTile, [&](Value i0) {
    loop(idx(0), idx(blockKeys), colsPerTile, [&](Value c0) {
      SmallVector<Value> init(kRowsPerMicroTile * vectorsPerRow,
                              splat(accConst(0.0)));
      SmallVector<Value> colIdx, rowIdx;
      for (int64_t n = 0; n < vectorsPerRow; ++n)
        colIdx.push_back(arith::AddIOp::create(b, c0, idx(n * lanes)));
      for (int64_t r = 0; r < kRowsPerMicroTile; ++r)
        rowIdx.push_back(arith::AddIOp::create(b, i0, idx(r)));
      ValueRange sums = loopCarrying(
          idx(0), idx(headDim), 1, init, [&](Value e, ValueRange partial) {
            SmallVector<Value> keys, next;
            for (int64_t n = 0; n < vectorsPerRow; ++n)
              keys.push_back(vector::LoadOp::create(b, vecType, kt,
                                                    ValueRange{e, colIdx[n]}));
            for (int64_t r = 0; r < kRowsPerMicroTile; ++r) {
              Value q = splat(
                  memref::LoadOp::create(b, qs, ValueRange{rowIdx[r], e}));
              for (int64_t n = 0; n < vectorsPerRow; ++n)
                next.push_back(vector::FMAOp::create(
                    b, q, keys[n], partial[r * vectorsPerRow + n]));
            }
            return next;
          });
      for (int64_t r = 0; r < kRowsPerMicroTile; ++r)
        for (int64_t n = 0; n < vectorsPerRow; ++n)
          vector::StoreOp::create(b, sums[r * vectorsPerRow + n], sb,
                                  ValueRange{rowIdx[r], colIdx[n]});
    });
  });
}

void BlockLowering::computeScoresFromKeyRows(Value keyStart, Value cols) {
  // Sb[i][j] = Qs[i] . k[keyStart + j] with vectors along E and one
  // horizontal sum per score; columns past the keys score 0 (and are
  // masked as out of range).
  auto elementVec = VectorType::get({lanes}, elementType);
  int64_t chunks = headDim / lanes;
  loop(idx(0), cols, 1, [&](Value j) {
    Value key = arith::AddIOp::create(b, keyStart, j);
    // Decode streams K and V from memory with little arithmetic between
    // loads; ask for the value row P.V reads next while the scores compute.
    if (directValues)
      prefetchRow(op.getValue(), key, valueDim);
    SmallVector<Value> keyChunks;
    for (int64_t c = 0; c < chunks; ++c)
      keyChunks.push_back(toAcc(vector::LoadOp::create(
          b, elementVec, op.getKey(), ValueRange{key, idx(c * lanes)})));
    for (int64_t r = 0; r < staticRows; ++r) {
      Value sum = splat(accConst(0.0));
      for (int64_t c = 0; c < chunks; ++c) {
        Value q = vector::LoadOp::create(b, vecType, qs,
                                         ValueRange{idx(r), idx(c * lanes)});
        sum = vector::FMAOp::create(b, q, keyChunks[c], sum);
      }
      Value score = reduceLanes(sum, /*max=*/false);
      memref::StoreOp::create(b, score, sb, ValueRange{idx(r), j});
    }
  });
  Value zero = accConst(0.0);
  loop(cols, idx(blockKeys), 1, [&](Value j) {
    for (int64_t r = 0; r < staticRows; ++r)
      memref::StoreOp::create(b, zero, sb, ValueRange{idx(r), j});
  });
}

void BlockLowering::prefetchRow(Value memref, Value row, int64_t cols) {
  // One prefetch per 64-byte line of the row's first `cols` elements. Rows
  // past the end only waste the hint: prefetches do not fault.
  int64_t bytes = elementType.getIntOrFloatBitWidth() / 8;
  int64_t perLine = std::max<int64_t>(1, 64 / bytes);
  for (int64_t c = 0; c < cols; c += perLine)
    memref::PrefetchOp::create(b, memref, ValueRange{row, idx(c)},
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
}

Value BlockLowering::maskVector(Value row, Value col) {
  // The mask's values for (row, col .. col + lanes) as a vector to add to
  // the scores: float masks as they are, i1 masks as 0 / -inf. Columns past
  // the keys read as allowed; the position mask excludes them.
  Value mask = op.getMask();
  auto maskType = cast<MemRefType>(mask.getType());
  Type maskElement = maskType.getElementType();
  Value maskRow = maskType.getDimSize(0) == 1 ? idx(0) : row;
  bool broadcastCols = maskType.getDimSize(1) == 1;
  Value negInf = accConst(-std::numeric_limits<double>::infinity());
  Value zero = accConst(0.0);
  auto toAdditive = [&](Value scalar) -> Value {
    if (maskElement.isInteger(1))
      return arith::SelectOp::create(b, scalar, zero, negInf);
    return toAcc(scalar);
  };
  if (broadcastCols)
    return splat(toAdditive(
        memref::LoadOp::create(b, mask, ValueRange{maskRow, idx(0)})));
  if (!maskElement.isInteger(1)) {
    auto readType = VectorType::get({lanes}, maskElement);
    Value padding =
        arith::ConstantOp::create(b, FloatAttr::get(maskElement, 0.0));
    Value read = vector::TransferReadOp::create(b, readType, mask,
                                                ValueRange{maskRow, col},
                                                padding, ArrayRef<bool>{false});
    return toAcc(read);
  }
  // i1 masks are one byte per element in memory (numpy's bool, and LLVM's
  // layout of an i1 array), while a vector<Nxi1> load would read bits. A
  // run of `lanes` columns inside the mask is loaded as bytes through its
  // address; a run crossing the mask's end is read one column at a time.
  Value maskCols = dim(mask, 1);
  SmallVector<int64_t> maskStrides;
  int64_t maskOffset;
  if (succeeded(maskType.getStridesAndOffset(maskStrides, maskOffset)) &&
      maskStrides[1] == 1) {
    Value end = arith::AddIOp::create(b, col, idx(lanes));
    Value whole =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ule, end, maskCols);
    auto ifOp = scf::IfOp::create(b, vecType, whole, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, maskBytes(maskRow, col, zero, negInf));
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, maskColumns(maskRow, col, maskCols, zero, negInf));
    return ifOp.getResult(0);
  }
  return maskColumns(maskRow, col, maskCols, zero, negInf);
}

Value BlockLowering::maskBytes(Value maskRow, Value col, Value zero,
                               Value negInf) {
  // aligned + offset + row * rowStride + col, in bytes.
  Value mask = op.getMask();
  auto metadata = memref::ExtractStridedMetadataOp::create(b, mask);
  Value aligned = memref::ExtractAlignedPointerAsIndexOp::create(b, mask);
  Value element = arith::AddIOp::create(
      b, metadata.getOffset(),
      arith::AddIOp::create(
          b, arith::MulIOp::create(b, maskRow, metadata.getStrides()[0]), col));
  Type i64 = b.getI64Type();
  Value address = arith::IndexCastOp::create(
      b, i64, arith::AddIOp::create(b, aligned, element));
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value pointer = LLVM::IntToPtrOp::create(b, ptr, address);
  auto bytesType = VectorType::get({lanes}, b.getI8Type());
  Value bytes = LLVM::LoadOp::create(b, bytesType, pointer, /*alignment=*/1);
  Value allowed = arith::CmpIOp::create(
      b, arith::CmpIPredicate::ne, bytes,
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(0))));
  return arith::SelectOp::create(b, allowed, splat(zero), splat(negInf));
}

Value BlockLowering::maskColumns(Value maskRow, Value col, Value maskCols,
                                 Value zero, Value negInf) {
  // One i1 column at a time; columns past the mask read as allowed.
  Value mask = op.getMask();
  Value result = splat(zero);
  for (int64_t l = 0; l < lanes; ++l) {
    Value c = arith::AddIOp::create(b, col, idx(l));
    Value inside =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, c, maskCols);
    Value additive = ifElse(
        inside,
        [&] {
          Value bit = memref::LoadOp::create(b, mask, ValueRange{maskRow, c});
          return Value(arith::SelectOp::create(b, bit, zero, negInf));
        },
        [&] { return zero; });
    result = vector::InsertOp::create(b, additive, result, l);
  }
  return result;
}

Value BlockLowering::allowedPositions(Value row, Value col) {
  // Columns col .. col + lanes of local row `row`: inside the key range,
  // and allowed by causal alignment and the window.
  auto i64 = b.getI64Type();
  auto indexVec = VectorType::get({lanes}, i64);
  SmallVector<int64_t> iota(lanes);
  for (int64_t l = 0; l < lanes; ++l)
    iota[l] = l;
  Value cols = arith::AddIOp::create(
      b,
      vector::BroadcastOp::create(b, indexVec,
                                  arith::IndexCastOp::create(b, i64, col)),
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(indexVec, ArrayRef(iota))));
  auto bound = [&](Value v) {
    return vector::BroadcastOp::create(b, indexVec,
                                       arith::IndexCastOp::create(b, i64, v));
  };
  Value allowed = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, cols,
                                        bound(op.getKeyEnd()));
  std::optional<ArrayRef<int64_t>> window = op.getWindow();
  if (op.getCausal() || window) {
    Value aligned = arith::AddIOp::create(b, op.getDiag(), row);
    int64_t right = op.getCausal() ? 0 : (*window)[1];
    Value high = arith::AddIOp::create(b, aligned, idx(right));
    allowed = arith::AndIOp::create(
        b, allowed,
        arith::CmpIOp::create(b, arith::CmpIPredicate::sle, cols, bound(high)));
    if (window) {
      Value low = arith::SubIOp::create(b, aligned, idx((*window)[0]));
      allowed = arith::AndIOp::create(
          b, allowed,
          arith::CmpIOp::create(b, arith::CmpIPredicate::sge, cols,
                                bound(low)));
    }
  }
  return allowed;
}

Value BlockLowering::dropoutKeeps(Value row, Value col, uint32_t threshold) {
  // One Philox draw per lane, for columns col .. col + lanes of local row
  // `row`.
  auto wideVec = VectorType::get({lanes}, b.getI64Type());
  SmallVector<int64_t> iota(lanes);
  for (int64_t l = 0; l < lanes; ++l)
    iota[l] = l;
  Value cols = arith::AddIOp::create(
      b,
      vector::BroadcastOp::create(
          b, wideVec, arith::IndexCastOp::create(b, b.getI64Type(), col)),
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(wideVec, ArrayRef(iota))));
  Value globalRow = arith::AddIOp::create(b, op.getRow(), row);
  return buildDropoutKeep(b, b.getLoc(), cols, globalRow, op.getHead(),
                          op.getBatch(), op.getSeed(), threshold);
}

void BlockLowering::softmaxRows(Value keyStart, bool maskPositions) {
  Value negInf = splat(accConst(-std::numeric_limits<double>::infinity()));
  double dropout = op.getDropout() ? op.getDropout()->convertToDouble() : 0.0;
  uint32_t dropoutThreshold = sdpa::dropoutThreshold(dropout);
  Value keepScale = accConst(1.0 / (1.0 - dropout));
  std::optional<double> softcap;
  if (op.getSoftcap())
    softcap = op.getSoftcap()->convertToDouble();
  loop(idx(0), rows, 1, [&](Value i) {
    // Pass 1: final scores (softcap, mask, positions) and their max.
    ValueRange maxes = loopCarrying(
        idx(0), idx(blockKeys), lanes, ValueRange{negInf},
        [&](Value c, ValueRange partial) -> SmallVector<Value> {
          Value s = vector::LoadOp::create(b, vecType, sb, ValueRange{i, c});
          if (softcap) {
            Value cap = splat(accConst(*softcap));
            s = arith::MulFOp::create(b, cap, math::TanhOp::create(b, s));
          }
          Value col = arith::AddIOp::create(b, keyStart, c);
          if (op.getMask())
            s = arith::AddFOp::create(b, s, maskVector(i, col));
          if (maskPositions)
            s = arith::SelectOp::create(b, allowedPositions(i, col), s, negInf);
          vector::StoreOp::create(b, s, sb, ValueRange{i, c});
          return {arith::MaxNumFOp::create(b, partial[0], s)};
        });
    Value oldMax = memref::LoadOp::create(b, runMax, i);
    Value blockMax = reduceLanes(maxes[0], /*max=*/true);
    Value newMax = arith::MaxNumFOp::create(b, oldMax, blockMax);
    Value alpha =
        math::ExpOp::create(b, arith::SubFOp::create(b, oldMax, newMax));
    // Pass 2: probabilities and their sum.
    Value maxVec = splat(newMax);
    ValueRange sums = loopCarrying(
        idx(0), idx(blockKeys), lanes, ValueRange{splat(accConst(0.0))},
        [&](Value c, ValueRange partial) -> SmallVector<Value> {
          Value s = vector::LoadOp::create(b, vecType, sb, ValueRange{i, c});
          Value p = math::ExpOp::create(b, arith::SubFOp::create(b, s, maxVec));
          Value kept = p;
          if (dropoutThreshold > 0) {
            // The sum (and lse) are taken before dropout; only what is
            // accumulated into the output is dropped and rescaled.
            Value keep = dropoutKeeps(i, arith::AddIOp::create(b, keyStart, c),
                                      dropoutThreshold);
            kept = arith::SelectOp::create(
                b, keep, arith::MulFOp::create(b, p, splat(keepScale)),
                splat(accConst(0.0)));
          }
          vector::StoreOp::create(b, kept, sb, ValueRange{i, c});
          return {arith::AddFOp::create(b, partial[0], p)};
        });
    Value blockSum = reduceLanes(sums[0], /*max=*/false);
    Value oldSum = memref::LoadOp::create(b, runSum, i);
    Value newSum = arith::AddFOp::create(
        b, arith::MulFOp::create(b, oldSum, alpha), blockSum);
    memref::StoreOp::create(b, newMax, runMax, i);
    memref::StoreOp::create(b, newSum, runSum, i);
    // Rescale the accumulator row to the new max.
    Value alphaVec = splat(alpha);
    loop(idx(0), idx(paddedValueDim), lanes, [&](Value c) {
      Value a = vector::LoadOp::create(b, vecType, acc, ValueRange{i, c});
      vector::StoreOp::create(b, arith::MulFOp::create(b, a, alphaVec), acc,
                              ValueRange{i, c});
    });
  });
}

void BlockLowering::accumulateValues(Value keyStart, Value cols) {
  // Acc[i][c..] += sum_j Sb[i][j] * Vp[j][c..], in register blocks of
  // kRowsPerMicroTile rows by valueColsPerTile columns; with directValues,
  // v[keyStart + j][c..] for the block's columns only.
  int64_t vectorsPerRow = valueColsPerTile / lanes;
  auto elementVec = VectorType::get({lanes}, elementType);
  auto loadValues = [&](Value j, Value c) -> Value {
    if (!directValues)
      return vector::LoadOp::create(b, vecType, vp, ValueRange{j, c});
    Value key = arith::AddIOp::create(b, keyStart, j);
    return toAcc(vector::LoadOp::create(b, elementVec, op.getValue(),
                                        ValueRange{key, c}));
  };
  // With directValues (and so directKeys), the key rows of the next block
  // are fetched while this one's values are read.
  bool prefetchKeys = directValues && directKeys;
  Value nextKeys = prefetchKeys
                       ? arith::AddIOp::create(b, keyStart, idx(blockKeys))
                       : Value();
  loop(idx(0), rowsPadded, kRowsPerMicroTile, [&](Value i0) {
    loop(idx(0), idx(paddedValueDim), valueColsPerTile, [&](Value c0) {
      SmallVector<Value> colIdx, rowIdx, init;
      for (int64_t n = 0; n < vectorsPerRow; ++n)
        colIdx.push_back(arith::AddIOp::create(b, c0, idx(n * lanes)));
      for (int64_t r = 0; r < kRowsPerMicroTile; ++r)
        rowIdx.push_back(arith::AddIOp::create(b, i0, idx(r)));
      for (int64_t r = 0; r < kRowsPerMicroTile; ++r)
        for (int64_t n = 0; n < vectorsPerRow; ++n)
          init.push_back(vector::LoadOp::create(
              b, vecType, acc, ValueRange{rowIdx[r], colIdx[n]}));
      ValueRange sums = loopCarrying(
          idx(0), directValues ? cols : idx(blockKeys), 1, init,
          [&](Value j, ValueRange partial) {
            SmallVector<Value> values, next;
            if (prefetchKeys)
              prefetchRow(op.getKey(), arith::AddIOp::create(b, nextKeys, j),
                          headDim);
            for (int64_t n = 0; n < vectorsPerRow; ++n)
              values.push_back(loadValues(j, colIdx[n]));
            for (int64_t r = 0; r < kRowsPerMicroTile; ++r) {
              Value p = splat(
                  memref::LoadOp::create(b, sb, ValueRange{rowIdx[r], j}));
              for (int64_t n = 0; n < vectorsPerRow; ++n)
                next.push_back(vector::FMAOp::create(
                    b, p, values[n], partial[r * vectorsPerRow + n]));
            }
            return next;
          });
      for (int64_t r = 0; r < kRowsPerMicroTile; ++r)
        for (int64_t n = 0; n < vectorsPerRow; ++n)
          vector::StoreOp::create(b, sums[r * vectorsPerRow + n], acc,
                                  ValueRange{rowIdx[r], colIdx[n]});
    });
  });
}

void BlockLowering::finalize() {
  // out = Acc / l (0 where l = 0: every score was -inf); lse = m + log(l).
  Value zero = accConst(0.0), one = accConst(1.0);
  Value lse = op.getLse();
  loop(idx(0), rows, 1, [&](Value i) {
    Value sum = memref::LoadOp::create(b, runSum, i);
    Value positive =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, sum, zero);
    Value inv = arith::SelectOp::create(
        b, positive, arith::DivFOp::create(b, one, sum), zero);
    loop(idx(0), idx(valueDim), 1, [&](Value e) {
      Value a = memref::LoadOp::create(b, acc, ValueRange{i, e});
      Value o = fromAcc(arith::MulFOp::create(b, a, inv), outElement);
      memref::StoreOp::create(b, o, op.getOut(), ValueRange{i, e});
    });
    if (lse) {
      Value max = memref::LoadOp::create(b, runMax, i);
      Value logSum = arith::AddFOp::create(b, max, math::LogOp::create(b, sum));
      Value value = arith::SelectOp::create(
          b, positive, logSum,
          accConst(-std::numeric_limits<double>::infinity()));
      memref::StoreOp::create(b, fromAcc(value, b.getF32Type()), lse, i);
    }
  });
}

struct AttnOnlineSoftmaxPass
    : sdpa::impl::AttnOnlineSoftmaxPassBase<AttnOnlineSoftmaxPass> {
  using AttnOnlineSoftmaxPassBase::AttnOnlineSoftmaxPassBase;
  void runOnOperation() override {
    SmallVector<BlockOp> ops;
    getOperation()->walk([&](BlockOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (BlockOp op : ops)
      if (failed(lowerBlockOp(rewriter, op, vectorBits)))
        return signalPassFailure();
  }
};

} // namespace

LogicalResult sdpa::lowerBlockOp(RewriterBase &rewriter, BlockOp op,
                                 int64_t vectorBits) {
  if (!isa<MemRefType>(op.getQuery().getType()))
    return op.emitOpError()
           << "the online-softmax lowering runs after bufferization; "
              "bufferize attn.block first";
  if (vectorBits <= 0)
    return op.emitOpError() << "vector-bits must be positive";
  rewriter.setInsertionPoint(op);
  BlockLowering lowering(rewriter, op, vectorBits);
  if (failed(lowering.lower()))
    return failure();
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct LowerBlockPattern : OpRewritePattern<BlockOp> {
  LowerBlockPattern(MLIRContext *ctx, int64_t vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {}
  LogicalResult matchAndRewrite(BlockOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(op.getQuery().getType()))
      return rewriter.notifyMatchFailure(op, "not bufferized");
    return lowerBlockOp(rewriter, op, vectorBits);
  }
  int64_t vectorBits;
};
} // namespace

void sdpa::populateAttnOnlineSoftmaxPatterns(RewritePatternSet &patterns,
                                             int64_t vectorBits) {
  patterns.add<LowerBlockPattern>(patterns.getContext(), vectorBits);
}
