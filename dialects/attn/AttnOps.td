//===- AttnOps.td - attn dialect operations ----------------*- tablegen -*-===//
//
// attn.sdpa: scaled-dot-product attention with its full semantics.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_DIALECTS_ATTN_ATTNOPS_TD
#define SDPA_DIALECTS_ATTN_ATTNOPS_TD

include "dialects/attn/AttnDialect.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Attn_SdpaOp : Attn_Op<"sdpa", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>]> {
  let summary = "scaled-dot-product attention";
  let description = [{
    Computes attention over tensors with zero or more leading batch dims
    `N...`:

    | operand / result | shape                  | element type                 |
    |------------------|------------------------|------------------------------|
    | `query`          | `[N..., Hq, L, E]`     | f16, bf16, f32 or f64        |
    | `key`            | `[N..., Hkv, S, E]`    | as `query`                   |
    | `value`          | `[N..., Hkv, S, Ev]`   | as `query`                   |
    | `mask` (opt.)    | broadcastable to `[N..., Hq, L, S]` | i1 or a float type |
    | `seed` (opt.)    | scalar                 | i64                          |
    | `out`            | `[N..., Hq, L, Ev]`    | as `query`                   |
    | `lse` (opt.)     | `[N..., Hq, L]`        | f32                          |

    `Hq` must be a multiple of `Hkv`; query head `h` reads key/value head
    `h / (Hq / Hkv)` (grouped-query attention; `Hkv = 1` is multi-query
    attention). No repeated key or value is ever materialised. `Ev` may differ
    from `E`. The mask broadcasts by numpy's rules with trailing dims aligned.

    For query row `i` and key column `j` of one (batch, head):

    ```
    s = (q_i . k_j) * scale              scale defaults to 1/sqrt(E)
    s = softcap * tanh(s / softcap)      if softcap is set
    s = s + mask[i, j]                   float mask
    s = -inf where mask[i, j] is false   i1 mask
    s = -inf where causal or the window excludes (i, j)
    p = softmax_j(s)
    p = keep(i, j) ? p / (1 - dropout) : 0   if dropout is set
    out_i = sum_j p_ij * v_j
    lse_i = log(sum_j exp(s_ij))         natural log, before dropout
    ```

    `causal` and `window` are placed by `align`: with `top_left` the aligned
    row is `i' = i` (PyTorch's `is_causal`), with `bottom_right` it is
    `i' = i + S - L`. `causal` keeps `j <= i'`; `window [left, right]` keeps
    `i' - left <= j <= i' + right`. Causal, window and mask combine: all of
    them must allow `(i, j)`. A row in which every score is `-inf` yields 0 in
    `out` and `-inf` in `lse`, never NaN. Arithmetic accumulates in f32 (f64
    for f64 operands).

    Dropout is reproducible across targets: element `(b, h, i, j)`, with `b`
    the row-major flattened batch index and `h` the query head, draws word
    `j & 3` of Philox-4x32-10 with counter `{j >> 2, i, h, b}` and key
    `{seed & 0xffffffff, seed >> 32}`, and is dropped when the draw is below
    `min(floor(dropout * 2^32), 2^32 - 1)`.

    Example, a grouped-query decode step with a sliding window:

    ```mlir
    %out, %lse = attn.sdpa %q, %k, %v causal window [4096, 0]
        align bottom_right scale 0.088388347648318433
        : tensor<4x32x1x128xf16>, tensor<4x8x8192x128xf16>,
          tensor<4x8x8192x128xf16> -> tensor<4x32x1x128xf16>, tensor<4x32x1xf32>
    ```
  }];

  let arguments = (ins
    AnyRankedTensor:$query,
    AnyRankedTensor:$key,
    AnyRankedTensor:$value,
    Optional<AnyRankedTensor>:$mask,
    Optional<I64>:$seed,
    UnitAttr:$causal,
    OptionalAttr<DenseI64ArrayAttr>:$window,
    OptionalAttr<Attn_AlignmentAttr>:$align,
    OptionalAttr<F64Attr>:$scale,
    OptionalAttr<F64Attr>:$softcap,
    OptionalAttr<F64Attr>:$dropout
  );
  let results = (outs
    AnyRankedTensor:$out,
    Optional<AnyRankedTensor>:$lse
  );

  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`causal` $causal^)?
    (`window` $window^)?
    (`align` `` $align^)?
    (`scale` $scale^)?
    (`softcap` $softcap^)?
    (`dropout` $dropout^)?
    (`seed` `(` $seed^ `)`)?
    attr-dict `:` type($query) `,` type($key) `,` type($value)
    `->` type($out) (`,` type($lse)^)?
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// Number of leading batch dims N... (query rank - 3).
    int64_t getBatchRank() { return getQuery().getType().getRank() - 3; }
    /// The scale applied to q.k: the `scale` attribute, else 1/sqrt(E).
    /// Fails when E is dynamic and no scale is given.
    ::mlir::FailureOr<double> getEffectiveScale();
  }];
}

#endif // SDPA_DIALECTS_ATTN_ATTNOPS_TD
