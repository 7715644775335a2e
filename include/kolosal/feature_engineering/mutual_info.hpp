// SPDX-License-Identifier: MIT
// Mutual information between each feature and a target, as scikit-learn's mutual_info_classif and
// mutual_info_regression: k-nearest-neighbour estimates for continuous variables, contingency
// counts for discrete ones.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"

namespace kolosal::feature_engineering {

struct MutualInfoOptions {
  int n_neighbors = 3;  ///< k of the nearest-neighbour estimators, >= 1
  /// Adds scikit-learn's jitter, 1e-10 * max(1, mean |x|) * N(0, 1), to the scaled continuous
  /// features (and a continuous target) to break ties, seeded by the Context. The stream differs
  /// from numpy's, so on data with ties the estimates differ from scikit-learn's by the noise;
  /// without ties both agree to rounding with or without it.
  bool add_noise = true;
  /// One flag per feature: 1 treats it as discrete (values are labels), 0 as continuous. Empty:
  /// every feature continuous (scikit-learn's "auto" for dense input).
  std::vector<std::uint8_t> discrete_features{};
};

/// Estimated mutual information (nats) of each column of `columns` with `y`, clipped at 0.
/// - continuous feature, continuous target: Kraskov, Stögbauer and Grassberger, "Estimating
///   mutual information", Phys. Rev. E 69 (2004), estimator 1 with the max-norm;
/// - continuous and discrete: Ross, "Mutual information between discrete and continuous data
///   sets", PLoS ONE 9(2) (2014);
/// - both discrete: the plug-in estimate from the contingency table.
/// Continuous features and a continuous target are first divided by their standard deviation, as
/// scikit-learn does. `discrete_target` reads y as labels. Columns run in parallel; the result
/// depends on `context.seed` (through the noise) and never on the thread count.
/// @throws ShapeMismatch for a column or mask of the wrong length; InvalidArgument for
///   n_neighbors < 1, fewer than n_neighbors + 1 rows, or a non-finite value
[[nodiscard]] std::vector<double> mutual_info(std::span<const std::span<const double>> columns,
                                              std::span<const double> y, bool discrete_target,
                                              const MutualInfoOptions& options = {},
                                              const Context& context = {});

/// scikit-learn's mutual_info_regression on the columns of a row-major matrix.
[[nodiscard]] std::vector<double> mutual_info_regression(MatrixView<const double> x,
                                                         std::span<const double> y,
                                                         const MutualInfoOptions& options = {},
                                                         const Context& context = {});

/// scikit-learn's mutual_info_classif (y holds class labels) on a row-major matrix.
[[nodiscard]] std::vector<double> mutual_info_classif(MatrixView<const double> x,
                                                      std::span<const double> y,
                                                      const MutualInfoOptions& options = {},
                                                      const Context& context = {});

/// The digamma function ψ(x) for x > 0 (recurrence to x >= 12, then the asymptotic series);
/// absolute error below 1e-14.
[[nodiscard]] double digamma(double x) noexcept;

}  // namespace kolosal::feature_engineering
