// SPDX-License-Identifier: MIT
// Tests of the splittable random engine.
#include "kolosal/core/rng.hpp"

using kolosal::Rng;

TEST_CASE("Rng: the same seed and stream give the same sequence", "[core][rng]") {
  Rng a(7, 3);
  Rng b(7, 3);
  for (int i = 0; i < 1000; ++i) REQUIRE(a() == b());
  Rng c(8, 3);
  Rng d(7, 4);
  Rng e(7, 3);
  int same_seed = 0;
  int same_stream = 0;
  for (int i = 0; i < 100; ++i) {
    const auto x = e();
    same_seed += c() == x;
    same_stream += d() == x;
  }
  CHECK(same_seed == 0);
  CHECK(same_stream == 0);
}

TEST_CASE("Rng: split depends on the index only, not on draws made before", "[core][rng]") {
  Rng parent(11);
  const Rng child_before = parent.split(5);
  for (int i = 0; i < 100; ++i) (void)parent();
  Rng child_after = parent.split(5);
  Rng copy = child_before;
  for (int i = 0; i < 100; ++i) REQUIRE(copy() == child_after());
  Rng sibling = parent.split(6);
  Rng again = parent.split(5);
  CHECK(sibling() != again());
  // Grandchildren of different children differ too.
  CHECK(parent.split(1).split(2)() != parent.split(2).split(1)());
}

TEST_CASE("Rng: uniform doubles have the moments of the unit uniform", "[core][rng]") {
  Rng rng(123);
  constexpr int n = 200000;
  double sum = 0.0;
  double sum_sq = 0.0;
  double lo = 1.0;
  double hi = 0.0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    sum += u;
    sum_sq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  // Standard errors: 0.29/sqrt(n) ~ 6.5e-4 for the mean; bounds are about 5 sigma.
  CHECK(mean == Approx(0.5).margin(3.5e-3));
  CHECK(var == Approx(1.0 / 12.0).margin(2e-3));
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
}

TEST_CASE("Rng: normal deviates have mean 0 and variance 1", "[core][rng]") {
  Rng rng(99);
  constexpr int n = 200000;
  double sum = 0.0;
  double sum_sq = 0.0;
  int beyond_two_sigma = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
    beyond_two_sigma += std::abs(z) > 2.0;
  }
  CHECK(sum / n == Approx(0.0).margin(0.012));
  CHECK(sum_sq / n == Approx(1.0).margin(0.015));
  // P(|Z| > 2) = 0.0455.
  CHECK(static_cast<double>(beyond_two_sigma) / n == Approx(0.0455).margin(0.003));
}

TEST_CASE("Rng: uniform_index covers 0..n-1 evenly", "[core][rng]") {
  Rng rng(5);
  std::vector<int> counts(7, 0);
  constexpr int n = 70000;
  for (int i = 0; i < n; ++i) {
    const auto k = rng.uniform_index(7);
    REQUIRE(k < 7);
    ++counts[k];
  }
  // Chi-square with 6 degrees of freedom; the 99.9% quantile is 22.46.
  double chi2 = 0.0;
  for (int c : counts) chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
  CHECK(chi2 < 22.46);
  CHECK(rng.uniform_index(0) == 0);
  CHECK(rng.uniform_index(1) == 0);
  for (int i = 0; i < 100; ++i) {
    const auto v = rng.uniform_int(-3, 3);
    REQUIRE(v >= -3);
    REQUIRE(v <= 3);
  }
}

TEST_CASE("Rng: permutation is a deterministic shuffle of 0..n-1", "[core][rng]") {
  Rng a(17);
  Rng b(17);
  const auto p = a.permutation(1000);
  CHECK(p == b.permutation(1000));
  auto sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
  std::size_t fixed_points = 0;
  for (std::size_t i = 0; i < p.size(); ++i) fixed_points += p[i] == i;
  CHECK(fixed_points < 10);  // expected 1 for a uniform permutation
}
