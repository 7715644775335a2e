// SPDX-License-Identifier: MIT
// Ranking metrics: ROC AUC (binary and one-vs-rest) and average precision.
#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "kolosal/core/error.hpp"
#include "kolosal/metrics/classification.hpp"

#include "metrics/validation.hpp"

namespace kolosal::metrics {
namespace {

using detail::weight_at;

/// One sample of a binary ranking problem.
struct Ranked {
  double score;
  double weight;
  bool positive;
};

/// Cumulative weights of positives and negatives scoring at least a threshold.
struct CurvePoint {
  double tps;
  double fps;
};

/// The curve points at each distinct score, from the highest score down: scikit-learn's
/// _binary_clf_curve. Ties form one point, so their order never matters.
std::vector<CurvePoint> threshold_curve(std::vector<Ranked>& items) {
  std::sort(items.begin(), items.end(),
            [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
  std::vector<CurvePoint> curve;
  double tps = 0.0;
  double fps = 0.0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    (items[i].positive ? tps : fps) += items[i].weight;
    if (i + 1 == items.size() || items[i + 1].score != items[i].score) {
      curve.push_back({tps, fps});
    }
  }
  return curve;
}

/// Area under the ROC curve of `items` (zero weights already removed) by the trapezoid rule.
double auc_of(std::string_view metric, std::vector<Ranked>& items) {
  const std::vector<CurvePoint> curve = threshold_curve(items);
  const double positives = curve.empty() ? 0.0 : curve.back().tps;
  const double negatives = curve.empty() ? 0.0 : curve.back().fps;
  KOLOSAL_CHECK(positives > 0.0 && negatives > 0.0, InvalidArgument, metric, ": the ",
                positives > 0.0 ? "negative" : "positive",
                " samples all have zero weight, so ROC AUC is not defined");
  double area = 0.0;
  double prev_fpr = 0.0;
  double prev_tpr = 0.0;
  for (const CurvePoint& point : curve) {
    const double fpr = point.fps / negatives;
    const double tpr = point.tps / positives;
    area += (fpr - prev_fpr) * (tpr + prev_tpr) / 2.0;
    prev_fpr = fpr;
    prev_tpr = tpr;
  }
  return area;
}

void add_item(std::vector<Ranked>& items, double score, double weight, bool positive) {
  // Zero-weight samples are dropped as scikit-learn does: they would only add a repeated point.
  if (weight != 0.0) items.push_back({score, weight, positive});
}

}  // namespace

double roc_auc(std::span<const int> y_true, std::span<const double> y_score,
               std::span<const double> sample_weight) {
  constexpr std::string_view kName = "roc_auc";
  detail::check_inputs(kName, y_true.size(), "y_score", y_score.size(), sample_weight);
  detail::check_finite(kName, "y_score", y_score);
  const std::vector<int> classes = detail::unique_labels(y_true);
  KOLOSAL_CHECK(classes.size() != 1, InvalidArgument, kName, ": only one class (", classes[0],
                ") is present in y_true; ROC AUC is not defined in that case");
  KOLOSAL_CHECK(classes.size() == 2, InvalidArgument, kName, ": y_true holds ", classes.size(),
                " classes ", detail::format_labels(classes),
                "; use roc_auc_ovr with a probability matrix for multiclass problems");
  const int positive = classes[1];
  std::vector<Ranked> items;
  items.reserve(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    add_item(items, y_score[i], weight_at(sample_weight, i), y_true[i] == positive);
  }
  return auc_of(kName, items);
}

double roc_auc_ovr(std::span<const int> y_true, MatrixView<const double> y_proba,
                   std::span<const double> sample_weight, Average average) {
  constexpr std::string_view kName = "roc_auc_ovr";
  detail::check_inputs(kName, y_true.size(), "y_proba", y_proba.rows(), sample_weight);
  KOLOSAL_CHECK(average != Average::kBinary, InvalidArgument, kName,
                ": average must be macro, weighted or micro for one-vs-rest AUC");
  const std::size_t n = y_true.size();
  const std::size_t k = y_proba.cols();
  KOLOSAL_CHECK(k >= 2, InvalidArgument, kName, ": y_proba has ", k,
                " column(s) but needs one per class, at least 2");
  detail::check_finite(kName, "y_proba", y_proba);
  std::vector<double> class_weight(k, 0.0);
  std::vector<std::size_t> class_count(k, 0);
  for (std::size_t i = 0; i < n; ++i) {
    KOLOSAL_CHECK(y_true[i] >= 0 && static_cast<std::size_t>(y_true[i]) < k, InvalidArgument, kName,
                  ": y_true[", i, "] = ", y_true[i], " is not a class index of y_proba's ", k,
                  " columns");
    const auto c = static_cast<std::size_t>(y_true[i]);
    ++class_count[c];
    class_weight[c] += weight_at(sample_weight, i);
  }
  for (std::size_t c = 0; c < k; ++c) {
    KOLOSAL_CHECK(class_count[c] > 0, InvalidArgument, kName, ": class ", c,
                  " never occurs in y_true, but one-vs-rest AUC needs every one of y_proba's ", k,
                  " classes");
  }
  for (std::size_t i = 0; i < n; ++i) {
    double row_sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) row_sum += y_proba(i, c);
    // numpy.allclose(1, row_sum), the check scikit-learn applies.
    KOLOSAL_CHECK(std::abs(1.0 - row_sum) <= 1e-8 + 1e-5 * std::abs(row_sum), InvalidArgument,
                  kName, ": row ", i, " of y_proba sums to ", row_sum,
                  ", but one-vs-rest AUC needs probabilities that sum to 1 over classes");
  }

  std::vector<Ranked> items;
  if (average == Average::kMicro) {
    items.reserve(n * k);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < k; ++c) {
        add_item(items, y_proba(i, c), weight_at(sample_weight, i),
                 static_cast<std::size_t>(y_true[i]) == c);
      }
    }
    return auc_of(kName, items);
  }

  std::vector<double> aucs(k);
  for (std::size_t c = 0; c < k; ++c) {
    items.clear();
    items.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      add_item(items, y_proba(i, c), weight_at(sample_weight, i),
               static_cast<std::size_t>(y_true[i]) == c);
    }
    aucs[c] = auc_of(kName, items);
  }
  if (average == Average::kWeighted) {
    double total = 0.0;
    for (const double w : class_weight) total += w;
    if (std::abs(total) <= 1e-8) return 0.0;  // numpy.isclose(total, 0), as scikit-learn
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) sum += aucs[c] * class_weight[c];
    return sum / total;
  }
  double sum = 0.0;
  for (const double a : aucs) sum += a;
  return sum / static_cast<double>(k);
}

double average_precision(std::span<const int> y_true, std::span<const double> y_score,
                         std::span<const double> sample_weight, int pos_label) {
  constexpr std::string_view kName = "average_precision";
  detail::check_inputs(kName, y_true.size(), "y_score", y_score.size(), sample_weight);
  detail::check_finite(kName, "y_score", y_score);
  const std::vector<int> classes = detail::unique_labels(y_true);
  KOLOSAL_CHECK(classes.size() <= 2, InvalidArgument, kName, ": y_true holds ", classes.size(),
                " classes ", detail::format_labels(classes), "; only binary targets are supported");
  KOLOSAL_CHECK(classes.size() < 2 || classes[0] == pos_label || classes[1] == pos_label,
                InvalidArgument, kName, ": pos_label=", pos_label,
                " is not a valid label; it should be one of ", detail::format_labels(classes));
  static_cast<void>(detail::total_weight(kName, sample_weight, y_true.size()));
  std::vector<Ranked> items;
  items.reserve(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    add_item(items, y_score[i], weight_at(sample_weight, i), y_true[i] == pos_label);
  }
  const std::vector<CurvePoint> curve = threshold_curve(items);
  const double positives = curve.back().tps;
  double ap = 0.0;
  double prev_recall = 0.0;
  for (const CurvePoint& point : curve) {
    const double predicted = point.tps + point.fps;
    const double precision = predicted != 0.0 ? point.tps / predicted : 0.0;
    // With no positive sample scikit-learn sets recall to 1 at every threshold.
    const double recall = positives == 0.0 ? 1.0 : point.tps / positives;
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
  }
  return ap;
}

}  // namespace kolosal::metrics
