// SPDX-License-Identifier: MIT
// Regression metrics for a single target, matching scikit-learn 1.2's values.
#pragma once

#include <span>

/// Conventions: arguments are (y_true, y_pred, sample_weight, options...); an empty
/// `sample_weight` weighs every sample 1, weights must be finite and non-negative. Every function
/// throws ShapeMismatch when lengths differ and InvalidArgument for empty input, a NaN or infinite
/// value (naming its index), a negative weight, or weights summing to zero where the metric
/// averages with them. Multi-output targets are not supported: score each output separately.
namespace kolosal::metrics {

/// Mean of (y_true − y_pred)², weighted by `sample_weight`.
/// @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double mean_squared_error(std::span<const double> y_true,
                                        std::span<const double> y_pred,
                                        std::span<const double> sample_weight = {});

/// Square root of mean_squared_error(). @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double root_mean_squared_error(std::span<const double> y_true,
                                             std::span<const double> y_pred,
                                             std::span<const double> sample_weight = {});

/// Mean of |y_true − y_pred|, weighted by `sample_weight`. @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double mean_absolute_error(std::span<const double> y_true,
                                         std::span<const double> y_pred,
                                         std::span<const double> sample_weight = {});

/// Mean of |y_true − y_pred| / max(|y_true|, ε) with ε the machine epsilon of double, as
/// scikit-learn: a zero y_true gives a huge but finite term rather than a division by zero. The
/// result is a fraction (0.1 means 10%), not a percentage.
/// @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double mean_absolute_percentage_error(std::span<const double> y_true,
                                                    std::span<const double> y_pred,
                                                    std::span<const double> sample_weight = {});

/// Median of |y_true − y_pred|: the mean of the two middle values for an even count when
/// unweighted (numpy.median); with weights, the smallest error whose cumulative weight reaches
/// half the total (scikit-learn's _weighted_percentile, which never interpolates).
/// @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double median_absolute_error(std::span<const double> y_true,
                                           std::span<const double> y_pred,
                                           std::span<const double> sample_weight = {});

/// Coefficient of determination 1 − Σw(y − ŷ)² / Σw(y − ȳ)². NaN for fewer than two samples, as
/// scikit-learn. For a constant y_true (zero denominator) with `force_finite`, 1 when predictions
/// are perfect and 0 otherwise; without it, the raw ratio (NaN or −infinity).
/// @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double r2(std::span<const double> y_true, std::span<const double> y_pred,
                        std::span<const double> sample_weight = {}, bool force_finite = true);

/// Explained variance 1 − Var(y − ŷ) / Var(y), with (weighted) population variances, so a
/// constant offset in the predictions is not penalised. Constant y_true is handled as in r2().
/// @throws ShapeMismatch, InvalidArgument
[[nodiscard]] double explained_variance(std::span<const double> y_true,
                                        std::span<const double> y_pred,
                                        std::span<const double> sample_weight = {},
                                        bool force_finite = true);

}  // namespace kolosal::metrics
