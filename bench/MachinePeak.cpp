//===- MachinePeak.cpp - measured fp32 FMA peak and memory bandwidth ------===//
//
// This file alone is compiled with -march=native (bench/CMakeLists.txt), so
// GCC vector extensions here become the widest vector FMAs the host has. The
// width follows the compiler's target macros instead of being fixed, so the
// same source measures AVX-512, AVX2, NEON or scalar hosts.
//
//===----------------------------------------------------------------------===//

#include "bench/MachinePeak.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace sdpa {
namespace bench {

#if defined(__AVX512F__)
typedef float VecF __attribute__((vector_size(64)));
static const char kIsaDescription[] = "avx512f (16 lanes)";
#elif defined(__AVX__) && defined(__FMA__)
typedef float VecF __attribute__((vector_size(32)));
static const char kIsaDescription[] = "avx2/fma (8 lanes)";
#elif defined(__AVX__)
typedef float VecF __attribute__((vector_size(32)));
static const char kIsaDescription[] = "avx, mul+add (8 lanes)";
#elif defined(__ARM_NEON)
typedef float VecF __attribute__((vector_size(16)));
static const char kIsaDescription[] = "neon (4 lanes)";
#elif defined(__SSE__)
typedef float VecF __attribute__((vector_size(16)));
static const char kIsaDescription[] = "sse, mul+add (4 lanes)";
#else
typedef float VecF;
static const char kIsaDescription[] = "scalar (1 lane)";
#endif

static constexpr int kLanes = sizeof(VecF) / sizeof(float);

// FMA latency (4-5 cycles) times FMA ports (2) on current cores, with margin:
// fewer independent chains would measure latency instead of throughput.
static constexpr int kAccumulators = 12;

// Each measurement runs about this long, so that clock ramp-up and thread
// start are noise.
static constexpr double kMeasureSeconds = 0.2;

static VecF splat(float value) { return VecF{} + value; }

static float horizontalSum(VecF vector) {
  float lanes[kLanes];
  std::memcpy(lanes, &vector, sizeof(vector));
  float sum = 0.0f;
  for (float lane : lanes)
    sum += lane;
  return sum;
}

/// Runs `iterations` rounds of kAccumulators independent `acc = acc * mul +
/// add` chains. With mul = 1 - add the chains stay near 1: no overflow and no
/// denormals, which would slow some cores down.
__attribute__((noinline)) static float fmaChains(int64_t iterations, float mul,
                                                 float add) {
  VecF acc[kAccumulators];
  for (int a = 0; a < kAccumulators; ++a)
    acc[a] = splat(1.0f + 0.001f * static_cast<float>(a));
  const VecF mulVector = splat(mul);
  const VecF addVector = splat(add);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int a = 0; a < kAccumulators; ++a)
      acc[a] = acc[a] * mulVector + addVector;
  }
  VecF total = acc[0];
  for (int a = 1; a < kAccumulators; ++a)
    total += acc[a];
  return horizontalSum(total);
}

/// Sums `count` vectors with enough accumulators that the adds never limit
/// the loads.
__attribute__((noinline)) static float sumVectors(const VecF *data,
                                                  size_t count) {
  constexpr int kSums = 8;
  VecF acc[kSums];
  for (VecF &sum : acc)
    sum = splat(0.0f);
  size_t i = 0;
  for (; i + kSums <= count; i += kSums) {
#pragma GCC unroll 8
    for (int a = 0; a < kSums; ++a)
      acc[a] += data[i + a];
  }
  for (; i < count; ++i)
    acc[0] += data[i];
  VecF total = acc[0];
  for (int a = 1; a < kSums; ++a)
    total += acc[a];
  return horizontalSum(total);
}

/// Results land here so that no computation is dead.
static volatile float sink;

/// Starts `threads` threads, releases them together once all are running, and
/// returns the seconds from the release until the last one finishes, which
/// keeps thread creation out of the measurement.
static double timeConcurrent(int threads,
                             const std::function<float(int)> &work) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<float> results(threads, 0.0f);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire))
        std::this_thread::yield();
      results[t] = work(t);
    });
  }
  while (ready.load() < threads)
    std::this_thread::yield();
  auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (std::thread &thread : pool)
    thread.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  float total = 0.0f;
  for (float result : results)
    total += result;
  sink = total;
  return seconds;
}

double measureFmaPeakGflops(int threads) {
  threads = std::max(threads, 1);
  // Read through volatiles so the compiler cannot specialize the chains on
  // known constants.
  static volatile float mulSeed = 0.999f, addSeed = 0.001f;
  const float mul = mulSeed, add = addSeed;

  // Calibrate on one thread, then give every thread the same work: threads on
  // separate cores take the same time, so the run stays near kMeasureSeconds.
  int64_t iterations = 1 << 14;
  for (;;) {
    double seconds =
        timeConcurrent(1, [&](int) { return fmaChains(iterations, mul, add); });
    if (seconds >= kMeasureSeconds / 10) {
      iterations =
          static_cast<int64_t>(iterations * (kMeasureSeconds / seconds)) + 1;
      break;
    }
    iterations *= 4;
  }

  double best = 0.0;
  for (int run = 0; run < 3; ++run) {
    double seconds = timeConcurrent(
        threads, [&](int) { return fmaChains(iterations, mul, add); });
    double flops = 2.0 * kLanes * kAccumulators *
                   static_cast<double>(iterations) * threads;
    best = std::max(best, flops / seconds / 1e9);
  }
  return best;
}

double measureMemoryBandwidthGBs(int threads) {
  threads = std::max(threads, 1);
  // 512 MiB dwarfs any last-level cache; halve on allocation failure, but
  // below 64 MiB a large L3 could serve part of the reads.
  struct FreeDeleter {
    void operator()(void *pointer) const { std::free(pointer); }
  };
  std::unique_ptr<VecF, FreeDeleter> buffer;
  size_t bytes = size_t(512) << 20;
  for (; bytes >= (size_t(64) << 20); bytes /= 2) {
    buffer.reset(static_cast<VecF *>(std::aligned_alloc(64, bytes)));
    if (buffer)
      break;
  }
  if (!buffer)
    return 0.0;
  const size_t count = bytes / sizeof(VecF);
  VecF *data = buffer.get();
  auto sliceBegin = [&](int t) { return count * t / threads; };

  // Each thread first touches the slice it later reads, so that on NUMA hosts
  // the pages are local to it.
  timeConcurrent(threads, [&](int t) {
    const VecF one = splat(1.0f);
    for (size_t i = sliceBegin(t), e = sliceBegin(t + 1); i < e; ++i)
      data[i] = one;
    return 0.0f;
  });

  int passes = 1;
  auto readPasses = [&](int t) {
    float total = 0.0f;
    for (int pass = 0; pass < passes; ++pass) {
      total +=
          sumVectors(data + sliceBegin(t), sliceBegin(t + 1) - sliceBegin(t));
      // sumVectors may be deduced pure; the clobber forces every pass to
      // really read the buffer again.
      asm volatile("" ::: "memory");
    }
    return total;
  };
  double warmSeconds = timeConcurrent(threads, readPasses);
  passes = std::max(1, static_cast<int>(kMeasureSeconds / warmSeconds));

  double best = 0.0;
  for (int run = 0; run < 3; ++run) {
    double seconds = timeConcurrent(threads, readPasses);
    best = std::max(best, static_cast<double>(bytes) * passes / seconds / 1e9);
  }
  return best;
}

const char *peakIsaDescription() { return kIsaDescription; }

} // namespace bench
} // namespace sdpa
