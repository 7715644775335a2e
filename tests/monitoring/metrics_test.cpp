// SPDX-License-Identifier: MIT
// Tests of the log-linear histogram, PerformanceMetrics and BatchStats.
#include "kolosal/monitoring/metrics.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "kolosal/core/error.hpp"
#include "kolosal/monitoring/histogram.hpp"

#include "test_util.hpp"

namespace km = kolosal::monitoring;
using namespace std::chrono_literals;

namespace {

/// The nearest-rank q-quantile of sorted samples: the sample of rank ceil(q * n).
std::uint64_t exact_quantile(const std::vector<std::uint64_t>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * n)));
  return sorted[rank - 1];
}

/// A clock the test moves by hand.
struct ManualClock {
  std::shared_ptr<std::chrono::steady_clock::time_point> t =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::hours(1));
  km::Clock fn() const {
    return [t = t] { return *t; };
  }
  void advance(std::chrono::nanoseconds d) const { *t += d; }
};

}  // namespace

TEST_CASE("Histogram: buckets tile the integers with bounded width", "[monitoring]") {
  for (int p : {1, 3, 7, 10}) {
    const std::size_t n = km::Histogram::bucket_count(p);
    CHECK(km::Histogram::bucket_low(0, p) == 0);
    for (std::size_t i = 0; i + 1 < n; ++i) {
      REQUIRE(km::Histogram::bucket_high(i, p) + 1 == km::Histogram::bucket_low(i + 1, p));
      const auto lo = km::Histogram::bucket_low(i, p);
      const auto hi = km::Histogram::bucket_high(i, p);
      REQUIRE(km::Histogram::bucket_of(lo, p) == i);
      REQUIRE(km::Histogram::bucket_of(hi, p) == i);
      // width / low <= 2^-p
      REQUIRE(static_cast<double>(hi - lo) <= std::ldexp(static_cast<double>(lo), -p));
    }
    CHECK(km::Histogram::bucket_high(n - 1, p) == UINT64_MAX);
    CHECK(km::Histogram::bucket_of(UINT64_MAX, p) == n - 1);
  }
}

TEST_CASE("Histogram: quantiles match sorted samples within the stated error", "[monitoring]") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> lat(std::log(2e6), 1.2);  // around 2 ms in ns
  for (int p : {4, 7}) {
    km::Histogram h(p);
    std::vector<std::uint64_t> samples;
    for (int i = 0; i < 20000; ++i) {
      const auto v = static_cast<std::uint64_t>(lat(rng));
      samples.push_back(v);
      h.record(v);
    }
    samples.push_back(3);  // small values are exact
    h.record(3);
    std::sort(samples.begin(), samples.end());
    const auto snap = h.snapshot();
    CHECK(snap.count() == samples.size());
    CHECK(snap.min() == samples.front());
    CHECK(snap.max() == samples.back());
    CHECK(snap.relative_error() == std::ldexp(1.0, -(p + 1)));
    for (double q : {0.0, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
      const auto exact = static_cast<double>(exact_quantile(samples, q));
      INFO("p=" << p << " q=" << q);
      CHECK(std::abs(snap.quantile(q) - exact) <= snap.relative_error() * exact);
    }
    CHECK(snap.quantile(0.0) == static_cast<double>(samples.front()));
    CHECK(snap.quantile(1.0) == static_cast<double>(samples.back()));
  }
}

TEST_CASE("Histogram: merge equals recording into one", "[monitoring]") {
  km::Histogram a(6), b(6), both(6);
  for (std::uint64_t v = 1; v < 5000; v += 7) {
    (v % 2 ? a : b).record(v * v);
    both.record(v * v);
  }
  auto merged = a.snapshot();
  merged.merge(b.snapshot());
  const auto ref = both.snapshot();
  CHECK(merged.count() == ref.count());
  CHECK(merged.sum() == ref.sum());
  for (double q : km::kQuantiles) CHECK(merged.quantile(q) == ref.quantile(q));
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { merged.merge(km::Histogram(5).snapshot()); }, "precision");
  kolosal::test::expect_error<kolosal::InvalidArgument>([] { km::Histogram bad(11); },
                                                        "precision_bits");
}

TEST_CASE("PerformanceMetrics: concurrency of recording loses no sample", "[monitoring]") {
  km::PerformanceMetrics metrics;
  constexpr int kThreads = 8, kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.record(std::chrono::microseconds(1 + (i % 100)), (i + t) % 10 != 0);
      }
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 20; ++i) (void)metrics.snapshot();
  });
  for (auto& th : threads) th.join();
  reader.join();
  const auto s = metrics.snapshot();
  CHECK(s.requests == kThreads * kPerThread);
  CHECK(s.errors == kThreads * kPerThread / 10);
  CHECK(s.window_requests == kThreads * kPerThread);
  // sum of 1..100 us, 50 times per thread
  CHECK(s.latency.sum == Approx(kThreads * 50 * 5050e-6).epsilon(1e-12));
  CHECK(s.latency.min == Approx(1e-6));
  CHECK(s.latency.max == Approx(100e-6));
  CHECK(s.latency.p50 == Approx(50e-6).epsilon(s.latency.relative_error));
}

TEST_CASE("PerformanceMetrics: the sliding window forgets old slots exactly", "[monitoring]") {
  ManualClock clock;
  km::MetricsConfig config;
  config.window = 10s;
  config.window_slots = 10;
  km::PerformanceMetrics metrics(config, clock.fn());
  for (int i = 0; i < 100; ++i) metrics.record(1ms);
  clock.advance(5s);
  for (int i = 0; i < 50; ++i) metrics.record(3ms, false);
  auto s = metrics.snapshot();
  CHECK(s.requests == 150);
  CHECK(s.window_requests == 150);
  CHECK(s.window_errors == 50);
  CHECK(s.uptime_seconds == Approx(5.0));
  CHECK(s.throughput == Approx(30.0));
  CHECK(s.window_seconds == Approx(5.0));
  CHECK(s.window_throughput == Approx(30.0));
  CHECK(s.window_latency.p99 == Approx(3e-3).epsilon(s.window_latency.relative_error));

  // 10.5 s after the first burst, its slot has left the window; the second burst remains.
  clock.advance(5500ms);
  s = metrics.snapshot();
  CHECK(s.requests == 150);
  CHECK(s.window_requests == 50);
  CHECK(s.window_errors == 50);
  CHECK(s.window_seconds == Approx(10.0).margin(1.0));
  CHECK(s.window_latency.p50 == Approx(3e-3).epsilon(s.window_latency.relative_error));

  clock.advance(20s);
  metrics.record(2ms);  // reuses a slot last written two windows ago: cleared first
  s = metrics.snapshot();
  CHECK(s.window_requests == 1);
  CHECK(s.window_errors == 0);
  CHECK(s.errors == 50);

  metrics.reset();
  s = metrics.snapshot();
  CHECK(s.requests == 0);
  CHECK(s.window_requests == 0);
  CHECK(s.uptime_seconds == 0.0);
}

TEST_CASE("PerformanceMetrics: config is validated", "[monitoring]") {
  km::MetricsConfig c;
  c.window_slots = 0;
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { km::PerformanceMetrics m(c); },
                                                        "window_slots");
  c = {};
  c.window = 0ms;
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { km::PerformanceMetrics m(c); },
                                                        "window must be positive");
  km::PerformanceMetrics m;
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { (void)m.to_prometheus("bad name"); },
                                                        "bad name");
}

TEST_CASE("PerformanceMetrics: JSON and Prometheus exports carry the figures", "[monitoring]") {
  ManualClock clock;
  km::PerformanceMetrics metrics({}, clock.fn());
  for (int i = 1; i <= 100; ++i) metrics.record(std::chrono::milliseconds(i), i != 7);
  clock.advance(10s);
  const auto j = metrics.to_json();
  CHECK(j["requests"] == 100);
  CHECK(j["errors"] == 1);
  CHECK(j["throughput"].get<double>() == Approx(10.0));
  CHECK(j["latency_seconds"]["p50"].get<double>() == Approx(0.050).epsilon(0.004));
  CHECK(j["latency_seconds"]["sum"].get<double>() == Approx(5.050));

  const std::string text = metrics.to_prometheus("kolosal_inference");
  CHECK_THAT(text, Catch::Contains("# TYPE kolosal_inference_request_duration_seconds summary\n"));
  CHECK_THAT(text,
             Catch::Contains("kolosal_inference_request_duration_seconds{quantile=\"0.99\"} "));
  CHECK_THAT(text, Catch::Contains("kolosal_inference_request_duration_seconds_count 100\n"));
  CHECK_THAT(text, Catch::Contains("kolosal_inference_request_duration_seconds_sum 5.05"));
  CHECK_THAT(text, Catch::Contains("# TYPE kolosal_inference_errors_total counter\n"));
  CHECK_THAT(text, Catch::Contains("kolosal_inference_errors_total 1\n"));
  CHECK(text.back() == '\n');
}

TEST_CASE("BatchStats: sizes, queue and processing times", "[monitoring]") {
  km::BatchStats stats;
  for (std::size_t size = 1; size <= 32; ++size) {
    stats.record_batch(size, std::chrono::microseconds(10 * size), size != 5);
    for (std::size_t i = 0; i < size; ++i) stats.record_queue_time(std::chrono::microseconds(i));
  }
  const auto s = stats.snapshot();
  CHECK(s.batches == 32);
  CHECK(s.items == 32 * 33 / 2);
  CHECK(s.failed_batches == 1);
  CHECK(s.batch_size.p50 == 16.0);  // sizes below 128 are exact
  CHECK(s.batch_size.max == 32.0);
  CHECK(s.processing_time.max == Approx(320e-6).epsilon(s.processing_time.relative_error));
  CHECK(s.queue_time.count == 32 * 33 / 2);
  const auto j = stats.to_json();
  CHECK(j["items"] == 528);
  const std::string text = stats.to_prometheus("kolosal");
  CHECK_THAT(text, Catch::Contains("kolosal_batch_size{quantile=\"0.5\"} 16\n"));
  CHECK_THAT(text, Catch::Contains("kolosal_batch_failures_total 1\n"));
  stats.reset();
  CHECK(stats.snapshot().batches == 0);
}

// Hidden: run by the monitoring.promtool ctest, which checks the written file with promtool.
TEST_CASE("monitoring: write a Prometheus sample for promtool", "[.promtool]") {
  const char* out = std::getenv("KOLOSAL_PROMETHEUS_OUT");
  REQUIRE(out != nullptr);
  km::PerformanceMetrics metrics;
  km::BatchStats stats;
  for (int i = 1; i <= 1000; ++i) {
    metrics.record(std::chrono::microseconds(i), i % 50 != 0);
    stats.record_batch(static_cast<std::size_t>(i % 64 + 1), std::chrono::microseconds(i));
    stats.record_queue_time(std::chrono::microseconds(i / 2));
  }
  std::ofstream file(out);
  file << metrics.to_prometheus("kolosal_inference") << stats.to_prometheus("kolosal_inference");
  REQUIRE(file.good());
}
