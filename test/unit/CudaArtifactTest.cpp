//===- CudaArtifactTest.cpp - tests of the CUDA artifact launcher ---------===//
//
// Runs the launcher against test/unit/FakeCudaDriver.c, a libcuda stand-in
// on host memory selected through SDPA_CUDA_DRIVER, so that every path runs
// on machines without a GPU: the data path end to end (fake_copy copies
// through a scratch buffer with the byte count passed as a scalar), the
// launch parameters the kernels receive, the module choice, every tensor
// check, and the message of every failing driver call. The fake's records
// are read through its own exported functions.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaArtifact.h"

#include "test/unit/FakeCudaDriver.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace sdpa;
using namespace sdpa::rt;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

static constexpr int64_t kRows = 4;
static constexpr int64_t kCols = 6;
static constexpr int64_t kBytes = kRows * kCols * sizeof(float);

static const char kPtx[] = "// PTX for the fake driver\n"
                           ".version 8.0\n"
                           ".target sm_90\n"
                           ".address_size 64\n"
                           "\n"
                           ".visible .entry fake_copy(\n"
                           "\t.param .u64 fake_copy_param_0,\n"
                           "\t.param .u64 fake_copy_param_1,\n"
                           "\t.param .u64 fake_copy_param_2\n"
                           ")\n"
                           "{\n\tret;\n}\n"
                           ".visible .entry fake_scalars(\n"
                           "\t.param .u64 p0, .param .f32 p1,\n"
                           "\t.param .u32 p2, .param .u8 p3,\n"
                           "\t.param .f64 p4\n"
                           ")\n"
                           "{\n\tret;\n}\n"
                           ".visible .entry fake_fault()\n"
                           "{\n\tret;\n}\n";

/// Copies in0 to out0 through buf0, the byte count coming from scalar val1;
/// the second launch needs the large dynamic shared memory opt-in.
static const char kManifest[] =
    "sdpa-artifact 2\n"
    "target nvptx\n"
    "entry fake\n"
    "library kernels.ptx\n"
    "chip sm_90\n"
    "input f32 4x6 contiguous\n"
    "input i64 scalar contiguous\n"
    "output f32 4x6 contiguous\n"
    "buffer f32 4x6\n"
    "launch fake_copy grid 3x2x1 block 128x1x1 smem 0 args in0 buf0 val1\n"
    "launch fake_copy grid 1x1x7 block 32x4x2 smem 65536 args buf0 out0 val1\n";

/// The environment variables the tests change, restored after each test.
static const char *const kVariables[] = {
    "SDPA_CUDA_DRIVER", "SDPA_FAKE_CUDA_FAIL", "SDPA_FAKE_CUDA_DEVICES",
    "SDPA_FAKE_CUDA_CC"};

namespace {
class CudaArtifactTest : public ::testing::Test {
protected:
  void SetUp() override {
    for (const char *name : kVariables) {
      const char *value = std::getenv(name);
      saved.emplace_back(value != nullptr, value ? value : "");
      ::unsetenv(name);
    }
    ::setenv("SDPA_CUDA_DRIVER", SDPA_FAKE_CUDA_DRIVER, 1);

    const char *tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/sdpa-cuda-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    ASSERT_NE(::mkdtemp(buffer.data()), nullptr);
    root = buffer.data();

    // The same object the launcher loads: its records are the launcher's.
    fake = ::dlopen(SDPA_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(fake, nullptr) << ::dlerror();
    auto reset = reinterpret_cast<SdpaFakeCudaResetFn>(
        ::dlsym(fake, "sdpa_fake_cuda_reset"));
    stateFn = reinterpret_cast<SdpaFakeCudaStateFn>(
        ::dlsym(fake, "sdpa_fake_cuda_state"));
    launchFn = reinterpret_cast<SdpaFakeCudaLaunchFn>(
        ::dlsym(fake, "sdpa_fake_cuda_launch"));
    ASSERT_TRUE(reset && stateFn && launchFn);
    reset();
  }

  void TearDown() override {
    for (size_t i = 0; i < saved.size(); ++i) {
      if (saved[i].first)
        ::setenv(kVariables[i], saved[i].second.c_str(), 1);
      else
        ::unsetenv(kVariables[i]);
    }
    if (fake)
      ::dlclose(fake);
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }

  /// Makes artifact directory `name` with `manifest`, kernels.ptx holding
  /// `ptx` and, unless empty, kernels.sm_90.cubin holding `cubin`.
  std::string makeArtifact(const std::string &name,
                           const std::string &manifest = kManifest,
                           const std::string &ptx = kPtx,
                           const std::string &cubin = "") {
    std::string dir = root + "/" + name;
    fs::create_directories(dir);
    writeFile(dir + "/manifest.txt", manifest);
    if (!ptx.empty())
      writeFile(dir + "/kernels.ptx", ptx);
    if (!cubin.empty())
      writeFile(dir + "/kernels.sm_90.cubin", cubin);
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
    EXPECT_EQ(CudaArtifact::load(dir, error), nullptr) << dir;
    return error;
  }

  const SdpaFakeCudaState &state() const { return *stateFn(); }
  const SdpaFakeLaunch &launch(int index) const {
    static const SdpaFakeLaunch none = {};
    const SdpaFakeLaunch *recorded = launchFn(index);
    EXPECT_NE(recorded, nullptr) << "no launch " << index;
    return recorded ? *recorded : none;
  }
  /// Expects that nothing the launcher took from the driver is still held.
  void expectNothingHeld() const {
    EXPECT_EQ(state().liveAllocations, 0);
    EXPECT_EQ(state().liveModules, 0);
    EXPECT_EQ(state().liveEvents, 0);
    EXPECT_EQ(state().contextRefs, 0);
  }

  static void fail(const char *call) {
    ::setenv("SDPA_FAKE_CUDA_FAIL", call, 1);
  }
  static void failNothing() { ::unsetenv("SDPA_FAKE_CUDA_FAIL"); }

  std::string root;
  void *fake = nullptr;
  SdpaFakeCudaStateFn stateFn = nullptr;
  SdpaFakeCudaLaunchFn launchFn = nullptr;
  std::vector<std::pair<bool, std::string>> saved;
};

/// The tensors of kManifest, the input holding distinct values.
struct CopyTensors {
  CopyTensors() : in(kRows * kCols), out(kRows * kCols, -1.0f) {
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = 0.5f * static_cast<float>(i) - 3.0f;
  }
  std::vector<TensorRef> inputs() {
    return {{npy::DType::F32, {kRows, kCols}, {}, in.data()},
            {npy::DType::I64, {}, {}, &bytes}};
  }
  std::vector<TensorRef> outputs() {
    return {{npy::DType::F32, {kRows, kCols}, {}, out.data()}};
  }
  std::vector<float> in, out;
  int64_t bytes = kBytes;
};
} // namespace

TEST_F(CudaArtifactTest, LoadsAndReleases) {
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  EXPECT_EQ(artifact->deviceDescription(), "Fake GPU 0, sm_90");
  const Manifest &m = artifact->manifest();
  EXPECT_EQ(m.target, "nvptx");
  ASSERT_EQ(m.launches.size(), 2u);
  EXPECT_EQ(m.launches[1].sharedBytes, 65536);
  EXPECT_EQ(state().contextRefs, 1);
  EXPECT_EQ(state().liveModules, 1);
  EXPECT_EQ(state().launches, 0);
  artifact.reset();
  expectNothingHeld();
}

TEST_F(CudaArtifactTest, RunsLaunchesInOrderThroughBuffers) {
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  CopyTensors t;
  ASSERT_TRUE(artifact->run(t.inputs(), t.outputs(), error)) << error;
  EXPECT_EQ(t.out, t.in);
  // Device memory lives for the run only.
  EXPECT_EQ(state().liveAllocations, 0);

  ASSERT_EQ(state().launches, 2);
  const SdpaFakeLaunch &first = launch(0);
  const SdpaFakeLaunch &second = launch(1);
  EXPECT_STREQ(first.kernel, "fake_copy");
  EXPECT_EQ(first.grid[0], 3u);
  EXPECT_EQ(first.grid[1], 2u);
  EXPECT_EQ(first.grid[2], 1u);
  EXPECT_EQ(first.block[0], 128u);
  EXPECT_EQ(first.sharedBytes, 0u);
  EXPECT_EQ(second.grid[2], 7u);
  EXPECT_EQ(second.block[0], 32u);
  EXPECT_EQ(second.block[1], 4u);
  EXPECT_EQ(second.block[2], 2u);
  EXPECT_EQ(second.sharedBytes, 65536u);
  // Above 48 KiB the kernel must have opted in before the launch.
  EXPECT_EQ(second.maxDynamicShared, 65536);
  ASSERT_EQ(first.numParams, 3);
  // Device pointers for tensors, the same buffer in both launches, the
  // scalar by value.
  EXPECT_NE(first.params[0], 0u);
  EXPECT_NE(first.params[1], 0u);
  EXPECT_NE(first.params[0], first.params[1]);
  EXPECT_EQ(second.params[0], first.params[1]);
  EXPECT_NE(second.params[1], first.params[1]);
  EXPECT_EQ(first.params[2], static_cast<unsigned long long>(kBytes));
  EXPECT_EQ(second.params[2], static_cast<unsigned long long>(kBytes));

  // A second run gives the same result with fresh memory.
  std::fill(t.out.begin(), t.out.end(), -1.0f);
  ASSERT_TRUE(artifact->run(t.inputs(), t.outputs(), error)) << error;
  EXPECT_EQ(t.out, t.in);
  EXPECT_EQ(state().launches, 4);

  // The scalar is read at each run: copying half leaves the rest alone.
  std::fill(t.out.begin(), t.out.end(), -1.0f);
  t.bytes = kBytes / 2;
  ASSERT_TRUE(artifact->run(t.inputs(), t.outputs(), error)) << error;
  EXPECT_EQ(launch(4).params[2], static_cast<unsigned long long>(kBytes / 2));
  EXPECT_EQ(t.out[kRows * kCols / 2 - 1], t.in[kRows * kCols / 2 - 1]);
}

/// kManifest with the host library `host.so` (FakeArtifact.c, copied into
/// the artifact) checking the byte count before the launches.
static std::string withHostRules() {
  std::string text = kManifest;
  text.insert(text.find("input "),
              "host host.so\nshapes sdpa_fake_copy_rules\n"
              "check the copy of {lhs} bytes must fit in {rhs}\n");
  return text;
}

TEST_F(CudaArtifactTest, ChecksHostRulesBeforeLaunching) {
  std::string dir = makeArtifact("h", withHostRules());
  fs::copy_file(SDPA_FAKE_ARTIFACT, dir + "/host.so");
  std::string error;
  auto artifact = CudaArtifact::load(dir, error);
  ASSERT_NE(artifact, nullptr) << error;
  CopyTensors t;
  ASSERT_TRUE(artifact->run(t.inputs(), t.outputs(), error)) << error;
  EXPECT_EQ(t.out, t.in);
  EXPECT_EQ(state().launches, 2);
  // A value the rules refuse: nothing is copied or launched.
  t.bytes = kBytes + 4;
  EXPECT_FALSE(artifact->run(t.inputs(), t.outputs(), error));
  EXPECT_EQ(error, "the input shapes do not fit the kernel: the copy of 100 "
                   "bytes must fit in 96");
  EXPECT_EQ(state().launches, 2);
  EXPECT_EQ(state().liveAllocations, 0);
}

TEST_F(CudaArtifactTest, HostLibraryErrors) {
  std::string missing = makeArtifact("missing", withHostRules());
  EXPECT_THAT(loadError(missing),
              HasSubstr("cannot load '" + missing + "/host.so'"));
  std::string text = withHostRules();
  text.replace(text.find("sdpa_fake_copy_rules"), 20, "no_such_rules");
  std::string wrong = makeArtifact("wrong", text);
  fs::copy_file(SDPA_FAKE_ARTIFACT, wrong + "/host.so");
  EXPECT_EQ(loadError(wrong), "'" + wrong +
                                  "/host.so' does not export the shape "
                                  "function 'no_such_rules' named by the "
                                  "manifest");
  expectNothingHeld();
}

TEST_F(CudaArtifactTest, PassesScalarsByValue) {
  std::string text = "sdpa-artifact 2\ntarget nvptx\nentry fake\n"
                     "library kernels.ptx\nchip sm_90\n"
                     "input f32 scalar contiguous\n"
                     "input f16 3 contiguous\n"
                     "input i32 scalar contiguous\n"
                     "input bool scalar contiguous\n"
                     "input f64 scalar contiguous\n"
                     "output f16 3 contiguous\n"
                     "launch fake_scalars grid 1x1x1 block 1x1x1 smem 0 "
                     "args out0 val0 val2 val3 val4\n";
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("s", text), error);
  ASSERT_NE(artifact, nullptr) << error;
  float scale = 1.5f;
  uint16_t half[3] = {1, 2, 3};
  int32_t count = -7;
  bool flag = true;
  double seed = 0.125;
  uint16_t out[3] = {};
  ASSERT_TRUE(artifact->run({{npy::DType::F32, {}, {}, &scale},
                             {npy::DType::F16, {3}, {}, half},
                             {npy::DType::I32, {}, {}, &count},
                             {npy::DType::Bool, {}, {}, &flag},
                             {npy::DType::F64, {}, {}, &seed}},
                            {{npy::DType::F16, {3}, {}, out}}, error))
      << error;
  ASSERT_EQ(state().launches, 1);
  const SdpaFakeLaunch &l = launch(0);
  ASSERT_EQ(l.numParams, 5);
  EXPECT_NE(l.params[0], 0u);
  uint32_t scaleBits;
  std::memcpy(&scaleBits, &scale, 4);
  EXPECT_EQ(l.params[1], scaleBits);
  EXPECT_EQ(l.params[2], static_cast<uint32_t>(count));
  EXPECT_EQ(l.params[3], 1u);
  uint64_t seedBits;
  std::memcpy(&seedBits, &seed, 8);
  EXPECT_EQ(l.params[4], seedBits);
  // Only the tensors went to the device (and came back).
  EXPECT_EQ(state().liveAllocations, 0);
}

TEST_F(CudaArtifactTest, ChoosesCubinForItsChipElsePtx) {
  std::string withCubin = kManifest;
  withCubin.insert(withCubin.find("input "), "cubin kernels.sm_90.cubin\n");
  std::string cubin =
      std::string("// cubin for sm_90\n") + (std::strchr(kPtx, '\n') + 1);
  std::string dir = makeArtifact("c", withCubin, kPtx, cubin);
  std::string error;
  struct Case {
    const char *cc;
    bool usesCubin;
  } cases[] = {{"90", true}, {"80", false}, {"91", false}, {"100", false}};
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string("compute capability ") + c.cc);
    ::setenv("SDPA_FAKE_CUDA_CC", c.cc, 1);
    auto artifact = CudaArtifact::load(dir, error);
    ASSERT_NE(artifact, nullptr) << error;
    EXPECT_EQ(state().loadedWithEx, c.usesCubin ? 0 : 1);
    EXPECT_STREQ(state().moduleHead, c.usesCubin
                                         ? "// cubin for sm_90"
                                         : "// PTX for the fake driver");
    CopyTensors t;
    ASSERT_TRUE(artifact->run(t.inputs(), t.outputs(), error)) << error;
    EXPECT_EQ(t.out, t.in);
  }
  EXPECT_EQ(state().liveModules, 0);

  // Without a cubin the PTX is used even on the manifest's chip.
  ::setenv("SDPA_FAKE_CUDA_CC", "90", 1);
  auto artifact = CudaArtifact::load(makeArtifact("p"), error);
  ASSERT_NE(artifact, nullptr) << error;
  EXPECT_EQ(state().loadedWithEx, 1);

  // A chip with a feature suffix runs on its base compute capability.
  std::string suffixed = withCubin;
  suffixed.replace(suffixed.find("chip sm_90"), 10, "chip sm_90a");
  artifact =
      CudaArtifact::load(makeArtifact("a", suffixed, kPtx, cubin), error);
  ASSERT_NE(artifact, nullptr) << error;
  EXPECT_EQ(state().loadedWithEx, 0);

  // The cubin the manifest names must be there when it is chosen.
  std::string missing = makeArtifact("m", withCubin);
  EXPECT_THAT(loadError(missing),
              HasSubstr("cannot read '" + missing + "/kernels.sm_90.cubin'"));
}

TEST_F(CudaArtifactTest, NoDriver) {
  std::string path = root + "/nowhere/libcuda.so.1";
  ::setenv("SDPA_CUDA_DRIVER", path.c_str(), 1);
  std::string dir = makeArtifact("a");
  std::string error = loadError(dir);
  EXPECT_THAT(error, HasSubstr("no CUDA driver: cannot load " + path + ": "));
  EXPECT_THAT(error, HasSubstr("No such file"));

  // A shared object that is not a CUDA driver.
  ::setenv("SDPA_CUDA_DRIVER", SDPA_FAKE_ARTIFACT, 1);
  EXPECT_THAT(loadError(dir),
              HasSubstr(std::string("no CUDA driver: ") + SDPA_FAKE_ARTIFACT +
                        " does not export cuInit"));
}

TEST_F(CudaArtifactTest, NoDriverByDefault) {
  ::unsetenv("SDPA_CUDA_DRIVER");
  // Only meaningful where there is no real driver to find.
  if (void *real = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    ::dlclose(real);
    GTEST_SKIP() << "libcuda.so.1 is installed";
  }
  std::string dir = makeArtifact("a");
  EXPECT_THAT(loadError(dir),
              HasSubstr("no CUDA driver: cannot load libcuda.so.1: "));
  // An empty variable means the default too.
  ::setenv("SDPA_CUDA_DRIVER", "", 1);
  EXPECT_THAT(loadError(dir),
              HasSubstr("no CUDA driver: cannot load libcuda.so.1: "));
}

TEST_F(CudaArtifactTest, NoDevice) {
  std::string dir = makeArtifact("a");
  ::setenv("SDPA_FAKE_CUDA_DEVICES", "0", 1);
  EXPECT_EQ(loadError(dir), "no CUDA device: the CUDA driver found no GPU");
  ::unsetenv("SDPA_FAKE_CUDA_DEVICES");
  fail("cuInit:100");
  EXPECT_EQ(loadError(dir), "no CUDA device: cuInit failed: "
                            "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is "
                            "detected)");
  fail("cuInit:34");
  EXPECT_EQ(loadError(dir), "no CUDA driver: cuInit failed: CUDA error 34 "
                            "(the CUDA toolkit's stub library was loaded "
                            "instead of the driver)");
  fail("cuInit:3");
  EXPECT_EQ(loadError(dir), "cuInit failed: CUDA_ERROR_NOT_INITIALIZED "
                            "(initialization error)");
  failNothing();
  expectNothingHeld();
}

TEST_F(CudaArtifactTest, ManifestErrors) {
  EXPECT_THAT(loadError(root + "/nowhere"),
              HasSubstr("cannot open artifact directory '" + root +
                        "/nowhere': No such file or directory"));

  std::string cpu = "sdpa-artifact 2\ntarget cpu\nentry e\nlibrary k.so\n"
                    "symbol s\noutput f32 4 contiguous\n";
  EXPECT_THAT(loadError(makeArtifact("cpu", cpu)),
              HasSubstr("cpu/manifest.txt: the artifact is for target 'cpu', "
                        "not 'nvptx'"));

  std::string bad = kManifest;
  bad.replace(bad.find("args in0 buf0"), 13, "args in0 buf1");
  EXPECT_THAT(loadError(makeArtifact("bad", bad)),
              HasSubstr("bad/manifest.txt: line 10: launch 'fake_copy': "
                        "'buf1' refers to buffer 1"));

  std::string absolute = kManifest;
  absolute.insert(absolute.find("input "), "cubin /tmp/k.cubin\n");
  EXPECT_THAT(loadError(makeArtifact("abs", absolute)),
              HasSubstr("cubin '/tmp/k.cubin' must be relative to the "
                        "artifact directory"));

  std::string noPtx = makeArtifact("noptx", kManifest, "");
  EXPECT_THAT(loadError(noPtx), HasSubstr("cannot read '" + noPtx +
                                          "/kernels.ptx': No such file"));
  expectNothingHeld();
}

TEST_F(CudaArtifactTest, MissingKernel) {
  std::string text = kManifest;
  text += "launch fake_cop grid 1x1x1 block 1x1x1 smem 0 args in0\n";
  std::string dir = makeArtifact("a", text);
  EXPECT_EQ(loadError(dir),
            "launch 2 (fake_cop): cannot find kernel 'fake_cop' in '" + dir +
                "/kernels.ptx': cuModuleGetFunction failed: "
                "CUDA_ERROR_NOT_FOUND (named symbol not found)");
  expectNothingHeld();
}

TEST_F(CudaArtifactTest, PtxErrorsCarryTheJitLog) {
  std::string dir =
      makeArtifact("a", kManifest, std::string(kPtx) + "// fake_jit_error\n");
  EXPECT_EQ(loadError(dir),
            "cannot load PTX '" + dir +
                "/kernels.ptx' for sm_90 on Fake GPU 0, sm_90: "
                "cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (a PTX "
                "JIT compilation failed); JIT log:\n"
                "ptxas fatal   : fake_jit_error in the PTX");
  expectNothingHeld();
}

TEST_F(CudaArtifactTest, TensorErrors) {
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  CopyTensors t;
  const std::vector<TensorRef> inputs = t.inputs();
  const std::vector<TensorRef> outputs = t.outputs();
  auto runError = [&](const std::vector<TensorRef> &in,
                      const std::vector<TensorRef> &out) {
    std::string message;
    EXPECT_FALSE(artifact->run(in, out, message));
    return message;
  };

  EXPECT_EQ(runError({inputs[0]}, outputs), "expected 2 inputs, got 1");
  EXPECT_EQ(runError(inputs, {outputs[0], outputs[0]}),
            "expected 1 output, got 2");

  std::vector<TensorRef> wrong = inputs;
  wrong[1].dtype = npy::DType::I32;
  EXPECT_EQ(runError(wrong, outputs),
            "input 1: dtype i32 does not match the kernel's i64");
  wrong = inputs;
  wrong[1].shape = {1};
  EXPECT_EQ(runError(wrong, outputs),
            "input 1: rank 1 does not match the kernel's rank 0");
  wrong = inputs;
  wrong[0].shape = {kCols, kRows};
  EXPECT_EQ(runError(wrong, outputs),
            "input 0: shape [6, 4] does not match the kernel's [4, 6]");
  wrong = inputs;
  wrong[0].strides = {1};
  EXPECT_EQ(runError(wrong, outputs), "input 0: 1 strides given for rank 2");
  // GPU kernels take bare pointers: every tensor must be C order.
  wrong = inputs;
  wrong[0].strides = {1, kRows};
  EXPECT_EQ(runError(wrong, outputs),
            "input 0: strides [1, 4] are not contiguous, and the kernel needs "
            "contiguous [6, 1]");
  wrong = inputs;
  wrong[1].data = nullptr;
  EXPECT_EQ(runError(wrong, outputs), "input 1: data pointer is null");
  std::vector<TensorRef> wrongOut = outputs;
  wrongOut[0].data = nullptr;
  EXPECT_EQ(runError(inputs, wrongOut), "output 0: data pointer is null");

  // Nothing reached the device.
  EXPECT_EQ(state().launches, 0);
  EXPECT_EQ(state().liveAllocations, 0);
  for (float value : t.out)
    ASSERT_EQ(value, -1.0f);
}

TEST_F(CudaArtifactTest, LoadCallFailuresNameTheCall) {
  std::string dir = makeArtifact("a");
  for (const char *call :
       {"cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetAttribute",
        "cuDeviceGetName", "cuDevicePrimaryCtxRetain", "cuCtxSetCurrent",
        "cuModuleLoadDataEx", "cuModuleGetFunction", "cuFuncSetAttribute"}) {
    SCOPED_TRACE(call);
    fail(call);
    std::string error = loadError(dir);
    EXPECT_THAT(error,
                HasSubstr(std::string(call) +
                          " failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"));
    failNothing();
    expectNothingHeld();
  }

  // With a cubin for the device, cuModuleLoadData loads it.
  std::string withCubin = kManifest;
  withCubin.insert(withCubin.find("input "), "cubin kernels.sm_90.cubin\n");
  fail("cuModuleLoadData:200");
  std::string cubinDir = makeArtifact("c", withCubin, kPtx, kPtx);
  EXPECT_EQ(loadError(cubinDir),
            "cannot load cubin '" + cubinDir +
                "/kernels.sm_90.cubin' on Fake GPU 0, sm_90: "
                "cuModuleLoadData failed: CUDA error 200");
  failNothing();
  expectNothingHeld();

  fail("cuFuncSetAttribute");
  EXPECT_EQ(loadError(dir),
            "kernel 'fake_copy': cannot allow 65536 bytes of dynamic shared "
            "memory on Fake GPU 0, sm_90: cuFuncSetAttribute failed: "
            "CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  failNothing();
}

TEST_F(CudaArtifactTest, RunCallFailuresNameTheCall) {
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  struct Case {
    const char *symbol;
    const char *message;
  } cases[] = {
      {"cuCtxSetCurrent",
       "cuCtxSetCurrent failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuMemAlloc_v2", "input 0 (96 bytes): cuMemAlloc failed: "
                        "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuMemcpyHtoD_v2", "input 0: cuMemcpyHtoD failed: "
                          "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuLaunchKernel", "launch 0 (fake_copy): cuLaunchKernel failed: "
                         "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuCtxSynchronize",
       "cuCtxSynchronize failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuMemcpyDtoH_v2", "output 0: cuMemcpyDtoH failed: "
                          "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
  };
  CopyTensors t;
  for (const Case &c : cases) {
    SCOPED_TRACE(c.symbol);
    fail(c.symbol);
    EXPECT_FALSE(artifact->run(t.inputs(), t.outputs(), error));
    EXPECT_EQ(error, c.message);
    failNothing();
    EXPECT_EQ(state().liveAllocations, 0);
  }
  // Codes the driver cannot name are still reported.
  fail("cuLaunchKernel:12345");
  EXPECT_FALSE(artifact->run(t.inputs(), t.outputs(), error));
  EXPECT_EQ(error, "launch 0 (fake_copy): cuLaunchKernel failed: CUDA error "
                   "12345");
  failNothing();

  // The artifact still works after failures it reported.
  ASSERT_TRUE(artifact->run(t.inputs(), t.outputs(), error)) << error;
  EXPECT_EQ(t.out, t.in);
}

TEST_F(CudaArtifactTest, KernelFaultsAreReportedAtSynchronisation) {
  std::string text = kManifest;
  text += "launch fake_fault grid 1x1x1 block 1x1x1 smem 0 args\n";
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a", text), error);
  ASSERT_NE(artifact, nullptr) << error;
  CopyTensors t;
  EXPECT_FALSE(artifact->run(t.inputs(), t.outputs(), error));
  EXPECT_EQ(error, "cuCtxSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (an "
                   "illegal memory access was encountered)");
  EXPECT_EQ(state().liveAllocations, 0);

  // A byte count past the buffers faults too, and nothing is copied back.
  artifact = CudaArtifact::load(makeArtifact("b"), error);
  ASSERT_NE(artifact, nullptr) << error;
  t.bytes = kBytes + 4;
  EXPECT_FALSE(artifact->run(t.inputs(), t.outputs(), error));
  EXPECT_THAT(error, HasSubstr("CUDA_ERROR_ILLEGAL_ADDRESS"));
  EXPECT_EQ(t.out[0], -1.0f);
}

TEST_F(CudaArtifactTest, TimesTheLaunchesOnly) {
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  CopyTensors t;
  std::vector<double> milliseconds = {42.0};
  ASSERT_TRUE(artifact->time(t.inputs(), t.outputs(), 5, milliseconds, error))
      << error;
  EXPECT_EQ(t.out, t.in);
  // The fake reports 0.25 ms per launch between the events: each value
  // covers exactly the two launches of one run.
  ASSERT_EQ(milliseconds.size(), 5u);
  for (double value : milliseconds)
    EXPECT_EQ(value, 0.5);
  // One warm-up run, then five timed.
  EXPECT_EQ(state().launches, 12);
  EXPECT_EQ(state().liveEvents, 0);
  EXPECT_EQ(state().liveAllocations, 0);

  EXPECT_FALSE(artifact->time(t.inputs(), t.outputs(), 0, milliseconds, error));
  EXPECT_EQ(error, "the number of timed runs must be at least 1, got 0");
  EXPECT_TRUE(milliseconds.empty());

  for (const char *call : {"cuEventCreate", "cuEventRecord",
                           "cuEventSynchronize", "cuEventElapsedTime"}) {
    SCOPED_TRACE(call);
    fail(call);
    EXPECT_FALSE(
        artifact->time(t.inputs(), t.outputs(), 2, milliseconds, error));
    EXPECT_EQ(error, std::string(call) + " failed: CUDA_ERROR_OUT_OF_MEMORY "
                                         "(out of memory)");
    failNothing();
    EXPECT_EQ(state().liveEvents, 0);
    EXPECT_EQ(state().liveAllocations, 0);
  }
}

TEST_F(CudaArtifactTest, RunsOnAnotherThread) {
  // The fake's current context is per thread, as the driver's is.
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("a"), error);
  ASSERT_NE(artifact, nullptr) << error;
  CopyTensors t;
  bool ok = false;
  std::string threadError;
  std::thread worker(
      [&] { ok = artifact->run(t.inputs(), t.outputs(), threadError); });
  worker.join();
  ASSERT_TRUE(ok) << threadError;
  EXPECT_EQ(t.out, t.in);
}

TEST_F(CudaArtifactTest, RankZeroTensorsLiveOnTheDevice) {
  // `in0` of a rank-0 tensor is a device copy of its element and `out0` a
  // device element copied back; `val1` is the scalar's value.
  std::string text = "sdpa-artifact 2\ntarget nvptx\nentry fake\n"
                     "library kernels.ptx\nchip sm_90\n"
                     "input f32 scalar contiguous\n"
                     "input i64 scalar contiguous\n"
                     "output f32 scalar contiguous\n"
                     "launch fake_copy grid 1x1x1 block 1x1x1 smem 0 "
                     "args in0 out0 val1\n";
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("r", text), error);
  ASSERT_NE(artifact, nullptr) << error;
  float in = 2.75f, out = -1.0f;
  int64_t bytes = sizeof(float);
  ASSERT_TRUE(artifact->run(
      {{npy::DType::F32, {}, {}, &in}, {npy::DType::I64, {}, {}, &bytes}},
      {{npy::DType::F32, {}, {}, &out}}, error))
      << error;
  EXPECT_EQ(out, 2.75f);
  ASSERT_EQ(state().launches, 1);
  EXPECT_NE(launch(0).params[0],
            static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(&in)));
  EXPECT_EQ(launch(0).params[2], static_cast<unsigned long long>(bytes));
  EXPECT_EQ(state().liveAllocations, 0);
}

TEST_F(CudaArtifactTest, EmptyTensors) {
  // The driver refuses empty allocations; empty tensors need none.
  std::string text = "sdpa-artifact 2\ntarget nvptx\nentry fake\n"
                     "library kernels.ptx\nchip sm_90\n"
                     "input f32 0x6 contiguous\n"
                     "input i64 scalar contiguous\n"
                     "output f32 0x6 contiguous\n"
                     "launch fake_copy grid 1x1x1 block 1x1x1 smem 0 "
                     "args in0 out0 val1\n";
  std::string error;
  auto artifact = CudaArtifact::load(makeArtifact("e", text), error);
  ASSERT_NE(artifact, nullptr) << error;
  int64_t zero = 0;
  ASSERT_TRUE(artifact->run({{npy::DType::F32, {0, 6}, {}, nullptr},
                             {npy::DType::I64, {}, {}, &zero}},
                            {{npy::DType::F32, {0, 6}, {}, nullptr}}, error))
      << error;
  EXPECT_EQ(state().launches, 1);
  EXPECT_EQ(launch(0).params[0], 0u);
}
