//===- NpyTest.cpp - tests of the .npy reader and writer ------------------===//
//
// Headers are written out byte for byte as numpy produces them, so the reader
// is pinned against the real format rather than against the writer alone.
// Error cases check that the message names the problem, and every prefix and
// many corruptions of valid files must fail cleanly instead of crashing.
//
//===----------------------------------------------------------------------===//

#include "runtime/npy/Npy.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace sdpa::npy;

using Bytes = std::vector<uint8_t>;

static Bytes toBytes(const std::string &text) {
  return Bytes(text.begin(), text.end());
}

/// A version `major`.0 file with header dict `dict`, padded as numpy pads it,
/// followed by `data`.
static Bytes makeNpy(int major, const std::string &dict,
                     const std::string &data = "") {
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t prefix = 8 + lengthSize;
  size_t headerLen = dict.size() + 1;
  headerLen += (64 - (prefix + headerLen) % 64) % 64;
  std::string text = "\x93NUMPY";
  text += static_cast<char>(major);
  text += '\0';
  for (size_t i = 0; i < lengthSize; ++i)
    text += static_cast<char>((headerLen >> (8 * i)) & 0xFF);
  text += dict + std::string(headerLen - dict.size() - 1, ' ') + "\n" + data;
  return toBytes(text);
}

/// Parses `data`, expecting failure, and returns the error message.
static std::string parseError(const Bytes &data) {
  Array array;
  std::string error;
  EXPECT_FALSE(parseNpy(data, array, error, "in.npy"));
  EXPECT_EQ(error.rfind("in.npy: ", 0), 0u) << error;
  return error;
}

static uint16_t halfOf(float value) { return floatToHalf(value); }

static float floatFromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

//===----------------------------------------------------------------------===//
// Array
//===----------------------------------------------------------------------===//

TEST(Npy, DTypeNamesAndSizes) {
  EXPECT_STREQ(dtypeName(DType::Bool), "bool");
  EXPECT_STREQ(dtypeName(DType::F16), "f16");
  EXPECT_STREQ(dtypeName(DType::BF16), "bf16");
  EXPECT_STREQ(dtypeName(DType::F32), "f32");
  EXPECT_STREQ(dtypeName(DType::F64), "f64");
  EXPECT_STREQ(dtypeName(DType::I32), "i32");
  EXPECT_STREQ(dtypeName(DType::I64), "i64");
  EXPECT_EQ(dtypeSize(DType::Bool), 1u);
  EXPECT_EQ(dtypeSize(DType::F16), 2u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::I32), 4u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
}

TEST(Npy, ZerosAndElementCount) {
  Array scalar = Array::zeros(DType::F64, {});
  EXPECT_EQ(scalar.numElements(), 1);
  EXPECT_EQ(scalar.bytes.size(), 8u);
  Array empty = Array::zeros(DType::I32, {0, 3});
  EXPECT_EQ(empty.numElements(), 0);
  EXPECT_TRUE(empty.bytes.empty());
  Array cube = Array::zeros(DType::F16, {2, 3, 4});
  EXPECT_EQ(cube.numElements(), 24);
  EXPECT_EQ(cube.bytes.size(), 48u);
  EXPECT_EQ(cube.getAsDouble(23), 0.0);
}

TEST(Npy, ElementBytesAreLittleEndian) {
  Array array = Array::zeros(DType::I32, {1});
  array.setFromDouble(0, 0x01020304);
  EXPECT_EQ(array.bytes, (Bytes{0x04, 0x03, 0x02, 0x01}));
  array = Array::zeros(DType::F32, {1});
  array.setFromDouble(0, 1.0);
  EXPECT_EQ(array.bytes, (Bytes{0x00, 0x00, 0x80, 0x3F}));
}

TEST(Npy, SetFromDoubleIntegersRoundAndSaturate) {
  Array i32 = Array::zeros(DType::I32, {8});
  double inputs[] = {2.5, 3.5, -2.5, 2.6, 1e20, -1e20, NAN, -7.0};
  double expected[] = {2, 4, -2, 3, 2147483647.0, -2147483648.0, 0, -7};
  for (int i = 0; i < 8; ++i) {
    i32.setFromDouble(i, inputs[i]);
    EXPECT_EQ(i32.getAsDouble(i), expected[i]) << "input " << inputs[i];
  }
  Array i64 = Array::zeros(DType::I64, {3});
  i64.setFromDouble(0, 1e19);
  i64.setFromDouble(1, -1e19);
  i64.setFromDouble(2, 9007199254740993.0); // Not exact in double: 2^53.
  int64_t values[3];
  std::memcpy(values, i64.bytes.data(), sizeof(values));
  EXPECT_EQ(values[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(values[1], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(values[2], int64_t(1) << 53);
}

TEST(Npy, SetFromDoubleBool) {
  Array array = Array::zeros(DType::Bool, {4});
  array.setFromDouble(0, 0.0);
  array.setFromDouble(1, 0.5);
  array.setFromDouble(2, -3.0);
  array.setFromDouble(3, NAN);
  EXPECT_EQ(array.bytes, (Bytes{0, 1, 1, 1}));
  EXPECT_EQ(array.getAsDouble(1), 1.0);
}

TEST(Npy, SetFromDoubleRoundsOnceForHalf) {
  // 1 + 2^-11 + 2^-40 rounds to the float 1 + 2^-11, a half tie that would
  // then round down to 1.0; rounding the double directly rounds up.
  Array array = Array::zeros(DType::F16, {1});
  array.setFromDouble(0, 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40));
  EXPECT_EQ(array.bytes, (Bytes{0x01, 0x3C}));
  // Likewise for bfloat16, whose 1.0 ulp is 2^-7.
  Array bf = Array::zeros(DType::BF16, {1});
  bf.setFromDouble(0, 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40));
  EXPECT_EQ(bf.bytes, (Bytes{0x81, 0x3F}));
  // And f32 rounds to nearest.
  Array f32 = Array::zeros(DType::F32, {1});
  f32.setFromDouble(0, 0.1);
  EXPECT_EQ(f32.getAsDouble(0), static_cast<double>(0.1f));
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

static Array roundTrip(const Array &array) {
  Array back;
  std::string error;
  EXPECT_TRUE(parseNpy(serializeNpy(array), back, error)) << error;
  return back;
}

TEST(Npy, RoundTripEveryDType) {
  const double values[] = {0.0, 1.0, -2.5, 3.0, 0.25, -0.0, 100.0, 7.0};
  for (DType dtype : {DType::Bool, DType::F16, DType::F32, DType::F64,
                      DType::I32, DType::I64}) {
    Array array = Array::zeros(dtype, {2, 4});
    for (int i = 0; i < 8; ++i)
      array.setFromDouble(i, values[i]);
    Array back = roundTrip(array);
    EXPECT_EQ(back.dtype, dtype) << dtypeName(dtype);
    EXPECT_EQ(back.shape, array.shape) << dtypeName(dtype);
    EXPECT_EQ(back.bytes, array.bytes) << dtypeName(dtype);
  }
}

TEST(Npy, BF16IsWrittenAsF32) {
  Array array = Array::zeros(DType::BF16, {3});
  array.setFromDouble(0, 1.0);
  array.setFromDouble(1, -3.140625);
  array.setFromDouble(2, 1e30);
  Array back = roundTrip(array);
  EXPECT_EQ(back.dtype, DType::F32);
  ASSERT_EQ(back.shape, array.shape);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(back.getAsDouble(i), array.getAsDouble(i));
  Bytes data = serializeNpy(array);
  std::string text(data.begin(), data.end());
  EXPECT_NE(text.find("'descr': '<f4'"), std::string::npos);
}

TEST(Npy, RoundTripShapes) {
  for (std::vector<int64_t> shape : std::vector<std::vector<int64_t>>{
           {}, {5}, {2, 3, 4}, {0}, {3, 0, 2}, {1, 1, 1, 1, 1, 1, 1}}) {
    Array array = Array::zeros(DType::F32, shape);
    for (int64_t i = 0; i < array.numElements(); ++i)
      array.setFromDouble(i, 0.5 * static_cast<double>(i));
    Array back = roundTrip(array);
    EXPECT_EQ(back.shape, shape);
    EXPECT_EQ(back.bytes, array.bytes);
  }
}

/// The dict of a version 1.0 file's header, without its padding.
static std::string headerDict(const Bytes &data) {
  std::string text(data.begin() + 10, data.end());
  return text.substr(0, text.find('}') + 1);
}

TEST(Npy, SerializeLayoutMatchesNumpy) {
  Array array = Array::zeros(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    array.setFromDouble(i, i);
  Bytes data = serializeNpy(array);
  // What np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3)) writes.
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string header = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                       std::string(118 - dict.size() - 1, ' ') + "\n";
  ASSERT_EQ(data.size(), 128u + 24u);
  EXPECT_EQ(std::string(data.begin(), data.begin() + 128), header);

  // Rank 0 and rank 1 shapes use Python's tuple syntax.
  Bytes scalar = serializeNpy(Array::zeros(DType::F64, {}));
  EXPECT_EQ(headerDict(scalar),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ((scalar.size() - 8) % 64, 0u);
  Bytes vector = serializeNpy(Array::zeros(DType::Bool, {5}));
  EXPECT_EQ(headerDict(vector),
            "{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }");
  EXPECT_EQ((vector.size() - 5) % 64, 0u);
}

TEST(Npy, LargeHeaderUsesVersion2) {
  // 30000 unit dimensions need a header longer than 65535 bytes.
  std::vector<int64_t> shape(30000, 1);
  Array array = Array::zeros(DType::I64, shape);
  array.setFromDouble(0, -42);
  Bytes data = serializeNpy(array);
  ASSERT_GT(data.size(), 12u);
  EXPECT_EQ(data[6], 2);
  EXPECT_EQ(data[7], 0);
  EXPECT_EQ((data.size() - 8) % 64, 0u);
  EXPECT_EQ(data[data.size() - 9], '\n');
  Array back;
  std::string error;
  ASSERT_TRUE(parseNpy(data, back, error)) << error;
  EXPECT_EQ(back.shape, shape);
  EXPECT_EQ(back.getAsDouble(0), -42.0);
}

TEST(Npy, ReadWriteFile) {
  std::string path = ::testing::TempDir() + "npy_test_roundtrip.npy";
  Array array = Array::zeros(DType::F64, {2, 2});
  array.setFromDouble(3, 3.75);
  std::string error;
  ASSERT_TRUE(writeNpy(path, array, error)) << error;
  Array back;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_EQ(back.shape, array.shape);
  EXPECT_EQ(back.bytes, array.bytes);
  std::remove(path.c_str());
}

//===----------------------------------------------------------------------===//
// Parsing numpy's headers
//===----------------------------------------------------------------------===//

TEST(Npy, ParseNumpyHeaderLiteral) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string data;
  for (int i = 0; i < 6; ++i) {
    float value = static_cast<float>(i) + 0.5f;
    data.append(reinterpret_cast<const char *>(&value), 4);
  }
  std::string file = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                     std::string(58, ' ') + "\n" + data;
  ASSERT_EQ(file.size(), 128u + 24u);
  Array array;
  std::string error;
  ASSERT_TRUE(parseNpy(toBytes(file), array, error)) << error;
  EXPECT_EQ(array.dtype, DType::F32);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(array.getAsDouble(i), i + 0.5);
}

TEST(Npy, ParseEveryDescr) {
  struct {
    const char *descr;
    DType dtype;
  } cases[] = {{"|b1", DType::Bool}, {"<b1", DType::Bool}, {"<f2", DType::F16},
               {"=f2", DType::F16},  {"<f4", DType::F32},  {"<f8", DType::F64},
               {"<i4", DType::I32},  {"<i8", DType::I64}};
  for (const auto &c : cases) {
    std::string dict = std::string("{'descr': '") + c.descr +
                       "', 'fortran_order': False, 'shape': (1,), }";
    Array array;
    std::string error;
    ASSERT_TRUE(parseNpy(makeNpy(1, dict, std::string(8, '\1')), array, error))
        << c.descr << ": " << error;
    EXPECT_EQ(array.dtype, c.dtype) << c.descr;
    EXPECT_EQ(array.bytes.size(), dtypeSize(c.dtype)) << c.descr;
  }
}

TEST(Npy, ParseVersion2And3) {
  std::string dict =
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
  std::string data("\x07\x00\x00\x00\xF9\xFF\xFF\xFF", 8);
  // Version 2.0 as numpy writes it: a 4-byte length, data at offset 128.
  std::string file = std::string("\x93NUMPY\x02\x00\x74\x00\x00\x00", 12) +
                     dict + std::string(128 - 12 - dict.size() - 1, ' ') +
                     "\n" + data;
  Array array;
  std::string error;
  ASSERT_TRUE(parseNpy(toBytes(file), array, error)) << error;
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(array.getAsDouble(0), 7.0);
  EXPECT_EQ(array.getAsDouble(1), -7.0);

  ASSERT_TRUE(parseNpy(makeNpy(3, dict, data), array, error)) << error;
  EXPECT_EQ(array.getAsDouble(1), -7.0);
}

TEST(Npy, ParseShuffledKeysAndWhitespace) {
  const char *dicts[] = {
      "{'shape': (2, 2), 'fortran_order': False, 'descr': '<f8'}",
      "{'fortran_order':False,'descr':'<f8','shape':(2,2)}",
      "{ \"descr\" : \"<f8\" ,\n 'shape' : ( 2 ,2 , ) , 'fortran_order' : "
      "False , }",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 2L), }",
  };
  for (const char *dict : dicts) {
    Array array;
    std::string error;
    ASSERT_TRUE(parseNpy(makeNpy(1, dict, std::string(32, '\0')), array, error))
        << dict << ": " << error;
    EXPECT_EQ(array.dtype, DType::F64);
    EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 2})) << dict;
  }
}

TEST(Npy, TrailingBytesAreIgnored) {
  Array array;
  std::string error;
  ASSERT_TRUE(parseNpy(
      makeNpy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (), }",
              "\1extra"),
      array, error))
      << error;
  EXPECT_TRUE(array.shape.empty());
  EXPECT_EQ(array.bytes, (Bytes{1}));
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

static std::string f4Dict(const std::string &shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

TEST(Npy, ErrorFileNotFound) {
  Array array;
  std::string error;
  std::string path = ::testing::TempDir() + "npy_test_does_not_exist.npy";
  EXPECT_FALSE(readNpy(path, array, error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(Npy, ErrorBadMagic) {
  EXPECT_NE(parseError(toBytes("PK\x03\x04 this is a zip")).find("bad magic"),
            std::string::npos);
  EXPECT_NE(parseError({}).find("not a .npy file"), std::string::npos);
  EXPECT_NE(parseError(toBytes(std::string("\x93NUMPZ\x01\x00", 8)))
                .find("not a .npy file"),
            std::string::npos);
}

TEST(Npy, ErrorUnsupportedVersion) {
  Bytes data = makeNpy(1, f4Dict("(1,)"), "abcd");
  data[6] = 4;
  EXPECT_NE(parseError(data).find("unsupported .npy format version 4.0"),
            std::string::npos);
  data[6] = 1;
  data[7] = 1;
  EXPECT_NE(parseError(data).find("version 1.1"), std::string::npos);
  data[6] = 0;
  data[7] = 0;
  EXPECT_NE(parseError(data).find("version 0.0"), std::string::npos);
}

TEST(Npy, ErrorMalformedHeader) {
  const char *dicts[] = {
      "",
      "[]",
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}",
      "{'descr': '<f4' 'fortran_order': False, 'shape': ()}",
      "{'descr': '<f4', 'fortran_order': false, 'shape': ()}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (5)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [5]}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}",
      "{'descr': '<f4, 'fortran_order': False, 'shape': ()}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
      "{'descr': '<f4', 'fortran_order': False, 'shape': ()",
      "{'descr': <f4, 'fortran_order': False, 'shape': ()}",
  };
  for (const char *dict : dicts) {
    std::string error = parseError(makeNpy(1, dict, std::string(64, '\0')));
    EXPECT_NE(error.find("malformed header"), std::string::npos)
        << dict << " -> " << error;
  }
  EXPECT_NE(parseError(makeNpy(1, "{'descr': '<f4', 'fortran_order': False}"))
                .find("missing key 'shape'"),
            std::string::npos);
  EXPECT_NE(parseError(makeNpy(1, f4Dict("(-1,)"))).find("negative"),
            std::string::npos);
}

TEST(Npy, ErrorUnsupportedDescr) {
  for (const char *descr :
       {"<c8", "<u2", "<i2", "|u1", "|f4", "f4", "<f4 ", "O", "<U10", "|V2"}) {
    std::string error = parseError(
        makeNpy(1,
                std::string("{'descr': '") + descr +
                    "', 'fortran_order': False, 'shape': (1,), }",
                "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"));
    EXPECT_NE(
        error.find("unsupported dtype descr '" + std::string(descr) + "'"),
        std::string::npos)
        << error;
  }
  std::string error = parseError(makeNpy(
      1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
      "abcd"));
  EXPECT_NE(error.find("unsupported dtype descr"), std::string::npos) << error;
  EXPECT_NE(error.find("structured"), std::string::npos) << error;
}

TEST(Npy, ErrorFortranOrder) {
  std::string error = parseError(
      makeNpy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
              std::string(24, '\0')));
  EXPECT_NE(error.find("fortran_order True"), std::string::npos) << error;
  EXPECT_NE(error.find("not supported"), std::string::npos) << error;
}

TEST(Npy, ErrorBigEndian) {
  for (const char *descr : {">f4", ">f8", ">i4", ">f2"}) {
    std::string error =
        parseError(makeNpy(1,
                           std::string("{'descr': '") + descr +
                               "', 'fortran_order': False, 'shape': (1,), }",
                           std::string(8, '\0')));
    EXPECT_NE(error.find("big-endian"), std::string::npos) << error;
    EXPECT_NE(error.find(descr), std::string::npos) << error;
  }
}

TEST(Npy, ErrorTruncatedData) {
  std::string error =
      parseError(makeNpy(1, f4Dict("(2, 3)"), std::string(20, '\0')));
  EXPECT_NE(error.find("truncated data: expected 24 bytes, found 20"),
            std::string::npos)
      << error;
}

TEST(Npy, ErrorAbsurdShapes) {
  // Element counts that overflow are rejected outright.
  for (const char *shape :
       {"(4294967296, 4294967296)", "(9223372036854775807, 2)",
        "(2305843009213693952,)", "(0, 4294967296, 4294967296)"}) {
    std::string error = parseError(makeNpy(1, f4Dict(shape)));
    EXPECT_NE(error.find("too large"), std::string::npos)
        << shape << " -> " << error;
  }
  EXPECT_NE(parseError(makeNpy(1, f4Dict("(99999999999999999999,)")))
                .find("too large"),
            std::string::npos);
  // Counts that fit int64 but not the file are caught before allocating.
  std::string error = parseError(makeNpy(1, f4Dict("(1000000000000,)")));
  EXPECT_NE(error.find("expected 4000000000000 bytes, found 0"),
            std::string::npos)
      << error;
}

TEST(Npy, ErrorHeaderLongerThanFile) {
  Bytes data = makeNpy(2, f4Dict("()"), "abcd");
  data[11] = 0x7F; // Claims a header of nearly 2 GiB.
  EXPECT_NE(parseError(data).find("truncated header"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Robustness
//===----------------------------------------------------------------------===//

static std::vector<Bytes> validFiles() {
  std::vector<Bytes> files;
  Array matrix = Array::zeros(DType::F32, {2, 3});
  matrix.setFromDouble(5, 1.0);
  files.push_back(serializeNpy(matrix));
  files.push_back(serializeNpy(Array::zeros(DType::I64, {})));
  files.push_back(serializeNpy(Array::zeros(DType::Bool, {3, 1, 2})));
  files.push_back(
      makeNpy(2, "{'shape': (4,), 'descr': '<f2', 'fortran_order': False}",
              "abcdefgh"));
  return files;
}

TEST(Npy, EveryPrefixFailsCleanly) {
  for (const Bytes &file : validFiles()) {
    Array array;
    std::string error;
    ASSERT_TRUE(parseNpy(file, array, error)) << error;
    for (size_t length = 0; length < file.size(); ++length) {
      Bytes prefix(file.begin(), file.begin() + length);
      EXPECT_FALSE(parseNpy(prefix, array, error)) << "length " << length;
      EXPECT_FALSE(error.empty());
    }
  }
}

TEST(Npy, GarbledHeadersNeverCrash) {
  // Overwrite each header byte with characters that matter to the parser;
  // parsing may succeed or fail, but a success must be self-consistent.
  const uint8_t replacements[] = {0,   ' ', '\'', '"', '(', ')', ',', ':',
                                  '{', '}', '9',  '-', 'L', '>', 0xFF};
  for (const Bytes &file : validFiles()) {
    size_t headerEnd = file.size();
    while (headerEnd > 0 && file[headerEnd - 1] != '\n')
      --headerEnd;
    for (size_t i = 0; i < headerEnd; ++i) {
      for (uint8_t replacement : replacements) {
        Bytes garbled = file;
        garbled[i] = replacement;
        Array array;
        std::string error;
        bool ok = parseNpy(garbled, array, error);
        EXPECT_TRUE(ok ? array.bytes.size() ==
                             static_cast<size_t>(array.numElements()) *
                                 dtypeSize(array.dtype)
                       : !error.empty())
            << "byte " << i << " set to " << int(replacement);
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Half and bfloat16
//===----------------------------------------------------------------------===//

TEST(Npy, HalfKnownValues) {
  EXPECT_EQ(halfOf(1.0f), 0x3C00);
  EXPECT_EQ(halfOf(-1.0f), 0xBC00);
  EXPECT_EQ(halfOf(0.0f), 0x0000);
  EXPECT_EQ(halfOf(-0.0f), 0x8000);
  EXPECT_EQ(halfOf(65504.0f), 0x7BFF);
  EXPECT_EQ(halfOf(65519.0f), 0x7BFF);
  EXPECT_EQ(halfOf(65520.0f), 0x7C00); // The tie rounds to even: infinity.
  EXPECT_EQ(halfOf(1e10f), 0x7C00);
  EXPECT_EQ(halfOf(INFINITY), 0x7C00);
  EXPECT_EQ(halfOf(-INFINITY), 0xFC00);
  EXPECT_EQ(halfOf(std::ldexp(1.0f, -14)), 0x0400); // Smallest normal.
  EXPECT_EQ(halfOf(std::ldexp(1.0f, -24)), 0x0001); // Smallest subnormal.
  EXPECT_EQ(halfOf(1e-8f), 0x0000); // Below half the smallest subnormal.
  EXPECT_EQ(halfOf(3e-8f), 0x0001); // Just above half of it.
  EXPECT_EQ(halfOf(1e-30f), 0x0000);
  EXPECT_EQ(halfOf(-1e-30f), 0x8000);
  EXPECT_EQ(halfOf(floatFromBits(1)), 0x0000); // Float subnormal.
  EXPECT_EQ(halfOf(0.333333343f), 0x3555);
}

TEST(Npy, HalfRoundsTiesToEven) {
  // Normal range: the ulp at 1.0 is 2^-10.
  EXPECT_EQ(halfOf(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(halfOf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_EQ(halfOf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            0x3C01);
  // Subnormal range: the ulp is 2^-24.
  EXPECT_EQ(halfOf(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(halfOf(3 * std::ldexp(1.0f, -25)), 0x0002);
  EXPECT_EQ(halfOf(5 * std::ldexp(1.0f, -25)), 0x0002);
  EXPECT_EQ(halfOf(std::ldexp(1.0f, -25) + std::ldexp(1.0f, -40)), 0x0001);
  // Rounding up out of the subnormals gives the smallest normal.
  EXPECT_EQ(halfOf(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -26)), 0x0400);
  // Rounding up carries into the exponent.
  EXPECT_EQ(halfOf(2.0f - std::ldexp(1.0f, -12)), 0x4000);
}

TEST(Npy, HalfNaN) {
  uint16_t bits = halfOf(NAN);
  EXPECT_EQ(bits & 0x7C00, 0x7C00);
  EXPECT_NE(bits & 0x03FF, 0);
  // A NaN whose payload lies only in the low float bits stays a NaN.
  bits = halfOf(floatFromBits(0x7F800001));
  EXPECT_EQ(bits & 0x7C00, 0x7C00);
  EXPECT_NE(bits & 0x03FF, 0);
  EXPECT_TRUE(std::isnan(halfToFloat(0x7E00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0xFC01)));
}

TEST(Npy, HalfDecodesExactly) {
  EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(halfToFloat(0x7C00), INFINITY);
  EXPECT_EQ(halfToFloat(0xFC00), -INFINITY);
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  // Every non-NaN pattern survives decoding and re-encoding.
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    float value = halfToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(value)) {
      EXPECT_TRUE((bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0);
      continue;
    }
    EXPECT_EQ(floatToHalf(value), static_cast<uint16_t>(bits));
  }
}

TEST(Npy, BF16KnownValues) {
  EXPECT_EQ(floatToBf16(1.0f), 0x3F80);
  EXPECT_EQ(floatToBf16(-2.0f), 0xC000);
  EXPECT_EQ(floatToBf16(0.0f), 0x0000);
  EXPECT_EQ(floatToBf16(-0.0f), 0x8000);
  EXPECT_EQ(floatToBf16(INFINITY), 0x7F80);
  EXPECT_EQ(floatToBf16(std::numeric_limits<float>::max()), 0x7F80);
  // Ties to even, in the normal and subnormal ranges.
  EXPECT_EQ(floatToBf16(floatFromBits(0x3F808000)), 0x3F80);
  EXPECT_EQ(floatToBf16(floatFromBits(0x3F818000)), 0x3F82);
  EXPECT_EQ(floatToBf16(floatFromBits(0x3F808001)), 0x3F81);
  EXPECT_EQ(floatToBf16(floatFromBits(0x00008000)), 0x0000);
  EXPECT_EQ(floatToBf16(floatFromBits(0x00018000)), 0x0002);
  EXPECT_EQ(floatToBf16(floatFromBits(0x00010000)), 0x0001);
  EXPECT_EQ(floatToBf16(floatFromBits(0x007FFFFF)), 0x0080);
  uint16_t nan = floatToBf16(NAN);
  EXPECT_EQ(nan & 0x7F80, 0x7F80);
  EXPECT_NE(nan & 0x007F, 0);
  nan = floatToBf16(floatFromBits(0x7F800001));
  EXPECT_EQ(nan & 0x7F80, 0x7F80);
  EXPECT_NE(nan & 0x007F, 0);

  EXPECT_EQ(bf16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(bf16ToFloat(0x0001), floatFromBits(0x00010000));
  EXPECT_EQ(bf16ToFloat(0xFF80), -INFINITY);
  EXPECT_TRUE(std::isnan(bf16ToFloat(0x7FC0)));
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    float value = bf16ToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(value))
      continue;
    EXPECT_EQ(floatToBf16(value), static_cast<uint16_t>(bits));
  }
}
