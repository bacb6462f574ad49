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
using Layout = TensorSpec::Layout;

static const char kHeader[] = "sdpa-artifact 2\n"
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
  m.inputs = {{npy::DType::F16, {1, 8, 128, 64}, Layout::Strided},
              {npy::DType::BF16, {1, 8, 128, 64}, Layout::Contiguous},
              {npy::DType::F32, {}, Layout::Contiguous},
              {npy::DType::Bool, {128, 0}, Layout::Strided},
              {npy::DType::F16, {2, 3, 4}, Layout::Rows}};
  m.outputs = {{npy::DType::F64, {1, 8, 128, 64}, Layout::Contiguous},
               {npy::DType::I32, {7}, Layout::Strided},
               {npy::DType::I64, {}, Layout::Strided}};
  return m;
}

TEST(ManifestTest, ParsesAllRecords) {
  std::string text = "# written by sdpa-compile\n"
                     "\n"
                     "sdpa-artifact 2\n"
                     "target cpu\n"
                     "entry sdpa_kernel\n"
                     "  # an indented comment\n"
                     "library kernel.so\n"
                     "symbol _mlir_ciface_sdpa_kernel\n"
                     "input f16 1x8x128x64 strided\n"
                     "input f32 scalar contiguous\n"
                     "input bf16 2x4x8 rows\n"
                     "output bf16 1x8x128x64 contiguous\n";
  Manifest m;
  std::string error;
  ASSERT_TRUE(parseManifest(text, m, error)) << error;
  EXPECT_EQ(m.target, "cpu");
  EXPECT_EQ(m.entry, "sdpa_kernel");
  EXPECT_EQ(m.library, "kernel.so");
  EXPECT_EQ(m.symbol, "_mlir_ciface_sdpa_kernel");
  ASSERT_EQ(m.inputs.size(), 3u);
  EXPECT_EQ(m.inputs[0].dtype, npy::DType::F16);
  EXPECT_EQ(m.inputs[0].shape, (std::vector<int64_t>{1, 8, 128, 64}));
  EXPECT_EQ(m.inputs[0].layout, Layout::Strided);
  EXPECT_EQ(m.inputs[1].dtype, npy::DType::F32);
  EXPECT_TRUE(m.inputs[1].shape.empty());
  EXPECT_EQ(m.inputs[1].layout, Layout::Contiguous);
  EXPECT_EQ(m.inputs[2].dtype, npy::DType::BF16);
  EXPECT_EQ(m.inputs[2].shape, (std::vector<int64_t>{2, 4, 8}));
  EXPECT_EQ(m.inputs[2].layout, Layout::Rows);
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].dtype, npy::DType::BF16);
  EXPECT_EQ(m.outputs[0].layout, Layout::Contiguous);
}

TEST(ManifestTest, ToleratesCrlfAndExtraSpaces) {
  std::string text = "sdpa-artifact 2\r\n"
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
  EXPECT_THAT(text, HasSubstr("input f16 2x3x4 rows\n"));
  EXPECT_THAT(text, HasSubstr("output f64 1x8x128x64 contiguous\n"));
}

TEST(ManifestTest, DynamicDims) {
  std::string text = "sdpa-artifact 2\ntarget cpu\nentry main\n"
                     "library kernel.so\nsymbol e\nshapes s\n"
                     "check  key batch ({lhs}) must equal query batch ({rhs})\n"
                     "check\tsecond rule\r\n"
                     "input f32 ?x8x?x64 rows\n"
                     "output f32 ?x8x?x64 contiguous\n";
  Manifest m;
  std::string error;
  ASSERT_TRUE(parseManifest(text, m, error)) << error;
  EXPECT_EQ(m.shapes, "s");
  EXPECT_EQ(m.checks, (std::vector<std::string>{
                          "key batch ({lhs}) must equal query batch ({rhs})",
                          "second rule"}));
  EXPECT_EQ(m.inputs[0].shape,
            (std::vector<int64_t>{kDynamicDim, 8, kDynamicDim, 64}));
  EXPECT_EQ(formatShape(m.inputs[0].shape), "[?, 8, ?, 64]");
  EXPECT_EQ(formatStrides({-1, 2}), "[-1, 2]");

  // Round trip; a line break in a message would end its record.
  m.checks.push_back("broken\nline");
  std::string written = serializeManifest(m);
  EXPECT_THAT(written, HasSubstr("input f32 ?x8x?x64 rows\n"));
  EXPECT_THAT(written, HasSubstr("shapes s\n"));
  EXPECT_THAT(written, HasSubstr("check broken line\n"));
  Manifest back;
  ASSERT_TRUE(parseManifest(written, back, error)) << error;
  EXPECT_EQ(back.checks.back(), "broken line");
  back.checks.back() = m.checks.back();
  EXPECT_TRUE(back == m);

  // The runtime needs the shape function to size outputs.
  std::string noShapes = text;
  noShapes.erase(noShapes.find("shapes s\n"), 9);
  EXPECT_THAT(parseError(noShapes),
              HasSubstr("missing record 'shapes', required with dynamic "
                        "dims ('?')"));
  EXPECT_THAT(parseError("sdpa-artifact 2\ntarget cpu\nentry m\n"
                         "library k\nsymbol e\ncheck \n"
                         "output f32 4 contiguous\n"),
              HasSubstr("line 6: 'check' needs a message"));
  EXPECT_THAT(parseError("sdpa-artifact 2\ntarget nvptx\nentry m\n"
                         "library k.ptx\nchip sm_90\nshapes s\n"
                         "input f32 ?x4 contiguous\n"
                         "output f32 4 contiguous\n"
                         "launch k grid 1x1x1 block 1x1x1 smem 0 args in0\n"),
              HasSubstr("target nvptx needs static shapes"));

  // Shapes given by users (--shape) must be sizes.
  std::vector<int64_t> shape;
  EXPECT_TRUE(parseShape("2x?", shape, /*allowDynamic=*/true, error));
  EXPECT_FALSE(parseShape("2x?", shape, /*allowDynamic=*/false, error));
  EXPECT_THAT(error, HasSubstr("dynamic dim '?' in shape '2x?'"));
  EXPECT_TRUE(parseShape("scalar", shape, /*allowDynamic=*/false, error));
  EXPECT_TRUE(shape.empty());

  EXPECT_TRUE(shapeMatches({kDynamicDim, 4}, {7, 4}));
  EXPECT_FALSE(shapeMatches({kDynamicDim, 4}, {7, 5}));
  EXPECT_FALSE(shapeMatches({kDynamicDim, 4}, {7, 4, 1}));
  EXPECT_TRUE(shapeMatches({}, {}));
}

TEST(ManifestTest, NamesLayouts) {
  EXPECT_STREQ(layoutName(Layout::Contiguous), "contiguous");
  EXPECT_STREQ(layoutName(Layout::Rows), "rows");
  EXPECT_STREQ(layoutName(Layout::Strided), "strided");
}

TEST(ManifestTest, EqualityComparesEveryField) {
  Manifest m = sampleManifest();
  Manifest other = m;
  EXPECT_TRUE(other == m);
  other.outputs[1].layout = Layout::Contiguous;
  EXPECT_TRUE(other != m);
  other = m;
  other.inputs[4].layout = Layout::Strided;
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
  EXPECT_THAT(shapeError("1x??"), HasSubstr("bad dim '??'"));
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
              HasSubstr("line 6: output: bad layout 'packed' (expected "
                        "contiguous, rows or strided)"));
  // Layout words are lower case and whole.
  EXPECT_THAT(parseError(std::string(kHeader) + "input f32 4 Rows\n"),
              HasSubstr("bad layout 'Rows'"));
  EXPECT_THAT(parseError(std::string(kHeader) + "input f32 4 row\n"),
              HasSubstr("bad layout 'row'"));
}

TEST(ManifestTest, RejectsWrongArity) {
  EXPECT_THAT(parseError(std::string(kHeader) + "output f32 4\n"),
              HasSubstr("line 6: 'output' takes 3 arguments, got 2"));
  EXPECT_THAT(parseError("sdpa-artifact 2\ntarget cpu gpu\n"),
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
    std::string text = "sdpa-artifact 2\n";
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
  EXPECT_THAT(parseError(std::string(kHeader) + "sdpa-artifact 2\n"),
              HasSubstr("line 6: duplicate record 'sdpa-artifact'"));
}

TEST(ManifestTest, RejectsWrongVersion) {
  EXPECT_THAT(parseError("sdpa-artifact 1\ntarget cpu\n"),
              HasSubstr("line 1: unsupported artifact version '1'"));
  EXPECT_THAT(parseError("\n# comment\nsdpa-artifact 01\n"),
              HasSubstr("line 3: unsupported artifact version '01'"));
}

TEST(ManifestTest, RequiresHeaderFirst) {
  EXPECT_THAT(parseError("target cpu\nsdpa-artifact 2\n"),
              HasSubstr("line 1: expected 'sdpa-artifact 2' before 'target'"));
}

TEST(ManifestTest, FailedParseLeavesNoStaleContents) {
  Manifest m = sampleManifest();
  std::string error;
  EXPECT_FALSE(parseManifest("sdpa-artifact 2\ntarget cpu\n", m, error));
  EXPECT_TRUE(m.inputs.empty());
  EXPECT_EQ(m.entry, "");
}

//===----------------------------------------------------------------------===//
// GPU artifacts (target nvptx)
//===----------------------------------------------------------------------===//

static const char kGpuHeader[] = "sdpa-artifact 2\n"
                                 "target nvptx\n"
                                 "entry sdpa_kernel\n"
                                 "library kernels.ptx\n"
                                 "chip sm_90\n"
                                 "input f16 2x8x64 contiguous\n"
                                 "input i64 scalar contiguous\n"
                                 "output f16 2x8x64 contiguous\n";

/// kGpuHeader (lines 1 to 8) and `tail`, with one launch unless `tail` has
/// its own.
static std::string gpuManifest(const std::string &tail) {
  std::string text = std::string(kGpuHeader) + tail;
  if (tail.find("launch ") == std::string::npos)
    text += "launch k grid 1x1x1 block 1x1x1 smem 0 args in0 out0\n";
  return text;
}

static Manifest sampleGpuManifest() {
  Manifest m;
  m.target = "nvptx";
  m.entry = "sdpa_kernel";
  m.library = "kernels.ptx";
  m.chip = "sm_90a";
  m.cubin = "kernels.sm_90a.cubin";
  m.inputs = {{npy::DType::BF16, {1, 8, 128, 64}, Layout::Contiguous},
              {npy::DType::I64, {}, Layout::Contiguous}};
  m.outputs = {{npy::DType::BF16, {1, 8, 128, 64}, Layout::Contiguous}};
  m.buffers = {{npy::DType::F32, {1, 8, 128}, Layout::Contiguous},
               {npy::DType::F32, {4}, Layout::Contiguous}};
  LaunchSpec first;
  first.kernel = "sdpa_split";
  first.grid = {2, 8, 4};
  first.block = {128, 1, 1};
  first.sharedBytes = 65536;
  first.args = {{LaunchArg::Kind::Input, 0},
                {LaunchArg::Kind::Value, 1},
                {LaunchArg::Kind::Buffer, 0},
                {LaunchArg::Kind::Buffer, 1}};
  LaunchSpec second;
  second.kernel = "sdpa_combine";
  second.block = {256, 1, 1};
  second.args = {{LaunchArg::Kind::Buffer, 0},
                 {LaunchArg::Kind::Buffer, 1},
                 {LaunchArg::Kind::Output, 0}};
  m.launches = {first, second};
  return m;
}

TEST(ManifestTest, ParsesGpuRecords) {
  std::string text = "sdpa-artifact 2\n"
                     "target nvptx\n"
                     "entry sdpa_kernel\n"
                     "library kernels.ptx\n"
                     "chip sm_90\n"
                     "cubin kernels.sm_90.cubin\n"
                     "input f16 2x8x64 contiguous\n"
                     "input i64 scalar contiguous\n"
                     "output f16 2x8x64 contiguous\n"
                     "buffer f32 2x8\n"
                     "buffer f32 scalar\n"
                     "launch first grid 2x8x1 block 128x1x1 smem 49152 "
                     "args in0 val1 in1 buf0\n"
                     "# a comment between launches\n"
                     "launch second  grid 1x1x1\tblock 32x4x2 smem 0 args "
                     "buf0 out0\r\n"
                     "launch none grid 1x1x1 block 1x1x1 smem 0 args\n";
  Manifest m;
  std::string error;
  ASSERT_TRUE(parseManifest(text, m, error)) << error;
  EXPECT_EQ(m.target, "nvptx");
  EXPECT_EQ(m.library, "kernels.ptx");
  EXPECT_EQ(m.symbol, "");
  EXPECT_EQ(m.chip, "sm_90");
  EXPECT_EQ(m.cubin, "kernels.sm_90.cubin");
  ASSERT_EQ(m.buffers.size(), 2u);
  EXPECT_EQ(m.buffers[0].dtype, npy::DType::F32);
  EXPECT_EQ(m.buffers[0].shape, (std::vector<int64_t>{2, 8}));
  EXPECT_EQ(m.buffers[0].layout, Layout::Contiguous);
  EXPECT_TRUE(m.buffers[1].shape.empty());
  ASSERT_EQ(m.launches.size(), 3u);
  const LaunchSpec &first = m.launches[0];
  EXPECT_EQ(first.kernel, "first");
  EXPECT_EQ(first.grid, (std::array<int64_t, 3>{2, 8, 1}));
  EXPECT_EQ(first.block, (std::array<int64_t, 3>{128, 1, 1}));
  EXPECT_EQ(first.sharedBytes, 49152);
  ASSERT_EQ(first.args.size(), 4u);
  EXPECT_TRUE((first.args[0] == LaunchArg{LaunchArg::Kind::Input, 0}));
  EXPECT_TRUE((first.args[1] == LaunchArg{LaunchArg::Kind::Value, 1}));
  EXPECT_TRUE((first.args[2] == LaunchArg{LaunchArg::Kind::Input, 1}));
  EXPECT_TRUE((first.args[3] == LaunchArg{LaunchArg::Kind::Buffer, 0}));
  const LaunchSpec &second = m.launches[1];
  EXPECT_EQ(second.kernel, "second");
  EXPECT_EQ(second.block, (std::array<int64_t, 3>{32, 4, 2}));
  EXPECT_EQ(second.sharedBytes, 0);
  ASSERT_EQ(second.args.size(), 2u);
  EXPECT_TRUE((second.args[1] == LaunchArg{LaunchArg::Kind::Output, 0}));
  EXPECT_TRUE(m.launches[2].args.empty());
}

TEST(ManifestTest, GpuRoundTrips) {
  Manifest m = sampleGpuManifest();
  std::string text = serializeManifest(m);
  Manifest back;
  std::string error;
  ASSERT_TRUE(parseManifest(text, back, error)) << error << "\n" << text;
  EXPECT_TRUE(back == m) << text;
  EXPECT_EQ(serializeManifest(back), text);
  EXPECT_THAT(text, HasSubstr("chip sm_90a\n"));
  EXPECT_THAT(text, HasSubstr("cubin kernels.sm_90a.cubin\n"));
  EXPECT_THAT(text, HasSubstr("buffer f32 1x8x128\nbuffer f32 4\n"));
  EXPECT_THAT(text, HasSubstr("launch sdpa_split grid 2x8x4 block 128x1x1 "
                              "smem 65536 args in0 val1 buf0 buf1\n"
                              "launch sdpa_combine grid 1x1x1 block "
                              "256x1x1 smem 0 args buf0 buf1 out0\n"));
  // Not used by GPU artifacts, so not written.
  EXPECT_THAT(text, ::testing::Not(HasSubstr("symbol")));

  // Without the optional cubin.
  m.cubin.clear();
  ASSERT_TRUE(parseManifest(serializeManifest(m), back, error)) << error;
  EXPECT_TRUE(back == m);
  EXPECT_FALSE(back.emulated);

  // Kernels for the CUDA emulator.
  m.emulated = true;
  m.library = "kernels.emu.so";
  text = serializeManifest(m);
  EXPECT_THAT(text, HasSubstr("emulated\n"));
  ASSERT_TRUE(parseManifest(text, back, error)) << error;
  EXPECT_TRUE(back.emulated);
  EXPECT_TRUE(back == m);
}

TEST(ManifestTest, GpuHostShapeFunctionRoundTrips) {
  Manifest m = sampleGpuManifest();
  m.host = "host.so";
  m.shapes = "__sdpa_entry___sdpa_shapes_sdpa_kernel";
  m.checks = {"the slice ending at {lhs} must end within {rhs}"};
  std::string text = serializeManifest(m);
  EXPECT_THAT(text, HasSubstr("host host.so\nshapes "
                              "__sdpa_entry___sdpa_shapes_sdpa_kernel\n"));
  Manifest back;
  std::string error;
  ASSERT_TRUE(parseManifest(text, back, error)) << error << "\n" << text;
  EXPECT_TRUE(back == m) << text;
  Manifest other = m;
  other.host = "other.so";
  EXPECT_TRUE(other != m);
}

TEST(ManifestTest, GpuShapesAndHostGoTogether) {
  EXPECT_THAT(parseError(gpuManifest("shapes f\n")),
              HasSubstr("record 'shapes' needs record 'host', the library "
                        "that defines it"));
  EXPECT_THAT(parseError(gpuManifest("host host.so\n")),
              HasSubstr("record 'host' needs record 'shapes', the function "
                        "it defines"));
  EXPECT_THAT(parseError(gpuManifest("host a.so\nhost b.so\nshapes f\n")),
              HasSubstr("line 10: duplicate record 'host' (first on line 9)"));
}

TEST(ManifestTest, EmulatedTakesNoArgumentsOnce) {
  EXPECT_THAT(parseError(gpuManifest("emulated yes\n")),
              HasSubstr("'emulated' takes 0 arguments, got 1"));
  EXPECT_THAT(parseError(gpuManifest("emulated\nemulated\n")),
              HasSubstr("duplicate record 'emulated'"));
}

TEST(ManifestTest, EqualityComparesGpuFields) {
  const Manifest m = sampleGpuManifest();
  std::vector<Manifest> changed(10, m);
  changed[0].chip = "sm_80";
  changed[1].cubin = "other.cubin";
  changed[2].buffers[1].shape = {5};
  changed[3].buffers.pop_back();
  changed[4].launches[1].kernel = "other";
  changed[5].launches[0].grid[2] = 5;
  changed[6].launches[1].block[0] = 128;
  changed[7].launches[0].sharedBytes = 0;
  changed[8].launches[1].args[2].kind = LaunchArg::Kind::Buffer;
  changed[9].emulated = true;
  for (size_t i = 0; i < changed.size(); ++i)
    EXPECT_TRUE(changed[i] != m) << "change " << i;
  Manifest swapped = m;
  swapped.launches[0].args[0].index = 1;
  EXPECT_TRUE(swapped != m);
  swapped = m;
  std::swap(swapped.launches[0], swapped.launches[1]);
  EXPECT_TRUE(swapped != m);
}

TEST(ManifestTest, GpuRecordsOnlyForNvptx) {
  const char *records[] = {
      "chip sm_90\n",   "cubin k.cubin\n",
      "buffer f32 4\n", "launch k grid 1x1x1 block 1x1x1 smem 0 args\n",
      "emulated\n",     "host h.so\n"};
  const char *names[] = {"chip",   "cubin",    "buffer",
                         "launch", "emulated", "host"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_THAT(parseError(std::string(kHeader) + "output f32 4 contiguous\n" +
                           records[i]),
                HasSubstr(std::string("line 7: '") + names[i] +
                          "' is only for target nvptx, not 'cpu'"));
  }
  // The target may come after the records it rules out.
  EXPECT_THAT(parseError("sdpa-artifact 2\nchip sm_90\nentry e\nlibrary l\n"
                         "symbol s\noutput f32 4 contiguous\ntarget cpu\n"),
              HasSubstr("line 2: 'chip' is only for target nvptx, not 'cpu'"));
}

TEST(ManifestTest, NvptxRequiresChipAndLaunch) {
  std::string noChip = gpuManifest("");
  noChip.erase(noChip.find("chip sm_90\n"), 11);
  EXPECT_THAT(parseError(noChip), HasSubstr("missing required record 'chip'"));
  EXPECT_THAT(parseError(kGpuHeader),
              HasSubstr("missing required record 'launch'"));
  std::string noLibrary = gpuManifest("");
  noLibrary.erase(noLibrary.find("library kernels.ptx\n"), 20);
  EXPECT_THAT(parseError(noLibrary),
              HasSubstr("missing required record 'library'"));
  // `symbol` is optional for nvptx, and kept when given.
  Manifest m;
  std::string error;
  ASSERT_TRUE(parseManifest(gpuManifest("symbol unused\n"), m, error)) << error;
  EXPECT_EQ(m.symbol, "unused");
}

TEST(ManifestTest, RejectsDuplicateChipAndCubin) {
  EXPECT_THAT(parseError(gpuManifest("chip sm_80\n")),
              HasSubstr("line 9: duplicate record 'chip' (first on line 5)"));
  EXPECT_THAT(parseError(gpuManifest("cubin a.cubin\ncubin b.cubin\n")),
              HasSubstr("line 10: duplicate record 'cubin' (first on line 9)"));
}

TEST(ManifestTest, RejectsBadChip) {
  for (const char *chip :
       {"sm90", "sm_9", "compute_90", "sm_90ab", "sm_", "SM_90", "sm_9x0"}) {
    std::string text = gpuManifest("");
    text.replace(text.find("sm_90"), 5, chip);
    EXPECT_THAT(parseError(text),
                HasSubstr(std::string("line 5: bad chip '") + chip +
                          "' (expected sm_<major><minor>, e.g. sm_90)"));
  }
  Manifest m;
  std::string error;
  for (const char *chip : {"sm_80", "sm_90a", "sm_100", "sm_120f"}) {
    std::string text = gpuManifest("");
    text.replace(text.find("sm_90"), 5, chip);
    EXPECT_TRUE(parseManifest(text, m, error)) << chip << ": " << error;
  }
}

TEST(ManifestTest, RejectsBadLaunch) {
  auto launchError = [](const std::string &launch) {
    return parseError(gpuManifest(launch + "\n"));
  };
  const char shape[] = "line 9: launch: expected 'launch <kernel> grid "
                       "<X>x<Y>x<Z> block <X>x<Y>x<Z> smem <bytes> args "
                       "<ref>...'";
  EXPECT_THAT(launchError("launch k"), HasSubstr(shape));
  EXPECT_THAT(launchError("launch k grid 1x1x1 block 1x1x1 smem 0"),
              HasSubstr(shape));
  EXPECT_THAT(launchError("launch k block 1x1x1 grid 1x1x1 smem 0 args"),
              HasSubstr(shape));
  EXPECT_THAT(launchError("launch k grid 1x1x1 block 1x1x1 shared 0 args"),
              HasSubstr(shape));

  EXPECT_THAT(launchError("launch k grid 2x2 block 1x1x1 smem 0 args"),
              HasSubstr("line 9: launch: grid '2x2' must be <X>x<Y>x<Z>"));
  EXPECT_THAT(launchError("launch k grid 1x1x1 block 1x1x1x1 smem 0 args"),
              HasSubstr("block '1x1x1x1' must be <X>x<Y>x<Z>"));
  EXPECT_THAT(launchError("launch k grid 0x1x1 block 1x1x1 smem 0 args"),
              HasSubstr("grid '0x1x1': dims must be in [1, 2147483647]"));
  EXPECT_THAT(
      launchError("launch k grid 1x1x1 block 1x1x2147483648 smem 0 args"),
      HasSubstr("block '1x1x2147483648': dims must be in [1, 2147483647]"));
  EXPECT_THAT(launchError("launch k grid 4xax1 block 1x1x1 smem 0 args"),
              HasSubstr("grid '4xax1': bad dim 'a'"));
  EXPECT_THAT(launchError("launch k grid 4x1x block 1x1x1 smem 0 args"),
              HasSubstr("grid '4x1x': empty dim"));
  EXPECT_THAT(launchError("launch k grid 1x1x1 block 1x1x1 smem -1 args"),
              HasSubstr("line 9: launch: bad smem '-1' (expected bytes in "
                        "[0, 2147483647])"));
  EXPECT_THAT(
      launchError("launch k grid 1x1x1 block 1x1x1 smem 2147483648 args"),
      HasSubstr("bad smem '2147483648'"));
  for (const char *arg :
       {"x0", "in", "in-1", "input0", "out1a", "buf", "val", "value0", "0"})
    EXPECT_THAT(
        launchError(
            std::string("launch k grid 1x1x1 block 1x1x1 smem 0 args in0 ") +
            arg),
        HasSubstr(std::string("line 9: launch: bad argument '") + arg +
                  "' (expected in<k>, val<k>, out<k> or buf<k>)"));
}

TEST(ManifestTest, RejectsBadBuffer) {
  EXPECT_THAT(parseError(gpuManifest("buffer f8 4\n")),
              HasSubstr("line 9: buffer: bad dtype 'f8'"));
  EXPECT_THAT(parseError(gpuManifest("buffer f32 4x-1\n")),
              HasSubstr("line 9: buffer: bad dim '-1' in shape '4x-1'"));
  EXPECT_THAT(parseError(gpuManifest("buffer f32 4 contiguous\n")),
              HasSubstr("line 9: 'buffer' takes 2 arguments, got 3"));
}

TEST(ManifestTest, RejectsLaunchArgumentsOutOfRange) {
  // Checked once the whole file is read: the records may come in any order.
  EXPECT_THAT(
      parseError(gpuManifest("\n# comment\nlaunch k grid 1x1x1 block 1x1x1 "
                             "smem 0 args in0 in2 out0\n")),
      HasSubstr("line 11: launch 'k': 'in2' refers to input 2, but the "
                "manifest has 2 inputs"));
  EXPECT_THAT(parseError(gpuManifest("launch a grid 1x1x1 block 1x1x1 smem 0 "
                                     "args in0\nlaunch b grid 1x1x1 block "
                                     "1x1x1 smem 0 args out1\n")),
              HasSubstr("line 10: launch 'b': 'out1' refers to output 1, but "
                        "the manifest has 1 output"));
  EXPECT_THAT(parseError(gpuManifest("launch k grid 1x1x1 block 1x1x1 smem 0 "
                                     "args buf0\n")),
              HasSubstr("line 9: launch 'k': 'buf0' refers to buffer 0, but "
                        "the manifest has 0 buffers"));
  // A buffer declared after the launch that uses it is fine.
  Manifest m;
  std::string error;
  EXPECT_TRUE(parseManifest(gpuManifest("launch k grid 1x1x1 block 1x1x1 "
                                        "smem 0 args buf0 in1\nbuffer f32 4\n"),
                            m, error))
      << error;
}

TEST(ManifestTest, OnlyScalarInputsArePassedByValue) {
  EXPECT_THAT(
      parseError(gpuManifest("launch k grid 1x1x1 block 1x1x1 smem 0 "
                             "args val0 out0\n")),
      HasSubstr("line 9: launch 'k': 'val0' passes input 0 of shape "
                "[2, 8, 64] by value; only scalars can be (use 'in0' for "
                "its device pointer)"));
  EXPECT_THAT(parseError(gpuManifest("launch k grid 1x1x1 block 1x1x1 smem 0 "
                                     "args val2 out0\n")),
              HasSubstr("line 9: launch 'k': 'val2' refers to input 2, but "
                        "the manifest has 2 inputs"));
  // Rank-0 tensors of every kind may be passed by pointer.
  Manifest m;
  std::string error;
  EXPECT_TRUE(parseManifest(
      gpuManifest("output f32 scalar contiguous\nbuffer i32 scalar\n"
                  "launch k grid 1x1x1 block 1x1x1 smem 0 args in1 val1 out1 "
                  "buf0\n"),
      m, error))
      << error;
}

TEST(ManifestTest, NvptxTensorsMustBeContiguous) {
  std::string text = gpuManifest("");
  text.replace(text.find("i64 scalar contiguous"), 21, "i64 scalar strided");
  EXPECT_THAT(parseError(text),
              HasSubstr("line 7: input: target nvptx needs contiguous tensors "
                        "(its kernels take bare pointers)"));
  text = gpuManifest("output f32 4 strided\n");
  EXPECT_THAT(parseError(text), HasSubstr("line 9: output: target nvptx"));
  // Nor inner-contiguous views: a bare pointer carries no strides at all.
  text = gpuManifest("");
  text.replace(text.find("f16 2x8x64 contiguous"), 21, "f16 2x8x64 rows");
  EXPECT_THAT(parseError(text),
              HasSubstr("input: target nvptx needs contiguous tensors"));
}
