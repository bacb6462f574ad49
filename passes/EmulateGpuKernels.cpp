//===- EmulateGpuKernels.cpp - GPU kernels as CPU code for the emulator ---===//
//
// --attn-emulate-gpu-kernels turns the kernels of a module's gpu.modules
// into CPU functions that run one GPU thread each, so that the CUDA driver
// emulator (runtime/cuda/emulator) can run a GPU artifact on a machine
// without a GPU: every launch, argument and index of the GPU path is then
// checked against the reference in CI, and only the NVVM lowering and the
// hardware stay untested.
//
// The emulator runs the threads of a block as fibers on one OS thread and
// switches between them at barriers and shuffles, so the kernels keep their
// SIMT form: thread and block ids, barriers and shuffles become calls of
// the emulator, dynamic shared memory a global array. Tensor-core fragments
// are opaque per-warp values on the GPU; here every lane holds the whole
// fragment as a vector and computes the whole product, which needs no
// exchange between the lanes and gives each lane the values the warp holds
// together.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/NVGPU/Utils/MMAUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNEMULATEGPUKERNELSPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

constexpr StringLiteral kSharedName = "__sdpa_emu_shared";
constexpr StringLiteral kSharedSizeName = "__sdpa_emu_shared_size";

/// The emulator's functions the kernels call (see the emulator's header).
struct EmulatorCalls {
  func::FuncOp threadId, blockId, blockDim, gridDim, barrier, shuffle, exchange,
      asyncCopy, asyncCommit, asyncWait;
};

func::FuncOp declare(OpBuilder &b, Location loc, StringRef name,
                     FunctionType type) {
  auto fn = func::FuncOp::create(b, loc, name, type);
  fn.setPrivate();
  return fn;
}

EmulatorCalls declareEmulatorCalls(ModuleOp module) {
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Location loc = module.getLoc();
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  FunctionType query = b.getFunctionType({i32}, {i64});
  EmulatorCalls calls;
  calls.threadId = declare(b, loc, "__sdpa_emu_thread_id", query);
  calls.blockId = declare(b, loc, "__sdpa_emu_block_id", query);
  calls.blockDim = declare(b, loc, "__sdpa_emu_block_dim", query);
  calls.gridDim = declare(b, loc, "__sdpa_emu_grid_dim", query);
  calls.barrier =
      declare(b, loc, "__sdpa_emu_barrier", b.getFunctionType({}, {}));
  calls.shuffle = declare(b, loc, "__sdpa_emu_shuffle",
                          b.getFunctionType({i32, i32, i32, i32}, {i64}));
  // (mine, all, bytes): the pointers as integers.
  calls.exchange = declare(b, loc, "__sdpa_emu_warp_exchange",
                           b.getFunctionType({i64, i64, i32}, {}));
  // (dst, src, bytes, srcBytes), (), (pending groups).
  calls.asyncCopy = declare(b, loc, "__sdpa_emu_async_copy",
                            b.getFunctionType({i64, i64, i32, i32}, {}));
  calls.asyncCommit =
      declare(b, loc, "__sdpa_emu_async_commit", b.getFunctionType({}, {}));
  calls.asyncWait =
      declare(b, loc, "__sdpa_emu_async_wait", b.getFunctionType({i32}, {}));
  return calls;
}

/// The global arrays of shared memory and its size.
void declareSharedMemory(ModuleOp module, int64_t bytes) {
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Location loc = module.getLoc();
  auto type = MemRefType::get({std::max<int64_t>(bytes, 1)}, b.getI8Type());
  memref::GlobalOp::create(b, loc, kSharedName, StringAttr(), type,
                           b.getUnitAttr(), /*constant=*/false,
                           b.getI64IntegerAttr(128));
  auto sizeType = MemRefType::get({}, b.getI64Type());
  memref::GlobalOp::create(
      b, loc, kSharedSizeName, StringAttr(), sizeType,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                             b.getI64IntegerAttr(bytes)),
      /*constant=*/true, IntegerAttr());
}

/// Replaces the GPU ops of `fn` that are not tensor-core ops with calls of
/// the emulator and the shared-memory global.
LogicalResult replaceThreadOps(func::FuncOp fn, const EmulatorCalls &calls,
                               MemRefType sharedType) {
  auto query = [&](ImplicitLocOpBuilder &b, func::FuncOp callee,
                   gpu::Dimension dim) -> Value {
    Value d = arith::ConstantOp::create(
        b, b.getI32IntegerAttr(static_cast<int32_t>(dim)));
    Value id = func::CallOp::create(b, callee, d).getResult(0);
    return arith::IndexCastOp::create(b, b.getIndexType(), id);
  };
  WalkResult result = fn.walk([&](Operation *op) -> WalkResult {
    ImplicitLocOpBuilder b(op->getLoc(), op);
    Value replacement;
    if (auto id = dyn_cast<gpu::ThreadIdOp>(op))
      replacement = query(b, calls.threadId, id.getDimension());
    else if (auto id = dyn_cast<gpu::BlockIdOp>(op))
      replacement = query(b, calls.blockId, id.getDimension());
    else if (auto dim = dyn_cast<gpu::BlockDimOp>(op))
      replacement = query(b, calls.blockDim, dim.getDimension());
    else if (auto dim = dyn_cast<gpu::GridDimOp>(op))
      replacement = query(b, calls.gridDim, dim.getDimension());
    if (replacement) {
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
      return WalkResult::skip();
    }
    if (isa<gpu::BarrierOp>(op)) {
      func::CallOp::create(b, calls.barrier, ValueRange());
      op->erase();
      return WalkResult::skip();
    }
    if (auto shared = dyn_cast<gpu::DynamicSharedMemoryOp>(op)) {
      Value global = memref::GetGlobalOp::create(b, sharedType, kSharedName);
      Value cast = memref::CastOp::create(b, shared.getType(), global);
      shared.replaceAllUsesWith(cast);
      op->erase();
      return WalkResult::skip();
    }
    if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op)) {
      Type type = shuffle.getValue().getType();
      if (!type.isIntOrFloat() || type.getIntOrFloatBitWidth() != 32)
        return shuffle.emitOpError()
               << "shuffles " << type
               << "; the GPU emulator shuffles 32-bit scalars only";
      Type i32 = b.getI32Type();
      Value bits = shuffle.getValue();
      if (type != i32)
        bits = arith::BitcastOp::create(b, i32, bits);
      Value mode = arith::ConstantOp::create(
          b, b.getI32IntegerAttr(static_cast<int32_t>(shuffle.getMode())));
      Value packed = func::CallOp::create(b, calls.shuffle,
                                          ValueRange{bits, shuffle.getOffset(),
                                                     shuffle.getWidth(), mode})
                         .getResult(0);
      Value value = arith::TruncIOp::create(b, i32, packed);
      if (type != i32)
        value = arith::BitcastOp::create(b, type, value);
      Value validBit = arith::ShRUIOp::create(
          b, packed, arith::ConstantOp::create(b, b.getI64IntegerAttr(32)));
      Value valid = arith::TruncIOp::create(b, b.getI1Type(), validBit);
      shuffle.getShuffleResult().replaceAllUsesWith(value);
      shuffle.getValid().replaceAllUsesWith(valid);
      op->erase();
      return WalkResult::skip();
    }
    if (isa<gpu::SubgroupMmaLoadMatrixOp, gpu::SubgroupMmaStoreMatrixOp,
            gpu::SubgroupMmaComputeOp, gpu::SubgroupMmaConstantMatrixOp>(op))
      return WalkResult::advance();
    if (isa<gpu::GPUDialect>(op->getDialect()))
      return op->emitOpError() << "is not supported by the GPU emulator";
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Asynchronous copies: queued in the emulator, done when waited for.
//===----------------------------------------------------------------------===//

/// `start` + sum of indices[i] * strides[i]: where element `indices` of a
/// view with `metadata` lies in its base buffer, past `start`.
Value linearPosition(ImplicitLocOpBuilder &b,
                     memref::ExtractStridedMetadataOp metadata, Value start,
                     ValueRange indices) {
  Value position = start;
  for (auto [index, stride] : llvm::zip(indices, metadata.getStrides()))
    position = arith::AddIOp::create(b, position,
                                     arith::MulIOp::create(b, index, stride));
  return position;
}

/// The address of `memref[indices]` as an i64.
Value elementAddress(ImplicitLocOpBuilder &b, Value memref,
                     ValueRange indices) {
  auto type = cast<MemRefType>(memref.getType());
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  Value position = linearPosition(b, metadata, metadata.getOffset(), indices);
  Value bytes = arith::MulIOp::create(
      b, position,
      arith::ConstantIndexOp::create(
          b, type.getElementType().getIntOrFloatBitWidth() / 8));
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  return arith::IndexCastOp::create(b, b.getI64Type(),
                                    arith::AddIOp::create(b, base, bytes));
}

/// nvgpu.device_async_copy, _create_group and _wait as calls of the
/// emulator, which performs a thread's copies only when it waits for them
/// (or returns), as late as a GPU may: a kernel that reads a tile before
/// waiting sees the wrong data.
LogicalResult emulateAsyncCopies(func::FuncOp fn, const EmulatorCalls &calls) {
  SmallVector<Operation *> waits, groups, copies;
  fn.walk([&](Operation *op) {
    if (isa<nvgpu::DeviceAsyncWaitOp>(op))
      waits.push_back(op);
    else if (isa<nvgpu::DeviceAsyncCreateGroupOp>(op))
      groups.push_back(op);
    else if (isa<nvgpu::DeviceAsyncCopyOp>(op))
      copies.push_back(op);
  });
  // Users before what they use: a wait takes a group, a group copies.
  for (Operation *op : waits) {
    auto wait = cast<nvgpu::DeviceAsyncWaitOp>(op);
    ImplicitLocOpBuilder b(op->getLoc(), op);
    int32_t pending = wait.getNumGroups() ? *wait.getNumGroups() : 0;
    func::CallOp::create(
        b, calls.asyncWait,
        ValueRange{arith::ConstantOp::create(b, b.getI32IntegerAttr(pending))});
    op->erase();
  }
  for (Operation *op : groups) {
    ImplicitLocOpBuilder b(op->getLoc(), op);
    func::CallOp::create(b, calls.asyncCommit, ValueRange());
    if (!op->use_empty())
      return op->emitOpError()
             << "has uses other than waits, which the GPU emulator cannot "
                "follow";
    op->erase();
  }
  for (Operation *op : copies) {
    auto copy = cast<nvgpu::DeviceAsyncCopyOp>(op);
    ImplicitLocOpBuilder b(op->getLoc(), op);
    auto dstType = cast<MemRefType>(copy.getDst().getType());
    int64_t elementBytes = dstType.getElementType().getIntOrFloatBitWidth() / 8;
    int64_t count = copy.getDstElements().getSExtValue();
    Value i32Bytes = arith::ConstantOp::create(
        b, b.getI32IntegerAttr(static_cast<int32_t>(count * elementBytes)));
    Value sourceBytes = i32Bytes;
    if (Value elements = copy.getSrcElements())
      sourceBytes = arith::IndexCastOp::create(
          b, b.getI32Type(),
          arith::MulIOp::create(
              b, elements, arith::ConstantIndexOp::create(b, elementBytes)));
    func::CallOp::create(
        b, calls.asyncCopy,
        ValueRange{elementAddress(b, copy.getDst(), copy.getDstIndices()),
                   elementAddress(b, copy.getSrc(), copy.getSrcIndices()),
                   i32Bytes, sourceBytes});
    if (!op->use_empty())
      return op->emitOpError() << "has uses other than groups, which the GPU "
                                  "emulator cannot follow";
    op->erase();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Warp-wide matrix ops: what one lane holds, from what the warp exchanged.
//===----------------------------------------------------------------------===//

/// Rewrites the nvgpu.mma.sync and nvgpu.ldmatrix ops of `fn`.
///
/// mma.sync (m16n8k16, 16-bit A and B, f32 C): the lanes of the warp
/// exchange their A and B fragments (__sdpa_emu_warp_exchange), each lane
/// places them in whole matrices by upstream's map from (lane, value) to
/// matrix coordinates (nvgpu::getLaneIdAndValueIdToOperandCoord, the PTX
/// ISA's layouts), and computes the four results it holds of C + A.B in
/// f32.
///
/// ldmatrix (16-bit elements): the lanes exchange the row addresses they
/// give, and each lane reads what the PTX ISA says it receives: of matrix
/// i (rows from lanes 8i..8i+7), row l / 4, columns 2 (l % 4) and
/// 2 (l % 4) + 1, or with `transpose` the same of the matrix's transpose.
class WarpMatrixEmulation {
public:
  WarpMatrixEmulation(func::FuncOp fn, const EmulatorCalls &calls)
      : fn(fn), calls(calls) {}

  LogicalResult run() {
    SmallVector<Operation *> ops;
    WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
      if (isa<nvgpu::MmaSyncOp, nvgpu::LdMatrixOp>(op)) {
        ops.push_back(op);
        return WalkResult::advance();
      }
      if (isa<nvgpu::NVGPUDialect>(op->getDialect()) &&
          !isa<nvgpu::DeviceAsyncCopyOp, nvgpu::DeviceAsyncCreateGroupOp,
               nvgpu::DeviceAsyncWaitOp>(op))
        return op->emitOpError() << "is not supported by the GPU emulator";
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    for (Operation *op : ops) {
      LogicalResult rewritten =
          isa<nvgpu::MmaSyncOp>(op)
              ? rewriteMmaSync(cast<nvgpu::MmaSyncOp>(op))
              : rewriteLdMatrix(cast<nvgpu::LdMatrixOp>(op));
      if (failed(rewritten))
        return failure();
    }
    return success();
  }

private:
  /// Scratch at the function's entry (allocas in loops would grow the
  /// stack), made once per element type.
  struct Scratch {
    Value mineA, allA, mineB, allB, wholeA, wholeB;
  };
  Scratch &scratchFor(Type element) {
    Scratch &s = scratch[element];
    if (s.mineA)
      return s;
    ImplicitLocOpBuilder b(fn.getLoc(), fn.getContext());
    b.setInsertionPointToStart(&fn.getBody().front());
    auto scratchBuffer = [&](ArrayRef<int64_t> shape, Type type) -> Value {
      return memref::AllocaOp::create(b, MemRefType::get(shape, type));
    };
    s.mineA = scratchBuffer({8}, element);
    s.allA = scratchBuffer({32 * 8}, element);
    s.mineB = scratchBuffer({4}, element);
    s.allB = scratchBuffer({32 * 4}, element);
    s.wholeA = scratchBuffer({16, 16}, b.getF32Type());
    s.wholeB = scratchBuffer({8, 16}, b.getF32Type()); // [n][k]
    return s;
  }
  /// The lane of the calling thread in its warp.
  Value laneId() {
    if (lane)
      return lane;
    ImplicitLocOpBuilder b(fn.getLoc(), fn.getContext());
    b.setInsertionPointToStart(&fn.getBody().front());
    auto query = [&](func::FuncOp callee, int32_t dim) -> Value {
      Value d = arith::ConstantOp::create(b, b.getI32IntegerAttr(dim));
      return func::CallOp::create(b, callee, d).getResult(0);
    };
    Value linear = arith::AddIOp::create(
        b, query(calls.threadId, 0),
        arith::MulIOp::create(
            b, query(calls.blockDim, 0),
            arith::AddIOp::create(
                b, query(calls.threadId, 1),
                arith::MulIOp::create(b, query(calls.blockDim, 1),
                                      query(calls.threadId, 2)))));
    Value rem = arith::RemUIOp::create(
        b, linear, arith::ConstantOp::create(b, b.getI64IntegerAttr(32)));
    lane = arith::IndexCastOp::create(b, b.getIndexType(), rem);
    return lane;
  }

  /// The address of `memref`'s buffer as an i64.
  static Value bufferAddress(ImplicitLocOpBuilder &b, Value memref) {
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
    return arith::IndexCastOp::create(b, b.getI64Type(), address);
  }

  LogicalResult rewriteMmaSync(nvgpu::MmaSyncOp op) {
    auto aType = cast<VectorType>(op.getMatrixA().getType());
    auto bType = cast<VectorType>(op.getMatrixB().getType());
    auto cType = cast<VectorType>(op.getMatrixC().getType());
    Type element = aType.getElementType();
    SmallVector<int64_t> mnk;
    for (Attribute a : op.getMmaShape())
      mnk.push_back(cast<IntegerAttr>(a).getInt());
    if (mnk != SmallVector<int64_t>{16, 8, 16} ||
        element.getIntOrFloatBitWidth() != 16 || !isa<FloatType>(element) ||
        bType.getElementType() != element || !cType.getElementType().isF32() ||
        aType.getShape() != ArrayRef<int64_t>{4, 2} ||
        bType.getShape() != ArrayRef<int64_t>{2, 2} ||
        cType.getShape() != ArrayRef<int64_t>{2, 2})
      return op.emitOpError()
             << "is emulated for m16n8k16 with 16-bit float A and B and f32 "
                "C fragments only";
    Scratch &s = scratchFor(element);
    Value laneValue = laneId();
    ImplicitLocOpBuilder b(op.getLoc(), op);
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    auto exchange = [&](Value fragment, Value mine, Value all, int64_t count) {
      auto flat = VectorType::get({count}, element);
      Value values = vector::ShapeCastOp::create(b, flat, fragment);
      vector::StoreOp::create(b, values, mine, ValueRange{index(0)});
      Value bytes = arith::ConstantOp::create(
          b, b.getI32IntegerAttr(static_cast<int32_t>(count * 2)));
      func::CallOp::create(
          b, calls.exchange,
          ValueRange{bufferAddress(b, mine), bufferAddress(b, all), bytes});
    };
    exchange(op.getMatrixA(), s.mineA, s.allA, 8);
    exchange(op.getMatrixB(), s.mineB, s.allB, 4);

    // The layouts are those of f16 for any 16-bit type (upstream's helper
    // knows f16 only).
    Type f16 = b.getF16Type();
    auto layout = [&](ArrayRef<int64_t> shape, Type type,
                      nvgpu::MatMulOperandRole role) -> FailureOr<AffineMap> {
      nvgpu::WarpMatrixInfo info{VectorType::get(shape, type), role};
      return nvgpu::getLaneIdAndValueIdToOperandCoord(b, op.getLoc(), info);
    };
    FailureOr<AffineMap> mapA =
        layout({16, 16}, f16, nvgpu::MatMulOperandRole::A);
    FailureOr<AffineMap> mapB =
        layout({8, 16}, f16, nvgpu::MatMulOperandRole::B);
    FailureOr<AffineMap> mapC =
        layout({16, 8}, b.getF32Type(), nvgpu::MatMulOperandRole::C);
    if (failed(mapA) || failed(mapB) || failed(mapC))
      return op.emitOpError() << "has no known fragment layout";
    auto coord = [&](AffineMap map, unsigned result, ValueRange operands) {
      return affine::AffineApplyOp::create(b, map.getSubMap({result}),
                                           operands);
    };
    // whole[map(l, v)] = all[l * perLane + v].
    auto assemble = [&](Value all, Value whole, AffineMap map,
                        int64_t perLane) {
      auto lanes = scf::ForOp::create(b, index(0), index(32), index(1));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(lanes.getBody());
      Value l = lanes.getInductionVar();
      auto values = scf::ForOp::create(b, index(0), index(perLane), index(1));
      b.setInsertionPointToStart(values.getBody());
      Value v = values.getInductionVar();
      Value x = memref::LoadOp::create(
          b, all,
          ValueRange{arith::AddIOp::create(
              b, arith::MulIOp::create(b, l, index(perLane)), v)});
      x = arith::ExtFOp::create(b, b.getF32Type(), x);
      memref::StoreOp::create(
          b, x, whole,
          ValueRange{coord(map, 0, {l, v}), coord(map, 1, {l, v})});
    };
    assemble(s.allA, s.wholeA, *mapA, 8);
    assemble(s.allB, s.wholeB, *mapB, 4);

    // This lane's results: C(r, c) + sum_k A(r, k) B(k, c), B stored [n][k].
    SmallVector<Value> results;
    for (int64_t v = 0; v < 4; ++v) {
      Value valueId = index(v);
      Value r = coord(*mapC, 0, {laneValue, valueId});
      Value c = coord(*mapC, 1, {laneValue, valueId});
      Value init = vector::ExtractOp::create(b, op.getMatrixC(),
                                             ArrayRef<int64_t>{v / 2, v % 2});
      auto sum = scf::ForOp::create(
          b, index(0), index(16), index(1), ValueRange{init},
          [&](OpBuilder &nested, Location loc, Value k, ValueRange acc) {
            ImplicitLocOpBuilder nb(loc, nested);
            Value x = memref::LoadOp::create(nb, s.wholeA, ValueRange{r, k});
            Value y = memref::LoadOp::create(nb, s.wholeB, ValueRange{c, k});
            scf::YieldOp::create(
                nb, ValueRange{math::FmaOp::create(nb, x, y, acc[0])});
          });
      results.push_back(sum.getResult(0));
    }
    Value result = vector::FromElementsOp::create(b, cType, results);
    op.replaceAllUsesWith(result);
    op.erase();
    return success();
  }

  LogicalResult rewriteLdMatrix(nvgpu::LdMatrixOp op) {
    auto type = cast<VectorType>(op.getRes().getType());
    Type element = type.getElementType();
    int64_t tiles = op.getNumTiles();
    if (element.getIntOrFloatBitWidth() != 16 || type.getRank() != 2 ||
        type.getDimSize(0) != tiles || type.getDimSize(1) != 2)
      return op.emitOpError()
             << "is emulated for 16-bit elements, one row of 2 per matrix, "
                "only";
    if (!addresses) {
      ImplicitLocOpBuilder entry(fn.getLoc(), fn.getContext());
      entry.setInsertionPointToStart(&fn.getBody().front());
      myAddress = memref::AllocaOp::create(
          entry, MemRefType::get({1}, entry.getI64Type()));
      addresses = memref::AllocaOp::create(
          entry, MemRefType::get({32}, entry.getI64Type()));
    }
    Value laneValue = laneId();
    ImplicitLocOpBuilder b(op.getLoc(), op);
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    memref::StoreOp::create(
        b, elementAddress(b, op.getSrcMemref(), op.getIndices()), myAddress,
        ValueRange{index(0)});
    func::CallOp::create(
        b, calls.exchange,
        ValueRange{bufferAddress(b, myAddress), bufferAddress(b, addresses),
                   arith::ConstantOp::create(b, b.getI32IntegerAttr(8))});
    Value quad = arith::DivUIOp::create(b, laneValue, index(4));
    Value pair = mul(b, arith::RemUIOp::create(b, laneValue, index(4)), 2);
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
    SmallVector<Value> elements;
    for (int64_t i = 0; i < tiles; ++i) {
      for (int64_t j = 0; j < 2; ++j) {
        // The row-giving lane and the element within its row.
        Value rowLane = op.getTranspose()
                            ? arith::AddIOp::create(b, pair, index(i * 8 + j))
                            : arith::AddIOp::create(b, quad, index(i * 8));
        Value column =
            op.getTranspose() ? quad : arith::AddIOp::create(b, pair, index(j));
        Value rowAddress =
            memref::LoadOp::create(b, addresses, ValueRange{rowLane});
        Value offset =
            arith::IndexCastOp::create(b, b.getI64Type(), mul(b, column, 2));
        Value address = arith::AddIOp::create(b, rowAddress, offset);
        Value ptr = LLVM::IntToPtrOp::create(b, ptrType, address);
        elements.push_back(LLVM::LoadOp::create(b, element, ptr));
      }
    }
    Value result = vector::FromElementsOp::create(b, type, elements);
    op.replaceAllUsesWith(result);
    op.erase();
    return success();
  }
  static Value mul(ImplicitLocOpBuilder &b, Value v, int64_t by) {
    return arith::MulIOp::create(b, v, arith::ConstantIndexOp::create(b, by));
  }

  func::FuncOp fn;
  const EmulatorCalls &calls;
  Value lane;
  DenseMap<Type, Scratch> scratch;
  /// ldmatrix: this lane's row address, and the warp's.
  Value myAddress, addresses;
};

//===----------------------------------------------------------------------===//
// Tensor-core fragments as whole vectors in every lane.
//===----------------------------------------------------------------------===//

/// The fragment type as the vector every lane holds.
VectorType fragmentVector(gpu::MMAMatrixType type) {
  return VectorType::get(type.getShape(), type.getElementType());
}

/// The source or destination of a fragment load or store as a 1-D memref
/// over its whole buffer, and the position in it of element `indices`: the
/// fragment's rows are `leadDimension` elements apart from there.
std::pair<Value, Value> flatView(ImplicitLocOpBuilder &b, Value memref,
                                 ValueRange indices) {
  auto type = cast<MemRefType>(memref.getType());
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  auto flatType = MemRefType::get(
      {ShapedType::kDynamic}, type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, {1}),
      type.getMemorySpace());
  // The fragment may reach anywhere in the buffer: its size is what the
  // metadata says the view spans, rounded to its outermost stride.
  Value span = arith::ConstantIndexOp::create(b, 1);
  if (type.getRank() > 0)
    span = arith::MulIOp::create(b, metadata.getSizes()[0],
                                 metadata.getStrides()[0]);
  Value flat = memref::ReinterpretCastOp::create(
      b, flatType, metadata.getBaseBuffer(), OpFoldResult(metadata.getOffset()),
      ArrayRef<OpFoldResult>{span}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  return {flat, linearPosition(b, metadata,
                               arith::ConstantIndexOp::create(b, 0), indices)};
}

struct LoadMatrixToVector : OpConversionPattern<gpu::SubgroupMmaLoadMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(gpu::SubgroupMmaLoadMatrixOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto vectorType =
        fragmentVector(cast<gpu::MMAMatrixType>(op.getRes().getType()));
    int64_t rows = vectorType.getDimSize(0), cols = vectorType.getDimSize(1);
    bool transpose = op.getTranspose().value_or(false);
    auto [flat, base] =
        flatView(b, adaptor.getSrcMemref(), adaptor.getIndices());
    int64_t lead = op.getLeadDimension().getSExtValue();
    // Transposed, the fragment's columns lie contiguously in memory.
    int64_t lines = transpose ? cols : rows, length = transpose ? rows : cols;
    auto lineType = VectorType::get({length}, vectorType.getElementType());
    auto loadedType =
        VectorType::get({lines, length}, vectorType.getElementType());
    Value loaded =
        arith::ConstantOp::create(b, loadedType, b.getZeroAttr(loadedType));
    for (int64_t line = 0; line < lines; ++line) {
      Value start = arith::AddIOp::create(
          b, base, arith::ConstantIndexOp::create(b, line * lead));
      Value values = vector::LoadOp::create(b, lineType, flat, start);
      loaded = vector::InsertOp::create(b, values, loaded, line);
    }
    if (transpose)
      loaded = vector::TransposeOp::create(b, loaded, {1, 0});
    rewriter.replaceOp(op, loaded);
    return success();
  }
};

struct StoreMatrixFromVector
    : OpConversionPattern<gpu::SubgroupMmaStoreMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(gpu::SubgroupMmaStoreMatrixOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value fragment = adaptor.getSrc();
    if (op.getTranspose().value_or(false))
      fragment = vector::TransposeOp::create(b, fragment, {1, 0});
    auto [flat, base] =
        flatView(b, adaptor.getDstMemref(), adaptor.getIndices());
    int64_t lead = op.getLeadDimension().getSExtValue();
    auto type = cast<VectorType>(fragment.getType());
    for (int64_t line = 0; line < type.getDimSize(0); ++line) {
      Value start = arith::AddIOp::create(
          b, base, arith::ConstantIndexOp::create(b, line * lead));
      Value values = vector::ExtractOp::create(b, fragment, line);
      vector::StoreOp::create(b, values, flat, start);
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct ComputeAsContract : OpConversionPattern<gpu::SubgroupMmaComputeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(gpu::SubgroupMmaComputeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    // The fragments are logical matrices whatever their loads' layout, so
    // a_transpose and b_transpose (hints for the NVVM lowering) are moot.
    Value acc = adaptor.getOpC();
    auto accType = cast<VectorType>(acc.getType());
    Type element = accType.getElementType();
    auto widen = [&](Value v) -> Value {
      auto type = cast<VectorType>(v.getType());
      if (type.getElementType() == element)
        return v;
      auto wide = type.clone(element);
      if (isa<FloatType>(element))
        return arith::ExtFOp::create(b, wide, v);
      return arith::ExtSIOp::create(b, wide, v);
    };
    MLIRContext *ctx = b.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto maps = b.getAffineMapArrayAttr({AffineMap::get(3, 0, {m, k}, ctx),
                                         AffineMap::get(3, 0, {k, n}, ctx),
                                         AffineMap::get(3, 0, {m, n}, ctx)});
    auto iterators = b.getArrayAttr(
        {vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
         vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
         vector::IteratorTypeAttr::get(ctx, vector::IteratorType::reduction)});
    Value result = vector::ContractionOp::create(b, widen(adaptor.getOpA()),
                                                 widen(adaptor.getOpB()), acc,
                                                 maps, iterators);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantMatrixAsBroadcast
    : OpConversionPattern<gpu::SubgroupMmaConstantMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(gpu::SubgroupMmaConstantMatrixOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(
        op, fragmentVector(cast<gpu::MMAMatrixType>(op.getRes().getType())),
        adaptor.getValue());
    return success();
  }
};

LogicalResult convertFragments(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  TypeConverter converter;
  converter.addConversion([](Type type) { return type; });
  converter.addConversion(
      [](gpu::MMAMatrixType type) -> Type { return fragmentVector(type); });
  ConversionTarget target(*ctx);
  target.addLegalDialect<arith::ArithDialect, memref::MemRefDialect,
                         vector::VectorDialect>();
  target.addIllegalOp<gpu::SubgroupMmaLoadMatrixOp,
                      gpu::SubgroupMmaStoreMatrixOp, gpu::SubgroupMmaComputeOp,
                      gpu::SubgroupMmaConstantMatrixOp>();
  target.markUnknownOpDynamicallyLegal([&](Operation *op) {
    return converter.isLegal(op->getOperandTypes()) &&
           converter.isLegal(op->getResultTypes());
  });
  RewritePatternSet patterns(ctx);
  patterns.add<LoadMatrixToVector, StoreMatrixFromVector, ComputeAsContract,
               ConstantMatrixAsBroadcast>(converter, ctx);
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
  return applyPartialConversion(module, target, std::move(patterns));
}

/// `type` without a memory space of the GPU dialect.
std::optional<Type> withoutGpuMemorySpace(MemRefType type) {
  if (!isa_and_nonnull<gpu::AddressSpaceAttr>(type.getMemorySpace()))
    return std::nullopt;
  return MemRefType::get(type.getShape(), type.getElementType(),
                         type.getLayout());
}

struct AttnEmulateGpuKernelsPass
    : sdpa::impl::AttnEmulateGpuKernelsPassBase<AttnEmulateGpuKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The shared memory of the emulated block must hold the largest launch.
    int64_t sharedBytes = 0;
    WalkResult sized = module.walk([&](gpu::LaunchFuncOp launch) {
      Value size = launch.getDynamicSharedMemorySize();
      if (!size)
        return WalkResult::advance();
      std::optional<int64_t> bytes = getConstantIntValue(size);
      if (!bytes) {
        launch.emitOpError()
            << "has a dynamic shared memory size that is not a constant; "
               "the GPU emulator needs it at compile time";
        return WalkResult::interrupt();
      }
      sharedBytes = std::max(sharedBytes, *bytes);
      return WalkResult::advance();
    });
    if (sized.wasInterrupted())
      return signalPassFailure();

    // Only the kernels remain, moved out of their gpu.modules.
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    for (Operation &op :
         llvm::make_early_inc_range(module.getBody()->getOperations()))
      if (!isa<gpu::GPUModuleOp>(op))
        op.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
    EmulatorCalls calls = declareEmulatorCalls(module);
    declareSharedMemory(module, sharedBytes);
    auto sharedType = MemRefType::get({std::max<int64_t>(sharedBytes, 1)},
                                      IntegerType::get(&getContext(), 8));
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    SmallVector<func::FuncOp> kernels;
    for (gpu::GPUModuleOp gpuModule : gpuModules) {
      for (Operation &op : llvm::make_early_inc_range(
               gpuModule.getBody()->without_terminator())) {
        // Device globals (tensor constants the kernels read) and helper
        // functions become the CPU module's.
        if (isa<memref::GlobalOp, func::FuncOp>(op)) {
          op.moveBefore(module.getBody(), module.getBody()->end());
          continue;
        }
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel || !kernel.isKernel()) {
          op.emitOpError() << "is not a kernel, a global or a function; the "
                              "GPU emulator does not run it";
          return signalPassFailure();
        }
        if (kernel.getNumWorkgroupAttributions() ||
            kernel.getNumPrivateAttributions()) {
          kernel.emitOpError() << "has workgroup or private attributions, "
                                  "which the GPU emulator does not support";
          return signalPassFailure();
        }
        auto fn = func::FuncOp::create(
            b, kernel.getLoc(),
            (sdpa::kEmulatedBodyPrefix + kernel.getName()).str(),
            kernel.getFunctionType());
        fn.getBody().takeBody(kernel.getBody());
        fn.walk([&](gpu::ReturnOp ret) {
          OpBuilder rb(ret);
          func::ReturnOp::create(rb, ret.getLoc(), ret.getOperands());
          ret.erase();
        });
        kernels.push_back(fn);
      }
      gpuModule.erase();
    }
    // Memory spaces first, so that the replacements below see CPU types.
    AttrTypeReplacer replacer;
    replacer.addReplacement(withoutGpuMemorySpace);
    replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/true,
                                          /*replaceLocs=*/false,
                                          /*replaceTypes=*/true);
    for (func::FuncOp fn : kernels)
      if (failed(WarpMatrixEmulation(fn, calls).run()) ||
          failed(emulateAsyncCopies(fn, calls)) ||
          failed(replaceThreadOps(fn, calls, sharedType)))
        return signalPassFailure();
    if (failed(convertFragments(module)))
      return signalPassFailure();
  }
};

} // namespace
