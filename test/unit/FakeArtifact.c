/*===- FakeArtifact.c - a hand-written stand-in for a compiled kernel -----===//
//
// Follows the ABI of a compiled CPU artifact (see runtime/cpu/CpuArtifact.h)
// without needing the compiler, so the launcher is tested in runtime-only
// builds: out[i][j] = 2 * in[i][j] + i, with the rows as the grid, run
// through __sdpa_parallel_for. `in` is a rank-2 f32 descriptor read with its
// offset and strides; `out` is rank-2 f32 and contiguous.
//
// Built with SDPA_FAKE_NO_HOOK it lacks __sdpa_parallel_for, which the
// loader must refuse.
//
//===----------------------------------------------------------------------===*/

#include <stdint.h>

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} Descriptor2D;

typedef struct {
  const Descriptor2D *in;
  const Descriptor2D *out;
} Context;

typedef void (*Body)(void *ctx, int64_t begin, int64_t end);
typedef void (*ParallelFor)(Body body, void *ctx, int64_t n);

/* How often the grid body ran, for tests checking that the pool split the
   rows into chunks. */
int64_t sdpa_fake_body_calls = 0;

#ifndef SDPA_FAKE_NO_HOOK
void *__sdpa_parallel_for = 0;
#endif

static void rows(void *opaque, int64_t begin, int64_t end) {
  const Context *ctx = (const Context *)opaque;
  const Descriptor2D *in = ctx->in;
  const Descriptor2D *out = ctx->out;
  __atomic_fetch_add(&sdpa_fake_body_calls, 1, __ATOMIC_RELAXED);
  for (int64_t i = begin; i < end; ++i) {
    for (int64_t j = 0; j < in->sizes[1]; ++j) {
      float x =
          in->aligned[in->offset + i * in->strides[0] + j * in->strides[1]];
      /* The output is declared contiguous: the kernel ignores its strides,
         as compiled code for an identity layout does. */
      out->aligned[out->offset + i * out->sizes[1] + j] = 2.0f * x + (float)i;
    }
  }
}

void sdpa_fake_entry(void **args) {
  Context ctx = {(const Descriptor2D *)args[0], (const Descriptor2D *)args[1]};
#ifndef SDPA_FAKE_NO_HOOK
  ((ParallelFor)__sdpa_parallel_for)(rows, &ctx, ctx.in->sizes[0]);
#else
  rows(&ctx, 0, ctx.in->sizes[0]);
#endif
}

typedef struct {
  int64_t *allocated;
  int64_t *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} Descriptor1DI64;

/* The shape function of a manifest with `input f32 ?x5`, `output f32 ?x5`:
   [status, lhs, rhs, rows], with one rule, rows <= 64. */
void sdpa_fake_shapes(void **args) {
  const Descriptor2D *in = (const Descriptor2D *)args[0];
  const Descriptor1DI64 *result = (const Descriptor1DI64 *)args[1];
  int64_t *words = result->aligned + result->offset;
  int64_t rows = in->sizes[0];
  int ok = rows <= 64;
  words[0] = ok ? 0 : 1;
  words[1] = ok ? 0 : rows;
  words[2] = ok ? 0 : 64;
  words[3] = rows;
}

typedef struct {
  int64_t *allocated;
  int64_t *aligned;
  int64_t offset;
} Descriptor0DI64;

/* A GPU artifact's host shape function for CudaArtifactTest's copy kernels
   (`input f32 RxC`, `input i64 scalar`: the bytes to copy), reading the
   scalar's value as compiled shape functions read a position: one rule,
   bytes <= 4 * R * C. */
void sdpa_fake_copy_rules(void **args) {
  const Descriptor2D *in = (const Descriptor2D *)args[0];
  const Descriptor0DI64 *bytes = (const Descriptor0DI64 *)args[1];
  const Descriptor1DI64 *result = (const Descriptor1DI64 *)args[2];
  int64_t *words = result->aligned + result->offset;
  int64_t value = bytes->aligned[bytes->offset];
  int64_t limit = 4 * in->sizes[0] * in->sizes[1];
  int ok = value <= limit;
  words[0] = ok ? 0 : 1;
  words[1] = ok ? 0 : value;
  words[2] = ok ? 0 : limit;
}
