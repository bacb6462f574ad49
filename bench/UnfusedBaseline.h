//===- UnfusedBaseline.h - attention the way users write it ----*- C++ -*-===//
//
// The "math path" that fused kernels are benchmarked against: per (batch,
// head), a cblas_sgemm for the scores, a masked row softmax over the whole
// L x S matrix, and a second cblas_sgemm for the output. Also the flop and
// byte counts that turn a time into GFLOP/s and GB/s. Plain C++17.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_BENCH_UNFUSEDBASELINE_H
#define SDPA_BENCH_UNFUSEDBASELINE_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace sdpa {
namespace bench {

/// One fp32 attention problem. Tensors are contiguous, row-major:
/// Q [B, Hq, L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev], O [B, Hq, L, Ev].
/// Query head h reads kv head h / (Hq / Hkv) (GQA; Hkv == Hq is MHA). The
/// scale is 1/sqrt(E); `causal` keeps j <= i (top-left aligned).
struct AttentionShape {
  int64_t B, Hq, Hkv, L, S, E, Ev;
  bool causal;
};

/// Returns an empty string when `shape` can be run, and otherwise a message
/// naming the dims that are inconsistent. The other functions assume a shape
/// this accepts.
std::string checkShape(const AttentionShape &shape);

/// Floats of scratch runUnfused needs: one L x S score matrix.
size_t unfusedScratchFloats(const AttentionShape &shape);

/// Computes O from Q, K, V as described above. `scratch` holds at least
/// unfusedScratchFloats(shape) floats.
void runUnfused(const AttentionShape &shape, const float *q, const float *k,
                const float *v, float *o, float *scratch);

/// Sets the threads OpenBLAS uses in runUnfused's matrix products.
void setBaselineThreads(int threads);

/// Useful flops: 2 * B * Hq * (E + Ev) per (i, j) pair the mask keeps, i.e.
/// L * S pairs, or sum over i of min(i + 1, S) when causal. Masked-out pairs
/// are not counted, so a kernel that skips them is not penalized.
double attentionFlops(const AttentionShape &shape);

/// Bytes of K and V, each read once: B * Hkv * S * (E + Ev) * 4. Decode is
/// bound by this traffic, so it is the denominator of its GB/s.
double kvBytes(const AttentionShape &shape);

} // namespace bench
} // namespace sdpa

#endif // SDPA_BENCH_UNFUSEDBASELINE_H
