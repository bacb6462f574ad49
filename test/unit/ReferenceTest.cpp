//===- ReferenceTest.cpp - tests of the float64 attn.sdpa reference -------===//
//
// The reference is the ground truth for every kernel, so it is pinned against
// values derived independently: a hand-computed case, closed-form lse, and a
// deliberately naive implementation written in this file (full score matrix,
// mask matrix built straight from design.md section 2, unshifted softmax).
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/Reference.h"

#include "runtime/reference/Philox.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <random>
#include <string>

using namespace sdpa::ref;
using ::testing::HasSubstr;

static const double kInf = std::numeric_limits<double>::infinity();

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static int64_t product(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

static std::vector<int64_t> concat(std::vector<int64_t> front,
                                   const std::vector<int64_t> &back) {
  front.insert(front.end(), back.begin(), back.end());
  return front;
}

static Tensor randomTensor(const std::vector<int64_t> &shape,
                           std::mt19937 &rng) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> data(product(shape));
  for (double &x : data)
    x = uniform(rng);
  return Tensor(shape, data);
}

/// A float mask of moderate values with about 10% -inf entries.
static Tensor randomAdditiveMask(const std::vector<int64_t> &shape,
                                 std::mt19937 &rng) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> data(product(shape));
  for (double &x : data) {
    double u = uniform(rng);
    x = u < 0.1 ? -kInf : 4.0 * u - 2.0;
  }
  return Tensor(shape, data);
}

/// A bool mask (1 = may attend) with about 70% ones.
static Tensor randomBoolMask(const std::vector<int64_t> &shape,
                             std::mt19937 &rng) {
  std::bernoulli_distribution allow(0.7);
  std::vector<double> data(product(shape));
  for (double &x : data)
    x = allow(rng) ? 1.0 : 0.0;
  return Tensor(shape, data);
}

static bool hasNaN(const Tensor &t) {
  for (double x : t.data)
    if (std::isnan(x))
      return true;
  return false;
}

/// Element-wise comparison, relative to max(1, |expected|); -inf must match
/// exactly and NaN never matches.
static void expectClose(const Tensor &actual, const std::vector<int64_t> &shape,
                        const std::vector<double> &expected,
                        double tolerance = 1e-12) {
  ASSERT_EQ(actual.shape, shape);
  ASSERT_EQ(actual.data.size(), expected.size());
  for (size_t n = 0; n < expected.size(); ++n) {
    double a = actual.data[n], e = expected[n];
    ASSERT_FALSE(std::isnan(a)) << "NaN at flat index " << n;
    if (std::isinf(e)) {
      EXPECT_EQ(a, e) << "at flat index " << n;
      continue;
    }
    EXPECT_LE(std::fabs(a - e), tolerance * std::max(1.0, std::fabs(e)))
        << "at flat index " << n << ": got " << a << ", expected " << e;
  }
}

//===----------------------------------------------------------------------===//
// The naive implementation
//===----------------------------------------------------------------------===//

/// keep(batch, head, i, j): the dropout decision; null when no dropout.
using KeepFn = std::function<bool(int64_t, int64_t, int64_t, int64_t)>;

struct Naive {
  std::vector<double> out, lse;
};

/// Straight from design.md section 2, written without looking at the
/// reference: materialises the L x S score and permission matrices per
/// (batch, head), takes the softmax without max subtraction (test inputs
/// keep |s| small), and broadcasts the mask by reducing each index modulo
/// the mask dim.
static Naive naiveSdpa(const Tensor &q, const Tensor &k, const Tensor &v,
                       const Mask &mask, const Attributes &attrs,
                       const KeepFn &keep = nullptr) {
  size_t rank = q.shape.size();
  size_t nb = rank - 3;
  std::vector<int64_t> batchDims(q.shape.begin(), q.shape.begin() + nb);
  int64_t batches = product(batchDims);
  int64_t hq = q.shape[nb], l = q.shape[nb + 1], e = q.shape[nb + 2];
  int64_t hkv = k.shape[nb], s = k.shape[nb + 1];
  int64_t ev = v.shape[nb + 2];
  double scale = attrs.scale ? *attrs.scale : 1.0 / std::sqrt(double(e));
  int64_t shift = attrs.alignment == Alignment::BottomRight ? s - l : 0;

  Naive result;
  result.out.assign(batches * hq * l * ev, 0.0);
  result.lse.assign(batches * hq * l, -kInf);
  for (int64_t b = 0; b < batches; ++b) {
    std::vector<int64_t> batchIndex(nb);
    for (int64_t rest = b, d = int64_t(nb) - 1; d >= 0; --d) {
      batchIndex[d] = rest % batchDims[d];
      rest /= batchDims[d];
    }
    for (int64_t h = 0; h < hq; ++h) {
      int64_t kvh = h * hkv / hq;
      auto qAt = [&](int64_t i, int64_t c) {
        return q.data[((b * hq + h) * l + i) * e + c];
      };
      auto kAt = [&](int64_t j, int64_t c) {
        return k.data[((b * hkv + kvh) * s + j) * e + c];
      };
      auto vAt = [&](int64_t j, int64_t c) {
        return v.data[((b * hkv + kvh) * s + j) * ev + c];
      };
      auto maskAt = [&](int64_t i, int64_t j) {
        std::vector<int64_t> index = batchIndex;
        index.insert(index.end(), {h, i, j});
        const std::vector<int64_t> &ms = mask.values.shape;
        int64_t flat = 0;
        for (size_t m = 0; m < ms.size(); ++m)
          flat = flat * ms[m] + index[m + rank - ms.size()] % ms[m];
        return mask.values.data[flat];
      };

      std::vector<std::vector<double>> score(l, std::vector<double>(s));
      std::vector<std::vector<bool>> allowed(l, std::vector<bool>(s, true));
      for (int64_t i = 0; i < l; ++i)
        for (int64_t j = 0; j < s; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < e; ++c)
            dot += qAt(i, c) * kAt(j, c);
          score[i][j] = dot * scale;
          if (attrs.softcap)
            score[i][j] =
                *attrs.softcap * std::tanh(score[i][j] / *attrs.softcap);
          if (mask.kind == Mask::Kind::Additive)
            score[i][j] += maskAt(i, j);
          if (mask.kind == Mask::Kind::Bool && maskAt(i, j) == 0.0)
            allowed[i][j] = false;
          int64_t row = i + shift;
          if (attrs.causal && j > row)
            allowed[i][j] = false;
          if (attrs.window) {
            // A side longer than L + S excludes nothing; clamping keeps the
            // sums below from overflowing for INT64_MAX sides.
            int64_t left = std::min((*attrs.window)[0], l + s);
            int64_t right = std::min((*attrs.window)[1], l + s);
            if (j < row - left || j > row + right)
              allowed[i][j] = false;
          }
          if (!allowed[i][j])
            score[i][j] = -kInf;
        }

      for (int64_t i = 0; i < l; ++i) {
        bool anyFinite = false;
        double sum = 0;
        for (int64_t j = 0; j < s; ++j) {
          anyFinite |= score[i][j] != -kInf;
          sum += std::exp(score[i][j]);
        }
        if (!anyFinite)
          continue;
        result.lse[(b * hq + h) * l + i] = std::log(sum);
        for (int64_t j = 0; j < s; ++j) {
          double p = std::exp(score[i][j]) / sum;
          if (keep)
            p = keep(b, h, i, j) ? p / (1.0 - attrs.dropoutP) : 0.0;
          for (int64_t c = 0; c < ev; ++c)
            result.out[((b * hq + h) * l + i) * ev + c] += p * vAt(j, c);
        }
      }
    }
  }
  return result;
}

//===----------------------------------------------------------------------===//
// The hand-computed case
//===----------------------------------------------------------------------===//

static Tensor handQuery(std::vector<int64_t> lead) {
  return Tensor(concat(lead, {1, 2, 2}), {1, 2, 3, 4});
}
static Tensor handKey(std::vector<int64_t> lead) {
  return Tensor(concat(lead, {1, 3, 2}), {5, 6, 7, 8, 9, 10});
}
static Tensor handValue(std::vector<int64_t> lead) {
  return Tensor(concat(lead, {1, 3, 3}), {1, 0, 1, 0, 1, 0, 1, 1, 0});
}

static void checkHandCase(std::vector<int64_t> lead) {
  Attributes attrs;
  attrs.scale = 1.0 / std::sqrt(2.0);
  Result result;
  ASSERT_EQ(evaluateSdpa(handQuery(lead), handKey(lead), handValue(lead),
                         Mask(), attrs, result),
            "");
  // Softmax of [17, 23, 29] / sqrt(2) and [39, 53, 67] / sqrt(2), times v,
  // rounded to six decimals.
  expectClose(result.out, concat(lead, {1, 2, 3}),
              {0.985837, 0.999797, 0.000204, 0.999950, 1.000000, 0.000000},
              1e-6);
  // q_0 . k = [17, 23, 29], q_1 . k = [39, 53, 67].
  double r2 = std::sqrt(2.0);
  double lse0 =
      std::log(std::exp(17 / r2) + std::exp(23 / r2) + std::exp(29 / r2));
  double lse1 =
      std::log(std::exp(39 / r2) + std::exp(53 / r2) + std::exp(67 / r2));
  expectClose(result.lse, concat(lead, {1, 2}), {lse0, lse1});

  // The same out, written in closed form from the exponentials.
  double e0[] = {std::exp(17 / r2), std::exp(23 / r2), std::exp(29 / r2)};
  double s0 = e0[0] + e0[1] + e0[2];
  double e1[] = {std::exp(39 / r2), std::exp(53 / r2), std::exp(67 / r2)};
  double s1 = e1[0] + e1[1] + e1[2];
  expectClose(result.out, concat(lead, {1, 2, 3}),
              {(e0[0] + e0[2]) / s0, (e0[1] + e0[2]) / s0, e0[0] / s0,
               (e1[0] + e1[2]) / s1, (e1[1] + e1[2]) / s1, e1[0] / s1});
}

TEST(ReferenceHandCase, NoBatchDims) { checkHandCase({}); }

TEST(ReferenceHandCase, OneBatchDimOfSizeOne) { checkHandCase({1}); }

TEST(ReferenceHandCase, TwoBatchDimsOfSizeOne) { checkHandCase({1, 1}); }

TEST(ReferenceHandCase, DefaultScaleIsOneOverSqrtE) {
  Attributes attrs;
  Result implicit, explicitScale;
  ASSERT_EQ(evaluateSdpa(handQuery({}), handKey({}), handValue({}), Mask(),
                         attrs, implicit),
            "");
  attrs.scale = 1.0 / std::sqrt(2.0);
  ASSERT_EQ(evaluateSdpa(handQuery({}), handKey({}), handValue({}), Mask(),
                         attrs, explicitScale),
            "");
  EXPECT_EQ(implicit.out.data, explicitScale.out.data);
  EXPECT_EQ(implicit.lse.data, explicitScale.lse.data);
}

//===----------------------------------------------------------------------===//
// Random inputs against the naive implementation
//===----------------------------------------------------------------------===//

struct RandomCase {
  std::string name;
  std::vector<int64_t> batch;
  int64_t hq, hkv, l, s, e, ev;
  bool causal = false;
  Alignment alignment = Alignment::TopLeft;
  std::optional<std::array<int64_t, 2>> window;
  std::optional<double> scale, softcap;
  Mask::Kind maskKind = Mask::Kind::None;
  std::vector<int64_t> maskShape;

  RandomCase(std::string name, std::vector<int64_t> batch, int64_t hq,
             int64_t hkv, int64_t l, int64_t s, int64_t e, int64_t ev)
      : name(std::move(name)), batch(std::move(batch)), hq(hq), hkv(hkv), l(l),
        s(s), e(e), ev(ev) {}
  RandomCase withCausal(Alignment a) const {
    RandomCase c = *this;
    c.causal = true;
    c.alignment = a;
    return c;
  }
  RandomCase withWindow(int64_t left, int64_t right, Alignment a) const {
    RandomCase c = *this;
    c.window = std::array<int64_t, 2>{left, right};
    c.alignment = a;
    return c;
  }
  RandomCase withMask(Mask::Kind kind, std::vector<int64_t> shape) const {
    RandomCase c = *this;
    c.maskKind = kind;
    c.maskShape = std::move(shape);
    return c;
  }
  RandomCase withScale(double value) const {
    RandomCase c = *this;
    c.scale = value;
    return c;
  }
  RandomCase withSoftcap(double value) const {
    RandomCase c = *this;
    c.softcap = value;
    return c;
  }
};

/// The operands and attributes of one random case.
struct RandomProblem {
  Tensor q, k, v;
  Mask mask;
  Attributes attrs;
};

static RandomProblem makeProblem(const RandomCase &c, unsigned seed) {
  std::mt19937 rng(seed);
  RandomProblem p;
  p.q = randomTensor(concat(c.batch, {c.hq, c.l, c.e}), rng);
  p.k = randomTensor(concat(c.batch, {c.hkv, c.s, c.e}), rng);
  p.v = randomTensor(concat(c.batch, {c.hkv, c.s, c.ev}), rng);
  p.mask.kind = c.maskKind;
  if (c.maskKind == Mask::Kind::Additive)
    p.mask.values = randomAdditiveMask(c.maskShape, rng);
  else if (c.maskKind == Mask::Kind::Bool)
    p.mask.values = randomBoolMask(c.maskShape, rng);
  p.attrs.scale = c.scale;
  p.attrs.causal = c.causal;
  p.attrs.window = c.window;
  p.attrs.alignment = c.alignment;
  p.attrs.softcap = c.softcap;
  return p;
}

/// Names the case in gtest's failure messages instead of dumping its bytes.
static void PrintTo(const RandomCase &c, std::ostream *os) { *os << c.name; }

class RandomVsNaive : public ::testing::TestWithParam<RandomCase> {};

TEST_P(RandomVsNaive, MatchesNaive) {
  const RandomCase &c = GetParam();
  RandomProblem p = makeProblem(c, 20240611);
  Result result;
  ASSERT_EQ(evaluateSdpa(p.q, p.k, p.v, p.mask, p.attrs, result), "");
  Naive naive = naiveSdpa(p.q, p.k, p.v, p.mask, p.attrs);
  expectClose(result.out, concat(c.batch, {c.hq, c.l, c.ev}), naive.out);
  expectClose(result.lse, concat(c.batch, {c.hq, c.l}), naive.lse);
}

static const Alignment kTL = Alignment::TopLeft;
static const Alignment kBR = Alignment::BottomRight;
static const Mask::Kind kFloat = Mask::Kind::Additive;
static const Mask::Kind kBool = Mask::Kind::Bool;
static const int64_t kHuge = std::numeric_limits<int64_t>::max();

static std::vector<RandomCase> randomCases() {
  RandomCase base("Plain", {}, 2, 2, 5, 7, 8, 8);
  RandomCase shortQ("ShortQ", {}, 2, 2, 5, 9, 4, 4);
  RandomCase longQ("LongQ", {}, 2, 2, 9, 5, 4, 4);
  RandomCase square("Square", {}, 2, 2, 6, 6, 4, 4);
  RandomCase gqa("Gqa", {2}, 8, 2, 4, 6, 4, 5);
  auto named = [](RandomCase c, const char *name) {
    c.name = name;
    return c;
  };
  return {
      base,
      named(shortQ.withCausal(kTL), "CausalTopLeftLLessS"),
      named(longQ.withCausal(kTL), "CausalTopLeftLGreaterS"),
      named(square.withCausal(kTL), "CausalTopLeftLEqualS"),
      named(shortQ.withCausal(kBR), "CausalBottomRightLLessS"),
      named(longQ.withCausal(kBR), "CausalBottomRightLGreaterS"),
      named(square.withCausal(kBR), "CausalBottomRightLEqualS"),
      named(shortQ.withWindow(2, 1, kTL), "WindowTopLeftLLessS"),
      named(longQ.withWindow(1, 2, kTL), "WindowTopLeftLGreaterS"),
      named(shortQ.withWindow(3, 0, kBR), "WindowBottomRightLLessS"),
      named(longQ.withWindow(0, 2, kBR), "WindowBottomRightLGreaterS"),
      named(shortQ.withWindow(0, 0, kTL), "WindowZeroTopLeft"),
      named(longQ.withWindow(0, 0, kBR), "WindowZeroBottomRight"),
      named(square.withWindow(kHuge, kHuge, kTL), "WindowHuge"),
      named(shortQ.withWindow(2, 3, kTL).withCausal(kTL),
            "WindowCausalTopLeftLLessS"),
      named(longQ.withWindow(2, 3, kTL).withCausal(kTL),
            "WindowCausalTopLeftLGreaterS"),
      named(shortQ.withWindow(2, 3, kBR).withCausal(kBR),
            "WindowCausalBottomRightLLessS"),
      named(longQ.withWindow(2, 3, kBR).withCausal(kBR),
            "WindowCausalBottomRightLGreaterS"),
      named(gqa, "GqaHq8Hkv2"),
      RandomCase("MqaHq4Hkv1", {3}, 4, 1, 5, 7, 6, 6),
      named(gqa.withCausal(kBR), "GqaCausalBottomRight"),
      RandomCase("EvSmallerThanE", {}, 2, 1, 4, 6, 6, 3),
      RandomCase("EvLargerThanE", {}, 2, 2, 4, 6, 3, 10),
      RandomCase("BatchRank1", {3}, 2, 2, 4, 5, 4, 4),
      RandomCase("BatchRank2", {2, 3}, 2, 1, 3, 5, 4, 3),
      named(base.withMask(kFloat, {5, 7}), "FloatMaskLS"),
      RandomCase("FloatMask1Hq1S", {2}, 3, 3, 4, 6, 4, 4)
          .withMask(kFloat, {1, 3, 1, 6}),
      RandomCase("FloatMaskFull", {2}, 3, 3, 4, 6, 4, 4)
          .withMask(kFloat, {2, 3, 4, 6}),
      RandomCase("FloatMaskRank1", {2}, 3, 3, 4, 6, 4, 4).withMask(kFloat, {6}),
      RandomCase("FloatMaskHq11", {2}, 3, 3, 4, 6, 4, 4)
          .withMask(kFloat, {3, 1, 1}),
      RandomCase("FloatMaskBatchL", {2, 3}, 2, 2, 4, 5, 4, 4)
          .withMask(kFloat, {2, 1, 1, 4, 1}),
      RandomCase("FloatMaskScalar", {2}, 2, 2, 3, 4, 4, 4).withMask(kFloat, {}),
      RandomCase("FloatMaskGqa", {2}, 8, 2, 4, 6, 4, 4)
          .withMask(kFloat, {8, 4, 6}),
      named(base.withMask(kBool, {5, 7}), "BoolMaskLS"),
      RandomCase("BoolMaskFull", {2}, 2, 1, 4, 6, 4, 4)
          .withMask(kBool, {2, 2, 4, 6}),
      RandomCase("BoolMaskBatchHead", {2}, 2, 1, 4, 6, 4, 4)
          .withMask(kBool, {2, 2, 1, 6}),
      named(base.withSoftcap(0.5).withScale(2.0), "Softcap"),
      named(base.withSoftcap(1.5).withCausal(kTL).withMask(kFloat, {5, 7}),
            "SoftcapCausalFloatMask"),
      named(base.withScale(0.3), "ExplicitScale"),
      named(base.withScale(-0.7), "NegativeScale"),
      RandomCase("LEquals1", {}, 2, 2, 1, 7, 4, 4),
      RandomCase("LEquals1CausalBottomRight", {}, 2, 2, 1, 7, 4, 4)
          .withCausal(kBR),
      RandomCase("LEquals1CausalTopLeft", {}, 2, 2, 1, 7, 4, 4).withCausal(kTL),
      RandomCase("SEquals1", {}, 2, 2, 5, 1, 4, 4),
      RandomCase("SEquals1CausalTopLeft", {}, 2, 2, 5, 1, 4, 4).withCausal(kTL),
      RandomCase("SEquals1CausalBottomRight", {}, 2, 2, 5, 1, 4, 4)
          .withCausal(kBR),
      RandomCase("LAndSEqual1", {2}, 2, 1, 1, 1, 3, 2),
      RandomCase("Everything", {2}, 6, 3, 7, 11, 5, 4)
          .withCausal(kBR)
          .withWindow(3, 2, kBR)
          .withSoftcap(1.5)
          .withMask(kFloat, {1, 6, 1, 11}),
  };
}

INSTANTIATE_TEST_SUITE_P(Reference, RandomVsNaive,
                         ::testing::ValuesIn(randomCases()),
                         [](const ::testing::TestParamInfo<RandomCase> &info) {
                           return info.param.name;
                         });

//===----------------------------------------------------------------------===//
// GQA is MHA with K/V heads repeated
//===----------------------------------------------------------------------===//

/// Repeats each head of [N..., H, S, D] `times` times, consecutively
/// (torch.repeat_interleave along the head dim).
static Tensor repeatInterleaveHeads(const Tensor &t, int64_t times) {
  size_t nb = t.shape.size() - 3;
  int64_t batches = product({t.shape.begin(), t.shape.begin() + nb});
  int64_t heads = t.shape[nb];
  int64_t headSize = t.shape[nb + 1] * t.shape[nb + 2];
  std::vector<int64_t> shape = t.shape;
  shape[nb] = heads * times;
  std::vector<double> data;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t r = 0; r < times; ++r) {
        auto first = t.data.begin() + (b * heads + h) * headSize;
        data.insert(data.end(), first, first + headSize);
      }
  return Tensor(shape, data);
}

TEST(ReferenceGqa, EqualsMhaWithRepeatedHeads) {
  std::mt19937 rng(7);
  for (int64_t hkv : {1, 2, 4}) {
    SCOPED_TRACE("Hkv = " + std::to_string(hkv));
    Tensor q = randomTensor({2, 8, 5, 4}, rng);
    Tensor k = randomTensor({2, hkv, 6, 4}, rng);
    Tensor v = randomTensor({2, hkv, 6, 3}, rng);
    Attributes attrs;
    attrs.causal = true;
    attrs.alignment = Alignment::BottomRight;
    Result gqa, mha;
    ASSERT_EQ(evaluateSdpa(q, k, v, Mask(), attrs, gqa), "");
    ASSERT_EQ(evaluateSdpa(q, repeatInterleaveHeads(k, 8 / hkv),
                           repeatInterleaveHeads(v, 8 / hkv), Mask(), attrs,
                           mha),
              "");
    expectClose(gqa.out, mha.out.shape, mha.out.data);
    expectClose(gqa.lse, mha.lse.shape, mha.lse.data);
  }
}

//===----------------------------------------------------------------------===//
// Fully masked rows
//===----------------------------------------------------------------------===//

TEST(ReferenceFullyMasked, BoolMaskRowAllFalse) {
  std::mt19937 rng(11);
  Tensor q = randomTensor({2, 4, 3}, rng);
  Tensor k = randomTensor({2, 5, 3}, rng);
  Tensor v = randomTensor({2, 5, 2}, rng);
  Mask mask;
  mask.kind = Mask::Kind::Bool;
  mask.values = Tensor::filled({4, 5}, 1.0);
  for (int64_t j = 0; j < 5; ++j)
    mask.values.data[2 * 5 + j] = 0.0; // row 2 of every head
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, mask, Attributes(), result), "");
  EXPECT_FALSE(hasNaN(result.out));
  EXPECT_FALSE(hasNaN(result.lse));
  for (int64_t h = 0; h < 2; ++h) {
    for (int64_t i = 0; i < 4; ++i) {
      double lse = result.lse.data[h * 4 + i];
      if (i == 2) {
        EXPECT_EQ(lse, -kInf);
        for (int64_t c = 0; c < 2; ++c)
          EXPECT_EQ(result.out.data[(h * 4 + i) * 2 + c], 0.0);
      } else {
        EXPECT_TRUE(std::isfinite(lse));
      }
    }
  }
  Naive naive = naiveSdpa(q, k, v, mask, Attributes());
  expectClose(result.out, {2, 4, 2}, naive.out);
  expectClose(result.lse, {2, 4}, naive.lse);
}

TEST(ReferenceFullyMasked, AdditiveMaskRowAllMinusInf) {
  std::mt19937 rng(12);
  Tensor q = randomTensor({1, 3, 3}, rng);
  Tensor k = randomTensor({1, 4, 3}, rng);
  Tensor v = randomTensor({1, 4, 3}, rng);
  Mask mask;
  mask.kind = Mask::Kind::Additive;
  mask.values = Tensor::filled({3, 4}, 0.5);
  for (int64_t j = 0; j < 4; ++j)
    mask.values.data[0 * 4 + j] = -kInf;
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, mask, Attributes(), result), "");
  EXPECT_FALSE(hasNaN(result.out));
  EXPECT_EQ(result.lse.data[0], -kInf);
  for (int64_t c = 0; c < 3; ++c)
    EXPECT_EQ(result.out.data[c], 0.0);
  EXPECT_TRUE(std::isfinite(result.lse.data[1]));
}

TEST(ReferenceFullyMasked, BottomRightCausalWithLGreaterS) {
  const int64_t l = 7, s = 4;
  std::mt19937 rng(13);
  Tensor q = randomTensor({2, 3, l, 4}, rng);
  Tensor k = randomTensor({2, 3, s, 4}, rng);
  Tensor v = randomTensor({2, 3, s, 5}, rng);
  Attributes attrs;
  attrs.causal = true;
  attrs.alignment = Alignment::BottomRight;
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, Mask(), attrs, result), "");
  EXPECT_FALSE(hasNaN(result.out));
  EXPECT_FALSE(hasNaN(result.lse));
  for (int64_t bh = 0; bh < 6; ++bh)
    for (int64_t i = 0; i < l; ++i) {
      double lse = result.lse.data[bh * l + i];
      if (i < l - s) {
        EXPECT_EQ(lse, -kInf) << "row " << i;
        for (int64_t c = 0; c < 5; ++c)
          EXPECT_EQ(result.out.data[(bh * l + i) * 5 + c], 0.0);
      } else {
        EXPECT_TRUE(std::isfinite(lse)) << "row " << i;
      }
    }
  // Row L - S sees exactly column 0: out is v_0, lse is its score.
  for (int64_t c = 0; c < 5; ++c)
    EXPECT_DOUBLE_EQ(result.out.data[(l - s) * 5 + c], v.data[c]);
  double score0 = 0;
  for (int64_t c = 0; c < 4; ++c)
    score0 += q.data[(l - s) * 4 + c] * k.data[c];
  EXPECT_NEAR(result.lse.data[l - s], score0 / 2.0, 1e-14);
}

TEST(ReferenceFullyMasked, WindowLeavesRowsEmpty) {
  // Window (0, 0), top-left, L > S: row i only sees column i, absent for
  // i >= S.
  std::mt19937 rng(14);
  Tensor q = randomTensor({1, 6, 2}, rng);
  Tensor k = randomTensor({1, 3, 2}, rng);
  Tensor v = randomTensor({1, 3, 2}, rng);
  Attributes attrs;
  attrs.window = std::array<int64_t, 2>{0, 0};
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, Mask(), attrs, result), "");
  EXPECT_FALSE(hasNaN(result.out));
  for (int64_t i = 0; i < 6; ++i) {
    if (i < 3) {
      EXPECT_DOUBLE_EQ(result.out.data[i * 2], v.data[i * 2]);
      EXPECT_DOUBLE_EQ(result.out.data[i * 2 + 1], v.data[i * 2 + 1]);
    } else {
      EXPECT_EQ(result.lse.data[i], -kInf);
      EXPECT_EQ(result.out.data[i * 2], 0.0);
      EXPECT_EQ(result.out.data[i * 2 + 1], 0.0);
    }
  }
}

TEST(ReferenceFullyMasked, SEqualsZero) {
  std::mt19937 rng(15);
  Tensor q = randomTensor({2, 3, 4}, rng);
  Tensor k({2, 0, 4}, {});
  Tensor v({2, 0, 5}, {});
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, Mask(), Attributes(), result), "");
  ASSERT_EQ(result.out.shape, (std::vector<int64_t>{2, 3, 5}));
  ASSERT_EQ(result.lse.shape, (std::vector<int64_t>{2, 3}));
  for (double x : result.out.data)
    EXPECT_EQ(x, 0.0);
  for (double x : result.lse.data)
    EXPECT_EQ(x, -kInf);
}

TEST(ReferenceEmpty, LEqualsZero) {
  std::mt19937 rng(16);
  Tensor q({3, 2, 0, 4}, {});
  Tensor k = randomTensor({3, 1, 5, 4}, rng);
  Tensor v = randomTensor({3, 1, 5, 6}, rng);
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, Mask(), Attributes(), result), "");
  EXPECT_EQ(result.out.shape, (std::vector<int64_t>{3, 2, 0, 6}));
  EXPECT_EQ(result.lse.shape, (std::vector<int64_t>{3, 2, 0}));
  EXPECT_TRUE(result.out.data.empty());
  EXPECT_TRUE(result.lse.data.empty());
}

TEST(ReferenceEmpty, ZeroBatch) {
  Tensor q({0, 2, 3, 4}, {});
  Tensor k({0, 2, 5, 4}, {});
  Tensor v({0, 2, 5, 6}, {});
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, Mask(), Attributes(), result), "");
  EXPECT_EQ(result.out.shape, (std::vector<int64_t>{0, 2, 3, 6}));
  EXPECT_EQ(result.lse.shape, (std::vector<int64_t>{0, 2, 3}));
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

static RandomProblem dropoutProblem(double p, uint64_t seed) {
  RandomProblem problem =
      makeProblem(RandomCase("Dropout", {2, 2}, 4, 2, 6, 9, 4, 3)
                      .withCausal(Alignment::BottomRight)
                      .withMask(Mask::Kind::Additive, {4, 1, 9}),
                  99);
  problem.attrs.dropoutP = p;
  problem.attrs.seed = seed;
  return problem;
}

static Result evaluate(const RandomProblem &p) {
  Result result;
  std::string error = evaluateSdpa(p.q, p.k, p.v, p.mask, p.attrs, result);
  EXPECT_EQ(error, "");
  return result;
}

TEST(ReferenceDropout, SameSeedGivesIdenticalOutput) {
  Result a = evaluate(dropoutProblem(0.3, 1234));
  Result b = evaluate(dropoutProblem(0.3, 1234));
  EXPECT_EQ(a.out.data, b.out.data);
  EXPECT_EQ(a.lse.data, b.lse.data);
}

TEST(ReferenceDropout, DifferentSeedGivesDifferentOutput) {
  Result a = evaluate(dropoutProblem(0.3, 1234));
  Result b = evaluate(dropoutProblem(0.3, 1235));
  EXPECT_NE(a.out.data, b.out.data);
  EXPECT_EQ(a.lse.data, b.lse.data);
}

TEST(ReferenceDropout, ZeroProbabilityIsNoDropout) {
  Result a = evaluate(dropoutProblem(0.0, 1234));
  Result b = evaluate(dropoutProblem(0.0, 999));
  EXPECT_EQ(a.out.data, b.out.data);
}

TEST(ReferenceDropout, MatchesNaiveWithTheSameDecisions) {
  for (double p : {0.1, 0.5, 0.9}) {
    SCOPED_TRACE("p = " + std::to_string(p));
    const uint64_t seed = 0xFEEDFACECAFEBEEFull;
    RandomProblem problem = dropoutProblem(p, seed);
    Result result = evaluate(problem);
    KeepFn keep = [&](int64_t b, int64_t h, int64_t i, int64_t j) {
      return sdpa::dropoutKeeps(seed, p, b, h, i, j);
    };
    Naive naive = naiveSdpa(problem.q, problem.k, problem.v, problem.mask,
                            problem.attrs, keep);
    expectClose(result.out, {2, 2, 4, 6, 3}, naive.out);

    // lse ignores dropout: it equals the no-dropout lse.
    RandomProblem noDropout = dropoutProblem(0.0, seed);
    Result plain = evaluate(noDropout);
    EXPECT_EQ(result.lse.data, plain.lse.data);
    Naive naivePlain = naiveSdpa(noDropout.q, noDropout.k, noDropout.v,
                                 noDropout.mask, noDropout.attrs);
    expectClose(result.lse, {2, 2, 4, 6}, naivePlain.lse);
    // And the drop actually changed something.
    EXPECT_NE(result.out.data, plain.out.data);
  }
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

/// Valid operands [2, 4, 3, 8] / [2, 2, 5, 8] / [2, 2, 5, 6] to break one at a
/// time.
struct ValidationFixture : ::testing::Test {
  Tensor q = Tensor::filled({2, 4, 3, 8}, 0.5);
  Tensor k = Tensor::filled({2, 2, 5, 8}, -0.25);
  Tensor v = Tensor::filled({2, 2, 5, 6}, 0.75);
  Mask mask;
  Attributes attrs;

  /// Runs evaluateSdpa, checks it failed without touching the result, and
  /// returns the message.
  std::string error() {
    Result result;
    result.out = Tensor({1}, {42.0});
    std::string message = evaluateSdpa(q, k, v, mask, attrs, result);
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(result.out.shape, (std::vector<int64_t>{1}));
    EXPECT_EQ(result.out.data, (std::vector<double>{42.0}));
    EXPECT_TRUE(result.lse.shape.empty());
    return message;
  }
};

TEST_F(ValidationFixture, ValidBaseline) {
  Result result;
  EXPECT_EQ(evaluateSdpa(q, k, v, mask, attrs, result), "");
}

TEST_F(ValidationFixture, QueryRankTooSmall) {
  q = Tensor::filled({3, 8}, 1.0);
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("query"));
  EXPECT_THAT(message, HasSubstr("rank"));
}

TEST_F(ValidationFixture, KeyRankTooSmall) {
  k = Tensor::filled({5, 8}, 1.0);
  EXPECT_THAT(error(), HasSubstr("key must have rank >= 3"));
}

TEST_F(ValidationFixture, ValueRankTooSmall) {
  v = Tensor::filled({6}, 1.0);
  EXPECT_THAT(error(), HasSubstr("value must have rank >= 3"));
}

TEST_F(ValidationFixture, DataSizeMismatch) {
  q.data.pop_back();
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("query"));
  EXPECT_THAT(message, HasSubstr("191"));
  EXPECT_THAT(message, HasSubstr("192"));
}

TEST_F(ValidationFixture, ValueDataSizeMismatch) {
  v.data.push_back(1.0);
  EXPECT_THAT(error(), HasSubstr("value has 121 elements"));
}

TEST_F(ValidationFixture, NegativeDim) {
  k.shape[2] = -5;
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("key"));
  EXPECT_THAT(message, HasSubstr("negative"));
}

TEST_F(ValidationFixture, OverflowingShape) {
  q.shape = {int64_t(1) << 40, int64_t(1) << 40, 1, 1};
  EXPECT_THAT(error(), HasSubstr("query"));
}

TEST_F(ValidationFixture, KeyBatchDimsDiffer) {
  q = Tensor::filled({2, 4, 4, 3, 8}, 0.5);
  k = Tensor::filled({2, 3, 2, 5, 8}, 0.5);
  v = Tensor::filled({2, 4, 2, 5, 6}, 0.5);
  EXPECT_THAT(error(),
              HasSubstr("key batch dims [2, 3] do not match query batch dims "
                        "[2, 4]"));
}

TEST_F(ValidationFixture, ValueBatchDimsDiffer) {
  v = Tensor::filled({3, 2, 5, 6}, 0.5);
  EXPECT_THAT(error(),
              HasSubstr("value batch dims [3] do not match query batch dims "
                        "[2]"));
}

TEST_F(ValidationFixture, BatchRankDiffers) {
  k = Tensor::filled({1, 2, 2, 5, 8}, 0.5);
  EXPECT_THAT(error(), HasSubstr("key batch dims [1, 2]"));
}

TEST_F(ValidationFixture, HeadsNotAMultiple) {
  q = Tensor::filled({2, 12, 3, 8}, 0.5);
  k = Tensor::filled({2, 5, 5, 8}, 0.5);
  v = Tensor::filled({2, 5, 5, 6}, 0.5);
  EXPECT_THAT(
      error(),
      HasSubstr("query heads (12) must be a multiple of key heads (5)"));
}

TEST_F(ValidationFixture, ZeroKeyHeads) {
  k = Tensor({2, 0, 5, 8}, {});
  v = Tensor({2, 0, 5, 6}, {});
  EXPECT_THAT(error(), HasSubstr("key heads (0)"));
}

TEST_F(ValidationFixture, ValueHeadsDiffer) {
  v = Tensor::filled({2, 1, 5, 6}, 0.5);
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("value heads (1)"));
  EXPECT_THAT(message, HasSubstr("key heads (2)"));
}

TEST_F(ValidationFixture, HeadDimDiffers) {
  k = Tensor::filled({2, 2, 5, 7}, 0.5);
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("key head dim E (7)"));
  EXPECT_THAT(message, HasSubstr("query head dim E (8)"));
}

TEST_F(ValidationFixture, SequenceLengthDiffers) {
  v = Tensor::filled({2, 2, 4, 6}, 0.5);
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("value sequence length S (4)"));
  EXPECT_THAT(message, HasSubstr("key sequence length S (5)"));
}

TEST_F(ValidationFixture, MaskNotBroadcastable) {
  mask.kind = Mask::Kind::Additive;
  mask.values = Tensor::filled({3, 4}, 0.0); // S is 5
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("mask dim 1 (4)"));
  EXPECT_THAT(message, HasSubstr("S (5)"));
}

TEST_F(ValidationFixture, MaskHeadDimNotBroadcastable) {
  mask.kind = Mask::Kind::Bool;
  mask.values = Tensor::filled({2, 1, 5}, 1.0); // Hq is 4
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("mask dim 0 (2)"));
  EXPECT_THAT(message, HasSubstr("Hq (4)"));
}

TEST_F(ValidationFixture, MaskBatchDimNotBroadcastable) {
  mask.kind = Mask::Kind::Additive;
  mask.values = Tensor::filled({3, 1, 1, 1}, 0.0); // batch dim is 2
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("mask dim 0 (3)"));
  EXPECT_THAT(message, HasSubstr("batch dim 0 (2)"));
}

TEST_F(ValidationFixture, MaskRankTooLarge) {
  mask.kind = Mask::Kind::Additive;
  mask.values = Tensor::filled({1, 2, 4, 3, 5}, 0.0);
  std::string message = error();
  EXPECT_THAT(message, HasSubstr("mask rank (5)"));
  EXPECT_THAT(message, HasSubstr("(4)"));
}

TEST_F(ValidationFixture, MaskDataSizeMismatch) {
  mask.kind = Mask::Kind::Bool;
  mask.values = Tensor({3, 5}, {1.0, 0.0});
  EXPECT_THAT(error(), HasSubstr("mask has 2 elements"));
}

TEST_F(ValidationFixture, MaskIgnoredWhenKindIsNone) {
  mask.values = Tensor({7, 7}, {1.0});
  Result result;
  EXPECT_EQ(evaluateSdpa(q, k, v, mask, attrs, result), "");
}

TEST_F(ValidationFixture, NegativeWindow) {
  attrs.window = std::array<int64_t, 2>{-1, 2};
  EXPECT_THAT(error(), HasSubstr("window"));
  attrs.window = std::array<int64_t, 2>{3, -2};
  EXPECT_THAT(error(), HasSubstr("window"));
}

TEST_F(ValidationFixture, DropoutOutOfRange) {
  for (double p : {-0.1, 1.0, 1.5, std::nan("")}) {
    attrs.dropoutP = p;
    EXPECT_THAT(error(), HasSubstr("dropout probability"));
  }
}

TEST_F(ValidationFixture, BadSoftcap) {
  for (double softcap : {0.0, -1.0, kInf, std::nan("")}) {
    attrs.softcap = softcap;
    EXPECT_THAT(error(), HasSubstr("softcap"));
  }
}

TEST_F(ValidationFixture, NonFiniteScale) {
  for (double scale : {kInf, -kInf, std::nan("")}) {
    attrs.scale = scale;
    EXPECT_THAT(error(), HasSubstr("scale"));
  }
}

TEST_F(ValidationFixture, DefaultScaleWithZeroHeadDim) {
  q = Tensor({2, 4, 3, 0}, {});
  k = Tensor({2, 2, 5, 0}, {});
  EXPECT_THAT(error(), HasSubstr("scale"));
  // With an explicit scale every score is 0: a uniform softmax over S = 5.
  attrs.scale = 1.0;
  Result result;
  ASSERT_EQ(evaluateSdpa(q, k, v, mask, attrs, result), "");
  for (double x : result.out.data)
    EXPECT_NEAR(x, 0.75, 1e-15);
  for (double x : result.lse.data)
    EXPECT_NEAR(x, std::log(5.0), 1e-15);
}
