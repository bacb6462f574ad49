//===- FaultReport.cpp - naming the GPU thread that faulted ---------------===//
//
// The handler runs on its own stack, since the fault may be a fiber's stack
// overflow, and uses only async-signal-safe calls. It puts the previous
// handlers back and returns: the faulting access runs again and faults
// into them, so a host process's own handlers still see every fault.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/emulator/FaultReport.h"

#include "runtime/cuda/emulator/BlockRunner.h"

#include <csignal>
#include <cstdint>
#include <cstring>
#include <sys/syscall.h>
#include <unistd.h>

namespace sdpa {
namespace emu {

static const char *faultKernel = "";
static long launchingThread = 0;
static struct sigaction previousSegv, previousBus;
static stack_t previousStack;
alignas(16) static char handlerStack[64 * 1024];

/// Appends `text` to [out, end).
static void append(char *&out, char *end, const char *text) {
  while (*text && out < end)
    *out++ = *text++;
}

static void appendNumber(char *&out, char *end, uint64_t value, unsigned base) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = "0123456789abcdef"[value % base];
    value /= base;
  } while (value);
  while (count && out < end)
    *out++ = digits[--count];
}

static void appendDims(char *&out, char *end, const uint32_t *dims) {
  append(out, end, "(");
  for (int i = 0; i < 3; ++i) {
    if (i)
      append(out, end, ",");
    appendNumber(out, end, dims[i], 10);
  }
  append(out, end, ")");
}

static void onFault(int signal, siginfo_t *info, void *) {
  sigaction(SIGSEGV, &previousSegv, nullptr);
  sigaction(SIGBUS, &previousBus, nullptr);
  if (syscall(SYS_gettid) != launchingThread)
    return;
  char text[512];
  char *out = text, *end = text + sizeof(text) - 1;
  append(out, end, "sdpa CUDA emulator: kernel ");
  append(out, end, faultKernel);
  uintptr_t address = reinterpret_cast<uintptr_t>(info->si_addr);
  const BlockRunner *runner = BlockRunner::active();
  if (runner) {
    append(out, end, ", block ");
    appendDims(out, end, runner->runningBlock());
    if (const uint32_t *thread = runner->runningThread()) {
      append(out, end, ", thread ");
      appendDims(out, end, thread);
    }
  }
  append(out, end,
         signal == SIGBUS ? ": bus error at 0x"
                          : ": invalid memory access at 0x");
  appendNumber(out, end, address, 16);
  if (runner && runner->overflowsStack(address))
    append(out, end, " (stack overflow: a GPU thread has 256 KiB)");
  *out++ = '\n';
  ssize_t ignored = write(STDERR_FILENO, text, out - text);
  (void)ignored;
}

FaultReport::FaultReport(const char *kernel) {
  faultKernel = kernel;
  launchingThread = syscall(SYS_gettid);
  stack_t stack = {};
  stack.ss_sp = handlerStack;
  stack.ss_size = sizeof(handlerStack);
  sigaltstack(&stack, &previousStack);
  struct sigaction action = {};
  action.sa_sigaction = onFault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &previousSegv);
  sigaction(SIGBUS, &action, &previousBus);
}

FaultReport::~FaultReport() {
  sigaction(SIGSEGV, &previousSegv, nullptr);
  sigaction(SIGBUS, &previousBus, nullptr);
  sigaltstack(&previousStack, nullptr);
}

} // namespace emu
} // namespace sdpa
