//===- InputModule.h - the tools' parsed input .mlir file ------*- C++ -*-===//
//
// sdpa-compile and sdpa-run both set up a context with everything the
// compiler registers, diagnostics that point into the source (without
// repeating the op), and parse one .mlir file into it.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_TOOLS_COMMON_INPUTMODULE_H
#define SDPA_TOOLS_COMMON_INPUTMODULE_H

#include "compiler/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace sdpa {

class InputModule {
public:
  InputModule() : context(registry()), diagnostics(sourceMgr, &context) {
    context.printOpOnDiagnostic(false);
  }

  /// Parses `path`. Returns null when it cannot: `error` says why when the
  /// file cannot be read; parse errors are emitted as located diagnostics
  /// and leave `error` empty.
  mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string &path,
                                          std::string &error) {
    auto buffer = mlir::openInputFile(path, &error);
    if (!buffer)
      return nullptr;
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  }

  mlir::MLIRContext context;

private:
  static mlir::DialectRegistry registry() {
    mlir::DialectRegistry registry;
    registerCompilerDialects(registry);
    return registry;
  }

  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics;
};

} // namespace sdpa

#endif // SDPA_TOOLS_COMMON_INPUTMODULE_H
