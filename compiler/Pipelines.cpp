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
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include "llvm/TargetParser/Host.h"
#include <cstdlib>

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

void sdpa::buildImportPasses(OpPassManager &pm) {
  // Upstream's addTosaToLinalgPasses, with --attn-validate-tosa where it
  // validates (after the named ops are lowered), so that dynamic dims are
  // valid TOSA (1.1).
  pm.addNestedPass<func::FuncOp>(tosa::createTosaOptionalDecompositionsPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaInferShapesPass());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaMakeBroadcastablePass());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaToLinalgNamed());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaLayerwiseConstantFoldPass());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaMakeBroadcastablePass());
  pm.addPass(sdpa::createAttnValidateTosaPass());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaToLinalg());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  // Dynamic dims that meet in elementwise ops are compiled as equal.
  pm.addNestedPass<func::FuncOp>(
      sdpa::createAttnResolveDynamicBroadcastsPass());
  pm.addPass(sdpa::createAttnNormalizeSlicesPass());
}

/// The target-independent part: graph-level rewrites, tiling into a grid
/// of attn.block, and bufferization with identity layouts at the boundary
/// (the runtimes allocate results densely; GPU kernels take bare pointers),
/// except that with `stridedArgs` arguments take any outer strides (the CPU
/// runtime passes views), and results as out-parameters the caller
/// allocates. Attention with an Ev wider than `maxValueDim` (0: any) is
/// split into slices of V's columns.
/// TOSA and elementwise ops on tensors to linalg (upstream lowering),
/// unfused attention raised to attn.sdpa, GQA repeats folded away: the graph
/// every target starts from.
static void buildGraphPasses(OpPassManager &pm, bool raise) {
  sdpa::buildImportPasses(pm);
  if (raise)
    pm.addPass(sdpa::createAttnRaiseSdpaPass());
  pm.addPass(sdpa::createAttnDecomposeAggregatedOpsPass());
  pm.addPass(sdpa::createAttnFoldKVBroadcastPass());
  pm.addPass(sdpa::createAttnFoldExtractsIntoGenericsPass());
}

static void buildGraphAndBufferizePasses(
    OpPassManager &pm, const sdpa::AttnTilePassOptions &tiling, bool raise,
    bool stridedArgs, int64_t maxValueDim) {
  // TOSA and elementwise ops on tensors become linalg (upstream lowering),
  // unfused attention is raised to attn.sdpa, GQA repeats are folded away,
  // attention is tiled into a grid.
  buildGraphPasses(pm, raise);
  // CPU artifacts take dynamic dims: the runtime sizes results and checks
  // argument shapes with the shape functions, built from the graph with
  // every op at the top level (decode packing may version attention).
  if (stridedArgs)
    pm.addPass(sdpa::createAttnShapeFunctionPass());
  if (maxValueDim > 0)
    pm.addPass(sdpa::createAttnSplitValueDimPass({maxValueDim}));
  pm.addPass(sdpa::createAttnPackQueryGroupsPass());
  pm.addPass(sdpa::createAttnTilePass(tiling));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  if (stridedArgs)
    pm.addNestedPass<func::FuncOp>(sdpa::createAttnStridedArgsPass());
  // Attention written into a slice of a larger result (Ev split into
  // slices) writes there directly instead of into a buffer of its own.
  if (maxValueDim > 0)
    pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Results reshaped after their last kernel are still written in place.
  pm.addNestedPass<func::FuncOp>(sdpa::createAttnPrepareResultBuffersPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

/// Host code to the LLVM dialect: vectors, loops, memrefs, math and the
/// grid launches of the CPU runtime.
static void buildCpuLlvmPasses(OpPassManager &pm) {
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(sdpa::createAttnLowerDynamicExpandShapePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(sdpa::createAttnLowerCpuLaunchPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void sdpa::buildCpuPipeline(OpPassManager &pm,
                            const CpuPipelineOptions &options) {
  int64_t vectorBits = options.vectorBits > 0 ? options.vectorBits
                                              : getHostCpuTarget().vectorBits;
  sdpa::AttnTilePassOptions tiling;
  tiling.blockQ = options.blockQ;
  tiling.blockK = options.blockK;
  tiling.minGridBlocks = options.minGridBlocks;
  buildGraphAndBufferizePasses(pm, tiling, options.raise,
                               /*stridedArgs=*/true, /*maxValueDim=*/0);
  bufferization::buildBufferDeallocationPipeline(pm);

  // Kernels: attention blocks to vector code, everything else (strided
  // copies included) to loops, grid loops to runtime launches.
  pm.addNestedPass<func::FuncOp>(createAttnOnlineSoftmaxPass({vectorBits}));
  pm.addNestedPass<func::FuncOp>(createAttnLowerStridedCopiesPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createAttnOutlineCpuGridPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createAttnApproximateMathPass());

  buildCpuLlvmPasses(pm);
}

void sdpa::buildShapeFunctionPasses(OpPassManager &pm, bool raise) {
  buildGraphPasses(pm, raise);
  pm.addPass(sdpa::createAttnShapeFunctionPass());
}

void sdpa::buildHostFunctionPasses(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  buildCpuLlvmPasses(pm);
}

int64_t sdpa::getNvptxSharedMemoryLimit(llvm::StringRef chip) {
  // The most dynamic shared memory a block may opt into, per architecture.
  return llvm::StringSwitch<int64_t>(chip)
      .Case("sm_80", 166912)
      .Case("sm_86", 101376)
      .Case("sm_87", 166912)
      .Case("sm_89", 101376)
      .Case("sm_90", 232448)
      .Default(0);
}

std::string sdpa::getCudaToolkitPath() {
  if (const char *home = std::getenv("CUDA_HOME"))
    if (*home)
      return home;
  return "/usr/local/cuda";
}

void sdpa::buildNvptxPipeline(OpPassManager &pm,
                              const NvptxPipelineOptions &options) {
  buildNvptxKernelPasses(pm, options);
  buildNvptxBinaryPasses(pm, options);
}

/// The widest Ev a GPU kernel keeps in registers: its output tiles take
/// Ev / 2 registers a thread on tensor cores (Ev / 2 on SIMT too, with 64
/// rows a block), which beyond 256 no longer fit beside the scores.
static constexpr int64_t kGpuMaxValueDim = 256;

void sdpa::buildNvptxKernelPasses(OpPassManager &pm,
                                  const NvptxPipelineOptions &options) {
  sdpa::AttnTilePassOptions tiling;
  tiling.blockQ = options.blockQ;
  // The mma.sync kernels' 16-row groups, one per warp: 128 rows share each
  // K/V tile between 8 warps. WMMA keeps the scores of the block's rows in
  // shared memory, which 128 rows would crowd.
  if (options.tensorCores != "wmma")
    tiling.blockQ16 = options.blockQ16;
  tiling.blockK = options.blockK;
  tiling.minGridBlocks = options.minGridBlocks;
  buildGraphAndBufferizePasses(pm, tiling, options.raise,
                               /*stridedArgs=*/false, kGpuMaxValueDim);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Kernels: each attention grid becomes a gpu.launch whose attn.block the
  // threads of a block run together, everything else launches of a thread
  // per element; the launches are outlined into a gpu.module with only the
  // tensors as arguments.
  pm.addPass(createAttnMapGridToGpuPass({options.threads}));
  // The rest of the graph: linalg ops and copies as one thread per output
  // element, their reduction and inner loops sequential in each thread.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createAttnMapParallelLoopsToGpuPass());
  pm.addPass(createParallelForToNestedForsPass());
  pm.addPass(createAttnOnlineSoftmaxGpuPass(
      {getNvptxSharedMemoryLimit(options.chip), options.tensorCores}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createAttnMergeGpuModulesPass());
}

void sdpa::buildNvptxBinaryPasses(OpPassManager &pm,
                                  const NvptxPipelineOptions &options) {
  // PTX: upstream NVVM lowering (math through libdevice, memrefs as bare
  // pointers), then the NVPTX back end.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createSCFToControlFlowPass());
  device.addPass(memref::createExpandStridedMetadataPass());
  device.addPass(createLowerAffinePass());
  // mma.sync to nvvm.mma.sync on packed registers, then the vectors that
  // hold the fragments.
  device.addPass(createAttnLowerBf16MmaSyncPass());
  device.addPass(createConvertNVGPUToNVVMPass());
  device.addPass(createConvertVectorToLLVMPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  device.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  device.addPass(createAttnExternDynamicSharedPass());
  device.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath =
      options.toolkit.empty() ? getCudaToolkitPath() : options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createCanonicalizerPass());
}

void sdpa::buildNvptxEmulationPipeline(OpPassManager &pm) {
  pm.addPass(createAttnEmulateGpuKernelsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // As for the CPU, but with the exact math of libm (the GPU's libdevice is
  // exact too) and bare pointers for the kernels' memrefs, as on the GPU.
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions func;
  func.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(func));
  pm.addPass(createAttnEmulationEntryPointsPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

namespace {
/// Fails with a message naming `chip`: what `--sdpa-pipeline` runs for a
/// chip the NVPTX pipeline does not support.
struct UnsupportedChipPass
    : PassWrapper<UnsupportedChipPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(UnsupportedChipPass)
  explicit UnsupportedChipPass(std::string chip) : chip(std::move(chip)) {}
  StringRef getArgument() const override { return "sdpa-unsupported-chip"; }
  void runOnOperation() override {
    getOperation().emitError()
        << "unsupported chip '" << chip
        << "' for target=nvptx; supported: sm_80, sm_86, sm_87, sm_89, sm_90";
    signalPassFailure();
  }
  std::string chip;
};

std::unique_ptr<Pass> createUnsupportedChipPass(StringRef chip) {
  return std::make_unique<UnsupportedChipPass>(chip.str());
}

enum class PipelineTarget { Cpu, Nvptx };

struct SdpaPipelineOptions : PassPipelineOptions<SdpaPipelineOptions> {
  Option<PipelineTarget> target{
      *this, "target", llvm::cl::desc("Target to generate code for"),
      llvm::cl::init(PipelineTarget::Cpu),
      llvm::cl::values(
          clEnumValN(PipelineTarget::Cpu, "cpu",
                     "host CPU: vector code, runtime thread pool"),
          clEnumValN(PipelineTarget::Nvptx, "nvptx",
                     "NVIDIA GPU: PTX kernels and gpu.launch_func"))};
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("GPU architecture for target=nvptx: sm_80, sm_86, "
                     "sm_87, sm_89 or sm_90"),
      llvm::cl::init("sm_90")};
  Option<int64_t> blockQ{
      *this, "block-q",
      llvm::cl::desc("Query rows per block (0: the target's default)"),
      llvm::cl::init(0)};
  Option<int64_t> blockK{
      *this, "block-k",
      llvm::cl::desc("Key columns per softmax step (0: the target's default)"),
      llvm::cl::init(0)};
  Option<int64_t> minGridBlocks{
      *this, "min-grid-blocks",
      llvm::cl::desc("Split the keys of attention whose grid has fewer "
                     "blocks than this (-1: the target's default, 0: never)"),
      llvm::cl::init(-1)};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("The most threads per block for target=nvptx (an "
                     "attention block takes a warp per 16 query rows, at "
                     "least 4)"),
      llvm::cl::init(256)};
  Option<std::string> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("How f16/bf16 products use tensor cores for "
                     "target=nvptx: mma-sync (the default) or wmma"),
      llvm::cl::init("mma-sync")};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector width in bits (0: the host's)"),
      llvm::cl::init(0)};
  Option<bool> raise{
      *this, "raise",
      llvm::cl::desc("Raise unfused attention graphs to attn.sdpa (false: "
                     "compile them as written)"),
      llvm::cl::init(true)};
};
} // namespace

/// The tiling options given (block sizes > 0, minGridBlocks >= 0) replace
/// the target's defaults in `target` (CPU or NVPTX options).
template <typename TargetOptions>
static void overrideTiling(TargetOptions &target,
                           const SdpaPipelineOptions &options) {
  if (options.blockQ > 0)
    target.blockQ = options.blockQ;
  if (options.blockK > 0)
    target.blockK = options.blockK;
  if (options.minGridBlocks >= 0)
    target.minGridBlocks = options.minGridBlocks;
}

void sdpa::registerSdpaPipelines() {
  PassPipelineRegistration<SdpaPipelineOptions>(
      "sdpa-pipeline",
      "Compile attention graphs for a target: the LLVM dialect for the CPU, "
      "gpu.binary with PTX and gpu.launch_func for NVPTX",
      [](OpPassManager &pm, const SdpaPipelineOptions &options) {
        // Unknown targets and chips are rejected when the options are
        // parsed.
        if (options.target == PipelineTarget::Nvptx) {
          NvptxPipelineOptions nvptx;
          nvptx.chip = options.chip;
          // The builder cannot fail; an unknown chip fails the pipeline
          // when it runs, with a message naming it.
          if (getNvptxSharedMemoryLimit(nvptx.chip) == 0) {
            pm.addPass(createUnsupportedChipPass(nvptx.chip));
            return;
          }
          overrideTiling(nvptx, options);
          if (options.blockQ > 0)
            nvptx.blockQ16 = options.blockQ;
          nvptx.threads = options.threads;
          nvptx.raise = options.raise;
          nvptx.tensorCores = options.tensorCores;
          buildNvptxPipeline(pm, nvptx);
          return;
        }
        CpuPipelineOptions cpu;
        overrideTiling(cpu, options);
        cpu.vectorBits = options.vectorBits;
        cpu.raise = options.raise;
        buildCpuPipeline(pm, cpu);
      });
}
