//===- KernelAbi.cpp - what emulated kernels import from the emulator -----===//
//
// A kernel library compiled with `sdpa-compile --emulate` leaves these
// undefined; they resolve to this library, which KernelModule.cpp makes
// global before loading one. Outside a launch they answer 0 and do nothing,
// since there is no thread to ask about.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/BlockRunner.h"
#include "runtime/cuda/emulator/Driver.h"

using sdpa::emu::BlockRunner;

extern "C" {

SDPA_EMU_EXPORT int64_t __sdpa_emu_thread_id(int32_t dim) {
  BlockRunner *runner = BlockRunner::active();
  return runner ? runner->threadId(dim) : 0;
}

SDPA_EMU_EXPORT int64_t __sdpa_emu_block_id(int32_t dim) {
  BlockRunner *runner = BlockRunner::active();
  return runner ? runner->blockId(dim) : 0;
}

SDPA_EMU_EXPORT int64_t __sdpa_emu_block_dim(int32_t dim) {
  BlockRunner *runner = BlockRunner::active();
  return runner ? runner->blockDim(dim) : 0;
}

SDPA_EMU_EXPORT int64_t __sdpa_emu_grid_dim(int32_t dim) {
  BlockRunner *runner = BlockRunner::active();
  return runner ? runner->gridDim(dim) : 0;
}

SDPA_EMU_EXPORT void __sdpa_emu_barrier(void) {
  if (BlockRunner *runner = BlockRunner::active())
    runner->barrier();
}

/// gpu.shuffle of the 32-bit pattern `value` in the calling thread's warp
/// (32 consecutive linear thread ids), split into segments of `width` lanes
/// (1 to 32). The source lane is lane ^ offset (mode 0, xor), lane + offset
/// (1, down), lane - offset (2, up), or the segment's first lane + offset
/// (3, idx). Returns the source lane's value in bits 0-31 and 1 in bit 32
/// when the source lane exists and lies in the caller's segment, else the
/// caller's own value and 0. Every thread of the warp must call it.
SDPA_EMU_EXPORT uint64_t __sdpa_emu_shuffle(uint32_t value, int32_t offset,
                                            int32_t width, int32_t mode) {
  BlockRunner *runner = BlockRunner::active();
  return runner ? runner->shuffle(value, offset, width, mode) : value;
}

/// Warp collective: after it, all[l * bytes .. (l+1) * bytes) holds what
/// lane l of the calling thread's warp passed as `mine`, for every lane
/// l < 32; lanes that do not exist (a partial last warp) leave zeros. For
/// tensor-core mma.sync, whose operands are spread over the lanes of a
/// warp. 1 <= bytes <= 256, the same in every lane; every thread of the
/// warp must call it.
SDPA_EMU_EXPORT void __sdpa_emu_warp_exchange(const void *mine, void *all,
                                              int32_t bytes) {
  if (BlockRunner *runner = BlockRunner::active())
    runner->exchange(mine, all, bytes);
}

/// cp.async of the calling thread: queues a copy of `bytes` bytes (4, 8 or
/// 16) to `dst`, which must lie in the block's dynamic shared memory (the
/// first bytes of __sdpa_emu_shared, as many as the launch asked for), from
/// `src`: the first `srcBytes` (0 to `bytes`) are read from `src`, the rest
/// are zeros. Both must be aligned to `bytes`. Nothing is copied yet.
SDPA_EMU_EXPORT void __sdpa_emu_async_copy(void *dst, const void *src,
                                           int32_t bytes, int32_t srcBytes) {
  if (BlockRunner *runner = BlockRunner::active())
    runner->asyncCopy(dst, src, bytes, srcBytes);
}

/// cp.async.commit_group: the calling thread's copies queued since its last
/// commit form a group.
SDPA_EMU_EXPORT void __sdpa_emu_async_commit(void) {
  if (BlockRunner *runner = BlockRunner::active())
    runner->asyncCommit();
}

/// cp.async.wait_group: performs, in the order queued, the copies of all
/// the calling thread's committed groups but the `pending` (0 or more) most
/// recent ones. Copies not waited for are performed when the thread
/// returns; a barrier performs none, as __syncthreads waits for none.
/// Sources are read when a copy is performed, which is right as long as
/// kernels do not write the global memory they copy from.
SDPA_EMU_EXPORT void __sdpa_emu_async_wait(int32_t pending) {
  if (BlockRunner *runner = BlockRunner::active())
    runner->asyncWait(pending);
}

} // extern "C"
