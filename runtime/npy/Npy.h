//===- Npy.h - reading and writing numpy .npy files ------------*- C++ -*-===//
//
// A dependency-free reader and writer for the numpy .npy format, so that
// `sdpa-run` can exchange inputs and outputs with Python without linking
// anything beyond the C++17 standard library.
//
// Reading accepts format versions 1.0, 2.0 and 3.0 with C-order,
// little-endian data of the dtypes below. Writing produces version 1.0, or 2.0
// when the header does not fit 1.0's 16-bit length field, laid out as numpy
// does (data starting at a multiple of 64 bytes).
//
// numpy has no bfloat16, so BF16 never round-trips through a file: writing a
// BF16 array stores its values (exactly) as float32 with descr '<f4', and
// reading never produces BF16.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_NPY_NPY_H
#define SDPA_RUNTIME_NPY_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sdpa {
namespace npy {

enum class DType { Bool, F16, BF16, F32, F64, I32, I64 };

/// "bool", "f16", "bf16", "f32", "f64", "i32", "i64".
const char *dtypeName(DType dtype);
/// Bytes per element.
size_t dtypeSize(DType dtype);

/// A dense array as stored in a .npy file.
struct Array {
  DType dtype = DType::F32;
  /// C order; rank 0 (a scalar) is allowed.
  std::vector<int64_t> shape;
  /// Little-endian element data in C order; size == numElements() *
  /// dtypeSize(dtype).
  std::vector<uint8_t> bytes;

  /// The product of `shape` (1 for rank 0).
  int64_t numElements() const;
  /// Element i converted to double (f16/bf16 decoded exactly; bool -> 0/1).
  double getAsDouble(int64_t i) const;
  /// Stores `value` into element i, rounding to nearest-even for f16/bf16/f32
  /// (f16 and bf16 handle subnormals, infinities and NaN). Integers round to
  /// nearest (ties to even) and saturate, NaN becoming 0; bool stores
  /// value != 0 (so NaN is true, as in numpy).
  void setFromDouble(int64_t i, double value);
  /// An all-zero array. The element count of `shape` must fit in memory.
  static Array zeros(DType dtype, std::vector<int64_t> shape);
  /// This array's values in `dtype`, rounded as setFromDouble rounds (how a
  /// bf16 argument is read from an f32 file, numpy having no bfloat16).
  Array convertedTo(DType dtype) const;
};

/// Reads `path`. On failure returns false and sets `error` to a message
/// naming the file and what is wrong with it.
bool readNpy(const std::string &path, Array &array, std::string &error);
/// Writes `array` to `path` (see serializeNpy). On failure returns false and
/// sets `error`.
bool writeNpy(const std::string &path, const Array &array, std::string &error);

/// Parses the contents of a .npy file; `name` prefixes error messages.
/// Malformed input of any kind gives an error, never a crash or an
/// allocation sized by untrusted header values.
bool parseNpy(const std::vector<uint8_t> &data, Array &array,
              std::string &error, const std::string &name = "<memory>");
/// The bytes of a .npy file holding `array` (BF16 stored as '<f4').
std::vector<uint8_t> serializeNpy(const Array &array);

/// Conversions between IEEE binary16 / bfloat16 bit patterns and float. The
/// narrowing ones round to nearest-even, overflow to infinity and keep NaN a
/// (quiet) NaN.
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bf16ToFloat(uint16_t bits);
uint16_t floatToBf16(float value);

} // namespace npy
} // namespace sdpa

#endif // SDPA_RUNTIME_NPY_NPY_H
