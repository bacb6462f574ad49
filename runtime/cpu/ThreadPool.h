//===- ThreadPool.h - a persistent pool for kernel grid loops --*- C++ -*-===//
//
// Compiled CPU kernels run their grid loops through the runtime so that one
// set of threads serves every launch: creating threads per launch would cost
// more than small attention problems take to compute.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_RUNTIME_CPU_THREADPOOL_H
#define SDPA_RUNTIME_CPU_THREADPOOL_H

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sdpa {
namespace rt {

class ThreadPool {
public:
  /// A pool whose parallelFor runs on `numThreads` threads, the caller's
  /// included, so it starts numThreads - 1 workers. 0 means
  /// std::thread::hardware_concurrency() (at least 1).
  explicit ThreadPool(unsigned numThreads = 0);
  /// Stops and joins the workers; no parallelFor may be running.
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// The number of threads parallelFor uses, the caller's included.
  unsigned size() const { return numThreads; }

  /// Runs `body` over disjoint chunks [begin, end) covering [0, n) on the
  /// workers and the calling thread, and returns when all chunks are done.
  /// Chunks are handed out dynamically, about n / (4 * size()) indices each,
  /// so uneven chunks (causal tiles) still balance. A parallelFor called from
  /// inside a body, on any pool, runs serially on its calling thread, since
  /// the threads it would wait for may be the ones blocked in it. Calls from
  /// different threads are safe and take turns.
  void parallelFor(int64_t n,
                   const std::function<void(int64_t begin, int64_t end)> &body);

private:
  struct Job;

  void workerLoop();
  static void runChunks(Job &job);

  unsigned numThreads;
  std::vector<std::thread> workers;

  /// Held by a caller for its whole parallelFor: one job at a time.
  std::mutex submitMutex;
  /// Guards the fields below.
  std::mutex mutex;
  /// Workers wait here for a job or for stop.
  std::condition_variable wakeWorkers;
  /// The caller waits here for the workers that joined its job.
  std::condition_variable jobDone;
  /// The job open for workers to join; null between calls and once the
  /// caller has run out of chunks.
  Job *job = nullptr;
  /// Counts jobs, so a worker joins each at most once.
  uint64_t generation = 0;
  /// Workers that joined the current job and have not finished.
  unsigned running = 0;
  bool stop = false;
};

} // namespace rt
} // namespace sdpa

#endif // SDPA_RUNTIME_CPU_THREADPOOL_H
