// SPDX-License-Identifier: MIT
// Context: the thread budget and seed passed down to every algorithm (as XGBoost's Context).
#pragma once

#include <cstdint>

namespace kolosal {

inline constexpr std::uint64_t kDefaultSeed = 42;

/// Execution settings shared by every algorithm. Results depend on `seed` only, never on
/// `n_threads`: parallel code splits work into fixed blocks and combines them in a fixed order.
struct Context {
  int n_threads = 0;                  ///< worker threads; 0 means every hardware thread
  std::uint64_t seed = kDefaultSeed;  ///< root seed for every random stream

  /// The thread count actually used: `n_threads`, or the hardware concurrency when 0.
  [[nodiscard]] int threads() const noexcept;

  friend bool operator==(const Context&, const Context&) = default;
};

/// Number of hardware threads oneTBB may use on this machine (at least 1).
[[nodiscard]] int hardware_threads() noexcept;

}  // namespace kolosal
