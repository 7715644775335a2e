// SPDX-License-Identifier: MIT
// AdaBoost on CART trees: SAMME for classification, AdaBoost.R2 for regression.
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/training/tree.hpp"

namespace kolosal::training {

/// How AdaBoost.R2 turns a row's relative error e in [0, 1] into a loss.
enum class AdaBoostLoss {
  kLinear,       ///< e
  kSquare,       ///< e^2
  kExponential,  ///< 1 - exp(-e)
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::AdaBoostLoss> {
  using L = training::AdaBoostLoss;
  static constexpr std::array kValues{std::pair{L::kLinear, "linear"},
                                      std::pair{L::kSquare, "square"},
                                      std::pair{L::kExponential, "exponential"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

struct AdaBoostClassifierConfig {
  static constexpr std::string_view kName = "AdaBoostClassifierConfig";
  int n_estimators = 50;       ///< boosting rounds at most (fewer after a perfect fit)
  double learning_rate = 1.0;  ///< shrinks each tree's weight
  int max_depth = 1;           ///< depth of each tree (1: decision stumps)
  int min_samples_leaf = 1;
  int max_bins = 0;  ///< 0: exact splits

  static constexpr auto fields() {
    using C = AdaBoostClassifierConfig;
    return std::tuple{config::field("n_estimators", &C::n_estimators).at_least(1),
                      config::field("learning_rate", &C::learning_rate).greater_than(0.0),
                      config::field("max_depth", &C::max_depth).at_least(1),
                      config::field("min_samples_leaf", &C::min_samples_leaf).at_least(1),
                      config::field("max_bins", &C::max_bins).at_least(0)};
  }
  friend bool operator==(const AdaBoostClassifierConfig&,
                         const AdaBoostClassifierConfig&) = default;
};

struct AdaBoostRegressorConfig {
  static constexpr std::string_view kName = "AdaBoostRegressorConfig";
  int n_estimators = 50;
  double learning_rate = 1.0;
  AdaBoostLoss loss = AdaBoostLoss::kLinear;
  int max_depth = 3;  ///< depth of each regression tree
  int min_samples_leaf = 1;
  int max_bins = 0;

  static constexpr auto fields() {
    using C = AdaBoostRegressorConfig;
    return std::tuple{config::field("n_estimators", &C::n_estimators).at_least(1),
                      config::field("learning_rate", &C::learning_rate).greater_than(0.0),
                      config::field("loss", &C::loss).doc("linear, square or exponential"),
                      config::field("max_depth", &C::max_depth).at_least(1),
                      config::field("min_samples_leaf", &C::min_samples_leaf).at_least(1),
                      config::field("max_bins", &C::max_bins).at_least(0)};
  }
  friend bool operator==(const AdaBoostRegressorConfig&, const AdaBoostRegressorConfig&) = default;
};

/// Multi-class AdaBoost by SAMME (Zhu, Zou, Rosset & Hastie, "Multi-class AdaBoost", Statistics
/// and Its Interface 2, 2009) on weighted CART trees; scikit-learn's
/// AdaBoostClassifier(algorithm="SAMME"). Decision function and probabilities as scikit-learn's.
class AdaBoostClassifier final : public Model {
 public:
  using Config = AdaBoostClassifierConfig;
  static constexpr std::string_view kName = "adaboost_classifier";

  explicit AdaBoostClassifier(Config config = {}) : config_(config) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] bool has_decision_function() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<AdaBoostClassifier>(*this);
  }
  [[nodiscard]] const std::vector<Tree>& trees() const noexcept { return trees_; }
  [[nodiscard]] const std::vector<double>& estimator_weights() const noexcept { return alpha_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_decision_function(MatrixView<const double> x) const override;
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  /// Weighted one-hot votes normalised by the total weight, n x n_classes.
  [[nodiscard]] Matrix<double> votes(MatrixView<const double> x) const;

  Config config_;
  std::vector<Tree> trees_;
  std::vector<double> alpha_;
};

/// AdaBoost.R2 (Drucker, "Improving Regressors using Boosting Techniques", ICML 1997): trees fit
/// to weighted bootstrap resamples, predictions the weighted median of the trees';
/// scikit-learn's AdaBoostRegressor.
class AdaBoostRegressor final : public Model {
 public:
  using Config = AdaBoostRegressorConfig;
  static constexpr std::string_view kName = "adaboost_regressor";

  explicit AdaBoostRegressor(Config config = {}) : config_(config) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<AdaBoostRegressor>(*this);
  }
  [[nodiscard]] const std::vector<Tree>& trees() const noexcept { return trees_; }
  [[nodiscard]] const std::vector<double>& estimator_weights() const noexcept { return alpha_; }

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
  std::vector<double> alpha_;
};

}  // namespace kolosal::training
