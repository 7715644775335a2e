// SPDX-License-Identifier: MIT
// PerformanceMetrics and BatchStats: recording, sliding windows, JSON and Prometheus export.
#include "kolosal/monitoring/metrics.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal::monitoring {

namespace {

constexpr double kNanosToSeconds = 1e-9;

std::uint64_t to_ticks(std::chrono::nanoseconds d) noexcept {
  return d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
}

// The shortest text that reads back as the same double.
std::string number(double v) {
  char buf[40];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return {buf, end};
}

void check_prefix(std::string_view prefix, const char* who) {
  KOLOSAL_CHECK(is_prometheus_name(prefix), InvalidArgument, who, ": prefix '", prefix,
                "' is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
}

void header(std::string& out, const std::string& name, std::string_view type,
            std::string_view help) {
  out += "# HELP " + name + " ";
  out += help;
  out += "\n# TYPE " + name + " ";
  out += type;
  out += "\n";
}

void summary(std::string& out, const std::string& name, std::string_view help, const Summary& s) {
  header(out, name, "summary", help);
  const double values[] = {s.p50, s.p90, s.p95, s.p99, s.p999};
  for (std::size_t i = 0; i < std::size(kQuantiles); ++i) {
    out += name + "{quantile=\"" + number(kQuantiles[i]) + "\"} " + number(values[i]) + "\n";
  }
  out += name + "_sum " + number(s.sum) + "\n";
  out += name + "_count " + std::to_string(s.count) + "\n";
}

void scalar(std::string& out, const std::string& name, std::string_view type, std::string_view help,
            double value) {
  header(out, name, type, help);
  out += name + " " + number(value) + "\n";
}

}  // namespace

bool is_prometheus_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

Summary Summary::of(const HistogramSnapshot& h, double scale) {
  Summary s;
  s.count = h.count();
  s.sum = static_cast<double>(h.sum()) * scale;
  s.min = static_cast<double>(h.min()) * scale;
  s.max = static_cast<double>(h.max()) * scale;
  s.mean = h.mean() * scale;
  s.p50 = h.quantile(0.5) * scale;
  s.p90 = h.quantile(0.9) * scale;
  s.p95 = h.quantile(0.95) * scale;
  s.p99 = h.quantile(0.99) * scale;
  s.p999 = h.quantile(0.999) * scale;
  s.relative_error = h.relative_error();
  return s;
}

nlohmann::json Summary::to_json() const {
  return {{"count", count},
          {"sum", sum},
          {"min", min},
          {"max", max},
          {"mean", mean},
          {"p50", p50},
          {"p90", p90},
          {"p95", p95},
          {"p99", p99},
          {"p999", p999},
          {"relative_error", relative_error}};
}

void MetricsConfig::check() const {
  KOLOSAL_CHECK(window.count() > 0, InvalidArgument, "MetricsConfig: window must be positive, got ",
                window.count(), " ms");
  KOLOSAL_CHECK(window_slots >= 1 && window_slots <= 3600, InvalidArgument,
                "MetricsConfig: window_slots must be in [1, 3600], got ", window_slots);
  KOLOSAL_CHECK(window / window_slots > std::chrono::milliseconds(0), InvalidArgument,
                "MetricsConfig: window of ", window.count(), " ms is shorter than its ",
                window_slots, " slots");
  for (int p : {precision_bits, window_precision_bits}) {
    KOLOSAL_CHECK(p >= 1 && p <= 10, InvalidArgument,
                  "MetricsConfig: precision bits must be in [1, 10], got ", p);
  }
}

nlohmann::json MetricsSnapshot::to_json() const {
  return {{"latency_seconds", latency.to_json()},
          {"window_latency_seconds", window_latency.to_json()},
          {"requests", requests},
          {"errors", errors},
          {"window_requests", window_requests},
          {"window_errors", window_errors},
          {"uptime_seconds", uptime_seconds},
          {"throughput", throughput},
          {"window_seconds", window_seconds},
          {"window_throughput", window_throughput}};
}

/// One step of the sliding window: the tick it holds, and its requests.
struct PerformanceMetrics::Slot {
  explicit Slot(int precision_bits) : latency(precision_bits) {}
  std::atomic<std::int64_t> tick{-1};
  Histogram latency;
  std::atomic<std::uint64_t> errors{0};
};

PerformanceMetrics::PerformanceMetrics(MetricsConfig config, Clock clock)
    : config_(config),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      latency_((config.check(), config.precision_bits)) {
  slot_length_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config_.window) / config_.window_slots;
  slots_.reserve(static_cast<std::size_t>(config_.window_slots));
  for (int i = 0; i < config_.window_slots; ++i) {
    slots_.push_back(std::make_unique<Slot>(config_.window_precision_bits));
  }
  start_ns_.store(now().time_since_epoch().count(), std::memory_order_relaxed);
}

PerformanceMetrics::~PerformanceMetrics() = default;

std::chrono::steady_clock::time_point PerformanceMetrics::now() const { return clock_(); }

std::int64_t PerformanceMetrics::tick(std::chrono::steady_clock::time_point t) const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() /
         slot_length_.count();
}

void PerformanceMetrics::record(std::chrono::nanoseconds latency, bool ok) noexcept {
  const std::uint64_t ns = to_ticks(latency);
  latency_.record(ns);
  if (!ok) errors_.fetch_add(1, std::memory_order_relaxed);

  const std::int64_t k = tick(now());
  Slot& slot = *slots_[static_cast<std::size_t>(k % config_.window_slots)];
  std::int64_t held = slot.tick.load(std::memory_order_acquire);
  if (held != k) {
    if (held > k) return;  // a clock that went backwards: keep the window's newer contents
    std::lock_guard lock(rotate_mutex_);
    held = slot.tick.load(std::memory_order_relaxed);
    if (held < k) {
      slot.latency.reset();
      slot.errors.store(0, std::memory_order_relaxed);
      slot.tick.store(k, std::memory_order_release);
    } else if (held > k) {
      return;
    }
  }
  slot.latency.record(ns);
  if (!ok) slot.errors.fetch_add(1, std::memory_order_relaxed);
}

MetricsSnapshot PerformanceMetrics::snapshot() const {
  MetricsSnapshot s;
  const auto t = now();
  const HistogramSnapshot total = latency_.snapshot();
  s.latency = Summary::of(total, kNanosToSeconds);
  s.requests = total.count();
  s.errors = errors_.load(std::memory_order_relaxed);
  const std::int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  s.uptime_seconds =
      static_cast<double>(now_ns - start_ns_.load(std::memory_order_relaxed)) * kNanosToSeconds;

  const std::int64_t k = tick(t);
  const auto n = static_cast<std::int64_t>(slots_.size());
  HistogramSnapshot window(config_.window_precision_bits);
  for (const auto& slot : slots_) {
    const std::int64_t held = slot->tick.load(std::memory_order_acquire);
    if (held > k - n && held <= k) {
      window.merge(slot->latency.snapshot());
      s.window_errors += slot->errors.load(std::memory_order_relaxed);
    }
  }
  s.window_latency = Summary::of(window, kNanosToSeconds);
  s.window_requests = window.count();
  // The window holds the n - 1 whole slots before the current one and the current one so far.
  const double in_current = static_cast<double>(now_ns - k * slot_length_.count());
  const double span =
      static_cast<double>(n - 1) * static_cast<double>(slot_length_.count()) + in_current;
  s.window_seconds = std::min(span * kNanosToSeconds, s.uptime_seconds);
  s.throughput = s.uptime_seconds > 0 ? static_cast<double>(s.requests) / s.uptime_seconds : 0.0;
  s.window_throughput =
      s.window_seconds > 0 ? static_cast<double>(s.window_requests) / s.window_seconds : 0.0;
  return s;
}

nlohmann::json PerformanceMetrics::to_json() const { return snapshot().to_json(); }

std::string PerformanceMetrics::to_prometheus(std::string_view prefix) const {
  check_prefix(prefix, "PerformanceMetrics::to_prometheus");
  const MetricsSnapshot s = snapshot();
  const std::string p(prefix);
  std::string out;
  summary(out, p + "_request_duration_seconds", "Request latency since start.", s.latency);
  summary(out, p + "_window_request_duration_seconds", "Request latency in the sliding window.",
          s.window_latency);
  scalar(out, p + "_requests_total", "counter", "Requests served, errors included.",
         static_cast<double>(s.requests));
  scalar(out, p + "_errors_total", "counter", "Requests that failed.",
         static_cast<double>(s.errors));
  scalar(out, p + "_uptime_seconds", "gauge", "Seconds since the metrics started or were reset.",
         s.uptime_seconds);
  scalar(out, p + "_window_throughput_requests_per_second", "gauge",
         "Requests per second in the sliding window.", s.window_throughput);
  return out;
}

void PerformanceMetrics::reset() {
  std::lock_guard lock(rotate_mutex_);
  latency_.reset();
  errors_.store(0, std::memory_order_relaxed);
  for (auto& slot : slots_) {
    slot->latency.reset();
    slot->errors.store(0, std::memory_order_relaxed);
    slot->tick.store(-1, std::memory_order_release);
  }
  start_ns_.store(now().time_since_epoch().count(), std::memory_order_relaxed);
}

BatchStats::BatchStats(int precision_bits)
    : sizes_(precision_bits), queue_(precision_bits), processing_(precision_bits) {}

void BatchStats::record_batch(std::size_t size, std::chrono::nanoseconds processing,
                              bool ok) noexcept {
  sizes_.record(size);
  processing_.record(to_ticks(processing));
  if (!ok) failed_.fetch_add(1, std::memory_order_relaxed);
}

void BatchStats::record_queue_time(std::chrono::nanoseconds queued) noexcept {
  queue_.record(to_ticks(queued));
}

BatchStatsSnapshot BatchStats::snapshot() const {
  BatchStatsSnapshot s;
  const HistogramSnapshot sizes = sizes_.snapshot();
  s.batches = sizes.count();
  s.items = sizes.sum();
  s.failed_batches = failed_.load(std::memory_order_relaxed);
  s.batch_size = Summary::of(sizes);
  s.queue_time = Summary::of(queue_.snapshot(), kNanosToSeconds);
  s.processing_time = Summary::of(processing_.snapshot(), kNanosToSeconds);
  return s;
}

nlohmann::json BatchStatsSnapshot::to_json() const {
  return {{"batches", batches},
          {"items", items},
          {"failed_batches", failed_batches},
          {"batch_size", batch_size.to_json()},
          {"queue_time_seconds", queue_time.to_json()},
          {"processing_time_seconds", processing_time.to_json()}};
}

nlohmann::json BatchStats::to_json() const { return snapshot().to_json(); }

std::string BatchStats::to_prometheus(std::string_view prefix) const {
  check_prefix(prefix, "BatchStats::to_prometheus");
  const BatchStatsSnapshot s = snapshot();
  const std::string p(prefix);
  std::string out;
  summary(out, p + "_batch_size", "Items per batch.", s.batch_size);
  summary(out, p + "_batch_queue_seconds", "Time an item waited before its batch started.",
          s.queue_time);
  summary(out, p + "_batch_processing_seconds", "Time a batch took to process.", s.processing_time);
  scalar(out, p + "_batches_total", "counter", "Batches processed.",
         static_cast<double>(s.batches));
  scalar(out, p + "_batch_items_total", "counter", "Items processed in batches.",
         static_cast<double>(s.items));
  scalar(out, p + "_batch_failures_total", "counter", "Batches whose processing failed.",
         static_cast<double>(s.failed_batches));
  return out;
}

void BatchStats::reset() noexcept {
  sizes_.reset();
  queue_.reset();
  processing_.reset();
  failed_.store(0, std::memory_order_relaxed);
}

}  // namespace kolosal::monitoring
