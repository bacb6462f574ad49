//===- CpuArtifactTest.cpp - tests of the CPU artifact launcher -----------===//
//
// Runs test/unit/FakeArtifact.c, a hand-written kernel with the compiled
// artifacts' ABI (out[i][j] = 2 * in[i][j] + i over a 64 x 5 f32 input, rows
// run through __sdpa_parallel_for), from artifact directories written into a
// temporary directory. Results are checked with strided inputs and several
// pool sizes; every load and run error is checked by its message.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuArtifact.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace sdpa;
using namespace sdpa::rt;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

static constexpr int64_t kRows = 64;
static constexpr int64_t kCols = 5;

static const char kManifest[] = "sdpa-artifact 2\n"
                                "target cpu\n"
                                "entry fake\n"
                                "library kernel.so\n"
                                "symbol sdpa_fake_entry\n"
                                "input f32 64x5 strided\n"
                                "output f32 64x5 contiguous\n";

namespace {
/// A fresh temporary directory per test, holding artifact directories.
class CpuArtifactTest : public ::testing::Test {
protected:
  void SetUp() override {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/sdpa-artifact-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    ASSERT_NE(::mkdtemp(buffer.data()), nullptr);
    root = buffer.data();
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }

  /// Makes artifact directory `name` with `manifest` and, unless `library`
  /// is empty, a symlink kernel.so to it. Returns the directory.
  std::string makeArtifact(const std::string &name,
                           const std::string &manifest = kManifest,
                           const std::string &library = SDPA_FAKE_ARTIFACT) {
    std::string dir = root + "/" + name;
    fs::create_directories(dir);
    writeFile(dir + "/manifest.txt", manifest);
    if (!library.empty())
      fs::create_symlink(library, dir + "/kernel.so");
    return dir;
  }

  static void writeFile(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << path;
  }

  /// Loads `dir`, expecting failure, and returns the error.
  static std::string loadError(const std::string &dir) {
    std::string error;
    EXPECT_EQ(CpuArtifact::load(dir, error), nullptr) << dir;
    return error;
  }

  std::string root;
};

/// The fake kernel's count of grid-body calls, reached through a second
/// dlopen of the already loaded object.
class BodyCalls {
public:
  explicit BodyCalls(const std::string &path)
      : handle(::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    EXPECT_NE(handle, nullptr) << path;
    if (handle)
      counter = static_cast<int64_t *>(::dlsym(handle, "sdpa_fake_body_calls"));
    EXPECT_NE(counter, nullptr);
  }
  ~BodyCalls() {
    if (handle)
      ::dlclose(handle);
  }
  int64_t take() {
    if (!counter)
      return -1;
    int64_t value = __atomic_exchange_n(counter, 0, __ATOMIC_SEQ_CST);
    return value;
  }

private:
  void *handle = nullptr;
  int64_t *counter = nullptr;
};
} // namespace

static std::vector<float> iota(int64_t count) {
  std::vector<float> values(count);
  for (int64_t i = 0; i < count; ++i)
    values[i] = 0.25f * static_cast<float>(i) - 7.0f;
  return values;
}

/// Expects out[i][j] == 2 * in(i, j) + i, `in` given as storage and strides.
static void expectResult(const std::vector<float> &out,
                         const std::vector<float> &in, int64_t rowStride,
                         int64_t colStride) {
  int64_t wrong = 0;
  for (int64_t i = 0; i < kRows; ++i)
    for (int64_t j = 0; j < kCols; ++j)
      wrong += out[i * kCols + j] !=
               2.0f * in[i * rowStride + j * colStride] + static_cast<float>(i);
  EXPECT_EQ(wrong, 0);
}

TEST_F(CpuArtifactTest, LoadsManifest) {
  std::string error;
  auto artifact = CpuArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  const Manifest &m = artifact->manifest();
  EXPECT_EQ(m.target, "cpu");
  EXPECT_EQ(m.symbol, "sdpa_fake_entry");
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].layout, TensorSpec::Layout::Strided);
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].shape, (std::vector<int64_t>{kRows, kCols}));
}

TEST_F(CpuArtifactTest, RunsContiguousAndTransposedInputs) {
  std::string dir = makeArtifact("a");
  std::string error;
  auto artifact = CpuArtifact::load(dir, error);
  ASSERT_NE(artifact, nullptr) << error;
  BodyCalls bodyCalls(dir + "/kernel.so");

  std::vector<float> in = iota(kRows * kCols);
  for (unsigned threads : {1u, 4u}) {
    SCOPED_TRACE("threads = " + std::to_string(threads));
    ThreadPool pool(threads);
    bodyCalls.take();

    // C order, strides left implicit.
    std::vector<float> out(kRows * kCols, -1.0f);
    TensorRef input{npy::DType::F32, {kRows, kCols}, {}, in.data()};
    TensorRef output{npy::DType::F32, {kRows, kCols}, {}, out.data()};
    ASSERT_TRUE(artifact->run({input}, {output}, pool, error)) << error;
    expectResult(out, in, kCols, 1);
    // One body call on a single thread; 64 / (4 * 4) rows per chunk on four.
    EXPECT_EQ(bodyCalls.take(), threads == 1 ? 1 : 16);

    // The transpose of a 5 x 64 array: the kernel must follow the strides.
    std::fill(out.begin(), out.end(), -1.0f);
    TensorRef transposed{
        npy::DType::F32, {kRows, kCols}, {1, kRows}, in.data()};
    ASSERT_TRUE(artifact->run({transposed}, {output}, pool, error)) << error;
    expectResult(out, in, 1, kRows);

    // Explicit C-order strides on the contiguous output are accepted.
    std::fill(out.begin(), out.end(), -1.0f);
    output.strides = {kCols, 1};
    ASSERT_TRUE(artifact->run({input}, {output}, pool, error)) << error;
    expectResult(out, in, kCols, 1);
  }
}

TEST_F(CpuArtifactTest, ArtifactsSharingALibrary) {
  std::string error;
  auto first = CpuArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(first, nullptr) << error;
  auto second = CpuArtifact::load(makeArtifact("b"), error);
  ASSERT_NE(second, nullptr) << error;
  // The object stays loaded while any artifact holds it.
  first.reset();
  ThreadPool pool(2);
  std::vector<float> in = iota(kRows * kCols), out(kRows * kCols);
  ASSERT_TRUE(second->run({{npy::DType::F32, {kRows, kCols}, {}, in.data()}},
                          {{npy::DType::F32, {kRows, kCols}, {}, out.data()}},
                          pool, error))
      << error;
  expectResult(out, in, kCols, 1);
}

TEST_F(CpuArtifactTest, LoadErrors) {
  EXPECT_THAT(loadError(root + "/nowhere"),
              HasSubstr("cannot open artifact directory '" + root +
                        "/nowhere': No such file or directory"));

  writeFile(root + "/file", "x");
  EXPECT_THAT(loadError(root + "/file"), HasSubstr("is not a directory"));

  fs::create_directories(root + "/empty");
  EXPECT_THAT(loadError(root + "/empty"),
              HasSubstr("cannot read '" + root + "/empty/manifest.txt'"));

  std::string bad = kManifest;
  bad += "outptu f32 4 strided\n";
  EXPECT_THAT(loadError(makeArtifact("bad", bad)),
              HasSubstr("bad/manifest.txt: line 8: unknown record 'outptu'"));

  std::string cuda = kManifest;
  cuda.replace(cuda.find("target cpu"), 10, "target cuda");
  EXPECT_THAT(loadError(makeArtifact("cuda", cuda)),
              HasSubstr("the artifact is for target 'cuda', not 'cpu'"));

  std::string absolute = kManifest;
  absolute.replace(absolute.find("kernel.so"), 9, SDPA_FAKE_ARTIFACT);
  EXPECT_THAT(loadError(makeArtifact("absolute", absolute)),
              HasSubstr("must be relative to the artifact directory"));

  std::string missingLibrary = makeArtifact("nolib", kManifest, "");
  EXPECT_THAT(loadError(missingLibrary),
              HasSubstr("cannot load '" + missingLibrary + "/kernel.so': "));
  EXPECT_THAT(loadError(missingLibrary), HasSubstr("No such file"));

  std::string garbage = makeArtifact("garbage", kManifest, "");
  writeFile(garbage + "/kernel.so", "not an ELF file, just some bytes\n");
  EXPECT_THAT(loadError(garbage), HasSubstr("cannot load '" + garbage));

  std::string noEntry = kManifest;
  noEntry.replace(noEntry.find("sdpa_fake_entry"), 15, "no_such_entry");
  EXPECT_THAT(loadError(makeArtifact("noentry", noEntry)),
              HasSubstr("does not export the entry symbol 'no_such_entry'"));

  EXPECT_THAT(
      loadError(makeArtifact("nohook", kManifest, SDPA_FAKE_ARTIFACT_NO_HOOK)),
      HasSubstr("does not define '__sdpa_parallel_for'"));
}

TEST_F(CpuArtifactTest, RunErrors) {
  std::string error;
  auto artifact = CpuArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  ThreadPool pool(2);
  std::vector<float> in = iota(kRows * kCols);
  std::vector<float> out(kRows * kCols, -1.0f);
  const TensorRef input{npy::DType::F32, {kRows, kCols}, {}, in.data()};
  const TensorRef output{npy::DType::F32, {kRows, kCols}, {}, out.data()};

  auto runError = [&](const std::vector<TensorRef> &inputs,
                      const std::vector<TensorRef> &outputs) {
    std::string message;
    EXPECT_FALSE(artifact->run(inputs, outputs, pool, message));
    return message;
  };

  EXPECT_THAT(runError({input, input}, {output}),
              HasSubstr("expected 1 input, got 2"));
  EXPECT_THAT(runError({input}, {}), HasSubstr("expected 1 output, got 0"));

  TensorRef wrong = input;
  wrong.dtype = npy::DType::F16;
  EXPECT_THAT(runError({wrong}, {output}),
              HasSubstr("input 0: dtype f16 does not match the kernel's f32"));

  wrong = output;
  wrong.shape = {kRows * kCols};
  EXPECT_THAT(runError({input}, {wrong}),
              HasSubstr("output 0: rank 1 does not match the kernel's rank 2"));

  wrong = input;
  wrong.shape = {kRows, kCols + 1};
  EXPECT_THAT(
      runError({wrong}, {output}),
      HasSubstr("input 0: shape [64, 6] does not match the kernel's [64, 5]"));

  wrong = input;
  wrong.strides = {1};
  EXPECT_THAT(runError({wrong}, {output}),
              HasSubstr("input 0: 1 strides given for rank 2"));

  wrong = output;
  wrong.strides = {1, kRows};
  EXPECT_THAT(runError({input}, {wrong}),
              HasSubstr("output 0: strides [1, 64] are not contiguous, and "
                        "the kernel needs contiguous [5, 1]"));

  wrong = input;
  wrong.data = nullptr;
  EXPECT_THAT(runError({wrong}, {output}),
              HasSubstr("input 0: data pointer is null"));
  wrong = output;
  wrong.data = nullptr;
  EXPECT_THAT(runError({input}, {wrong}),
              HasSubstr("output 0: data pointer is null"));

  // None of these reached the kernel.
  for (float value : out)
    ASSERT_EQ(value, -1.0f);
}

TEST_F(CpuArtifactTest, RunErrorsNameTheArgument) {
  // A signature with three inputs; the fake kernel is never reached.
  std::string text = "sdpa-artifact 2\ntarget cpu\nentry fake\n"
                     "library kernel.so\nsymbol sdpa_fake_entry\n"
                     "input f32 2x3 strided\n"
                     "input f32 2x3 strided\n"
                     "input f32 scalar contiguous\n"
                     "output f32 2x3 contiguous\n";
  std::string error;
  auto artifact = CpuArtifact::load(makeArtifact("three", text), error);
  ASSERT_NE(artifact, nullptr) << error;
  ThreadPool pool(1);
  float data[6] = {};
  TensorRef matrix{npy::DType::F32, {2, 3}, {}, data};
  TensorRef scalar{npy::DType::F32, {}, {}, data};

  EXPECT_FALSE(artifact->run({matrix, matrix}, {matrix}, pool, error));
  EXPECT_THAT(error, HasSubstr("expected 3 inputs, got 2"));

  TensorRef half = matrix;
  half.dtype = npy::DType::F16;
  EXPECT_FALSE(artifact->run({matrix, half, scalar}, {matrix}, pool, error));
  EXPECT_THAT(error,
              HasSubstr("input 1: dtype f16 does not match the kernel's f32"));

  EXPECT_FALSE(artifact->run({matrix, matrix, matrix}, {matrix}, pool, error));
  EXPECT_THAT(error,
              HasSubstr("input 2: rank 2 does not match the kernel's rank 0"));

  // Strided specs take any strides, broadcasts included.
  TensorRef broadcast = matrix;
  broadcast.strides = {0, 1};
  TensorRef badOutput = matrix;
  badOutput.strides = {1, 2};
  EXPECT_FALSE(
      artifact->run({matrix, broadcast, scalar}, {badOutput}, pool, error));
  EXPECT_THAT(error, HasSubstr("output 0: strides [1, 2] are not contiguous"));
}

/// The fake kernel with dynamic rows, sized by its shape function.
static std::string dynamicManifest(const std::string &shapes,
                                   const std::string &checks) {
  return "sdpa-artifact 2\ntarget cpu\nentry fake\nlibrary kernel.so\n"
         "symbol sdpa_fake_entry\nshapes " +
         shapes + "\n" + checks +
         "input f32 ?x5 strided\noutput f32 ?x5 contiguous\n";
}

TEST_F(CpuArtifactTest, DynamicShapes) {
  std::string error;
  auto artifact = CpuArtifact::load(
      makeArtifact(
          "dynamic",
          dynamicManifest("sdpa_fake_shapes",
                          "check rows ({lhs}) must be at most {rhs}\n")),
      error);
  ASSERT_NE(artifact, nullptr) << error;
  ThreadPool pool(2);
  std::vector<float> in = iota(kRows * kCols);
  std::vector<float> out(kRows * kCols, -1.0f);

  // 10 rows: the output is 10 x 5, computed like the static kernel's.
  TensorRef input{npy::DType::F32, {10, kCols}, {}, in.data()};
  std::vector<std::vector<int64_t>> shapes;
  ASSERT_TRUE(artifact->outputShapes({input}, shapes, error)) << error;
  ASSERT_EQ(shapes, (std::vector<std::vector<int64_t>>{{10, kCols}}));
  TensorRef output{npy::DType::F32, {10, kCols}, {}, out.data()};
  ASSERT_TRUE(artifact->run({input}, {output}, pool, error)) << error;
  for (int64_t i = 0; i < 10; ++i)
    for (int64_t j = 0; j < kCols; ++j)
      ASSERT_EQ(out[i * kCols + j], 2.0f * in[i * kCols + j] + i);
  EXPECT_EQ(out[10 * kCols], -1.0f);

  // An output sized differently from what the shape function says.
  TensorRef wrong = output;
  wrong.shape = {11, kCols};
  EXPECT_FALSE(artifact->run({input}, {wrong}, pool, error));
  EXPECT_THAT(error, HasSubstr("output 0: shape [11, 5] does not match the "
                               "kernel's [10, 5]"));

  // A rule that fails names itself with both sides, and nothing runs.
  std::vector<float> big(65 * kCols, 1.0f), bigOut(65 * kCols, -1.0f);
  TensorRef tooMany{npy::DType::F32, {65, kCols}, {}, big.data()};
  EXPECT_FALSE(artifact->outputShapes({tooMany}, shapes, error));
  EXPECT_EQ(error, "the input shapes do not fit the kernel: rows (65) must be "
                   "at most 64");
  TensorRef bigOutput{npy::DType::F32, {65, kCols}, {}, bigOut.data()};
  EXPECT_FALSE(artifact->run({tooMany}, {bigOutput}, pool, error));
  EXPECT_THAT(error, HasSubstr("rows (65) must be at most 64"));
  EXPECT_EQ(bigOut[0], -1.0f);

  // Static dims of a dynamic spec are still checked, before the call.
  TensorRef wrongCols{npy::DType::F32, {10, 4}, {}, in.data()};
  EXPECT_FALSE(artifact->outputShapes({wrongCols}, shapes, error));
  EXPECT_THAT(error, HasSubstr("input 0: shape [10, 4] does not match the "
                               "kernel's [?, 5]"));
  TensorRef negative{npy::DType::F32, {-3, kCols}, {}, in.data()};
  EXPECT_FALSE(artifact->outputShapes({negative}, shapes, error));
  EXPECT_THAT(error, HasSubstr("input 0: shape [-3, 5] has a negative dim"));
}

TEST_F(CpuArtifactTest, DynamicShapeErrors) {
  EXPECT_THAT(loadError(makeArtifact("missing",
                                     dynamicManifest("no_such_function", ""))),
              HasSubstr("does not export the shape function "
                        "'no_such_function' named by the manifest"));

  // A failing rule without a `check` record still fails, saying so.
  std::string error;
  auto artifact = CpuArtifact::load(
      makeArtifact("undescribed", dynamicManifest("sdpa_fake_shapes", "")),
      error);
  ASSERT_NE(artifact, nullptr) << error;
  std::vector<float> big(65 * kCols, 1.0f);
  std::vector<std::vector<int64_t>> shapes;
  EXPECT_FALSE(artifact->outputShapes(
      {{npy::DType::F32, {65, kCols}, {}, big.data()}}, shapes, error));
  EXPECT_THAT(error, HasSubstr("shape rule 1 failed (the manifest does not "
                               "describe it)"));
}

TEST_F(CpuArtifactTest, SizeOneDimsTakeAnyStride) {
  // A contiguous spec ignores strides of size-1 dims, which the kernel never
  // steps along (numpy gives them arbitrary strides after slicing).
  std::string text = "sdpa-artifact 2\ntarget cpu\nentry fake\n"
                     "library kernel.so\nsymbol sdpa_fake_entry\n"
                     "input f32 1x5 strided\n"
                     "output f32 1x5 contiguous\n";
  std::string error;
  auto artifact = CpuArtifact::load(makeArtifact("row", text), error);
  ASSERT_NE(artifact, nullptr) << error;
  ThreadPool pool(2);
  std::vector<float> in = iota(5), out(5, -1.0f);
  ASSERT_TRUE(artifact->run({{npy::DType::F32, {1, 5}, {}, in.data()}},
                            {{npy::DType::F32, {1, 5}, {123, 1}, out.data()}},
                            pool, error))
      << error;
  for (int j = 0; j < 5; ++j)
    EXPECT_EQ(out[j], 2.0f * in[j]);
}

TEST_F(CpuArtifactTest, RunsRowsLayoutViews) {
  // The layout compiled kernels declare for their inputs: the fake kernel
  // reads every stride, so the result shows that the launcher passed the
  // view's strides and data pointer through unchanged.
  std::string text = kManifest;
  text.replace(text.find("64x5 strided"), 12, "64x5 rows");
  std::string dir = makeArtifact("rows", text);
  std::string error;
  auto artifact = CpuArtifact::load(dir, error);
  ASSERT_NE(artifact, nullptr) << error;
  ASSERT_EQ(artifact->manifest().inputs[0].layout, TensorSpec::Layout::Rows);
  ThreadPool pool(2);
  std::vector<float> out(kRows * kCols);

  // Rows 3 apart in a wider buffer, starting 2 rows and 4 columns in (a
  // slice of a packed projection).
  const int64_t width = 3 * kCols + 1;
  std::vector<float> wide = iota((kRows + 2) * width);
  float *start = wide.data() + 2 * width + 4;
  ASSERT_TRUE(artifact->run(
      {{npy::DType::F32, {kRows, kCols}, {width, 1}, start}},
      {{npy::DType::F32, {kRows, kCols}, {}, out.data()}}, pool, error))
      << error;
  expectResult(out, std::vector<float>(start, wide.data() + wide.size()), width,
               1);

  // One row broadcast to all (an expanded view, stride 0).
  std::fill(out.begin(), out.end(), -1.0f);
  ASSERT_TRUE(artifact->run({{npy::DType::F32, {kRows, kCols}, {0, 1}, start}},
                            {{npy::DType::F32, {kRows, kCols}, {}, out.data()}},
                            pool, error))
      << error;
  expectResult(out, std::vector<float>(start, start + kCols), 0, 1);

  // Rows in reverse order (a negative stride).
  std::fill(out.begin(), out.end(), -1.0f);
  std::vector<float> in = iota(kRows * kCols);
  ASSERT_TRUE(artifact->run({{npy::DType::F32,
                              {kRows, kCols},
                              {-kCols, 1},
                              in.data() + (kRows - 1) * kCols}},
                            {{npy::DType::F32, {kRows, kCols}, {}, out.data()}},
                            pool, error))
      << error;
  for (int64_t i = 0; i < kRows; ++i)
    for (int64_t j = 0; j < kCols; ++j)
      ASSERT_EQ(out[i * kCols + j],
                2.0f * in[(kRows - 1 - i) * kCols + j] + static_cast<float>(i));

  // A transposed view steps the innermost dim by 64: refused by name, and
  // the kernel does not run.
  std::fill(out.begin(), out.end(), -1.0f);
  EXPECT_FALSE(artifact->run(
      {{npy::DType::F32, {kRows, kCols}, {1, kRows}, in.data()}},
      {{npy::DType::F32, {kRows, kCols}, {}, out.data()}}, pool, error));
  EXPECT_EQ(error, "input 0: strides [1, 64] step the innermost dim by 64, and "
                   "the kernel needs the innermost dim contiguous (stride 1; "
                   "the other strides may be anything)");
  for (float value : out)
    ASSERT_EQ(value, -1.0f);
}

TEST(CheckTensorsTest, RowsLayout) {
  Manifest m;
  m.target = "cpu";
  m.inputs = {{npy::DType::F32, {2, 3, 4, 8}, TensorSpec::Layout::Rows},
              {npy::DType::F16, {5}, TensorSpec::Layout::Rows},
              {npy::DType::I64, {}, TensorSpec::Layout::Contiguous}};
  m.outputs = {{npy::DType::F32, {2, 3, 4, 8}, TensorSpec::Layout::Contiguous}};
  float data[4096] = {};
  auto check = [&](std::vector<int64_t> strides0,
                   std::vector<int64_t> strides1 = {}) {
    std::string error;
    bool ok = checkTensors(m,
                           {{npy::DType::F32, {2, 3, 4, 8}, strides0, data},
                            {npy::DType::F16, {5}, strides1, data + 7},
                            {npy::DType::I64, {}, {}, data}},
                           {{npy::DType::F32, {2, 3, 4, 8}, {}, data}}, error);
    return ok ? std::string("ok") : error;
  };
  // C order, implicit or explicit.
  EXPECT_EQ(check({}), "ok");
  EXPECT_EQ(check({96, 32, 8, 1}, {1}), "ok");
  // [B, L, H, E] permuted to [B, H, L, E]; the query of a packed QKV
  // projection [B, L, 3, H, E] (outer strides with gaps).
  EXPECT_EQ(check({96, 8, 24, 1}), "ok");
  EXPECT_EQ(check({288, 8, 72, 1}), "ok");
  // Broadcast dims (stride 0), reversed dims (negative strides).
  EXPECT_EQ(check({0, 0, 8, 1}, {1}), "ok");
  EXPECT_EQ(check({-96, 32, -8, 1}), "ok");

  // The innermost stride must be 1 wherever the innermost dim is stepped.
  EXPECT_EQ(check({96, 32, 8, 2}),
            "input 0: strides [96, 32, 8, 2] step the innermost dim by 2, "
            "and the kernel needs the innermost dim contiguous (stride 1; "
            "the other strides may be anything)");
  EXPECT_THAT(
      check({96, 32, 1, 4}),
      HasSubstr(
          "input 0: strides [96, 32, 1, 4] step the innermost dim by 4, "));
  EXPECT_THAT(check({}, {0}),
              HasSubstr("input 1: strides [0] step the innermost dim by 0"));
  EXPECT_THAT(check({}, {-1}),
              HasSubstr("input 1: strides [-1] step the innermost dim by -1"));

  // A size-1 innermost dim is never stepped along; nor is any dim of an
  // empty tensor.
  m.inputs[0].shape = {2, 3, 4, 1};
  m.outputs[0].shape = {2, 3, 4, 1};
  std::string error;
  EXPECT_TRUE(
      checkTensors(m,
                   {{npy::DType::F32, {2, 3, 4, 1}, {12, 4, 1, 7}, data},
                    {npy::DType::F16, {5}, {}, data},
                    {npy::DType::I64, {}, {}, data}},
                   {{npy::DType::F32, {2, 3, 4, 1}, {}, data}}, error))
      << error;
  m.inputs[1].shape = {0};
  EXPECT_TRUE(checkTensors(m,
                           {{npy::DType::F32, {2, 3, 4, 1}, {}, data},
                            {npy::DType::F16, {0}, {3}, nullptr},
                            {npy::DType::I64, {}, {}, data}},
                           {{npy::DType::F32, {2, 3, 4, 1}, {}, data}}, error))
      << error;

  // Outputs stay contiguous; a strided spec takes any innermost stride.
  m.inputs[0].layout = TensorSpec::Layout::Strided;
  EXPECT_TRUE(
      checkTensors(m,
                   {{npy::DType::F32, {2, 3, 4, 1}, {1, 2, 6, 24}, data},
                    {npy::DType::F16, {0}, {}, data},
                    {npy::DType::I64, {}, {}, data}},
                   {{npy::DType::F32, {2, 3, 4, 1}, {}, data}}, error))
      << error;
  EXPECT_FALSE(checkTensors(
      m,
      {{npy::DType::F32, {2, 3, 4, 1}, {}, data},
       {npy::DType::F16, {0}, {}, data},
       {npy::DType::I64, {}, {}, data}},
      {{npy::DType::F32, {2, 3, 4, 1}, {4, 4, 1, 1}, data}}, error));
  EXPECT_THAT(error, HasSubstr("output 0: strides [4, 4, 1, 1] are not "
                               "contiguous"));
}
