// SPDX-License-Identifier: MIT
// Order statistics shared by metrics and models (private to src/): numpy's linear-interpolation
// percentile and scikit-learn's weighted percentile, so every caller matches the same reference.
#pragma once

#include <span>
#include <vector>

namespace kolosal::detail {

/// numpy.percentile(values, 100 q) with linear interpolation (and numpy's rounding of the
/// interpolation); q in [0, 1]; NaN for no values. Takes the values by copy to partially sort
/// them.
[[nodiscard]] double percentile(std::vector<double> values, double q);

/// numpy.median: the middle value, or the mean of the two middle values.
[[nodiscard]] double median(std::vector<double> values);

/// scikit-learn's _weighted_percentile(values, weights, 100 q): the smallest value whose
/// cumulative weight, in sorted order, reaches q times the total weight; a zero target skips
/// leading zero-weight values; NaN for no values. Weights non-negative and of the same length.
[[nodiscard]] double weighted_percentile(std::span<const double> values,
                                         std::span<const double> weights, double q);

}  // namespace kolosal::detail
