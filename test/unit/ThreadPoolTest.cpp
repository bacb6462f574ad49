//===- ThreadPoolTest.cpp - tests of the kernel thread pool ---------------===//
//
// A grid index visited twice or never is a wrong attention output, so every
// test counts visits per index. Nested and concurrent calls are where a wrong
// pool deadlocks, so a regression there shows up as a hung test.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/ThreadPool.h"

#include "gtest/gtest.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace sdpa::rt;

/// Runs parallelFor over [0, n) and checks each index is visited once and
/// each chunk is well formed.
static void expectEachIndexOnce(ThreadPool &pool, int64_t n) {
  std::unique_ptr<std::atomic<int>[]> visits(
      new std::atomic<int>[n > 0 ? n : 1]);
  for (int64_t i = 0; i < n; ++i)
    visits[i] = 0;
  std::atomic<bool> badChunk{false};
  pool.parallelFor(n, [&](int64_t begin, int64_t end) {
    if (begin < 0 || end > n || begin >= end)
      badChunk = true;
    for (int64_t i = begin; i < end && i < n && i >= 0; ++i)
      visits[i].fetch_add(1, std::memory_order_relaxed);
  });
  EXPECT_FALSE(badChunk) << "n = " << n;
  int64_t wrong = 0;
  for (int64_t i = 0; i < n; ++i)
    wrong += visits[i] != 1;
  EXPECT_EQ(wrong, 0) << "n = " << n << ", threads = " << pool.size();
}

TEST(ThreadPoolTest, SizeDefaultsToHardware) {
  ThreadPool pool;
  unsigned hardware = std::thread::hardware_concurrency();
  EXPECT_EQ(pool.size(), hardware ? hardware : 1u);
  EXPECT_EQ(ThreadPool(3).size(), 3u);
  EXPECT_EQ(ThreadPool(1).size(), 1u);
}

TEST(ThreadPoolTest, VisitsEachIndexOnce) {
  for (unsigned threads : {1u, 2u, 8u}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 31, 1000, 100003})
      expectEachIndexOnce(pool, n);
  }
}

TEST(ThreadPoolTest, NegativeCountRunsNothing) {
  ThreadPool pool(4);
  std::atomic<int> calls{0};
  pool.parallelFor(-5, [&](int64_t, int64_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(ThreadPoolTest, RepeatedCalls) {
  ThreadPool pool(8);
  for (int round = 0; round < 2000; ++round)
    expectEachIndexOnce(pool, round % 37);
  for (int round = 0; round < 20; ++round)
    expectEachIndexOnce(pool, 100003);
}

TEST(ThreadPoolTest, SingleThreadRunsOnCaller) {
  ThreadPool pool(1);
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> elsewhere{false};
  int calls = 0;
  pool.parallelFor(1000, [&](int64_t begin, int64_t end) {
    elsewhere = elsewhere || std::this_thread::get_id() != caller;
    ++calls;
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 1000);
  });
  EXPECT_FALSE(elsewhere);
  EXPECT_EQ(calls, 1);
}

TEST(ThreadPoolTest, UsesWorkersAndCaller) {
  ThreadPool pool(4);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  int64_t chunks = 0;
  // Slow chunks give every worker time to wake and take some.
  pool.parallelFor(64, [&](int64_t begin, int64_t end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
    ++chunks;
  });
  // About n / (4 * threads) indices per chunk.
  EXPECT_EQ(chunks, 16);
  EXPECT_GT(threads.size(), 1u);
  EXPECT_LE(threads.size(), 4u);
}

TEST(ThreadPoolTest, NestedCallRunsSerially) {
  ThreadPool pool(4);
  const int64_t outer = 64, inner = 100;
  std::vector<std::atomic<int>> visits(outer * inner);
  std::atomic<bool> innerMovedThread{false};
  pool.parallelFor(outer, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::thread::id self = std::this_thread::get_id();
      pool.parallelFor(inner, [&](int64_t b, int64_t e) {
        if (std::this_thread::get_id() != self)
          innerMovedThread = true;
        for (int64_t j = b; j < e; ++j)
          ++visits[i * inner + j];
      });
    }
  });
  EXPECT_FALSE(innerMovedThread);
  for (auto &count : visits)
    ASSERT_EQ(count, 1);
  // The pool still works in parallel afterwards.
  expectEachIndexOnce(pool, 1000);
}

TEST(ThreadPoolTest, NestedCallOnAnotherPool) {
  ThreadPool outerPool(3), innerPool(3);
  std::atomic<int64_t> sum{0};
  outerPool.parallelFor(30, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      innerPool.parallelFor(10, [&](int64_t b, int64_t e) { sum += e - b; });
  });
  EXPECT_EQ(sum, 300);
}

TEST(ThreadPoolTest, ConcurrentCallersTakeTurns) {
  ThreadPool pool(4);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        int64_t n = 1 + round * 13 % 997;
        std::vector<std::atomic<int>> visits(n);
        pool.parallelFor(n, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i)
            ++visits[i];
        });
        for (auto &count : visits)
          failures += count != 1;
      }
    });
  }
  for (std::thread &caller : callers)
    caller.join();
  EXPECT_EQ(failures, 0);
}

TEST(ThreadPoolTest, ResultsVisibleAfterReturn) {
  // Plain (non-atomic) writes from workers must be visible to the caller once
  // parallelFor returns.
  ThreadPool pool(8);
  std::vector<int64_t> out(100003, -1);
  for (int round = 0; round < 10; ++round) {
    pool.parallelFor(static_cast<int64_t>(out.size()),
                     [&](int64_t begin, int64_t end) {
                       for (int64_t i = begin; i < end; ++i)
                         out[i] = i * round;
                     });
    for (size_t i = 0; i < out.size(); ++i)
      ASSERT_EQ(out[i], static_cast<int64_t>(i) * round);
  }
}
