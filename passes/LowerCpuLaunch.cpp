//===- LowerCpuLaunch.cpp - attn.launch to CPU runtime calls --------------===//
//
// --attn-lower-cpu-launch finishes the CPU artifact's ABI once the module is
// in the LLVM dialect:
//
//  * every attn.launch stores its captures (memref descriptors, scalars) in
//    a stack struct and calls
//        __sdpa_parallel_for(trampoline, &struct, blocks)
//    through a global function pointer the runtime fills in after loading
//    the shared object, so the object links against nothing of ours;
//  * the trampoline `<kernel>_trampoline(ctx, begin, end)` unpacks the
//    struct into the kernel's LLVM calling convention and calls it;
//  * every `_mlir_ciface_<name>` gets a packed entry
//    `__sdpa_entry_<name>(void **args)` loading one pointer per argument.
//
// attn.launch survives the upstream conversions with its operands cast back
// to their original types, so the LLVM values are the casts' inputs.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/attn/AttnOps.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace sdpa {
#define GEN_PASS_DEF_ATTNLOWERCPULAUNCHPASS
#include "passes/Passes.h.inc"
} // namespace sdpa

using namespace mlir;
using namespace sdpa;
using namespace sdpa::attn;

namespace {

constexpr llvm::StringLiteral kParallelForHook = "__sdpa_parallel_for";

/// The LLVM value an operand of a not-yet-converted op stands for.
Value llvmValueOf(Value v) {
  if (auto cast = v.getDefiningOp<UnrealizedConversionCastOp>())
    if (cast.getInputs().size() == 1)
      return cast.getInputs()[0];
  if (LLVM::isCompatibleType(v.getType()))
    return v;
  return {};
}

LLVM::GlobalOp getOrCreateHook(ModuleOp module, OpBuilder &b) {
  if (auto global = module.lookupSymbol<LLVM::GlobalOp>(kParallelForHook))
    return global;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto global =
      LLVM::GlobalOp::create(b, module.getLoc(), ptr,
                             /*isConstant=*/false, LLVM::Linkage::External,
                             kParallelForHook, Attribute(), /*alignment=*/8);
  Block *init = b.createBlock(&global.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value null = LLVM::ZeroOp::create(b, module.getLoc(), ptr);
  LLVM::ReturnOp::create(b, module.getLoc(), null);
  return global;
}

LogicalResult lowerLaunch(LaunchOp launch, ModuleOp module) {
  MLIRContext *ctx = launch.getContext();
  Location loc = launch.getLoc();
  OpBuilder b(launch);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto voidType = LLVM::LLVMVoidType::get(ctx);

  auto kernel = module.lookupSymbol<LLVM::LLVMFuncOp>(launch.getKernel());
  if (!kernel)
    return launch.emitOpError()
           << "kernel '" << launch.getKernel()
           << "' must be converted to llvm.func before lowering the launch";
  SmallVector<Value> fields;
  for (Value capture : launch.getCaptures()) {
    Value v = llvmValueOf(capture);
    if (!v)
      return launch.emitOpError()
             << "capture of type " << capture.getType()
             << " has no LLVM value: run the LLVM conversions first";
    fields.push_back(v);
  }
  Value blocks = llvmValueOf(launch.getBlocks());
  if (!blocks || blocks.getType() != i64)
    return launch.emitOpError() << "block count must lower to i64";
  auto ctxType = LLVM::LLVMStructType::getLiteral(
      ctx, llvm::to_vector(ValueRange(fields).getTypes()));

  // The trampoline: (ctx, begin, end) -> kernel(unpacked captures, begin,
  // end).
  std::string trampolineName = (launch.getKernel() + "_trampoline").str();
  if (!module.lookupSymbol(trampolineName)) {
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto type = LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64});
    auto trampoline = LLVM::LLVMFuncOp::create(mb, loc, trampolineName, type,
                                               LLVM::Linkage::Internal);
    Block *entry = trampoline.addEntryBlock(mb);
    mb.setInsertionPointToStart(entry);
    Value packed =
        LLVM::LoadOp::create(mb, loc, ctxType, entry->getArgument(0));
    SmallVector<Value> args;
    for (auto [k, capture] : llvm::enumerate(launch.getCaptures())) {
      Value field = LLVM::ExtractValueOp::create(mb, loc, packed, k);
      if (auto memref = dyn_cast<MemRefType>(capture.getType()))
        MemRefDescriptor::unpack(mb, loc, field, memref, args);
      else
        args.push_back(field);
    }
    args.append({entry->getArgument(1), entry->getArgument(2)});
    if (kernel.getNumArguments() != args.size())
      return launch.emitOpError()
             << "kernel '" << launch.getKernel() << "' takes "
             << kernel.getNumArguments() << " LLVM arguments, the launch "
             << "provides " << args.size();
    LLVM::CallOp::create(mb, loc, kernel, args);
    LLVM::ReturnOp::create(mb, loc, ValueRange());
  }

  // The launch site: pack the captures, call the runtime's hook.
  Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
  Value ctxPtr = LLVM::AllocaOp::create(b, loc, ptr, ctxType, one);
  Value packed = LLVM::PoisonOp::create(b, loc, ctxType);
  for (auto [k, field] : llvm::enumerate(fields))
    packed = LLVM::InsertValueOp::create(b, loc, packed, field, k);
  LLVM::StoreOp::create(b, loc, packed, ctxPtr);
  LLVM::GlobalOp hook = getOrCreateHook(module, b);
  Value hookAddress = LLVM::AddressOfOp::create(b, loc, hook);
  Value hookFn = LLVM::LoadOp::create(b, loc, ptr, hookAddress);
  Value trampoline = LLVM::AddressOfOp::create(b, loc, ptr, trampolineName);
  auto hookType = LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64});
  LLVM::CallOp::create(b, loc, hookType,
                       ValueRange{hookFn, trampoline, ctxPtr, blocks});
  launch.erase();
  return success();
}

/// __sdpa_entry_<name>(void **args): calls _mlir_ciface_<name> with args[k]
/// for each memref argument (a pointer to its descriptor) and, for a scalar
/// argument, the value of the rank-0 descriptor args[k] points to.
void createPackedEntry(LLVM::LLVMFuncOp ciface, ModuleOp module) {
  StringRef name = ciface.getName().drop_front(strlen("_mlir_ciface_"));
  std::string entryName = ("__sdpa_entry_" + name).str();
  if (module.lookupSymbol(entryName))
    return;
  MLIRContext *ctx = ciface.getContext();
  Location loc = ciface.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
  auto entry = LLVM::LLVMFuncOp::create(b, loc, entryName, type);
  Block *body = entry.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  auto i64 = IntegerType::get(ctx, 64);
  auto descriptor = LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64});
  SmallVector<Value> args;
  for (auto [k, argType] :
       llvm::enumerate(ciface.getFunctionType().getParams())) {
    Value slot =
        LLVM::GEPOp::create(b, loc, ptr, ptr, body->getArgument(0),
                            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(k)});
    Value pointer = LLVM::LoadOp::create(b, loc, ptr, slot);
    if (isa<LLVM::LLVMPointerType>(argType)) {
      args.push_back(pointer);
      continue;
    }
    // A scalar argument arrives as a rank-0 descriptor {allocated, aligned,
    // offset}: its value is aligned[offset].
    Value alignedSlot = LLVM::GEPOp::create(b, loc, ptr, descriptor, pointer,
                                            ArrayRef<LLVM::GEPArg>{0, 1});
    Value offsetSlot = LLVM::GEPOp::create(b, loc, ptr, descriptor, pointer,
                                           ArrayRef<LLVM::GEPArg>{0, 2});
    Value aligned = LLVM::LoadOp::create(b, loc, ptr, alignedSlot);
    Value offset = LLVM::LoadOp::create(b, loc, i64, offsetSlot);
    Value element = LLVM::GEPOp::create(b, loc, ptr, argType, aligned,
                                        ArrayRef<LLVM::GEPArg>{offset});
    args.push_back(LLVM::LoadOp::create(b, loc, argType, element));
  }
  LLVM::CallOp::create(b, loc, ciface, args);
  LLVM::ReturnOp::create(b, loc, ValueRange());
}

struct AttnLowerCpuLaunchPass
    : sdpa::impl::AttnLowerCpuLaunchPassBase<AttnLowerCpuLaunchPass> {
  using AttnLowerCpuLaunchPassBase::AttnLowerCpuLaunchPassBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LaunchOp> launches;
    module.walk([&](LaunchOp op) { launches.push_back(op); });
    for (LaunchOp launch : launches)
      if (failed(lowerLaunch(launch, module)))
        return signalPassFailure();
    SmallVector<LLVM::LLVMFuncOp> cifaces;
    for (auto function : module.getOps<LLVM::LLVMFuncOp>())
      if (function.getName().starts_with("_mlir_ciface_") &&
          !function.isExternal())
        cifaces.push_back(function);
    for (LLVM::LLVMFuncOp ciface : cifaces)
      createPackedEntry(ciface, module);
    // The runtime sets the hook of every artifact it loads: define it also
    // where no grid loop is left (a one-block grid, a graph without
    // attention).
    if (!cifaces.empty()) {
      OpBuilder b(module.getContext());
      getOrCreateHook(module, b);
    }
  }
};

} // namespace
