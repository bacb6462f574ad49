//===- CudaEmulatorTest.cpp - tests of the CUDA driver emulator -----------===//
//
// Drives libsdpa-cuda-emulator.so through its driver API, loaded with dlopen
// as the launcher loads it, with the hand-written kernels of
// EmulatorKernels.c as the module: thread, block and grid ids, barriers and
// shared memory, shuffles of every mode with partial warps and segments,
// warp exchanges, asynchronous copies performed no earlier than a GPU may,
// launches a GPU refuses, kernels that cannot finish (reported, not hung),
// module, memory and event calls; then the launcher finding every entry
// point it needs and running an emulated artifact.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaArtifact.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

using ::testing::HasSubstr;

namespace fs = std::filesystem;

namespace {
using namespace sdpa::rt;
using Handle = void *;

/// The entry points the launcher uses, by the symbols it resolves.
struct Api {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(int *, int);
  CUresult (*cuDeviceGetName)(char *, int, int);
  CUresult (*cuDeviceGetAttribute)(int *, int, int);
  CUresult (*cuDevicePrimaryCtxRetain)(Handle *, int);
  CUresult (*cuDevicePrimaryCtxRelease)(int);
  CUresult (*cuCtxSetCurrent)(Handle);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(Handle *, const void *);
  CUresult (*cuModuleLoadDataEx)(Handle *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(Handle);
  CUresult (*cuModuleGetFunction)(Handle *, Handle, const char *);
  CUresult (*cuFuncSetAttribute)(Handle, int, int);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuLaunchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, Handle, void **,
                             void **);
  CUresult (*cuEventCreate)(Handle *, unsigned);
  CUresult (*cuEventRecord)(Handle, Handle);
  CUresult (*cuEventSynchronize)(Handle);
  CUresult (*cuEventElapsedTime)(float *, Handle, Handle);
  CUresult (*cuEventDestroy)(Handle);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

struct Dims {
  unsigned x, y, z;
  unsigned count() const { return x * y * z; }
};

static std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class CudaEmulatorTest : public ::testing::Test {
protected:
  void SetUp() override {
    // The default schedule, whatever the caller's environment says.
    ::unsetenv("SDPA_EMU_SCHEDULE");
    ::unsetenv("SDPA_EMU_ASYNC_COPIES");
    library = ::dlopen(SDPA_CUDA_EMULATOR, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library, nullptr) << ::dlerror();
    bind(api.cuInit, "cuInit");
    bind(api.cuDeviceGetCount, "cuDeviceGetCount");
    bind(api.cuDeviceGet, "cuDeviceGet");
    bind(api.cuDeviceGetName, "cuDeviceGetName");
    bind(api.cuDeviceGetAttribute, "cuDeviceGetAttribute");
    bind(api.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(api.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
    bind(api.cuCtxSetCurrent, "cuCtxSetCurrent");
    bind(api.cuCtxSynchronize, "cuCtxSynchronize");
    bind(api.cuModuleLoadData, "cuModuleLoadData");
    bind(api.cuModuleLoadDataEx, "cuModuleLoadDataEx");
    bind(api.cuModuleUnload, "cuModuleUnload");
    bind(api.cuModuleGetFunction, "cuModuleGetFunction");
    bind(api.cuFuncSetAttribute, "cuFuncSetAttribute");
    bind(api.cuMemAlloc, "cuMemAlloc_v2");
    bind(api.cuMemFree, "cuMemFree_v2");
    bind(api.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    bind(api.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
    bind(api.cuLaunchKernel, "cuLaunchKernel");
    bind(api.cuEventCreate, "cuEventCreate");
    bind(api.cuEventRecord, "cuEventRecord");
    bind(api.cuEventSynchronize, "cuEventSynchronize");
    bind(api.cuEventElapsedTime, "cuEventElapsedTime_v2");
    bind(api.cuEventDestroy, "cuEventDestroy_v2");
    bind(api.cuGetErrorName, "cuGetErrorName");
    bind(api.cuGetErrorString, "cuGetErrorString");
    if (HasFatalFailure())
      return;
    ASSERT_EQ(api.cuInit(0), CUDA_SUCCESS);
    ASSERT_EQ(api.cuDevicePrimaryCtxRetain(&context, 0), CUDA_SUCCESS);
    ASSERT_EQ(api.cuCtxSetCurrent(context), CUDA_SUCCESS);
    // The launcher passes the file's bytes and a NUL.
    image = readFile(SDPA_EMULATOR_TEST_KERNELS);
    ASSERT_GT(image.size(), 4u);
    image.push_back('\0');
    ASSERT_EQ(api.cuModuleLoadData(&module, image.data()), CUDA_SUCCESS);
  }

  void TearDown() override {
    if (!library)
      return;
    for (CUdeviceptr pointer : allocations)
      api.cuMemFree(pointer);
    if (module)
      api.cuModuleUnload(module);
    // The last release also clears the error of a failed launch.
    if (context)
      api.cuDevicePrimaryCtxRelease(0);
    ::dlclose(library);
  }

  template <typename Function> void bind(Function &function, const char *name) {
    function = reinterpret_cast<Function>(::dlsym(library, name));
    ASSERT_NE(function, nullptr) << "no " << name;
  }

  Handle function(const char *name) {
    Handle found = nullptr;
    EXPECT_EQ(api.cuModuleGetFunction(&found, module, name), CUDA_SUCCESS)
        << name;
    return found;
  }

  /// Device memory for `count` T, freed after the test.
  template <typename T> CUdeviceptr allocate(size_t count) {
    CUdeviceptr pointer = 0;
    EXPECT_EQ(api.cuMemAlloc(&pointer, count * sizeof(T)), CUDA_SUCCESS);
    allocations.push_back(pointer);
    return pointer;
  }

  template <typename T>
  std::vector<T> download(CUdeviceptr pointer, size_t count) {
    std::vector<T> values(count);
    EXPECT_EQ(api.cuMemcpyDtoH(values.data(), pointer, count * sizeof(T)),
              CUDA_SUCCESS);
    return values;
  }

  CUresult launch(const char *kernel, Dims grid, Dims block,
                  unsigned sharedBytes, std::vector<void *> params) {
    return api.cuLaunchKernel(function(kernel), grid.x, grid.y, grid.z, block.x,
                              block.y, block.z, sharedBytes, nullptr,
                              params.empty() ? nullptr : params.data(),
                              nullptr);
  }

  /// Launches `kernel`, expecting it to fail, and returns what the emulator
  /// said on stderr.
  std::string launchFailure(const char *kernel, Dims grid, Dims block,
                            std::vector<void *> params = {},
                            unsigned sharedBytes = 0) {
    ::testing::internal::CaptureStderr();
    CUresult result = launch(kernel, grid, block, sharedBytes, params);
    std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(result, CUDA_ERROR_LAUNCH_FAILED) << kernel;
    return said;
  }

  std::string errorName(CUresult result) {
    const char *name = nullptr;
    EXPECT_EQ(api.cuGetErrorName(result, &name), CUDA_SUCCESS) << result;
    return name ? name : "";
  }

  /// Releases and retains the primary context, as a new process would
  /// find it.
  void resetContext() {
    ASSERT_EQ(api.cuDevicePrimaryCtxRelease(0), CUDA_SUCCESS);
    ASSERT_EQ(api.cuDevicePrimaryCtxRetain(&context, 0), CUDA_SUCCESS);
  }

  /// Runs `neighbours` in `grid` x `block` and checks that every thread
  /// got the value of its neighbour's neighbour.
  void checkNeighbours(Dims grid, Dims block) {
    unsigned n = block.count();
    CUdeviceptr out = allocate<int32_t>(grid.count() * n);
    ASSERT_EQ(launch("neighbours", grid, block, n * 4, {&out}), CUDA_SUCCESS);
    std::vector<int32_t> values = download<int32_t>(out, grid.count() * n);
    for (unsigned b = 0; b < grid.count(); ++b)
      for (unsigned t = 0; t < n; ++t)
        ASSERT_EQ(values[b * n + t],
                  static_cast<int32_t>(1000 * b + (t + 2) % n))
            << "block " << b << " thread " << t;
  }

  void *library = nullptr;
  Api api = {};
  Handle context = nullptr;
  Handle module = nullptr;
  std::string image;
  std::vector<CUdeviceptr> allocations;
};

/// Sets an environment variable for its lifetime; unsets it after.
class ScopedEnvironment {
public:
  ScopedEnvironment(const char *name, const char *value) : name(name) {
    ::setenv(name, value, /*overwrite=*/1);
  }
  ~ScopedEnvironment() { ::unsetenv(name); }

private:
  const char *name;
};

/// `count` bytes, none 0xFF or 0, so that they differ from shared memory
/// not written and from the zeros of a partial copy.
static std::vector<uint8_t> distinctBytes(size_t count) {
  std::vector<uint8_t> bytes(count);
  for (size_t i = 0; i < count; ++i)
    bytes[i] = static_cast<uint8_t>(1 + i * 7 % 253);
  return bytes;
}
} // namespace

TEST_F(CudaEmulatorTest, DescribesItsDevice) {
  int count = 0, device = -1, major = 0, minor = -1, other = 0;
  ASSERT_EQ(api.cuDeviceGetCount(&count), CUDA_SUCCESS);
  EXPECT_EQ(count, 1);
  ASSERT_EQ(api.cuDeviceGet(&device, 0), CUDA_SUCCESS);
  EXPECT_EQ(device, 0);
  char name[64] = {};
  ASSERT_EQ(api.cuDeviceGetName(name, sizeof(name), device), CUDA_SUCCESS);
  EXPECT_STREQ(name, "sdpa CPU emulator");
  ASSERT_EQ(api.cuDeviceGetAttribute(&major, 75, device), CUDA_SUCCESS);
  ASSERT_EQ(api.cuDeviceGetAttribute(&minor, 76, device), CUDA_SUCCESS);
  EXPECT_EQ(major, 8);
  EXPECT_EQ(minor, 0);
  EXPECT_EQ(api.cuDeviceGetAttribute(&other, 1, device),
            CUDA_ERROR_INVALID_VALUE);

  struct Known {
    CUresult code;
    const char *name;
  } known[] = {{0, "CUDA_SUCCESS"},
               {1, "CUDA_ERROR_INVALID_VALUE"},
               {2, "CUDA_ERROR_OUT_OF_MEMORY"},
               {3, "CUDA_ERROR_NOT_INITIALIZED"},
               {200, "CUDA_ERROR_INVALID_IMAGE"},
               {400, "CUDA_ERROR_INVALID_HANDLE"},
               {500, "CUDA_ERROR_NOT_FOUND"},
               {719, "CUDA_ERROR_LAUNCH_FAILED"}};
  for (const Known &k : known) {
    EXPECT_EQ(errorName(k.code), k.name);
    const char *text = nullptr;
    EXPECT_EQ(api.cuGetErrorString(k.code, &text), CUDA_SUCCESS);
    EXPECT_NE(text, nullptr);
  }
  const char *unknown = "";
  EXPECT_EQ(api.cuGetErrorName(12345, &unknown), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(unknown, nullptr);
}

TEST_F(CudaEmulatorTest, ThreadBlockAndGridIds) {
  struct Case {
    Dims grid, block;
  } cases[] = {{{3, 2, 2}, {8, 4, 1}}, {{1, 3, 1}, {4, 2, 3}}};
  for (const Case &c : cases) {
    SCOPED_TRACE("grid " + std::to_string(c.grid.x) + "x" +
                 std::to_string(c.grid.y) + "x" + std::to_string(c.grid.z));
    size_t threads = c.grid.count() * c.block.count();
    CUdeviceptr out = allocate<int64_t>(4 * threads);
    ASSERT_EQ(launch("ids", c.grid, c.block, 0, {&out}), CUDA_SUCCESS);
    std::vector<int64_t> ids = download<int64_t>(out, 4 * threads);
    auto pack = [](unsigned x, unsigned y, unsigned z) {
      return static_cast<int64_t>(x) | static_cast<int64_t>(y) << 16 |
             static_cast<int64_t>(z) << 32;
    };
    size_t g = 0;
    for (unsigned bz = 0; bz < c.grid.z; ++bz)
      for (unsigned by = 0; by < c.grid.y; ++by)
        for (unsigned bx = 0; bx < c.grid.x; ++bx)
          for (unsigned tz = 0; tz < c.block.z; ++tz)
            for (unsigned ty = 0; ty < c.block.y; ++ty)
              for (unsigned tx = 0; tx < c.block.x; ++tx, ++g) {
                ASSERT_EQ(ids[4 * g], pack(tx, ty, tz)) << g;
                ASSERT_EQ(ids[4 * g + 1], pack(bx, by, bz)) << g;
                ASSERT_EQ(ids[4 * g + 2],
                          pack(c.block.x, c.block.y, c.block.z));
                ASSERT_EQ(ids[4 * g + 3], pack(c.grid.x, c.grid.y, c.grid.z));
              }
  }
}

TEST_F(CudaEmulatorTest, BarriersOrderSharedMemory) {
  checkNeighbours({3, 1, 1}, {64, 2, 1});
}

TEST_F(CudaEmulatorTest, ReverseScheduleShowsTheOtherSideOfARace) {
  unsigned n = 64;
  CUdeviceptr out = allocate<int32_t>(n);
  auto run = [&]() {
    EXPECT_EQ(launch("racy_neighbour", {1, 1, 1}, {n, 1, 1}, n * 4, {&out}),
              CUDA_SUCCESS);
    return download<int32_t>(out, n);
  };
  // Forward, thread t runs before t + 1 and finds its slot unwritten (all
  // ones); the last finds thread 0's. Reverse, every thread but the first
  // to run (the last) finds its neighbour's write.
  std::vector<int32_t> forward(n, -1), reverse(n);
  forward[n - 1] = 1;
  for (unsigned t = 0; t < n; ++t)
    reverse[t] = t + 1 < n ? static_cast<int32_t>(t + 2) : -1;
  EXPECT_EQ(run(), forward);
  {
    ScopedEnvironment order("SDPA_EMU_SCHEDULE", "reverse");
    EXPECT_EQ(run(), reverse);
  }
  {
    ScopedEnvironment order("SDPA_EMU_SCHEDULE", "forward");
    EXPECT_EQ(run(), forward);
  }
}

TEST_F(CudaEmulatorTest, ReverseScheduleKeepsBarriersAndShuffles) {
  ScopedEnvironment order("SDPA_EMU_SCHEDULE", "reverse");
  checkNeighbours({2, 1, 1}, {48, 2, 1});
  // sync_loop's barriers and shuffles, a partial warp of 16 among them
  // (whose first step, with no source, doubles its value: 32 again).
  unsigned blocks = 3, threads = 80;
  int32_t rounds = 20;
  CUdeviceptr totals = allocate<uint32_t>(blocks * threads);
  ASSERT_EQ(launch("sync_loop", {blocks, 1, 1}, {threads, 1, 1}, 0,
                   {&totals, &rounds}),
            CUDA_SUCCESS);
  std::vector<uint32_t> sums = download<uint32_t>(totals, blocks * threads);
  for (unsigned t = 0; t < blocks * threads; ++t)
    ASSERT_EQ(sums[t], 32u * rounds) << "thread " << t;
}

TEST_F(CudaEmulatorTest, WarpSchedulesRunAWarpOnToItsBarrier) {
  unsigned n = 64;
  CUdeviceptr log = allocate<int32_t>(1 + 4 * n);
  // The warps of the threads in the order they logged before the barrier
  // (three times each).
  auto warpsInOrder = [&](const char *schedule) {
    ScopedEnvironment order("SDPA_EMU_SCHEDULE", schedule);
    int32_t zero = 0;
    EXPECT_EQ(api.cuMemcpyHtoD(log, &zero, sizeof(zero)), CUDA_SUCCESS);
    EXPECT_EQ(launch("run_order", {1, 1, 1}, {n, 1, 1}, 0, {&log}),
              CUDA_SUCCESS);
    std::vector<int32_t> logged = download<int32_t>(log, 1 + 4 * n);
    EXPECT_EQ(logged[0], static_cast<int32_t>(4 * n));
    std::string warps;
    for (unsigned i = 1; i <= 3 * n; ++i)
      warps += static_cast<char>('0' + logged[i] / 32);
    return warps;
  };
  std::string zeroFirst = std::string(96, '0') + std::string(96, '1');
  std::string oneFirst = std::string(96, '1') + std::string(96, '0');
  EXPECT_EQ(warpsInOrder("warps"), zeroFirst);
  EXPECT_EQ(warpsInOrder("warps-reverse"), oneFirst);
  // Forward and reverse, the warps take turns at every shuffle.
  EXPECT_NE(warpsInOrder("forward"), zeroFirst);
  EXPECT_NE(warpsInOrder("reverse"), oneFirst);
}

TEST_F(CudaEmulatorTest, EarlyAsyncCopiesLandWhenIssued) {
  unsigned n = 32;
  std::vector<uint8_t> data = distinctBytes(16 * n);
  CUdeviceptr in = allocate<uint8_t>(16 * n), out = allocate<uint8_t>(32 * n);
  ASSERT_EQ(api.cuMemcpyHtoD(in, data.data(), data.size()), CUDA_SUCCESS);
  auto run = [&]() {
    EXPECT_EQ(
        launch("async_read_early", {1, 1, 1}, {n, 1, 1}, 16 * n, {&in, &out}),
        CUDA_SUCCESS);
    return download<uint8_t>(out, 32 * n);
  };
  // Before the wait: all ones (late, the default) or the data (early);
  // after it the data either way.
  std::vector<uint8_t> late(32 * n, 0xFF), early(32 * n);
  for (unsigned t = 0; t < n; ++t) {
    std::copy_n(&data[16 * t], 16, &late[32 * t + 16]);
    std::copy_n(&data[16 * t], 16, &early[32 * t]);
    std::copy_n(&data[16 * t], 16, &early[32 * t + 16]);
  }
  EXPECT_EQ(run(), late);
  ScopedEnvironment copies("SDPA_EMU_ASYNC_COPIES", "early");
  EXPECT_EQ(run(), early);
  // Early copies leave no group for a later wait to complete.
  ScopedEnvironment order("SDPA_EMU_SCHEDULE", "reverse");
  EXPECT_EQ(run(), early);
}

TEST_F(CudaEmulatorTest, UnknownSchedulesFailTheLaunch) {
  for (auto [name, value, expected] :
       {std::tuple{"SDPA_EMU_SCHEDULE", "backwards",
                   "kernel ids: SDPA_EMU_SCHEDULE=backwards; expected forward, "
                   "reverse, warps or warps-reverse\n"},
        std::tuple{"SDPA_EMU_ASYNC_COPIES", "Early",
                   "kernel ids: SDPA_EMU_ASYNC_COPIES=Early; expected late "
                   "or early\n"}}) {
    ScopedEnvironment bad(name, value);
    CUdeviceptr out = allocate<int64_t>(4 * 32);
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(launch("ids", {1, 1, 1}, {32, 1, 1}, 0, {&out}),
              CUDA_ERROR_INVALID_VALUE);
    EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr(expected));
  }
}

TEST_F(CudaEmulatorTest, SharedMemoryStartsAllOnesInEveryBlock) {
  int32_t bytes = 1000;
  CUdeviceptr out = allocate<uint8_t>(3 * bytes);
  ASSERT_EQ(launch("shared_fill", {3, 1, 1}, {32, 1, 1}, bytes, {&out, &bytes}),
            CUDA_SUCCESS);
  std::vector<uint8_t> seen = download<uint8_t>(out, 3 * bytes);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 0xFF), 3 * bytes);
}

TEST_F(CudaEmulatorTest, WarpSumWithAPartialWarp) {
  // Blocks of 48 threads: warp 1 has lanes 0-15 only, whose partners at
  // offset 16 do not exist.
  unsigned blocks = 2, n = 48;
  CUdeviceptr out = allocate<uint32_t>(3 * blocks * n);
  ASSERT_EQ(launch("warp_sum", {blocks, 1, 1}, {n, 1, 1}, 0, {&out}),
            CUDA_SUCCESS);
  std::vector<uint32_t> values = download<uint32_t>(out, 3 * blocks * n);
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned t = 0; t < n; ++t) {
      const uint32_t *v = &values[3 * (b * n + t)];
      SCOPED_TRACE("block " + std::to_string(b) + " thread " +
                   std::to_string(t));
      if (t < 32) {
        EXPECT_EQ(v[0], 32u * 33 / 2);
        EXPECT_EQ(v[1], 0x1Fu);
        EXPECT_EQ(v[2], (t ^ 16) + 1);
      } else {
        EXPECT_EQ(v[0], (33u + 48) * 16 / 2);
        EXPECT_EQ(v[1], 0x1Eu);
        // An invalid shuffle returns the caller's own value.
        EXPECT_EQ(v[2], t + 1);
      }
    }
  }
}

/// What shuffling 1000 + t in a block of `n` threads gives thread t, by the
/// rules of __sdpa_emu_shuffle.
static uint64_t expectedShuffle(unsigned t, unsigned n, int32_t offset,
                                int32_t width, int32_t mode) {
  unsigned first = t / 32 * 32;
  int64_t lane = t % 32, size = std::min(32u, n - first);
  int64_t begin = lane / width * width, source = 0;
  switch (mode) {
  case 0:
    source = lane ^ offset;
    break;
  case 1:
    source = lane + offset;
    break;
  case 2:
    source = lane - offset;
    break;
  default:
    source = begin + offset;
    break;
  }
  bool valid = source >= begin && source < begin + width && source < size;
  uint64_t value = valid ? 1000 + first + source : 1000 + t;
  return value | static_cast<uint64_t>(valid) << 32;
}

TEST_F(CudaEmulatorTest, ShuffleModesWidthsAndPartialWarps) {
  // 40 threads: warp 1 has 8 lanes.
  unsigned n = 40;
  CUdeviceptr out = allocate<uint64_t>(4 * n);
  auto run = [&](int32_t offset, int32_t width) {
    EXPECT_EQ(launch("shuffle_modes", {1, 1, 1}, {n, 1, 1}, 0,
                     {&out, &offset, &width}),
              CUDA_SUCCESS);
    return download<uint64_t>(out, 4 * n);
  };
  auto valid = [](uint32_t value) {
    return value | static_cast<uint64_t>(1) << 32;
  };
  enum { Xor, Down, Up, Idx };

  // Worked by hand: segments of 8 lanes, offset 3.
  std::vector<uint64_t> r = run(3, 8);
  EXPECT_EQ(r[4 * 5 + Down], 1005u);        // lane 8 is in the next segment
  EXPECT_EQ(r[4 * 9 + Up], 1009u);          // lane 6 is in the previous one
  EXPECT_EQ(r[4 * 12 + Xor], valid(1015));  // 12 ^ 3
  EXPECT_EQ(r[4 * 13 + Idx], valid(1011));  // segment 8-15, lane 3 of it
  EXPECT_EQ(r[4 * 34 + Down], valid(1037)); // warp 1, lane 2 + 3
  EXPECT_EQ(r[4 * 37 + Down], 1037u);       // lane 8 is past the segment
  r = run(3, 32);
  EXPECT_EQ(r[4 * 38 + Down], 1038u); // no lane 9 in warp 1
  EXPECT_EQ(r[4 * 29 + Down], 1029u); // lane 32 is past the warp
  EXPECT_EQ(r[4 * 29 + Up], valid(1026));

  struct Case {
    int32_t offset, width;
  } cases[] = {{3, 8}, {1, 32},  {5, 16},  {0, 1},
               {7, 4}, {31, 32}, {40, 32}, {2, 3}};
  for (const Case &c : cases) {
    r = run(c.offset, c.width);
    for (unsigned t = 0; t < n; ++t)
      for (int32_t mode = 0; mode < 4; ++mode)
        ASSERT_EQ(r[4 * t + mode],
                  expectedShuffle(t, n, c.offset, c.width, mode))
            << "offset " << c.offset << " width " << c.width << " mode " << mode
            << " thread " << t;
  }
}

TEST_F(CudaEmulatorTest, ManySyncPoints) {
  unsigned blocks = 64, n = 128;
  int32_t rounds = 50;
  CUdeviceptr out = allocate<uint32_t>(blocks * n);
  ASSERT_EQ(launch("sync_loop", {blocks, 1, 1}, {n, 1, 1}, 0, {&out, &rounds}),
            CUDA_SUCCESS);
  std::vector<uint32_t> totals = download<uint32_t>(out, blocks * n);
  EXPECT_EQ(std::count(totals.begin(), totals.end(), 32u * rounds), blocks * n);
}

/// Checks what warp_exchange wrote for `blocks` blocks of `n` threads
/// whose last round was `last`: every lane's three words, exchanged(t, r,
/// k) of EmulatorKernels.c, zeros for missing lanes, and no round wrong.
static void checkExchanged(const std::vector<uint32_t> &out, unsigned blocks,
                           unsigned n, int32_t last) {
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned t = 0; t < n; ++t) {
      const uint32_t *all = &out[97 * (b * n + t)];
      unsigned first = t / 32 * 32;
      for (unsigned l = 0; l < 32; ++l) {
        for (unsigned k = 0; k < 3; ++k) {
          uint32_t expected =
              first + l < n ? 1000000 * k + 1000 * last + first + l + 1 : 0;
          ASSERT_EQ(all[3 * l + k], expected)
              << "block " << b << " thread " << t << " lane " << l << " word "
              << k;
        }
      }
      ASSERT_EQ(all[96], 0u) << "rounds wrong, block " << b << " thread " << t;
    }
  }
}

TEST_F(CudaEmulatorTest, WarpExchangeGivesEveryLaneItsWarp) {
  unsigned blocks = 2, n = 64;
  int32_t rounds = 1;
  CUdeviceptr out = allocate<uint32_t>(97 * blocks * n);
  ASSERT_EQ(
      launch("warp_exchange", {blocks, 1, 1}, {n, 1, 1}, 0, {&out, &rounds}),
      CUDA_SUCCESS);
  checkExchanged(download<uint32_t>(out, 97 * blocks * n), blocks, n, 0);
}

TEST_F(CudaEmulatorTest, WarpExchangeWithAPartialWarp) {
  // A block of 64 first fills every slot of warp 1, of which a block of 48
  // then has lanes 0-15 only: the others must read zeros, not those values.
  unsigned blocks = 2, n = 48;
  int32_t rounds = 1;
  CUdeviceptr full = allocate<uint32_t>(97 * 64);
  ASSERT_EQ(launch("warp_exchange", {1, 1, 1}, {64, 1, 1}, 0, {&full, &rounds}),
            CUDA_SUCCESS);
  CUdeviceptr out = allocate<uint32_t>(97 * blocks * n);
  ASSERT_EQ(
      launch("warp_exchange", {blocks, 1, 1}, {n, 1, 1}, 0, {&out, &rounds}),
      CUDA_SUCCESS);
  checkExchanged(download<uint32_t>(out, 97 * blocks * n), blocks, n, 0);
}

TEST_F(CudaEmulatorTest, ManyWarpExchangesInARow) {
  // The last lane to arrive goes on to the next exchange before the others
  // have read this one: a single set of slots would mix rounds.
  int32_t rounds = 300;
  for (unsigned n : {96u, 40u}) {
    SCOPED_TRACE("block of " + std::to_string(n));
    unsigned blocks = 3;
    CUdeviceptr out = allocate<uint32_t>(97 * blocks * n);
    ASSERT_EQ(
        launch("warp_exchange", {blocks, 1, 1}, {n, 1, 1}, 0, {&out, &rounds}),
        CUDA_SUCCESS);
    checkExchanged(download<uint32_t>(out, 97 * blocks * n), blocks, n,
                   rounds - 1);
  }
}

TEST_F(CudaEmulatorTest, DivergentWarpExchangesFailTheLaunch) {
  EXPECT_THAT(launchFailure("exchange_after_return", {1, 1, 1}, {64, 1, 1}),
              HasSubstr("block (0,0,0): exchange in warp 0 (threads 0-31) "
                        "reached by 16 of 32 threads; the others returned\n"));
  resetContext();
  EXPECT_THAT(launchFailure("mixed_exchange", {1, 1, 1}, {64, 1, 1}),
              HasSubstr("block (0,0,0): threads of warp 0 (threads 0-31) wait "
                        "at different sync points: 16 at a shuffle, 16 at an "
                        "exchange\n"));
  resetContext();
  int32_t even = 12, odd = 16;
  EXPECT_THAT(
      launchFailure("bad_exchange", {1, 1, 1}, {32, 1, 1}, {&even, &odd}),
      HasSubstr("block (0,0,0): warp_exchange of 16 bytes in warp 0, whose "
                "other lanes exchange 12 (thread (1,0,0))\n"));
}

TEST_F(CudaEmulatorTest, AsyncCopiesHappenAtTheWait) {
  // Two blocks: the second starts with empty queues and fresh shared
  // memory too.
  unsigned blocks = 2, n = 32;
  struct Case {
    int32_t bytes, srcBytes;
  } cases[] = {{4, 4}, {8, 3}, {8, 8}, {16, 0}, {16, 9}, {16, 16}};
  for (const Case &c : cases) {
    SCOPED_TRACE("bytes " + std::to_string(c.bytes) + " srcBytes " +
                 std::to_string(c.srcBytes));
    size_t chunk = c.bytes, inBytes = blocks * 2 * n * chunk;
    std::vector<uint8_t> data = distinctBytes(inBytes);
    CUdeviceptr in = allocate<uint8_t>(inBytes);
    CUdeviceptr out = allocate<uint8_t>(2 * inBytes);
    ASSERT_EQ(api.cuMemcpyHtoD(in, data.data(), inBytes), CUDA_SUCCESS);
    int32_t bytes = c.bytes, srcBytes = c.srcBytes;
    ASSERT_EQ(launch("async_copy", {blocks, 1, 1}, {n, 1, 1}, 2 * n * chunk,
                     {&in, &out, &bytes, &srcBytes}),
              CUDA_SUCCESS);
    std::vector<uint8_t> seen = download<uint8_t>(out, 2 * inBytes);
    for (unsigned b = 0; b < blocks; ++b) {
      for (unsigned k = 0; k < 2 * n; ++k) {
        const uint8_t *before = &seen[(b * 4 * n + k) * chunk];
        const uint8_t *after = before + 2 * n * chunk;
        const uint8_t *source = &data[(b * 2 * n + k) * chunk];
        for (size_t i = 0; i < chunk; ++i) {
          ASSERT_EQ(before[i], 0xFF) << "block " << b << " chunk " << k;
          ASSERT_EQ(after[i],
                    i < static_cast<size_t>(c.srcBytes) ? source[i] : 0)
              << "block " << b << " chunk " << k << " byte " << i;
        }
      }
    }
  }
}

TEST_F(CudaEmulatorTest, AsyncWaitLeavesTheNewestGroupsPending) {
  unsigned n = 64;
  std::vector<uint8_t> data = distinctBytes(3 * n * 16);
  CUdeviceptr in = allocate<uint8_t>(data.size());
  CUdeviceptr out = allocate<uint8_t>(7 * n * 16);
  ASSERT_EQ(api.cuMemcpyHtoD(in, data.data(), data.size()), CUDA_SUCCESS);
  ASSERT_EQ(launch("async_double_buffer", {1, 1, 1}, {n, 1, 1}, 2 * n * 16,
                   {&in, &out}),
            CUDA_SUCCESS);
  std::vector<uint8_t> seen = download<uint8_t>(out, 7 * n * 16);
  // Chunk t of tile i, or -1 for the 0xFF of shared memory not written.
  auto tile = [&](int i, unsigned t) {
    std::vector<int> bytes(16, 0xFF);
    if (i >= 0)
      std::copy_n(&data[(i * n + t) * 16], 16, bytes.begin());
    return bytes;
  };
  for (unsigned t = 0; t < n; ++t) {
    unsigned next = (t + 1) % n;
    // What the seven chunks of async_double_buffer hold.
    std::vector<int> expected[7] = {tile(0, t),     tile(-1, t), tile(0, next),
                                    tile(-1, next), tile(1, t),  tile(0, t),
                                    tile(2, t)};
    for (int k = 0; k < 7; ++k) {
      std::vector<int> got(&seen[(7 * t + k) * 16],
                           &seen[(7 * t + k + 1) * 16]);
      ASSERT_EQ(got, expected[k]) << "thread " << t << " chunk " << k;
    }
  }
}

TEST_F(CudaEmulatorTest, AsyncCopiesLeftAtReturnArePerformed) {
  std::vector<uint8_t> data = distinctBytes(32);
  CUdeviceptr in = allocate<uint8_t>(32), out = allocate<uint8_t>(96);
  ASSERT_EQ(api.cuMemcpyHtoD(in, data.data(), 32), CUDA_SUCCESS);
  ASSERT_EQ(launch("async_at_return", {1, 1, 1}, {2, 1, 1}, 32, {&in, &out}),
            CUDA_SUCCESS);
  std::vector<uint8_t> seen = download<uint8_t>(out, 96);
  std::vector<uint8_t> expected(96, 0xFF);
  // wait(0) performs the committed group only; returning performs the rest.
  std::copy_n(data.begin(), 16, expected.begin() + 32);
  std::copy_n(data.begin(), 32, expected.begin() + 64);
  EXPECT_EQ(seen, expected);
}

TEST_F(CudaEmulatorTest, AsyncCopiesThroughManyRounds) {
  unsigned blocks = 3, n = 64;
  int32_t tiles = 100;
  std::vector<uint8_t> data = distinctBytes(tiles * n * 16);
  CUdeviceptr in = allocate<uint8_t>(data.size());
  CUdeviceptr out = allocate<uint32_t>(blocks * n);
  ASSERT_EQ(api.cuMemcpyHtoD(in, data.data(), data.size()), CUDA_SUCCESS);
  ASSERT_EQ(launch("async_pipeline", {blocks, 1, 1}, {n, 1, 1}, 2 * n * 16,
                   {&in, &out, &tiles}),
            CUDA_SUCCESS);
  std::vector<uint32_t> wrong = download<uint32_t>(out, blocks * n);
  EXPECT_EQ(std::count(wrong.begin(), wrong.end(), 0u), blocks * n);
}

TEST_F(CudaEmulatorTest, AsyncCopiesOutsideALaunchDoNothing) {
  auto copy =
      reinterpret_cast<void (*)(void *, const void *, int32_t, int32_t)>(
          ::dlsym(library, "__sdpa_emu_async_copy"));
  auto commit =
      reinterpret_cast<void (*)()>(::dlsym(library, "__sdpa_emu_async_commit"));
  auto wait = reinterpret_cast<void (*)(int32_t)>(
      ::dlsym(library, "__sdpa_emu_async_wait"));
  ASSERT_TRUE(copy && commit && wait);
  alignas(16) uint8_t from[16] = {1, 2, 3}, to[16] = {};
  copy(to, from, 16, 16);
  commit();
  wait(0);
  wait(-1);
  EXPECT_EQ(std::count(to, to + 16, 0), 16);
}

TEST_F(CudaEmulatorTest, BadAsyncCopiesFailTheLaunch) {
  struct Case {
    int32_t bytes, srcBytes, dstOffset, srcOffset, pending;
    const char *message;
  } cases[] = {
      {2, 2, 0, 0, 0, "async_copy of 2 bytes; expected 4, 8 or 16"},
      {32, 32, 0, 0, 0, "async_copy of 32 bytes; expected 4, 8 or 16"},
      {16, 17, 0, 0, 0,
       "async_copy of 16 bytes, 17 of them from the source; expected 0 to 16"},
      {8, -1, 0, 0, 0,
       "async_copy of 8 bytes, -1 of them from the source; expected 0 to 8"},
      {16, 16, 256, 0, 0,
       "async_copy of 16 bytes to shared memory offset 256, outside the "
       "block's 256 bytes"},
      {16, 16, 248, 0, 0,
       "async_copy of 16 bytes to shared memory offset 248, outside the "
       "block's 256 bytes"},
      {4, 4, -16, 0, 0,
       "async_copy of 4 bytes to shared memory offset -16, outside the "
       "block's 256 bytes"},
      {16, 16, 8, 0, 0,
       "async_copy of 16 bytes to shared memory offset 8, not aligned to 16"},
      {4, 4, 0, 0, -1, "async_wait with -1 groups pending; expected 0 or more"},
  };
  for (const Case &c : cases) {
    int32_t bytes = c.bytes, srcBytes = c.srcBytes, dstOffset = c.dstOffset,
            srcOffset = c.srcOffset, pending = c.pending;
    std::string said = launchFailure(
        "bad_async", {1, 1, 1}, {32, 1, 1},
        {&bytes, &srcBytes, &dstOffset, &srcOffset, &pending}, 256);
    EXPECT_THAT(said, HasSubstr(std::string("sdpa CUDA emulator: kernel "
                                            "bad_async, block (0,0,0): ") +
                                c.message));
    EXPECT_THAT(said, HasSubstr("(thread (0,0,0))"));
    resetContext();
  }
  // The source address is named.
  int32_t bytes = 8, srcBytes = 8, dstOffset = 0, srcOffset = 4, pending = 0;
  EXPECT_THAT(
      launchFailure("bad_async", {1, 1, 1}, {32, 1, 1},
                    {&bytes, &srcBytes, &dstOffset, &srcOffset, &pending}, 256),
      ::testing::ContainsRegex("async_copy of 8 bytes from 0x[0-9a-f]+, "
                               "not aligned to 8"));
  resetContext();
  // A launch without shared memory has none to copy to.
  bytes = 4;
  srcBytes = 4;
  srcOffset = 0;
  EXPECT_THAT(
      launchFailure("bad_async", {1, 1, 1}, {32, 1, 1},
                    {&bytes, &srcBytes, &dstOffset, &srcOffset, &pending}),
      HasSubstr("async_copy of 4 bytes to shared memory offset 0, "
                "outside the block's 0 bytes"));
}

TEST_F(CudaEmulatorTest, DivergentBarrierFailsTheLaunchForGood) {
  std::string said = launchFailure("divergent_barrier", {2, 2, 1}, {128, 1, 1});
  EXPECT_EQ(said,
            "sdpa CUDA emulator: kernel divergent_barrier, block (1,1,0): "
            "barrier reached by 64 of 128 threads; the others returned\n");
  EXPECT_EQ(errorName(CUDA_ERROR_LAUNCH_FAILED), "CUDA_ERROR_LAUNCH_FAILED");

  // As on a GPU, the error sticks to the context.
  EXPECT_EQ(api.cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED);
  CUdeviceptr pointer = 0;
  EXPECT_EQ(api.cuMemAlloc(&pointer, 16), CUDA_ERROR_LAUNCH_FAILED);
  int32_t bytes = 0;
  EXPECT_EQ(launch("shared_fill", {1, 1, 1}, {1, 1, 1}, 0, {&pointer, &bytes}),
            CUDA_ERROR_LAUNCH_FAILED);
  resetContext();
  EXPECT_EQ(api.cuCtxSynchronize(), CUDA_SUCCESS);
  EXPECT_EQ(launch("shared_fill", {1, 1, 1}, {1, 1, 1}, 0, {&pointer, &bytes}),
            CUDA_SUCCESS);
}

TEST_F(CudaEmulatorTest, LanesAtDifferentSyncPointsFailTheLaunch) {
  EXPECT_THAT(launchFailure("mixed_sync", {1, 1, 1}, {64, 1, 1}),
              HasSubstr("block (0,0,0): threads of warp 0 (threads 0-31) wait "
                        "at different sync points: 16 at a shuffle, 16 at a "
                        "barrier\n"));
  resetContext();
  EXPECT_THAT(launchFailure("shuffle_after_return", {1, 1, 1}, {64, 1, 1}),
              HasSubstr("block (0,0,0): shuffle in warp 0 (threads 0-31) "
                        "reached by 16 of 32 threads; the others returned\n"));
}

TEST_F(CudaEmulatorTest, BadKernelAbiArgumentsFailTheLaunch) {
  struct Case {
    const char *kernel;
    int32_t a, b;
    const char *message;
  } cases[] = {
      {"bad_shuffle", 0, 0, "gpu.shuffle of width 0; expected 1 to 32"},
      {"bad_shuffle", 33, 0, "gpu.shuffle of width 33; expected 1 to 32"},
      {"bad_shuffle", 32, 4, "gpu.shuffle of mode 4; expected 0 (xor)"},
      {"bad_exchange", 0, 0, "warp_exchange of 0 bytes; expected 1 to 256"},
      {"bad_exchange", 257, 257,
       "warp_exchange of 257 bytes; expected 1 to 256"},
      {"bad_exchange", -4, 4, "warp_exchange of -4 bytes; expected 1 to 256"},
      {"bad_dim", 3, 0, "gpu.thread_id of dimension 3; expected 0, 1 or 2"},
  };
  for (const Case &c : cases) {
    int32_t a = c.a, b = c.b;
    std::string said = launchFailure(c.kernel, {1, 1, 1}, {32, 1, 1}, {&a, &b});
    EXPECT_THAT(said, HasSubstr(std::string("sdpa CUDA emulator: kernel ") +
                                c.kernel + ", block (0,0,0): " + c.message));
    EXPECT_THAT(said, HasSubstr("(thread (0,0,0))"));
    resetContext();
  }
}

TEST_F(CudaEmulatorTest, LaunchesAGpuWouldRefuse) {
  CUdeviceptr none = 0;
  int32_t bytes = 0;
  std::vector<void *> params = {&none, &bytes};
  auto refused = [&](Dims grid, Dims block, unsigned shared) {
    ::testing::internal::CaptureStderr();
    CUresult result = launch("shared_fill", grid, block, shared, params);
    std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(said, HasSubstr("sdpa CUDA emulator: kernel shared_fill: "));
    return result;
  };
  EXPECT_EQ(refused({1, 1, 1}, {1025, 1, 1}, 0), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(refused({1, 1, 1}, {32, 16, 4}, 0), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(refused({1, 1, 1}, {1, 1, 65}, 0), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(refused({0, 1, 1}, {32, 1, 1}, 0), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(refused({1, 1, 1}, {32, 0, 1}, 0), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(refused({1, 65536, 1}, {32, 1, 1}, 0), CUDA_ERROR_INVALID_VALUE);
  // Above 48 KiB of dynamic shared memory only after opting in, and never
  // more than the library has (80 KiB).
  EXPECT_EQ(refused({1, 1, 1}, {32, 1, 1}, 48 * 1024 + 1),
            CUDA_ERROR_INVALID_VALUE);
  Handle f = function("shared_fill");
  ASSERT_EQ(api.cuFuncSetAttribute(
                f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 96 * 1024),
            CUDA_SUCCESS);
  EXPECT_EQ(launch("shared_fill", {1, 1, 1}, {32, 1, 1}, 80 * 1024, params),
            CUDA_SUCCESS);
  EXPECT_EQ(refused({1, 1, 1}, {32, 1, 1}, 80 * 1024 + 1),
            CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(api.cuFuncSetAttribute(f, 1, 0), CUDA_ERROR_INVALID_VALUE);

  void *extra[] = {nullptr};
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(
      api.cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, nullptr, params.data(), extra),
      CUDA_ERROR_INVALID_VALUE);
  ::testing::internal::GetCapturedStderr();
  // Refusals are not launch failures: the context is fine.
  EXPECT_EQ(api.cuCtxSynchronize(), CUDA_SUCCESS);
  EXPECT_EQ(launch("shared_fill", {1024, 1, 1}, {1024, 1, 1}, 0, params),
            CUDA_SUCCESS);
}

TEST_F(CudaEmulatorTest, ModuleErrors) {
  // Not ELF, with and without a JIT log.
  Handle other = nullptr;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(api.cuModuleLoadData(&other, "// PTX\n.version 8.0\n"),
            CUDA_ERROR_INVALID_IMAGE);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("sdpa CUDA emulator: cannot load module: not an sdpa "
                        "emulation kernel library"));
  char log[256] = "stale";
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log) - 1)};
  EXPECT_EQ(api.cuModuleLoadDataEx(&other, "", 2, options, values),
            CUDA_ERROR_INVALID_IMAGE);
  EXPECT_STREQ(log, "not an sdpa emulation kernel library (compile with "
                    "sdpa-compile --emulate)");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(values[1]), std::strlen(log));

  // A cubin is ELF too.
  Elf64_Ehdr cubin = {};
  std::memcpy(cubin.e_ident, ELFMAG, SELFMAG);
  cubin.e_ident[EI_CLASS] = ELFCLASS64;
  cubin.e_type = ET_EXEC;
  cubin.e_machine = EM_CUDA;
  values[1] = reinterpret_cast<void *>(sizeof(log) - 1);
  EXPECT_EQ(api.cuModuleLoadDataEx(&other, &cubin, 2, options, values),
            CUDA_ERROR_INVALID_IMAGE);
  EXPECT_THAT(log, HasSubstr("a CUDA cubin"));

  // A shared object dlopen refuses: no program headers.
  std::string broken = image;
  Elf64_Ehdr header;
  std::memcpy(&header, broken.data(), sizeof(header));
  std::fill_n(&broken[header.e_phoff], header.e_phnum * header.e_phentsize,
              '\0');
  values[1] = reinterpret_cast<void *>(sizeof(log) - 1);
  EXPECT_EQ(api.cuModuleLoadDataEx(&other, broken.data(), 2, options, values),
            CUDA_ERROR_INVALID_IMAGE);
  EXPECT_THAT(log, HasSubstr("/proc/self/fd/"));

  // Kernels are looked up by name, the same handle each time.
  Handle f = nullptr;
  EXPECT_EQ(api.cuModuleGetFunction(&f, module, "no_such_kernel"),
            CUDA_ERROR_NOT_FOUND);
  Handle ids = function("ids");
  EXPECT_EQ(function("ids"), ids);

  // A second load is a module of its own; unloading ends its handles.
  ASSERT_EQ(api.cuModuleLoadDataEx(&other, image.data(), 2, options, values),
            CUDA_SUCCESS);
  Handle otherIds = nullptr;
  ASSERT_EQ(api.cuModuleGetFunction(&otherIds, other, "ids"), CUDA_SUCCESS);
  EXPECT_NE(otherIds, ids);
  CUdeviceptr out = allocate<int64_t>(4);
  void *params[] = {&out};
  EXPECT_EQ(api.cuLaunchKernel(otherIds, 1, 1, 1, 1, 1, 1, 0, nullptr, params,
                               nullptr),
            CUDA_SUCCESS);
  EXPECT_EQ(api.cuModuleUnload(other), CUDA_SUCCESS);
  EXPECT_EQ(api.cuLaunchKernel(otherIds, 1, 1, 1, 1, 1, 1, 0, nullptr, params,
                               nullptr),
            CUDA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(api.cuModuleUnload(other), CUDA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(
      api.cuLaunchKernel(ids, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr),
      CUDA_SUCCESS);
}

TEST_F(CudaEmulatorTest, ModulesLoadAgainAfterUnloading) {
  // The library is loaded through /proc/self/fd/<n>, and <n> is reused.
  for (int i = 0; i < 4; ++i) {
    Handle again = nullptr;
    ASSERT_EQ(api.cuModuleLoadData(&again, image.data()), CUDA_SUCCESS);
    Handle f = nullptr;
    ASSERT_EQ(api.cuModuleGetFunction(&f, again, "neighbours"), CUDA_SUCCESS);
    CUdeviceptr out = allocate<int32_t>(64);
    void *params[] = {&out};
    ASSERT_EQ(
        api.cuLaunchKernel(f, 1, 1, 1, 64, 1, 1, 256, nullptr, params, nullptr),
        CUDA_SUCCESS);
    EXPECT_EQ(download<int32_t>(out, 64)[63], 1);
    ASSERT_EQ(api.cuModuleUnload(again), CUDA_SUCCESS);
  }
}

TEST_F(CudaEmulatorTest, MemoryEndsAtAGuardPage) {
  CUdeviceptr pointer = allocate<char>(1000);
  EXPECT_EQ(pointer % 256, 0u);
  // Fresh memory reads as NaN.
  std::vector<uint8_t> fresh = download<uint8_t>(pointer, 1000);
  EXPECT_EQ(std::count(fresh.begin(), fresh.end(), 0xFF), 1000);
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 7);
  ASSERT_EQ(api.cuMemcpyHtoD(pointer, data.data(), 1000), CUDA_SUCCESS);
  EXPECT_EQ(download<uint8_t>(pointer, 1000), data);
  // Copies must stay inside the allocation.
  EXPECT_EQ(api.cuMemcpyHtoD(pointer + 1, data.data(), 1000),
            CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(api.cuMemcpyDtoH(data.data(), pointer - 1, 10),
            CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(api.cuMemFree(pointer + 16), CUDA_ERROR_INVALID_VALUE);
  CUdeviceptr empty = 0;
  EXPECT_EQ(api.cuMemAlloc(&empty, 0), CUDA_ERROR_INVALID_VALUE);

  // The alignment slack (24 bytes here) reads; the next byte faults.
  volatile const char *bytes = reinterpret_cast<const char *>(pointer);
  EXPECT_EQ(bytes[1023], bytes[1023]);
  // Other libraries of the test (OpenBLAS) start threads, which fork alone
  // does not copy.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH((void)bytes[1024], "");
}

TEST_F(CudaEmulatorTest, KernelsReadingPastABufferFault) {
  // 1024 floats fill a page; reading one more faults, as on a GPU.
  CUdeviceptr in = allocate<float>(1024), out = allocate<float>(2048);
  int64_t count = 1024;
  ASSERT_EQ(launch("copy", {2, 1, 1}, {128, 1, 1}, 0, {&in, &out, &count}),
            CUDA_SUCCESS);
  // Thread 0 reads element 1024 on its fifth pass of the grid-stride loop.
  count = 1025;
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(launch("copy", {2, 1, 1}, {128, 1, 1}, 0, {&in, &out, &count}),
               "sdpa CUDA emulator: kernel copy, block \\(0,0,0\\), thread "
               "\\(0,0,0\\): invalid memory access at 0x");
}

TEST_F(CudaEmulatorTest, StackOverflowsFault) {
  int32_t depth = 64;
  ASSERT_EQ(launch("deep_recursion", {1, 1, 1}, {2, 1, 1}, 0, {&depth}),
            CUDA_SUCCESS);
  depth = 1024;
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(launch("deep_recursion", {1, 1, 1}, {2, 1, 1}, 0, {&depth}),
               "kernel deep_recursion, block \\(0,0,0\\), thread "
               "\\(0,0,0\\): invalid memory access at 0x[0-9a-f]+ \\(stack "
               "overflow");
}

TEST_F(CudaEmulatorTest, EventsTimeLaunches) {
  Handle start = nullptr, stop = nullptr, unrecorded = nullptr;
  ASSERT_EQ(api.cuEventCreate(&start, 0), CUDA_SUCCESS);
  ASSERT_EQ(api.cuEventCreate(&stop, 0), CUDA_SUCCESS);
  ASSERT_EQ(api.cuEventCreate(&unrecorded, 0), CUDA_SUCCESS);
  unsigned blocks = 16, n = 128;
  int32_t rounds = 20;
  CUdeviceptr out = allocate<uint32_t>(blocks * n);
  ASSERT_EQ(api.cuEventRecord(start, nullptr), CUDA_SUCCESS);
  ASSERT_EQ(launch("sync_loop", {blocks, 1, 1}, {n, 1, 1}, 0, {&out, &rounds}),
            CUDA_SUCCESS);
  ASSERT_EQ(api.cuEventRecord(stop, nullptr), CUDA_SUCCESS);
  ASSERT_EQ(api.cuEventSynchronize(stop), CUDA_SUCCESS);
  float milliseconds = -1;
  ASSERT_EQ(api.cuEventElapsedTime(&milliseconds, start, stop), CUDA_SUCCESS);
  EXPECT_GT(milliseconds, 0.0f);
  EXPECT_EQ(api.cuEventElapsedTime(&milliseconds, start, unrecorded),
            CUDA_ERROR_INVALID_HANDLE);
  for (Handle event : {start, stop, unrecorded})
    EXPECT_EQ(api.cuEventDestroy(event), CUDA_SUCCESS);
  EXPECT_EQ(api.cuEventDestroy(start), CUDA_ERROR_INVALID_HANDLE);
}

TEST_F(CudaEmulatorTest, LaunchesFromSeveralThreads) {
  Dims block = {64, 1, 1};
  auto work = [&](CUdeviceptr out, bool &ok) {
    ok = api.cuCtxSetCurrent(context) == CUDA_SUCCESS;
    void *params[] = {&out};
    for (int i = 0; i < 20 && ok; ++i)
      ok = api.cuLaunchKernel(function("neighbours"), 2, 1, 1, block.x, 1, 1,
                              256, nullptr, params, nullptr) == CUDA_SUCCESS;
  };
  CUdeviceptr a = allocate<int32_t>(128), b = allocate<int32_t>(128);
  bool okA = false, okB = false;
  std::thread first(work, a, std::ref(okA)), second(work, b, std::ref(okB));
  first.join();
  second.join();
  EXPECT_TRUE(okA && okB);
  for (CUdeviceptr out : {a, b}) {
    std::vector<int32_t> values = download<int32_t>(out, 128);
    for (unsigned t = 0; t < 128; ++t)
      ASSERT_EQ(values[t],
                static_cast<int32_t>(1000 * (t / 64) + (t + 2) % 64));
  }
}

// The launcher, told to use the emulator, finds every entry point it needs
// and runs an emulated artifact through them.
TEST_F(CudaEmulatorTest, RunsAnArtifactThroughTheLauncher) {
  const char *saved = std::getenv("SDPA_CUDA_DRIVER");
  std::string savedValue = saved ? saved : "";
  ::setenv("SDPA_CUDA_DRIVER", SDPA_CUDA_EMULATOR, 1);
  std::string error;
  EXPECT_NE(sdpa::rt::CudaDriver::get(error), nullptr) << error;

  std::string dir = (fs::temp_directory_path() /
                     ("sdpa-emulator-" + std::to_string(::getpid())))
                        .string();
  fs::create_directories(dir);
  std::ofstream(dir + "/manifest.txt")
      << "sdpa-artifact 2\n"
         "target nvptx\n"
         "entry copy\n"
         "library kernels.emu.so\n"
         "chip sm_80\n"
         "emulated\n"
         "input f32 4x6 contiguous\n"
         "input i64 scalar contiguous\n"
         "output f32 4x6 contiguous\n"
         "buffer f32 4x6\n"
         "launch copy grid 2x1x1 block 8x1x1 smem 0 args in0 buf0 val1\n"
         "launch copy grid 1x1x1 block 32x1x1 smem 0 args buf0 out0 val1\n";
  fs::copy_file(SDPA_EMULATOR_TEST_KERNELS, dir + "/kernels.emu.so");

  auto artifact = sdpa::rt::CudaArtifact::load(dir, error);
  ASSERT_NE(artifact, nullptr) << error;
  EXPECT_EQ(artifact->deviceDescription(), "sdpa CPU emulator, sm_80");
  std::vector<float> in(24), out(24, -1.0f);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = 0.5f * static_cast<float>(i) - 3.0f;
  int64_t count = 24;
  std::vector<sdpa::rt::TensorRef> inputs = {
      {sdpa::npy::DType::F32, {4, 6}, {}, in.data()},
      {sdpa::npy::DType::I64, {}, {}, &count}};
  std::vector<sdpa::rt::TensorRef> outputs = {
      {sdpa::npy::DType::F32, {4, 6}, {}, out.data()}};
  ASSERT_TRUE(artifact->run(inputs, outputs, error)) << error;
  EXPECT_EQ(out, in);
  std::vector<double> times;
  ASSERT_TRUE(artifact->time(inputs, outputs, 3, times, error)) << error;
  EXPECT_EQ(times.size(), 3u);
  artifact.reset();

  std::error_code ignored;
  fs::remove_all(dir, ignored);
  if (saved)
    ::setenv("SDPA_CUDA_DRIVER", savedValue.c_str(), 1);
  else
    ::unsetenv("SDPA_CUDA_DRIVER");
}
