// SPDX-License-Identifier: MIT
// Greedy ensemble selection with replacement and sorted initialisation (Caruana et al. 2004).
#include "kolosal/ensemble/selection.hpp"

#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

namespace kolosal::ensemble {
namespace {

// Scores an averaged prediction matrix with the chosen metric.
class Scorer {
 public:
  Scorer(std::span<const double> y, metrics::Task task, std::string metric,
         std::span<const double> weight)
      : y_(y), task_(task), metric_(std::move(metric)), weight_(weight) {
    if (task_ == metrics::Task::kClassification) {
      labels_.resize(y.size());
      for (std::size_t i = 0; i < y.size(); ++i) {
        KOLOSAL_CHECK(y[i] >= 0 && y[i] == std::floor(y[i]), InvalidArgument, "select_ensemble: y[",
                      i, "] = ", y[i], " is not a class index");
        labels_[i] = static_cast<int>(y[i]);
      }
    }
    const auto& info = metrics::metric_info(metric_);
    KOLOSAL_CHECK(info.task == task_, InvalidArgument, "select_ensemble: metric '", metric_,
                  "' does not score ",
                  task_ == metrics::Task::kClassification ? "classification" : "regression");
    greater_is_better_ = info.greater_is_better;
  }

  [[nodiscard]] double score(MatrixView<const double> averaged) const {
    if (task_ == metrics::Task::kClassification) {
      return metrics::score(metric_, labels_, averaged, weight_);
    }
    return metrics::score(metric_, y_, std::span<const double>(averaged.data(), averaged.rows()),
                          weight_);
  }
  [[nodiscard]] bool better(double candidate, double incumbent) const {
    return greater_is_better_ ? candidate > incumbent : candidate < incumbent;
  }

 private:
  std::span<const double> y_;
  metrics::Task task_;
  std::string metric_;
  std::span<const double> weight_;
  std::vector<int> labels_;
  bool greater_is_better_ = true;
};

}  // namespace

EnsembleSelectionResult select_ensemble(std::span<const MatrixView<const double>> predictions,
                                        std::span<const double> y, metrics::Task task,
                                        const EnsembleSelectionConfig& config,
                                        std::span<const double> sample_weight) {
  config::validate(config, "select_ensemble");
  const std::size_t n_models = predictions.size();
  KOLOSAL_CHECK(n_models > 0, InvalidArgument, "select_ensemble: no model predictions given");
  const std::size_t n = y.size();
  const std::size_t k = predictions[0].cols();
  KOLOSAL_CHECK(n > 0 && k > 0, InvalidArgument, "select_ensemble: empty predictions");
  KOLOSAL_CHECK(task == metrics::Task::kClassification || k == 1, ShapeMismatch,
                "select_ensemble: regression predictions must be n x 1, got ", k, " columns");
  KOLOSAL_CHECK(sample_weight.empty() || sample_weight.size() == n, ShapeMismatch,
                "select_ensemble: ", sample_weight.size(), " weights for ", n, " rows");
  for (std::size_t m = 0; m < n_models; ++m) {
    const auto& p = predictions[m];
    KOLOSAL_CHECK(p.rows() == n && p.cols() == k, ShapeMismatch, "select_ensemble: model ", m,
                  " has ", p.rows(), " x ", p.cols(), " predictions, expected ", n, " x ", k);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < k; ++j) {
        KOLOSAL_CHECK(std::isfinite(p(i, j)), InvalidArgument, "select_ensemble: model ", m,
                      " has a non-finite prediction at row ", i, ", column ", j);
      }
    }
  }
  std::string metric = config.metric;
  if (metric.empty()) {
    metric = task == metrics::Task::kClassification ? "log_loss" : "root_mean_squared_error";
  }
  const Scorer scorer(y, task, metric, sample_weight);

  Matrix<double> sum(n, k, 0.0);
  Matrix<double> candidate(n, k, 0.0);
  std::size_t picks = 0;
  auto averaged_with = [&](std::size_t m) {
    const double inv = 1.0 / static_cast<double>(picks + 1);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < k; ++j) {
        candidate(i, j) = (sum(i, j) + predictions[m](i, j)) * inv;
      }
    }
    return scorer.score(candidate.view());
  };
  std::vector<std::size_t> order;
  std::vector<double> trajectory;
  auto add = [&](std::size_t m, double score) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < k; ++j) sum(i, j) += predictions[m](i, j);
    }
    ++picks;
    order.push_back(m);
    trajectory.push_back(score);
  };

  // Sorted initialisation: the best single models, each once.
  std::vector<double> single(n_models);
  for (std::size_t m = 0; m < n_models; ++m) single[m] = averaged_with(m);
  std::vector<std::size_t> ranked(n_models);
  std::iota(ranked.begin(), ranked.end(), std::size_t{0});
  std::stable_sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) {
    return scorer.better(single[a], single[b]);
  });
  const std::size_t init = std::min({config.init_size, n_models, config.ensemble_size});
  for (std::size_t r = 0; r < init; ++r) {
    const std::size_t m = ranked[r];
    add(m, averaged_with(m));
  }
  // Hill climbing with replacement.
  while (picks < config.ensemble_size) {
    std::size_t best_model = 0;
    double best_score = 0.0;
    for (std::size_t m = 0; m < n_models; ++m) {
      const double s = averaged_with(m);
      if (m == 0 || scorer.better(s, best_score)) {
        best_model = m;
        best_score = s;
      }
    }
    add(best_model, best_score);
  }

  EnsembleSelectionResult result;
  result.metric = metric;
  result.trajectory = trajectory;
  result.best_size = 1;
  for (std::size_t s = 1; s < trajectory.size(); ++s) {
    if (scorer.better(trajectory[s], trajectory[result.best_size - 1])) result.best_size = s + 1;
  }
  result.score = trajectory[result.best_size - 1];
  result.counts.assign(n_models, 0);
  for (std::size_t s = 0; s < result.best_size; ++s) ++result.counts[order[s]];
  result.weights.resize(n_models);
  for (std::size_t m = 0; m < n_models; ++m) {
    result.weights[m] =
        static_cast<double>(result.counts[m]) / static_cast<double>(result.best_size);
  }
  return result;
}

}  // namespace kolosal::ensemble
