//===- ManifestTest.cpp - tests of the artifact manifest format -----------===//
//
// The launcher builds kernel descriptors from the manifest, so every way a
// manifest can be wrong must be an error that names the line, never a
// silently different kernel signature.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/Manifest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <string>

using namespace sdpa;
using namespace sdpa::rt;
using ::testing::HasSubstr;

static const char kHeader[] = "sdpa-artifact 1\n"
                              "target cpu\n"
                              "entry sdpa_kernel\n"
                              "library kernel.so\n"
                              "symbol _mlir_ciface_sdpa_kernel\n";

/// Parses `text`, expecting failure, and returns the error message.
static std::string parseError(const std::string &text) {
  Manifest m;
  std::string error;
  EXPECT_FALSE(parseManifest(text, m, error)) << text;
  return error;
}

static Manifest sampleManifest() {
  Manifest m;
  m.target = "cpu";
  m.entry = "sdpa_kernel";
  m.library = "kernel.so";
  m.symbol = "_mlir_ciface_sdpa_kernel";
  m.inputs = {{npy::DType::F16, {1, 8, 128, 64}, true},
              {npy::DType::BF16, {1, 8, 128, 64}, false},
              {npy::DType::F32, {}, false},
              {npy::DType::Bool, {128, 0}, true}};
  m.outputs = {{npy::DType::F64, {1, 8, 128, 64}, false},
               {npy::DType::I32, {7}, true},
               {npy::DType::I64, {}, true}};
  return m;
}

TEST(ManifestTest, ParsesAllRecords) {
  std::string text = "# written by sdpa-compile\n"
                     "\n"
                     "sdpa-artifact 1\n"
                     "target cpu\n"
                     "entry sdpa_kernel\n"
                     "  # an indented comment\n"
                     "library kernel.so\n"
                     "symbol _mlir_ciface_sdpa_kernel\n"
                     "input f16 1x8x128x64 strided\n"
                     "input f32 scalar contiguous\n"
                     "output bf16 1x8x128x64 contiguous\n";
  Manifest m;
  std::string error;
  ASSERT_TRUE(parseManifest(text, m, error)) << error;
  EXPECT_EQ(m.target, "cpu");
  EXPECT_EQ(m.entry, "sdpa_kernel");
  EXPECT_EQ(m.library, "kernel.so");
  EXPECT_EQ(m.symbol, "_mlir_ciface_sdpa_kernel");
  ASSERT_EQ(m.inputs.size(), 2u);
  EXPECT_EQ(m.inputs[0].dtype, npy::DType::F16);
  EXPECT_EQ(m.inputs[0].shape, (std::vector<int64_t>{1, 8, 128, 64}));
  EXPECT_TRUE(m.inputs[0].anyStrides);
  EXPECT_EQ(m.inputs[1].dtype, npy::DType::F32);
  EXPECT_TRUE(m.inputs[1].shape.empty());
  EXPECT_FALSE(m.inputs[1].anyStrides);
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].dtype, npy::DType::BF16);
  EXPECT_FALSE(m.outputs[0].anyStrides);
}

TEST(ManifestTest, ToleratesCrlfAndExtraSpaces) {
  std::string text = "sdpa-artifact 1\r\n"
                     "target  cpu\r\n"
                     "entry\tk\r\n"
                     "library k.so \r\n"
                     "symbol k\r\n"
                     "output f32 2x3 contiguous";
  Manifest m;
  std::string error;
  ASSERT_TRUE(parseManifest(text, m, error)) << error;
  EXPECT_EQ(m.target, "cpu");
  EXPECT_EQ(m.library, "k.so");
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].shape, (std::vector<int64_t>{2, 3}));
}

TEST(ManifestTest, RoundTrips) {
  Manifest m = sampleManifest();
  std::string text = serializeManifest(m);
  Manifest back;
  std::string error;
  ASSERT_TRUE(parseManifest(text, back, error)) << error << "\n" << text;
  EXPECT_TRUE(back == m) << text;
  EXPECT_EQ(serializeManifest(back), text);
  EXPECT_THAT(text, HasSubstr("input f16 1x8x128x64 strided\n"));
  EXPECT_THAT(text, HasSubstr("input f32 scalar contiguous\n"));
  EXPECT_THAT(text, HasSubstr("input bool 128x0 strided\n"));
}

TEST(ManifestTest, EqualityComparesEveryField) {
  Manifest m = sampleManifest();
  Manifest other = m;
  EXPECT_TRUE(other == m);
  other.outputs[1].anyStrides = false;
  EXPECT_TRUE(other != m);
  other = m;
  other.inputs[0].shape[3] = 32;
  EXPECT_TRUE(other != m);
  other = m;
  other.symbol = "other";
  EXPECT_TRUE(other != m);
}

TEST(ManifestTest, FormatsShapes) {
  EXPECT_EQ(formatShape({1, 8, 128, 64}), "[1, 8, 128, 64]");
  EXPECT_EQ(formatShape({7}), "[7]");
  EXPECT_EQ(formatShape({}), "[]");
}

TEST(ManifestTest, RejectsUnknownRecord) {
  std::string error =
      parseError(std::string(kHeader) + "output f32 4 contiguous\nfoo bar\n");
  EXPECT_THAT(error, HasSubstr("line 7"));
  EXPECT_THAT(error, HasSubstr("unknown record 'foo'"));
}

TEST(ManifestTest, RejectsBadDType) {
  std::string error =
      parseError(std::string(kHeader) + "input f8 4 contiguous\n");
  EXPECT_THAT(error, HasSubstr("line 6"));
  EXPECT_THAT(error, HasSubstr("bad dtype 'f8'"));
  // Names are the runtime's, not numpy's.
  EXPECT_THAT(parseError(std::string(kHeader) + "output float32 4 strided\n"),
              HasSubstr("bad dtype 'float32'"));
}

TEST(ManifestTest, RejectsBadDims) {
  auto shapeError = [](const std::string &shape) {
    return parseError(std::string(kHeader) + "output f32 " + shape +
                      " contiguous\n");
  };
  EXPECT_THAT(shapeError("1x-2"), HasSubstr("bad dim '-2' in shape '1x-2'"));
  EXPECT_THAT(shapeError("1xax3"), HasSubstr("bad dim 'a'"));
  EXPECT_THAT(shapeError("1x?"), HasSubstr("bad dim '?'"));
  EXPECT_THAT(shapeError("1xx3"), HasSubstr("empty dim in shape '1xx3'"));
  EXPECT_THAT(shapeError("4x"), HasSubstr("empty dim"));
  EXPECT_THAT(shapeError("x4"), HasSubstr("empty dim"));
  EXPECT_THAT(shapeError("+4"), HasSubstr("bad dim '+4'"));
  EXPECT_THAT(shapeError("99999999999999999999"), HasSubstr("too large"));
  EXPECT_THAT(shapeError("4294967296x4294967296"),
              HasSubstr("too many elements"));
  EXPECT_THAT(shapeError("1x-2"), HasSubstr("line 6"));
  // A zero dim makes the product 0 whatever the others are.
  Manifest m;
  std::string error;
  EXPECT_TRUE(parseManifest(std::string(kHeader) +
                                "output f32 0x4294967296x4294967296 strided\n",
                            m, error))
      << error;
}

TEST(ManifestTest, RejectsBadLayout) {
  EXPECT_THAT(parseError(std::string(kHeader) + "output f32 4 packed\n"),
              HasSubstr("line 6: output: bad layout 'packed'"));
}

TEST(ManifestTest, RejectsWrongArity) {
  EXPECT_THAT(parseError(std::string(kHeader) + "output f32 4\n"),
              HasSubstr("line 6: 'output' takes 3 arguments, got 2"));
  EXPECT_THAT(parseError("sdpa-artifact 1\ntarget cpu gpu\n"),
              HasSubstr("line 2: 'target' takes 1 argument, got 2"));
  EXPECT_THAT(parseError("sdpa-artifact\n"),
              HasSubstr("line 1: 'sdpa-artifact' takes 1 argument, got 0"));
}

TEST(ManifestTest, RejectsMissingRecords) {
  const char *records[] = {"target cpu\n", "entry sdpa_kernel\n",
                           "library kernel.so\n", "symbol s\n",
                           "output f32 4 contiguous\n"};
  const char *names[] = {"target", "entry", "library", "symbol", "output"};
  for (int skip = 0; skip < 5; ++skip) {
    std::string text = "sdpa-artifact 1\n";
    for (int i = 0; i < 5; ++i)
      if (i != skip)
        text += records[i];
    EXPECT_THAT(parseError(text),
                HasSubstr(std::string("missing required record '") +
                          names[skip] + "'"));
  }
  EXPECT_THAT(parseError(""),
              HasSubstr("missing required record 'sdpa-artifact'"));
  EXPECT_THAT(parseError("# only a comment\n"),
              HasSubstr("missing required record 'sdpa-artifact'"));
}

TEST(ManifestTest, RejectsDuplicateRecords) {
  std::string error =
      parseError(std::string(kHeader) + "output f32 4 strided\nlibrary b.so\n");
  EXPECT_THAT(error, HasSubstr("line 7: duplicate record 'library' (first on "
                               "line 4)"));
  EXPECT_THAT(parseError(std::string(kHeader) + "sdpa-artifact 1\n"),
              HasSubstr("line 6: duplicate record 'sdpa-artifact'"));
}

TEST(ManifestTest, RejectsWrongVersion) {
  EXPECT_THAT(parseError("sdpa-artifact 2\ntarget cpu\n"),
              HasSubstr("line 1: unsupported artifact version '2'"));
  EXPECT_THAT(parseError("\n# comment\nsdpa-artifact 01\n"),
              HasSubstr("line 3: unsupported artifact version '01'"));
}

TEST(ManifestTest, RequiresHeaderFirst) {
  EXPECT_THAT(parseError("target cpu\nsdpa-artifact 1\n"),
              HasSubstr("line 1: expected 'sdpa-artifact 1' before 'target'"));
}

TEST(ManifestTest, FailedParseLeavesNoStaleContents) {
  Manifest m = sampleManifest();
  std::string error;
  EXPECT_FALSE(parseManifest("sdpa-artifact 1\ntarget cpu\n", m, error));
  EXPECT_TRUE(m.inputs.empty());
  EXPECT_EQ(m.entry, "");
}
