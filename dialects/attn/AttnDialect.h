//===- AttnDialect.h - the attn dialect ------------------------*- C++ -*-===//
//
// Declares the attn dialect and its enum attributes.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_DIALECTS_ATTN_ATTNDIALECT_H
#define SDPA_DIALECTS_ATTN_ATTNDIALECT_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/attn/AttnDialect.h.inc"
#include "dialects/attn/AttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/attn/AttnAttrs.h.inc"

#endif // SDPA_DIALECTS_ATTN_ATTNDIALECT_H
