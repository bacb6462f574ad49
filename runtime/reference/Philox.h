//===- Philox.h - counter-based random numbers for dropout -----*- C++ -*-===//
//
// Philox 4x32-10 and the dropout decision built on it. CPU kernels, GPU
// kernels and the reference all drop exactly the same elements because the
// decision depends only on the seed and the element's logical index.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_REFERENCE_PHILOX_H
#define SDPA_RUNTIME_REFERENCE_PHILOX_H

#include <array>
#include <cstdint>

namespace sdpa {

/// Philox 4x32 with 10 rounds (Salmon et al., SC'11).
std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> counter,
                                      std::array<uint32_t, 2> key);

/// The 32-bit threshold below which a draw drops its element:
/// min(floor(p * 2^32), 2^32 - 1), computed in double.
uint32_t dropoutThreshold(double p);

/// Whether dropout keeps element (batch, head, row, col) of the softmax.
/// `batch` is the row-major flattened index over the batch dims N..., `head`
/// the query head. The draw is word (col & 3) of
///   philox4x32_10({col >> 2, row, head, batch},
///                 {seed & 0xffffffff, seed >> 32})
/// (each counter word truncated to 32 bits); the element is dropped iff the
/// draw is below dropoutThreshold(p).
bool dropoutKeeps(uint64_t seed, double p, uint64_t batch, uint64_t head,
                  uint64_t row, uint64_t col);

} // namespace sdpa

#endif // SDPA_RUNTIME_REFERENCE_PHILOX_H
