//===- BaselineMain.cpp - sdpa-bench-baseline: the unfused numbers --------===//
//
// Prints the host's measured FMA peak and read bandwidth, and the unfused
// OpenBLAS baseline on a few representative shapes (prefill MHA, prefill GQA,
// GQA decode), on one thread and on all of them: the numbers a fused kernel
// has to beat, and how far both are from the machine's limits.
//
//===----------------------------------------------------------------------===//

#include "bench/MachinePeak.h"
#include "bench/UnfusedBaseline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace sdpa::bench;

static constexpr int kTimedRuns = 5;

static std::vector<float> randomTensor(size_t count, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(rng);
  return values;
}

/// Median seconds of kTimedRuns runs, after one untimed run that faults the
/// pages in and starts OpenBLAS's thread pool.
static double medianSeconds(const AttentionShape &shape, const float *q,
                            const float *k, const float *v, float *o,
                            float *scratch) {
  runUnfused(shape, q, k, v, o, scratch);
  std::vector<double> times;
  for (int run = 0; run < kTimedRuns; ++run) {
    auto start = std::chrono::steady_clock::now();
    runUnfused(shape, q, k, v, o, scratch);
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main() {
  const int allThreads =
      std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int threadCounts[] = {1, allThreads};
  const int numThreadCounts = allThreads > 1 ? 2 : 1;

  double peak[2], bandwidth[2];
  for (int t = 0; t < numThreadCounts; ++t) {
    peak[t] = measureFmaPeakGflops(threadCounts[t]);
    bandwidth[t] = measureMemoryBandwidthGBs(threadCounts[t]);
  }
  std::printf("fp32 FMA peak, %s:\n", peakIsaDescription());
  for (int t = 0; t < numThreadCounts; ++t)
    std::printf("  %2d thread(s): %8.1f GFLOP/s\n", threadCounts[t], peak[t]);
  std::printf("read bandwidth:\n");
  for (int t = 0; t < numThreadCounts; ++t)
    std::printf("  %2d thread(s): %8.1f GB/s\n", threadCounts[t], bandwidth[t]);

  const AttentionShape shapes[] = {
      {1, 8, 8, 1024, 1024, 64, 64, false},
      {1, 8, 8, 1024, 1024, 64, 64, true},
      {1, 32, 8, 512, 512, 128, 128, true},
      {4, 32, 8, 1, 4096, 128, 128, false},
  };

  std::printf("\nunfused baseline (OpenBLAS sgemm + row softmax), fp32, "
              "median of %d runs\n",
              kTimedRuns);
  std::printf("%-30s %-6s %7s %10s %9s %7s %8s %6s\n", "(B,Hq,Hkv,L,S,E)",
              "causal", "threads", "time ms", "GFLOP/s", "%peak", "KV GB/s",
              "%bw");
  std::mt19937 rng(0);
  for (const AttentionShape &shape : shapes) {
    std::string error = checkShape(shape);
    if (!error.empty()) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
    std::vector<float> q =
        randomTensor(shape.B * shape.Hq * shape.L * shape.E, rng);
    std::vector<float> k =
        randomTensor(shape.B * shape.Hkv * shape.S * shape.E, rng);
    std::vector<float> v =
        randomTensor(shape.B * shape.Hkv * shape.S * shape.Ev, rng);
    std::vector<float> o(shape.B * shape.Hq * shape.L * shape.Ev);
    std::vector<float> scratch(unfusedScratchFloats(shape));

    char name[64];
    std::snprintf(
        name, sizeof(name), "(%lld,%lld,%lld,%lld,%lld,%lld)%s",
        static_cast<long long>(shape.B), static_cast<long long>(shape.Hq),
        static_cast<long long>(shape.Hkv), static_cast<long long>(shape.L),
        static_cast<long long>(shape.S), static_cast<long long>(shape.E),
        shape.L == 1 ? " decode" : "");
    // Decode is bound by reading K and V, so its GB/s is what matters.
    const bool isDecode = shape.L == 1;
    for (int t = 0; t < numThreadCounts; ++t) {
      setBaselineThreads(threadCounts[t]);
      double seconds = medianSeconds(shape, q.data(), k.data(), v.data(),
                                     o.data(), scratch.data());
      double gflops = attentionFlops(shape) / seconds / 1e9;
      std::printf("%-30s %-6s %7d %10.3f %9.1f %6.1f%%", name,
                  shape.causal ? "yes" : "no", threadCounts[t], seconds * 1e3,
                  gflops, 100.0 * gflops / peak[t]);
      if (isDecode) {
        double gbs = kvBytes(shape) / seconds / 1e9;
        std::printf(" %8.1f %5.1f%%\n", gbs, 100.0 * gbs / bandwidth[t]);
      } else {
        std::printf(" %8s %6s\n", "-", "-");
      }
    }
  }
  return 0;
}
