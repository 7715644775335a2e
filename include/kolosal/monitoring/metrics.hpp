// SPDX-License-Identifier: MIT
// Serving metrics: PerformanceMetrics (request latency quantiles, throughput, errors, over the
// whole run and a sliding window) and BatchStats (batch sizes, queue and processing times),
// exported as JSON and in the Prometheus text exposition format.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/monitoring/histogram.hpp"

namespace kolosal::monitoring {

/// The time source: steady-clock time points. Tests inject a manual clock so windows are exact.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

/// A distribution summarised: count, sum, extremes and the quantiles of kQuantiles, all in the
/// unit of the recorded values converted by `scale` (e.g. nanoseconds to seconds).
struct Summary {
  std::uint64_t count = 0;
  double sum = 0.0;
  double min = 0.0;
  double max = 0.0;
  double mean = 0.0;
  double p50 = 0.0;
  double p90 = 0.0;
  double p95 = 0.0;
  double p99 = 0.0;
  double p999 = 0.0;
  double relative_error = 0.0;  ///< bound on each quantile's relative error

  [[nodiscard]] static Summary of(const HistogramSnapshot& h, double scale = 1.0);
  [[nodiscard]] nlohmann::json to_json() const;
};

/// Settings of PerformanceMetrics.
struct MetricsConfig {
  /// Length of the sliding window; it advances in `window_slots` steps of window / slots.
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  int window_slots = 12;
  int precision_bits = 7;         ///< whole-run histogram: 2^-(p+1) relative error (0.39%)
  int window_precision_bits = 5;  ///< each window slot's histogram: 1.6%, 32x fewer buckets
  /// @throws InvalidArgument for a non-positive window, slots outside [1, 3600] or a precision
  /// outside [1, 10]
  void check() const;
};

/// What PerformanceMetrics measured, at one moment.
struct MetricsSnapshot {
  Summary latency;             ///< seconds, every request since start or reset
  Summary window_latency;      ///< seconds, requests in the sliding window
  std::uint64_t requests = 0;  ///< since start, errors included
  std::uint64_t errors = 0;
  std::uint64_t window_requests = 0;
  std::uint64_t window_errors = 0;
  double uptime_seconds = 0.0;
  double throughput = 0.0;         ///< requests per second since start
  double window_seconds = 0.0;     ///< span the window covers now (shorter right after start)
  double window_throughput = 0.0;  ///< requests per second in the window

  [[nodiscard]] nlohmann::json to_json() const;
};

/// Request latency and outcome counters. record() is lock-free (relaxed atomic adds into a
/// whole-run histogram and the current window slot); a mutex is taken only when the window
/// advances into a slot last used a full window ago, to clear it.
class PerformanceMetrics {
 public:
  explicit PerformanceMetrics(MetricsConfig config = {}, Clock clock = {});
  PerformanceMetrics(const PerformanceMetrics&) = delete;
  PerformanceMetrics& operator=(const PerformanceMetrics&) = delete;
  ~PerformanceMetrics();

  /// Records one request that took `latency`; `ok == false` counts it as an error too.
  void record(std::chrono::nanoseconds latency, bool ok = true) noexcept;
  void record_error(std::chrono::nanoseconds latency) noexcept { record(latency, false); }

  [[nodiscard]] MetricsSnapshot snapshot() const;
  [[nodiscard]] nlohmann::json to_json() const;
  /// The Prometheus text exposition format: `<prefix>_request_duration_seconds` and
  /// `<prefix>_window_request_duration_seconds` summaries (quantile labels, _sum, _count),
  /// `<prefix>_requests_total` and `<prefix>_errors_total` counters, `<prefix>_uptime_seconds` and
  /// `<prefix>_window_throughput_requests_per_second` gauges. A trailing newline ends it.
  /// @throws InvalidArgument when `prefix` is not a Prometheus metric name
  [[nodiscard]] std::string to_prometheus(std::string_view prefix) const;
  /// Starts over: counters, histograms, window and uptime.
  void reset();

  [[nodiscard]] const MetricsConfig& config() const noexcept { return config_; }

  /// Times a scope and records it on destruction; fail() marks it an error.
  class Timer {
   public:
    explicit Timer(PerformanceMetrics& metrics) noexcept
        : metrics_(metrics), start_(std::chrono::steady_clock::now()) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer() { metrics_.record(std::chrono::steady_clock::now() - start_, ok_); }
    void fail() noexcept { ok_ = false; }

   private:
    PerformanceMetrics& metrics_;
    std::chrono::steady_clock::time_point start_;
    bool ok_ = true;
  };

 private:
  struct Slot;
  [[nodiscard]] std::chrono::steady_clock::time_point now() const;
  [[nodiscard]] std::int64_t tick(std::chrono::steady_clock::time_point t) const noexcept;

  MetricsConfig config_;
  Clock clock_;
  std::chrono::nanoseconds slot_length_;
  std::atomic<std::int64_t> start_ns_{0};  ///< time since the clock's epoch at start or reset
  Histogram latency_;
  std::atomic<std::uint64_t> errors_{0};
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex rotate_mutex_;
};

/// What BatchStats measured.
struct BatchStatsSnapshot {
  std::uint64_t batches = 0;
  std::uint64_t items = 0;
  std::uint64_t failed_batches = 0;
  Summary batch_size;       ///< items per batch
  Summary queue_time;       ///< seconds an item waited before its batch started
  Summary processing_time;  ///< seconds a batch took to process

  [[nodiscard]] nlohmann::json to_json() const;
};

/// Statistics of a batching stage. Every record is lock-free.
class BatchStats {
 public:
  explicit BatchStats(int precision_bits = 7);

  /// One batch of `size` items that took `processing` (failed when `ok` is false).
  void record_batch(std::size_t size, std::chrono::nanoseconds processing, bool ok = true) noexcept;
  /// One item that waited `queued` between submission and the start of its batch.
  void record_queue_time(std::chrono::nanoseconds queued) noexcept;

  [[nodiscard]] BatchStatsSnapshot snapshot() const;
  [[nodiscard]] nlohmann::json to_json() const;
  /// `<prefix>_batch_size` (summary), `<prefix>_batch_queue_seconds` and
  /// `<prefix>_batch_processing_seconds` (summaries), `<prefix>_batches_total`,
  /// `<prefix>_batch_items_total` and `<prefix>_batch_failures_total` (counters).
  /// @throws InvalidArgument when `prefix` is not a Prometheus metric name
  [[nodiscard]] std::string to_prometheus(std::string_view prefix) const;
  void reset() noexcept;

 private:
  Histogram sizes_;
  Histogram queue_;
  Histogram processing_;
  std::atomic<std::uint64_t> failed_{0};
};

/// Whether `name` matches Prometheus's metric-name grammar [a-zA-Z_:][a-zA-Z0-9_:]*.
[[nodiscard]] bool is_prometheus_name(std::string_view name) noexcept;

}  // namespace kolosal::monitoring
