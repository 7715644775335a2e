// SPDX-License-Identifier: MIT
// Percentiles with numpy's and scikit-learn's conventions.
#include "core/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kolosal::detail {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(values.begin(), nth, values.end());
  const double low = *nth;
  if (below + 1 >= values.size()) return low;
  const double high = *std::min_element(nth + 1, values.end());
  // numpy's _lerp interpolates from the nearer end, which keeps the result within [low, high].
  const double t = position - static_cast<double>(below);
  return t < 0.5 ? low + (high - low) * t : high - (high - low) * (1.0 - t);
}

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t mid = values.size() / 2;
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(mid);
  std::nth_element(values.begin(), nth, values.end());
  if (values.size() % 2 == 1) return *nth;
  return (*std::max_element(values.begin(), nth) + *nth) / 2.0;
}

double weighted_percentile(std::span<const double> values, std::span<const double> weights,
                           double q) {
  const std::size_t n = values.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> cdf(n);
  double running = 0.0;
  for (std::size_t i = 0; i < n; ++i) cdf[i] = running += weights[order[i]];
  double target = q * cdf.back();
  if (target == 0.0) target = std::nextafter(0.0, 1.0);
  const auto it = std::lower_bound(cdf.begin(), cdf.end(), target);
  const std::size_t position = std::min(static_cast<std::size_t>(it - cdf.begin()), n - 1);
  return values[order[position]];
}

}  // namespace kolosal::detail
