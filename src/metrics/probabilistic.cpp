// SPDX-License-Identifier: MIT
// Probabilistic classification metrics: log loss and the Brier score.
#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <vector>

#include "kolosal/core/error.hpp"
#include "kolosal/metrics/classification.hpp"

#include "metrics/validation.hpp"

namespace kolosal::metrics {
namespace {

constexpr std::string_view kLogLoss = "log_loss";

void check_log_loss_labels(std::span<const int> y_true, std::size_t k, double eps) {
  KOLOSAL_CHECK(eps >= 0.0 && eps < 0.5, InvalidArgument, kLogLoss,
                ": eps must be in [0, 0.5), got ", eps);
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    KOLOSAL_CHECK(y_true[i] >= 0 && static_cast<std::size_t>(y_true[i]) < k, InvalidArgument,
                  kLogLoss, ": y_true[", i, "] = ", y_true[i], " is not a class index of the ", k,
                  " classes of y_proba");
  }
}

/// Mean (or sum) of per-sample losses, as scikit-learn's _weighted_sum.
double combine_losses(std::span<const double> losses, std::span<const double> sample_weight,
                      bool normalize) {
  if (normalize) return detail::average(kLogLoss, losses, sample_weight);
  double sum = 0.0;
  for (std::size_t i = 0; i < losses.size(); ++i) {
    sum += losses[i] * detail::weight_at(sample_weight, i);
  }
  return sum;
}

double clip(double p, double eps) noexcept { return std::min(std::max(p, eps), 1.0 - eps); }

}  // namespace

double log_loss(std::span<const int> y_true, MatrixView<const double> y_proba,
                std::span<const double> sample_weight, double eps, bool normalize) {
  detail::check_inputs(kLogLoss, y_true.size(), "y_proba", y_proba.rows(), sample_weight);
  const std::size_t k = y_proba.cols();
  KOLOSAL_CHECK(k >= 2, InvalidArgument, kLogLoss, ": y_proba has ", k,
                " column(s); pass one column per class (at least 2), or the probability of "
                "class 1 as a span");
  check_log_loss_labels(y_true, k, eps);
  detail::check_finite(kLogLoss, "y_proba", y_proba);
  std::vector<double> losses(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    double row_sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) row_sum += clip(y_proba(i, c), eps);
    const double p = clip(y_proba(i, static_cast<std::size_t>(y_true[i])), eps) / row_sum;
    losses[i] = -std::log(p);
  }
  return combine_losses(losses, sample_weight, normalize);
}

double log_loss(std::span<const int> y_true, std::span<const double> y_proba_positive,
                std::span<const double> sample_weight, double eps, bool normalize) {
  detail::check_inputs(kLogLoss, y_true.size(), "y_proba", y_proba_positive.size(), sample_weight);
  check_log_loss_labels(y_true, 2, eps);
  detail::check_finite(kLogLoss, "y_proba", y_proba_positive);
  std::vector<double> losses(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double p1 = clip(y_proba_positive[i], eps);
    // As scikit-learn: the row is (1 − p, p) after clipping, renormalised.
    const std::array<double, 2> row{1.0 - p1, p1};
    losses[i] = -std::log(row[static_cast<std::size_t>(y_true[i])] / (row[0] + row[1]));
  }
  return combine_losses(losses, sample_weight, normalize);
}

double brier_score_loss(std::span<const int> y_true, std::span<const double> y_prob,
                        std::span<const double> sample_weight, std::optional<int> pos_label) {
  constexpr std::string_view kName = "brier_score_loss";
  detail::check_inputs(kName, y_true.size(), "y_prob", y_prob.size(), sample_weight);
  detail::check_finite(kName, "y_prob", y_prob);
  for (std::size_t i = 0; i < y_prob.size(); ++i) {
    KOLOSAL_CHECK(y_prob[i] >= 0.0 && y_prob[i] <= 1.0, InvalidArgument, kName, ": y_prob[", i,
                  "] = ", y_prob[i], " is outside [0, 1]");
  }
  const std::vector<int> classes = detail::unique_labels(y_true);
  KOLOSAL_CHECK(classes.size() <= 2, InvalidArgument, kName, ": y_true holds ", classes.size(),
                " classes ", detail::format_labels(classes), "; only binary targets are supported");
  if (!pos_label) {
    // scikit-learn's rule: 1 for labels within {0, 1} or {-1, 1}, else the larger label.
    const bool standard =
        std::all_of(classes.begin(), classes.end(), [](int c) { return c >= -1 && c <= 1; }) &&
        !(classes.size() == 2 && classes[0] == -1 && classes[1] == 0);
    pos_label = standard ? 1 : classes.back();
  }
  std::vector<double> squared(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double outcome = y_true[i] == *pos_label ? 1.0 : 0.0;
    squared[i] = (outcome - y_prob[i]) * (outcome - y_prob[i]);
  }
  return detail::average(kName, squared, sample_weight);
}

}  // namespace kolosal::metrics
