// SPDX-License-Identifier: MIT
// Imputers of missing values (simple statistics, k nearest neighbours) and missing-value
// indicator columns, as scikit-learn's SimpleImputer, KNNImputer and MissingIndicator.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::imputation {

enum class ImputeStrategy { kMean, kMedian, kMostFrequent, kConstant };
enum class IndicatorFeatures {
  kMissingOnly,  ///< an indicator for each column with missing values at fit
  kAll,          ///< an indicator for every selected column
};
enum class KnnWeights {
  kUniform,   ///< neighbours count equally
  kDistance,  ///< neighbours weigh 1 / distance (an exact match takes all the weight)
};

}  // namespace kolosal::imputation

namespace kolosal::config {
template <>
struct EnumNames<imputation::ImputeStrategy> {
  using S = imputation::ImputeStrategy;
  static constexpr std::array kValues{std::pair{S::kMean, "mean"}, std::pair{S::kMedian, "median"},
                                      std::pair{S::kMostFrequent, "most_frequent"},
                                      std::pair{S::kConstant, "constant"}};
};
template <>
struct EnumNames<imputation::IndicatorFeatures> {
  using F = imputation::IndicatorFeatures;
  static constexpr std::array kValues{std::pair{F::kMissingOnly, "missing-only"},
                                      std::pair{F::kAll, "all"}};
};
template <>
struct EnumNames<imputation::KnnWeights> {
  using W = imputation::KnnWeights;
  static constexpr std::array kValues{std::pair{W::kUniform, "uniform"},
                                      std::pair{W::kDistance, "distance"}};
};
}  // namespace kolosal::config

namespace kolosal::imputation {

struct SimpleImputerConfig {
  static constexpr std::string_view kName = "SimpleImputerConfig";
  /// Columns to impute; empty: every numeric column for mean and median, every numeric,
  /// categorical, text and boolean column for most_frequent and constant.
  std::vector<std::string> columns{};
  ImputeStrategy strategy = ImputeStrategy::kMean;
  double fill_value = 0.0;                   ///< constant for numeric and boolean columns
  std::string fill_label = "missing_value";  ///< constant for categorical and text columns
  bool add_indicator = false;  ///< append "<column>_missing" 0/1 columns (missing-only)

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &SimpleImputerConfig::columns),
                      config::field("strategy", &SimpleImputerConfig::strategy)
                          .doc("mean, median, most_frequent or constant"),
                      config::field("fill_value", &SimpleImputerConfig::fill_value),
                      config::field("fill_label", &SimpleImputerConfig::fill_label),
                      config::field("add_indicator", &SimpleImputerConfig::add_indicator)};
  }
  friend bool operator==(const SimpleImputerConfig&, const SimpleImputerConfig&) = default;
};

struct MissingIndicatorConfig {
  static constexpr std::string_view kName = "MissingIndicatorConfig";
  std::vector<std::string> columns{};  ///< columns to watch; empty: every column
  IndicatorFeatures features = IndicatorFeatures::kMissingOnly;
  /// missing-only: a column with missing values at transform but none at fit is a DataError.
  bool error_on_new = true;
  /// Keep the watched columns and add the indicators after them (scikit-learn outputs the
  /// indicators alone, which in a Frame pipeline would drop the data).
  bool keep_input = true;

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &MissingIndicatorConfig::columns),
        config::field("features", &MissingIndicatorConfig::features).doc("missing-only or all"),
        config::field("error_on_new", &MissingIndicatorConfig::error_on_new),
        config::field("keep_input", &MissingIndicatorConfig::keep_input)};
  }
  friend bool operator==(const MissingIndicatorConfig&, const MissingIndicatorConfig&) = default;
};

struct KnnImputerConfig {
  static constexpr std::string_view kName = "KnnImputerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  int n_neighbors = 5;                 ///< donors averaged per missing value
  KnnWeights weights = KnnWeights::kUniform;

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &KnnImputerConfig::columns),
        config::field("n_neighbors", &KnnImputerConfig::n_neighbors).at_least(1),
        config::field("weights", &KnnImputerConfig::weights).doc("uniform or distance")};
  }
  friend bool operator==(const KnnImputerConfig&, const KnnImputerConfig&) = default;
};

/// Fills missing values with a per-column statistic learned at fit: the mean or median of a
/// numeric column, the most frequent value (ties: the smallest) or a constant, as scikit-learn's
/// SimpleImputer. Column types are kept (a categorical column stays categorical, gaining the
/// fill label as a category if needed). A column without any observed value at fit is a
/// DataError unless the strategy is constant; mean and median on a non-numeric column are a
/// DataError naming it.
class SimpleImputer final : public preprocessing::ColumnStep<SimpleImputer, SimpleImputerConfig> {
 public:
  static constexpr std::string_view kName = "simple_imputer";
  static constexpr std::string_view kDisplayName = "SimpleImputer";
  explicit SimpleImputer(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  /// Per column: the numeric fill (NaN for label columns).
  [[nodiscard]] const std::vector<double>& statistics() const noexcept { return numbers_; }
  /// Per column: the label fill ("" for numeric columns).
  [[nodiscard]] const std::vector<std::string>& label_statistics() const noexcept {
    return labels_;
  }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] std::vector<data::Column> transform_columns_owned(
      std::vector<data::Column> columns) const override;
  [[nodiscard]] std::vector<data::Column> fit_transform_columns_owned(
      std::vector<data::Column> columns, std::span<const double> y) override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> numbers_;
  std::vector<std::string> labels_;
  std::vector<std::uint8_t> had_missing_;
};

/// 0/1 numeric columns "<column>_missing" marking missing values, as scikit-learn's
/// MissingIndicator. Accepts every column type.
class MissingIndicator final
    : public preprocessing::ColumnStep<MissingIndicator, MissingIndicatorConfig> {
 public:
  static constexpr std::string_view kName = "missing_indicator";
  static constexpr std::string_view kDisplayName = "MissingIndicator";
  explicit MissingIndicator(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::uint8_t> indicated_;  ///< per column: gets an indicator
};

/// Fills each missing value with the mean of that column over the n_neighbors nearest training
/// rows that have it, by the NaN-aware Euclidean distance (coordinates present in both rows,
/// scaled up by the fraction present), as scikit-learn's KNNImputer: O. Troyanskaya et al.,
/// "Missing value estimation methods for DNA microarrays", Bioinformatics 17(6), 2001. A row
/// sharing no coordinate with any donor takes the column mean. The training rows are part of the
/// fitted state.
class KnnImputer final : public preprocessing::ColumnStep<KnnImputer, KnnImputerConfig> {
 public:
  static constexpr std::string_view kName = "knn_imputer";
  static constexpr std::string_view kDisplayName = "KnnImputer";
  explicit KnnImputer(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  Matrix<double> train_;       ///< fit rows x selected columns, NaN where missing
  std::vector<double> means_;  ///< per column mean of the observed values
};

}  // namespace kolosal::imputation
