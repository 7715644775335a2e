// SPDX-License-Identifier: MIT
// Log-linear histogram: bucket arithmetic, lock-free recording and nearest-rank quantiles.
#include "kolosal/monitoring/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "kolosal/core/error.hpp"

namespace kolosal::monitoring {

namespace {
constexpr int kMinPrecision = 1;
constexpr int kMaxPrecision = 10;

void check_precision(int precision_bits, const char* who) {
  KOLOSAL_CHECK(precision_bits >= kMinPrecision && precision_bits <= kMaxPrecision, InvalidArgument,
                who, ": precision_bits must be in [", kMinPrecision, ", ", kMaxPrecision, "], got ",
                precision_bits);
}
}  // namespace

// Values below M = 2^p map to themselves; a value v >= M with highest set bit e keeps its top
// p + 1 bits, `top` in [M, 2M), after a shift of e - p; its index is shift * M + top.
std::size_t Histogram::bucket_of(std::uint64_t value, int precision_bits) noexcept {
  const std::uint64_t m = std::uint64_t{1} << precision_bits;
  if (value < m) return static_cast<std::size_t>(value);
  const int e = std::bit_width(value) - 1;
  const int shift = e - precision_bits;
  const std::uint64_t top = value >> shift;
  return static_cast<std::size_t>(static_cast<std::uint64_t>(shift) * m + top);
}

std::uint64_t Histogram::bucket_low(std::size_t index, int precision_bits) noexcept {
  const std::uint64_t m = std::uint64_t{1} << precision_bits;
  if (index < m) return index;
  const std::uint64_t shift = index / m - 1;
  const std::uint64_t top = index - shift * m;
  return top << shift;
}

std::uint64_t Histogram::bucket_high(std::size_t index, int precision_bits) noexcept {
  const std::uint64_t m = std::uint64_t{1} << precision_bits;
  if (index < m) return index;
  const std::uint64_t shift = index / m - 1;
  return bucket_low(index, precision_bits) + ((std::uint64_t{1} << shift) - 1);
}

std::size_t Histogram::bucket_count(int precision_bits) noexcept {
  const std::size_t m = std::size_t{1} << precision_bits;
  return static_cast<std::size_t>(65 - precision_bits) * m;
}

Histogram::Histogram(int precision_bits) : precision_bits_(precision_bits) {
  check_precision(precision_bits, "Histogram");
  n_buckets_ = bucket_count(precision_bits);
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(n_buckets_);
  for (std::size_t i = 0; i < n_buckets_; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::record(std::uint64_t value) noexcept {
  counts_[bucket_of(value, precision_bits_)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  std::uint64_t lo = min_.load(std::memory_order_relaxed);
  while (value < lo && !min_.compare_exchange_weak(lo, value, std::memory_order_relaxed)) {
  }
  std::uint64_t hi = max_.load(std::memory_order_relaxed);
  while (value > hi && !max_.compare_exchange_weak(hi, value, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s(precision_bits_);
  for (std::size_t i = 0; i < n_buckets_; ++i) {
    const std::uint64_t c = counts_[i].load(std::memory_order_relaxed);
    s.counts_[i] = c;
    s.count_ += c;
  }
  s.sum_ = sum_.load(std::memory_order_relaxed);
  s.min_ = min_.load(std::memory_order_relaxed);
  s.max_ = max_.load(std::memory_order_relaxed);
  return s;
}

void Histogram::reset() noexcept {
  for (std::size_t i = 0; i < n_buckets_; ++i) counts_[i].store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  min_.store(UINT64_MAX, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

HistogramSnapshot::HistogramSnapshot(int precision_bits) : precision_bits_(precision_bits) {
  check_precision(precision_bits, "HistogramSnapshot");
  counts_.assign(Histogram::bucket_count(precision_bits), 0);
}

double HistogramSnapshot::relative_error() const noexcept {
  return std::ldexp(1.0, -(precision_bits_ + 1));
}

double HistogramSnapshot::mean() const noexcept {
  return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
}

double HistogramSnapshot::quantile(double q) const noexcept {
  if (count_ == 0) return 0.0;
  q = std::clamp(std::isnan(q) ? 0.0 : q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  // The extremes are tracked exactly.
  if (rank == 1) return static_cast<double>(min());
  if (rank >= count_) return static_cast<double>(max_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const double lo = static_cast<double>(Histogram::bucket_low(i, precision_bits_));
      const double hi = static_cast<double>(Histogram::bucket_high(i, precision_bits_));
      return std::clamp(0.5 * (lo + hi), static_cast<double>(min()), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

void HistogramSnapshot::merge(const HistogramSnapshot& other) {
  KOLOSAL_CHECK(other.precision_bits_ == precision_bits_, InvalidArgument,
                "HistogramSnapshot::merge: precision ", other.precision_bits_, " differs from ",
                precision_bits_);
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

}  // namespace kolosal::monitoring
