//===- Registration.h - what a context needs to run sdpa's pipelines ------===//
//
// One function that registers every dialect, interface and translation the
// pipelines of compiler/ use, so that every tool (and every user embedding
// the compiler) sets up a context the same way.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_COMPILER_REGISTRATION_H
#define SDPA_COMPILER_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace sdpa {

/// All upstream dialects and their extensions (bufferization, conversion to
/// LLVM, GPU targets), the translations to LLVM IR that gpu-module-to-binary
/// needs, the attn dialect and its bufferization models.
void registerCompilerDialects(mlir::DialectRegistry &registry);

} // namespace sdpa

#endif // SDPA_COMPILER_REGISTRATION_H
