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
void __sdpa_emu_warp_exchange(const void *mine, void *all, int32_t bytes);
void __sdpa_emu_async_copy(void *dst, const void *src, int32_t bytes,
                           int32_t srcBytes);
void __sdpa_emu_async_commit(void);
void __sdpa_emu_async_wait(int32_t pending);

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

/* racy_neighbour(int32_t *out): thread t writes t + 1 to its slot of
   shared memory and, with no barrier in between, reads the slot of thread
   (t + 1) % n into out[t]: what it finds depends on which thread ran
   first, which is the race. */
void __sdpa_emu_kernel_racy_neighbour(void **params) {
  int32_t *slots = (int32_t *)__sdpa_emu_shared;
  int64_t t = threadInBlock(), n = blockSize();
  slots[t] = (int32_t)t + 1;
  POINTER(int32_t, 0)[t] = slots[(t + 1) % n];
}

/* run_order(int32_t *log): each thread appends its id to log[1...] (the
   count in log[0], which starts at 0) three times around two shuffles,
   then once more after a barrier: the order in which threads ran. */
static void logThread(int32_t *log, int64_t t) {
  log[1 + log[0]++] = (int32_t)t;
}

void __sdpa_emu_kernel_run_order(void **params) {
  int32_t *log = POINTER(int32_t, 0);
  int64_t t = threadInBlock();
  logThread(log, t);
  __sdpa_emu_shuffle(0, 1, 32, 0);
  logThread(log, t);
  __sdpa_emu_shuffle(0, 1, 32, 0);
  logThread(log, t);
  __sdpa_emu_barrier();
  logThread(log, t);
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

/* What thread t passes as word k of round r of warp_exchange: distinct for
   every thread, round and word, never zero. */
static uint32_t exchanged(int64_t t, int32_t r, int k) {
  return (uint32_t)(1000000 * k + 1000 * r + t + 1);
}

/* warp_exchange(uint32_t *out, int32_t rounds): `rounds` exchanges of 12
   bytes, exchanged(t, r, 0..2), in a row. out[97g..97g+95] = what the last
   one gave thread g; out[97g+96] = in how many rounds any lane's words
   differed from the sender's (zeros for missing lanes). */
void __sdpa_emu_kernel_warp_exchange(void **params) {
  uint32_t *out = POINTER(uint32_t, 0) + 97 * globalThread();
  int32_t rounds = SCALAR(int32_t, 1);
  int64_t t = threadInBlock(), n = blockSize(), first = t / 32 * 32;
  uint32_t all[32 * 3];
  uint32_t wrong = 0;
  for (int32_t r = 0; r < rounds; ++r) {
    uint32_t mine[3];
    for (int k = 0; k < 3; ++k)
      mine[k] = exchanged(t, r, k);
    __sdpa_emu_warp_exchange(mine, all, sizeof(mine));
    int bad = 0;
    for (int64_t l = 0; l < 32; ++l)
      for (int k = 0; k < 3; ++k)
        bad |=
            all[3 * l + k] != (first + l < n ? exchanged(first + l, r, k) : 0);
    wrong += bad;
  }
  for (int i = 0; i < 32 * 3; ++i)
    out[i] = all[i];
  out[96] = wrong;
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

/* Copies `bytes` bytes of shared memory to `out`. */
static void copyOut(uint8_t *out, const uint8_t *shared, int32_t bytes) {
  for (int32_t i = 0; i < bytes; ++i)
    out[i] = shared[i];
}

/* async_copy(uint8_t *in, uint8_t *out, int32_t bytes, int32_t srcBytes):
   thread t of block b (of n threads) queues the copies of chunks c = t and
   t + n of `bytes` bytes, chunk b * 2n + c of `in` to chunk c of shared
   memory, `srcBytes` of each from `in`, and commits them. Then out[chunk
   b * 4n + c] = chunk c of shared memory before the wait and out[chunk
   b * 4n + 2n + c] = the same after. */
void __sdpa_emu_kernel_async_copy(void **params) {
  const uint8_t *in = POINTER(const uint8_t, 0);
  uint8_t *out = POINTER(uint8_t, 1);
  int32_t bytes = SCALAR(int32_t, 2), srcBytes = SCALAR(int32_t, 3);
  int64_t t = threadInBlock(), n = blockSize(), b = blockInGrid();
  for (int64_t c = t; c < 2 * n; c += n)
    __sdpa_emu_async_copy(__sdpa_emu_shared + c * bytes,
                          in + (b * 2 * n + c) * bytes, bytes, srcBytes);
  __sdpa_emu_async_commit();
  for (int64_t c = t; c < 2 * n; c += n)
    copyOut(out + (b * 4 * n + c) * bytes, __sdpa_emu_shared + c * bytes,
            bytes);
  __sdpa_emu_async_wait(0);
  for (int64_t c = t; c < 2 * n; c += n)
    copyOut(out + (b * 4 * n + 2 * n + c) * bytes,
            __sdpa_emu_shared + c * bytes, bytes);
}

/* async_read_early(uint8_t *in, uint8_t *out): thread t copies 16 bytes,
   in[16t...], to its chunk of shared memory, then copies that chunk out to
   out[32t...] before its wait (which a GPU may fill at any time from the
   copy on) and to out[32t + 16...] after. */
void __sdpa_emu_kernel_async_read_early(void **params) {
  const uint8_t *in = POINTER(const uint8_t, 0);
  uint8_t *out = POINTER(uint8_t, 1);
  int64_t t = threadInBlock();
  __sdpa_emu_async_copy(__sdpa_emu_shared + 16 * t, in + 16 * t, 16, 16);
  __sdpa_emu_async_commit();
  copyOut(out + 32 * t, __sdpa_emu_shared + 16 * t, 16);
  __sdpa_emu_async_wait(0);
  copyOut(out + 32 * t + 16, __sdpa_emu_shared + 16 * t, 16);
}

/* async_double_buffer(uint8_t *in, uint8_t *out): double buffering of
   tiles of n chunks of 16 bytes (a chunk a thread) through buffers A (the
   first n chunks of shared memory) and B (the next n). Thread t of n
   copies chunk t of tiles 0 and 1 of `in` to A and B as two groups,
   writes seven chunks to out[7t...]:
     0: its A chunk after wait(1), which performed the older group only;
     1: its B chunk then;
     2, 3: the A and B chunks of thread (t + 1) % n after a barrier, which
       performs no copies;
   then, after another barrier, copies chunk t of tile 2 to A and:
     4: its B chunk after wait(1);
     5: its A chunk then;
     6: its A chunk after wait(0). */
void __sdpa_emu_kernel_async_double_buffer(void **params) {
  const uint8_t *in = POINTER(const uint8_t, 0);
  int64_t t = threadInBlock(), n = blockSize();
  uint8_t *out = POINTER(uint8_t, 1) + 7 * 16 * t;
  uint8_t *a = __sdpa_emu_shared, *b = __sdpa_emu_shared + 16 * n;
  int64_t next = (t + 1) % n;
  __sdpa_emu_async_copy(a + 16 * t, in + 16 * t, 16, 16);
  __sdpa_emu_async_commit();
  __sdpa_emu_async_copy(b + 16 * t, in + 16 * (n + t), 16, 16);
  __sdpa_emu_async_commit();
  __sdpa_emu_async_wait(1);
  copyOut(out, a + 16 * t, 16);
  copyOut(out + 16, b + 16 * t, 16);
  __sdpa_emu_barrier();
  copyOut(out + 32, a + 16 * next, 16);
  copyOut(out + 48, b + 16 * next, 16);
  __sdpa_emu_barrier();
  __sdpa_emu_async_copy(a + 16 * t, in + 16 * (2 * n + t), 16, 16);
  __sdpa_emu_async_commit();
  __sdpa_emu_async_wait(1);
  copyOut(out + 64, b + 16 * t, 16);
  copyOut(out + 80, a + 16 * t, 16);
  __sdpa_emu_async_wait(0);
  copyOut(out + 96, a + 16 * t, 16);
}

/* async_at_return(uint8_t *in, uint8_t *out), for blocks of two threads:
   thread 0 copies in[0..16) to shared memory [0, 16) and commits, copies
   in[16..32) to [16, 32) without committing, and copies shared memory
   [0, 32) to out[0..32) after wait(5), which waits for none of its one
   group, and to out[32..64) after wait(0), which waits for all of it, but
   not for the copy not committed; then it returns. Thread 1, which the
   emulator runs only once thread 0 has returned, copies [0, 32) to
   out[64..96). */
void __sdpa_emu_kernel_async_at_return(void **params) {
  const uint8_t *in = POINTER(const uint8_t, 0);
  uint8_t *out = POINTER(uint8_t, 1);
  if (threadInBlock() == 1) {
    copyOut(out + 64, __sdpa_emu_shared, 32);
    return;
  }
  __sdpa_emu_async_copy(__sdpa_emu_shared, in, 16, 16);
  __sdpa_emu_async_commit();
  __sdpa_emu_async_copy(__sdpa_emu_shared + 16, in + 16, 16, 16);
  __sdpa_emu_async_wait(5);
  copyOut(out, __sdpa_emu_shared, 32);
  __sdpa_emu_async_wait(0);
  copyOut(out + 32, __sdpa_emu_shared, 32);
}

/* async_pipeline(uint8_t *in, uint32_t *out, int32_t tiles): streams
   `tiles` tiles of n chunks of 16 bytes (a chunk a thread) through two
   shared buffers, the copy of tile i + 1 in flight while tile i is read,
   with a commit every round (empty in the last) and wait(1). out[g] = in
   how many rounds the chunk of thread (t + 1) % n read after a barrier
   differed from `in`. */
void __sdpa_emu_kernel_async_pipeline(void **params) {
  const uint8_t *in = POINTER(const uint8_t, 0);
  int32_t tiles = SCALAR(int32_t, 2);
  int64_t t = threadInBlock(), n = blockSize(), next = (t + 1) % n;
  uint32_t wrong = 0;
  __sdpa_emu_async_copy(__sdpa_emu_shared + 16 * t, in + 16 * t, 16, 16);
  __sdpa_emu_async_commit();
  for (int32_t i = 0; i < tiles; ++i) {
    if (i + 1 < tiles)
      __sdpa_emu_async_copy(__sdpa_emu_shared + 16 * ((i + 1) % 2 * n + t),
                            in + 16 * ((i + 1) * n + t), 16, 16);
    __sdpa_emu_async_commit();
    __sdpa_emu_async_wait(1);
    __sdpa_emu_barrier();
    const uint8_t *seen = __sdpa_emu_shared + 16 * (i % 2 * n + next);
    const uint8_t *expected = in + 16 * (i * n + next);
    int bad = 0;
    for (int k = 0; k < 16; ++k)
      bad |= seen[k] != expected[k];
    wrong += bad;
    /* Before the next round's copy overwrites the buffer. */
    __sdpa_emu_barrier();
  }
  POINTER(uint32_t, 1)[globalThread()] = wrong;
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

/* Lanes 0-15 of each warp return before the exchange. */
void __sdpa_emu_kernel_exchange_after_return(void **params) {
  if (threadInBlock() % 32 < 16)
    return;
  uint32_t mine = 1, all[32];
  __sdpa_emu_warp_exchange(&mine, all, sizeof(mine));
}

/* Odd lanes wait at a shuffle, even ones at an exchange. */
void __sdpa_emu_kernel_mixed_exchange(void **params) {
  uint32_t mine = 1, all[32];
  if (threadInBlock() % 2)
    __sdpa_emu_shuffle(1, 1, 32, 0);
  else
    __sdpa_emu_warp_exchange(&mine, all, sizeof(mine));
}

/* bad_exchange(int32_t even, int32_t odd): even lanes exchange `even`
   bytes, odd ones `odd`. */
void __sdpa_emu_kernel_bad_exchange(void **params) {
  uint8_t mine[257] = {0}, all[32 * 257];
  int32_t bytes = SCALAR(int32_t, threadInBlock() % 2);
  __sdpa_emu_warp_exchange(mine, all, bytes);
}

/* bad_async(int32_t bytes, int32_t srcBytes, int32_t dstOffset, int32_t
   srcOffset, int32_t pending): one copy of `bytes` bytes from byte
   `srcOffset` of a global buffer to shared memory offset `dstOffset`, a
   commit and a wait for `pending` groups. */
void __sdpa_emu_kernel_bad_async(void **params) {
  static const uint8_t source[64] __attribute__((aligned(16))) = {0};
  /* As integers: a pointer outside its array is undefined. */
  uintptr_t dst = (uintptr_t)__sdpa_emu_shared + SCALAR(int32_t, 2);
  uintptr_t src = (uintptr_t)source + SCALAR(int32_t, 3);
  __sdpa_emu_async_copy((void *)dst, (const void *)src, SCALAR(int32_t, 0),
                        SCALAR(int32_t, 1));
  __sdpa_emu_async_commit();
  __sdpa_emu_async_wait(SCALAR(int32_t, 4));
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
