// SPDX-License-Identifier: MIT
// The metric table and score(): dispatch from a metric's name to its function.
#include "kolosal/metrics/registry.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolosal/core/error.hpp"
#include "kolosal/core/simd.hpp"
#include "kolosal/metrics/classification.hpp"
#include "kolosal/metrics/regression.hpp"

#include "metrics/validation.hpp"

namespace kolosal::metrics {
namespace {

constexpr MetricInfo classifier(std::string_view name, bool greater_is_better = true,
                                bool needs_proba = false) {
  return {name, Task::kClassification, greater_is_better, needs_proba};
}
constexpr MetricInfo regressor(std::string_view name, bool greater_is_better) {
  return {name, Task::kRegression, greater_is_better, false};
}

constexpr std::array kMetrics{
    classifier("accuracy"),
    classifier("balanced_accuracy"),
    classifier("precision"),
    classifier("precision_micro"),
    classifier("precision_macro"),
    classifier("precision_weighted"),
    classifier("recall"),
    classifier("recall_micro"),
    classifier("recall_macro"),
    classifier("recall_weighted"),
    classifier("f1"),
    classifier("f1_micro"),
    classifier("f1_macro"),
    classifier("f1_weighted"),
    classifier("matthews_corrcoef"),
    classifier("cohen_kappa"),
    classifier("roc_auc", true, true),
    classifier("roc_auc_ovr", true, true),
    classifier("roc_auc_ovr_weighted", true, true),
    classifier("average_precision", true, true),
    classifier("log_loss", false, true),
    classifier("brier_score_loss", false, true),
    regressor("r2", true),
    regressor("explained_variance", true),
    regressor("mean_squared_error", false),
    regressor("root_mean_squared_error", false),
    regressor("mean_absolute_error", false),
    regressor("mean_absolute_percentage_error", false),
    regressor("median_absolute_error", false),
};

/// Splits "f1_macro" into its family ("f1") and averaging; nullopt for other names.
std::optional<std::pair<std::string_view, Average>> split_average(std::string_view name) {
  for (const std::string_view family : {"precision", "recall", "f1"}) {
    if (!name.starts_with(family)) continue;
    const std::string_view rest = name.substr(family.size());
    if (rest.empty()) return std::pair{family, Average::kBinary};
    if (rest == "_micro") return std::pair{family, Average::kMicro};
    if (rest == "_macro") return std::pair{family, Average::kMacro};
    if (rest == "_weighted") return std::pair{family, Average::kWeighted};
  }
  return std::nullopt;
}

double score_labels(const MetricInfo& info, std::span<const int> y_true,
                    std::span<const int> y_pred, std::span<const double> sample_weight) {
  const std::string_view name = info.name;
  if (const auto prf = split_average(name)) {
    const PrfOptions options{.average = prf->second};
    if (prf->first == "precision") return precision(y_true, y_pred, sample_weight, options);
    if (prf->first == "recall") return recall(y_true, y_pred, sample_weight, options);
    return f1(y_true, y_pred, sample_weight, options);
  }
  if (name == "accuracy") return accuracy(y_true, y_pred, sample_weight);
  if (name == "balanced_accuracy") return balanced_accuracy(y_true, y_pred, sample_weight);
  if (name == "matthews_corrcoef") return matthews_corrcoef(y_true, y_pred, sample_weight);
  if (name == "cohen_kappa") return cohen_kappa(y_true, y_pred, sample_weight);
  KOLOSAL_THROW(InternalError, "score: label metric '", name, "' has no dispatch");
}

/// Column `c` of a matrix as a contiguous vector.
std::vector<double> column(MatrixView<const double> m, std::size_t c) {
  std::vector<double> out(m.rows());
  for (std::size_t r = 0; r < m.rows(); ++r) out[r] = m(r, c);
  return out;
}

/// The positive-class column of a binary probability matrix (n × 1 or n × 2).
std::vector<double> positive_column(std::string_view name, MatrixView<const double> y_proba) {
  KOLOSAL_CHECK(y_proba.cols() == 1 || y_proba.cols() == 2, InvalidArgument, "score: '", name,
                "' is a binary metric but y_proba has ", y_proba.cols(),
                " columns; it needs 1 or 2",
                name == "roc_auc" ? " (use 'roc_auc_ovr' for multiclass problems)" : "");
  return column(y_proba, y_proba.cols() - 1);
}

const MetricInfo& checked_info(std::string_view name, Task task) {
  const MetricInfo& info = metric_info(name);
  KOLOSAL_CHECK(info.task == task, InvalidArgument, "score: '", name, "' is a ",
                info.task == Task::kRegression ? "regression" : "classification", " metric; pass ",
                info.task == Task::kRegression ? "real-valued targets and predictions"
                                               : "integer class labels");
  return info;
}

}  // namespace

std::span<const MetricInfo> all_metrics() noexcept { return kMetrics; }

const MetricInfo& metric_info(std::string_view name) {
  const auto it = std::find_if(kMetrics.begin(), kMetrics.end(),
                               [&](const MetricInfo& info) { return info.name == name; });
  if (it == kMetrics.end()) [[unlikely]] {
    std::string known;
    for (const MetricInfo& info : kMetrics) {
      if (!known.empty()) known += ", ";
      known += info.name;
    }
    KOLOSAL_THROW(InvalidArgument, "metric_info: unknown metric '", name,
                  "'; known metrics: ", known);
  }
  return *it;
}

double score(std::string_view name, std::span<const int> y_true, std::span<const int> y_pred,
             std::span<const double> sample_weight) {
  const MetricInfo& info = checked_info(name, Task::kClassification);
  KOLOSAL_CHECK(!info.needs_proba, InvalidArgument, "score: '", name,
                "' needs scores or probabilities, not predicted labels; pass a probability "
                "matrix");
  return score_labels(info, y_true, y_pred, sample_weight);
}

double score(std::string_view name, std::span<const int> y_true, MatrixView<const double> y_proba,
             std::span<const double> sample_weight) {
  const MetricInfo& info = checked_info(name, Task::kClassification);
  if (!info.needs_proba) {
    detail::check_same_length("score", "y_true", y_true.size(), "y_proba", y_proba.rows());
    KOLOSAL_CHECK(y_proba.cols() > 0, InvalidArgument, "score: y_proba has no columns");
    detail::check_finite("score", "y_proba", y_proba);
    std::vector<int> y_pred(y_proba.rows());
    for (std::size_t r = 0; r < y_proba.rows(); ++r) {
      y_pred[r] = static_cast<int>(simd::argmax(y_proba.row(r)));
    }
    return score_labels(info, y_true, y_pred, sample_weight);
  }
  if (name == "log_loss") {
    if (y_proba.cols() == 1) return log_loss(y_true, column(y_proba, 0), sample_weight);
    return log_loss(y_true, y_proba, sample_weight);
  }
  if (name == "roc_auc_ovr") return roc_auc_ovr(y_true, y_proba, sample_weight, Average::kMacro);
  if (name == "roc_auc_ovr_weighted") {
    return roc_auc_ovr(y_true, y_proba, sample_weight, Average::kWeighted);
  }
  const std::vector<double> positive = positive_column(name, y_proba);
  if (name == "roc_auc") return roc_auc(y_true, positive, sample_weight);
  if (name == "average_precision") return average_precision(y_true, positive, sample_weight);
  if (name == "brier_score_loss") return brier_score_loss(y_true, positive, sample_weight);
  KOLOSAL_THROW(InternalError, "score: probabilistic metric '", name, "' has no dispatch");
}

double score(std::string_view name, std::span<const double> y_true, std::span<const double> y_pred,
             std::span<const double> sample_weight) {
  checked_info(name, Task::kRegression);
  if (name == "r2") return r2(y_true, y_pred, sample_weight);
  if (name == "explained_variance") return explained_variance(y_true, y_pred, sample_weight);
  if (name == "mean_squared_error") return mean_squared_error(y_true, y_pred, sample_weight);
  if (name == "root_mean_squared_error") {
    return root_mean_squared_error(y_true, y_pred, sample_weight);
  }
  if (name == "mean_absolute_error") return mean_absolute_error(y_true, y_pred, sample_weight);
  if (name == "mean_absolute_percentage_error") {
    return mean_absolute_percentage_error(y_true, y_pred, sample_weight);
  }
  if (name == "median_absolute_error") {
    return median_absolute_error(y_true, y_pred, sample_weight);
  }
  KOLOSAL_THROW(InternalError, "score: regression metric '", name, "' has no dispatch");
}

}  // namespace kolosal::metrics
