//===- RandomArray.h - random inputs for the tools' --random ---*- C++ -*-===//
//
// sdpa-run and sdpa-launch generate the same inputs for the same seed:
// floats uniform in [-1, 1) (never all zeros or ones), masks that keep 80%
// of positions so that rows are rarely empty yet some are, integers in
// [-100, 100] and i64 seeds from all 64 bits.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_NPY_RANDOMARRAY_H
#define SDPA_RUNTIME_NPY_RANDOMARRAY_H

#include "runtime/npy/Npy.h"

#include <random>

namespace sdpa {
namespace npy {

/// An array of `dtype` and `shape` filled from `rng` as described above.
Array randomArray(DType dtype, std::vector<int64_t> shape,
                  std::mt19937_64 &rng);

} // namespace npy
} // namespace sdpa

#endif // SDPA_RUNTIME_NPY_RANDOMARRAY_H
