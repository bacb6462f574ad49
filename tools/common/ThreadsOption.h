//===- ThreadsOption.h - the tools' --threads=N option ----------*- C++ -*-===//
//
// libLLVM already registers a command-line option named "threads", and a
// second cl::opt of that name aborts at startup, so the tools take their
// --threads=N out of argv by hand before parsing the rest.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_TOOLS_COMMON_THREADSOPTION_H
#define SDPA_TOOLS_COMMON_THREADSOPTION_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace sdpa {

/// Removes every --threads=N (or -threads=N) from argv and stores N in
/// `threads`. Fails, with `error` set, when N is not a positive number.
inline bool takeThreadsOption(int &argc, char **argv, unsigned &threads,
                              std::string &error) {
  int kept = 0;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (i > 0 &&
        (arg.consume_front("--threads=") || arg.consume_front("-threads="))) {
      if (arg.getAsInteger(10, threads) || threads == 0) {
        error = "--threads wants a positive number, got '" + arg.str() + "'";
        return false;
      }
      continue;
    }
    argv[kept++] = argv[i];
  }
  argc = kept;
  return true;
}

} // namespace sdpa

#endif // SDPA_TOOLS_COMMON_THREADSOPTION_H
