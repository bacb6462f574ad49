//===- UnfusedBaselineTest.cpp - tests of the unfused benchmark baseline --===//
//
// Benchmark numbers mean nothing if the baseline computes something else, so
// runUnfused is pinned against a naive float64 triple loop written here, on a
// GQA shape with rows longer and shorter than the key sequence, and the flop
// and byte counts against hand-counted values.
//
//===----------------------------------------------------------------------===//

#include "bench/UnfusedBaseline.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace sdpa::bench;

/// O for every (b, h, i): softmax over the kept j of q_i . k_j / sqrt(E),
/// applied to V, all in double.
static std::vector<double> naiveAttention(const AttentionShape &shape,
                                          const std::vector<float> &q,
                                          const std::vector<float> &k,
                                          const std::vector<float> &v) {
  std::vector<double> out(shape.B * shape.Hq * shape.L * shape.Ev, 0.0);
  const double scale = 1.0 / std::sqrt(static_cast<double>(shape.E));
  const int64_t group = shape.Hq / shape.Hkv;
  for (int64_t b = 0; b < shape.B; ++b) {
    for (int64_t h = 0; h < shape.Hq; ++h) {
      const int64_t kvh = h / group;
      for (int64_t i = 0; i < shape.L; ++i) {
        std::vector<double> weights(shape.S, 0.0);
        double sum = 0.0;
        for (int64_t j = 0; j < shape.S; ++j) {
          if (shape.causal && j > i)
            continue;
          double dot = 0.0;
          for (int64_t e = 0; e < shape.E; ++e)
            dot += static_cast<double>(
                       q[((b * shape.Hq + h) * shape.L + i) * shape.E + e]) *
                   k[((b * shape.Hkv + kvh) * shape.S + j) * shape.E + e];
          // No max subtraction: the scores of this test are small.
          weights[j] = std::exp(dot * scale);
          sum += weights[j];
        }
        for (int64_t j = 0; j < shape.S; ++j)
          for (int64_t e = 0; e < shape.Ev; ++e)
            out[((b * shape.Hq + h) * shape.L + i) * shape.Ev + e] +=
                weights[j] / sum *
                v[((b * shape.Hkv + kvh) * shape.S + j) * shape.Ev + e];
      }
    }
  }
  return out;
}

static std::vector<float> randomTensor(size_t count, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(rng);
  return values;
}

/// max |o - ref| / max |ref| of runUnfused against naiveAttention.
static double relativeError(const AttentionShape &shape) {
  std::mt19937 rng(42);
  std::vector<float> q =
      randomTensor(shape.B * shape.Hq * shape.L * shape.E, rng);
  std::vector<float> k =
      randomTensor(shape.B * shape.Hkv * shape.S * shape.E, rng);
  std::vector<float> v =
      randomTensor(shape.B * shape.Hkv * shape.S * shape.Ev, rng);
  std::vector<float> o(shape.B * shape.Hq * shape.L * shape.Ev, -1.0f);
  std::vector<float> scratch(unfusedScratchFloats(shape));
  runUnfused(shape, q.data(), k.data(), v.data(), o.data(), scratch.data());

  std::vector<double> expected = naiveAttention(shape, q, k, v);
  double maxDiff = 0.0, maxRef = 0.0;
  for (size_t i = 0; i < expected.size(); ++i) {
    maxDiff = std::max(maxDiff, std::abs(o[i] - expected[i]));
    maxRef = std::max(maxRef, std::abs(expected[i]));
  }
  return maxDiff / maxRef;
}

TEST(UnfusedBaseline, MatchesNaiveGqa) {
  AttentionShape shape{2, 4, 2, 5, 7, 3, 4, false};
  ASSERT_EQ(checkShape(shape), "");
  EXPECT_LT(relativeError(shape), 1e-5);
}

TEST(UnfusedBaseline, MatchesNaiveGqaCausal) {
  AttentionShape shape{2, 4, 2, 5, 7, 3, 4, true};
  EXPECT_LT(relativeError(shape), 1e-5);
}

TEST(UnfusedBaseline, MatchesNaiveCausalMoreRowsThanKeys) {
  // Rows past the diagonal's end keep every key.
  AttentionShape shape{1, 2, 1, 7, 5, 3, 4, true};
  EXPECT_LT(relativeError(shape), 1e-5);
}

TEST(UnfusedBaseline, CheckShapeRejects) {
  EXPECT_NE(checkShape({1, 3, 2, 5, 7, 3, 4, false}), "");
  EXPECT_NE(checkShape({1, 4, 2, 0, 7, 3, 4, false}), "");
}

TEST(UnfusedBaseline, FlopsAndBytes) {
  // 2 * B * Hq * (E + Ev) = 2 * 2 * 4 * 7 = 112 flops per kept pair.
  EXPECT_EQ(attentionFlops({2, 4, 2, 5, 7, 3, 4, false}), 112.0 * 35);
  // Rows keep 1, 2, 3, 4, 5 keys.
  EXPECT_EQ(attentionFlops({2, 4, 2, 5, 7, 3, 4, true}), 112.0 * 15);
  // Rows keep 1, 2, 3, 4, 5, 5, 5 keys.
  EXPECT_EQ(attentionFlops({2, 4, 2, 7, 5, 3, 4, true}), 112.0 * 25);
  // B * Hkv * S * (E + Ev) floats.
  EXPECT_EQ(kvBytes({2, 4, 2, 5, 7, 3, 4, false}), 2.0 * 2 * 7 * 7 * 4);
}
