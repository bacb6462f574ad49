//===- BufferizableOpInterfaceImpl.h - bufferizing attn ops -----*- C++ -*-===//
//
// One-Shot Bufferize support for attn.block (destination-passing style).
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_DIALECTS_ATTN_BUFFERIZABLEOPINTERFACEIMPL_H
#define SDPA_DIALECTS_ATTN_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace sdpa::attn {
/// Registers attn.block's BufferizableOpInterface: its outs bufferize in
/// place, its inputs are read.
void registerBufferizableOpInterfaceExternalModels(
    mlir::DialectRegistry &registry);
} // namespace sdpa::attn

#endif // SDPA_DIALECTS_ATTN_BUFFERIZABLEOPINTERFACEIMPL_H
