// SPDX-License-Identifier: MIT
// Random forests and extremely randomised trees, classifier and regressor, grown in parallel.
#pragma once

#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/training/tree.hpp"

namespace kolosal::training {

/// Hyperparameters of a forest classifier; `Extra` picks extra trees' defaults (no bootstrap).
template <bool Extra>
struct ForestClassifierConfig {
  static constexpr std::string_view kName =
      Extra ? "ExtraTreesClassifierConfig" : "RandomForestClassifierConfig";
  int n_estimators = 100;
  ClassificationCriterion criterion = ClassificationCriterion::kGini;
  std::optional<int> max_depth{};
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  double min_weight_fraction_leaf = 0.0;
  double min_impurity_decrease = 0.0;
  MaxFeatures max_features = MaxFeatures::kSqrt;
  double max_features_fraction = 1.0;
  bool bootstrap = !Extra;              ///< train each tree on a bootstrap sample
  bool oob_score = false;               ///< score the out-of-bag rows (needs bootstrap)
  std::optional<double> max_samples{};  ///< bootstrap size as a fraction of the rows; unset: all
  ClassWeight class_weight = ClassWeight::kNone;
  std::vector<double> class_weight_values{};
  double ccp_alpha = 0.0;
  int max_bins = 255;  ///< 0: exact splits; else features binned to <= max_bins quantile bins

  static constexpr auto fields() {
    using C = ForestClassifierConfig;
    return std::tuple{
        config::field("n_estimators", &C::n_estimators).at_least(1),
        config::field("criterion", &C::criterion).doc("gini, entropy or log_loss"),
        config::field("max_depth", &C::max_depth).at_least(1),
        config::field("min_samples_split", &C::min_samples_split).at_least(2),
        config::field("min_samples_leaf", &C::min_samples_leaf).at_least(1),
        config::field("min_weight_fraction_leaf", &C::min_weight_fraction_leaf)
            .at_least(0.0)
            .at_most(0.5),
        config::field("min_impurity_decrease", &C::min_impurity_decrease).at_least(0.0),
        config::field("max_features", &C::max_features).doc("all, sqrt, log2 or fraction"),
        config::field("max_features_fraction", &C::max_features_fraction)
            .greater_than(0.0)
            .at_most(1.0),
        config::field("bootstrap", &C::bootstrap),
        config::field("oob_score", &C::oob_score),
        config::field("max_samples", &C::max_samples).greater_than(0.0).at_most(1.0),
        config::field("class_weight", &C::class_weight).doc("none, balanced or explicit"),
        config::field("class_weight_values", &C::class_weight_values).at_least(0.0),
        config::field("ccp_alpha", &C::ccp_alpha).at_least(0.0),
        config::field("max_bins", &C::max_bins).at_least(0).doc("0: exact splits")};
  }
  void check() const;
  friend bool operator==(const ForestClassifierConfig&, const ForestClassifierConfig&) = default;
};

/// Hyperparameters of a forest regressor; `Extra` picks extra trees' defaults (no bootstrap).
template <bool Extra>
struct ForestRegressorConfig {
  static constexpr std::string_view kName =
      Extra ? "ExtraTreesRegressorConfig" : "RandomForestRegressorConfig";
  int n_estimators = 100;
  RegressionCriterion criterion = RegressionCriterion::kSquaredError;
  std::optional<int> max_depth{};
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  double min_weight_fraction_leaf = 0.0;
  double min_impurity_decrease = 0.0;
  MaxFeatures max_features = MaxFeatures::kAll;
  double max_features_fraction = 1.0;
  bool bootstrap = !Extra;
  bool oob_score = false;
  std::optional<double> max_samples{};
  double ccp_alpha = 0.0;
  int max_bins = 255;

  static constexpr auto fields() {
    using C = ForestRegressorConfig;
    return std::tuple{
        config::field("n_estimators", &C::n_estimators).at_least(1),
        config::field("criterion", &C::criterion).doc("squared_error or absolute_error"),
        config::field("max_depth", &C::max_depth).at_least(1),
        config::field("min_samples_split", &C::min_samples_split).at_least(2),
        config::field("min_samples_leaf", &C::min_samples_leaf).at_least(1),
        config::field("min_weight_fraction_leaf", &C::min_weight_fraction_leaf)
            .at_least(0.0)
            .at_most(0.5),
        config::field("min_impurity_decrease", &C::min_impurity_decrease).at_least(0.0),
        config::field("max_features", &C::max_features).doc("all, sqrt, log2 or fraction"),
        config::field("max_features_fraction", &C::max_features_fraction)
            .greater_than(0.0)
            .at_most(1.0),
        config::field("bootstrap", &C::bootstrap),
        config::field("oob_score", &C::oob_score),
        config::field("max_samples", &C::max_samples).greater_than(0.0).at_most(1.0),
        config::field("ccp_alpha", &C::ccp_alpha).at_least(0.0),
        config::field("max_bins", &C::max_bins).at_least(0).doc("0: exact splits")};
  }
  void check() const;
  friend bool operator==(const ForestRegressorConfig&, const ForestRegressorConfig&) = default;
};

using RandomForestClassifierConfig = ForestClassifierConfig<false>;
using ExtraTreesClassifierConfig = ForestClassifierConfig<true>;
using RandomForestRegressorConfig = ForestRegressorConfig<false>;
using ExtraTreesRegressorConfig = ForestRegressorConfig<true>;

/// Random forest (Breiman, "Random Forests", Machine Learning 45, 2001) or, with `Extra`,
/// extremely randomised trees (Geurts, Ernst & Wehenkel, "Extremely randomized trees", Machine
/// Learning 63, 2006). Trees are grown in parallel, tree t drawing its bootstrap sample, feature
/// orders and thresholds from `Rng(seed).split(t)`, so the forest is the same for any thread
/// count. Probabilities are the mean of the trees' leaf class frequencies (as scikit-learn).
template <bool Extra>
class ForestClassifier final : public Model {
 public:
  using Config = ForestClassifierConfig<Extra>;
  static constexpr std::string_view kName =
      Extra ? "extra_trees_classifier" : "random_forest_classifier";

  explicit ForestClassifier(Config config = {}) : config_(std::move(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<ForestClassifier>(*this);
  }
  [[nodiscard]] const std::vector<Tree>& trees() const noexcept { return trees_; }
  /// Out-of-bag accuracy when fitted with oob_score.
  [[nodiscard]] std::optional<double> oob_score() const noexcept { return oob_score_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  std::vector<Tree> trees_;
  std::optional<double> oob_score_;
};

/// Random forest or extra-trees regressor; predictions are the mean of the trees'.
template <bool Extra>
class ForestRegressor final : public Model {
 public:
  using Config = ForestRegressorConfig<Extra>;
  static constexpr std::string_view kName =
      Extra ? "extra_trees_regressor" : "random_forest_regressor";

  explicit ForestRegressor(Config config = {}) : config_(std::move(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<ForestRegressor>(*this);
  }
  [[nodiscard]] const std::vector<Tree>& trees() const noexcept { return trees_; }
  /// Out-of-bag R^2 when fitted with oob_score.
  [[nodiscard]] std::optional<double> oob_score() const noexcept { return oob_score_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  std::vector<Tree> trees_;
  std::optional<double> oob_score_;
};

using RandomForestClassifier = ForestClassifier<false>;
using ExtraTreesClassifier = ForestClassifier<true>;
using RandomForestRegressor = ForestRegressor<false>;
using ExtraTreesRegressor = ForestRegressor<true>;

extern template class ForestClassifier<false>;
extern template class ForestClassifier<true>;
extern template class ForestRegressor<false>;
extern template class ForestRegressor<true>;

}  // namespace kolosal::training
