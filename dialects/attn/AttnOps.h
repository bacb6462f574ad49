//===- AttnOps.h - attn dialect operations ---------------------*- C++ -*-===//
//
// Declares attn.sdpa and the kernel-level ops attn.block and attn.launch.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_DIALECTS_ATTN_ATTNOPS_H
#define SDPA_DIALECTS_ATTN_ATTNOPS_H

#include "dialects/attn/AttnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.h.inc"

#endif // SDPA_DIALECTS_ATTN_ATTNOPS_H
