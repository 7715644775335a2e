// SPDX-License-Identifier: MIT
// A log-linear histogram of non-negative integers (latencies in nanoseconds, batch sizes) with a
// lock-free record path and quantiles within a stated relative error, in the manner of HdrHistogram
// (Tene, "HdrHistogram: a high dynamic range histogram").
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kolosal::monitoring {

/// The quantiles every summary reports.
inline constexpr double kQuantiles[] = {0.5, 0.9, 0.95, 0.99, 0.999};

/// A copy of a Histogram's counts at one moment: quantiles, merging, mean.
///
/// Buckets: values below 2^p are exact; above, each power-of-two range [2^e, 2^(e+1)) is split
/// into 2^p equal sub-buckets, so a bucket's width is at most 1/2^p of its lower bound. A quantile
/// is reported as the midpoint of the bucket holding the nearest-rank sample (clamped to the
/// observed min and max), hence within a relative error of 2^-(p+1) of the exact sample value
/// (0.39% for the default p = 7).
class HistogramSnapshot {
 public:
  /// An empty snapshot; `precision_bits` in [1, 10] as Histogram's.
  explicit HistogramSnapshot(int precision_bits = 7);

  [[nodiscard]] int precision_bits() const noexcept { return precision_bits_; }
  /// The bound on |quantile - exact nearest-rank sample| / exact sample.
  [[nodiscard]] double relative_error() const noexcept;
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t sum() const noexcept { return sum_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  /// The nearest-rank q-quantile (the sample of rank ceil(q * count)), within relative_error();
  /// 0 when empty. q is clamped to [0, 1].
  [[nodiscard]] double quantile(double q) const noexcept;
  /// Adds another snapshot of the same precision.
  void merge(const HistogramSnapshot& other);

 private:
  friend class Histogram;
  int precision_bits_ = 7;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

/// A thread-safe histogram: record() is a few relaxed atomic adds, wait-free except for a
/// compare-and-swap on a new minimum or maximum.
class Histogram {
 public:
  /// `precision_bits` p in [1, 10]: 2^p sub-buckets per power of two.
  explicit Histogram(int precision_bits = 7);

  void record(std::uint64_t value) noexcept;
  /// The counts now. Concurrent records may be partly included.
  [[nodiscard]] HistogramSnapshot snapshot() const;
  /// Zeroes every count (not atomic with respect to concurrent records).
  void reset() noexcept;
  [[nodiscard]] int precision_bits() const noexcept { return precision_bits_; }

  /// The bucket index of `value`, and the inclusive range of values a bucket holds.
  [[nodiscard]] static std::size_t bucket_of(std::uint64_t value, int precision_bits) noexcept;
  [[nodiscard]] static std::uint64_t bucket_low(std::size_t index, int precision_bits) noexcept;
  [[nodiscard]] static std::uint64_t bucket_high(std::size_t index, int precision_bits) noexcept;
  [[nodiscard]] static std::size_t bucket_count(int precision_bits) noexcept;

 private:
  int precision_bits_;
  std::size_t n_buckets_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> min_{UINT64_MAX};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace kolosal::monitoring
