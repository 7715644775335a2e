// SPDX-License-Identifier: MIT
// Input checks shared by the metrics, each raising an error that names the metric.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kolosal/core/matrix_view.hpp"

namespace kolosal::metrics::detail {

/// Weight of sample `i`: 1 when no weights were given.
[[nodiscard]] inline double weight_at(std::span<const double> sample_weight,
                                      std::size_t i) noexcept {
  return sample_weight.empty() ? 1.0 : sample_weight[i];
}

/// @throws ShapeMismatch "<metric>: <a_name> has <a> values but <b_name> has <b>".
void check_same_length(std::string_view metric, std::string_view a_name, std::size_t a,
                       std::string_view b_name, std::size_t b);

/// @throws InvalidArgument when `n` is 0.
void check_not_empty(std::string_view metric, std::string_view name, std::size_t n);

/// @throws InvalidArgument naming the first NaN or infinite value and its index.
void check_finite(std::string_view metric, std::string_view name, std::span<const double> values);

/// @throws InvalidArgument naming the first NaN or infinite entry of a matrix and its position.
void check_finite(std::string_view metric, std::string_view name, MatrixView<const double> values);

/// Checks optional weights against `n` samples: the same count, finite, non-negative.
/// @throws ShapeMismatch, InvalidArgument
void check_weights(std::string_view metric, std::span<const double> sample_weight, std::size_t n);

/// Checks a (y_true, y_pred, sample_weight) triple of equal, non-zero lengths and valid weights.
/// @throws ShapeMismatch, InvalidArgument
void check_inputs(std::string_view metric, std::size_t n_true, std::string_view pred_name,
                  std::size_t n_pred, std::span<const double> sample_weight);

/// Σ weights (n when unweighted). @throws InvalidArgument when it is 0, since the metric divides
/// by it.
[[nodiscard]] double total_weight(std::string_view metric, std::span<const double> sample_weight,
                                  std::size_t n);

/// np.average(values, weights=sample_weight): Σ w·v / Σ w, or the mean when unweighted.
/// @throws InvalidArgument when the weights sum to zero.
[[nodiscard]] double average(std::string_view metric, std::span<const double> values,
                             std::span<const double> sample_weight);

/// Sorted distinct values of `a` and `b` together.
[[nodiscard]] std::vector<int> unique_labels(std::span<const int> a, std::span<const int> b = {});

/// Renders labels as "[0, 1, 2]" for messages.
[[nodiscard]] std::string format_labels(std::span<const int> labels);

}  // namespace kolosal::metrics::detail
