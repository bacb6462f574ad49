//===- FaultReport.h - naming the GPU thread that faulted ------*- C++ -*-===//
//
// A kernel that reads past a device buffer hits a guard page, and the
// process dies as a GPU context would; without a word, though, nobody
// knows which kernel, block and thread did it. So during a launch the
// launching thread's segmentation faults and bus errors first print that.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CUDA_EMULATOR_FAULTREPORT_H
#define SDPA_RUNTIME_CUDA_EMULATOR_FAULTREPORT_H

namespace sdpa {
namespace emu {

/// While alive, a SIGSEGV or SIGBUS on the constructing thread prints
/// "sdpa CUDA emulator: kernel <kernel>, block (x,y,z), thread (x,y,z):
/// invalid memory access at 0x..." and then goes to the handlers that were
/// there before (by default: the process dies). One at a time.
class FaultReport {
public:
  explicit FaultReport(const char *kernel);
  ~FaultReport();
  FaultReport(const FaultReport &) = delete;
  FaultReport &operator=(const FaultReport &) = delete;
};

} // namespace emu
} // namespace sdpa

#endif // SDPA_RUNTIME_CUDA_EMULATOR_FAULTREPORT_H
