//===- PhiloxTest.cpp - Philox 4x32-10 and dropout decision tests ---------===//
//
// Known answers from Random123 pin the generator; the dropout tests pin the
// counter layout and threshold that every kernel must reproduce bit for bit.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Philox.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <limits>

using sdpa::dropoutKeeps;
using sdpa::dropoutThreshold;
using sdpa::philox4x32_10;

using Words = std::array<uint32_t, 4>;

//===----------------------------------------------------------------------===//
// philox4x32_10 known answers
//===----------------------------------------------------------------------===//

// The three "philox4x32 10" lines of Random123's tests/kat_vectors
// (github.com/DEShawResearch/random123); columns: counter[4] key[2] result[4].
//   philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000
//                 6627e8d5 e169c58d bc57ac4c 9b00dbd8
//   philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff
//                 408f276d 41c83b0e a20bc7c6 6d5451fd
//   philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0
//                 d16cfe09 94fdcceb 5001e420 24126ea1

TEST(Philox, KnownAnswerZeros) {
  Words expected = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}), expected);
}

TEST(Philox, KnownAnswerAllOnes) {
  Words expected = {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
  EXPECT_EQ(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                          {0xffffffffu, 0xffffffffu}),
            expected);
}

TEST(Philox, KnownAnswerPiDigits) {
  Words expected = {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};
  EXPECT_EQ(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          {0xa4093822u, 0x299f31d0u}),
            expected);
}

TEST(Philox, EveryInputWordMatters) {
  Words base = philox4x32_10({1, 2, 3, 4}, {5, 6});
  EXPECT_NE(philox4x32_10({0, 2, 3, 4}, {5, 6}), base);
  EXPECT_NE(philox4x32_10({1, 0, 3, 4}, {5, 6}), base);
  EXPECT_NE(philox4x32_10({1, 2, 0, 4}, {5, 6}), base);
  EXPECT_NE(philox4x32_10({1, 2, 3, 0}, {5, 6}), base);
  EXPECT_NE(philox4x32_10({1, 2, 3, 4}, {0, 6}), base);
  EXPECT_NE(philox4x32_10({1, 2, 3, 4}, {5, 0}), base);
}

//===----------------------------------------------------------------------===//
// dropoutThreshold
//===----------------------------------------------------------------------===//

TEST(DropoutThreshold, NonPositiveKeepsEverything) {
  EXPECT_EQ(dropoutThreshold(0.0), 0u);
  EXPECT_EQ(dropoutThreshold(-0.0), 0u);
  EXPECT_EQ(dropoutThreshold(-0.5), 0u);
  EXPECT_EQ(dropoutThreshold(-std::numeric_limits<double>::infinity()), 0u);
  // floor(1e-12 * 2^32) = floor(0.0043) = 0.
  EXPECT_EQ(dropoutThreshold(1e-12), 0u);
}

TEST(DropoutThreshold, ExactFractions) {
  EXPECT_EQ(dropoutThreshold(0.5), 0x80000000u);
  EXPECT_EQ(dropoutThreshold(0.25), 0x40000000u);
  EXPECT_EQ(dropoutThreshold(0.75), 0xC0000000u);
  EXPECT_EQ(dropoutThreshold(std::ldexp(1.0, -32)), 1u);
  // 0.1 * 2^32 = 429496729.6 (0.1 rounds up in double, still below .7).
  EXPECT_EQ(dropoutThreshold(0.1), 429496729u);
}

TEST(DropoutThreshold, CloseToOne) {
  // 1 - 2^-31 -> 2^32 - 2: the last value that is not clamped.
  EXPECT_EQ(dropoutThreshold(1.0 - std::ldexp(1.0, -31)), 0xFFFFFFFEu);
  // 1 - 2^-32 -> 2^32 - 1 exactly.
  EXPECT_EQ(dropoutThreshold(1.0 - std::ldexp(1.0, -32)), 0xFFFFFFFFu);
  // 1 - 2^-33 -> floor(2^32 - 0.5) = 2^32 - 1.
  EXPECT_EQ(dropoutThreshold(1.0 - std::ldexp(1.0, -33)), 0xFFFFFFFFu);
  // The largest double below 1.
  EXPECT_EQ(dropoutThreshold(std::nextafter(1.0, 0.0)), 0xFFFFFFFFu);
  // min(floor(p * 2^32), 2^32 - 1) clamps p >= 1.
  EXPECT_EQ(dropoutThreshold(1.0), 0xFFFFFFFFu);
  EXPECT_EQ(dropoutThreshold(2.0), 0xFFFFFFFFu);
}

//===----------------------------------------------------------------------===//
// dropoutKeeps
//===----------------------------------------------------------------------===//

TEST(DropoutKeeps, ZeroProbabilityKeepsEverything) {
  for (uint64_t row = 0; row < 16; ++row)
    for (uint64_t col = 0; col < 64; ++col)
      ASSERT_TRUE(dropoutKeeps(123, 0.0, 3, 2, row, col));
  EXPECT_TRUE(dropoutKeeps(~0ull, 0.0, ~0ull, ~0ull, ~0ull, ~0ull));
}

TEST(DropoutKeeps, FollowsTheDocumentedCounterLayout) {
  // Rebuild each draw from philox4x32_10 exactly as Philox.h documents it,
  // with indices and a seed whose high words are non-zero.
  const uint64_t seed = 0x0123456789ABCDEFull;
  const double p = 0.5;
  const uint32_t threshold = dropoutThreshold(p);
  const uint64_t batches[] = {0, 7, (1ull << 32) + 9};
  const uint64_t heads[] = {0, 5};
  const uint64_t rows[] = {0, 1, 1000};
  for (uint64_t batch : batches)
    for (uint64_t head : heads)
      for (uint64_t row : rows)
        for (uint64_t col = 0; col < 12; ++col) {
          Words draws = philox4x32_10(
              {static_cast<uint32_t>(col >> 2), static_cast<uint32_t>(row),
               static_cast<uint32_t>(head), static_cast<uint32_t>(batch)},
              {0x89ABCDEFu, 0x01234567u});
          bool expected = draws[col & 3] >= threshold;
          EXPECT_EQ(dropoutKeeps(seed, p, batch, head, row, col), expected)
              << "batch " << batch << " head " << head << " row " << row
              << " col " << col;
        }
}

TEST(DropoutKeeps, DrawEqualToThresholdIsKept) {
  // Seed 0 and index (0, 0, 0, col) use counter 0 and key 0, whose words are
  // the first known answer above. "Dropped iff the draw is below the
  // threshold": a threshold equal to the draw keeps, one more drops.
  const Words draws = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  for (uint64_t col = 0; col < 4; ++col) {
    double atDraw = std::ldexp(static_cast<double>(draws[col]), -32);
    double aboveDraw = std::ldexp(static_cast<double>(draws[col]) + 1, -32);
    ASSERT_EQ(dropoutThreshold(atDraw), draws[col]);
    EXPECT_TRUE(dropoutKeeps(0, atDraw, 0, 0, 0, col)) << "col " << col;
    EXPECT_FALSE(dropoutKeeps(0, aboveDraw, 0, 0, 0, col)) << "col " << col;
  }
}

TEST(DropoutKeeps, CounterWordsAreTruncatedTo32Bits) {
  const uint64_t high = 1ull << 32;
  for (uint64_t col = 0; col < 64; ++col) {
    bool base = dropoutKeeps(99, 0.5, 3, 4, 5, col);
    EXPECT_EQ(dropoutKeeps(99, 0.5, 3 + high, 4, 5, col), base);
    EXPECT_EQ(dropoutKeeps(99, 0.5, 3, 4 + high, 5, col), base);
    EXPECT_EQ(dropoutKeeps(99, 0.5, 3, 4, 5 + high, col), base);
  }
}

TEST(DropoutKeeps, Deterministic) {
  for (uint64_t row = 0; row < 8; ++row)
    for (uint64_t col = 0; col < 64; ++col)
      EXPECT_EQ(dropoutKeeps(42, 0.3, 1, 2, row, col),
                dropoutKeeps(42, 0.3, 1, 2, row, col));
}

/// Counts the kept elements of a 2 x 4 x 128 x 256 grid.
static int64_t countKept(uint64_t seed, double p, int64_t &total) {
  int64_t kept = 0;
  total = 0;
  for (uint64_t batch = 0; batch < 2; ++batch)
    for (uint64_t head = 0; head < 4; ++head)
      for (uint64_t row = 0; row < 128; ++row)
        for (uint64_t col = 0; col < 256; ++col) {
          kept += dropoutKeeps(seed, p, batch, head, row, col);
          ++total;
        }
  return kept;
}

static void expectKeptFraction(uint64_t seed, double p) {
  int64_t total = 0;
  int64_t kept = countKept(seed, p, total);
  double mean = total * (1.0 - p);
  double sigma = std::sqrt(total * p * (1.0 - p));
  EXPECT_LE(std::fabs(kept - mean), 5.0 * sigma)
      << "p = " << p << ": kept " << kept << " of " << total;
}

TEST(DropoutKeeps, KeptFractionP01) {
  expectKeptFraction(2024, 0.1);
  expectKeptFraction(7, 0.1);
}

TEST(DropoutKeeps, KeptFractionP05) {
  expectKeptFraction(2024, 0.5);
  expectKeptFraction(7, 0.5);
}

TEST(DropoutKeeps, ProbabilityCloseToOneDropsAlmostEverything) {
  int64_t total = 0;
  // Only a draw of exactly 2^32 - 1 survives: expected 2^18 / 2^32 kept.
  EXPECT_LE(countKept(5, 1.0 - std::ldexp(1.0, -32), total), 1);
}

/// Number of the 4 x 256 elements of (batch, head) whose decisions differ
/// between two (seed, batch, head) triples.
static int countDifferences(uint64_t seedA, uint64_t batchA, uint64_t headA,
                            uint64_t seedB, uint64_t batchB, uint64_t headB) {
  int differences = 0;
  for (uint64_t row = 0; row < 4; ++row)
    for (uint64_t col = 0; col < 256; ++col)
      differences += dropoutKeeps(seedA, 0.5, batchA, headA, row, col) !=
                     dropoutKeeps(seedB, 0.5, batchB, headB, row, col);
  return differences;
}

TEST(DropoutKeeps, DifferentSeedsGiveDifferentDecisions) {
  // Independent fair coins differ on half of 1024 elements: 512 +- 16.
  EXPECT_GT(countDifferences(1, 0, 0, 2, 0, 0), 400);
  // The seed's high word is the second key word.
  EXPECT_GT(countDifferences(1, 0, 0, 1 + (1ull << 32), 0, 0), 400);
}

TEST(DropoutKeeps, DifferentIndicesGiveDifferentDecisions) {
  EXPECT_GT(countDifferences(1, 0, 0, 1, 1, 0), 400);
  EXPECT_GT(countDifferences(1, 0, 0, 1, 0, 1), 400);
  // Batch and head occupy different counter words.
  EXPECT_GT(countDifferences(1, 2, 3, 1, 3, 2), 400);
  // Rows and columns do too: compare (row r, col c) with (row c, col r).
  int differences = 0;
  for (uint64_t a = 0; a < 32; ++a)
    for (uint64_t b = 0; b < 32; ++b)
      if (a != b)
        differences += dropoutKeeps(1, 0.5, 0, 0, a, b) !=
                       dropoutKeeps(1, 0.5, 0, 0, b, a);
  EXPECT_GT(differences, 400);
}
