// SPDX-License-Identifier: MIT
// Baselines that ignore the features (as scikit-learn's DummyClassifier / DummyRegressor): the
// floor every real model must beat, and AutoML's first, cheapest candidates.
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

enum class DummyClassifierStrategy {
  kMostFrequent,  ///< always the (weighted) most frequent class; probabilities one-hot
  kPrior,         ///< always the most frequent class; probabilities the class priors
  kStratified,    ///< random classes drawn from the priors (seeded by the context)
  kUniform,       ///< random classes drawn uniformly (seeded by the context)
  kConstant,      ///< always `constant`
};

enum class DummyRegressorStrategy {
  kMean,      ///< the (weighted) mean of y
  kMedian,    ///< the (weighted) median of y
  kQuantile,  ///< the (weighted) `quantile` of y
  kConstant,  ///< `constant`
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::DummyClassifierStrategy> {
  using S = training::DummyClassifierStrategy;
  static constexpr std::array kValues{
      std::pair{S::kMostFrequent, "most_frequent"}, std::pair{S::kPrior, "prior"},
      std::pair{S::kStratified, "stratified"}, std::pair{S::kUniform, "uniform"},
      std::pair{S::kConstant, "constant"}};
};
template <>
struct EnumNames<training::DummyRegressorStrategy> {
  using S = training::DummyRegressorStrategy;
  static constexpr std::array kValues{std::pair{S::kMean, "mean"}, std::pair{S::kMedian, "median"},
                                      std::pair{S::kQuantile, "quantile"},
                                      std::pair{S::kConstant, "constant"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

struct DummyClassifierConfig {
  static constexpr std::string_view kName = "DummyClassifierConfig";
  DummyClassifierStrategy strategy = DummyClassifierStrategy::kPrior;
  int constant = 0;  ///< the class index predicted by the constant strategy

  static constexpr auto fields() {
    return std::tuple{config::field("strategy", &DummyClassifierConfig::strategy)
                          .doc("most_frequent, prior, stratified, uniform or constant"),
                      config::field("constant", &DummyClassifierConfig::constant)
                          .at_least(0)
                          .doc("class index predicted by the constant strategy")};
  }
  friend bool operator==(const DummyClassifierConfig&, const DummyClassifierConfig&) = default;
};

struct DummyRegressorConfig {
  static constexpr std::string_view kName = "DummyRegressorConfig";
  DummyRegressorStrategy strategy = DummyRegressorStrategy::kMean;
  double quantile = 0.5;  ///< in [0, 1], for the quantile strategy
  double constant = 0.0;  ///< the value predicted by the constant strategy

  static constexpr auto fields() {
    return std::tuple{config::field("strategy", &DummyRegressorConfig::strategy)
                          .doc("mean, median, quantile or constant"),
                      config::field("quantile", &DummyRegressorConfig::quantile)
                          .at_least(0.0)
                          .at_most(1.0)
                          .doc("quantile predicted by the quantile strategy"),
                      config::field("constant", &DummyRegressorConfig::constant)
                          .doc("value predicted by the constant strategy")};
  }
  friend bool operator==(const DummyRegressorConfig&, const DummyRegressorConfig&) = default;
};

/// Predicts from the class distribution of y alone.
class DummyClassifier final : public Model {
 public:
  using Config = DummyClassifierConfig;
  static constexpr std::string_view kName = "dummy_classifier";

  explicit DummyClassifier(Config config = {}) : config_(config) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] bool handles_missing() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<DummyClassifier>(*this);
  }
  /// Weighted class frequencies seen by fit, summing to 1.
  [[nodiscard]] const std::vector<double>& class_prior() const noexcept { return prior_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  std::vector<double> prior_;
};

/// Predicts one statistic of y for every row.
class DummyRegressor final : public Model {
 public:
  using Config = DummyRegressorConfig;
  static constexpr std::string_view kName = "dummy_regressor";

  explicit DummyRegressor(Config config = {}) : config_(config) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] bool handles_missing() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<DummyRegressor>(*this);
  }
  /// The value predicted for every row.
  [[nodiscard]] double constant() const noexcept { return value_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  double value_ = 0.0;
};

}  // namespace kolosal::training
