/*===- FakeCudaDriver.c - a stand-in for libcuda on host memory -----------===//
//
// Implements the driver entry points the launcher resolves (see
// runtime/cuda/CudaDriver.h) well enough to test it on machines without a
// GPU: device memory is malloc'ed host memory, a module is its image's text,
// a kernel exists when the text has `.entry <name>(`, and its parameters are
// counted and sized from the `.param` types that follow. Calls check what the
// real driver checks where a launcher bug would show (initialisation, a
// current context, copies within allocations, launch sizes, the dynamic
// shared memory opt-in), and launches are recorded for the tests.
//
// Kernels that do something:
//   fake_copy(src, dst, bytes)  copies bytes from src to dst at launch
//   fake_fault()                makes the next cuCtxSynchronize report
//                               CUDA_ERROR_ILLEGAL_ADDRESS
//
// Environment:
//   SDPA_FAKE_CUDA_FAIL=<symbol>[:<code>]  that entry point returns <code>
//                                          (default 2, out of memory)
//   SDPA_FAKE_CUDA_DEVICES=<n>             device count (default 1)
//   SDPA_FAKE_CUDA_CC=<major><minor>       compute capability (default 90)
//
// A module whose text contains `fake_jit_error` fails to JIT with a log.
//
//===----------------------------------------------------------------------===*/

#include "FakeCudaDriver.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kNotInitialized = 3,
  kNoDevice = 100,
  kInvalidDevice = 101,
  kInvalidContext = 201,
  kInvalidPtx = 218,
  kInvalidHandle = 400,
  kNotFound = 500,
  kIllegalAddress = 700,
};

typedef struct {
  char name[64];
  int numParams;
  int paramSizes[SDPA_FAKE_CUDA_MAX_PARAMS];
  int maxDynamicShared;
} Function;

typedef struct {
  char *text;
  Function functions[16];
  int numFunctions;
} Module;

typedef struct {
  int recorded;
  int launchCount;
} Event;

typedef struct {
  void *pointer;
  size_t bytes;
} Allocation;

static int initialized;
static int contextObject;
static __thread void *currentContext;
static CUresult pendingError;
static SdpaFakeCudaState state;
static SdpaFakeLaunch launches[64];
static Allocation allocations[1024];

void sdpa_fake_cuda_reset(void) {
  state.launches = 0;
  state.loadedWithEx = 0;
  state.moduleHead[0] = '\0';
  pendingError = kSuccess;
}

const SdpaFakeCudaState *sdpa_fake_cuda_state(void) { return &state; }

const SdpaFakeLaunch *sdpa_fake_cuda_launch(int index) {
  if (index < 0 || index >= state.launches || index >= 64)
    return 0;
  return &launches[index];
}

/* The code SDPA_FAKE_CUDA_FAIL asks `name` to fail with, or 0. */
static CUresult failure(const char *name) {
  const char *fail = getenv("SDPA_FAKE_CUDA_FAIL");
  size_t length = strlen(name);
  if (!fail || strncmp(fail, name, length) != 0)
    return kSuccess;
  if (fail[length] == '\0')
    return kOutOfMemory;
  if (fail[length] == ':')
    return atoi(fail + length + 1);
  return kSuccess;
}

static int envInt(const char *name, int fallback) {
  const char *value = getenv(name);
  return value && *value ? atoi(value) : fallback;
}

/* What most calls check first: the named failure, cuInit, a context. */
static CUresult enter(const char *name, int needsContext) {
  CUresult forced = failure(name);
  if (forced)
    return forced;
  if (!initialized)
    return kNotInitialized;
  if (needsContext && (currentContext != &contextObject || !state.contextRefs))
    return kInvalidContext;
  return kSuccess;
}

/* The allocation holding [pointer, pointer + bytes), or null. */
static Allocation *findAllocation(CUdeviceptr pointer, size_t bytes) {
  for (int i = 0; i < 1024; ++i) {
    uintptr_t begin = (uintptr_t)allocations[i].pointer;
    if (begin && pointer >= begin &&
        pointer + bytes <= begin + allocations[i].bytes)
      return &allocations[i];
  }
  return 0;
}

CUresult cuInit(unsigned flags) {
  CUresult forced = failure("cuInit");
  if (forced)
    return forced;
  initialized = 1;
  return kSuccess;
}

CUresult cuDeviceGetCount(int *count) {
  CUresult result = enter("cuDeviceGetCount", 0);
  if (result)
    return result;
  *count = envInt("SDPA_FAKE_CUDA_DEVICES", 1);
  return kSuccess;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  CUresult result = enter("cuDeviceGet", 0);
  if (result)
    return result;
  if (ordinal < 0 || ordinal >= envInt("SDPA_FAKE_CUDA_DEVICES", 1))
    return kInvalidDevice;
  *device = ordinal;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, int device) {
  CUresult result = enter("cuDeviceGetName", 0);
  if (result)
    return result;
  snprintf(name, (size_t)length, "Fake GPU %d", device);
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  CUresult result = enter("cuDeviceGetAttribute", 0);
  if (result)
    return result;
  int cc = envInt("SDPA_FAKE_CUDA_CC", 90);
  if (attribute == 75)
    *value = cc / 10;
  else if (attribute == 76)
    *value = cc % 10;
  else
    return kInvalidValue;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  CUresult result = enter("cuDevicePrimaryCtxRetain", 0);
  if (result)
    return result;
  ++state.contextRefs;
  *context = &contextObject;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  CUresult result = enter("cuDevicePrimaryCtxRelease_v2", 0);
  if (result)
    return result;
  if (state.contextRefs <= 0)
    return kInvalidContext;
  --state.contextRefs;
  return kSuccess;
}

CUresult cuCtxSetCurrent(void *context) {
  CUresult result = enter("cuCtxSetCurrent", 0);
  if (result)
    return result;
  if (context && context != &contextObject)
    return kInvalidContext;
  currentContext = context;
  return kSuccess;
}

CUresult cuCtxSynchronize(void) {
  CUresult result = enter("cuCtxSynchronize", 1);
  if (result)
    return result;
  result = pendingError;
  pendingError = kSuccess;
  return result;
}

static CUresult loadModule(void **module, const void *image, int withEx) {
  const char *text = (const char *)image;
  Module *loaded = (Module *)calloc(1, sizeof(Module));
  loaded->text = strdup(text);
  *module = loaded;
  ++state.liveModules;
  state.loadedWithEx = withEx;
  size_t head = strcspn(text, "\n");
  if (head >= sizeof(state.moduleHead))
    head = sizeof(state.moduleHead) - 1;
  memcpy(state.moduleHead, text, head);
  state.moduleHead[head] = '\0';
  return kSuccess;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  CUresult result = enter("cuModuleLoadData", 1);
  if (result)
    return result;
  return loadModule(module, image, 0);
}

CUresult cuModuleLoadDataEx(void **module, const void *image,
                            unsigned numOptions, int *options, void **values) {
  CUresult result = enter("cuModuleLoadDataEx", 1);
  if (result)
    return result;
  if (!strstr((const char *)image, "fake_jit_error"))
    return loadModule(module, image, 1);
  /* Fill the error log as the JIT compiler would. */
  char *log = 0;
  size_t size = 0;
  for (unsigned i = 0; i < numOptions; ++i) {
    if (options[i] == 5)
      log = (char *)values[i];
    else if (options[i] == 6)
      size = (size_t)(uintptr_t)values[i];
  }
  if (log && size)
    snprintf(log, size, "ptxas fatal   : fake_jit_error in the PTX");
  return kInvalidPtx;
}

CUresult cuModuleUnload(void *module) {
  CUresult result = enter("cuModuleUnload", 1);
  if (result)
    return result;
  Module *loaded = (Module *)module;
  if (!loaded)
    return kInvalidHandle;
  free(loaded->text);
  free(loaded);
  --state.liveModules;
  return kSuccess;
}

/* The bytes of a PTX parameter type such as `.u64` or `.f32`. */
static int paramSize(const char *type) {
  if (strncmp(type, ".pred", 5) == 0)
    return 1;
  int bits = atoi(type + 2);
  return bits >= 8 ? bits / 8 : 0;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  CUresult result = enter("cuModuleGetFunction", 1);
  if (result)
    return result;
  Module *loaded = (Module *)module;
  for (int i = 0; i < loaded->numFunctions; ++i) {
    if (strcmp(loaded->functions[i].name, name) == 0) {
      *function = &loaded->functions[i];
      return kSuccess;
    }
  }
  size_t length = strlen(name);
  const char *entry = loaded->text;
  while ((entry = strstr(entry, ".entry ")) != 0) {
    entry += 7;
    if (strncmp(entry, name, length) != 0)
      continue;
    const char *open = entry + length;
    while (*open == ' ' || *open == '\t' || *open == '\n')
      ++open;
    if (*open == '(')
      break;
  }
  if (!entry || loaded->numFunctions == 16 || length >= 64)
    return kNotFound;

  Function *found = &loaded->functions[loaded->numFunctions++];
  memset(found, 0, sizeof(*found));
  memcpy(found->name, name, length + 1);
  const char *close = strchr(entry, ')');
  const char *param = entry;
  while ((param = strstr(param, ".param")) != 0 && close && param < close &&
         found->numParams < SDPA_FAKE_CUDA_MAX_PARAMS) {
    param += 6;
    while (*param == ' ' || *param == '\t')
      ++param;
    found->paramSizes[found->numParams++] = paramSize(param);
  }
  *function = found;
  return kSuccess;
}

CUresult cuFuncSetAttribute(void *function, int attribute, int value) {
  CUresult result = enter("cuFuncSetAttribute", 1);
  if (result)
    return result;
  /* An H100 allows 227 KiB per block. */
  if (!function || attribute != 8 || value < 0 || value > 227 * 1024)
    return kInvalidValue;
  ((Function *)function)->maxDynamicShared = value;
  return kSuccess;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  CUresult result = enter("cuMemAlloc_v2", 1);
  if (result)
    return result;
  if (bytes == 0)
    return kInvalidValue;
  for (int i = 0; i < 1024; ++i) {
    if (allocations[i].pointer)
      continue;
    allocations[i].pointer = malloc(bytes);
    if (!allocations[i].pointer)
      return kOutOfMemory;
    allocations[i].bytes = bytes;
    *pointer = (CUdeviceptr)(uintptr_t)allocations[i].pointer;
    ++state.liveAllocations;
    return kSuccess;
  }
  return kOutOfMemory;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  CUresult result = enter("cuMemFree_v2", 1);
  if (result)
    return result;
  for (int i = 0; i < 1024; ++i) {
    if ((uintptr_t)allocations[i].pointer == pointer && pointer) {
      free(allocations[i].pointer);
      allocations[i].pointer = 0;
      --state.liveAllocations;
      return kSuccess;
    }
  }
  return kInvalidValue;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void *host, size_t bytes) {
  CUresult result = enter("cuMemcpyHtoD_v2", 1);
  if (result)
    return result;
  if (!findAllocation(device, bytes))
    return kInvalidValue;
  memcpy((void *)(uintptr_t)device, host, bytes);
  return kSuccess;
}

CUresult cuMemcpyDtoH_v2(void *host, CUdeviceptr device, size_t bytes) {
  CUresult result = enter("cuMemcpyDtoH_v2", 1);
  if (result)
    return result;
  if (!findAllocation(device, bytes))
    return kInvalidValue;
  memcpy(host, (const void *)(uintptr_t)device, bytes);
  return kSuccess;
}

CUresult cuLaunchKernel(void *function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, void *stream,
                        void **params, void **extra) {
  CUresult result = enter("cuLaunchKernel", 1);
  if (result)
    return result;
  Function *f = (Function *)function;
  if (!f || !gridX || !gridY || !gridZ || !blockX || !blockY || !blockZ ||
      (unsigned long long)blockX * blockY * blockZ > 1024 || extra ||
      (f->numParams && !params))
    return kInvalidValue;
  if (sharedBytes > 48 * 1024 && sharedBytes > (unsigned)f->maxDynamicShared)
    return kInvalidValue;

  unsigned long long values[SDPA_FAKE_CUDA_MAX_PARAMS] = {0};
  for (int i = 0; i < f->numParams; ++i)
    memcpy(&values[i], params[i], (size_t)f->paramSizes[i]);
  if (state.launches < 64) {
    SdpaFakeLaunch *launch = &launches[state.launches];
    memset(launch, 0, sizeof(*launch));
    memcpy(launch->kernel, f->name, sizeof(launch->kernel));
    launch->grid[0] = gridX;
    launch->grid[1] = gridY;
    launch->grid[2] = gridZ;
    launch->block[0] = blockX;
    launch->block[1] = blockY;
    launch->block[2] = blockZ;
    launch->sharedBytes = sharedBytes;
    launch->maxDynamicShared = f->maxDynamicShared;
    launch->numParams = f->numParams;
    memcpy(launch->params, values, sizeof(values));
  }
  ++state.launches;

  if (strcmp(f->name, "fake_copy") == 0 && f->numParams == 3) {
    /* A faulting access is reported at the next synchronisation. */
    if (values[2] == 0)
      ; /* Empty tensors have no allocation. */
    else if (!findAllocation(values[0], values[2]) ||
             !findAllocation(values[1], values[2]))
      pendingError = kIllegalAddress;
    else
      memcpy((void *)(uintptr_t)values[1], (const void *)(uintptr_t)values[0],
             values[2]);
  } else if (strcmp(f->name, "fake_fault") == 0) {
    pendingError = kIllegalAddress;
  }
  return kSuccess;
}

CUresult cuEventCreate(void **event, unsigned flags) {
  CUresult result = enter("cuEventCreate", 1);
  if (result)
    return result;
  *event = calloc(1, sizeof(Event));
  ++state.liveEvents;
  return kSuccess;
}

CUresult cuEventRecord(void *event, void *stream) {
  CUresult result = enter("cuEventRecord", 1);
  if (result)
    return result;
  ((Event *)event)->recorded = 1;
  ((Event *)event)->launchCount = state.launches;
  return kSuccess;
}

CUresult cuEventSynchronize(void *event) {
  CUresult result = enter("cuEventSynchronize", 1);
  if (result)
    return result;
  return ((Event *)event)->recorded ? kSuccess : kInvalidHandle;
}

/* 0.25 ms per launch between the two records, so tests see what the events
   enclosed. Only the unversioned name, as drivers before CUDA 12.8 have. */
CUresult cuEventElapsedTime(float *milliseconds, void *start, void *end) {
  CUresult result = enter("cuEventElapsedTime", 1);
  if (result)
    return result;
  const Event *first = (const Event *)start;
  const Event *last = (const Event *)end;
  if (!first->recorded || !last->recorded)
    return kInvalidHandle;
  *milliseconds = 0.25f * (float)(last->launchCount - first->launchCount);
  return kSuccess;
}

CUresult cuEventDestroy_v2(void *event) {
  CUresult result = enter("cuEventDestroy_v2", 1);
  if (result)
    return result;
  free(event);
  --state.liveEvents;
  return kSuccess;
}

static const struct {
  CUresult code;
  const char *name;
  const char *text;
} kErrors[] = {
    {kSuccess, "CUDA_SUCCESS", "no error"},
    {kInvalidValue, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {kOutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {kNotInitialized, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {kNoDevice, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {kInvalidDevice, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {kInvalidContext, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {kInvalidPtx, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {kInvalidHandle, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {kNotFound, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {kIllegalAddress, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
};

/* Like the real driver, these work before cuInit and fail for unknown
   codes. */
CUresult cuGetErrorName(CUresult error, const char **name) {
  for (size_t i = 0; i < sizeof(kErrors) / sizeof(kErrors[0]); ++i) {
    if (kErrors[i].code == error) {
      *name = kErrors[i].name;
      return kSuccess;
    }
  }
  *name = 0;
  return kInvalidValue;
}

CUresult cuGetErrorString(CUresult error, const char **text) {
  for (size_t i = 0; i < sizeof(kErrors) / sizeof(kErrors[0]); ++i) {
    if (kErrors[i].code == error) {
      *text = kErrors[i].text;
      return kSuccess;
    }
  }
  *text = 0;
  return kInvalidValue;
}
