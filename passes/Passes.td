//===- Passes.td - sdpa's passes ----------------------------*- tablegen -*-===//
//
// Every transformation and conversion of sdpa, usable alone from sdpa-opt and
// from C++.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_PASSES_TD
#define SDPA_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnFoldKVBroadcastPass : Pass<"attn-fold-kv-broadcast"> {
  let summary = "Fold a repeat of key/value heads into attn.sdpa's head mapping";
  let description = [{
    Grouped-query attention graphs exported from frameworks repeat each key
    and value head `G` times before the attention (`repeat_interleave` over
    the head dim: head `h` of the repeated tensor is head `h / G` of the
    original). `attn.sdpa` reads key/value head `h / (Hq / Hkv)` for query
    head `h` by itself, so the repeat is redundant: this pass makes
    `attn.sdpa` read the original key and value and lets the repeat die, so
    no repeated K/V is ever built.

    The pass follows each of key and value back through data movement ops
    with static shapes (`tensor.collapse_shape`, `tensor.expand_shape`,
    `linalg.broadcast`, `linalg.transpose`, `linalg.generic` copies,
    `tosa.reshape`, `tosa.tile`, `tosa.transpose`) and proves, with integer
    constraints on tensor coordinates (MLIR's Presburger library), which
    earlier tensor the operand repeats the heads of. Every spelling of the
    repeat is therefore recognised: `linalg.broadcast` plus
    `tensor.collapse_shape`, torch's `x[:, :, None].expand(...).reshape(...)`
    as torch-mlir lowers it, TOSA's reshape/tile/reshape before or after
    upstream `tosa-to-linalg`, with transposes anywhere along the way.

    Key and value are folded together or not at all, and only with the same
    `G`. A repeat in the other order (torch's `.repeat`, where head `h` is
    head `h % Hkv` of the original) is not a `repeat_interleave`: the proof
    fails and the graph is left alone, as is anything with dynamic shapes or
    ops outside the list above.
  }];
  let dependentDialects = ["::sdpa::attn::AttnDialect"];
}

#endif // SDPA_PASSES_PASSES_TD
