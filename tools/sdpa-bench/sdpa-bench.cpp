//===- sdpa-bench.cpp - fused kernels against the unfused baseline --------===//
//
// Prints one fp32 table: for a few representative attention shapes (prefill
// MHA with and without causal masking, causal prefill GQA, GQA decode), on
// one thread and on all of them, the median time of the kernel sdpa compiles
// for this CPU next to the unfused OpenBLAS baseline on the same inputs, the
// speedup, GFLOP/s as a fraction of the measured FMA peak, for decode the
// K/V read rate as a fraction of the measured bandwidth, and how far the two
// outputs are apart.
//
//===----------------------------------------------------------------------===//

#include "bench/MachinePeak.h"
#include "bench/UnfusedBaseline.h"
#include "compiler/Compile.h"
#include "compiler/Registration.h"
#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/BufferizableOpInterfaceImpl.h"
#include "runtime/cpu/CpuArtifact.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/npy/RelativeError.h"
#include "tools/common/ThreadsOption.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace mlir;
using namespace sdpa;
using bench::AttentionShape;
namespace cl = llvm::cl;

static cl::OptionCategory benchCategory("sdpa-bench options");
static cl::opt<unsigned>
    timedRuns("runs", cl::desc("timed runs per measurement (median)"),
              cl::value_desc("N"), cl::init(5), cl::cat(benchCategory));
static cl::opt<bool>
    quick("quick",
          cl::desc("only the first shape, one timed run, one thread count "
                   "(--threads, or all cores): a smoke test"),
          cl::cat(benchCategory));
static cl::opt<int64_t>
    blockQ("block-q",
           cl::desc("query rows per block (cpu; 0, the default: the "
                    "pipeline's choice by head dim)"),
           cl::init(0), cl::cat(benchCategory));
static cl::opt<int64_t>
    blockK("block-k",
           cl::desc("key columns per softmax step (cpu; 0, the default: the "
                    "pipeline's choice by head dim)"),
           cl::init(0), cl::cat(benchCategory));
// --threads=N is read by hand: libLLVM already registers an option named
// "threads", and a second one would abort at startup. 0 means 1 and all
// cores.
static unsigned threadOption = 0;

namespace {
/// One row group of the table. The baseline computes `shape`; the kernel is
/// compiled from an attn.sdpa with `causalClause`, which must mean the same.
struct BenchCase {
  AttentionShape shape;
  const char *causalClause;
  const char *causalLabel;
  /// Decode is bound by reading K and V, so it also reports GB/s.
  bool decode;
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::errs() << "sdpa-bench: error: " << message << "\n";
  return 1;
}

static std::string tensorType(llvm::ArrayRef<int64_t> shape) {
  std::string text = "tensor<";
  for (int64_t dim : shape)
    text += std::to_string(dim) + "x";
  return text + "f32>";
}

/// The module sdpa compiles for `c`: one attn.sdpa in @attention.
static std::string moduleText(const BenchCase &c) {
  const AttentionShape &s = c.shape;
  std::string q = tensorType({s.B, s.Hq, s.L, s.E});
  std::string k = tensorType({s.B, s.Hkv, s.S, s.E});
  std::string v = tensorType({s.B, s.Hkv, s.S, s.Ev});
  std::string o = tensorType({s.B, s.Hq, s.L, s.Ev});
  std::string clause =
      c.causalClause[0] ? std::string(" ") + c.causalClause : std::string();
  return "func.func @attention(%q: " + q + ", %k: " + k + ", %v: " + v +
         ") -> " + o + " {\n  %o = attn.sdpa %q, %k, %v" + clause + " : " + q +
         ", " + k + ", " + v + " -> " + o + "\n  return %o : " + o + "\n}\n";
}

static std::string shapeLabel(const AttentionShape &s) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '(' << s.B << ',' << s.Hq << ',' << s.Hkv << ',' << s.L << ',' << s.S
     << ',' << s.E << ')';
  return text;
}

static std::string cpuModel() {
  auto buffer = llvm::MemoryBuffer::getFileAsStream("/proc/cpuinfo");
  if (buffer) {
    llvm::StringRef rest = (*buffer)->getBuffer();
    while (!rest.empty()) {
      llvm::StringRef line;
      std::tie(line, rest) = rest.split('\n');
      if (line.consume_front("model name")) {
        line = line.ltrim(" \t");
        if (line.consume_front(":"))
          return line.trim().str();
      }
    }
  }
  return llvm::sys::getHostCPUName().str();
}

static std::string now() {
  std::time_t t = std::time(nullptr);
  char text[64];
  if (!std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S %Z",
                     std::localtime(&t)))
    return "unknown";
  return text;
}

/// Median milliseconds of timedRuns calls of `body`, after one untimed call
/// that faults pages in and wakes thread pools.
static double medianMs(const std::function<void()> &body) {
  body();
  std::vector<double> times;
  for (unsigned r = 0; r < timedRuns; ++r) {
    auto start = std::chrono::steady_clock::now();
    body();
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  std::string threadsError;
  if (!takeThreadsOption(argc, argv, threadOption, threadsError))
    return fail(threadsError);
  cl::HideUnrelatedOptions(benchCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "sdpa-bench: sdpa's compiled CPU attention against the unfused "
      "OpenBLAS baseline, fp32\n\n"
      "  --threads=N    run on N threads only (default: 1 and all cores)\n");
  if (quick)
    timedRuns = 1;
  if (timedRuns == 0)
    return fail("--runs must be positive");
  if (blockQ < 0 || blockK < 0)
    return fail("--block-q and --block-k must be positive, or 0 for the "
                "pipeline's choice");

  const BenchCase allCases[] = {
      {{1, 8, 8, 1024, 1024, 64, 64, false}, "", "no", false},
      {{1, 8, 8, 1024, 1024, 64, 64, true},
       "causal align top_left",
       "top_left",
       false},
      {{1, 32, 8, 512, 512, 128, 128, true},
       "causal align top_left",
       "top_left",
       false},
      // With L = 1 bottom-right alignment keeps every key, so the
      // baseline's non-causal attention computes the same thing.
      {{4, 32, 8, 1, 4096, 128, 128, false},
       "causal align bottom_right",
       "bottom_right",
       true},
  };
  llvm::ArrayRef<BenchCase> cases(allCases);
  if (quick)
    cases = cases.take_front(1);
  for (const BenchCase &c : cases) {
    std::string problem = bench::checkShape(c.shape);
    if (!problem.empty())
      return fail("shape " + shapeLabel(c.shape) + ": " + problem);
  }

  unsigned allCores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<unsigned> threadCounts;
  if (threadOption)
    threadCounts = {threadOption};
  else if (quick)
    threadCounts = {allCores};
  else if (allCores > 1)
    threadCounts = {1, allCores};
  else
    threadCounts = {1};

  // Measured up front, while nothing else of ours runs.
  std::vector<double> peak, bandwidth;
  for (unsigned threads : threadCounts) {
    peak.push_back(bench::measureFmaPeakGflops(threads));
    bandwidth.push_back(bench::measureMemoryBandwidthGBs(threads));
  }

  llvm::raw_ostream &os = llvm::outs();
  os << "# sdpa-bench: sdpa CPU kernels vs unfused OpenBLAS baseline, fp32\n";
  os << "# date: " << now() << "\n";
  os << "# cpu: " << cpuModel() << " (" << allCores << " hardware threads)\n";
  os << "# measured: fp32 FMA peak with " << bench::peakIsaDescription()
     << ", read bandwidth over a buffer far larger than the last-level "
        "cache\n";
  for (auto [t, threads] : llvm::enumerate(threadCounts))
    os << llvm::format("# %u thread(s): FMA peak %.1f GFLOP/s, read bandwidth "
                       "%.1f GB/s\n",
                       threads, peak[t], bandwidth[t]);
  os << "# times: median of " << static_cast<unsigned>(timedRuns)
     << " run(s) after one warm-up; GFLOP/s count 2*(E+Ev) flops per (i,j) "
        "pair the causal mask allows, masked pairs not counted\n";
  os << "# speedup = baseline/ours; max_rel_err = max|ours-baseline| / "
        "max|baseline|; KV GB/s = K+V bytes / time (decode only)\n";
  os << llvm::format("%-22s %-12s %7s %9s %9s %7s %8s %6s %8s %6s %11s\n",
                     "shape(B,Hq,Hkv,L,S,E)", "causal", "threads", "ours_ms",
                     "base_ms", "speedup", "GFLOP/s", "%peak", "KV_GB/s", "%bw",
                     "max_rel_err");
  os.flush();

  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);

  std::mt19937 rng(2024);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto randomTensor = [&](int64_t count) {
    std::vector<float> values(count);
    for (float &value : values)
      value = uniform(rng);
    return values;
  };

  for (const BenchCase &c : cases) {
    const AttentionShape &s = c.shape;
    std::string text = moduleText(c);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    if (!module)
      return fail("cannot parse the generated module:\n" + text);
    llvm::SmallString<128> directory;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("sdpa-bench", directory))
      return fail("cannot create a scratch directory: " + ec.message());
    std::string dir(directory);
    CompileOptions options;
    options.entry = "attention";
    options.cpu.blockQ = blockQ;
    options.cpu.blockK = blockK;
    std::string error;
    if (failed(compileForCpu(*module, options, dir, error))) {
      llvm::sys::fs::remove_directories(dir);
      return fail("cannot compile " + shapeLabel(s) +
                  (error.empty() ? "" : ": " + error));
    }
    std::unique_ptr<rt::CpuArtifact> artifact =
        rt::CpuArtifact::load(dir, error);
    llvm::sys::fs::remove_directories(dir);
    if (!artifact)
      return fail(error);

    std::vector<float> q = randomTensor(s.B * s.Hq * s.L * s.E);
    std::vector<float> k = randomTensor(s.B * s.Hkv * s.S * s.E);
    std::vector<float> v = randomTensor(s.B * s.Hkv * s.S * s.Ev);
    std::vector<float> ours(s.B * s.Hq * s.L * s.Ev);
    std::vector<float> base(ours.size());
    std::vector<float> scratch(bench::unfusedScratchFloats(s));
    auto ref = [](std::vector<float> &data, std::vector<int64_t> shape) {
      return rt::TensorRef{npy::DType::F32, std::move(shape), {}, data.data()};
    };
    std::vector<rt::TensorRef> in = {ref(q, {s.B, s.Hq, s.L, s.E}),
                                     ref(k, {s.B, s.Hkv, s.S, s.E}),
                                     ref(v, {s.B, s.Hkv, s.S, s.Ev})};
    std::vector<rt::TensorRef> out = {ref(ours, {s.B, s.Hq, s.L, s.Ev})};
    double flops = bench::attentionFlops(s);

    for (auto [t, threads] : llvm::enumerate(threadCounts)) {
      rt::ThreadPool pool(threads);
      bool ok = true;
      double oursMs = medianMs([&] {
        if (ok && !artifact->run(in, out, pool, error))
          ok = false;
      });
      if (!ok)
        return fail(error);
      bench::setBaselineThreads(static_cast<int>(threads));
      double baseMs = medianMs([&] {
        bench::runUnfused(s, q.data(), k.data(), v.data(), base.data(),
                          scratch.data());
      });
      double gflops = flops / (oursMs * 1e-3) / 1e9;
      os << llvm::format("%-22s %-12s %7u %9.3f %9.3f %7.2f %8.1f %6.1f",
                         shapeLabel(s).c_str(), c.causalLabel, threads, oursMs,
                         baseMs, baseMs / oursMs, gflops,
                         100.0 * gflops / peak[t]);
      if (c.decode) {
        double gbs = bench::kvBytes(s) / (oursMs * 1e-3) / 1e9;
        os << llvm::format(" %8.1f %6.1f", gbs, 100.0 * gbs / bandwidth[t]);
      } else {
        os << llvm::format(" %8s %6s", "-", "-");
      }
      os << llvm::format(" %11.2e\n", npy::relativeError(
                                          static_cast<int64_t>(base.size()),
                                          [&](int64_t i) { return ours[i]; },
                                          [&](int64_t i) { return base[i]; }));
      os.flush();
    }
  }
  return 0;
}
