//===- UnfusedBaseline.cpp - attention the way users write it -------------===//
//
// Deliberately unfused: the full score matrix goes to memory and is read back
// by the softmax and by the second product, which is the traffic a fused
// kernel avoids. The products use OpenBLAS so that the baseline is as strong
// as the math path a user gets from a framework on a CPU.
//
//===----------------------------------------------------------------------===//

#include "bench/UnfusedBaseline.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <sstream>

// Redeclared because cblas.h may be another vendor's header (Debian chooses
// it through alternatives) that does not declare OpenBLAS's extensions; the
// library linked is always OpenBLAS.
extern "C" void openblas_set_num_threads(int numThreads);

namespace sdpa {
namespace bench {

std::string checkShape(const AttentionShape &shape) {
  std::ostringstream message;
  const struct {
    const char *name;
    int64_t value;
  } dims[] = {{"B", shape.B},  {"Hq", shape.Hq}, {"Hkv", shape.Hkv},
              {"L", shape.L},  {"S", shape.S},   {"E", shape.E},
              {"Ev", shape.Ev}};
  for (const auto &dim : dims) {
    // BLAS takes int dims and leading dimensions.
    if (dim.value < 1 || dim.value > INT_MAX) {
      message << dim.name << " = " << dim.value << " is not in [1, " << INT_MAX
              << "]";
      return message.str();
    }
  }
  if (shape.Hq % shape.Hkv != 0) {
    message << "Hq = " << shape.Hq
            << " is not a multiple of Hkv = " << shape.Hkv;
    return message.str();
  }
  return "";
}

size_t unfusedScratchFloats(const AttentionShape &shape) {
  return static_cast<size_t>(shape.L) * static_cast<size_t>(shape.S);
}

/// Softmax of each row of the L x S matrix `scores` in place, with -inf
/// entries becoming 0. Every row keeps j = 0 under the top-left causal mask,
/// so no row is entirely -inf.
static void softmaxRows(float *scores, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    float *row = scores + i * cols;
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j)
      max = std::max(max, row[j]);
    float sum = 0.0f;
    for (int64_t j = 0; j < cols; ++j) {
      row[j] = std::exp(row[j] - max);
      sum += row[j];
    }
    for (int64_t j = 0; j < cols; ++j)
      row[j] /= sum;
  }
}

void runUnfused(const AttentionShape &shape, const float *q, const float *k,
                const float *v, float *o, float *scratch) {
  const int l = static_cast<int>(shape.L);
  const int s = static_cast<int>(shape.S);
  const int e = static_cast<int>(shape.E);
  const int ev = static_cast<int>(shape.Ev);
  const int64_t group = shape.Hq / shape.Hkv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(shape.E));
  const float negInf = -std::numeric_limits<float>::infinity();

  for (int64_t b = 0; b < shape.B; ++b) {
    for (int64_t h = 0; h < shape.Hq; ++h) {
      const int64_t kvHead = b * shape.Hkv + h / group;
      const float *qHead = q + (b * shape.Hq + h) * shape.L * shape.E;
      const float *kHead = k + kvHead * shape.S * shape.E;
      const float *vHead = v + kvHead * shape.S * shape.Ev;
      float *oHead = o + (b * shape.Hq + h) * shape.L * shape.Ev;

      // scores = scale * Q K^T, [L, S].
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, l, s, e, scale,
                  qHead, e, kHead, e, 0.0f, scratch, s);
      if (shape.causal) {
        for (int64_t i = 0; i < shape.L; ++i)
          for (int64_t j = i + 1; j < shape.S; ++j)
            scratch[i * shape.S + j] = negInf;
      }
      softmaxRows(scratch, shape.L, shape.S);
      // O = P V, [L, Ev].
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l, ev, s, 1.0f,
                  scratch, s, vHead, ev, 0.0f, oHead, ev);
    }
  }
}

void setBaselineThreads(int threads) {
  openblas_set_num_threads(std::max(threads, 1));
}

double attentionFlops(const AttentionShape &shape) {
  double pairs;
  if (shape.causal) {
    // Rows i < S keep i + 1 columns; the L - S rows past the diagonal's end
    // keep all S.
    const double full = static_cast<double>(std::min(shape.L, shape.S));
    pairs = full * (full + 1.0) / 2.0;
    if (shape.L > shape.S)
      pairs +=
          static_cast<double>(shape.L - shape.S) * static_cast<double>(shape.S);
  } else {
    pairs = static_cast<double>(shape.L) * static_cast<double>(shape.S);
  }
  return 2.0 * static_cast<double>(shape.B) * static_cast<double>(shape.Hq) *
         static_cast<double>(shape.E + shape.Ev) * pairs;
}

double kvBytes(const AttentionShape &shape) {
  return static_cast<double>(shape.B) * static_cast<double>(shape.Hkv) *
         static_cast<double>(shape.S) *
         static_cast<double>(shape.E + shape.Ev) * sizeof(float);
}

} // namespace bench
} // namespace sdpa
