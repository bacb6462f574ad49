//===- Compile.cpp - the compile API: module in, artifact out -------------===//

#include "compiler/Compile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace sdpa;

namespace {

FailureOr<rt::TensorSpec> specOf(func::FuncOp func, Type type,
                                 const Twine &what) {
  // A scalar is passed like a rank-0 tensor.
  if (type.isIntOrFloat())
    type = RankedTensorType::get({}, type);
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return func.emitError() << what << " has type " << type
                            << "; CPU entry points take and return ranked "
                               "tensors and scalars";
  if (!tensor.hasStaticShape())
    return func.emitError() << what << " has type " << type
                            << "; dynamic shapes are not supported by the CPU "
                               "artifact yet";
  FailureOr<npy::DType> dtype = dtypeFor(tensor.getElementType());
  if (failed(dtype))
    return func.emitError()
           << what << " has element type " << tensor.getElementType()
           << "; supported: f16, bf16, f32, f64, i1, i32, i64";
  rt::TensorSpec spec;
  spec.dtype = *dtype;
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  spec.anyStrides = false;
  return spec;
}

FailureOr<func::FuncOp> findEntry(ModuleOp module, StringRef entry) {
  if (!entry.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal())
      return module.emitError()
             << "no function named '" << entry << "' with a body";
    return func;
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    if (found)
      return module.emitError()
             << "several public functions ('" << found.getSymName() << "', '"
             << func.getSymName() << "'); choose one as the entry";
    found = func;
  }
  if (!found)
    return module.emitError() << "no public function to use as the entry";
  return found;
}

std::unique_ptr<llvm::TargetMachine> createTargetMachine(const CpuTarget &host,
                                                         std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(host.triple);
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, host.cpu, host.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    error = "cannot create an LLVM target machine for " + host.triple;
  return machine;
}

bool writeFile(const std::string &path, StringRef contents,
               std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = "cannot write " + path + ": " + ec.message();
    return false;
  }
  os << contents;
  return true;
}

/// Links `object` into the shared object `library` with the system's C
/// compiler driver, which knows where the linker and libc are.
bool linkSharedObject(const std::string &object, const std::string &library,
                      std::string &error) {
  llvm::ErrorOr<std::string> driver = llvm::sys::findProgramByName("cc");
  if (!driver)
    driver = llvm::sys::findProgramByName("gcc");
  if (!driver)
    driver = llvm::sys::findProgramByName("clang");
  if (!driver) {
    error = "cannot link the kernel: no C compiler driver (cc, gcc or clang) "
            "on PATH";
    return false;
  }
  SmallVector<StringRef> args = {*driver, "-shared", "-o",
                                 library, object,    "-lm"};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*driver, args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    error = "linking " + library + " with " + *driver + " failed" +
            (message.empty() ? "" : ": " + message);
    return false;
  }
  return true;
}

} // namespace

FailureOr<npy::DType> sdpa::dtypeFor(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (type.isF16())
    return npy::DType::F16;
  if (type.isBF16())
    return npy::DType::BF16;
  if (type.isF32())
    return npy::DType::F32;
  if (type.isF64())
    return npy::DType::F64;
  if (type.isInteger(1))
    return npy::DType::Bool;
  if (type.isInteger(32))
    return npy::DType::I32;
  if (type.isInteger(64))
    return npy::DType::I64;
  return failure();
}

FailureOr<rt::Manifest> sdpa::describeEntry(ModuleOp module, StringRef entry) {
  FailureOr<func::FuncOp> func = findEntry(module, entry);
  if (failed(func))
    return failure();
  rt::Manifest manifest;
  manifest.target = "cpu";
  manifest.entry = func->getSymName().str();
  manifest.library = "kernel.so";
  manifest.symbol = "__sdpa_entry_" + manifest.entry;
  for (auto [k, type] : llvm::enumerate(func->getArgumentTypes())) {
    FailureOr<rt::TensorSpec> spec =
        specOf(*func, type, "argument " + Twine(k));
    if (failed(spec))
      return failure();
    manifest.inputs.push_back(*spec);
  }
  for (auto [k, type] : llvm::enumerate(func->getResultTypes())) {
    FailureOr<rt::TensorSpec> spec = specOf(*func, type, "result " + Twine(k));
    if (failed(spec))
      return failure();
    manifest.outputs.push_back(*spec);
  }
  if (manifest.outputs.empty())
    return func->emitError() << "the entry function returns nothing";
  return manifest;
}

LogicalResult sdpa::compileForCpu(ModuleOp module,
                                  const CompileOptions &options,
                                  const std::string &directory,
                                  std::string &error) {
  FailureOr<rt::Manifest> manifest = describeEntry(module, options.entry);
  if (failed(manifest))
    return failure();
  if (std::error_code ec = llvm::sys::fs::create_directories(directory)) {
    error = "cannot create " + directory + ": " + ec.message();
    return failure();
  }
  auto path = [&](StringRef name) {
    SmallString<256> p(directory);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  std::string source;
  {
    llvm::raw_string_ostream os(source);
    module.print(os);
  }
  if (!writeFile(path("source.mlir"), source, error))
    return failure();

  // Lower to the LLVM dialect.
  auto entry = module.lookupSymbol<func::FuncOp>(manifest->entry);
  entry->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                 UnitAttr::get(module.getContext()));
  CpuTarget host = getHostCpuTarget();
  CpuPipelineOptions pipeline = options.cpu;
  if (pipeline.vectorBits <= 0)
    pipeline.vectorBits = host.vectorBits;
  PassManager pm(module.getContext());
  buildCpuPipeline(pm, pipeline);
  if (failed(pm.run(module)))
    return failure();

  // LLVM IR, optimized for the host.
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, manifest->entry);
  if (!llvmModule)
    return module.emitError() << "translation to LLVM IR failed";
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(host, error);
  if (!machine)
    return failure();
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  auto optimize =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0, machine.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    error = "LLVM optimization failed: " + llvm::toString(std::move(err));
    return failure();
  }

  // Object file, then shared object.
  std::string objectPath = path("kernel.o");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objectPath, ec);
    if (ec) {
      error = "cannot write " + objectPath + ": " + ec.message();
      return failure();
    }
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                     llvm::CodeGenFileType::ObjectFile)) {
      error = "the LLVM target cannot emit object files";
      return failure();
    }
    codegen.run(*llvmModule);
  }
  if (!linkSharedObject(objectPath, path(manifest->library), error))
    return failure();
  llvm::sys::fs::remove(objectPath);
  if (!writeFile(path("manifest.txt"), rt::serializeManifest(*manifest), error))
    return failure();
  return success();
}
