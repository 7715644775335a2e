// SPDX-License-Identifier: MIT
// AdaBoost SAMME and AdaBoost.R2 on the shared CART builder, following scikit-learn's
// AdaBoostClassifier(algorithm="SAMME") and AdaBoostRegressor update rules.
#include "kolosal/training/adaboost.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

#include "training/tree/tree_builder.hpp"

namespace kolosal::training {
namespace {

std::vector<std::uint32_t> positive_rows(std::span<const double> w) {
  std::vector<std::uint32_t> rows;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > 0.0) rows.push_back(static_cast<std::uint32_t>(i));
  }
  return rows;
}

void normalise(std::vector<double>& w) {
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& v : w) v /= total;
}

nlohmann::json ensemble_to_json(const std::vector<Tree>& trees, const std::vector<double>& alpha) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : trees) list.push_back(tree::tree_to_json(t));
  return {{"trees", std::move(list)}, {"estimator_weights", alpha}};
}

void ensemble_from_json(const nlohmann::json& state, std::string_view who, std::size_t n_features,
                        std::size_t n_values, std::vector<Tree>& trees,
                        std::vector<double>& alpha) {
  KOLOSAL_CHECK(state.is_object() && state.contains("trees") && state["trees"].is_array() &&
                    !state["trees"].empty() && state.contains("estimator_weights") &&
                    state["estimator_weights"].is_array() &&
                    state["estimator_weights"].size() == state["trees"].size(),
                SerializationError, who, ": expected as many trees as estimator weights");
  std::vector<Tree> loaded;
  for (const auto& t : state["trees"]) {
    loaded.push_back(tree::tree_from_json(t, who, n_features, n_values));
  }
  std::vector<double> weights;
  for (const auto& a : state["estimator_weights"]) {
    KOLOSAL_CHECK(a.is_number() && std::isfinite(a.get<double>()), SerializationError, who,
                  ": estimator weights must be finite numbers");
    weights.push_back(a.get<double>());
  }
  trees = std::move(loaded);
  alpha = std::move(weights);
}

std::vector<double> weighted_importances(const std::vector<Tree>& trees,
                                         const std::vector<double>& alpha, std::size_t n_features) {
  std::vector<double> out(n_features, 0.0);
  const double norm = std::accumulate(alpha.begin(), alpha.end(), 0.0);
  for (std::size_t m = 0; m < trees.size(); ++m) {
    const auto imp = tree::mean_importances(std::span<const Tree>(&trees[m], 1), n_features);
    for (std::size_t f = 0; f < n_features; ++f) out[f] += alpha[m] * imp[f] / norm;
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------- SAMME

nlohmann::json AdaBoostClassifier::config() const { return config::to_json(config_); }

void AdaBoostClassifier::do_fit(MatrixView<const double> x, std::span<const double> y,
                                const FitOptions& options) {
  config::validate(config_, "AdaBoostClassifier");
  const std::size_t k = n_classes();
  std::vector<double> w(y.size(), 1.0);
  if (!options.sample_weight.empty()) {
    std::copy(options.sample_weight.begin(), options.sample_weight.end(), w.begin());
  }
  normalise(w);
  const auto binned = tree::bin_features(x, static_cast<std::size_t>(config_.max_bins), context());
  const tree::BuildParams params{
      .criterion = tree::Criterion::kGini,
      .n_classes = k,
      .max_depth = config_.max_depth,
      .min_samples_split = 2,
      .min_samples_leaf = static_cast<std::size_t>(config_.min_samples_leaf),
      .min_weight_leaf = 0.0,
      .min_impurity_decrease = 0.0,
      .max_features = 0,
      .random_splits = false};
  const Rng root(context().seed);
  trees_.clear();
  alpha_.clear();
  const auto n_estimators = static_cast<std::size_t>(config_.n_estimators);
  std::vector<char> wrong(y.size());
  for (std::size_t m = 0; m < n_estimators; ++m) {
    Rng rng = root.split(m);
    Tree t = tree::build_tree(binned, y, w, positive_rows(w), params, rng);
    double error = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const auto v = t.leaf_value(x.row(i));
      const auto predicted = static_cast<double>(std::max_element(v.begin(), v.end()) - v.begin());
      wrong[i] = predicted != y[i];
      if (wrong[i]) error += w[i];
    }
    if (error <= 0.0) {  // a perfect fit: keep it with weight 1 and stop
      trees_.push_back(std::move(t));
      alpha_.push_back(1.0);
      break;
    }
    if (error >= 1.0 - 1.0 / static_cast<double>(k)) {
      KOLOSAL_CHECK(!trees_.empty(), InvalidArgument,
                    "AdaBoostClassifier::fit: the first tree is no better than chance (weighted "
                    "error ",
                    error, "); boosting cannot start");
      break;
    }
    const double alpha = config_.learning_rate *
                         (std::log((1.0 - error) / error) + std::log(static_cast<double>(k) - 1.0));
    trees_.push_back(std::move(t));
    alpha_.push_back(alpha);
    if (m + 1 == n_estimators) break;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (wrong[i] && w[i] > 0.0) w[i] *= std::exp(alpha);
    }
    normalise(w);
  }
}

Matrix<double> AdaBoostClassifier::votes(MatrixView<const double> x) const {
  const std::size_t k = n_classes();
  Matrix<double> out(x.rows(), k, 0.0);
  const double norm = std::accumulate(alpha_.begin(), alpha_.end(), 0.0);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t m = 0; m < trees_.size(); ++m) {
      const auto v = trees_[m].leaf_value(x.row(r));
      out(r, static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin())) +=
          alpha_[m];
    }
    for (auto& v : out.row(r)) v /= norm;
  }
  return out;
}

Matrix<double> AdaBoostClassifier::do_decision_function(MatrixView<const double> x) const {
  auto v = votes(x);
  if (n_classes() > 2) return v;
  Matrix<double> out(x.rows(), 1);
  for (std::size_t r = 0; r < x.rows(); ++r) out(r, 0) = v(r, 1) - v(r, 0);
  return out;
}

std::vector<double> AdaBoostClassifier::do_predict(MatrixView<const double> x) const {
  const auto v = votes(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto row = v.row(r);
    out[r] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

Matrix<double> AdaBoostClassifier::do_predict_proba(MatrixView<const double> x) const {
  // scikit-learn: softmax of the decision divided by n_classes - 1 (binary: of (-d/2, d/2)).
  const std::size_t k = n_classes();
  Matrix<double> proba(x.rows(), k);
  const auto d = do_decision_function(x);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    auto row = proba.row(r);
    if (k == 2) {
      row[0] = -d(r, 0) / 2.0;
      row[1] = d(r, 0) / 2.0;
    } else {
      for (std::size_t c = 0; c < k; ++c) row[c] = d(r, c) / static_cast<double>(k - 1);
    }
    double top = -std::numeric_limits<double>::infinity();
    for (double v : row) top = std::max(top, v);
    double total = 0.0;
    for (double& v : row) total += v = std::exp(v - top);
    for (double& v : row) v /= total;
  }
  return proba;
}

std::optional<std::vector<double>> AdaBoostClassifier::do_feature_importances() const {
  return weighted_importances(trees_, alpha_, n_features());
}

nlohmann::json AdaBoostClassifier::do_state() const { return ensemble_to_json(trees_, alpha_); }

void AdaBoostClassifier::do_load_state(const nlohmann::json& state) {
  ensemble_from_json(state, "AdaBoostClassifier::load_state", n_features(), n_classes(), trees_,
                     alpha_);
}

// ---------------------------------------------------------------------------- AdaBoost.R2

nlohmann::json AdaBoostRegressor::config() const { return config::to_json(config_); }

void AdaBoostRegressor::do_fit(MatrixView<const double> x, std::span<const double> y,
                               const FitOptions& options) {
  config::validate(config_, "AdaBoostRegressor");
  const std::size_t n = y.size();
  std::vector<double> w(n, 1.0);
  if (!options.sample_weight.empty()) {
    std::copy(options.sample_weight.begin(), options.sample_weight.end(), w.begin());
  }
  normalise(w);
  const auto binned = tree::bin_features(x, static_cast<std::size_t>(config_.max_bins), context());
  const tree::BuildParams params{
      .criterion = tree::Criterion::kSquaredError,
      .n_classes = 0,
      .max_depth = config_.max_depth,
      .min_samples_split = 2,
      .min_samples_leaf = static_cast<std::size_t>(config_.min_samples_leaf),
      .min_weight_leaf = 0.0,
      .min_impurity_decrease = 0.0,
      .max_features = 0,
      .random_splits = false};
  const Rng root(context().seed);
  trees_.clear();
  alpha_.clear();
  const auto n_estimators = static_cast<std::size_t>(config_.n_estimators);
  std::vector<double> cdf(n);
  std::vector<double> counts(n);
  std::vector<double> error(n);
  for (std::size_t m = 0; m < n_estimators; ++m) {
    Rng rng = root.split(m);
    // A bootstrap sample drawn with the boosting weights, as row multiplicities.
    std::partial_sum(w.begin(), w.end(), cdf.begin());
    std::fill(counts.begin(), counts.end(), 0.0);
    for (std::size_t d = 0; d < n; ++d) {
      const double u = rng.uniform() * cdf.back();
      const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
      counts[std::min<std::size_t>(static_cast<std::size_t>(it - cdf.begin()), n - 1)] += 1.0;
    }
    Tree t = tree::build_tree(binned, y, counts, positive_rows(counts), params, rng);
    double max_error = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      error[i] = std::abs(t.leaf_value(x.row(i))[0] - y[i]);
      if (w[i] > 0.0) max_error = std::max(max_error, error[i]);
    }
    double estimator_error = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double e = max_error > 0.0 ? error[i] / max_error : error[i];
      if (config_.loss == AdaBoostLoss::kSquare) e *= e;
      if (config_.loss == AdaBoostLoss::kExponential) e = 1.0 - std::exp(-e);
      error[i] = e;
      if (w[i] > 0.0) estimator_error += w[i] * e;
    }
    if (estimator_error <= 0.0) {
      trees_.push_back(std::move(t));
      alpha_.push_back(1.0);
      break;
    }
    if (estimator_error >= 0.5) {
      KOLOSAL_CHECK(!trees_.empty(), InvalidArgument,
                    "AdaBoostRegressor::fit: the first tree has an average loss of ",
                    estimator_error, " (>= 0.5); boosting cannot start");
      break;
    }
    const double beta = estimator_error / (1.0 - estimator_error);
    trees_.push_back(std::move(t));
    alpha_.push_back(config_.learning_rate * std::log(1.0 / beta));
    if (m + 1 == n_estimators) break;
    for (std::size_t i = 0; i < n; ++i) {
      if (w[i] > 0.0) w[i] *= std::pow(beta, (1.0 - error[i]) * config_.learning_rate);
    }
    normalise(w);
  }
}

std::vector<double> AdaBoostRegressor::do_predict(MatrixView<const double> x) const {
  // The weighted median of the trees' predictions: the smallest prediction whose cumulative
  // estimator weight reaches half the total.
  const double half = 0.5 * std::accumulate(alpha_.begin(), alpha_.end(), 0.0);
  std::vector<double> out(x.rows());
  std::vector<std::pair<double, double>> pw(trees_.size());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t m = 0; m < trees_.size(); ++m) {
      pw[m] = {trees_[m].leaf_value(x.row(r))[0], alpha_[m]};
    }
    std::stable_sort(pw.begin(), pw.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    double cumulative = 0.0;
    out[r] = pw.back().first;
    for (const auto& [p, a] : pw) {
      cumulative += a;
      if (cumulative >= half) {
        out[r] = p;
        break;
      }
    }
  }
  return out;
}

std::optional<std::vector<double>> AdaBoostRegressor::do_feature_importances() const {
  return weighted_importances(trees_, alpha_, n_features());
}

nlohmann::json AdaBoostRegressor::do_state() const { return ensemble_to_json(trees_, alpha_); }

void AdaBoostRegressor::do_load_state(const nlohmann::json& state) {
  ensemble_from_json(state, "AdaBoostRegressor::load_state", n_features(), 1, trees_, alpha_);
}

}  // namespace kolosal::training
