//===- FiberContext.h - switching between fibers on one thread --*- C++ -*-===//
//
// The emulator runs every GPU thread of a block as a fiber on the launching
// OS thread. glibc's swapcontext saves and restores the signal mask with a
// system call on every switch, which costs microseconds under virtualisation,
// and a kernel switches fibers at every barrier and shuffle of every thread:
// so x86-64 gets a switch that saves only the callee-saved registers (as
// boost.context does), and other architectures fall back to ucontext.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_FIBERCONTEXT_H
#define SDPA_RUNTIME_CUDA_EMULATOR_FIBERCONTEXT_H

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__x86_64__) && !defined(SDPA_EMU_USE_UCONTEXT)
#define SDPA_EMU_FAST_SWITCH 1
#else
#define SDPA_EMU_FAST_SWITCH 0
#include <ucontext.h>
#endif

#if SDPA_EMU_FAST_SWITCH
/// Saves the callee-saved state on the current stack, stores the stack
/// pointer in *save and resumes the state saved at `load` (FiberContext.cpp).
extern "C" void sdpaEmuSwitchStack(void **save, void *load);
#endif

namespace sdpa {
namespace emu {

/// The saved state of a fiber, or of the thread that runs the fibers.
struct FiberContext {
#if SDPA_EMU_FAST_SWITCH
  void *stackPointer = nullptr;
#else
  ucontext_t context;
#endif
};

/// Prepares `context` to call `entry` on `stack` (`bytes` long, growing
/// down from its end) when first switched to. `entry` must never return: it
/// ends by switching away for good.
void makeFiberContext(FiberContext &context, void *stack, size_t bytes,
                      void (*entry)());

/// Saves the running state in `from` and resumes `to`; returns when some
/// fiber switches back to `from`.
inline void switchFiber(FiberContext &from, FiberContext &to) {
#if SDPA_EMU_FAST_SWITCH
  sdpaEmuSwitchStack(&from.stackPointer, to.stackPointer);
#else
  swapcontext(&from.context, &to.context);
#endif
}

/// Fiber stacks, each above a PROT_NONE guard page so that an overflow
/// faults, allocated on first use and kept for the next blocks and launches.
class StackPool {
public:
  static constexpr size_t kStackBytes = 256 * 1024;

  StackPool() = default;
  ~StackPool();
  StackPool(const StackPool &) = delete;
  StackPool &operator=(const StackPool &) = delete;

  /// Makes sure stacks 0..count-1 exist; false when memory runs out.
  bool reserve(size_t count);
  /// The lowest usable address of stack `index` (reserved before).
  void *stack(size_t index) const { return stacks[index].base; }
  /// Whether `address` lies in the guard page below stack `index`.
  bool inGuard(uintptr_t address, size_t index) const {
    return address >= reinterpret_cast<uintptr_t>(stacks[index].mapping) &&
           address < reinterpret_cast<uintptr_t>(stacks[index].base);
  }

private:
  struct Stack {
    void *mapping;
    size_t mappingBytes;
    void *base;
    unsigned valgrindId;
  };
  std::vector<Stack> stacks;
};

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_FIBERCONTEXT_H
