//===- BenchLine.h - the tools' `bench:` line ------------------*- C++ -*-===//
//
// sdpa-run and sdpa-launch print kernel times in one format, which scripts
// (bench/gpu/gpu_bench.py, the tests) parse:
//
//   bench: median_ms=<x> min_ms=<y> runs=<N> [gflops=<z>]
//
// Plain C++ so that sdpa-launch builds without LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_TOOLS_COMMON_BENCHLINE_H
#define SDPA_TOOLS_COMMON_BENCHLINE_H

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace sdpa {

/// The line (with its newline) for the per-run kernel times in ms; gflops
/// from the median when `flops` is given.
inline std::string formatBenchLine(std::vector<double> times,
                                   std::optional<double> flops) {
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  char text[160];
  int n = std::snprintf(text, sizeof(text),
                        "bench: median_ms=%.4f min_ms=%.4f runs=%zu", median,
                        times.front(), times.size());
  if (flops)
    std::snprintf(text + n, sizeof(text) - n, " gflops=%.2f",
                  *flops / (median * 1e-3) / 1e9);
  return std::string(text) + "\n";
}

} // namespace sdpa

#endif // SDPA_TOOLS_COMMON_BENCHLINE_H
