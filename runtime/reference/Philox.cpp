//===- Philox.cpp - Philox 4x32-10 and the dropout decision ---------------===//
//
// Written from the algorithm's definition (Salmon, Moraes, Dror, Shaw:
// "Parallel random numbers: as easy as 1, 2, 3", SC'11). Kernels on every
// target reimplement exactly this, so it stays a plain transcription.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Philox.h"

#include <cmath>

namespace sdpa {

// The round multipliers and the Weyl sequence that bumps the key; the values
// are the published Philox 4x32 constants.
static constexpr uint32_t kMultiplier0 = 0xD2511F53u;
static constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
static constexpr uint32_t kWeyl0 = 0x9E3779B9u;
static constexpr uint32_t kWeyl1 = 0xBB67AE85u;
static constexpr int kRounds = 10;

/// The high and low 32-bit halves of the 64-bit product a * b.
static void mulHiLo(uint32_t a, uint32_t b, uint32_t &hi, uint32_t &lo) {
  uint64_t product = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  hi = static_cast<uint32_t>(product >> 32);
  lo = static_cast<uint32_t>(product);
}

/// One Philox S-box round: two multiplications whose high halves are mixed
/// with the other two counter words and the round key, then a permutation.
static std::array<uint32_t, 4> philoxRound(const std::array<uint32_t, 4> &ctr,
                                           const std::array<uint32_t, 2> &key) {
  uint32_t hi0, lo0, hi1, lo1;
  mulHiLo(kMultiplier0, ctr[0], hi0, lo0);
  mulHiLo(kMultiplier1, ctr[2], hi1, lo1);
  return {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
}

std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> counter,
                                      std::array<uint32_t, 2> key) {
  for (int round = 0; round < kRounds; ++round) {
    // The key is bumped between rounds, not before the first one.
    if (round > 0) {
      key[0] += kWeyl0;
      key[1] += kWeyl1;
    }
    counter = philoxRound(counter, key);
  }
  return counter;
}

uint32_t dropoutThreshold(double p) {
  // Written so that NaN and p <= 0 both land on 0: nothing is ever below a
  // threshold of 0, so every element is kept.
  double scaled = std::floor(p * 4294967296.0);
  if (!(scaled > 0.0))
    return 0;
  if (scaled >= 4294967295.0)
    return 0xFFFFFFFFu;
  return static_cast<uint32_t>(scaled);
}

bool dropoutKeeps(uint64_t seed, double p, uint64_t batch, uint64_t head,
                  uint64_t row, uint64_t col) {
  uint32_t threshold = dropoutThreshold(p);
  // No draw can be below 0; skipping the generator is only a shortcut.
  if (threshold == 0)
    return true;
  std::array<uint32_t, 4> counter = {
      static_cast<uint32_t>(col >> 2), static_cast<uint32_t>(row),
      static_cast<uint32_t>(head), static_cast<uint32_t>(batch)};
  std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed),
                                 static_cast<uint32_t>(seed >> 32)};
  uint32_t draw = philox4x32_10(counter, key)[col & 3];
  return draw >= threshold;
}

} // namespace sdpa
