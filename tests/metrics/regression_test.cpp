// SPDX-License-Identifier: MIT
// Regression metrics: hand-computed answers, scikit-learn's edge conventions and bad input.
#include "kolosal/metrics/regression.hpp"

#include <limits>
#include <vector>

#include "kolosal/core/simd.hpp"

#include "test_util.hpp"

namespace km = kolosal::metrics;
using kolosal::InvalidArgument;
using kolosal::ShapeMismatch;
using kolosal::test::expect_error;

namespace {
using Doubles = std::vector<double>;
}  // namespace

TEST_CASE("metrics: regression metrics by hand", "[metrics]") {
  // scikit-learn's docstring example.
  const Doubles y{3.0, -0.5, 2.0, 7.0};
  const Doubles p{2.5, 0.0, 2.0, 8.0};
  CHECK(km::mean_squared_error(y, p) == 0.375);
  CHECK(km::root_mean_squared_error(y, p) == Approx(std::sqrt(0.375)).epsilon(1e-15));
  CHECK(km::mean_absolute_error(y, p) == 0.5);
  CHECK(km::median_absolute_error(y, p) == 0.5);
  CHECK(km::mean_absolute_percentage_error(y, p) ==
        Approx((0.5 / 3.0 + 1.0 + 0.0 + 1.0 / 7.0) / 4.0).epsilon(1e-15));
  // ȳ = 2.875, Σ(y − ȳ)² = 29.1875, Σ(y − ŷ)² = 1.5.
  CHECK(km::r2(y, p) == Approx(1.0 - 1.5 / 29.1875).epsilon(1e-15));
  // Residuals (0.5, −0.5, 0, −1): mean −0.25, variance 0.3125; Var(y) = 7.296875.
  CHECK(km::explained_variance(y, p) == Approx(1.0 - 0.3125 / 7.296875).epsilon(1e-15));

  // Weights act as repetitions.
  const Doubles w{1.0, 2.0, 1.0, 0.0};
  const Doubles y_rep{3.0, -0.5, -0.5, 2.0};
  const Doubles p_rep{2.5, 0.0, 0.0, 2.0};
  CHECK(km::mean_squared_error(y, p, w) == Approx(km::mean_squared_error(y_rep, p_rep)));
  CHECK(km::mean_absolute_error(y, p, w) == Approx(km::mean_absolute_error(y_rep, p_rep)));
  CHECK(km::r2(y, p, w) == Approx(km::r2(y_rep, p_rep)).epsilon(1e-14));
  CHECK(km::explained_variance(y, p, w) ==
        Approx(km::explained_variance(y_rep, p_rep)).epsilon(1e-14));
}

TEST_CASE("metrics: median absolute error, odd, even and weighted", "[metrics]") {
  CHECK(km::median_absolute_error(Doubles{0, 0, 0}, Doubles{1, 5, 2}) == 2.0);
  CHECK(km::median_absolute_error(Doubles{0, 0, 0, 0}, Doubles{1, 5, 2, 4}) == 3.0);
  // Weighted: the first error whose cumulative weight reaches half the total (never averaged).
  CHECK(km::median_absolute_error(Doubles{0, 0, 0}, Doubles{1, 2, 3}, Doubles{1, 1, 5}) == 3.0);
  CHECK(km::median_absolute_error(Doubles{0, 0, 0, 0}, Doubles{1, 2, 3, 4}, Doubles{1, 1, 1, 1}) ==
        2.0);
}

TEST_CASE("metrics: R² and explained variance edge conventions", "[metrics]") {
  const Doubles constant{2.0, 2.0, 2.0};
  CHECK(km::r2(constant, constant) == 1.0);
  CHECK(km::r2(constant, Doubles{2.0, 2.5, 2.0}) == 0.0);
  CHECK(std::isnan(km::r2(constant, constant, {}, false)));
  CHECK(km::r2(constant, Doubles{2.0, 2.5, 2.0}, {}, false) ==
        -std::numeric_limits<double>::infinity());
  CHECK(km::explained_variance(constant, Doubles{3.0, 3.0, 3.0}) == 1.0);  // a constant offset
  CHECK(km::explained_variance(constant, Doubles{2.0, 2.5, 2.0}) == 0.0);
  // One sample: R² is undefined (NaN), as scikit-learn.
  CHECK(std::isnan(km::r2(Doubles{1.0}, Doubles{2.0})));
  // An offset prediction: explained variance 1, R² below 1.
  const Doubles y{1.0, 2.0, 4.0};
  const Doubles shifted{2.0, 3.0, 5.0};
  CHECK(km::explained_variance(y, shifted) == 1.0);
  CHECK(km::r2(y, shifted) < 1.0);
  // MAPE with y_true = 0 divides by machine epsilon instead of 0.
  CHECK(km::mean_absolute_percentage_error(Doubles{0.0}, Doubles{1.0}) ==
        1.0 / std::numeric_limits<double>::epsilon());
}

TEST_CASE("metrics: regression results do not depend on the SIMD level", "[metrics]") {
  std::vector<double> y(103);
  std::vector<double> p(103);
  std::vector<double> w(103);
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = std::sin(0.37 * static_cast<double>(i)) * 10.0;
    p[i] = y[i] + std::cos(1.3 * static_cast<double>(i));
    w[i] = 0.5 + static_cast<double>(i % 7);
  }
  kolosal::simd::force_level(kolosal::simd::Level::kScalar);
  const double mse = km::mean_squared_error(y, p, w);
  const double r2 = km::r2(y, p);
  kolosal::simd::force_level(std::nullopt);
  CHECK(km::mean_squared_error(y, p, w) == Approx(mse).epsilon(1e-14));
  CHECK(km::r2(y, p) == Approx(r2).epsilon(1e-14));
}

TEST_CASE("metrics: regression inputs are validated", "[metrics]") {
  expect_error<ShapeMismatch>(
      [] {
        (void)km::r2(Doubles{1, 2, 3}, Doubles{1, 2});
      },
      "r2: y_true has 3 values but y_pred has 2");
  expect_error<InvalidArgument>([] { (void)km::mean_squared_error(Doubles{}, Doubles{}); },
                                "mean_squared_error: empty input");
  expect_error<InvalidArgument>(
      [] {
        (void)km::r2(Doubles{1, 2, 3}, Doubles{1, 2, std::nan("")});
      },
      "r2: y_pred[2] is NaN");
  expect_error<InvalidArgument>(
      [] {
        (void)km::mean_absolute_error(Doubles{1, std::numeric_limits<double>::infinity()},
                                      Doubles{1, 2});
      },
      "mean_absolute_error: y_true[1] is infinite");
  expect_error<InvalidArgument>(
      [] {
        (void)km::median_absolute_error(Doubles{1, 2}, Doubles{1, 2}, Doubles{1, -1});
      },
      "median_absolute_error: sample_weight[1] is negative (-1)");
  expect_error<ShapeMismatch>(
      [] {
        (void)km::explained_variance(Doubles{1, 2}, Doubles{1, 2}, Doubles{1});
      },
      "explained_variance: y_true has 2 values but sample_weight has 1");
  expect_error<InvalidArgument>(
      [] {
        (void)km::root_mean_squared_error(Doubles{1, 2}, Doubles{1, 2}, Doubles{0, 0});
      },
      "root_mean_squared_error: sample weights sum to zero");
}
