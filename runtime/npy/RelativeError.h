//===- RelativeError.h - the error measure of every numerical check -*- C++
//-*-===//
//
// One definition of how far a result is from its reference, shared by
// sdpa-run's --check, sdpa-bench's max_rel_err and the C++ integration
// tests, so that a tolerance means the same thing everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_NPY_RELATIVEERROR_H
#define SDPA_RUNTIME_NPY_RELATIVEERROR_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace sdpa {
namespace npy {

/// max |actual(i) - expected(i)| over max |expected(i)|, for i in
/// [0, count): a normwise relative error, which unlike an elementwise one
/// does not blow up on outputs near zero. Equal infinities agree (an LSE of
/// -inf for a fully masked row); a NaN on either side, or an infinity on
/// one side only, is an infinite error.
template <typename Actual, typename Expected>
double relativeError(int64_t count, Actual actual, Expected expected) {
  double maxDiff = 0.0, maxRef = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    double a = actual(i), b = expected(i);
    if (std::isnan(a) || std::isnan(b))
      return INFINITY;
    if (std::isinf(a) || std::isinf(b)) {
      if (a != b)
        return INFINITY;
      continue;
    }
    maxDiff = std::max(maxDiff, std::fabs(a - b));
    maxRef = std::max(maxRef, std::fabs(b));
  }
  return maxDiff / std::max(maxRef, 1e-30);
}

} // namespace npy
} // namespace sdpa

#endif // SDPA_RUNTIME_NPY_RELATIVEERROR_H
