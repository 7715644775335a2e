// SPDX-License-Identifier: MIT
// Regression metrics on the simd reductions.
#include "kolosal/metrics/regression.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>
#include <vector>

#include "kolosal/core/error.hpp"
#include "kolosal/core/simd.hpp"

#include "core/statistics.hpp"
#include "metrics/validation.hpp"

namespace kolosal::metrics {
namespace {

void check_regression(std::string_view metric, std::span<const double> y_true,
                      std::span<const double> y_pred, std::span<const double> sample_weight) {
  detail::check_inputs(metric, y_true.size(), "y_pred", y_pred.size(), sample_weight);
  detail::check_finite(metric, "y_true", y_true);
  detail::check_finite(metric, "y_pred", y_pred);
}

/// Σ w·(a − b)², or Σ (a − b)² when unweighted.
double weighted_squared_distance(std::span<const double> a, std::span<const double> b,
                                 std::span<const double> sample_weight) {
  if (sample_weight.empty()) return simd::squared_distance(a, b);
  std::vector<double> squared(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) squared[i] = (a[i] - b[i]) * (a[i] - b[i]);
  return simd::dot(squared, sample_weight);
}

/// scikit-learn's _assemble_r2_explained_variance for one output.
double assemble(double numerator, double denominator, bool force_finite) {
  if (!force_finite) return 1.0 - numerator / denominator;
  if (numerator == 0.0) return 1.0;
  if (denominator == 0.0) return 0.0;
  return 1.0 - numerator / denominator;
}

}  // namespace

double mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred,
                          std::span<const double> sample_weight) {
  constexpr std::string_view kName = "mean_squared_error";
  check_regression(kName, y_true, y_pred, sample_weight);
  const double total = detail::total_weight(kName, sample_weight, y_true.size());
  return weighted_squared_distance(y_true, y_pred, sample_weight) / total;
}

double root_mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred,
                               std::span<const double> sample_weight) {
  constexpr std::string_view kName = "root_mean_squared_error";
  check_regression(kName, y_true, y_pred, sample_weight);
  const double total = detail::total_weight(kName, sample_weight, y_true.size());
  return std::sqrt(weighted_squared_distance(y_true, y_pred, sample_weight) / total);
}

double mean_absolute_error(std::span<const double> y_true, std::span<const double> y_pred,
                           std::span<const double> sample_weight) {
  constexpr std::string_view kName = "mean_absolute_error";
  check_regression(kName, y_true, y_pred, sample_weight);
  std::vector<double> errors(y_true.size());
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] = std::abs(y_pred[i] - y_true[i]);
  return detail::average(kName, errors, sample_weight);
}

double mean_absolute_percentage_error(std::span<const double> y_true,
                                      std::span<const double> y_pred,
                                      std::span<const double> sample_weight) {
  constexpr std::string_view kName = "mean_absolute_percentage_error";
  check_regression(kName, y_true, y_pred, sample_weight);
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  std::vector<double> errors(y_true.size());
  for (std::size_t i = 0; i < errors.size(); ++i) {
    errors[i] = std::abs(y_pred[i] - y_true[i]) / std::max(std::abs(y_true[i]), kEps);
  }
  return detail::average(kName, errors, sample_weight);
}

double median_absolute_error(std::span<const double> y_true, std::span<const double> y_pred,
                             std::span<const double> sample_weight) {
  constexpr std::string_view kName = "median_absolute_error";
  check_regression(kName, y_true, y_pred, sample_weight);
  const std::size_t n = y_true.size();
  std::vector<double> errors(n);
  for (std::size_t i = 0; i < n; ++i) errors[i] = std::abs(y_pred[i] - y_true[i]);
  return sample_weight.empty() ? kolosal::detail::median(std::move(errors))
                               : kolosal::detail::weighted_percentile(errors, sample_weight, 0.5);
}

double r2(std::span<const double> y_true, std::span<const double> y_pred,
          std::span<const double> sample_weight, bool force_finite) {
  constexpr std::string_view kName = "r2";
  check_regression(kName, y_true, y_pred, sample_weight);
  if (y_true.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double numerator = weighted_squared_distance(y_true, y_pred, sample_weight);
  const double mean = detail::average(kName, y_true, sample_weight);
  double denominator = 0.0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double d = y_true[i] - mean;
    denominator += detail::weight_at(sample_weight, i) * (d * d);
  }
  return assemble(numerator, denominator, force_finite);
}

double explained_variance(std::span<const double> y_true, std::span<const double> y_pred,
                          std::span<const double> sample_weight, bool force_finite) {
  constexpr std::string_view kName = "explained_variance";
  check_regression(kName, y_true, y_pred, sample_weight);
  const std::size_t n = y_true.size();
  std::vector<double> diff(n);
  for (std::size_t i = 0; i < n; ++i) diff[i] = y_true[i] - y_pred[i];
  const double diff_mean = detail::average(kName, diff, sample_weight);
  const double true_mean = detail::average(kName, y_true, sample_weight);
  std::vector<double> residual(n);
  std::vector<double> spread(n);
  for (std::size_t i = 0; i < n; ++i) {
    residual[i] = (diff[i] - diff_mean) * (diff[i] - diff_mean);
    spread[i] = (y_true[i] - true_mean) * (y_true[i] - true_mean);
  }
  const double numerator = detail::average(kName, residual, sample_weight);
  const double denominator = detail::average(kName, spread, sample_weight);
  return assemble(numerator, denominator, force_finite);
}

}  // namespace kolosal::metrics
