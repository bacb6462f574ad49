//===- Passes.h - sdpa's passes --------------------------------*- C++ -*-===//
//
// Pass constructors, pattern populators and registration for every pass in
// passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_PASSES_H
#define SDPA_PASSES_PASSES_H

#include "dialects/attn/AttnDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class RewriterBase;
namespace arith {
class ArithDialect;
} // namespace arith
namespace bufferization {
class BufferizationDialect;
} // namespace bufferization
namespace cf {
class ControlFlowDialect;
} // namespace cf
namespace func {
class FuncDialect;
class FuncOp;
} // namespace func
namespace gpu {
class GPUDialect;
class GPUModuleOp;
} // namespace gpu
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace NVVM {
class NVVMDialect;
} // namespace NVVM
namespace math {
class MathDialect;
} // namespace math
namespace memref {
class MemRefDialect;
} // namespace memref
namespace nvgpu {
class NVGPUDialect;
} // namespace nvgpu
namespace vector {
class VectorDialect;
} // namespace vector
namespace scf {
class SCFDialect;
class ForallOp;
class ParallelOp;
} // namespace scf
namespace tensor {
class TensorDialect;
} // namespace tensor
} // namespace mlir

namespace sdpa::attn {
class BlockOp;
class SdpaOp;
} // namespace sdpa::attn

namespace sdpa {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// The name --attn-shape-function gives the shape function of `entry`:
/// `__sdpa_shapes_<entry>`.
std::string shapeFunctionName(llvm::StringRef entry);

/// Whether --attn-shape-function considers `func` (public or not): it has a
/// dynamic dim in its signature, or computes tensors of dynamic shape at
/// its top level. In the second case the shape function may be dropped
/// (nothing left to check at run time).
bool needsShapeFunction(mlir::func::FuncOp func);

/// The attribute of a shape function that holds its rules' messages, in
/// the order of their status codes.
inline constexpr llvm::StringLiteral kShapeChecksAttrName = "attn.shape_checks";

/// The prefix --attn-emulate-gpu-kernels gives a kernel's one-thread CPU
/// function, whose entry point --attn-emulation-entry-points adds.
inline constexpr llvm::StringLiteral kEmulatedBodyPrefix = "__sdpa_emu_body_";

/// Patterns of --attn-raise-sdpa: replace an unfused attention graph on
/// tensors (rooted at its P.V contraction) by one attn.sdpa.
void populateAttnRaiseSdpaPatterns(mlir::RewritePatternSet &patterns);

/// Patterns of --attn-fold-kv-broadcast: make attn.sdpa read key and value
/// from before a repeat_interleave of their heads.
void populateAttnFoldKVBroadcastPatterns(mlir::RewritePatternSet &patterns);

/// Patterns of --attn-pack-query-groups: run the query heads of a GQA group
/// of a one-row attention as the rows of one attention.
void populateAttnPackQueryGroupsPatterns(mlir::RewritePatternSet &patterns);

/// Patterns of --attn-split-value-dim: attention whose static Ev exceeds
/// `maxValueDim` as attentions over slices of V's columns.
void populateAttnSplitValueDimPatterns(mlir::RewritePatternSet &patterns,
                                       int64_t maxValueDim);

/// Patterns of --attn-lower-dynamic-expand-shape: memref.expand_shape with
/// several dynamic dims in one group to memref.reinterpret_cast.
void populateAttnLowerDynamicExpandShapePatterns(
    mlir::RewritePatternSet &patterns);

/// Patterns of --attn-resolve-dynamic-broadcasts: the run-time broadcasts
/// of dynamic dims that tosa-to-linalg emits take the operand as it is,
/// asserting that its dim is the broadcast size.
void populateResolveDynamicBroadcastsPatterns(
    mlir::RewritePatternSet &patterns);

/// Patterns of --attn-normalize-slices: rank-reducing tensor slices that
/// keep some unit dims and drop others drop them all, with a reshape back.
void populateNormalizeSlicesPatterns(mlir::RewritePatternSet &patterns);

/// --attn-specialize-shapes on `func`: its arguments take `shapes` (one
/// per argument, [] for scalars and rank 0), which must fit their types,
/// and the static shapes are carried through the graph to its results.
/// Emits an error on `func` naming the shape that does not fit.
mlir::LogicalResult
specializeShapes(mlir::func::FuncOp func,
                 llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// Patterns of --attn-fold-extracts-into-generics: scalars that
/// tensor.extract reads at constant indices become generic inputs.
void populateFoldExtractsIntoGenericsPatterns(
    mlir::RewritePatternSet &patterns);

/// Patterns of --attn-decompose-aggregated-ops: replace linalg.softmax, and
/// every op implementing linalg's AggregatedOpInterface, by its
/// decomposition into linalg ops.
void populateAttnDecomposeAggregatedOpsPatterns(
    mlir::RewritePatternSet &patterns);

/// Tiles one attn.sdpa into a grid of attn.block (see --attn-tile); a grid
/// of fewer than `minGridBlocks` blocks (0: no limit) splits the keys across
/// blocks and combines their partial results. Emits an error on the op and
/// fails when it cannot. The patterns take `blockRows16` rows (when set)
/// for f16 and bf16 attention with head dims up to 256.
mlir::LogicalResult tileSdpaOp(mlir::RewriterBase &rewriter, attn::SdpaOp op,
                               int64_t blockRows, int64_t blockKeys,
                               int64_t minGridBlocks = 0);
void populateAttnTilePatterns(mlir::RewritePatternSet &patterns,
                              int64_t blockRows = 64, int64_t blockKeys = 64,
                              int64_t minGridBlocks = 0,
                              int64_t blockRows16 = 0);

/// Lowers one bufferized attn.block to vector code (see
/// --attn-online-softmax). Emits an error on the op and fails when it cannot.
mlir::LogicalResult lowerBlockOp(mlir::RewriterBase &rewriter, attn::BlockOp op,
                                 int64_t vectorBits);
void populateAttnOnlineSoftmaxPatterns(mlir::RewritePatternSet &patterns,
                                       int64_t vectorBits = 256);

/// Turns one bufferized attention grid into a gpu.launch of `threads`
/// threads per block (see --attn-map-grid-to-gpu). Emits an error and fails
/// when it cannot.
mlir::LogicalResult mapGridToGpuLaunch(mlir::RewriterBase &rewriter,
                                       mlir::scf::ForallOp grid,
                                       int64_t threads);

/// Turns one outermost scf.parallel into a gpu.launch of a thread per
/// iteration (see --attn-map-parallel-loops-to-gpu). Emits an error and
/// fails when it cannot.
mlir::LogicalResult mapParallelLoopToGpuLaunch(mlir::RewriterBase &rewriter,
                                               mlir::scf::ParallelOp loop,
                                               int64_t threads);

/// Lowers one bufferized attn.block in a gpu.launch for the threads of a
/// block (see --attn-online-softmax-gpu). Emits an error and fails when it
/// cannot.
/// `wmma` selects WMMA instead of mma.sync for f16 tensor-core products.
mlir::LogicalResult lowerBlockOpForGpu(mlir::RewriterBase &rewriter,
                                       attn::BlockOp op, int64_t sharedLimit,
                                       bool wmma = false);

void populateAttnApproximateMathPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace sdpa

#endif // SDPA_PASSES_PASSES_H
