//===- BlockRunner.h - the threads of one block as fibers ------*- C++ -*-===//
//
// A GPU block's threads run as fibers on the launching thread, round robin:
// each runs until it returns or reaches a sync point, a block barrier or a
// warp shuffle or exchange, which completes when its whole group has
// arrived. A group that can never complete (a thread returned before a
// barrier the others wait at; lanes of one warp at different kinds of sync
// point) would hang a GPU; here it ends the block with a message instead.
//
// Asynchronous copies to shared memory (cp.async) are queued per thread and
// performed as late as a GPU may perform them: at the thread's wait that
// covers them, or when it returns; never at a barrier. A kernel that reads
// their destination too early thus sees what was there before, not the
// data it would get by chance on a GPU.
//
// A GPU leaves these orders open, so a kernel that is right only in one is
// wrong. Two environment variables, read at every launch, pick others (see
// Schedule): SDPA_EMU_SCHEDULE=reverse runs the threads last to first, so
// that a thread that reads what a higher one writes without a barrier in
// between sees the write where forward order hid the race; =warps (and
// =warps-reverse) run each warp on to its next barrier before the next
// warp starts, so that one warp is as far ahead of the others as a GPU
// may let it be; SDPA_EMU_ASYNC_COPIES=early performs every cp.async when
// it is issued, so that a copy into a buffer other threads still read
// shows.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_BLOCKRUNNER_H
#define SDPA_RUNTIME_CUDA_EMULATOR_BLOCKRUNNER_H

#include "runtime/cuda/emulator/FiberContext.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sdpa {
namespace emu {

/// One GPU thread of a kernel: `__sdpa_emu_kernel_<name>` of a kernel
/// library, called with cuLaunchKernel's `params`.
using KernelEntry = void (*)(void **params);

/// What every block of a launch shares.
struct LaunchConfig {
  KernelEntry kernel = nullptr;
  void **params = nullptr;
  uint32_t grid[3] = {1, 1, 1};
  uint32_t block[3] = {1, 1, 1};
  /// The block's dynamic shared memory, which asynchronous copies must
  /// write into.
  unsigned char *shared = nullptr;
  uint32_t sharedBytes = 0;
};

/// The orders a GPU leaves open that the runner fixes.
struct Schedule {
  /// Threads run last to first (SDPA_EMU_SCHEDULE=reverse or
  /// warps-reverse), not first to last (forward, the default, or warps).
  bool reverse = false;
  /// A warp's lanes go on past its shuffles and exchanges until every one
  /// is at a barrier or done, before other warps run (warps,
  /// warps-reverse); otherwise the next thread in order runs.
  bool warpsAhead = false;
  /// Copies are performed when issued (SDPA_EMU_ASYNC_COPIES=early), not
  /// at the wait that covers them (late, the default).
  bool earlyCopies = false;

  /// The schedule the environment asks for; false with `error` naming the
  /// variable and its value when one has a value it does not know.
  static bool fromEnvironment(Schedule &schedule, std::string &error);
};

class BlockRunner {
public:
  static constexpr uint32_t kWarpSize = 32;
  /// The most bytes a lane may pass to exchange().
  static constexpr int32_t kMaxExchangeBytes = 256;

  BlockRunner() = default;
  BlockRunner(const BlockRunner &) = delete;
  BlockRunner &operator=(const BlockRunner &) = delete;

  /// The runner whose block is running, null outside blocks. Launches run
  /// one at a time, so there is at most one.
  static BlockRunner *active() { return activeRunner; }

  /// Makes room for blocks of `threads` threads; false when out of memory.
  bool reserve(uint32_t threads) { return stacks.reserve(threads); }

  /// Runs block `blockId` of `launch` (reserved for) to the end. Returns
  /// false with `error` saying what went wrong when its threads cannot all
  /// finish.
  bool run(const LaunchConfig &launch, const uint32_t blockId[3],
           const Schedule &schedule, std::string &error);

  /// For fault reports: the running block, the running thread (null
  /// between threads), and whether `address` is just below its stack.
  const uint32_t *runningBlock() const { return block; }
  const uint32_t *runningThread() const {
    return current ? current->id : nullptr;
  }
  bool overflowsStack(uintptr_t address) const {
    return current && stacks.inGuard(address, current->linear);
  }

  // What the kernel library asks of the running thread (KernelAbi.cpp).
  // `dim` is 0, 1 or 2 for x, y, z.
  int64_t threadId(int32_t dim) {
    return checkDim(dim, "thread_id") ? current->id[dim] : 0;
  }
  int64_t blockId(int32_t dim) {
    return checkDim(dim, "block_id") ? block[dim] : 0;
  }
  int64_t blockDim(int32_t dim) {
    return checkDim(dim, "block_dim") ? launch->block[dim] : 0;
  }
  int64_t gridDim(int32_t dim) {
    return checkDim(dim, "grid_dim") ? launch->grid[dim] : 0;
  }
  /// __syncthreads.
  void barrier();
  /// gpu.shuffle; see KernelAbi.cpp for the meaning of the arguments and
  /// the result.
  uint64_t shuffle(uint32_t value, int32_t offset, int32_t width, int32_t mode);
  /// __sdpa_emu_warp_exchange; see KernelAbi.cpp.
  void exchange(const void *mine, void *all, int32_t bytes);
  /// __sdpa_emu_async_copy, _commit and _wait; see KernelAbi.cpp.
  void asyncCopy(void *dst, const void *src, int32_t bytes, int32_t srcBytes);
  void asyncCommit();
  void asyncWait(int32_t pending);

private:
  /// Ready: runnable, or running. The others wait for their group or
  /// have returned.
  enum class State : uint8_t { Ready, AtBarrier, AtShuffle, AtExchange, Done };
  /// A queued cp.async: `bytes` bytes to `dst`, the first `srcBytes` of
  /// them from `src`, zeros after.
  struct AsyncCopy {
    unsigned char *dst;
    const unsigned char *src;
    uint32_t bytes;
    uint32_t srcBytes;
  };
  struct Fiber {
    FiberContext context;
    uint32_t id[3];
    uint32_t linear;
    State state;
    /// Shuffles this thread has done in the block; its parity picks the
    /// warp's slots (see shuffle()).
    uint32_t shuffles;
    /// Likewise for exchanges.
    uint32_t exchanges;
    /// The thread's copies not yet performed, oldest first, and where each
    /// committed group of them ends in `copies`; the copies from the last
    /// end on are not committed yet. Cleared for every block but kept, so
    /// that their memory serves every block.
    std::vector<AsyncCopy> copies;
    std::vector<uint32_t> groupEnds;
  };
  struct Warp {
    uint32_t first;
    uint32_t size;
    /// Lanes waiting at the current shuffle.
    uint32_t arrived;
    uint32_t slots[2][kWarpSize];
    /// Lanes waiting at the current exchange, which its first lane fixed
    /// at `exchangeBytes` a lane. Counted apart from `arrived` so that a
    /// shuffle and an exchange never complete each other.
    uint32_t exchanged;
    int32_t exchangeBytes;
    uint8_t exchangeSlots[2][kWarpSize * kMaxExchangeBytes];
  };

  [[noreturn]] static void fiberMain();
  /// Performs the first `count` of `fiber`'s queued copies and drops them
  /// from its queue, with the groups they complete.
  static void performCopies(Fiber &fiber, size_t count);
  /// Leaves the current fiber, blocked or done, for the next ready one.
  void suspend();
  /// The first fiber of a pass over the block, and the one after fiber
  /// `t`: numThreads after the last.
  uint32_t first() const { return schedule.reverse ? numThreads - 1 : 0; }
  uint32_t after(uint32_t t) const {
    if (!schedule.reverse)
      return t + 1;
    return t == 0 ? numThreads : t - 1;
  }
  /// The ready fiber to run when fiber `self` leaves, numThreads if none.
  uint32_t nextReady(uint32_t self) const;
  /// Ends the block from inside the current fiber with "<what> (thread
  /// (x,y,z))"; never returns to the fiber.
  [[noreturn]] void fail(const char *format, ...)
      __attribute__((format(printf, 2, 3)));
  bool checkDim(int32_t dim, const char *query) {
    if (static_cast<uint32_t>(dim) < 3)
      return true;
    fail("gpu.%s of dimension %d; expected 0, 1 or 2", query, dim);
  }
  /// Why no fiber can run although not all are done.
  std::string diagnose() const;

  static BlockRunner *activeRunner;

  StackPool stacks;
  FiberContext scheduler;
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  Fiber *current = nullptr;
  const LaunchConfig *launch = nullptr;
  Schedule schedule;
  uint32_t block[3] = {0, 0, 0};
  uint32_t numThreads = 0;
  uint32_t numDone = 0;
  uint32_t atBarrier = 0;
  bool failed = false;
  std::string failure;
};

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_BLOCKRUNNER_H
