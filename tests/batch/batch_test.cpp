// SPDX-License-Identifier: MIT
// Tests of the priority queue, BatchProcessor and DynamicBatcher.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "kolosal/batch/batch_processor.hpp"
#include "kolosal/batch/dynamic_batcher.hpp"
#include "kolosal/batch/priority_queue.hpp"
#include "kolosal/core/error.hpp"

#include "test_util.hpp"

namespace kb = kolosal::batch;
using namespace std::chrono_literals;

namespace {

/// A gate batch functions wait on, so a test controls when a worker is busy.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  /// Blocks until some thread is waiting at the gate.
  void await_waiter() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

template <class E, class F>
void expect_future_error(F& future, const std::string& fragment) {
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  kolosal::test::expect_error<E>([&] { (void)future.get(); }, fragment);
}

}  // namespace

TEST_CASE("PriorityQueue: priorities first, FIFO within a priority", "[batch]") {
  kb::PriorityQueue<int> q(10);
  for (int i = 0; i < 9; ++i) REQUIRE(q.push(int{i}, i % 3) == kb::PushResult::kOk);
  std::vector<int> order;
  while (auto v = q.try_pop()) order.push_back(*v);
  CHECK(order == std::vector<int>{2, 5, 8, 1, 4, 7, 0, 3, 6});
}

TEST_CASE("PriorityQueue: bounded, timeouts and close", "[batch]") {
  kb::PriorityQueue<std::unique_ptr<int>> q(2);
  CHECK(q.push(std::make_unique<int>(1)) == kb::PushResult::kOk);
  CHECK(q.push(std::make_unique<int>(2)) == kb::PushResult::kOk);
  auto item = std::make_unique<int>(3);
  CHECK(q.try_push(std::move(item)) == kb::PushResult::kTimeout);
  REQUIRE(item != nullptr);  // not taken on failure
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(q.push_until(std::move(item), 0, t0 + 20ms) == kb::PushResult::kTimeout);
  CHECK(std::chrono::steady_clock::now() - t0 >= 20ms);
  REQUIRE(item != nullptr);
  CHECK(*q.pop().value() == 1);
  CHECK(q.size() == 1);
  q.close();
  CHECK(q.push(std::move(item)) == kb::PushResult::kClosed);
  CHECK(*q.pop().value() == 2);  // drains after close
  CHECK_FALSE(q.pop().has_value());
  CHECK_FALSE(q.pop_for(10ms).has_value());
  kb::PriorityQueue<int> empty(1);
  const auto t1 = std::chrono::steady_clock::now();
  CHECK_FALSE(empty.pop_for(15ms).has_value());
  CHECK(std::chrono::steady_clock::now() - t1 >= 15ms);
  kolosal::test::expect_error<kolosal::InvalidArgument>([] { kb::PriorityQueue<int> bad(0); },
                                                        "capacity");
}

TEST_CASE("PriorityQueue: concurrency with many producers loses, duplicates and reorders nothing",
          "[batch]") {
  kb::PriorityQueue<std::pair<int, int>> q(64);
  constexpr int kProducers = 8, kItems = 3000;
  std::atomic<int> refused{0};  // Catch's assertions are not thread-safe: count, check after
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kItems; ++i) {
        if (q.push({p, i}) != kb::PushResult::kOk) refused.fetch_add(1);
      }
    });
  }
  // Two consumers; each keeps what it saw per producer, which must be increasing.
  std::vector<std::vector<std::vector<int>>> seen(2, std::vector<std::vector<int>>(kProducers));
  std::vector<std::thread> consumers;
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&, c] {
      while (auto v = q.pop()) seen[c][v->first].push_back(v->second);
    });
  }
  for (auto& t : producers) t.join();
  q.close();
  for (auto& t : consumers) t.join();
  CHECK(refused == 0);
  for (int p = 0; p < kProducers; ++p) {
    std::vector<int> all;
    for (int c = 0; c < 2; ++c) {
      CHECK(std::is_sorted(seen[c][p].begin(), seen[c][p].end()));
      all.insert(all.end(), seen[c][p].begin(), seen[c][p].end());
    }
    std::sort(all.begin(), all.end());
    std::vector<int> expected(kItems);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(all == expected);
  }
}

TEST_CASE("BatchProcessor: concurrency of many callers, each gets its own result", "[batch]") {
  std::atomic<int> calls{0};
  kb::BatchProcessorConfig config;
  config.workers = 3;
  config.max_batch_size = 16;
  config.queue_capacity = 128;
  kb::BatchProcessor<int, long> processor(
      [&](std::span<const int> in) {
        calls.fetch_add(1);
        std::vector<long> out;
        for (int v : in) out.push_back(static_cast<long>(v) * v);
        return out;
      },
      config);
  constexpr int kThreads = 16, kEach = 500;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::pair<int, kb::Ticket<long>>> tickets;
      for (int i = 0; i < kEach; ++i) {
        const int v = t * kEach + i;
        tickets.emplace_back(v, processor.submit(v));
      }
      for (auto& [v, ticket] : tickets) {
        if (ticket.get() != static_cast<long>(v) * v) wrong.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  const auto s = processor.stats().snapshot();
  CHECK(s.items == kThreads * kEach);
  CHECK(s.batches == static_cast<std::uint64_t>(calls.load()));
  CHECK(s.batch_size.max <= 16.0);
  CHECK(s.queue_time.count == kThreads * kEach);
}

TEST_CASE("BatchProcessor: timeouts, cancellation and priorities", "[batch]") {
  Gate gate;
  std::mutex order_mutex;
  std::vector<int> order;
  kb::BatchProcessorConfig config;
  config.max_batch_size = 1;
  kb::BatchProcessor<int, int> processor(
      [&](std::span<const int> in) {
        if (in[0] == -1) gate.wait();
        std::lock_guard lock(order_mutex);
        order.push_back(in[0]);
        return std::vector<int>{in[0] + 1000};
      },
      config);
  auto blocker = processor.submit(-1);
  gate.await_waiter();  // the only worker is now busy

  auto timed_out = processor.submit(1, {.priority = 0, .timeout = 5ms});
  auto cancelled = processor.submit(2);
  auto low = processor.submit(3, {.priority = 0});
  auto high = processor.submit(4, {.priority = 5});
  CHECK(cancelled.cancel());
  CHECK_FALSE(cancelled.cancel());
  std::this_thread::sleep_for(10ms);
  gate.open();
  CHECK(blocker.get() == 999);
  CHECK(high.get() == 1004);
  CHECK(low.get() == 1003);
  CHECK_FALSE(high.cancel());  // too late: done
  expect_future_error<kb::RequestTimeout>(timed_out.future(), "timed out");
  expect_future_error<kb::RequestCancelled>(cancelled.future(), "cancelled");
  CHECK(order == std::vector<int>{-1, 4, 3});
}

TEST_CASE("BatchProcessor: errors of the batch function reach every request", "[batch]") {
  Gate gate;
  kb::BatchProcessorConfig config;
  config.max_batch_size = 8;
  kb::BatchProcessor<int, int> processor(
      [&](std::span<const int> in) -> std::vector<int> {
        if (in[0] == 0) {
          gate.wait();
          return {0};
        }
        if (in[0] == 1) throw kolosal::DataError("bad row");
        return {};  // wrong count
      },
      config);
  auto first = processor.submit(0);
  gate.await_waiter();
  std::vector<kb::Ticket<int>> failing;
  for (int i = 0; i < 3; ++i) failing.push_back(processor.submit(1));
  gate.open();
  CHECK(first.get() == 0);
  for (auto& t : failing) expect_future_error<kolosal::DataError>(t.future(), "bad row");
  auto wrong = processor.submit(2);
  expect_future_error<kolosal::ShapeMismatch>(wrong.future(), "returned 0 outputs for 1 inputs");
  const auto s = processor.stats().snapshot();
  CHECK(s.failed_batches == 2);
  CHECK(s.batches == 3);

  kb::BatchProcessorConfig bad;
  bad.min_batch_size = 9;
  bad.max_batch_size = 8;
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] {
        kb::BatchProcessor<int, int> p(
            [](std::span<const int> in) { return std::vector<int>(in.begin(), in.end()); }, bad);
      },
      "min_batch_size");
}

TEST_CASE("BatchProcessor: concurrency of shutdown with requests in flight", "[batch]") {
  for (auto mode : {kb::ShutdownMode::kDrain, kb::ShutdownMode::kCancel}) {
    kb::BatchProcessorConfig config;
    config.workers = 2;
    config.max_batch_size = 4;
    config.queue_capacity = 16;
    auto processor = std::make_unique<kb::BatchProcessor<int, int>>(
        [](std::span<const int> in) {
          std::this_thread::sleep_for(100us);
          return std::vector<int>(in.begin(), in.end());
        },
        config);
    std::atomic<bool> stop{false};
    std::atomic<int> done{0}, closed{0}, wrong{0}, hung{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; !stop.load() || i < 50; ++i) {
          auto ticket = processor->submit(t * 100000 + i);
          if (ticket.wait_for(20s) != std::future_status::ready) {
            hung.fetch_add(1);
            return;
          }
          try {
            if (ticket.get() != t * 100000 + i) wrong.fetch_add(1);
            done.fetch_add(1);
          } catch (const kb::ProcessorClosed&) {
            closed.fetch_add(1);
            if (stop.load()) return;
          }
        }
      });
    }
    std::this_thread::sleep_for(20ms);
    processor->shutdown(mode);  // callers are still submitting
    stop = true;
    for (auto& t : threads) t.join();
    processor.reset();
    CHECK(hung == 0);
    CHECK(wrong == 0);
    CHECK(done > 0);
    CHECK(closed > 0);  // submissions after shutdown fail, they do not hang
  }
}

TEST_CASE("BatchProcessor: adaptive batch size grows under load and shrinks to the target",
          "[batch]") {
  std::atomic<int> cost_us{200};
  kb::BatchProcessorConfig config;
  config.max_batch_size = 64;
  config.min_batch_size = 1;
  config.latency_target = 6000us;
  config.queue_capacity = 10000;
  kb::BatchProcessor<int, int> processor(
      [&](std::span<const int> in) {
        std::this_thread::sleep_for(std::chrono::microseconds(cost_us.load()) *
                                    static_cast<int>(in.size()));
        return std::vector<int>(in.begin(), in.end());
      },
      config);
  CHECK(processor.current_batch_size() == 1);
  std::vector<kb::Ticket<int>> tickets;
  for (int i = 0; i < 1500; ++i) tickets.push_back(processor.submit(i));
  for (auto& t : tickets) (void)t.get();
  const auto grown = processor.current_batch_size();
  // At >= 200 us per item the rule never predicts more than 6 ms / 200 us = 30 per batch.
  CHECK(grown > 8);
  CHECK(grown <= 30);
  CHECK(processor.stats().snapshot().batch_size.max <= 30.0);

  cost_us = 2000;  // five times dearer: batches above 3 miss the target and shrink
  tickets.clear();
  for (int i = 0; i < 200; ++i) tickets.push_back(processor.submit(i));
  for (auto& t : tickets) (void)t.get();
  CHECK(processor.current_batch_size() <= 3);
}

TEST_CASE("DynamicBatcher: gathers up to the maximum wait and size", "[batch]") {
  kb::DynamicBatcherConfig config;
  config.max_batch_size = 8;
  config.max_wait = 200ms;
  std::atomic<int> calls{0};
  kb::DynamicBatcher<double, double> batcher(
      [&](std::span<const double> in) {
        calls.fetch_add(1);
        std::vector<double> out;
        for (double v : in) out.push_back(2 * v);
        return out;
      },
      config);
  // Five requests arrive well within the wait: one batch of five, sent when the wait ends.
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::future<double>> futures;
  for (int i = 0; i < 5; ++i) futures.push_back(batcher.submit(i));
  for (int i = 0; i < 5; ++i) CHECK(futures[i].get() == 2.0 * i);
  CHECK(std::chrono::steady_clock::now() - t0 >= 190ms);
  CHECK(calls == 1);
  // Twenty requests: full batches of eight leave without waiting, the rest waits.
  futures.clear();
  for (int i = 0; i < 20; ++i) futures.push_back(batcher.submit(i));
  for (int i = 0; i < 20; ++i) CHECK(futures[i].get() == 2.0 * i);
  const auto s = batcher.stats().snapshot();
  CHECK(s.batches == 4);  // 5, then 8 + 8 + 4
  CHECK(s.batch_size.max == 8.0);
  CHECK(s.items == 25);
  CHECK(batcher.call(21.0) == 42.0);
}

TEST_CASE("DynamicBatcher: concurrency of 64 callers, shutdown never hangs", "[batch]") {
  kb::DynamicBatcherConfig config;
  config.max_batch_size = 32;
  config.max_wait = 500us;
  config.workers = 2;
  auto batcher = std::make_unique<kb::DynamicBatcher<std::vector<double>, double>>(
      [](std::span<const std::vector<double>> rows) {
        std::vector<double> out;
        for (const auto& r : rows) out.push_back(std::accumulate(r.begin(), r.end(), 0.0));
        return out;
      },
      config);
  std::atomic<int> wrong{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const double v = t * 1000.0 + i;
        if (batcher->call({v, 1.0, -1.0}) != v) wrong.fetch_add(1);
        done.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  CHECK(done == 6400);
  const auto s = batcher->stats().snapshot();
  CHECK(s.items == 6400);
  CHECK(s.batch_size.mean > 1.5);  // many callers waiting at once share batches
  // After a cancelling shutdown, new requests fail at once instead of waiting.
  std::vector<std::future<double>> pending;
  batcher->shutdown(kb::ShutdownMode::kCancel);
  pending.push_back(batcher->submit({1.0}));
  expect_future_error<kb::ProcessorClosed>(pending.back(), "shut down");
  batcher.reset();
}
