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
} // namespace mlir

namespace sdpa {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Patterns of --attn-fold-kv-broadcast: make attn.sdpa read key and value
/// from before a repeat_interleave of their heads.
void populateAttnFoldKVBroadcastPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace sdpa

#endif // SDPA_PASSES_PASSES_H
