// SPDX-License-Identifier: MIT
// DecisionTreeClassifier and DecisionTreeRegressor on the shared CART builder.
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/tree.hpp"

#include "training/tree/tree_builder.hpp"

namespace kolosal::training {
namespace {

std::vector<std::uint32_t> positive_rows(std::span<const double> w) {
  std::vector<std::uint32_t> rows;
  rows.reserve(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > 0.0) rows.push_back(static_cast<std::uint32_t>(i));
  }
  return rows;
}

double sum(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

void DecisionTreeClassifierConfig::check() const {
  KOLOSAL_CHECK(class_weight != ClassWeight::kExplicit || !class_weight_values.empty(), ConfigError,
                kName, ": class_weight is explicit but class_weight_values is empty");
}

// ---------------------------------------------------------------------------- classifier

nlohmann::json DecisionTreeClassifier::config() const { return config::to_json(config_); }

void DecisionTreeClassifier::do_fit(MatrixView<const double> x, std::span<const double> y,
                                    const FitOptions& options) {
  config::validate(config_, "DecisionTreeClassifier");
  const auto w = tree::class_weighted(y, options.sample_weight, n_classes(), config_.class_weight,
                                      config_.class_weight_values, "DecisionTreeClassifier");
  const auto rows = positive_rows(w);
  KOLOSAL_CHECK(!rows.empty(), InvalidArgument,
                "DecisionTreeClassifier::fit: every row has zero weight after class weighting");
  const auto binned = tree::bin_features(x, static_cast<std::size_t>(config_.max_bins), context());
  tree::BuildParams params{
      .criterion = config_.criterion == ClassificationCriterion::kGini ? tree::Criterion::kGini
                                                                       : tree::Criterion::kEntropy,
      .n_classes = n_classes(),
      .max_depth = config_.max_depth,
      .min_samples_split = static_cast<std::size_t>(config_.min_samples_split),
      .min_samples_leaf = static_cast<std::size_t>(config_.min_samples_leaf),
      .min_weight_leaf = config_.min_weight_fraction_leaf * sum(w),
      .min_impurity_decrease = config_.min_impurity_decrease,
      .max_features =
          tree::resolve_max_features(config_.max_features, config_.max_features_fraction, x.cols()),
      .random_splits = false};
  Rng rng(context().seed);
  tree_ = tree::build_tree(binned, y, w, rows, params, rng);
  if (config_.ccp_alpha > 0.0) tree::prune(tree_, config_.ccp_alpha);
}

std::vector<double> DecisionTreeClassifier::do_predict(MatrixView<const double> x) const {
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto v = tree_.leaf_value(x.row(r));
    out[r] = static_cast<double>(std::max_element(v.begin(), v.end()) - v.begin());
  }
  return out;
}

Matrix<double> DecisionTreeClassifier::do_predict_proba(MatrixView<const double> x) const {
  Matrix<double> out(x.rows(), tree_.n_values);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto v = tree_.leaf_value(x.row(r));
    std::copy(v.begin(), v.end(), out.row(r).begin());
  }
  return out;
}

std::optional<std::vector<double>> DecisionTreeClassifier::do_feature_importances() const {
  return tree::mean_importances(std::span<const Tree>(&tree_, 1), n_features());
}

nlohmann::json DecisionTreeClassifier::do_state() const { return tree::tree_to_json(tree_); }

void DecisionTreeClassifier::do_load_state(const nlohmann::json& state) {
  tree_ =
      tree::tree_from_json(state, "DecisionTreeClassifier::load_state", n_features(), n_classes());
}

// ---------------------------------------------------------------------------- regressor

nlohmann::json DecisionTreeRegressor::config() const { return config::to_json(config_); }

void DecisionTreeRegressor::do_fit(MatrixView<const double> x, std::span<const double> y,
                                   const FitOptions& options) {
  config::validate(config_, "DecisionTreeRegressor");
  std::vector<double> w(y.size(), 1.0);
  if (!options.sample_weight.empty()) {
    std::copy(options.sample_weight.begin(), options.sample_weight.end(), w.begin());
  }
  const auto rows = positive_rows(w);
  const auto binned = tree::bin_features(x, static_cast<std::size_t>(config_.max_bins), context());
  tree::BuildParams params{.criterion = config_.criterion == RegressionCriterion::kSquaredError
                                            ? tree::Criterion::kSquaredError
                                            : tree::Criterion::kAbsoluteError,
                           .n_classes = 0,
                           .max_depth = config_.max_depth,
                           .min_samples_split = static_cast<std::size_t>(config_.min_samples_split),
                           .min_samples_leaf = static_cast<std::size_t>(config_.min_samples_leaf),
                           .min_weight_leaf = config_.min_weight_fraction_leaf * sum(w),
                           .min_impurity_decrease = config_.min_impurity_decrease,
                           .max_features = tree::resolve_max_features(
                               config_.max_features, config_.max_features_fraction, x.cols()),
                           .random_splits = false};
  Rng rng(context().seed);
  tree_ = tree::build_tree(binned, y, w, rows, params, rng);
  if (config_.ccp_alpha > 0.0) tree::prune(tree_, config_.ccp_alpha);
}

std::vector<double> DecisionTreeRegressor::do_predict(MatrixView<const double> x) const {
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) out[r] = tree_.leaf_value(x.row(r))[0];
  return out;
}

std::optional<std::vector<double>> DecisionTreeRegressor::do_feature_importances() const {
  return tree::mean_importances(std::span<const Tree>(&tree_, 1), n_features());
}

nlohmann::json DecisionTreeRegressor::do_state() const { return tree::tree_to_json(tree_); }

void DecisionTreeRegressor::do_load_state(const nlohmann::json& state) {
  tree_ = tree::tree_from_json(state, "DecisionTreeRegressor::load_state", n_features(), 1);
}

}  // namespace kolosal::training
