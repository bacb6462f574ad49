//===- Passes.td - sdpa's passes ----------------------------*- tablegen -*-===//
//
// Every transformation and conversion of sdpa, usable alone from sdpa-opt and
// from C++.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_PASSES_TD
#define SDPA_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnRaiseSdpaPass : Pass<"attn-raise-sdpa"> {
  let summary = "Replace unfused attention graphs on tensors by attn.sdpa";
  let description = [{
    Framework exporters hand over attention as an unfused graph:
    `softmax(Q.K^T * scale + mask) . V` spelled with linalg ops on tensors
    (torch-mlir style), or with TOSA ops that upstream `tosa-to-linalg` has
    lowered. This pass recognises such a graph and replaces it by one
    `attn.sdpa` that computes the same values, so the rest of the pipeline
    can fuse it.

    The pattern is rooted at the contraction computing `P.V` and proves the
    whole graph feeding it. Each tensor on the way is described by what its
    dims hold (batch, query row, key column, feature), so the graph may move
    between rank-3 `[B*H, L, S]` and rank-4 `[B, H, L, S]` forms with
    `tensor.expand_shape` / `tensor.collapse_shape` (or `tosa.reshape`),
    transpose, and broadcast in indexing maps anywhere. Recognised:

    - `Q.K^T` and `P.V` as `linalg.matmul`, `linalg.batch_matmul` (with or
      without transposed `indexing_maps`), `linalg.contract` or any
      `linalg.generic` contraction over one dim with any batch dims (and so
      `tosa.matmul`); `K^T` may be a transpose or an indexing map;
    - the scale as multiplications or divisions of the scores by constants
      (splat tensors or scalars, also rounded by `arith.truncf`), or as
      constants multiplied into Q or K; the raised `scale` is their product;
    - run-time scales the same way: a float scalar from outside the linalg
      body (a function argument, a value computed before), a 0-d or
      one-element tensor read by the op or by `tensor.extract`, or a tensor
      filled with such a scalar, multiplying or dividing the scores, Q or K.
      The raised graph multiplies (divides) Q by them in a new elementwise
      `linalg.generic` before `attn.sdpa`, whose `scale` is then the product
      of the constant factors alone (1.0 when there are none). The product
      is computed in f32 (f64 for f64 operands or factors) and rounded back
      to Q's element type: for f16/bf16 Q that one rounding of `Q * s` is
      within the tolerance of attention in those types;
    - `softcap * tanh(s / softcap)`, with the constant and run-time scales
      under the `tanh` (a run-time factor outside it is not raised);
    - an additive float mask of any broadcastable shape; a boolean mask
      applied by `select(m, s, -inf)` (or `select(m, -inf, s)`, which keeps
      where `m` is false); masks built from `linalg.index` or constant
      aranges compared as `j <= i + c` and `j >= i - c` (by `select` or
      added as `select(cond, 0, -inf)`), which become `causal`, `window` and
      `align` (`top_left` for offset 0, `bottom_right` for `S - L`) instead
      of a mask tensor;
    - softmax over the key columns as `linalg.softmax`, as
      `exp(x - max) / sum` or `exp(x - max) * (1 / sum)` (torch-mlir,
      tosa-to-linalg), or as `exp(log_softmax(x))`, with the max starting at
      `-inf` or the lowest finite value; the max as `arith.maximumf`,
      `arith.maxnumf` or `select(x > max, x, max)` (optionally
      `or isnan(x)`), also in torch-mlir's two-result `aten.max.dim` generic
      whose index result is unused; a reduction body may compute its
      operand first (`exp(x - max)` fused into the sum). A max that ignores
      NaN differs from `maximumf` only on rows with a NaN score, which are
      NaN either way;
    - `arith.extf` / `arith.truncf` anywhere between the contractions, as
      long as nothing is narrower than the operands (attn.sdpa accumulates
      in f32).

    The pass is conservative: the graph is left as it was when any piece is
    not exactly this, for instance softmax over another axis, an
    intermediate with a use outside the attention, a scale that varies per
    element (a tensor read per row or column), a select that fills with a finite value such as
    `finfo.min` (a fully masked row then averages V instead of giving 0),
    an extra op in the chain, the index of `aten.max.dim` used, two mask
    tensors, or Q, K and V of different element types. Rows that every
    score is masked out of give NaN in the unfused graph and 0 in attn.sdpa.

    Dynamic dims are related through the ops that use them: the dims a
    linalg op indexes with one loop are equal, a reshape keeps each group's
    size, and sizes read with `tensor.dim` (or products and exact quotients
    of them) passed to `tensor.empty` or `tensor.expand_shape` are the dims
    they were read from. A graph exported with dynamic batch and lengths,
    in torch-mlir's linalg or TOSA lowered by `tosa-to-linalg` (whose
    dynamic `tosa.reshape` goes through one flat dim: such a collapse and
    expand are followed as the one reshape they are), is thus
    raised to an `attn.sdpa` with the same dynamic dims, whose reshapes
    compute their sizes from the arguments'; a `tensor.dim` of a replaced
    intermediate (TOSA's broadcast checks) reads the arguments' dims
    instead. Sizes that nothing relates are taken to differ, so a graph that
    needs them equal is left as it was. A mask bound offset by `S - L`
    computed from run-time lengths (`tensor.dim` of the key and the query,
    captured by the masking op) is `bottom_right`, as with static lengths;
    a bound that depends on the lengths otherwise is not recognised.

    Q, K and V are taken from as far back through reshapes and transposes
    as their batch structure allows, so that a repeat of K/V heads (GQA)
    stays visible to `--attn-fold-kv-broadcast`.
  }];
  let dependentDialects = ["::sdpa::attn::AttnDialect",
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"];
}

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
    (`tensor.collapse_shape`, `tensor.expand_shape`,
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
    fails and the graph is left alone, as are ops outside the list above.

    Dynamic dims other than the heads are allowed: their coordinates are
    only bounded below, so what is proved holds for every size, and sizes
    are compared as `--attn-raise-sdpa` relates them. A chain whose
    constraints would multiply a coordinate by a dynamic size (a reshape
    merging heads with a dynamic length) is not followed.
  }];
  let dependentDialects = ["::sdpa::attn::AttnDialect"];
}

def AttnSplitValueDimPass : Pass<"attn-split-value-dim"> {
  let summary = "Split attention with a wide value dim into attentions over "
                "slices of V's columns";
  let description = [{
    Replaces an `attn.sdpa` whose `Ev` is static and larger than
    `max-value-dim` by `ceil(Ev / max-value-dim)` attentions over slices of
    V's last dim (equal widths, multiples of 16, the last one narrower),
    whose outputs are inserted into slices of the output. The result is
    exactly the same: each slice computes the same scores, probabilities,
    dropout draws and LSE (the first slice's is the result's), since none
    of them depends on V. The GPU pipeline runs it so that a kernel's output
    accumulator (`Ev / 2` registers a thread on tensor cores) fits in
    registers; Q.K^T is then computed once per slice.
  }];
  let options = [
    Option<"maxValueDim", "max-value-dim", "int64_t", /*default=*/"256",
           "The widest Ev left as it is (0: never split)">
  ];
  let dependentDialects = ["::sdpa::attn::AttnDialect",
    "::mlir::tensor::TensorDialect"];
}

def AttnPackQueryGroupsPass : Pass<"attn-pack-query-groups"> {
  let summary = "Run the query heads of a GQA group as the rows of one "
                "attention in decode";
  let description = [{
    In a decode step (one query row, `L = 1`) of grouped-query attention,
    every query head of a group attends to the same keys and values, each
    as a separate one-row attention: the kernel reads each K/V head once per
    query head. This pass reshapes such an `attn.sdpa` so that the `G =
    Hq / Hkv` query heads of a group become the `G` rows of one attention
    with `Hkv` heads (`[N..., Hq, 1, E]` to `[N..., Hkv, G, E]`, the same
    memory), and reshapes `out`, `lse` and a per-head mask back and forth
    accordingly. Each K/V tile is then loaded once for the whole group.

    It applies only where the result is exactly the same: static head
    counts, `L = 1`, `G > 1`, no dropout (its draws are keyed by the query
    head and row), no window, and no causal mask unless it is aligned
    `bottom_right`, where with one row it excludes nothing and is dropped.
    Batch dims, `S` and `E` may be dynamic (a KV cache of any length). A
    dynamic `L` (one graph for prefill and decode) is versioned at run
    time: an `scf.if` on `L == 1` runs the packed form, with the query and
    the mask's head and row dims cast to their sizes for one row (which the
    shape function checks, so `--attn-shape-function` runs before this
    pass), and otherwise the attention as written.
  }];
  let dependentDialects = ["::sdpa::attn::AttnDialect",
    "::mlir::tensor::TensorDialect"];
}

def AttnNormalizeSlicesPass : Pass<"attn-normalize-slices"> {
  let summary = "Make rank-reducing tensor slices drop every unit dim";
  let description = [{
    A rank-reducing `tensor.extract_slice` that drops some of the unit dims
    of its sizes and keeps others is ambiguous but for its type: sizes
    `[1, 100, 1, 4, 80]` typed `1x100x4x80`, the query of a packed
    `[B, L, 3, H, E]` projection with `B = 1`. Bufferized with dynamic
    strides (CPU arguments are views), upstream's subview lowering can no
    longer tell which dim was dropped, and picks the wrong one. Such a slice
    becomes one that drops every unit dim, followed by a
    `tensor.expand_shape` back to its type; a `tensor.insert_slice` of the
    same kind gets its source collapsed to the fully reduced type. Reshapes
    that only add or remove unit dims are views of any strided layout:
    nothing is copied.

    ```mlir
    %q = tensor.extract_slice %qkv[0, 0, 0, 0, 0] [1, 100, 1, 4, 80]
        [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<1x100x4x80xbf16>
    // becomes
    %s = tensor.extract_slice %qkv[0, 0, 0, 0, 0] [1, 100, 1, 4, 80]
        [1, 1, 1, 1, 1] : tensor<1x100x3x4x80xbf16> to tensor<100x4x80xbf16>
    %q = tensor.expand_shape %s [[0, 1], [2], [3]] output_shape [1, 100, 4, 80]
        : tensor<100x4x80xbf16> into tensor<1x100x4x80xbf16>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def AttnValidateTosaPass : Pass<"attn-validate-tosa", "::mlir::ModuleOp"> {
  let summary = "Validate TOSA, admitting dynamic dims where no target is "
                "named";
  let description = [{
    Runs upstream `tosa-validate` on a module with TOSA ops. A module
    without `tosa.target_env` is validated as upstream validates it (every
    profile and extension, the default level) but at version 1.1 (draft)
    instead of 1.0: at 1.0 every dynamic dim fails the level check, and
    exporters write dynamic batches and lengths, which the rest of the
    pipeline compiles. A module that names a target is validated against
    it. The module is left as it was.
  }];
}

def AttnResolveDynamicBroadcastsPass : Pass<"attn-resolve-dynamic-broadcasts"> {
  let summary = "Compile the dynamic dims of broadcasting operands as equal, "
                "checked at run time";
  let description = [{
    Where two operands of an elementwise TOSA op both have a dynamic dim,
    either may be 1 at run time and broadcast, so upstream `tosa-to-linalg`
    broadcasts each such dim under an `scf.if`:

    ```mlir
    %one = arith.cmpi eq, %d, %c1 : index   // %d = tensor.dim %x, 0
    %b = scf.if %one -> (tensor<?x?xf32>) {
      %e = tensor.empty(%n, %m) : tensor<?x?xf32>
      %g = linalg.generic {indexing_maps = [(d0, d1) -> (0, d1), (d0, d1) -> (d0, d1)]}
          ins(%x) outs(%e) { linalg.yield %in }   // %x broadcast to %n rows
      scf.yield %g
    } else {
      scf.yield %x
    }
    ```

    Dims of attention graphs that meet in an elementwise op are the same
    batch, heads or lengths; a size-1 dim that broadcasts is written as a
    static 1. With the branches in place, no graph rewrite sees through the
    op (unfused attention is not raised) and the shape function cannot be
    built. This pass takes the operand as it is and asserts what makes that
    exact: its dim equals the broadcast size (`%d == %n`), which holds in
    every run but one where a dynamic 1 broadcasts. That run fails the
    assertion, which the CPU runtime reports with the sizes before running;
    static shapes (`sdpa-compile --shape`) compile that case as well.
  }];
  let dependentDialects = ["::mlir::cf::ControlFlowDialect"];
}

def AttnSpecializeShapesPass
    : Pass<"attn-specialize-shapes", "::mlir::ModuleOp"> {
  let summary = "Make an entry function's dynamic dims static, for the "
                "argument shapes given";
  let description = [{
    The entry function (`entry`, or the only public function with a body)
    takes the static argument shapes of `shapes`, one per argument, sizes
    joined by `x` (`2x8x100x64`) or `scalar`; each must fit the declared
    type (its static dims as they are). The arguments' uses read them through
    `tensor.cast` back to the old type, or directly for TOSA ops, and the
    canonicalizations of every loaded dialect (`attn.sdpa` folds casts of
    its operands and refines its results) with `tosa-infer-shapes` carry the
    static shapes through the graph; returned values take the static types
    they reach, and so do the function's results. Shapes that contradict
    each other once static (a key batch that is not the query's) fail the
    verifiers, which name them.

    A graph exported with dynamic batch and sequence dims thus compiles for
    the GPU, which needs static shapes, once per shape: `sdpa-compile
    --shape` and `sdpa-run --target=nvptx` run this pass first.

    ```mlir
    func.func @f(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, ...)
        -> tensor<?x8x?x64xf16>
    // with shapes=2x8x100x64,2x2x300x64,2x2x300x64 becomes
    func.func @f(%q: tensor<2x8x100x64xf16>, %k: tensor<2x2x300x64xf16>, ...)
        -> tensor<2x8x100x64xf16>
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"",
           "the function to specialize (default: the only public one)">,
    ListOption<"shapes", "shapes", "std::string",
               "one shape per argument: sizes joined by 'x', or 'scalar'">
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def AttnFoldExtractsIntoGenericsPass
    : Pass<"attn-fold-extracts-into-generics"> {
  let summary = "Make scalars extracted from tensors inputs of the generics "
                "that use them";
  let description = [{
    A scalar that `tensor.extract` reads at constant indices and that
    `linalg.generic` bodies use (a run-time scale exported as a 0-d tensor,
    `%s = tensor.extract %t[]`) becomes an input of each such generic, read
    through an indexing map of constant indices; the extract is left to
    die. The scalar is then read where the generic runs: on a GPU inside the
    kernel, since the host cannot read device memory.

    ```mlir
    %s = tensor.extract %t[] : tensor<f32>
    %r = linalg.generic {indexing_maps = [#id, #id], ...}
        ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %s : f32
      linalg.yield %m : f32
    }
    // becomes
    %r = linalg.generic {indexing_maps = [#id, affine_map<(i, j) -> ()>, #id],
        ...} ins(%x, %t : tensor<4x8xf32>, tensor<f32>) ...
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def AttnDecomposeAggregatedOpsPass : Pass<"attn-decompose-aggregated-ops"> {
  let summary = "Decompose linalg.softmax (and other aggregated linalg ops) "
                "into linalg.generic ops";
  let description = [{
    A `linalg.softmax` that raising leaves alone (softmax over another axis,
    or not part of attention at all) has no lowering to loops upstream:
    this pass replaces it, and any other op implementing linalg's
    `AggregatedOpInterface`, by the linalg ops its `decomposeOperation`
    builds (max, exp of the difference, sum, division), so that the rest of
    either pipeline compiles it like any other linalg op. Run it after
    `--attn-raise-sdpa`, which recognises `linalg.softmax` as it is.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"];
}

def AttnShapeFunctionPass : Pass<"attn-shape-function", "::mlir::ModuleOp"> {
  let summary = "Give entry points with dynamic dims a function computing "
                "their result shapes and checking their argument shapes";
  let description = [{
    A caller of a compiled function with dynamic dims must know the shapes
    of the results before the call (it allocates them), and the kernels
    trust that the argument shapes fit together (the key's batch dim equals
    the query's, a matmul's contraction dims agree): a mismatch would be an
    out-of-bounds access, not an error. For every public function whose
    signature has a dynamic dim, this pass adds a public function
    `__sdpa_shapes_<name>` with the same arguments that returns a
    `tensor<Nxi64>`:

      [status, lhs, rhs, d_0, ..., d_k]

    where d_0..d_k are the dynamic dims of the results in order, and status
    is 0 when every shape rule holds, or 1 + the index of the first rule
    that fails, whose two sides are lhs and rhs. The rules' messages are
    the attribute `attn.shape_checks` (an array of strings, `{lhs}` and
    `{rhs}` standing for the values) on that function. The rules checked
    are, for operations at the top level of the function:

      * attn.sdpa: batch dims of key and value equal the query's, value
        heads equal key heads, key heads divide query heads, E of the key
        equals the query's, S of the value equals the key's, and every mask
        dim but a static 1 equals the dim it masks (`--attn-tile` reads a
        dynamic mask dim in full, never broadcast);
      * linalg structured ops: all operand dims indexed by the same loop
        agree;
      * linalg.softmax: input and output shapes agree;
      * tensor.expand_shape: each group of output dims multiplies to its
        input dim; tensor.cast: a dynamic dim cast to a static one has
        that size; tensor.concat: the dims that are not concatenated agree;
        tensor.extract_slice and insert_slice (positive static strides):
        each slice lies inside its tensor (a KV cache read up to a
        position given as an argument);
      * cf.assert: its condition (exporters such as torch-mlir assert
        shape relations), with its message.

    The function's body is the original's, reduced by reifying result
    shapes (`tensor.dim` of an op becomes arithmetic on its operands'
    dims) and removing what became dead, so it reads only argument dims
    and integer elements of arguments at constant indices (a position
    passed as a rank-0 tensor, as torch.export passes it: the runtimes call
    the function with the inputs' data on the host). A function whose
    result shapes or rules depend on more (on computed tensor contents,
    say) is an error naming the op.
    A function with a static signature that computes tensors of dynamic
    shape at its top level (a slice of a KV cache up to a position given as
    an argument) gets a shape function too, for its rules alone; it is
    dropped when no rule is left to check at run time or when the rules
    depend on computed tensor contents.
    The CPU pipeline runs this pass before tiling, and `sdpa-compile`
    exports the function and writes its rules into the artifact manifest;
    for nvptx it compiles the function alone into the artifact's host
    library.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect", "::mlir::func::FuncDialect"];
}

def AttnTilePass : Pass<"attn-tile"> {
  let summary = "Tile attn.sdpa into a grid of query blocks (attn.block)";
  let description = [{
    Rewrites every `attn.sdpa` into an `scf.forall` over (batch dims, query
    head, query block) whose body is one `attn.block`. A block holds up to
    `block-q` query rows of one (batch, query head) and reads the whole
    key/value head that query head maps to (`h / (Hq / Hkv)`: query heads of
    a group read the same K/V, never a copy). The mask is sliced to what the
    block sees, keeping broadcast dims broadcast.

    With causal alignment or a window, each block's key range is narrowed
    to the key blocks of `block-k` columns that some row of the block may
    attend to, so blocks that are excluded for all its rows are never
    visited. The last query block may be ragged (`L` not a multiple of
    `block-q`).

    Split-K: with `min-grid-blocks` set, an attention whose grid has fewer
    blocks than that, and which fits one query block (decode, short
    prompts) or has at least 32 key blocks (a prompt over a long context),
    splits each row's keys into `P` chunks of whole key blocks, run as `P`
    grid points per query block (one grid dim for both, the split minor);
    a chunk may hold no key a causal or window mask allows, and then
    contributes nothing. A dynamic key length splits only when it is a
    slice of a static dim (a KV cache read up to a position): `P` is chosen
    from that bound, and the chunks from the run-time length (whole key
    blocks, `ceil(ceil(S / block-k) / P)` each). Each writes its chunk's
    normalised output and
    log-sum-exp to partial tensors, and one `linalg.generic` per result
    combines them (`out = sum_p exp(lse_p - M) out_p / sum_p exp(lse_p -
    M)`, `M` the largest `lse_p`), so that a batch of one still fills a
    GPU. Each generic runs over its result's elements and walks the `P`
    splits in its body, so the combine is one kernel for `out` (written
    through the output's transpose, if any) and one for `lse`. f64
    attention is not split: its partial log-sum-exps would be f32, too
    coarse to combine f64 outputs exactly.

    Framework layouts are read in place: when query, key or value is a
    `linalg.transpose` that keeps the feature dim last (torch's
    `[B, L, H, E]` transposed to `[B, H, L, E]`), the tiles are cut from the
    transpose's input, and when the output's only use is such a transpose,
    the grid writes the transposed output directly. The transposes then die
    instead of becoming copies.

    Fails, with a message on the op, when the mask has a dynamic dim (it
    cannot be known to broadcast) or when the default scale needs a dynamic
    head dim.
  }];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"64",
           "Query rows per block (0: by the head dim, 128 up to E = 64, "
           "else 64)">,
    Option<"blockQ16", "block-q-16bit", "int64_t", /*default=*/"0",
           "Query rows per block of f16 and bf16 attention whose head dims "
           "are at most 256 (0: block-q); the GPU's tensor-core kernels "
           "take 128, which halves their reads of K and V">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"64",
           "Key columns per step of the online softmax (0: by the head dim, "
           "like block-q)">,
    Option<"minGridBlocks", "min-grid-blocks", "int64_t", /*default=*/"0",
           "Split the keys of attention whose grid has fewer blocks than "
           "this across blocks (0: never)">
  ];
  let dependentDialects = ["::sdpa::attn::AttnDialect",
    "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"];
}

def AttnStridedArgsPass : Pass<"attn-strided-args", "::mlir::func::FuncOp"> {
  let summary = "Let function arguments be read-only views with a contiguous "
                "innermost dim";
  let description = [{
    Gives every ranked tensor argument of rank >= 1 the attribute
    `bufferization.buffer_layout = strided<[?, ..., ?, 1], offset: ?>`,
    unless it has one, so that one-shot bufferization of function boundaries
    makes it a memref with that layout: the caller may pass a view whose
    outer strides are anything (a slice of a packed QKV projection, a
    `[B, L, H, E]` tensor permuted to `[B, H, L, E]`, a mask expanded over
    heads with stride 0) and the kernel reads them from the descriptor,
    while the static innermost stride keeps `vector.transfer_read` of rows
    contiguous. Results and rank-0 arguments keep identity layouts (the
    runtime allocates results densely).

    Every ranked tensor argument is also marked read-only
    (`bufferization.writable = false`, unless it says otherwise): it is the
    caller's memory, and a view may overlap itself or other arguments, so
    an op must not compute its result in place of an argument (bufferization
    allocates instead).

    The CPU pipeline runs it before bufferizing, and `sdpa-compile` writes
    these arguments' layout as `rows` in the artifact manifest.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def AttnLowerStridedCopiesPass : Pass<"attn-lower-strided-copies"> {
  let summary = "Turn memref.copy of non-contiguous memrefs into linalg.copy";
  let description = [{
    Bufferization copies strided views (of arguments made strided by
    `--attn-strided-args`, when a reshape cannot be a view or a tensor is
    written in place) with `memref.copy`, which the LLVM lowering turns
    into a call to the C runner utilities' `memrefCopy` unless both memrefs
    are contiguous. A compiled artifact links no such library, so every
    `memref.copy` whose source or target is not an identity layout or a
    static contiguous one becomes `linalg.copy` (then loops, with
    `--convert-linalg-to-loops`). Contiguous copies stay `memref.copy`
    (`llvm.memcpy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def AttnPrepareResultBuffersPass
    : Pass<"attn-prepare-result-buffers", "::mlir::func::FuncOp"> {
  let summary = "Give every returned buffer its own allocation in the shape "
                "it is returned in, ready to become an out-parameter";
  let description = [{
    On bufferized functions, before `--buffer-results-to-out-params`, which
    turns a returned `memref.alloc` into the caller's buffer and copies
    anything else into it. Two things are prepared:

    - A returned chain of `memref.expand_shape` / `memref.collapse_shape`
      of an allocation (static shapes, identity layouts): graphs end that
      way when a reshape follows the last kernel, decode's packed GQA rows
      `[B, Hkv, G * L, Ev]` viewed as `[B, Hq, L, Ev]` or an output
      flattened to `[B, L, H * Ev]`. The allocation is made in the returned
      shape instead, its users get the inverse reshapes of it (the same
      elements at the same addresses, as reshapes of identity layouts
      are), and the result is the allocation: the kernel writes the
      caller's buffer, with no copy after it.
    - One allocation that several results reach (`return %r, %r`, or a
      tensor and a reshape of it): the first keeps it, each further result
      gets a copy into a fresh allocation of its own, since one buffer
      cannot be two out-parameters.

    ```mlir
    %a = memref.alloc() : memref<2x2x4x64xf16>
    ...                                 // a kernel writes %a
    %c = memref.collapse_shape %a [[0], [1, 2], [3]] : ... into memref<2x8x64xf16>
    %e = memref.expand_shape %c [[0], [1, 2], [3]] output_shape [2, 8, 1, 64] : ...
    return %e : memref<2x8x1x64xf16>
    ```
    becomes an allocation of `memref<2x8x1x64xf16>` that is returned, and
    the kernel writes its view as `memref<2x2x4x64xf16>`.
  }];
}

def AttnLowerDynamicExpandShapePass
    : Pass<"attn-lower-dynamic-expand-shape"> {
  let summary = "Turn memref.expand_shape with several dynamic dims in a "
                "group into memref.reinterpret_cast";
  let description = [{
    LLVM 22's `--expand-strided-metadata` cannot lower a `memref.expand_shape`
    whose reassociation group holds more than one dynamic dim (it derives
    each group's sizes from the source, which determines only one unknown).
    Graphs with a dynamic batch and sequence length produce exactly that
    when they split a `[B * L, H * E]` projection into `[B, L, H, E]`. This
    pass rewrites such an op into a `memref.reinterpret_cast` of the
    source's base buffer and offset, with the op's `output_shape` as sizes
    and, within each group, strides built from the source dim's stride
    outward (innermost dim first). Other expand_shape ops are left to
    upstream. The CPU pipeline runs it right before
    `--expand-strided-metadata`.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
    "::mlir::arith::ArithDialect"];
}

def AttnOnlineSoftmaxPass : Pass<"attn-online-softmax"> {
  let summary = "Lower bufferized attn.block to the online-softmax recurrence";
  let description = [{
    Lowers every `attn.block` on memrefs into vector code: a loop over the
    block's key range in steps of the key tile, keeping per query row a
    running max, a running sum and an f32 accumulator (f64 for f64 inputs)
    rescaled by `exp(m_old - m_new)` when the max grows. Q.K^T and P.V are
    register-blocked outer products over stack tiles; packing converts f16
    and bf16 to f32 and zero-fills ragged edges. Key blocks that the key
    range, causal alignment or the window cut through mask per element; the
    others do not. Rows whose scores are all `-inf` give 0 and an `lse` of
    `-inf`. Operands read rows with vector loads whenever their innermost
    stride is 1, whatever the other strides (entry arguments are views, see
    `--attn-strided-args`); the copy of an f32/f64 value block is versioned
    on the row stride so that adjacent rows copy as one run.

    Dropout draws Philox-4x32-10 per element, vectorized over the key
    block, exactly as `attn.sdpa` specifies, so the same elements drop as in
    the reference and on every target.

    `vector-bits` is the width of the vectors to use (256 for AVX2, 512 for
    AVX-512, 128 for NEON); the CPU pipeline sets it from the target.
    Dynamic head dims are reported as not supported yet.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "Vector register width in bits">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect"];
}

def AttnOutlineCpuGridPass : Pass<"attn-outline-cpu-grid", "::mlir::ModuleOp"> {
  let summary = "Outline grid loops into kernels the CPU runtime launches";
  let description = [{
    Moves the body of every outermost `scf.forall` (after bufferization, so
    without shared outputs) into a private function `<parent>_grid<N>` that
    takes the values the body uses from above, then a range `[begin, end)`
    of linearized block indices (row-major), and replaces the loop by
    `attn.launch`, which runs the function over the whole grid on the CPU
    runtime's thread pool. Constants are cloned into the kernel rather than
    passed.
  }];
  let dependentDialects = ["::sdpa::attn::AttnDialect",
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect"];
}

def AttnLowerCpuLaunchPass : Pass<"attn-lower-cpu-launch", "::mlir::ModuleOp"> {
  let summary = "Lower attn.launch to calls into the CPU runtime, after LLVM "
                "conversion";
  let description = [{
    Runs once the rest of the module is in the LLVM dialect (before
    `reconcile-unrealized-casts`). Each `attn.launch` becomes: its captures
    stored in a stack struct, and an indirect call through the global
    `__sdpa_parallel_for` (which the runtime sets when it loads the
    artifact) with a trampoline that unpacks the struct and calls the
    kernel for a range of blocks.

    It also gives every function with a C interface (`_mlir_ciface_<name>`)
    a packed entry `__sdpa_entry_<name>(void **args)`, which the runtime
    calls with one pointer per argument: to a memref descriptor, or for a
    scalar argument to a rank-0 descriptor holding it. A module with such an
    entry always defines `__sdpa_parallel_for`, even without launches (a
    grid of one block, a graph without attention), since the runtime sets it
    in every artifact it loads.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def AttnApproximateMathPass : Pass<"attn-approximate-math"> {
  let summary = "Polynomial approximations of f32 exp, tanh and log";
  let description = [{
    Replaces f32 `math.exp`, `math.tanh` and `math.log`, scalar or vector,
    by upstream MLIR's polynomial approximations, so that the softmax of a
    CPU kernel stays in vector registers instead of calling libm once per
    lane. f64 is left to libm.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect", "::mlir::vector::VectorDialect"];
}

def AttnMapGridToGpuPass : Pass<"attn-map-grid-to-gpu"> {
  let summary = "Run attention grids as gpu.launch, one thread block per "
                "grid point";
  let description = [{
    Turns each bufferized `scf.forall` that holds an `attn.block` (the grid
    `--attn-tile` builds over batch dims, heads and query blocks) into a
    `gpu.launch` with one thread block of `threads` threads per grid point.
    The grid is flattened onto the x dimension and unflattened inside the
    kernel. The body is copied into the launch, so it may hold only what
    every thread can run redundantly: index arithmetic, views and
    `attn.block`; anything else is an error naming the op. An `attn.block`
    outside any grid (canonicalization folds a grid of one point away: one
    batch, one head, one query block) becomes a launch of one thread block.
    The launch's dynamic shared memory starts at 0;
    `--attn-online-softmax-gpu` sets it.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"128",
           "Threads per block (--attn-online-softmax-gpu may narrow a "
           "launch to the warps its block has rows for)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect"];
}

def AttnOnlineSoftmaxGpuPass : Pass<"attn-online-softmax-gpu"> {
  let summary = "Lower attn.block inside gpu.launch to the online-softmax "
                "recurrence for a thread block";
  let description = [{
    Lowers every bufferized `attn.block` that sits directly in a
    `gpu.launch` body into SIMT code run by all the threads of the block
    together: query, key and value tiles staged in dynamic shared memory as
    f32, register-tiled Q.K^T and P.V products, one warp per softmax row
    with butterfly shuffles for the row max and sum, and the running max,
    sum and rescaled accumulator of the online softmax. f32, f16 and bf16
    inputs, f32 arithmetic; masks, causal alignment, windows, softcap,
    dropout (the same Philox draws as the CPU and the reference) and LSE.
    For f16 and bf16 with both tile sizes multiples of 16, both products
    run on tensor cores instead, as `tensor-cores` says:

    - `mma-sync` (the default): `nvgpu.mma.sync` m16n8k16 with f32
      accumulation, FlashAttention-2's form. Each warp owns 16-row query
      groups; Q, the scores, the probabilities and the output stay in the
      registers of the fragments (the scores' C fragments are the
      probabilities' A fragments), the row max and sum take two shuffles
      within a quad; only K and V pass through shared memory, in two
      buffers: the next key block's tiles are staged while this one's are
      used, by 16-byte asynchronous copies (`nvgpu.device_async_copy`,
      zero-filled past the keys) where rows are 8-element aligned, else by
      loads and stores; the B fragments come from them by `nvgpu.ldmatrix`
      (transposed for V). Any head dims (padded to 16 with zeros).
    - `wmma` (f16 with the head dim a multiple of 16; bf16 stays SIMT):
      `gpu.subgroup_mma_*` 16x16x16 products whose scores come back to
      shared memory as f32 for the softmax.

    The launch's thread count is the most a block may take: a launch that
    runs nothing but the block is narrowed to a warp per 16 of its query
    rows, at least 4 warps (a 64-row block of a 256-thread launch runs on
    128 threads). Where a block has more 16-row groups than warps and
    every warp as many, each warp computes its groups together, each B
    fragment read once for all of them.

    Sets the launch's dynamic shared memory size (tiles start at multiples
    of 128 bytes), and fails with a message when the tiles need more than
    `shared-memory-limit` bytes.
  }];
  let options = [
    Option<"sharedMemoryLimit", "shared-memory-limit", "int64_t",
           /*default=*/"232448",
           "Most bytes of shared memory a block may use (232448 on sm_90, "
           "166912 on sm_80)">,
    Option<"tensorCores", "tensor-cores", "std::string", /*default=*/"\"mma-sync\"",
           "How f16/bf16 products use tensor cores: mma-sync or wmma">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnExternDynamicSharedPass
    : Pass<"attn-extern-dynamic-shared", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Declare dynamic shared memory as an external PTX array";
  let description = [{
    Runs on a `gpu.module` in the LLVM dialect. Gives the zero-sized
    shared-memory arrays that `gpu.dynamic_shared_memory` lowers to external
    linkage, so that the NVPTX back end declares them
    `.extern .shared .b8 name[]` (the dynamic window) instead of demoting
    them to a one-byte static variable.
  }];
}

def AttnMergeGpuModulesPass
    : Pass<"attn-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Move every kernel into one gpu.module";
  let description = [{
    Moves the kernels of every `gpu.module` into the first one and points
    each `gpu.launch_func` at it, so that an entry function with several
    attention ops compiles to one PTX module. A kernel whose name is taken
    is renamed to its old module's (unique) name. Modules with different
    targets are not merged: that is an error.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def AttnLowerBf16MmaSyncPass : Pass<"attn-lower-bf16-mma-sync"> {
  let summary = "Lower bf16 nvgpu.mma.sync to nvvm.mma.sync";
  let description = [{
    Rewrites `nvgpu.mma.sync` m16n8k16 with bf16 A and B fragments and an
    f32 accumulator, which upstream `convert-nvgpu-to-nvvm` does not lower,
    into `nvvm.mma.sync`: each pair of bf16 of a fragment becomes one i32
    register (element 0 in the low half), the result a vector again. Other
    `nvgpu.mma.sync` ops are left to upstream. Run it before
    `convert-nvgpu-to-nvvm`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnEmulateGpuKernelsPass
    : Pass<"attn-emulate-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Turn the GPU kernels of a module into CPU functions for the "
                "CUDA emulator";
  let description = [{
    Replaces a module whose host functions launch the kernels of its
    `gpu.module`s (after `gpu-kernel-outlining`) with one that holds only the
    kernels, as `func.func @__sdpa_emu_body_<kernel>` functions that run one
    GPU thread each, for the CUDA driver emulator
    (`runtime/cuda/emulator`). Nothing about the kernels' arithmetic
    changes; only what a CPU lacks is replaced:

    - `gpu.thread_id`, `gpu.block_id`, `gpu.block_dim`, `gpu.grid_dim`,
      `gpu.barrier` and `gpu.shuffle` (32-bit values) become calls of the
      emulator's `__sdpa_emu_*` functions, which switch between the fibers
      that stand for the threads of a block;
    - `gpu.dynamic_shared_memory` becomes the global byte array
      `@__sdpa_emu_shared`, as large as the largest launch asks for
      (`@__sdpa_emu_shared_size` holds its size);
    - tensor-core fragments (`!gpu.mma_matrix`) become vectors that every
      lane of a warp holds whole: each lane loads, multiplies (in the
      accumulator's type) and stores the full tile, so the warp-wide
      operations need no exchange between lanes;
    - `nvgpu.mma.sync` (m16n8k16, 16-bit operands, f32 accumulator): the
      lanes exchange their A and B fragments (`__sdpa_emu_warp_exchange`),
      place them in whole matrices by upstream's map of the PTX fragment
      layouts, and each lane computes the four values it holds;
    - `nvgpu.ldmatrix` (16-bit): the lanes exchange the row addresses they
      give, and each lane reads the elements the PTX ISA gives it;
    - `nvgpu.device_async_copy`, `_create_group` and `_wait` become the
      emulator's queued copies, which it performs only when a wait covers
      them, as late as a GPU may;
    - device globals and functions of the `gpu.module`s move to the
      module as they are;
    - memory spaces of the GPU are dropped.

    A GPU op it does not know, workgroup or private attributions, or a
    shuffle of other than 32 bits is an error naming the op. Lower the
    result with the CPU's LLVM conversions (bare pointers for memrefs at
    function boundaries) and `--attn-emulation-entry-points`.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def AttnEmulationEntryPointsPass
    : Pass<"attn-emulation-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give each emulated kernel the entry point the CUDA "
                "emulator calls";
  let description = [{
    After `--attn-emulate-gpu-kernels` and the conversion to the LLVM
    dialect (memrefs as bare pointers), adds for every
    `llvm.func @__sdpa_emu_body_<kernel>` an
    `llvm.func @__sdpa_emu_kernel_<kernel>(%params: !llvm.ptr)` that loads
    each argument through `params[i]`, as `cuLaunchKernel` passes them, and
    calls the body. The bodies become internal.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def AttnMapParallelLoopsToGpuPass : Pass<"attn-map-parallel-loops-to-gpu"> {
  let summary = "Run parallel loop nests as GPU kernels, a thread per "
                "iteration";
  let description = [{
    Turns every outermost `scf.parallel` outside a GPU kernel (upstream
    `convert-linalg-to-parallel-loops` makes them of the ops around the
    attention: transposes, elementwise ops, reductions) into a `gpu.launch`
    with one thread per iteration of its flattened parallel dims, in blocks
    of `threads`. The loop body is copied into the guarded thread body as it
    is: loops over reduction dims and inner parallel loops run sequentially
    in each thread (lower the latter with `scf-parallel-for-to-nested-fors`).
    Views of buffers the body uses are computed inside the kernel, so its
    arguments stay dense. Loops that carry `scf.reduce` values or have
    dynamic bounds are an error naming the loop.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // SDPA_PASSES_PASSES_TD
