//===- AttnDialect.td - the attn dialect and its attributes -*- tablegen -*-===//
//
// The attn dialect: scaled-dot-product attention as one op, and the enums its
// attributes use.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_DIALECTS_ATTN_ATTNDIALECT_TD
#define SDPA_DIALECTS_ATTN_ATTNDIALECT_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/DialectBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::sdpa::attn";
  let summary = "Scaled-dot-product attention and its fused lowering";
  let description = [{
    The `attn` dialect carries scaled-dot-product attention (SDPA) as one op,
    `attn.sdpa`, whose semantics follow PyTorch's
    `scaled_dot_product_attention` extended with grouped-query attention
    without copies, explicit causal alignment, sliding windows, soft-capping,
    value head dims that differ from the key head dim, reproducible dropout
    and an optional log-sum-exp result. Hand-written attention and attention
    recognised in unfused framework graphs meet in this op, and code
    generation for every target starts from it.
  }];
  let useDefaultAttributePrinterParser = 1;
  // Result shapes are reified with tensor.dim.
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def Attn_AlignmentEnum : I32EnumAttr<"Alignment",
    "how the causal triangle and the window line up rows with columns", [
      I32EnumAttrCase<"TopLeft", 0, "top_left">,
      I32EnumAttrCase<"BottomRight", 1, "bottom_right">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::sdpa::attn";
}

def Attn_AlignmentAttr : EnumAttr<Attn_Dialect, Attn_AlignmentEnum, "align"> {
  let summary = "alignment of the causal triangle and the sliding window";
  let description = [{
    `top_left`: query row `i` is aligned with key column `i` (PyTorch's
    `is_causal=True`). `bottom_right`: query row `i` is aligned with key column
    `i + S - L`, so the last query row sees the last key (decode and chunked
    prefill, where the queries are the newest tokens).
  }];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // SDPA_DIALECTS_ATTN_ATTNDIALECT_TD
