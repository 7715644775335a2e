// SPDX-License-Identifier: MIT
// Rng: the one seedable, splittable random engine used everywhere in kolosal.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace kolosal {

namespace detail {
__extension__ typedef unsigned __int128
    Uint128;  // NOLINT(modernize-use-using): __extension__ needs typedef
}  // namespace detail

/// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021)
/// seeded through SplitMix64. Streams are addressed by (seed, stream id): `split(i)` derives an
/// independent child from the ids alone, never from how many numbers were drawn, so parallel tasks
/// seeded with `split(task_index)` give the same numbers whatever thread runs them.
///
/// Every distribution is implemented here rather than taken from <random>, whose distributions
/// differ between standard libraries; the same seed gives the same numbers on every platform.
class Rng {
 public:
  using result_type = std::uint64_t;

  explicit Rng(std::uint64_t seed = 42, std::uint64_t stream = 0) noexcept
      : seed_(seed), stream_(stream) {
    std::uint64_t x = seed ^ mix(stream + 0x632BE59BD9B4E019ULL);
    for (auto& s : state_) s = splitmix64(x);
  }

  /// An independent generator for child task `index`, a pure function of (seed, stream, index).
  [[nodiscard]] Rng split(std::uint64_t index) const noexcept {
    return Rng(seed_, mix(stream_ * 0x9E3779B97F4A7C15ULL + index + 1));
  }

  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] std::uint64_t stream() const noexcept { return stream_; }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// Next 64 random bits.
  result_type operator()() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// Uniform double in [low, high).
  double uniform(double low, double high) noexcept { return low + (high - low) * uniform(); }

  /// Uniform integer in [0, n) without modulo bias (Lemire, "Fast random integer generation in an
  /// interval", 2019). Returns 0 when n == 0.
  std::uint64_t uniform_index(std::uint64_t n) noexcept {
    if (n == 0) return 0;
    detail::Uint128 m = static_cast<detail::Uint128>((*this)()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<detail::Uint128>((*this)()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  /// Uniform integer in [low, high] (inclusive).
  std::int64_t uniform_int(std::int64_t low, std::int64_t high) noexcept {
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<std::int64_t>(span == 0 ? (*this)() : uniform_index(span));
  }

  /// Standard normal deviate (Marsaglia polar method); the spare value is kept for the next call.
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0.0;
    double v = 0.0;
    double s = 0.0;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

  /// Normal deviate with the given mean and standard deviation.
  double normal(double mean, double stddev) noexcept { return mean + stddev * normal(); }

  /// True with probability p.
  bool bernoulli(double p) noexcept { return uniform() < p; }

  /// Fisher-Yates shuffle in place.
  template <class T>
  void shuffle(std::span<T> values) noexcept {
    for (std::size_t i = values.size(); i > 1; --i) {
      const std::size_t j = uniform_index(i);
      std::swap(values[i - 1], values[j]);
    }
  }

  /// A random permutation of 0..n-1.
  [[nodiscard]] std::vector<std::size_t> permutation(std::size_t n) {
    std::vector<std::size_t> p(n);
    std::iota(p.begin(), p.end(), std::size_t{0});
    shuffle(std::span<std::size_t>(p));
    return p;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  static constexpr std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    return mix(x);
  }

  std::uint64_t state_[4]{};
  std::uint64_t seed_;
  std::uint64_t stream_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace kolosal
