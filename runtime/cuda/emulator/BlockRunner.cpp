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
#include <cstring>
#include <initializer_list>

namespace sdpa {
namespace emu {

BlockRunner *BlockRunner::activeRunner = nullptr;

bool Schedule::fromEnvironment(Schedule &schedule, std::string &error) {
  schedule = Schedule();
  // Unset and empty mean the default.
  auto read = [&](const char *variable,
                  std::initializer_list<const char *> values) -> int {
    const char *value = std::getenv(variable);
    if (!value || !*value)
      return 0;
    size_t index = 0;
    std::string expected;
    for (const char *known : values) {
      if (!std::strcmp(value, known))
        return static_cast<int>(index);
      expected += index == 0 ? "" : index + 1 < values.size() ? ", " : " or ";
      expected += known;
      ++index;
    }
    error = std::string(variable) + "=" + value + "; expected " + expected;
    return -1;
  };
  int order = read("SDPA_EMU_SCHEDULE",
                   {"forward", "reverse", "warps", "warps-reverse"});
  if (order < 0)
    return false;
  schedule.reverse = order == 1 || order == 3;
  schedule.warpsAhead = order >= 2;
  int copies = read("SDPA_EMU_ASYNC_COPIES", {"late", "early"});
  if (copies < 0)
    return false;
  schedule.earlyCopies = copies == 1;
  return true;
}

void BlockRunner::fiberMain() {
  BlockRunner &runner = *activeRunner;
  runner.launch->kernel(runner.launch->params);
  // A GPU finishes a thread's copies, waited for or not, committed or not.
  Fiber &self = *runner.current;
  performCopies(self, self.copies.size());
  self.state = State::Done;
  ++runner.numDone;
  runner.suspend();
  // Nothing resumes a finished fiber.
  std::abort();
}

bool BlockRunner::run(const LaunchConfig &config, const uint32_t blockId[3],
                      const Schedule &order, std::string &error) {
  launch = &config;
  schedule = order;
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
    fiber.exchanges = 0;
    // A block that failed leaves its copies queued.
    fiber.copies.clear();
    fiber.groupEnds.clear();
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
    warps[w].exchanged = 0;
  }
  numDone = 0;
  atBarrier = 0;
  failed = false;

  activeRunner = this;
  for (;;) {
    bool ran = false;
    for (uint32_t t = first(); t < numThreads && !failed; t = after(t)) {
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

uint32_t BlockRunner::nextReady(uint32_t self) const {
  if (schedule.warpsAhead) {
    // The other lanes of self's warp, in order from self on, wrapping.
    const Warp &warp = warps[self / kWarpSize];
    uint32_t lane = self - warp.first;
    for (uint32_t i = 1; i < warp.size; ++i) {
      uint32_t next = schedule.reverse ? (lane + warp.size - i) % warp.size
                                       : (lane + i) % warp.size;
      if (fibers[warp.first + next].state == State::Ready)
        return warp.first + next;
    }
  }
  for (uint32_t t = after(self); t < numThreads; t = after(t))
    if (fibers[t].state == State::Ready)
      return t;
  return numThreads;
}

void BlockRunner::suspend() {
  Fiber *self = current;
  uint32_t next = nextReady(self->linear);
  if (next < numThreads) {
    current = &fibers[next];
    switchFiber(self->context, fibers[next].context);
    return;
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

void BlockRunner::exchange(const void *mine, void *all, int32_t bytes) {
  if (bytes < 1 || bytes > kMaxExchangeBytes)
    fail("warp_exchange of %d bytes; expected 1 to %d", bytes,
         kMaxExchangeBytes);
  Fiber &self = *current;
  uint32_t w = self.linear / kWarpSize;
  Warp &warp = warps[w];
  // Lanes that disagree would read each other's values at the wrong
  // offsets; the first to arrive sets the size for the rest.
  if (!warp.exchanged)
    warp.exchangeBytes = bytes;
  else if (bytes != warp.exchangeBytes)
    fail("warp_exchange of %d bytes in warp %u, whose other lanes exchange %d",
         bytes, w, warp.exchangeBytes);
  size_t size = static_cast<size_t>(bytes);
  // Alternating slots, for the reason given in shuffle(): a lane's next
  // exchange cannot reach this one's slots before every lane has copied
  // them out.
  uint8_t *slots = warp.exchangeSlots[self.exchanges++ & 1];
  std::memcpy(slots + self.linear % kWarpSize * size, mine, size);
  if (++warp.exchanged == warp.size) {
    warp.exchanged = 0;
    for (uint32_t t = warp.first; t < warp.first + warp.size; ++t)
      fibers[t].state = State::Ready;
  } else {
    self.state = State::AtExchange;
    suspend();
  }
  // The slots of missing lanes may hold an earlier block's values.
  std::memcpy(all, slots, warp.size * size);
  std::memset(static_cast<uint8_t *>(all) + warp.size * size, 0,
              (kWarpSize - warp.size) * size);
}

void BlockRunner::asyncCopy(void *dst, const void *src, int32_t bytes,
                            int32_t srcBytes) {
  if (bytes != 4 && bytes != 8 && bytes != 16)
    fail("async_copy of %d bytes; expected 4, 8 or 16", bytes);
  if (srcBytes < 0 || srcBytes > bytes)
    fail("async_copy of %d bytes, %d of them from the source; expected 0 to "
         "%d",
         bytes, srcBytes, bytes);
  // Integers, not pointers: dst may point anywhere, and subtracting
  // pointers into different objects is undefined.
  uintptr_t to = reinterpret_cast<uintptr_t>(dst);
  uintptr_t from = reinterpret_cast<uintptr_t>(src);
  uintptr_t offset = to - reinterpret_cast<uintptr_t>(launch->shared);
  uint32_t size = static_cast<uint32_t>(bytes);
  // Below the shared memory the offset wraps around to a huge one, and
  // prints as the negative one it is.
  if (offset > launch->sharedBytes || launch->sharedBytes - offset < size)
    fail("async_copy of %d bytes to shared memory offset %lld, outside the "
         "block's %u bytes",
         bytes, static_cast<long long>(offset), launch->sharedBytes);
  if (to % size)
    fail("async_copy of %d bytes to shared memory offset %lld, not aligned "
         "to %d",
         bytes, static_cast<long long>(offset), bytes);
  if (from % size)
    fail("async_copy of %d bytes from %p, not aligned to %d", bytes, src,
         bytes);
  if (schedule.earlyCopies) {
    if (srcBytes)
      std::memcpy(dst, src, size_t(srcBytes));
    std::memset(static_cast<unsigned char *>(dst) + srcBytes, 0,
                size_t(bytes - srcBytes));
    return;
  }
  current->copies.push_back({static_cast<unsigned char *>(dst),
                             static_cast<const unsigned char *>(src), size,
                             static_cast<uint32_t>(srcBytes)});
}

void BlockRunner::asyncCommit() {
  Fiber &self = *current;
  self.groupEnds.push_back(static_cast<uint32_t>(self.copies.size()));
}

void BlockRunner::asyncWait(int32_t pending) {
  if (pending < 0)
    fail("async_wait with %d groups pending; expected 0 or more", pending);
  Fiber &self = *current;
  size_t groups = self.groupEnds.size();
  if (groups > static_cast<size_t>(pending))
    performCopies(self, self.groupEnds[groups - 1 - pending]);
}

void BlockRunner::performCopies(Fiber &fiber, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const AsyncCopy &copy = fiber.copies[i];
    // With nothing to read, src need not point anywhere.
    if (copy.srcBytes)
      std::memcpy(copy.dst, copy.src, copy.srcBytes);
    std::memset(copy.dst + copy.srcBytes, 0, copy.bytes - copy.srcBytes);
  }
  // Kernels keep a few dozen copies queued, so moving those still pending
  // to the front is cheap next to the copying, and keeps the memory of the
  // queue from growing over a long pipeline.
  fiber.copies.erase(fiber.copies.begin(), fiber.copies.begin() + count);
  // Groups that end by `count`, empty ones too, are complete. Forgetting
  // them changes no later wait: one that would count them among the groups
  // it leaves pending finds every older group complete as well.
  auto complete =
      std::upper_bound(fiber.groupEnds.begin(), fiber.groupEnds.end(), count);
  fiber.groupEnds.erase(fiber.groupEnds.begin(), complete);
  for (uint32_t &end : fiber.groupEnds)
    end -= static_cast<uint32_t>(count);
}

std::string BlockRunner::diagnose() const {
  char text[256];
  // Lanes of one warp at different kinds of sync point wait for each other.
  for (uint32_t w = 0; w < warps.size(); ++w) {
    const Warp &warp = warps[w];
    uint32_t shuffling = 0, exchanging = 0, waiting = 0;
    for (uint32_t t = warp.first; t < warp.first + warp.size; ++t) {
      shuffling += fibers[t].state == State::AtShuffle;
      exchanging += fibers[t].state == State::AtExchange;
      waiting += fibers[t].state == State::AtBarrier;
    }
    if ((shuffling != 0) + (exchanging != 0) + (waiting != 0) < 2)
      continue;
    std::string kinds;
    auto add = [&](uint32_t count, const char *where) {
      if (!count)
        return;
      std::snprintf(text, sizeof(text), "%s%u at %s", kinds.empty() ? "" : ", ",
                    count, where);
      kinds += text;
    };
    add(shuffling, "a shuffle");
    add(exchanging, "an exchange");
    add(waiting, "a barrier");
    std::snprintf(text, sizeof(text),
                  "threads of warp %u (threads %u-%u) wait at different sync "
                  "points: %s",
                  w, warp.first, warp.first + warp.size - 1, kinds.c_str());
    return text;
  }
  // Otherwise some threads returned before a sync point the others reached.
  for (uint32_t w = 0; w < warps.size(); ++w) {
    const Warp &warp = warps[w];
    uint32_t arrived = warp.arrived ? warp.arrived : warp.exchanged;
    if (arrived) {
      std::snprintf(text, sizeof(text),
                    "%s in warp %u (threads %u-%u) reached by %u of %u "
                    "threads; the others returned",
                    warp.arrived ? "shuffle" : "exchange", w, warp.first,
                    warp.first + warp.size - 1, arrived, warp.size);
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
