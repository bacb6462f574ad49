//===- RandomArray.cpp - random inputs for the tools' --random ------------===//

#include "runtime/npy/RandomArray.h"

#include <cstring>

using namespace sdpa;

npy::Array npy::randomArray(DType dtype, std::vector<int64_t> shape,
                            std::mt19937_64 &rng) {
  Array array = Array::zeros(dtype, std::move(shape));
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::bernoulli_distribution keep(0.8);
  for (int64_t i = 0, e = array.numElements(); i < e; ++i) {
    switch (dtype) {
    case DType::Bool:
      array.setFromDouble(i, keep(rng) ? 1.0 : 0.0);
      break;
    case DType::I32:
      array.setFromDouble(i, static_cast<double>(rng() % 201) - 100.0);
      break;
    case DType::I64: {
      uint64_t bits = rng();
      std::memcpy(array.bytes.data() + i * sizeof(bits), &bits, sizeof(bits));
      break;
    }
    case DType::F16:
    case DType::BF16:
    case DType::F32:
    case DType::F64:
      array.setFromDouble(i, uniform(rng));
      break;
    }
  }
  return array;
}
