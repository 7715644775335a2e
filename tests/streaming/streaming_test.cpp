// SPDX-License-Identifier: MIT
// Streaming: bounded queues, the backpressure controller's watermarks, and the streaming
// pipeline's order, bounded memory, error propagation and shutdown.
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/scalers.hpp"
#include "kolosal/streaming/backpressure.hpp"
#include "kolosal/streaming/pipeline.hpp"
#include "kolosal/streaming/queue.hpp"
#include "kolosal/training/linear.hpp"

#include "test_util.hpp"

namespace ks = kolosal::streaming;
namespace kd = kolosal::data;
using kolosal::test::expect_error;
using namespace std::chrono_literals;

namespace {

/// A CSV with columns id (0..rows-1), x (id / 10) and a category.
std::filesystem::path write_numbers(const kolosal::test::TempDir& dir, std::size_t rows) {
  const auto path = dir / "numbers.csv";
  std::ofstream out(path);
  out << "id,x,kind\n";
  for (std::size_t i = 0; i < rows; ++i) out << i << "," << i / 10.0 << ",k" << i % 3 << "\n";
  return path;
}

/// id and 2 * id, after a pause that makes later chunks finish before earlier ones.
kd::Frame doubled(const kd::Frame& chunk) {
  const auto ids = chunk.column("id").to_doubles();
  const auto first = static_cast<std::size_t>(ids.front());
  std::this_thread::sleep_for(std::chrono::milliseconds((first / 100) % 3 == 0 ? 6 : 0));
  std::vector<double> twice;
  for (const double id : ids) twice.push_back(2 * id);
  return kd::Frame({kd::Column::numeric("id", ids), kd::Column::numeric("twice", twice)});
}

}  // namespace

TEST_CASE("StreamingConfig and BackpressureConfig: JSON round trip and checks", "[streaming]") {
  const ks::StreamingConfig config{.chunk_rows = 10, .n_workers = 3, .queue_capacity = 2};
  CHECK(kolosal::config::from_json<ks::StreamingConfig>(kolosal::config::to_json(config)) ==
        config);
  const ks::BackpressureConfig watermarks{.high_items = 5, .low_items = 2};
  CHECK(kolosal::config::from_json<ks::BackpressureConfig>(kolosal::config::to_json(watermarks)) ==
        watermarks);
  expect_error<kolosal::ConfigError>(
      [] { ks::BackpressureController({.high_items = 2, .low_items = 2}); },
      "low_items (2) must be below high_items (2)");
  expect_error<kolosal::ConfigError>([] { ks::StreamingPipeline({.chunk_rows = 0}); },
                                     "chunk_rows must be >= 1");
}

TEST_CASE("BoundedQueue concurrency: every item arrives exactly once within capacity",
          "[streaming][concurrency]") {
  ks::BoundedQueue<int> queue(3);
  constexpr int kPerProducer = 2000;
  // Catch's assertions are not thread-safe: threads count, the main thread checks.
  std::atomic<int> refused{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        if (!queue.push(p * kPerProducer + i)) ++refused;
      }
    });
  }
  std::mutex mutex;
  std::vector<int> seen;
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      std::vector<int> mine;
      while (auto item = queue.pop()) mine.push_back(*item);
      // FIFO: each producer's items reach one consumer in the order they were pushed.
      std::lock_guard lock(mutex);
      seen.insert(seen.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : producers) t.join();
  queue.close();
  for (auto& t : consumers) t.join();
  CHECK(refused.load() == 0);
  CHECK(seen.size() == 4 * kPerProducer);
  CHECK(std::set<int>(seen.begin(), seen.end()).size() == seen.size());
  CHECK(queue.peak_size() <= 3);
  CHECK_FALSE(queue.push(1));
}

TEST_CASE("BackpressureController concurrency: producers wait from the high to the low watermark",
          "[streaming][concurrency]") {
  ks::BackpressureController control(
      {.high_items = 3, .low_items = 1, .high_bytes = 1000, .low_bytes = 500});
  REQUIRE(control.acquire(10));
  REQUIRE(control.acquire(10));
  CHECK_FALSE(control.throttled());
  REQUIRE(control.acquire(10));  // the third item reaches high_items
  CHECK(control.throttled());
  CHECK_FALSE(control.try_acquire(1));

  std::atomic<bool> admitted{false};
  std::thread producer([&] { admitted = control.acquire(10); });
  std::this_thread::sleep_for(30ms);
  CHECK_FALSE(admitted.load());
  control.release(10);  // two in flight: still above low_items
  std::this_thread::sleep_for(30ms);
  CHECK_FALSE(admitted.load());
  control.release(10);  // one in flight: at the low watermark, released
  producer.join();
  CHECK(admitted.load());
  auto stats = control.stats();
  CHECK(stats.items == 2);
  CHECK(stats.peak_items == 3);
  CHECK(stats.throttle_events == 1);
  CHECK(stats.throttled_seconds > 0.02);

  // Bytes engage it too; an item above high_bytes is admitted when nothing is in flight.
  control.release(10);
  control.release(10);
  CHECK(control.stats().items == 0);
  REQUIRE(control.try_acquire(5000));
  CHECK(control.throttled());
  control.release(5000);
  CHECK_FALSE(control.throttled());
  expect_error<kolosal::InvalidArgument>([&] { control.release(1); }, "releasing 1 bytes");

  // close() wakes a waiting producer, which gets false.
  REQUIRE(control.acquire(2000));
  std::atomic<int> result{-1};
  std::thread waiter([&] { result = control.acquire(1) ? 1 : 0; });
  std::this_thread::sleep_for(20ms);
  control.close();
  waiter.join();
  CHECK(result.load() == 0);
  CHECK_FALSE(control.acquire(1));
}

TEST_CASE("StreamingPipeline concurrency: results come out in input order, memory bounded",
          "[streaming][concurrency]") {
  kolosal::test::TempDir dir;
  const auto input = write_numbers(dir, 5000);
  const kolosal::Context serial{.n_threads = 1};  // checks read without oneTBB (see tsan preset)
  const ks::StreamingPipeline pipeline(
      {.chunk_rows = 100, .n_workers = 4, .queue_capacity = 2, .max_chunks_in_flight = 6});
  std::vector<double> ids;
  std::size_t expected_index = 0;
  const auto stats = pipeline.run(input, doubled, [&](const kd::Frame& result, std::size_t index) {
    CHECK(index == expected_index++);
    const auto chunk_ids = result.column("id").to_doubles();
    const auto twice = result.column("twice").to_doubles();
    for (std::size_t r = 0; r < chunk_ids.size(); ++r) CHECK(twice[r] == 2 * chunk_ids[r]);
    ids.insert(ids.end(), chunk_ids.begin(), chunk_ids.end());
  });
  REQUIRE(ids.size() == 5000);
  for (std::size_t i = 0; i < ids.size(); ++i) REQUIRE(ids[i] == static_cast<double>(i));
  CHECK(stats.chunks == 50);
  CHECK(stats.rows == 5000);
  CHECK(stats.input_bytes == std::filesystem::file_size(input));
  CHECK(stats.peak_queue_depth <= 2);
  CHECK(stats.peak_chunks_in_flight <= 6);
  CHECK(stats.peak_chunks_in_flight >= 2);
  CHECK(stats.rows_per_second() > 0.0);

  // A file with a header and no rows gives a CSV with the result's header only.
  {
    std::ofstream empty(dir / "empty.csv");
    empty << "id,x\n";
  }
  const auto empty_stats = pipeline.run(dir / "empty.csv", dir / "empty_out.csv",
                                        [](const kd::Frame& c) { return c.select({"x"}); });
  CHECK(empty_stats.rows == 0);
  CHECK(kolosal::io::read_file(dir / "empty_out.csv") == "x\n");

  // To a file: the same rows, one header, written atomically.
  const auto out_stats = pipeline.run(input, dir / "out.csv", doubled);
  CHECK(out_stats.rows == 5000);
  const auto written = kd::read_csv(dir / "out.csv", {}, serial);
  REQUIRE(written.rows() == 5000);
  CHECK(written.column("twice").as_double(4321) == 8642.0);
}

TEST_CASE("StreamingPipeline concurrency: a slow writer engages backpressure",
          "[streaming][concurrency]") {
  kolosal::test::TempDir dir;
  const auto input = write_numbers(dir, 3000);
  const ks::StreamingPipeline pipeline(
      {.chunk_rows = 50, .n_workers = 2, .queue_capacity = 1, .max_chunks_in_flight = 4});
  std::size_t rows = 0;
  const auto stats = pipeline.run(
      input, [](const kd::Frame& chunk) { return chunk.select({"id"}); },
      [&](const kd::Frame& result, std::size_t) {
        std::this_thread::sleep_for(1ms);
        rows += result.rows();
      });
  CHECK(rows == 3000);
  CHECK(stats.throttle_events > 0);
  CHECK(stats.peak_chunks_in_flight <= 4);
  CHECK(stats.peak_queue_depth <= 1);

  // A byte watermark smaller than one chunk still lets one chunk through at a time.
  const ks::StreamingPipeline tight({.chunk_rows = 200, .n_workers = 2, .max_bytes_in_flight = 16});
  const auto tight_stats = tight.run(
      input, [](const kd::Frame& chunk) { return chunk.select({"id"}); },
      [](const kd::Frame&, std::size_t) {});
  CHECK(tight_stats.rows == 3000);
  CHECK(tight_stats.peak_chunks_in_flight == 1);
}

TEST_CASE("StreamingPipeline concurrency: an error in a chunk stops every stage",
          "[streaming][concurrency]") {
  kolosal::test::TempDir dir;
  const auto input = write_numbers(dir, 4000);
  const ks::StreamingPipeline pipeline(
      {.chunk_rows = 100, .n_workers = 3, .queue_capacity = 2, .max_chunks_in_flight = 4});
  auto failing = [](const kd::Frame& chunk) {
    KOLOSAL_CHECK(chunk.column("id").as_double(0) != 1700.0, DataError, "bad value in x");
    return chunk.select({"id"});
  };
  expect_error<kolosal::DataError>([&] { (void)pipeline.run(input, dir / "out.csv", failing); },
                                   "StreamingPipeline: chunk 17 (rows 1700..1800 from line 1702): "
                                   "bad value in x");
  CHECK_FALSE(std::filesystem::exists(dir / "out.csv"));

  // A failing sink stops the readers and workers too.
  expect_error<kolosal::IoError>(
      [&] {
        (void)pipeline.run(input, failing, [](const kd::Frame&, std::size_t index) {
          KOLOSAL_CHECK(index < 3, IoError, "disk full");
        });
      },
      "writing results: disk full");

  // A malformed row after the typed rows: the file and line are named.
  {
    std::ofstream out(dir / "bad.csv");
    out << "id,x\n";
    for (int i = 0; i < 12000; ++i) out << i << "," << i << "\n";
    out << "12000,1,2\n";
  }
  expect_error<kolosal::DataError>(
      [&] {
        (void)pipeline.run(
            dir / "bad.csv", [](const kd::Frame& c) { return c; },
            [](const kd::Frame&, std::size_t) {});
      },
      "bad.csv:12002: expected 2 fields but found 3");
  expect_error<kolosal::IoError>(
      [&] {
        (void)pipeline.run(
            dir / "none.csv", [](const kd::Frame& c) { return c; },
            [](const kd::Frame&, std::size_t) {});
      },
      "none.csv");
}

TEST_CASE("StreamingPipeline: a fitted pipeline streams the predictions it makes in memory",
          "[streaming]") {
  kolosal::test::TempDir dir;
  const auto input = write_numbers(dir, 1000);
  const auto frame = kd::read_csv(input);
  std::vector<double> y;
  for (std::size_t i = 0; i < frame.rows(); ++i)
    y.push_back(3.0 * frame.column("x").as_double(i) + 1.0);
  kolosal::preprocessing::Pipeline fitted;
  fitted.add(std::make_unique<kolosal::preprocessing::StandardScaler>(
      kolosal::preprocessing::StandardScalerConfig{.columns = {"x"}}));
  fitted.set_model(std::make_unique<kolosal::training::LinearRegression>());
  fitted.fit(frame.select({"x"}), y);
  const ks::StreamingPipeline pipeline({.chunk_rows = 64, .n_workers = 2});
  const auto stats = pipeline.run(input, dir / "pred.csv", ks::pipeline_function(fitted));
  CHECK(stats.rows == 1000);
  const auto written = kd::read_csv(dir / "pred.csv");
  const auto expected = fitted.predict(frame.select({"x"}));
  REQUIRE(written.rows() == 1000);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    REQUIRE(written.column("prediction").as_double(i) == expected[i]);  // shortest round trip
  }
}
