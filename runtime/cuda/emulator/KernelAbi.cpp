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

} // extern "C"
