//===- Pipelines.cpp - sdpa's pass pipelines, per target ------------------===//

#include "compiler/Pipelines.h"

#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

sdpa::CpuTarget sdpa::getHostCpuTarget() {
  CpuTarget target;
  target.triple = llvm::sys::getDefaultTargetTriple();
  target.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string list;
  for (const auto &feature : features) {
    if (!list.empty())
      list += ',';
    list += (feature.second ? "+" : "-") + feature.first().str();
  }
  target.features = list;
  auto has = [&](StringRef name) {
    auto it = features.find(name);
    return it != features.end() && it->second;
  };
  if (has("avx512f"))
    target.vectorBits = 512;
  else if (has("avx2") || has("avx"))
    target.vectorBits = 256;
  else
    target.vectorBits = 128;
  return target;
}

void sdpa::buildCpuPipeline(OpPassManager &pm,
                            const CpuPipelineOptions &options) {
  int64_t vectorBits = options.vectorBits > 0 ? options.vectorBits
                                              : getHostCpuTarget().vectorBits;
  // Graph level: TOSA and elementwise ops on tensors become linalg (upstream
  // lowering), unfused attention is raised to attn.sdpa, GQA repeats are
  // folded away, attention is tiled into a grid.
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createAttnRaiseSdpaPass());
  pm.addPass(createAttnFoldKVBroadcastPass());
  pm.addPass(createAttnTilePass({options.blockQ, options.blockK}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Buffers: identity layouts at the boundary (the runtime passes dense
  // tensors), results become out-parameters the caller allocates.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);

  // Kernels: attention blocks to vector code, everything else to loops, grid
  // loops to runtime launches.
  pm.addNestedPass<func::FuncOp>(createAttnOnlineSoftmaxPass({vectorBits}));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createAttnOutlineCpuGridPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createAttnApproximateMathPass());

  // LLVM dialect.
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createAttnLowerCpuLaunchPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

namespace {
enum class PipelineTarget { Cpu };

struct SdpaPipelineOptions : PassPipelineOptions<SdpaPipelineOptions> {
  Option<PipelineTarget> target{
      *this, "target", llvm::cl::desc("Target to generate code for"),
      llvm::cl::init(PipelineTarget::Cpu),
      llvm::cl::values(
          clEnumValN(PipelineTarget::Cpu, "cpu",
                     "host CPU: vector code, runtime thread pool"))};
  Option<int64_t> blockQ{*this, "block-q",
                         llvm::cl::desc("Query rows per block"),
                         llvm::cl::init(64)};
  Option<int64_t> blockK{*this, "block-k",
                         llvm::cl::desc("Key columns per softmax step"),
                         llvm::cl::init(64)};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector width in bits (0: the host's)"),
      llvm::cl::init(0)};
};
} // namespace

void sdpa::registerSdpaPipelines() {
  PassPipelineRegistration<SdpaPipelineOptions>(
      "sdpa-pipeline",
      "Compile attention graphs down to the LLVM dialect for a target",
      [](OpPassManager &pm, const SdpaPipelineOptions &options) {
        // Unknown targets are rejected when the options are parsed.
        CpuPipelineOptions cpu;
        cpu.blockQ = options.blockQ;
        cpu.blockK = options.blockK;
        cpu.vectorBits = options.vectorBits;
        buildCpuPipeline(pm, cpu);
      });
}
