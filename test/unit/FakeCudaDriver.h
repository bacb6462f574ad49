/*===- FakeCudaDriver.h - what the fake CUDA driver records -----*- C -*-===//
//
// The fake driver (FakeCudaDriver.c) is loaded by the launcher through
// SDPA_CUDA_DRIVER; tests reach what it recorded through dlsym of the
// functions below on the same library.
//
//===----------------------------------------------------------------------===*/

#ifndef SDPA_TEST_UNIT_FAKECUDADRIVER_H
#define SDPA_TEST_UNIT_FAKECUDADRIVER_H

#define SDPA_FAKE_CUDA_MAX_PARAMS 16

/* One cuLaunchKernel call. */
typedef struct {
  char kernel[64];
  unsigned grid[3];
  unsigned block[3];
  unsigned sharedBytes;
  /* The kernel's CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES then. */
  int maxDynamicShared;
  int numParams;
  /* Each parameter's value as the kernel saw it (its PTX size, zero
     extended): device pointers and scalars. */
  unsigned long long params[SDPA_FAKE_CUDA_MAX_PARAMS];
} SdpaFakeLaunch;

typedef struct {
  /* Launches since the last reset; the first 64 are recorded. */
  int launches;
  /* Resources held now: leaks show up here. */
  int liveAllocations;
  int liveModules;
  int liveEvents;
  int contextRefs;
  /* How the last module was loaded: 1 by cuModuleLoadDataEx, 0 by
     cuModuleLoadData; and the first line of its image. */
  int loadedWithEx;
  char moduleHead[64];
} SdpaFakeCudaState;

#ifdef __cplusplus
extern "C" {
#endif
typedef void (*SdpaFakeCudaResetFn)(void);
typedef const SdpaFakeCudaState *(*SdpaFakeCudaStateFn)(void);
typedef const SdpaFakeLaunch *(*SdpaFakeCudaLaunchFn)(int index);
#ifdef __cplusplus
}
#endif

#endif /* SDPA_TEST_UNIT_FAKECUDADRIVER_H */
