// SPDX-License-Identifier: MIT
// BackpressureController: watermark admission control with hysteresis.
#include "kolosal/streaming/backpressure.hpp"

#include <algorithm>
#include <chrono>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

namespace kolosal::streaming {

void BackpressureConfig::check() const {
  KOLOSAL_CHECK(low_items < high_items, ConfigError, kName, ": low_items (", low_items,
                ") must be below high_items (", high_items, ")");
  KOLOSAL_CHECK(low_bytes < high_bytes, ConfigError, kName, ": low_bytes (", low_bytes,
                ") must be below high_bytes (", high_bytes, ")");
}

BackpressureController::BackpressureController(BackpressureConfig config) : config_(config) {
  config::validate(config_, "BackpressureController");
}

void BackpressureController::admit(std::size_t bytes) {
  ++stats_.items;
  stats_.bytes += bytes;
  stats_.peak_items = std::max(stats_.peak_items, stats_.items);
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.bytes);
  if (!throttled_ && (stats_.items >= config_.high_items || stats_.bytes >= config_.high_bytes)) {
    throttled_ = true;
    ++stats_.throttle_events;
  }
}

bool BackpressureController::acquire(std::size_t bytes) {
  std::unique_lock lock(mutex_);
  if (throttled_ && !closed_) {
    const auto start = std::chrono::steady_clock::now();
    released_.wait(lock, [&] { return closed_ || !throttled_; });
    stats_.throttled_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (closed_) return false;
  admit(bytes);
  return true;
}

bool BackpressureController::try_acquire(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (closed_ || throttled_) return false;
  admit(bytes);
  return true;
}

void BackpressureController::release(std::size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    KOLOSAL_CHECK(stats_.items > 0 && stats_.bytes >= bytes, InvalidArgument,
                  "BackpressureController::release: releasing ", bytes, " bytes with ",
                  stats_.items, " items and ", stats_.bytes, " bytes in flight");
    --stats_.items;
    stats_.bytes -= bytes;
    if (!throttled_) return;
    // Nothing in flight always releases, so an item above high_bytes cannot wedge the producer.
    const bool low = stats_.items <= config_.low_items && stats_.bytes <= config_.low_bytes;
    if (!low && stats_.items > 0) return;
    throttled_ = false;
  }
  released_.notify_all();
}

void BackpressureController::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  released_.notify_all();
}

bool BackpressureController::throttled() const {
  std::lock_guard lock(mutex_);
  return throttled_;
}

bool BackpressureController::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

BackpressureStats BackpressureController::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace kolosal::streaming

namespace kolosal::config {
template nlohmann::json to_json<streaming::BackpressureConfig>(
    const streaming::BackpressureConfig&);
template streaming::BackpressureConfig from_json<streaming::BackpressureConfig>(
    const nlohmann::json&);
}  // namespace kolosal::config
