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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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

constexpr StringLiteral kBodyPrefix = "__sdpa_emu_body_";
constexpr StringLiteral kSharedName = "__sdpa_emu_shared";
constexpr StringLiteral kSharedSizeName = "__sdpa_emu_shared_size";

/// The emulator's functions the kernels call (see the emulator's header).
struct EmulatorCalls {
  func::FuncOp threadId, blockId, blockDim, gridDim, barrier, shuffle;
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
      Type i32 = b.getI32Type(), i64 = b.getI64Type();
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
  Value position = arith::ConstantIndexOp::create(b, 0);
  for (auto [index, stride] : llvm::zip(indices, metadata.getStrides()))
    position = arith::AddIOp::create(b, position,
                                     arith::MulIOp::create(b, index, stride));
  return {flat, position};
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
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel || !kernel.isKernel()) {
          op.emitOpError() << "is not a kernel; the GPU emulator runs only "
                              "gpu.func kernels";
          return signalPassFailure();
        }
        if (kernel.getNumWorkgroupAttributions() ||
            kernel.getNumPrivateAttributions()) {
          kernel.emitOpError() << "has workgroup or private attributions, "
                                  "which the GPU emulator does not support";
          return signalPassFailure();
        }
        auto fn = func::FuncOp::create(b, kernel.getLoc(),
                                       (kBodyPrefix + kernel.getName()).str(),
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
      if (failed(replaceThreadOps(fn, calls, sharedType)))
        return signalPassFailure();
    if (failed(convertFragments(module)))
      return signalPassFailure();
  }
};

} // namespace
