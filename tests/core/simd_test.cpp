// SPDX-License-Identifier: MIT
// Tests of the SIMD kernels: each compiled level against the scalar path.
#include "kolosal/core/simd.hpp"

#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

namespace simd = kolosal::simd;

namespace {

std::vector<simd::Level> available_levels() {
  std::vector<simd::Level> levels{simd::Level::kScalar};
  for (auto level : {simd::Level::kSse2, simd::Level::kAvx2}) {
    try {
      simd::force_level(level);
      levels.push_back(level);
    } catch (const kolosal::UnsupportedError&) {
    }
  }
  simd::force_level(std::nullopt);
  return levels;
}

// Restores run-time detection even when a check fails.
struct LevelGuard {
  explicit LevelGuard(simd::Level level) { simd::force_level(level); }
  ~LevelGuard() { simd::force_level(std::nullopt); }
  LevelGuard(const LevelGuard&) = delete;
  LevelGuard& operator=(const LevelGuard&) = delete;
};

template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed) {
  kolosal::Rng rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(rng.normal());
  return v;
}

}  // namespace

TEMPLATE_TEST_CASE("simd: every level matches the scalar kernels", "[core][simd]", float, double) {
  using T = TestType;
  const double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-12;
  for (std::size_t n : {1u, 2u, 3u, 7u, 8u, 15u, 16u, 17u, 31u, 33u, 64u, 67u, 1000u, 4099u}) {
    const auto a = random_values<T>(n, n);
    const auto b = random_values<T>(n, n + 1000);
    T dot_ref = 0, sum_ref = 0, dist_ref = 0;
    for (std::size_t i = 0; i < n; ++i) {
      dot_ref += a[i] * b[i];
      sum_ref += a[i];
      dist_ref += (a[i] - b[i]) * (a[i] - b[i]);
    }
    const auto [min_it, max_it] = std::minmax_element(a.begin(), a.end());
    const auto argmax_ref =
        static_cast<std::size_t>(std::max_element(a.begin(), a.end()) - a.begin());
    for (auto level : available_levels()) {
      LevelGuard guard(level);
      INFO("level " << simd::to_string(level) << " n=" << n);
      const double scale = std::sqrt(static_cast<double>(n));
      CHECK(static_cast<double>(simd::dot(std::span<const T>(a), std::span<const T>(b))) ==
            Approx(static_cast<double>(dot_ref)).margin(tolerance * scale));
      CHECK(static_cast<double>(simd::sum(std::span<const T>(a))) ==
            Approx(static_cast<double>(sum_ref)).margin(tolerance * scale));
      CHECK(static_cast<double>(
                simd::squared_distance(std::span<const T>(a), std::span<const T>(b))) ==
            Approx(static_cast<double>(dist_ref)).epsilon(tolerance));
      CHECK(simd::min(std::span<const T>(a)) == *min_it);
      CHECK(simd::max(std::span<const T>(a)) == *max_it);
      CHECK(simd::argmax(std::span<const T>(a)) == argmax_ref);
    }
  }
}

TEMPLATE_TEST_CASE("simd: NaN propagates through min, max and argmax", "[core][simd]", float,
                   double) {
  using T = TestType;
  auto values = random_values<T>(37, 3);
  values[21] = std::numeric_limits<T>::quiet_NaN();
  values[30] = std::numeric_limits<T>::quiet_NaN();
  for (auto level : available_levels()) {
    LevelGuard guard(level);
    INFO("level " << simd::to_string(level));
    CHECK(std::isnan(simd::min(std::span<const T>(values))));
    CHECK(std::isnan(simd::max(std::span<const T>(values))));
    CHECK(simd::argmax(std::span<const T>(values)) == 21);
  }
}

TEST_CASE("simd: argmax returns the first of tied maxima", "[core][simd]") {
  std::vector<double> v(40, 1.0);
  v[9] = 5.0;
  v[33] = 5.0;
  for (auto level : available_levels()) {
    LevelGuard guard(level);
    CHECK(simd::argmax(std::span<const double>(v)) == 9);
  }
}

TEST_CASE("simd: bad input is rejected", "[core][simd]") {
  const std::vector<double> a{1, 2, 3};
  const std::vector<double> b{1, 2};
  const std::vector<double> empty;
  CHECK_THROWS_WITH(simd::dot(std::span<const double>(a), std::span<const double>(b)),
                    "simd::dot: lengths differ (3 vs 2)");
  CHECK_THROWS_AS(simd::squared_distance(std::span<const double>(a), std::span<const double>(b)),
                  kolosal::ShapeMismatch);
  CHECK_THROWS_AS(simd::min(std::span<const double>(empty)), kolosal::InvalidArgument);
  CHECK_THROWS_AS(simd::argmax(std::span<const double>(empty)), kolosal::InvalidArgument);
  CHECK(simd::sum(std::span<const double>(empty)) == 0.0);
  CHECK(simd::to_string(simd::detected_level()) != "unknown");
}
