//===- Compile.cpp - the compile API: module in, artifact out -------------===//

#include "compiler/Compile.h"

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
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
#include "llvm/Support/MemoryBuffer.h"
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
                                 const Twine &what, bool allowDynamic) {
  // A scalar is passed like a rank-0 tensor.
  if (type.isIntOrFloat())
    type = RankedTensorType::get({}, type);
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return func.emitError() << what << " has type " << type
                            << "; entry points take and return ranked "
                               "tensors and scalars";
  if (!tensor.hasStaticShape() && !allowDynamic)
    return func.emitError() << what << " has type " << type
                            << "; GPU artifacts need static shapes: give the "
                               "argument shapes to compile for (sdpa-compile "
                               "--shape; sdpa-run takes them from its "
                               "inputs), or compile for the CPU, which runs "
                               "dynamic dims";
  FailureOr<npy::DType> dtype = dtypeFor(tensor.getElementType());
  if (failed(dtype))
    return func.emitError()
           << what << " has element type " << tensor.getElementType()
           << "; supported: f16, bf16, f32, f64, i1, i32, i64";
  rt::TensorSpec spec;
  spec.dtype = *dtype;
  for (int64_t dim : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(dim) ? rt::kDynamicDim : dim);
  spec.layout = rt::TensorSpec::Layout::Contiguous;
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

std::string artifactPath(const std::string &directory, StringRef name) {
  SmallString<256> p(directory);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

/// Creates `directory` and writes the module, before any lowering, as
/// source.mlir: sdpa-run reads the entry's signature and the reference
/// graph from it.
bool startArtifact(ModuleOp module, const std::string &directory,
                   std::string &error) {
  if (std::error_code ec = llvm::sys::fs::create_directories(directory)) {
    error = "cannot create " + directory + ": " + ec.message();
    return false;
  }
  std::string source;
  llvm::raw_string_ostream os(source);
  module.print(os);
  return writeFile(artifactPath(directory, "source.mlir"), source, error);
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

/// Translates `module`, in the LLVM dialect, to LLVM IR optimized for the
/// host and links it into the shared object `library` in `directory`.
/// `name` names the LLVM module. A `portable` object uses only the
/// architecture's baseline instructions (the host side of a GPU artifact,
/// which is carried to the GPU's machine), not the host CPU's extensions.
LogicalResult emitSharedObject(ModuleOp module, StringRef name,
                               const std::string &directory,
                               const std::string &library, std::string &error,
                               bool portable = false) {
  auto path = [&](StringRef file) { return artifactPath(directory, file); };
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, name);
  if (!llvmModule)
    return module.emitError() << "translation to LLVM IR failed";
  CpuTarget target = getHostCpuTarget();
  if (portable) {
    target.cpu = "generic";
    target.features.clear();
  }
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, error);
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
  std::string objectPath = path(library + ".o");
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
  if (!linkSharedObject(objectPath, path(library), error))
    return failure();
  llvm::sys::fs::remove(objectPath);
  return success();
}

/// Returns scalar results of `func` as rank-0 tensors, which bufferization
/// turns into out-parameters like every other result: the CPU ABI writes
/// all results through descriptors (the manifest describes a scalar as a
/// rank-0 tensor).
void returnScalarsAsTensors(func::FuncOp func) {
  if (llvm::none_of(func.getResultTypes(),
                    [](Type type) { return type.isIntOrFloat(); }))
    return;
  func.getContext()->getOrLoadDialect<tensor::TensorDialect>();
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Type type = operand.get().getType();
      if (type.isIntOrFloat())
        operand.set(tensor::FromElementsOp::create(
            b, ret.getLoc(), RankedTensorType::get({}, type),
            ValueRange{operand.get()}));
    }
  });
  SmallVector<Type> results;
  for (Type type : func.getResultTypes())
    results.push_back(type.isIntOrFloat() ? RankedTensorType::get({}, type)
                                          : type);
  func.setFunctionType(
      FunctionType::get(func.getContext(), func.getArgumentTypes(), results));
}

/// Moves the rule messages of the entry's shape function (the attribute
/// --attn-shape-function leaves on it, which survives the lowering to the
/// LLVM dialect) into the manifest's `check` records.
LogicalResult takeShapeChecks(ModuleOp module, rt::Manifest &manifest) {
  std::string name = shapeFunctionName(manifest.entry);
  Operation *shapes = module.lookupSymbol(name);
  auto dynamic = [](const rt::TensorSpec &spec) {
    return llvm::is_contained(spec.shape, rt::kDynamicDim);
  };
  bool required = llvm::any_of(manifest.inputs, dynamic) ||
                  llvm::any_of(manifest.outputs, dynamic);
  if (!shapes && !required) {
    // Static shapes with nothing left to check at run time.
    manifest.shapes.clear();
    return success();
  }
  if (!shapes)
    return module.emitError()
           << "the CPU pipeline did not build the shape function '" << name
           << "' of the entry";
  auto checks = shapes->getAttrOfType<ArrayAttr>(kShapeChecksAttrName);
  if (!checks)
    return shapes->emitError() << "lacks the '" << kShapeChecksAttrName
                               << "' attribute of its rules";
  for (Attribute check : checks) {
    auto text = dyn_cast<StringAttr>(check);
    if (!text)
      return shapes->emitError()
             << "'" << kShapeChecksAttrName << "' must hold strings";
    manifest.checks.push_back(text.str());
  }
  // Not for LLVM IR; the C wrapper inherited a copy.
  shapes->removeAttr(kShapeChecksAttrName);
  if (Operation *wrapper = module.lookupSymbol("_mlir_ciface_" + name))
    wrapper->removeAttr(kShapeChecksAttrName);
  return success();
}

} // namespace

void sdpa::pruneToEntry(ModuleOp module, StringRef entry) {
  llvm::SmallPtrSet<Operation *, 8> reached;
  SmallVector<Operation *> work = {module.lookupSymbol(entry)};
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    if (!op || !reached.insert(op).second)
      continue;
    std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(op);
    if (!uses)
      continue;
    for (const SymbolTable::SymbolUse &use : *uses)
      work.push_back(
          SymbolTable::lookupNearestSymbolFrom(module, use.getSymbolRef()));
  }
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!reached.contains(func))
      func.erase();
}

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

FailureOr<rt::Manifest> sdpa::describeEntry(ModuleOp module, StringRef entry,
                                            StringRef target) {
  FailureOr<func::FuncOp> func = findEntry(module, entry);
  if (failed(func))
    return failure();
  rt::Manifest manifest;
  manifest.target = target.str();
  manifest.entry = func->getSymName().str();
  manifest.library = "kernel.so";
  manifest.symbol = "__sdpa_entry_" + manifest.entry;
  bool cpu = target == "cpu";
  for (auto [k, type] : llvm::enumerate(func->getArgumentTypes())) {
    FailureOr<rt::TensorSpec> spec =
        specOf(*func, type, "argument " + Twine(k), cpu);
    if (failed(spec))
      return failure();
    // The pipelines choose argument layouts (and the manifest states them);
    // a layout of the user's would make the kernel read memory differently.
    if (func->getArgAttr(
            k, bufferization::BufferizationDialect::kBufferLayoutAttrName))
      return func->emitError()
             << "argument " << k << " has a '"
             << bufferization::BufferizationDialect::kBufferLayoutAttrName
             << "' attribute; artifacts choose the layouts of entry "
                "arguments themselves";
    // The CPU pipeline bufferizes tensor arguments with unit innermost
    // stride and any other strides (--attn-strided-args): views are passed
    // as they are. GPU kernels take bare pointers.
    if (cpu && !spec->shape.empty())
      spec->layout = rt::TensorSpec::Layout::Rows;
    manifest.inputs.push_back(*spec);
  }
  for (auto [k, type] : llvm::enumerate(func->getResultTypes())) {
    FailureOr<rt::TensorSpec> spec =
        specOf(*func, type, "result " + Twine(k), cpu);
    if (failed(spec))
      return failure();
    manifest.outputs.push_back(*spec);
  }
  if (manifest.outputs.empty())
    return func->emitError() << "the entry function returns nothing";
  // The CPU pipeline gives a function with dynamic dims, in its signature
  // or its body, a shape function (--attn-shape-function), exported like
  // the entry; compileForCpu drops the record if the pipeline found nothing
  // to check in a static signature.
  if (cpu && needsShapeFunction(*func))
    manifest.shapes = "__sdpa_entry_" + shapeFunctionName(manifest.entry);
  return manifest;
}

LogicalResult sdpa::compileForCpu(ModuleOp module,
                                  const CompileOptions &options,
                                  const std::string &directory,
                                  std::string &error) {
  FailureOr<rt::Manifest> manifest = describeEntry(module, options.entry);
  if (failed(manifest))
    return failure();
  pruneToEntry(module, manifest->entry);
  auto path = [&](StringRef name) { return artifactPath(directory, name); };
  if (!startArtifact(module, directory, error))
    return failure();

  // Lower to the LLVM dialect.
  auto entry = module.lookupSymbol<func::FuncOp>(manifest->entry);
  returnScalarsAsTensors(entry);
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
  if (!manifest->shapes.empty() && failed(takeShapeChecks(module, *manifest)))
    return failure();

  if (failed(emitSharedObject(module, manifest->entry, directory,
                              manifest->library, error)))
    return failure();
  if (!writeFile(path("manifest.txt"), rt::serializeManifest(*manifest), error))
    return failure();
  return success();
}

namespace {

/// The constant value of a launch dimension, or an error naming it.
FailureOr<int64_t> launchConstant(gpu::LaunchFuncOp launch, Value value,
                                  StringRef what) {
  std::optional<int64_t> constant = getConstantIntValue(value);
  if (!constant || *constant < 0)
    return launch.emitOpError()
           << what << " must be a non-negative constant in an artifact";
  return *constant;
}

/// The manifest record of one gpu.launch_func of the entry function, whose
/// arguments must be the entry's own arguments (inputs, then the
/// out-parameters that bufferization made of its results) or the scratch
/// `buffers` it allocates (results of one attention read by another).
FailureOr<rt::LaunchSpec>
describeLaunch(gpu::LaunchFuncOp launch, func::FuncOp entry, size_t numInputs,
               const DenseMap<Value, int64_t> &buffers) {
  rt::LaunchSpec spec;
  spec.kernel = launch.getKernelName().str();
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value dims[6] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
  for (int d = 0; d < 6; ++d) {
    FailureOr<int64_t> size =
        launchConstant(launch, dims[d], d < 3 ? "the grid" : "the block");
    if (failed(size))
      return failure();
    (d < 3 ? spec.grid[d] : spec.block[d - 3]) = *size;
  }
  if (Value shared = launch.getDynamicSharedMemorySize()) {
    FailureOr<int64_t> bytes =
        launchConstant(launch, shared, "the dynamic shared memory size");
    if (failed(bytes))
      return failure();
    spec.sharedBytes = *bytes;
  }
  for (Value operand : launch.getKernelOperands()) {
    if (auto it = buffers.find(operand); it != buffers.end()) {
      spec.args.push_back({rt::LaunchArg::Kind::Buffer, it->second});
      continue;
    }
    auto arg = dyn_cast<BlockArgument>(operand);
    if (!arg || arg.getOwner() != &entry.getBody().front())
      return launch.emitOpError()
             << "passes a value that is not an argument of @"
             << entry.getSymName()
             << " to the kernel; artifacts support only kernels on the "
                "entry's tensors and scalars and on static buffers";
    rt::LaunchArg ref;
    size_t k = arg.getArgNumber();
    // Bufferization made memrefs of the tensors, rank 0 included; what is
    // still a scalar is passed by value.
    ref.kind = k >= numInputs                   ? rt::LaunchArg::Kind::Output
               : isa<MemRefType>(arg.getType()) ? rt::LaunchArg::Kind::Input
                                                : rt::LaunchArg::Kind::Value;
    ref.index = k < numInputs ? k : k - numInputs;
    spec.args.push_back(ref);
  }
  return spec;
}

/// Assembles `ptx` for `chip` with ptxas into `cubin`, keeping its report
/// of registers, shared memory and spills in `log`.
bool assemblePtx(const std::string &ptxas, const std::string &ptx,
                 const std::string &cubin, StringRef chip,
                 const std::string &log, std::string &error) {
  std::string arch = ("-arch=" + chip).str();
  SmallVector<StringRef> args = {ptxas, arch, "-O3", "-v", ptx, "-o", cubin};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                         0, 0, &message);
  if (status != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    error = "ptxas failed on " + ptx + (message.empty() ? "" : ": " + message) +
            (text ? "\n" + (*text)->getBuffer().str() : "");
    return false;
  }
  return true;
}

/// Sizes inside a GPU entry that come from its scalars (a KV cache read up
/// to a position argument) are computed again by the kernels; the rules that
/// keep them in bounds (the slice must lie inside the cache) run on the
/// host, in the entry's shape function, which this compiles into the shared
/// object `host.so` of the artifact and names in the manifest. Nothing is
/// written when every size is static.
LogicalResult compileHostShapeFunction(ModuleOp module, bool raise,
                                       const std::string &directory,
                                       rt::Manifest &manifest,
                                       std::string &error) {
  if (!needsShapeFunction(module.lookupSymbol<func::FuncOp>(manifest.entry)))
    return success();
  // --attn-shape-function exports the function it adds itself.
  OwningOpRef<ModuleOp> host = module.clone();
  PassManager graph(module.getContext());
  buildShapeFunctionPasses(graph, raise);
  if (failed(graph.run(*host)))
    return failure();
  std::string name = shapeFunctionName(manifest.entry);
  if (!host->lookupSymbol(name))
    return success();
  // The host runs the shape function alone: the entry is the kernels'.
  for (auto func : llvm::make_early_inc_range(host->getOps<func::FuncOp>()))
    if (func.getSymName() != name)
      func.erase();
  PassManager lower(module.getContext());
  buildHostFunctionPasses(lower);
  if (failed(lower.run(*host)))
    return failure();
  manifest.shapes = "__sdpa_entry_" + name;
  manifest.host = "host.so";
  if (failed(takeShapeChecks(*host, manifest)))
    return failure();
  return emitSharedObject(*host, "host", directory, manifest.host, error,
                          /*portable=*/true);
}

} // namespace

LogicalResult sdpa::compileForNvptx(ModuleOp module,
                                    const CompileOptions &options,
                                    const std::string &directory,
                                    std::string &error) {
  const NvptxPipelineOptions &nvptx = options.nvptx;
  if (getNvptxSharedMemoryLimit(nvptx.chip) == 0)
    return module.emitError()
           << "unsupported chip '" << nvptx.chip
           << "' for target nvptx; supported: sm_80, sm_86, sm_87, sm_89, "
              "sm_90";
  // Kernels call libdevice for exp, log and tanh; without it the PTX would
  // reference functions nothing defines.
  std::string toolkit =
      nvptx.toolkit.empty() ? getCudaToolkitPath() : nvptx.toolkit;
  SmallString<256> libdevice(toolkit);
  llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
  if (!llvm::sys::fs::exists(libdevice))
    return module.emitError()
           << "target nvptx needs the CUDA toolkit's libdevice, not found at "
           << libdevice << "; set CUDA_HOME to the toolkit";
  FailureOr<rt::Manifest> manifest =
      describeEntry(module, options.entry, "nvptx");
  if (failed(manifest))
    return failure();
  manifest->chip = nvptx.chip;
  manifest->library = "kernels.ptx";
  manifest->symbol.clear();
  pruneToEntry(module, manifest->entry);
  auto path = [&](StringRef name) { return artifactPath(directory, name); };
  if (!startArtifact(module, directory, error))
    return failure();

  // Only the entry becomes kernels: the host side is the manifest, which
  // describes one function.
  for (func::FuncOp other :
       llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (other.getSymName() != manifest->entry)
      other.erase();
  if (failed(compileHostShapeFunction(module, nvptx.raise, directory, *manifest,
                                      error)))
    return failure();
  PassManager pm(module.getContext());
  buildNvptxKernelPasses(pm, nvptx);
  if (failed(pm.run(module)))
    return failure();
  // The emulator's kernels are those of the PTX, taken before NVVM.
  if (options.emulate) {
    OwningOpRef<ModuleOp> kernels = module.clone();
    PassManager emulation(module.getContext());
    buildNvptxEmulationPipeline(emulation);
    if (failed(emulation.run(*kernels)))
      return failure();
    manifest->library = "kernels.emu.so";
    manifest->emulated = true;
    if (failed(emitSharedObject(*kernels, "kernels", directory,
                                manifest->library, error)))
      return failure();
  }
  PassManager binary(module.getContext());
  buildNvptxBinaryPasses(binary, nvptx);
  if (failed(binary.run(module)))
    return failure();

  // The entry is now launches of outlined kernels on its arguments and
  // scratch buffers; nothing else may be left for a host to run (tensor
  // constants, for one, would need copying to the device).
  auto entry = module.lookupSymbol<func::FuncOp>(manifest->entry);
  size_t numInputs = manifest->inputs.size();
  DenseMap<Value, int64_t> buffers;
  for (Operation &op : entry.getBody().front()) {
    // Views of buffers are made inside the kernels that read them
    // (sinkViewsIntoLaunch), so none is left here.
    if (isa<arith::ConstantOp, func::ReturnOp, memref::DeallocOp>(op))
      continue;
    // Scratch the runtime allocates on the device: an intermediate result
    // that one launch writes and another reads.
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      FailureOr<npy::DType> dtype = dtypeFor(type);
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          failed(dtype))
        return alloc.emitOpError()
               << "allocates " << type
               << "; GPU artifacts support static, dense scratch buffers only";
      rt::TensorSpec spec;
      spec.dtype = *dtype;
      spec.shape.assign(type.getShape().begin(), type.getShape().end());
      buffers[alloc] = manifest->buffers.size();
      manifest->buffers.push_back(spec);
      continue;
    }
    auto launch = dyn_cast<gpu::LaunchFuncOp>(op);
    if (!launch)
      return op.emitOpError()
             << "is left on the host: an nvptx artifact's entry may hold "
                "only kernel launches, scratch buffers and scalar constants "
                "(compile this graph with --target=cpu)";
    FailureOr<rt::LaunchSpec> spec =
        describeLaunch(launch, entry, numInputs, buffers);
    if (failed(spec))
      return failure();
    manifest->launches.push_back(*spec);
  }
  if (manifest->launches.empty())
    return entry.emitError()
           << "has no attention to run on the GPU (target nvptx)";

  // One PTX module holds the kernels (--attn-merge-gpu-modules); the
  // runtime loads one module.
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1)
    return entry.emitError() << "compiled to " << binaries.size()
                             << " kernel modules; expected one";
  auto object = cast<gpu::ObjectAttr>(binaries.front().getObjects()[0]);
  std::string ptx = "kernels.ptx";
  if (!writeFile(path(ptx), object.getObject().getValue(), error))
    return failure();

  // A cubin too when the toolkit's ptxas is there: it checks the PTX, reports
  // registers and spills, and spares the driver a JIT compilation.
  SmallString<256> ptxas(toolkit);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  if (llvm::sys::fs::can_execute(ptxas)) {
    std::string cubin = "kernels." + nvptx.chip + ".cubin";
    if (!assemblePtx(std::string(ptxas), path(ptx), path(cubin), nvptx.chip,
                     path("ptxas.log"), error))
      return failure();
    // The emulator runs the library, never a cubin.
    if (!options.emulate)
      manifest->cubin = cubin;
  }
  if (!writeFile(path("manifest.txt"), rt::serializeManifest(*manifest), error))
    return failure();
  return success();
}

LogicalResult sdpa::compileForTarget(ModuleOp module, StringRef target,
                                     const CompileOptions &options,
                                     const std::string &directory,
                                     std::string &error) {
  if (!options.argShapes.empty()) {
    FailureOr<func::FuncOp> entry = findEntry(module, options.entry);
    if (failed(entry) || failed(specializeShapes(*entry, options.argShapes)))
      return failure();
  }
  if (target == "nvptx")
    return compileForNvptx(module, options, directory, error);
  if (target == "cpu")
    return compileForCpu(module, options, directory, error);
  return module.emitError()
         << "unknown target '" << target << "'; targets: cpu, nvptx";
}
