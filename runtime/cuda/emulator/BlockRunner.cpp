//===- BlockRunner.cpp - the threads of one block as fibers ---------------===//
//
// Fibers hand over to the next ready fiber directly rather than through the
// scheduler, so a sync point costs each thread one switch; the scheduler
// only starts each pass over the block and notices when no fiber can run.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/BlockRunner.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace sdpa {
namespace emu {

BlockRunner *BlockRunner::activeRunner = nullptr;

void BlockRunner::fiberMain() {
  BlockRunner &runner = *activeRunner;
  runner.launch->kernel(runner.launch->params);
  runner.current->state = State::Done;
  ++runner.numDone;
  runner.suspend();
  // Nothing resumes a finished fiber.
  std::abort();
}

bool BlockRunner::run(const LaunchConfig &config, const uint32_t blockId[3],
                      std::string &error) {
  launch = &config;
  std::copy(blockId, blockId + 3, block);
  uint32_t sizeX = config.block[0], sizeY = config.block[1];
  numThreads = sizeX * sizeY * config.block[2];
  fibers.resize(numThreads);
  for (uint32_t t = 0; t < numThreads; ++t) {
    Fiber &fiber = fibers[t];
    fiber.id[0] = t % sizeX;
    fiber.id[1] = t / sizeX % sizeY;
    fiber.id[2] = t / (sizeX * sizeY);
    fiber.linear = t;
    fiber.state = State::Ready;
    fiber.shuffles = 0;
    // Stack tops at one page offset would all fall in the same L1 cache
    // sets; staggered by cache lines, a block's hot frames stay cached.
    size_t stagger = t % 64 * 64;
    makeFiberContext(fiber.context, stacks.stack(t),
                     StackPool::kStackBytes - stagger, fiberMain);
  }
  warps.resize((numThreads + kWarpSize - 1) / kWarpSize);
  for (uint32_t w = 0; w < warps.size(); ++w) {
    warps[w].first = w * kWarpSize;
    warps[w].size = std::min(kWarpSize, numThreads - w * kWarpSize);
    warps[w].arrived = 0;
  }
  numDone = 0;
  atBarrier = 0;
  failed = false;

  activeRunner = this;
  for (;;) {
    bool ran = false;
    for (uint32_t t = 0; t < numThreads && !failed; ++t) {
      if (fibers[t].state != State::Ready)
        continue;
      ran = true;
      current = &fibers[t];
      switchFiber(scheduler, fibers[t].context);
    }
    if (failed || numDone == numThreads)
      break;
    if (!ran) {
      failed = true;
      failure = diagnose();
    }
  }
  activeRunner = nullptr;
  current = nullptr;
  // Fibers left blocked are abandoned: their stacks hold nothing to free,
  // since the kernel library is C code.
  if (failed)
    error = failure;
  return !failed;
}

void BlockRunner::suspend() {
  Fiber *self = current;
  for (uint32_t t = self->linear + 1; t < numThreads; ++t) {
    if (fibers[t].state == State::Ready) {
      current = &fibers[t];
      switchFiber(self->context, fibers[t].context);
      return;
    }
  }
  current = nullptr;
  switchFiber(self->context, scheduler);
}

void BlockRunner::fail(const char *format, ...) {
  char what[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(what, sizeof(what), format, args);
  va_end(args);
  Fiber *self = current;
  char text[320];
  std::snprintf(text, sizeof(text), "%s (thread (%u,%u,%u))", what, self->id[0],
                self->id[1], self->id[2]);
  failure = text;
  failed = true;
  current = nullptr;
  switchFiber(self->context, scheduler);
  std::abort();
}

void BlockRunner::barrier() {
  if (++atBarrier == numThreads) {
    atBarrier = 0;
    for (Fiber &fiber : fibers)
      fiber.state = State::Ready;
    return;
  }
  current->state = State::AtBarrier;
  suspend();
}

uint64_t BlockRunner::shuffle(uint32_t value, int32_t offset, int32_t width,
                              int32_t mode) {
  if (width < 1 || width > static_cast<int32_t>(kWarpSize))
    fail("gpu.shuffle of width %d; expected 1 to %u", width, kWarpSize);
  if (mode < 0 || mode > 3)
    fail("gpu.shuffle of mode %d; expected 0 (xor), 1 (down), 2 (up) or 3 "
         "(idx)",
         mode);
  Fiber &self = *current;
  Warp &warp = warps[self.linear / kWarpSize];
  uint32_t lane = self.linear % kWarpSize;
  // Two sets of slots, used in turn, let a lane that has read its source
  // go on to its next shuffle without a second sync: it cannot overwrite a
  // slot of this shuffle before every lane has arrived at the next one,
  // that is, before every lane has read.
  uint32_t *slots = warp.slots[self.shuffles++ & 1];
  slots[lane] = value;
  if (++warp.arrived == warp.size) {
    warp.arrived = 0;
    for (uint32_t t = warp.first; t < warp.first + warp.size; ++t)
      fibers[t].state = State::Ready;
  } else {
    self.state = State::AtShuffle;
    suspend();
  }

  // Widths are powers of two but for odd kernels; a division costs more
  // than the rest of the shuffle.
  int64_t begin =
      (width & (width - 1)) == 0 ? lane & ~(width - 1) : lane / width * width;
  int64_t source = 0;
  switch (mode) {
  case 0:
    source = lane ^ static_cast<uint32_t>(offset);
    break;
  case 1:
    source = static_cast<int64_t>(lane) + offset;
    break;
  case 2:
    source = static_cast<int64_t>(lane) - offset;
    break;
  default:
    source = begin + offset;
    break;
  }
  bool valid = source >= begin && source < begin + width && source < warp.size;
  uint32_t result = valid ? slots[source] : value;
  return result | static_cast<uint64_t>(valid) << 32;
}

std::string BlockRunner::diagnose() const {
  char text[256];
  // Lanes of one warp at different kinds of sync point wait for each other.
  for (uint32_t w = 0; w < warps.size(); ++w) {
    const Warp &warp = warps[w];
    uint32_t shuffling = 0, waiting = 0;
    for (uint32_t t = warp.first; t < warp.first + warp.size; ++t) {
      shuffling += fibers[t].state == State::AtShuffle;
      waiting += fibers[t].state == State::AtBarrier;
    }
    if (shuffling && waiting) {
      std::snprintf(text, sizeof(text),
                    "threads of warp %u (threads %u-%u) wait at different "
                    "sync points: %u at a shuffle, %u at a barrier",
                    w, warp.first, warp.first + warp.size - 1, shuffling,
                    waiting);
      return text;
    }
  }
  // Otherwise some threads returned before a sync point the others reached.
  for (uint32_t w = 0; w < warps.size(); ++w) {
    const Warp &warp = warps[w];
    if (warp.arrived) {
      std::snprintf(text, sizeof(text),
                    "shuffle in warp %u (threads %u-%u) reached by %u of %u "
                    "threads; the others returned",
                    w, warp.first, warp.first + warp.size - 1, warp.arrived,
                    warp.size);
      return text;
    }
  }
  std::snprintf(text, sizeof(text),
                "barrier reached by %u of %u threads; the others returned",
                atBarrier, numThreads);
  return text;
}

} // namespace emu
} // namespace sdpa
