//===- ThreadPool.cpp - a persistent pool for kernel grid loops -----------===//
//
// One job at a time: the caller publishes it, wakes as many workers as there
// are chunks for, and takes chunks itself from the shared counter. Once the
// counter is exhausted the caller closes the job, so workers that wake late
// do not join it, and waits only for the workers that did join. Workers sleep
// on a condition variable between jobs.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/ThreadPool.h"

#include <algorithm>
#include <atomic>

namespace sdpa {
namespace rt {

/// Set while this thread runs a parallelFor body (and for good on workers),
/// so that nested calls run serially instead of waiting on busy threads.
static thread_local bool insideParallelFor = false;

struct ThreadPool::Job {
  const std::function<void(int64_t, int64_t)> *body;
  uint64_t n;
  uint64_t chunk;
  // Unsigned so that each thread's final, failing fetch_add cannot overflow
  // even for n near INT64_MAX.
  std::atomic<uint64_t> next{0};
};

ThreadPool::ThreadPool(unsigned requested) {
  numThreads = requested ? requested : std::thread::hardware_concurrency();
  numThreads = std::max(numThreads, 1u);
  workers.reserve(numThreads - 1);
  for (unsigned i = 1; i < numThreads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
  }
  wakeWorkers.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

void ThreadPool::runChunks(Job &job) {
  while (true) {
    uint64_t begin = job.next.fetch_add(job.chunk, std::memory_order_relaxed);
    if (begin >= job.n)
      return;
    uint64_t end = std::min(job.n, begin + job.chunk);
    (*job.body)(static_cast<int64_t>(begin), static_cast<int64_t>(end));
  }
}

void ThreadPool::workerLoop() {
  insideParallelFor = true;
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    wakeWorkers.wait(lock, [&] { return stop || (job && generation != seen); });
    if (stop)
      return;
    seen = generation;
    Job *current = job;
    ++running;
    lock.unlock();
    runChunks(*current);
    lock.lock();
    if (--running == 0 && !job)
      jobDone.notify_one();
  }
}

void ThreadPool::parallelFor(
    int64_t n, const std::function<void(int64_t, int64_t)> &body) {
  if (n <= 0)
    return;
  if (numThreads == 1 || n == 1 || insideParallelFor) {
    bool wasInside = insideParallelFor;
    insideParallelFor = true;
    body(0, n);
    insideParallelFor = wasInside;
    return;
  }

  Job current;
  current.body = &body;
  current.n = static_cast<uint64_t>(n);
  current.chunk = std::max<uint64_t>(1, current.n / (4 * uint64_t(numThreads)));
  uint64_t numChunks = (current.n + current.chunk - 1) / current.chunk;
  // The caller takes chunks too, so one chunk needs no worker at all.
  unsigned toWake =
      static_cast<unsigned>(std::min<uint64_t>(workers.size(), numChunks - 1));

  std::lock_guard<std::mutex> submitLock(submitMutex);
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = &current;
    ++generation;
  }
  // A worker not yet waiting misses its notification but sees the open job
  // when it next checks the predicate.
  for (unsigned i = 0; i < toWake; ++i)
    wakeWorkers.notify_one();

  insideParallelFor = true;
  runChunks(current);
  insideParallelFor = false;

  // Every chunk has been claimed: close the job so that no worker joins it
  // any more, then wait for those still running theirs, since `current`
  // lives on this stack.
  std::unique_lock<std::mutex> lock(mutex);
  job = nullptr;
  jobDone.wait(lock, [&] { return running == 0; });
}

} // namespace rt
} // namespace sdpa
