//===- LowerBf16MmaSync.cpp - bf16 nvgpu.mma.sync to nvvm.mma.sync --------===//
//
// --attn-lower-bf16-mma-sync lowers the bf16 form of nvgpu.mma.sync, which
// upstream's convert-nvgpu-to-nvvm does not know, to nvvm.mma.sync: the
// fragments' pairs of bf16 become the i32 registers the instruction takes
// (element 0 in the low half, as for f16x2), the f32 accumulator stays four
// registers. The fragment layout is the same as for f16, so the f16 and
// bf16 kernels differ in this op only.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNLOWERBF16MMASYNCPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;

namespace {

struct Bf16MmaSyncToNvvm : OpRewritePattern<nvgpu::MmaSyncOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nvgpu::MmaSyncOp op,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<VectorType>(op.getMatrixA().getType());
    auto bType = cast<VectorType>(op.getMatrixB().getType());
    auto cType = cast<VectorType>(op.getMatrixC().getType());
    SmallVector<int64_t> shape;
    for (Attribute a : op.getMmaShape())
      shape.push_back(cast<IntegerAttr>(a).getInt());
    if (!aType.getElementType().isBF16())
      return failure();
    if (shape != SmallVector<int64_t>{16, 8, 16} ||
        !bType.getElementType().isBF16() || !cType.getElementType().isF32() ||
        aType.getShape() != ArrayRef<int64_t>{4, 2} ||
        bType.getShape() != ArrayRef<int64_t>{2, 2} ||
        cType.getShape() != ArrayRef<int64_t>{2, 2})
      return rewriter.notifyMatchFailure(
          op, "only m16n8k16 bf16 with f32 accumulation is lowered");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type i32 = b.getI32Type(), f32 = b.getF32Type();
    // Row r of the fragment, a pair of bf16, as one i32 register.
    auto registers = [&](Value fragment, int64_t rows) {
      SmallVector<Value> regs;
      for (int64_t r = 0; r < rows; ++r) {
        Value pair = vector::ExtractOp::create(b, fragment, r);
        Value packed =
            vector::BitCastOp::create(b, VectorType::get({1}, i32), pair);
        regs.push_back(vector::ExtractOp::create(b, packed, 0));
      }
      return regs;
    };
    SmallVector<Value> a = registers(op.getMatrixA(), 4);
    SmallVector<Value> bRegs = registers(op.getMatrixB(), 2);
    SmallVector<Value> c;
    for (int64_t v = 0; v < 4; ++v)
      c.push_back(vector::ExtractOp::create(b, op.getMatrixC(),
                                            ArrayRef<int64_t>{v / 2, v % 2}));
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, f32));
    Value d = NVVM::MmaOp::create(
        b, resultType, a, bRegs, c, shape, /*b1Op=*/std::nullopt,
        /*intOverflow=*/std::nullopt,
        std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                      NVVM::MMATypes::bf16},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    SmallVector<Value> results;
    for (int64_t v = 0; v < 4; ++v)
      results.push_back(LLVM::ExtractValueOp::create(b, d, v));
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(op, cType, results);
    return success();
  }
};

struct AttnLowerBf16MmaSyncPass
    : sdpa::impl::AttnLowerBf16MmaSyncPassBase<AttnLowerBf16MmaSyncPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<Bf16MmaSyncToNvvm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
