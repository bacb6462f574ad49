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
namespace func {
class FuncDialect;
} // namespace func
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace math {
class MathDialect;
} // namespace math
namespace memref {
class MemRefDialect;
} // namespace memref
namespace vector {
class VectorDialect;
} // namespace vector
namespace scf {
class SCFDialect;
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

/// Patterns of --attn-raise-sdpa: replace an unfused attention graph on
/// tensors (rooted at its P.V contraction) by one attn.sdpa.
void populateAttnRaiseSdpaPatterns(mlir::RewritePatternSet &patterns);

/// Patterns of --attn-fold-kv-broadcast: make attn.sdpa read key and value
/// from before a repeat_interleave of their heads.
void populateAttnFoldKVBroadcastPatterns(mlir::RewritePatternSet &patterns);

/// Tiles one attn.sdpa into a grid of attn.block (see --attn-tile). Emits an
/// error on the op and fails when it cannot.
mlir::LogicalResult tileSdpaOp(mlir::RewriterBase &rewriter, attn::SdpaOp op,
                               int64_t blockRows, int64_t blockKeys);
void populateAttnTilePatterns(mlir::RewritePatternSet &patterns,
                              int64_t blockRows = 64, int64_t blockKeys = 64);

/// Lowers one bufferized attn.block to vector code (see
/// --attn-online-softmax). Emits an error on the op and fails when it cannot.
mlir::LogicalResult lowerBlockOp(mlir::RewriterBase &rewriter, attn::BlockOp op,
                                 int64_t vectorBits);
void populateAttnOnlineSoftmaxPatterns(mlir::RewritePatternSet &patterns,
                                       int64_t vectorBits = 256);

void populateAttnApproximateMathPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace sdpa

#endif // SDPA_PASSES_PASSES_H
