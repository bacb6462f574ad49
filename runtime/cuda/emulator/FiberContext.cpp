//===- FiberContext.cpp - fiber stacks and the x86-64 stack switch --------===//
//
// The switch keeps the registers the SysV ABI makes callee-saved: rbx, rbp,
// r12-r15. Everything else is dead across a call, which is all a switch is
// to the compiler. The SSE and x87 control words are callee-saved too, but
// all fibers run on one thread with its floating-point modes and kernels
// never change them, so they are left alone: saving them costs more than
// the rest of the switch.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/FiberContext.h"

#include <cstdint>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef VALGRIND_STACK_REGISTER
#define VALGRIND_STACK_REGISTER(begin, end) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

#if SDPA_EMU_FAST_SWITCH
// The state is pushed below the return address, so a new fiber's first
// switch "returns" into its entry function (see makeFiberContext).
asm(R"(
  .pushsection .text
  .p2align 4
  .globl sdpaEmuSwitchStack
  .hidden sdpaEmuSwitchStack
  .type sdpaEmuSwitchStack, @function
sdpaEmuSwitchStack:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size sdpaEmuSwitchStack, .-sdpaEmuSwitchStack
  .popsection
)");
#endif

namespace sdpa {
namespace emu {

void makeFiberContext(FiberContext &context, void *stack, size_t bytes,
                      void (*entry)()) {
#if SDPA_EMU_FAST_SWITCH
  // What sdpaEmuSwitchStack pops, lowest address first: r15, r14, r13, r12,
  // rbx, rbp, the return address; then a null return address for `entry`
  // that ends backtraces. `entry` starts with the stack pointer 8 bytes
  // below a 16-byte boundary, as after a call.
  uintptr_t top = (reinterpret_cast<uintptr_t>(stack) + bytes) &
                  ~static_cast<uintptr_t>(15);
  uint64_t *frame = reinterpret_cast<uint64_t *>(top - 8 * sizeof(uint64_t));
  for (int i = 0; i < 6; ++i)
    frame[i] = 0;
  frame[6] = reinterpret_cast<uint64_t>(entry);
  frame[7] = 0;
  context.stackPointer = frame;
#else
  getcontext(&context.context);
  context.context.uc_stack.ss_sp = stack;
  context.context.uc_stack.ss_size = bytes;
  context.context.uc_link = nullptr;
  makecontext(&context.context, entry, 0);
#endif
}

StackPool::~StackPool() {
  for (const Stack &s : stacks) {
    VALGRIND_STACK_DEREGISTER(s.valgrindId);
    ::munmap(s.mapping, s.mappingBytes);
  }
}

bool StackPool::reserve(size_t count) {
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  while (stacks.size() < count) {
    size_t bytes = page + kStackBytes;
    void *mapping =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED)
      return false;
    if (::mprotect(mapping, page, PROT_NONE) != 0) {
      ::munmap(mapping, bytes);
      return false;
    }
    char *base = static_cast<char *>(mapping) + page;
    // Valgrind takes a jump of the stack pointer between two stacks closer
    // than 2 MB for a huge frame unless it knows the stacks.
    unsigned id = VALGRIND_STACK_REGISTER(base, base + kStackBytes);
    stacks.push_back({mapping, bytes, base, id});
  }
  return true;
}

} // namespace emu
} // namespace sdpa
