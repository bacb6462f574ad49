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

    Recognised repeats of `x : [N..., Hkv, S, D]`, each followed by a
    `tensor.collapse_shape` (or a `tosa.reshape`) that merges `[Hkv, G]`
    into one head dim:
    - `linalg.broadcast` of `x` inserting `G` right after the head dim;
    - a `linalg.generic` copy that broadcasts `x` along a new dim after the
      head dim, or broadcasts the unit dim that a `tensor.expand_shape` or a
      `tosa.reshape` inserted there (torch's `x[:, :, None].expand(...)`);
    - `tosa.tile` by `G` of that unit dim (TOSA's repeat_interleave).
    TOSA forms need static shapes, which fix what the reshapes do.

    Key and value are folded together or not at all, and only with the same
    `G`. A repeat in the other order (torch's `.repeat`, where head `h` is
    head `h % Hkv` of the original) is not a `repeat_interleave` and is left
    alone, as is anything else the pass does not fully understand.
  }];
  let dependentDialects = ["::sdpa::attn::AttnDialect"];
}

#endif // SDPA_PASSES_PASSES_TD
