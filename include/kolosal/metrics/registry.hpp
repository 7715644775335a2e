// SPDX-License-Identifier: MIT
// Metrics by name: a table of what each metric needs and which direction is better, and score().
#pragma once

#include <span>
#include <string_view>

#include "kolosal/core/matrix_view.hpp"

namespace kolosal::metrics {

/// The kind of problem a metric scores.
enum class Task { kClassification, kRegression };

/// What model selection needs to know about a metric.
struct MetricInfo {
  std::string_view name;   ///< registry name, e.g. "f1_macro"
  Task task;               ///< classification or regression
  bool greater_is_better;  ///< false for losses and errors (log_loss, mean_squared_error, ...)
  /// True when the metric reads scores or probabilities (roc_auc, log_loss, ...) rather than
  /// predicted labels; it then needs score()'s probability-matrix overload.
  bool needs_proba;

  friend bool operator==(const MetricInfo&, const MetricInfo&) = default;
};

/// Every registered metric, in a fixed order. Names follow scikit-learn's scorer names without
/// the "neg_" prefix, since score() returns the metric itself, never its negation:
///
/// | name | function |
/// |---|---|
/// | accuracy, balanced_accuracy | accuracy(), balanced_accuracy() |
/// | precision, recall, f1 | Average::kBinary with pos_label 1 |
/// | precision_micro/_macro/_weighted, likewise recall_* and f1_* | the given Average |
/// | matthews_corrcoef, cohen_kappa | unweighted kappa |
/// | roc_auc | roc_auc() on column 1 of an n × 2 matrix (or an n × 1 one) |
/// | roc_auc_ovr, roc_auc_ovr_weighted | roc_auc_ovr() with kMacro / kWeighted |
/// | average_precision, brier_score_loss | column 1 of an n × 2 matrix (or an n × 1 one) |
/// | log_loss | log_loss() (an n × 1 matrix is the probability of class 1) |
/// | r2, explained_variance, mean_squared_error, root_mean_squared_error, mean_absolute_error,
///   mean_absolute_percentage_error, median_absolute_error | the regression functions |
[[nodiscard]] std::span<const MetricInfo> all_metrics() noexcept;

/// The registry entry of `name`.
/// @throws InvalidArgument for an unknown name; the message lists every known name.
[[nodiscard]] const MetricInfo& metric_info(std::string_view name);

/// Scores predicted class labels with a label metric (needs_proba false).
/// @throws InvalidArgument for an unknown name, a regression metric or a metric that needs
///   probabilities; otherwise whatever the metric throws.
[[nodiscard]] double score(std::string_view name, std::span<const int> y_true,
                           std::span<const int> y_pred, std::span<const double> sample_weight = {});

/// Scores a probability matrix (n × k, column j for class j) with any classification metric.
/// Label metrics use each row's most probable class (the first one on ties, as numpy.argmax);
/// binary metrics read column 1 of an n × 2 matrix.
/// @throws InvalidArgument for an unknown name, a regression metric, or a binary metric given
///   more than two columns; otherwise whatever the metric throws.
[[nodiscard]] double score(std::string_view name, std::span<const int> y_true,
                           MatrixView<const double> y_proba,
                           std::span<const double> sample_weight = {});

/// Scores regression predictions with a regression metric.
/// @throws InvalidArgument for an unknown name or a classification metric; otherwise whatever
///   the metric throws.
[[nodiscard]] double score(std::string_view name, std::span<const double> y_true,
                           std::span<const double> y_pred,
                           std::span<const double> sample_weight = {});

}  // namespace kolosal::metrics
