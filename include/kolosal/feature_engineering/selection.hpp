// SPDX-License-Identifier: MIT
// Feature selection: variance threshold, correlation filter and univariate scores (ANOVA F,
// regression F, chi-squared) keeping the k best columns.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::feature_engineering {

enum class ScoreFunction {
  kFClassif,              ///< ANOVA F of the feature across the classes of y
  kFRegression,           ///< F of the univariate linear regression of y on the feature
  kChi2,                  ///< chi-squared of non-negative features (counts) against the classes
  kMutualInfoClassif,     ///< mutual information with class labels (k-NN / contingency estimate)
  kMutualInfoRegression,  ///< mutual information with a continuous target (k-NN estimate)
};

}  // namespace kolosal::feature_engineering

namespace kolosal::config {
template <>
struct EnumNames<feature_engineering::ScoreFunction> {
  using S = feature_engineering::ScoreFunction;
  static constexpr std::array kValues{
      std::pair{S::kFClassif, "f_classif"}, std::pair{S::kFRegression, "f_regression"},
      std::pair{S::kChi2, "chi2"}, std::pair{S::kMutualInfoClassif, "mutual_info_classif"},
      std::pair{S::kMutualInfoRegression, "mutual_info_regression"}};
};
}  // namespace kolosal::config

namespace kolosal::feature_engineering {

struct VarianceThresholdConfig {
  static constexpr std::string_view kName = "VarianceThresholdConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  double threshold = 0.0;              ///< keep columns whose variance exceeds it

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &VarianceThresholdConfig::columns),
        config::field("threshold", &VarianceThresholdConfig::threshold).at_least(0.0)};
  }
  friend bool operator==(const VarianceThresholdConfig&, const VarianceThresholdConfig&) = default;
};

struct CorrelationFilterConfig {
  static constexpr std::string_view kName = "CorrelationFilterConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  double threshold = 0.95;             ///< drop a column whose |Pearson r| with a kept one exceeds

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &CorrelationFilterConfig::columns),
        config::field("threshold", &CorrelationFilterConfig::threshold).at_least(0.0).at_most(1.0)};
  }
  friend bool operator==(const CorrelationFilterConfig&, const CorrelationFilterConfig&) = default;
};

struct SelectKBestConfig {
  static constexpr std::string_view kName = "SelectKBestConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  ScoreFunction score_func = ScoreFunction::kFClassif;
  int k = 10;  ///< columns kept (all when fewer are selected)
  /// Mutual information only: neighbours of the k-NN estimators.
  int n_neighbors = 3;
  /// Mutual information only: columns whose values are labels (contingency or Ross estimate);
  /// the rest are continuous.
  std::vector<std::string> discrete_features{};
  /// Mutual information only: scikit-learn's 1e-10 tie-breaking jitter, seeded by the Context.
  bool add_noise = true;

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &SelectKBestConfig::columns),
        config::field("score_func", &SelectKBestConfig::score_func)
            .doc("f_classif, f_regression, chi2, mutual_info_classif or mutual_info_regression"),
        config::field("k", &SelectKBestConfig::k).at_least(1),
        config::field("n_neighbors", &SelectKBestConfig::n_neighbors).at_least(1),
        config::field("discrete_features", &SelectKBestConfig::discrete_features),
        config::field("add_noise", &SelectKBestConfig::add_noise)};
  }
  friend bool operator==(const SelectKBestConfig&, const SelectKBestConfig&) = default;
};

/// The policy shared by the selectors: they consider numeric columns; kept columns come out
/// unchanged (in their order, at the place of the first considered column), dropped ones are
/// removed; other columns pass through. Missing values are a DataError naming the column, except
/// for VarianceThreshold, which ignores them.

/// Drops columns whose population variance is at most `threshold` (with threshold 0, constant
/// columns by their range), as scikit-learn's VarianceThreshold.
class VarianceThreshold final
    : public preprocessing::ColumnStep<VarianceThreshold, VarianceThresholdConfig> {
 public:
  static constexpr std::string_view kName = "variance_threshold";
  static constexpr std::string_view kDisplayName = "VarianceThreshold";
  explicit VarianceThreshold(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& variances() const noexcept { return scores_; }
  [[nodiscard]] const std::vector<std::uint8_t>& support() const noexcept { return keep_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> scores_;
  std::vector<std::uint8_t> keep_;
};

/// Walks the columns in order and drops each one whose absolute Pearson correlation with an
/// already kept column exceeds `threshold` (a greedy filter of redundant features).
class CorrelationFilter final
    : public preprocessing::ColumnStep<CorrelationFilter, CorrelationFilterConfig> {
 public:
  static constexpr std::string_view kName = "correlation_filter";
  static constexpr std::string_view kDisplayName = "CorrelationFilter";
  explicit CorrelationFilter(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<std::uint8_t>& support() const noexcept { return keep_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::uint8_t> keep_;
};

/// Keeps the k columns with the highest univariate score against the target, as
/// scikit-learn's SelectKBest with f_classif, f_regression (R. A. Fisher's F statistics), chi2
/// (K. Pearson's chi-squared; negative values are a DataError) or mutual_info_classif /
/// mutual_info_regression (see mutual_info.hpp: Kraskov et al. 2004, Ross 2014). f_classif and
/// chi2 read y as class indices 0..k-1, mutual_info_classif as labels. A name in
/// discrete_features that is not a considered column is a DataError. Ties keep the later column,
/// as scikit-learn's stable argsort.
class SelectKBest final : public preprocessing::ColumnStep<SelectKBest, SelectKBestConfig> {
 public:
  static constexpr std::string_view kName = "select_k_best";
  static constexpr std::string_view kDisplayName = "SelectKBest";
  explicit SelectKBest(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] bool needs_target() const noexcept override { return true; }
  [[nodiscard]] const std::vector<double>& scores() const noexcept { return scores_; }
  [[nodiscard]] const std::vector<std::uint8_t>& support() const noexcept { return keep_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  void score_f_or_chi2(std::span<const data::Column* const> columns, std::span<const double> y,
                       std::size_t n_classes);
  void score_mutual_info(std::span<const data::Column* const> columns, std::span<const double> y);

  std::vector<double> scores_;
  std::vector<std::uint8_t> keep_;
};

/// Keeps the columns a model finds important, as scikit-learn's SelectFromModel: fits a copy of
/// `model` (any registered Model with feature_importances) on the considered columns and y, then
/// keeps those whose importance is >= the threshold (null: the mean importance) and, with
/// top_k > 0, among them at most the top_k most important (ties: the earlier column). Missing
/// values are allowed only if the model handles them. Config JSON: {"columns", "top_k",
/// "threshold", "model": {"name", "config"}}.
class SelectFromModel final : public preprocessing::ColumnSelectingTransformer {
 public:
  static constexpr std::string_view kName = "select_from_model";

  /// @throws InvalidArgument for a null model; ConfigError for top_k < 0 or a NaN threshold
  SelectFromModel(std::unique_ptr<Model> model, std::vector<std::string> columns = {},
                  int top_k = 0, std::optional<double> threshold = std::nullopt);
  SelectFromModel(const SelectFromModel& other);
  SelectFromModel& operator=(const SelectFromModel& other);
  SelectFromModel(SelectFromModel&&) noexcept = default;
  SelectFromModel& operator=(SelectFromModel&&) noexcept = default;
  ~SelectFromModel() override = default;

  /// Builds one from config() JSON. @throws ConfigError, InvalidArgument
  [[nodiscard]] static SelectFromModel from_config(const nlohmann::json& config);

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Transformer> clone() const override {
    return std::make_unique<SelectFromModel>(*this);
  }
  [[nodiscard]] bool needs_target() const noexcept override { return true; }
  [[nodiscard]] const std::vector<double>& importances() const noexcept { return scores_; }
  [[nodiscard]] const std::vector<std::uint8_t>& support() const noexcept { return keep_; }

 protected:
  [[nodiscard]] const std::vector<std::string>& requested_columns() const noexcept override {
    return columns_;
  }
  [[nodiscard]] std::string_view display_name() const noexcept override {
    return "SelectFromModel";
  }
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::unique_ptr<Model> model_;
  std::vector<std::string> columns_;
  int top_k_ = 0;
  std::optional<double> threshold_;
  std::vector<double> scores_;
  std::vector<std::uint8_t> keep_;
};

}  // namespace kolosal::feature_engineering
