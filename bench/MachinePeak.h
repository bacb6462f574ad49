//===- MachinePeak.h - measured fp32 FMA peak and memory bandwidth -*- C++ -*-//
//
// Microbenchmarks of the host, the denominators of "fraction of peak": a
// kernel's GFLOP/s over the FMA peak, a decode kernel's GB/s over the read
// bandwidth. Measured rather than computed from a spec sheet so that clocks
// under load, the vector width actually compiled for and the VM's share of the
// memory system are all accounted for.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_BENCH_MACHINEPEAK_H
#define SDPA_BENCH_MACHINEPEAK_H

namespace sdpa {
namespace bench {

/// fp32 GFLOP/s of `threads` concurrent threads each issuing independent
/// vector FMAs (2 flops per lane), summed over threads; best of 3 runs of about
/// 0.2 s.
double measureFmaPeakGflops(int threads);

/// GB/s (1e9 bytes) of `threads` threads summing a buffer far larger than the
/// last-level cache, each reading its own slice; best of 3.
double measureMemoryBandwidthGBs(int threads);

/// The instruction set the measurements were compiled for, e.g.
/// "avx512f (16 lanes)", so that a report says what "peak" means.
const char *peakIsaDescription();

} // namespace bench
} // namespace sdpa

#endif // SDPA_BENCH_MACHINEPEAK_H
