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
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
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
  let hasCanonicalizer = 1;

  let extraClassDeclaration = [{
    /// Number of leading batch dims N... (query rank - 3).
    int64_t getBatchRank() { return getQuery().getType().getRank() - 3; }
    /// The scale applied to q.k: the `scale` attribute, else 1/sqrt(E).
    /// Fails when E is dynamic and no scale is given.
    ::mlir::FailureOr<double> getEffectiveScale();
  }];
}


//===----------------------------------------------------------------------===//
// Kernel-level ops: what attn.sdpa becomes on its way to a target.
//===----------------------------------------------------------------------===//

def Attn_BlockOp : Attn_Op<"block", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DestinationStyleOpInterface]> {
  let summary = "attention of one query block against one key/value head";
  let description = [{
    The unit of work that `--attn-tile` cuts `attn.sdpa` into: the rows of
    one query block of one (batch, query head), attending to the keys and
    values of the head it reads. Operands are 2-D: `query` `[Lb, E]`, `key`
    `[S, E]`, `value` `[S, Ev]`, and `mask` (optional) `[1 or Lb, 1 or S]`
    broadcast to `[Lb, S]`. The op is in destination-passing style: `outs`
    holds `out` `[Lb, Ev]` (element type of `query`, or f32: split-K's
    partial outputs stay in the accumulator's precision) and optionally
    `lse` `[Lb]` (f32). On tensors it returns the updated `outs`; after
    bufferization it works on memrefs and returns nothing.

    Index operands place the block in the whole problem:
    - `rows(%row, %diag)`: the absolute query row of local row 0 (dropout
      draws use it) and the aligned row of local row 0 (`row`, plus
      `S - L` for `bottom_right`), which `causal` and `window` compare with
      key columns exactly as in `attn.sdpa`;
    - `head(%batch, %head)`: the flattened batch index and the query head,
      for dropout's counter;
    - `keys(%begin, %end)`: the key columns that may be visited. Columns
      outside it are treated as excluded; `--attn-tile` narrows it to the
      key blocks that causal alignment and the window do not exclude.

    `scale` is the effective scale (the default already resolved). `tiles
    [Bq, Bk]` gives the most rows a block has and the key block size the
    online softmax walks the keys with.
  }];
  let arguments = (ins
    AnyShaped:$query,
    AnyShaped:$key,
    AnyShaped:$value,
    Optional<AnyShaped>:$mask,
    Optional<I64>:$seed,
    Index:$row,
    Index:$diag,
    Index:$batch,
    Index:$head,
    Index:$key_begin,
    Index:$key_end,
    Variadic<AnyShaped>:$outs,
    UnitAttr:$causal,
    OptionalAttr<DenseI64ArrayAttr>:$window,
    F64Attr:$scale,
    OptionalAttr<F64Attr>:$softcap,
    OptionalAttr<F64Attr>:$dropout,
    DenseI64ArrayAttr:$tiles
  );
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`seed` `(` $seed^ `)`)?
    `rows` `(` $row `,` $diag `)`
    `head` `(` $batch `,` $head `)`
    `keys` `(` $key_begin `,` $key_end `)`
    (`causal` $causal^)?
    (`window` $window^)?
    `scale` $scale
    (`softcap` $softcap^)?
    (`dropout` $dropout^)?
    `tiles` $tiles
    `outs` `(` $outs `:` type($outs) `)`
    attr-dict `:` type($query) `,` type($key) `,` type($value)
    (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutsMutable();
    }
    /// The most rows of a block and the key block size.
    int64_t getBlockRows() { return getTiles()[0]; }
    int64_t getBlockKeys() { return getTiles()[1]; }
    /// The `out` and (optional) `lse` destinations.
    ::mlir::Value getOut() { return getOuts()[0]; }
    ::mlir::Value getLse() {
      return getOuts().size() > 1 ? getOuts()[1] : ::mlir::Value();
    }
  }];
}

def Attn_LaunchOp : Attn_Op<"launch",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "run a function once per block of a grid on the CPU runtime";
  let description = [{
    Calls `kernel` for every block index in `[0, blocks)`, in parallel on
    the CPU runtime's thread pool, and returns when all have run. The kernel
    is a `func.func` taking the `captures` followed by two `index` operands,
    `begin` and `end`: it runs the blocks of that half-open range, so the
    runtime hands out contiguous chunks. Grid loops become launches when
    `--attn-outline-cpu-grid` outlines their bodies.
  }];
  let arguments = (ins
    FlatSymbolRefAttr:$kernel,
    Variadic<AnyType>:$captures,
    Index:$blocks
  );
  let assemblyFormat = [{
    $kernel `(` $captures `)` `blocks` `(` $blocks `)` attr-dict
    `:` functional-type($captures, results)
  }];
}

#endif // SDPA_DIALECTS_ATTN_ATTNOPS_TD
