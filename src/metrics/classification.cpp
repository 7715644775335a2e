// SPDX-License-Identifier: MIT
// Label metrics: accuracy, precision/recall/F, MCC, Cohen's kappa and the confusion matrix.
#include "kolosal/metrics/classification.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolosal/core/error.hpp"

#include "metrics/validation.hpp"

namespace kolosal::metrics {
namespace {

using detail::weight_at;

/// Position of each label in a given label order; -1 for labels not listed.
class LabelIndex {
 public:
  /// `labels` must be distinct.
  explicit LabelIndex(std::span<const int> labels) {
    if (labels.empty()) return;
    const auto [lo, hi] = std::minmax_element(labels.begin(), labels.end());
    const auto range = static_cast<std::int64_t>(*hi) - static_cast<std::int64_t>(*lo) + 1;
    if (range <= static_cast<std::int64_t>(4 * labels.size()) + 1024) {
      min_ = *lo;
      dense_.assign(static_cast<std::size_t>(range), -1);
      for (std::size_t i = 0; i < labels.size(); ++i)
        dense_[offset(labels[i])] = static_cast<int>(i);
    } else {
      sorted_.reserve(labels.size());
      for (std::size_t i = 0; i < labels.size(); ++i) {
        sorted_.emplace_back(labels[i], static_cast<int>(i));
      }
      std::sort(sorted_.begin(), sorted_.end());
    }
  }

  [[nodiscard]] int operator()(int label) const noexcept {
    if (!dense_.empty()) {
      if (label < min_) return -1;
      const std::size_t off = offset(label);
      return off < dense_.size() ? dense_[off] : -1;
    }
    const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::pair{label, -1});
    return it != sorted_.end() && it->first == label ? it->second : -1;
  }

 private:
  [[nodiscard]] std::size_t offset(int label) const noexcept {
    return static_cast<std::size_t>(static_cast<std::int64_t>(label) - min_);
  }

  std::int64_t min_ = 0;
  std::vector<int> dense_;
  std::vector<std::pair<int, int>> sorted_;
};

/// Weighted counts of (true, predicted) pairs over `labels`; pairs with an unlisted label are
/// skipped.
Matrix<double> count_pairs(std::span<const int> y_true, std::span<const int> y_pred,
                           std::span<const double> sample_weight, std::span<const int> labels) {
  const LabelIndex index(labels);
  Matrix<double> counts(labels.size(), labels.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const int t = index(y_true[i]);
    const int p = index(y_pred[i]);
    if (t >= 0 && p >= 0) {
      counts(static_cast<std::size_t>(t), static_cast<std::size_t>(p)) +=
          weight_at(sample_weight, i);
    }
  }
  return counts;
}

/// The label order of a confusion matrix: given labels (validated) or the sorted present ones.
std::vector<int> resolve_labels(std::string_view metric, std::span<const int> y_true,
                                std::span<const int> y_pred, std::span<const int> labels) {
  if (labels.empty()) return detail::unique_labels(y_true, y_pred);
  std::vector<int> sorted(labels.begin(), labels.end());
  std::sort(sorted.begin(), sorted.end());
  const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  KOLOSAL_CHECK(dup == sorted.end(), InvalidArgument, metric, ": labels lists ", *dup,
                " more than once");
  const bool any_in_y_true = std::any_of(y_true.begin(), y_true.end(), [&](int y) {
    return std::binary_search(sorted.begin(), sorted.end(), y);
  });
  KOLOSAL_CHECK(any_in_y_true, InvalidArgument, metric, ": none of labels ",
                detail::format_labels(labels), " occurs in y_true");
  return {labels.begin(), labels.end()};
}

struct PrfScores {
  double precision = 0.0;
  double recall = 0.0;
  double fscore = 0.0;
};

/// precision_recall_fscore_support of scikit-learn 1.2 for one average.
PrfScores precision_recall_fscore(std::string_view metric, std::span<const int> y_true,
                                  std::span<const int> y_pred, double beta,
                                  std::span<const double> sample_weight,
                                  const PrfOptions& options) {
  detail::check_inputs(metric, y_true.size(), "y_pred", y_pred.size(), sample_weight);
  KOLOSAL_CHECK(options.zero_division == 0.0 || options.zero_division == 1.0, InvalidArgument,
                metric, ": zero_division must be 0 or 1, got ", options.zero_division);
  KOLOSAL_CHECK(beta >= 0.0, InvalidArgument, metric, ": beta must be >= 0, got ", beta);
  const double zero_division = options.zero_division;

  std::vector<int> labels;
  if (options.average == Average::kBinary) {
    const std::vector<int> present = detail::unique_labels(y_true, y_pred);
    KOLOSAL_CHECK(present.size() <= 2, InvalidArgument, metric, ": y_true and y_pred hold ",
                  present.size(), " classes ", detail::format_labels(present),
                  " but average is binary; choose micro, macro or weighted averaging");
    const bool has_pos = std::binary_search(present.begin(), present.end(), options.pos_label);
    KOLOSAL_CHECK(has_pos || present.size() < 2, InvalidArgument, metric,
                  ": pos_label=", options.pos_label, " is not a valid label; it should be one of ",
                  detail::format_labels(present));
    labels = {options.pos_label};
  } else if (options.labels.empty()) {
    labels = detail::unique_labels(y_true, y_pred);
  } else {
    labels.assign(options.labels.begin(), options.labels.end());
    std::vector<int> sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    KOLOSAL_CHECK(dup == sorted.end(), InvalidArgument, metric, ": labels lists ", *dup,
                  " more than once");
  }

  const std::size_t k = labels.size();
  std::vector<double> tp_sum(k, 0.0);
  std::vector<double> pred_sum(k, 0.0);
  std::vector<double> true_sum(k, 0.0);
  const LabelIndex index(labels);
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double w = weight_at(sample_weight, i);
    const int t = index(y_true[i]);
    const int p = index(y_pred[i]);
    if (t >= 0) true_sum[static_cast<std::size_t>(t)] += w;
    if (p >= 0) pred_sum[static_cast<std::size_t>(p)] += w;
    if (t >= 0 && y_true[i] == y_pred[i]) tp_sum[static_cast<std::size_t>(t)] += w;
  }
  if (options.average == Average::kMicro) {
    const auto total = [](const std::vector<double>& v) {
      double s = 0.0;
      for (const double x : v) s += x;
      return std::vector<double>{s};
    };
    tp_sum = total(tp_sum);
    pred_sum = total(pred_sum);
    true_sum = total(true_sum);
  }

  const std::size_t m = tp_sum.size();
  std::vector<double> precision(m);
  std::vector<double> recall(m);
  std::vector<double> fscore(m);
  const double beta2 = beta * beta;
  for (std::size_t c = 0; c < m; ++c) {
    precision[c] = pred_sum[c] == 0.0 ? zero_division : tp_sum[c] / pred_sum[c];
    recall[c] = true_sum[c] == 0.0 ? zero_division : tp_sum[c] / true_sum[c];
    if (std::isinf(beta)) {
      fscore[c] = recall[c];
    } else {
      double denom = beta2 * precision[c] + recall[c];
      if (denom == 0.0) denom = 1.0;
      fscore[c] = (1.0 + beta2) * precision[c] * recall[c] / denom;
    }
  }

  if (options.average == Average::kWeighted) {
    double weight_total = 0.0;
    double pred_total = 0.0;
    for (std::size_t c = 0; c < m; ++c) {
      weight_total += true_sum[c];
      pred_total += pred_sum[c];
    }
    if (weight_total == 0.0) {
      // No listed class occurs in y_true: scikit-learn's fixed answers.
      if (pred_total == 0.0) return {zero_division, zero_division, zero_division};
      return {0.0, zero_division, 0.0};
    }
    PrfScores out;
    for (std::size_t c = 0; c < m; ++c) {
      out.precision += precision[c] * true_sum[c];
      out.recall += recall[c] * true_sum[c];
      out.fscore += fscore[c] * true_sum[c];
    }
    return {out.precision / weight_total, out.recall / weight_total, out.fscore / weight_total};
  }
  PrfScores out;
  for (std::size_t c = 0; c < m; ++c) {
    out.precision += precision[c];
    out.recall += recall[c];
    out.fscore += fscore[c];
  }
  const auto count = static_cast<double>(m);
  return {out.precision / count, out.recall / count, out.fscore / count};
}

}  // namespace

double accuracy(std::span<const int> y_true, std::span<const int> y_pred,
                std::span<const double> sample_weight) {
  constexpr std::string_view kName = "accuracy";
  detail::check_inputs(kName, y_true.size(), "y_pred", y_pred.size(), sample_weight);
  const double total = detail::total_weight(kName, sample_weight, y_true.size());
  double correct = 0.0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    if (y_true[i] == y_pred[i]) correct += weight_at(sample_weight, i);
  }
  return correct / total;
}

double balanced_accuracy(std::span<const int> y_true, std::span<const int> y_pred,
                         std::span<const double> sample_weight, bool adjusted) {
  constexpr std::string_view kName = "balanced_accuracy";
  detail::check_inputs(kName, y_true.size(), "y_pred", y_pred.size(), sample_weight);
  static_cast<void>(detail::total_weight(kName, sample_weight, y_true.size()));
  const std::vector<int> labels = detail::unique_labels(y_true, y_pred);
  const Matrix<double> counts = count_pairs(y_true, y_pred, sample_weight, labels);
  double sum = 0.0;
  std::size_t n_classes = 0;
  for (std::size_t c = 0; c < labels.size(); ++c) {
    double row = 0.0;
    for (std::size_t j = 0; j < labels.size(); ++j) row += counts(c, j);
    if (row == 0.0) continue;  // a class only predicted: its recall is undefined and skipped
    sum += counts(c, c) / row;
    ++n_classes;
  }
  double score = sum / static_cast<double>(n_classes);
  if (adjusted) {
    const double chance = 1.0 / static_cast<double>(n_classes);
    score -= chance;
    score /= 1.0 - chance;
  }
  return score;
}

double precision(std::span<const int> y_true, std::span<const int> y_pred,
                 std::span<const double> sample_weight, const PrfOptions& options) {
  return precision_recall_fscore("precision", y_true, y_pred, 1.0, sample_weight, options)
      .precision;
}

double recall(std::span<const int> y_true, std::span<const int> y_pred,
              std::span<const double> sample_weight, const PrfOptions& options) {
  return precision_recall_fscore("recall", y_true, y_pred, 1.0, sample_weight, options).recall;
}

double fbeta(std::span<const int> y_true, std::span<const int> y_pred, double beta,
             std::span<const double> sample_weight, const PrfOptions& options) {
  return precision_recall_fscore("fbeta", y_true, y_pred, beta, sample_weight, options).fscore;
}

double f1(std::span<const int> y_true, std::span<const int> y_pred,
          std::span<const double> sample_weight, const PrfOptions& options) {
  return precision_recall_fscore("f1", y_true, y_pred, 1.0, sample_weight, options).fscore;
}

double matthews_corrcoef(std::span<const int> y_true, std::span<const int> y_pred,
                         std::span<const double> sample_weight) {
  constexpr std::string_view kName = "matthews_corrcoef";
  detail::check_inputs(kName, y_true.size(), "y_pred", y_pred.size(), sample_weight);
  const std::vector<int> labels = detail::unique_labels(y_true, y_pred);
  const Matrix<double> counts = count_pairs(y_true, y_pred, sample_weight, labels);
  const std::size_t k = labels.size();
  std::vector<double> t_sum(k, 0.0);
  std::vector<double> p_sum(k, 0.0);
  double n_correct = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      t_sum[i] += counts(i, j);
      p_sum[j] += counts(i, j);
    }
    n_correct += counts(i, i);
  }
  double n_samples = 0.0;
  double t_dot_p = 0.0;
  double p_dot_p = 0.0;
  double t_dot_t = 0.0;
  for (std::size_t c = 0; c < k; ++c) {
    n_samples += p_sum[c];
    t_dot_p += t_sum[c] * p_sum[c];
    p_dot_p += p_sum[c] * p_sum[c];
    t_dot_t += t_sum[c] * t_sum[c];
  }
  const double cov_ytyp = n_correct * n_samples - t_dot_p;
  const double cov_ypyp = n_samples * n_samples - p_dot_p;
  const double cov_ytyt = n_samples * n_samples - t_dot_t;
  if (cov_ypyp * cov_ytyt == 0.0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

double cohen_kappa(std::span<const int> y1, std::span<const int> y2,
                   std::span<const double> sample_weight, KappaWeights weights,
                   std::span<const int> labels) {
  constexpr std::string_view kName = "cohen_kappa";
  detail::check_inputs(kName, y1.size(), "y2", y2.size(), sample_weight);
  const std::vector<int> order = resolve_labels(kName, y1, y2, labels);
  const Matrix<double> confusion = count_pairs(y1, y2, sample_weight, order);
  const std::size_t k = order.size();
  std::vector<double> sum0(k, 0.0);  // column sums
  std::vector<double> sum1(k, 0.0);  // row sums
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      sum0[j] += confusion(i, j);
      sum1[i] += confusion(i, j);
    }
  }
  double total = 0.0;
  for (const double s : sum0) total += s;
  double observed = 0.0;
  double expected = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      const auto distance = static_cast<double>(i > j ? i - j : j - i);
      double w = 0.0;
      switch (weights) {
        case KappaWeights::kNone:
          w = i == j ? 0.0 : 1.0;
          break;
        case KappaWeights::kLinear:
          w = distance;
          break;
        case KappaWeights::kQuadratic:
          w = distance * distance;
          break;
      }
      observed += w * confusion(i, j);
      // scikit-learn's expected matrix is outer(column sums, row sums) / total.
      expected += w * (sum0[i] * sum1[j] / total);
    }
  }
  return 1.0 - observed / expected;
}

Matrix<double> confusion_matrix(std::span<const int> y_true, std::span<const int> y_pred,
                                std::span<const double> sample_weight, std::span<const int> labels,
                                Normalize normalize) {
  constexpr std::string_view kName = "confusion_matrix";
  detail::check_inputs(kName, y_true.size(), "y_pred", y_pred.size(), sample_weight);
  const std::vector<int> order = resolve_labels(kName, y_true, y_pred, labels);
  Matrix<double> cm = count_pairs(y_true, y_pred, sample_weight, order);
  const std::size_t k = order.size();
  const auto divide = [](double a, double b) { return b == 0.0 ? 0.0 : a / b; };
  switch (normalize) {
    case Normalize::kNone:
      break;
    case Normalize::kTrue:
      for (std::size_t i = 0; i < k; ++i) {
        double row = 0.0;
        for (std::size_t j = 0; j < k; ++j) row += cm(i, j);
        for (std::size_t j = 0; j < k; ++j) cm(i, j) = divide(cm(i, j), row);
      }
      break;
    case Normalize::kPred:
      for (std::size_t j = 0; j < k; ++j) {
        double col = 0.0;
        for (std::size_t i = 0; i < k; ++i) col += cm(i, j);
        for (std::size_t i = 0; i < k; ++i) cm(i, j) = divide(cm(i, j), col);
      }
      break;
    case Normalize::kAll: {
      double all = 0.0;
      for (const double v : cm.values()) all += v;
      for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) cm(i, j) = divide(cm(i, j), all);
      }
      break;
    }
  }
  return cm;
}

EncodedLabels encode_labels(std::span<const std::string> y_true,
                            std::span<const std::string> y_pred) {
  EncodedLabels out;
  out.classes.reserve(y_true.size() + y_pred.size());
  out.classes.insert(out.classes.end(), y_true.begin(), y_true.end());
  out.classes.insert(out.classes.end(), y_pred.begin(), y_pred.end());
  std::sort(out.classes.begin(), out.classes.end());
  out.classes.erase(std::unique(out.classes.begin(), out.classes.end()), out.classes.end());
  KOLOSAL_CHECK(out.classes.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
                InvalidArgument, "encode_labels: ", out.classes.size(),
                " distinct labels do not fit in int class indices");
  const auto encode = [&](std::span<const std::string> labels, std::vector<int>& codes) {
    codes.reserve(labels.size());
    for (const std::string& label : labels) {
      const auto it = std::lower_bound(out.classes.begin(), out.classes.end(), label);
      codes.push_back(static_cast<int>(it - out.classes.begin()));
    }
  };
  encode(y_true, out.y_true);
  encode(y_pred, out.y_pred);
  return out;
}

}  // namespace kolosal::metrics
