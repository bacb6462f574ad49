/*===- EmulatorKernels.c - kernels for the CUDA emulator's tests ----------===//
//
// What `sdpa-compile --emulate` makes of GPU kernels, written by hand: each
// __sdpa_emu_kernel_<name> runs one GPU thread of kernel <name>, asks the
// emulator for its ids and synchronises through it. Built as a shared
// library that CudaEmulatorTest loads as a module image, never linked; the
// __sdpa_emu_* functions it calls resolve to the emulator at load time.
//
// Parameters are read as cuLaunchKernel passes them: params[i] points to
// argument i, device pointers being 64-bit addresses of host memory.
//
//===----------------------------------------------------------------------===*/

#include <stdint.h>

int64_t __sdpa_emu_thread_id(int32_t dim);
int64_t __sdpa_emu_block_id(int32_t dim);
int64_t __sdpa_emu_block_dim(int32_t dim);
int64_t __sdpa_emu_grid_dim(int32_t dim);
void __sdpa_emu_barrier(void);
uint64_t __sdpa_emu_shuffle(uint32_t value, int32_t offset, int32_t width,
                            int32_t mode);

/* Enough to test launches above the 48 KiB that need no opt-in. */
#define SHARED_BYTES (80 * 1024)
unsigned char __sdpa_emu_shared[SHARED_BYTES] __attribute__((aligned(64)));
int64_t __sdpa_emu_shared_size = SHARED_BYTES;

#define POINTER(type, i) (*(type **)params[i])
#define SCALAR(type, i) (*(const type *)params[i])

static int64_t threadInBlock(void) {
  return __sdpa_emu_thread_id(0) +
         __sdpa_emu_block_dim(0) *
             (__sdpa_emu_thread_id(1) +
              __sdpa_emu_block_dim(1) * __sdpa_emu_thread_id(2));
}

static int64_t blockSize(void) {
  return __sdpa_emu_block_dim(0) * __sdpa_emu_block_dim(1) *
         __sdpa_emu_block_dim(2);
}

static int64_t blockInGrid(void) {
  return __sdpa_emu_block_id(0) +
         __sdpa_emu_grid_dim(0) *
             (__sdpa_emu_block_id(1) +
              __sdpa_emu_grid_dim(1) * __sdpa_emu_block_id(2));
}

static int64_t globalThread(void) {
  return blockInGrid() * blockSize() + threadInBlock();
}

static int64_t pack(int64_t (*query)(int32_t)) {
  return query(0) | query(1) << 16 | query(2) << 32;
}

/* ids(int64_t *out): out[4g..4g+3] = the thread ids, block ids, block dims
   and grid dims of global thread g, x | y << 16 | z << 32. */
void __sdpa_emu_kernel_ids(void **params) {
  int64_t *out = POINTER(int64_t, 0) + 4 * globalThread();
  out[0] = pack(__sdpa_emu_thread_id);
  out[1] = pack(__sdpa_emu_block_id);
  out[2] = pack(__sdpa_emu_block_dim);
  out[3] = pack(__sdpa_emu_grid_dim);
}

/* neighbours(int32_t *out): through shared memory, thread t of block b
   reads 1000 * b + t + 1 from thread t + 1 and hands it on to t - 1, so
   out[g] = 1000 * b + (t + 2) % n for a block of n. Right only if the
   barriers hold every thread until all have written. */
void __sdpa_emu_kernel_neighbours(void **params) {
  int32_t *slots = (int32_t *)__sdpa_emu_shared;
  int64_t t = threadInBlock(), n = blockSize();
  int32_t base = (int32_t)(1000 * blockInGrid());
  slots[t] = base + (int32_t)t;
  __sdpa_emu_barrier();
  int32_t right = slots[(t + 1) % n];
  __sdpa_emu_barrier();
  slots[t] = right;
  __sdpa_emu_barrier();
  POINTER(int32_t, 0)[globalThread()] = slots[(t + 1) % n];
}

/* shared_fill(uint8_t *out, int32_t bytes): block b copies the first
   `bytes` of its shared memory, as the block starts, to out[b * bytes...],
   then overwrites them, which the next block must not see. */
void __sdpa_emu_kernel_shared_fill(void **params) {
  uint8_t *out = POINTER(uint8_t, 0);
  int32_t bytes = SCALAR(int32_t, 1);
  int64_t t = threadInBlock(), n = blockSize(), b = blockInGrid();
  for (int64_t i = t; i < bytes; i += n)
    out[b * bytes + i] = __sdpa_emu_shared[i];
  __sdpa_emu_barrier();
  for (int64_t i = t; i < bytes; i += n)
    __sdpa_emu_shared[i] = (uint8_t)i;
}

/* warp_sum(uint32_t *out): a butterfly sum of t + 1 over each warp with
   xor shuffles, adding only valid results. out[3g] = the sum, out[3g + 1]
   = bit k set when step k (offset 16 >> k) was valid, out[3g + 2] = the
   value step 0 returned. */
void __sdpa_emu_kernel_warp_sum(void **params) {
  uint32_t *out = POINTER(uint32_t, 0) + 3 * globalThread();
  uint32_t value = (uint32_t)threadInBlock() + 1;
  uint32_t valid = 0;
  for (int step = 0; step < 5; ++step) {
    uint64_t result = __sdpa_emu_shuffle(value, 16 >> step, 32, 0);
    if (step == 0)
      out[2] = (uint32_t)result;
    if (result >> 32) {
      value += (uint32_t)result;
      valid |= 1u << step;
    }
  }
  out[0] = value;
  out[1] = valid;
}

/* shuffle_modes(uint64_t *out, int32_t offset, int32_t width): out[4g + m]
   = the raw result of shuffling 1000 + t with mode m. */
void __sdpa_emu_kernel_shuffle_modes(void **params) {
  uint64_t *out = POINTER(uint64_t, 0) + 4 * globalThread();
  int32_t offset = SCALAR(int32_t, 1), width = SCALAR(int32_t, 2);
  uint32_t value = 1000 + (uint32_t)threadInBlock();
  for (int32_t mode = 0; mode < 4; ++mode)
    out[mode] = __sdpa_emu_shuffle(value, offset, width, mode);
}

/* sync_loop(uint32_t *out, int32_t rounds): `rounds` times a barrier and a
   warp sum of 1 (32 for a full warp); out[g] = the total. */
void __sdpa_emu_kernel_sync_loop(void **params) {
  int32_t rounds = SCALAR(int32_t, 1);
  uint32_t total = 0;
  for (int32_t i = 0; i < rounds; ++i) {
    __sdpa_emu_barrier();
    uint32_t value = 1;
    for (int32_t offset = 16; offset; offset >>= 1)
      value += (uint32_t)__sdpa_emu_shuffle(value, offset, 32, 0);
    total += value;
  }
  POINTER(uint32_t, 0)[globalThread()] = total;
}

/* copy(float *in, float *out, int64_t count): out[i] = in[i], grid-stride. */
void __sdpa_emu_kernel_copy(void **params) {
  const float *in = POINTER(const float, 0);
  float *out = POINTER(float, 1);
  int64_t count = SCALAR(int64_t, 2);
  int64_t stride = blockSize() * __sdpa_emu_grid_dim(0) *
                   __sdpa_emu_grid_dim(1) * __sdpa_emu_grid_dim(2);
  for (int64_t i = globalThread(); i < count; i += stride)
    out[i] = in[i];
}

/* Kernels that cannot finish. */

/* In the grid's last block, the upper half returns before the barrier. */
void __sdpa_emu_kernel_divergent_barrier(void **params) {
  int64_t blocks =
      __sdpa_emu_grid_dim(0) * __sdpa_emu_grid_dim(1) * __sdpa_emu_grid_dim(2);
  if (blockInGrid() == blocks - 1 && threadInBlock() >= blockSize() / 2)
    return;
  __sdpa_emu_barrier();
}

/* Odd lanes wait at a barrier, even ones at a shuffle. */
void __sdpa_emu_kernel_mixed_sync(void **params) {
  if (threadInBlock() % 2)
    __sdpa_emu_barrier();
  else
    __sdpa_emu_shuffle(1, 1, 32, 0);
}

/* Lanes 0-15 of each warp return before the shuffle. */
void __sdpa_emu_kernel_shuffle_after_return(void **params) {
  if (threadInBlock() % 32 < 16)
    return;
  __sdpa_emu_shuffle(1, 1, 32, 0);
}

/* bad_shuffle(int32_t width, int32_t mode). */
void __sdpa_emu_kernel_bad_shuffle(void **params) {
  __sdpa_emu_shuffle(1, 0, SCALAR(int32_t, 0), SCALAR(int32_t, 1));
}

/* bad_dim(int32_t dim) asks for thread id `dim`. */
void __sdpa_emu_kernel_bad_dim(void **params) {
  __sdpa_emu_thread_id(SCALAR(int32_t, 0));
}

/* deep_recursion(int32_t depth) needs about depth KiB of stack. */
static int recurse(int depth) {
  volatile char frame[1024];
  frame[0] = (char)depth;
  return depth ? recurse(depth - 1) + frame[0] : 0;
}

void __sdpa_emu_kernel_deep_recursion(void **params) {
  recurse(SCALAR(int32_t, 0));
}
