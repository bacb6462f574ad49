//===- Npy.cpp - reading and writing numpy .npy files ---------------------===//
//
// The format is documented in numpy/lib/format.py: a magic string, a version,
// a little-endian header length, then a Python dict literal giving descr,
// fortran_order and shape, then the raw element data. Every length and count
// from the file is checked against the bytes actually present before it is
// used, so malformed input yields an error rather than a crash.
//
//===----------------------------------------------------------------------===//

#include "runtime/npy/Npy.h"

#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace sdpa {
namespace npy {

static const char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicLen = 6;
// numpy aligns the start of the data to this many bytes.
static constexpr size_t kAlign = 64;

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "bool";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return 1;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  }
  return 1;
}

//===----------------------------------------------------------------------===//
// Half and bfloat16
//===----------------------------------------------------------------------===//

/// Rounds `value` to nearest-even into a binary format with `expBits`
/// exponent and `mantBits` stored mantissa bits, returning its bit pattern.
/// Working from double lets setFromDouble round once, avoiding the double
/// rounding of going through float first.
static uint32_t narrowDouble(double value, int expBits, int mantBits) {
  uint64_t d;
  std::memcpy(&d, &value, sizeof(d));
  uint32_t sign = static_cast<uint32_t>(d >> 63) << (expBits + mantBits);
  uint64_t absBits = d & ~(uint64_t(1) << 63);
  uint64_t doubleMant = absBits & ((uint64_t(1) << 52) - 1);
  uint32_t maxExp = (1u << expBits) - 1;
  uint32_t infBits = maxExp << mantBits;
  int doubleExp = static_cast<int>(absBits >> 52);
  if (doubleExp == 0x7FF) {
    if (doubleMant == 0)
      return sign | infBits;
    // Quiet NaN keeping the top payload bits.
    return sign | infBits | (1u << (mantBits - 1)) |
           static_cast<uint32_t>(doubleMant >> (52 - mantBits));
  }
  if (absBits == 0)
    return sign;
  int bias = (1 << (expBits - 1)) - 1;
  int exp = doubleExp - 1023 + bias; // Biased exponent in the target.
  if (exp >= static_cast<int>(maxExp))
    return sign | infBits;
  // Double subnormals are far below any target's subnormals, so treating
  // them as normal only matters in that they round to zero below.
  uint64_t mant = doubleMant | (uint64_t(1) << 52);
  int shift = 52 - mantBits;
  if (exp <= 0) {
    // Target subnormal: drop the extra bits lost below the minimum exponent.
    shift += 1 - exp;
    exp = 0;
  }
  if (shift > 60) // mant < 2^53 is below half an ulp: rounds to zero.
    return sign;
  uint64_t q = mant >> shift;
  uint64_t rest = mant & ((uint64_t(1) << shift) - 1);
  uint64_t half = uint64_t(1) << (shift - 1);
  if (rest > half || (rest == half && (q & 1)))
    ++q;
  // For normals q includes the implicit bit, which adds the 1 back to exp;
  // a rounding carry out of the mantissa bumps the exponent as it should.
  uint64_t bits = exp == 0 ? q : (uint64_t(exp - 1) << mantBits) + q;
  if (bits >= infBits)
    return sign | infBits;
  return sign | static_cast<uint32_t>(bits);
}

/// The value of a bit pattern in the format narrowDouble produces. NaN
/// payloads are not kept: no caller needs them.
static double widenToDouble(uint32_t bits, int expBits, int mantBits) {
  bool negative = (bits >> (expBits + mantBits)) & 1;
  uint32_t maxExp = (1u << expBits) - 1;
  uint32_t exp = (bits >> mantBits) & maxExp;
  uint32_t mant = bits & ((1u << mantBits) - 1);
  int bias = (1 << (expBits - 1)) - 1;
  double magnitude;
  if (exp == maxExp)
    magnitude = mant ? std::numeric_limits<double>::quiet_NaN()
                     : std::numeric_limits<double>::infinity();
  else if (exp == 0)
    magnitude = std::ldexp(static_cast<double>(mant), 1 - bias - mantBits);
  else
    magnitude = std::ldexp(static_cast<double>(mant | (1u << mantBits)),
                           static_cast<int>(exp) - bias - mantBits);
  return negative ? -magnitude : magnitude;
}

static uint16_t doubleToHalf(double value) {
  return static_cast<uint16_t>(narrowDouble(value, 5, 10));
}

static uint16_t doubleToBf16(double value) {
  return static_cast<uint16_t>(narrowDouble(value, 8, 7));
}

float halfToFloat(uint16_t bits) {
  return static_cast<float>(widenToDouble(bits, 5, 10));
}

uint16_t floatToHalf(float value) { return doubleToHalf(value); }

float bf16ToFloat(uint16_t bits) {
  // bfloat16 is the top half of a float, so this is exact, NaN payload too.
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

uint16_t floatToBf16(float value) { return doubleToBf16(value); }

//===----------------------------------------------------------------------===//
// Array
//===----------------------------------------------------------------------===//

// Element data is little-endian regardless of the host, so it is assembled
// byte by byte.
static uint64_t loadLE(const uint8_t *p, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |= static_cast<uint64_t>(p[i]) << (8 * i);
  return value;
}

static void storeLE(uint8_t *p, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i)
    p[i] = static_cast<uint8_t>(value >> (8 * i));
}

int64_t Array::numElements() const {
  // A zero dimension makes the product 0 even if the others would overflow.
  int64_t count = 1;
  for (int64_t dim : shape)
    if (dim == 0)
      return 0;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

double Array::getAsDouble(int64_t i) const {
  size_t size = dtypeSize(dtype);
  assert(i >= 0 && static_cast<size_t>(i) < bytes.size() / size);
  uint64_t raw = loadLE(bytes.data() + static_cast<size_t>(i) * size, size);
  switch (dtype) {
  case DType::Bool:
    return raw != 0 ? 1.0 : 0.0;
  case DType::F16:
    return halfToFloat(static_cast<uint16_t>(raw));
  case DType::BF16:
    return bf16ToFloat(static_cast<uint16_t>(raw));
  case DType::F32: {
    uint32_t bits = static_cast<uint32_t>(raw);
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case DType::F64: {
    double value;
    std::memcpy(&value, &raw, sizeof(value));
    return value;
  }
  case DType::I32:
    return static_cast<int32_t>(static_cast<uint32_t>(raw));
  case DType::I64:
    return static_cast<double>(static_cast<int64_t>(raw));
  }
  return 0.0;
}

/// `value` rounded to nearest-even and clamped to [lo, hi]; NaN gives 0.
/// `hiLimit` is hi + 1 as an exact double, since hi itself may not be.
static int64_t saturate(double value, int64_t lo, int64_t hi, double hiLimit) {
  if (std::isnan(value))
    return 0;
  value = std::nearbyint(value);
  if (value >= hiLimit)
    return hi;
  if (value <= static_cast<double>(lo))
    return lo;
  return static_cast<int64_t>(value);
}

void Array::setFromDouble(int64_t i, double value) {
  size_t size = dtypeSize(dtype);
  assert(i >= 0 && static_cast<size_t>(i) < bytes.size() / size);
  uint64_t raw = 0;
  switch (dtype) {
  case DType::Bool:
    raw = value != 0.0;
    break;
  case DType::F16:
    raw = doubleToHalf(value);
    break;
  case DType::BF16:
    raw = doubleToBf16(value);
    break;
  case DType::F32: {
    // The conversion rounds to nearest-even in the default rounding mode.
    float narrow = static_cast<float>(value);
    uint32_t bits;
    std::memcpy(&bits, &narrow, sizeof(bits));
    raw = bits;
    break;
  }
  case DType::F64:
    std::memcpy(&raw, &value, sizeof(raw));
    break;
  case DType::I32:
    raw = static_cast<uint32_t>(static_cast<int32_t>(
        saturate(value, std::numeric_limits<int32_t>::min(),
                 std::numeric_limits<int32_t>::max(), 2147483648.0)));
    break;
  case DType::I64:
    raw = static_cast<uint64_t>(
        saturate(value, std::numeric_limits<int64_t>::min(),
                 std::numeric_limits<int64_t>::max(), 9223372036854775808.0));
    break;
  }
  storeLE(bytes.data() + static_cast<size_t>(i) * size, raw, size);
}

Array Array::zeros(DType dtype, std::vector<int64_t> shape) {
  Array array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.bytes.assign(
      static_cast<size_t>(array.numElements()) * dtypeSize(dtype), 0);
  return array;
}

Array Array::convertedTo(DType to) const {
  Array result = zeros(to, shape);
  for (int64_t i = 0, e = numElements(); i < e; ++i)
    result.setFromDouble(i, getAsDouble(i));
  return result;
}

//===----------------------------------------------------------------------===//
// Header parsing
//===----------------------------------------------------------------------===//

namespace {

/// A recursive-descent parser for the subset of Python literal syntax that
/// .npy headers use: a dict of string keys whose values are strings, True,
/// False or tuples of non-negative integers.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &headerText) : text(headerText) {}

  /// Parses the whole header into the three fields, or returns false with
  /// the reason in errorMessage().
  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape);
  const std::string &errorMessage() const { return error; }

private:
  const std::string &text;
  size_t pos = 0;
  std::string error;

  bool fail(const std::string &message) {
    error = "malformed header: " + message + " at header offset " +
            std::to_string(pos);
    return false;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  /// Skips whitespace, then consumes `c` if it is next.
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool parseString(std::string &value);
  bool parseBool(bool &value);
  bool parseShape(std::vector<int64_t> &shape);
};

} // namespace

bool HeaderParser::parseString(std::string &value) {
  skipSpace();
  if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
    return fail("expected a string");
  char quote = text[pos++];
  size_t end = text.find(quote, pos);
  if (end == std::string::npos)
    return fail("unterminated string");
  value = text.substr(pos, end - pos);
  pos = end + 1;
  return true;
}

bool HeaderParser::parseBool(bool &value) {
  skipSpace();
  if (text.compare(pos, 4, "True") == 0) {
    value = true;
    pos += 4;
    return true;
  }
  if (text.compare(pos, 5, "False") == 0) {
    value = false;
    pos += 5;
    return true;
  }
  return fail("expected True or False for 'fortran_order'");
}

bool HeaderParser::parseShape(std::vector<int64_t> &shape) {
  if (!consume('('))
    return fail("expected a tuple for 'shape'");
  shape.clear();
  bool trailingComma = false;
  while (!consume(')')) {
    if (!shape.empty() && !trailingComma)
      return fail("expected ',' or ')' in 'shape'");
    skipSpace();
    if (pos < text.size() && text[pos] == '-')
      return fail("negative dimension in 'shape'");
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9')
      return fail("expected an integer in 'shape'");
    int64_t dim = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      int digit = text[pos] - '0';
      if (dim > (std::numeric_limits<int64_t>::max() - digit) / 10)
        return fail("dimension too large in 'shape'");
      dim = dim * 10 + digit;
    }
    // Python 2 era numpy wrote dimensions as longs, e.g. (3L, 4L).
    if (pos < text.size() && text[pos] == 'L')
      ++pos;
    shape.push_back(dim);
    trailingComma = consume(',');
  }
  // In Python "(5)" is an int, not a tuple; numpy rejects it too.
  if (shape.size() == 1 && !trailingComma)
    return fail("'shape' is not a tuple (a 1-tuple needs a trailing comma)");
  return true;
}

bool HeaderParser::parse(std::string &descr, bool &fortranOrder,
                         std::vector<int64_t> &shape) {
  bool seenDescr = false, seenFortran = false, seenShape = false;
  if (!consume('{'))
    return fail("expected '{'");
  bool trailingComma = true;
  while (!consume('}')) {
    if (!trailingComma)
      return fail("expected ',' or '}'");
    std::string key;
    if (!parseString(key))
      return false;
    if (!consume(':'))
      return fail("expected ':' after key '" + key + "'");
    bool *seen = key == "descr"           ? &seenDescr
                 : key == "fortran_order" ? &seenFortran
                 : key == "shape"         ? &seenShape
                                          : nullptr;
    if (!seen)
      return fail("unexpected key '" + key + "'");
    if (*seen)
      return fail("duplicate key '" + key + "'");
    *seen = true;
    if (key == "descr") {
      skipSpace();
      if (pos < text.size() && text[pos] == '[') {
        // Well-formed, but not a plain dtype: say so rather than "malformed".
        error = "unsupported dtype descr: structured dtypes are not supported";
        return false;
      }
      if (!parseString(descr))
        return false;
    } else if (key == "fortran_order") {
      if (!parseBool(fortranOrder))
        return false;
    } else if (!parseShape(shape)) {
      return false;
    }
    trailingComma = consume(',');
  }
  skipSpace();
  if (pos != text.size())
    return fail("unexpected text after the header dict");
  if (!seenDescr)
    return fail("missing key 'descr'");
  if (!seenFortran)
    return fail("missing key 'fortran_order'");
  if (!seenShape)
    return fail("missing key 'shape'");
  return true;
}

/// Maps a descr to a DType, or explains why it cannot.
static bool parseDescr(const std::string &descr, DType &dtype,
                       std::string &error) {
  static const struct {
    const char *code;
    DType dtype;
  } kCodes[] = {{"b1", DType::Bool}, {"f2", DType::F16}, {"f4", DType::F32},
                {"f8", DType::F64},  {"i4", DType::I32}, {"i8", DType::I64}};
  error = "unsupported dtype descr '" + descr +
          "' (supported: '|b1', '<f2', '<f4', '<f8', '<i4', '<i8')";
  if (descr.size() != 3)
    return false;
  char order = descr[0];
  for (const auto &entry : kCodes) {
    if (descr.compare(1, 2, entry.code) != 0)
      continue;
    // Byte order is meaningless for one byte, where numpy writes '|'. '=' is
    // the writer's native order, taken as little-endian like every host
    // this project targets.
    if (dtypeSize(entry.dtype) == 1
            ? order == '<' || order == '>' || order == '=' || order == '|'
            : order == '<' || order == '=') {
      dtype = entry.dtype;
      error.clear();
      return true;
    }
    if (order == '>')
      error = "big-endian data (descr '" + descr + "') is not supported";
    return false;
  }
  return false;
}

bool parseNpy(const std::vector<uint8_t> &data, Array &array,
              std::string &error, const std::string &name) {
  auto fail = [&](const std::string &message) {
    error = name + ": " + message;
    return false;
  };
  if (data.empty())
    return fail("not a .npy file (the file is empty)");
  if (data.size() < kMagicLen) {
    if (std::memcmp(data.data(), kMagic, data.size()) == 0)
      return fail("truncated: too short for the .npy magic string");
    return fail("not a .npy file (bad magic string)");
  }
  if (std::memcmp(data.data(), kMagic, kMagicLen) != 0)
    return fail("not a .npy file (bad magic string)");
  if (data.size() < kMagicLen + 2)
    return fail("truncated: missing the format version");
  unsigned major = data[6], minor = data[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail("unsupported .npy format version " + std::to_string(major) +
                "." + std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  // Version 1.0 has a 2-byte header length, later versions 4 bytes.
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = kMagicLen + 2 + lengthSize;
  if (data.size() < headerStart)
    return fail("truncated: missing the header length");
  size_t headerLen = loadLE(data.data() + kMagicLen + 2, lengthSize);
  if (data.size() - headerStart < headerLen)
    return fail("truncated header: expected " + std::to_string(headerLen) +
                " bytes, found " + std::to_string(data.size() - headerStart));

  std::string header(data.begin() + headerStart,
                     data.begin() + headerStart + headerLen);
  std::string descr, message;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  HeaderParser parser(header);
  if (!parser.parse(descr, fortranOrder, shape))
    return fail(parser.errorMessage());
  DType dtype;
  if (!parseDescr(descr, dtype, message))
    return fail(message);
  if (fortranOrder)
    return fail("fortran_order True (Fortran-ordered arrays) is not supported; "
                "save a C-order array");

  // Bound the byte count before trusting it: the product of the nonzero
  // dimensions, times the element size, must fit in int64.
  uint64_t limit = std::numeric_limits<int64_t>::max() / dtypeSize(dtype);
  uint64_t count = 1;
  bool empty = false;
  for (int64_t dim : shape) {
    if (dim == 0) {
      empty = true;
      continue;
    }
    if (count > limit / static_cast<uint64_t>(dim))
      return fail("shape is too large: its element count overflows");
    count *= static_cast<uint64_t>(dim);
  }
  uint64_t expected = empty ? 0 : count * dtypeSize(dtype);
  size_t available = data.size() - headerStart - headerLen;
  // Bytes after the data are ignored, as numpy's own reader does.
  if (available < expected)
    return fail("truncated data: expected " + std::to_string(expected) +
                " bytes, found " + std::to_string(available));

  array.dtype = dtype;
  array.shape = std::move(shape);
  const uint8_t *begin = data.data() + headerStart + headerLen;
  array.bytes.assign(begin, begin + expected);
  return true;
}

//===----------------------------------------------------------------------===//
// Serialization and files
//===----------------------------------------------------------------------===//

/// The descr numpy writes for `dtype`; BF16 is stored as float32.
static const char *descrFor(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "|b1";
  case DType::F16:
    return "<f2";
  case DType::BF16:
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  }
  return "<f4";
}

std::vector<uint8_t> serializeNpy(const Array &array) {
  assert(array.bytes.size() == static_cast<size_t>(array.numElements()) *
                                   dtypeSize(array.dtype) &&
         "byte size does not match the shape");
  // Written exactly as numpy's repr of the header dict.
  std::string header = "{'descr': '";
  header += descrFor(array.dtype);
  header += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i) {
    if (i)
      header += ", ";
    header += std::to_string(array.shape[i]);
  }
  header += array.shape.size() == 1 ? ",), }" : "), }";

  // Pad with spaces and end with '\n' so the data starts aligned; fall back
  // to version 2.0 only when the 16-bit length field cannot hold the header.
  auto paddedLength = [&](size_t prefix) {
    size_t unpadded = prefix + header.size() + 1;
    return header.size() + 1 + (kAlign - unpadded % kAlign) % kAlign;
  };
  size_t lengthSize = 2;
  size_t headerLen = paddedLength(kMagicLen + 2 + 2);
  if (headerLen > 0xFFFF) {
    lengthSize = 4;
    headerLen = paddedLength(kMagicLen + 2 + 4);
  }
  header.resize(headerLen - 1, ' ');
  header += '\n';

  std::vector<uint8_t> out(kMagic, kMagic + kMagicLen);
  out.push_back(lengthSize == 2 ? 1 : 2);
  out.push_back(0);
  out.resize(out.size() + lengthSize);
  storeLE(out.data() + kMagicLen + 2, headerLen, lengthSize);
  out.insert(out.end(), header.begin(), header.end());

  if (array.dtype != DType::BF16) {
    out.insert(out.end(), array.bytes.begin(), array.bytes.end());
    return out;
  }
  // numpy has no bfloat16; its float32 widening is exact.
  size_t count = array.bytes.size() / 2;
  size_t offset = out.size();
  out.resize(offset + count * 4);
  for (size_t i = 0; i < count; ++i)
    storeLE(out.data() + offset + 4 * i,
            loadLE(array.bytes.data() + 2 * i, 2) << 16, 4);
  return out;
}

bool readNpy(const std::string &path, Array &array, std::string &error) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = path + ": cannot open file (" + std::strerror(errno) + ")";
    return false;
  }
  std::vector<uint8_t> data;
  uint8_t buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    data.insert(data.end(), buffer, buffer + got);
  bool readFailed = std::ferror(file);
  std::fclose(file);
  if (readFailed) {
    error = path + ": read error";
    return false;
  }
  return parseNpy(data, array, error, path);
}

bool writeNpy(const std::string &path, const Array &array, std::string &error) {
  size_t expected =
      static_cast<size_t>(array.numElements()) * dtypeSize(array.dtype);
  if (array.bytes.size() != expected) {
    error = path + ": array holds " + std::to_string(array.bytes.size()) +
            " bytes but its shape needs " + std::to_string(expected);
    return false;
  }
  std::vector<uint8_t> data = serializeNpy(array);
  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error =
        path + ": cannot open file for writing (" + std::strerror(errno) + ")";
    return false;
  }
  bool ok = std::fwrite(data.data(), 1, data.size(), file) == data.size();
  ok = std::fclose(file) == 0 && ok;
  if (!ok) {
    error = path + ": write error";
    return false;
  }
  return true;
}

} // namespace npy
} // namespace sdpa
