// SPDX-License-Identifier: MIT
// BackpressureController: admission control with high and low watermarks on the items and bytes
// in flight, so a fast producer cannot outrun slower stages and memory stays bounded.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <tuple>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"

namespace kolosal::streaming {

/// Watermarks of a BackpressureController. Producers are throttled once the items or bytes in
/// flight reach a high watermark and released once both are back at or below their low ones
/// (hysteresis, so the controller does not flap at the threshold).
struct BackpressureConfig {
  std::size_t high_items = 8;                       ///< items in flight that engage throttling
  std::size_t low_items = 4;                        ///< items in flight that release it
  std::size_t high_bytes = std::size_t{256} << 20;  ///< tracked bytes that engage throttling
  std::size_t low_bytes = std::size_t{128} << 20;   ///< tracked bytes that release it

  static constexpr std::string_view kName = "BackpressureConfig";
  static constexpr auto fields() {
    return std::tuple{config::field("high_items", &BackpressureConfig::high_items)
                          .at_least(1)
                          .doc("items in flight that engage throttling"),
                      config::field("low_items", &BackpressureConfig::low_items)
                          .doc("items in flight that release throttling"),
                      config::field("high_bytes", &BackpressureConfig::high_bytes)
                          .at_least(1)
                          .doc("bytes in flight that engage throttling"),
                      config::field("low_bytes", &BackpressureConfig::low_bytes)
                          .doc("bytes in flight that release throttling")};
  }
  /// Cross-field rules: each low watermark is below its high one.
  void check() const;

  friend bool operator==(const BackpressureConfig&, const BackpressureConfig&) = default;
};

/// What a BackpressureController has seen.
struct BackpressureStats {
  std::size_t items = 0;            ///< items in flight now
  std::size_t bytes = 0;            ///< bytes in flight now
  std::size_t peak_items = 0;       ///< the most items in flight at once
  std::size_t peak_bytes = 0;       ///< the most bytes in flight at once
  std::size_t throttle_events = 0;  ///< times throttling engaged
  double throttled_seconds = 0.0;   ///< time producers spent waiting in acquire()
};

/// Counts the items (and their bytes) between admission and completion, and makes producers
/// wait in acquire() while throttled. An item is always admitted when nothing is in flight, so
/// one item larger than high_bytes cannot deadlock. Thread-safe.
class BackpressureController {
 public:
  /// @throws ConfigError for invalid watermarks
  explicit BackpressureController(BackpressureConfig config = {});

  /// Waits while throttled, then admits one item of `bytes`. Returns false, admitting nothing,
  /// once close() was called.
  bool acquire(std::size_t bytes);
  /// Admits one item of `bytes` unless throttled or closed; never waits.
  bool try_acquire(std::size_t bytes);
  /// Completes an item admitted with `bytes`. @throws InvalidArgument when more is released than
  /// was admitted
  void release(std::size_t bytes);
  /// Wakes every waiting producer and refuses further admissions (shutdown or error).
  void close();

  [[nodiscard]] bool throttled() const;
  [[nodiscard]] bool closed() const;
  [[nodiscard]] BackpressureStats stats() const;
  [[nodiscard]] const BackpressureConfig& config() const noexcept { return config_; }

 private:
  void admit(std::size_t bytes);

  BackpressureConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  BackpressureStats stats_;
  bool throttled_ = false;
  bool closed_ = false;
};

}  // namespace kolosal::streaming

namespace kolosal::config {
extern template nlohmann::json to_json<streaming::BackpressureConfig>(
    const streaming::BackpressureConfig&);
extern template streaming::BackpressureConfig from_json<streaming::BackpressureConfig>(
    const nlohmann::json&);
}  // namespace kolosal::config
