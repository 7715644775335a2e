// SPDX-License-Identifier: MIT
// Derived features: polynomial and interaction terms, binning (uniform, quantile, k-means) and
// datetime parts with cyclic encodings.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::feature_engineering {

enum class BinStrategy {
  kUniform,   ///< equal-width bins between the fitted min and max
  kQuantile,  ///< equal-frequency bins (edges at percentiles; duplicate edges merged)
  kKMeans,    ///< edges halfway between the centres of 1-D k-means (Lloyd, uniform start)
};
enum class BinEncode {
  kOrdinal,  ///< one column of bin indices
  kOneHot,   ///< one 0/1 column per bin, "<column>_bin<k>"
};

}  // namespace kolosal::feature_engineering

namespace kolosal::config {
template <>
struct EnumNames<feature_engineering::BinStrategy> {
  using S = feature_engineering::BinStrategy;
  static constexpr std::array kValues{std::pair{S::kUniform, "uniform"},
                                      std::pair{S::kQuantile, "quantile"},
                                      std::pair{S::kKMeans, "kmeans"}};
};
template <>
struct EnumNames<feature_engineering::BinEncode> {
  using E = feature_engineering::BinEncode;
  static constexpr std::array kValues{std::pair{E::kOrdinal, "ordinal"},
                                      std::pair{E::kOneHot, "onehot"}};
};
}  // namespace kolosal::config

namespace kolosal::feature_engineering {

struct PolynomialFeaturesConfig {
  static constexpr std::string_view kName = "PolynomialFeaturesConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  int degree = 2;                      ///< highest total degree, 1..5
  bool interaction_only = false;       ///< only products of distinct columns
  bool include_bias = false;           ///< add a constant column "1"

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &PolynomialFeaturesConfig::columns),
        config::field("degree", &PolynomialFeaturesConfig::degree).at_least(1).at_most(5),
        config::field("interaction_only", &PolynomialFeaturesConfig::interaction_only),
        config::field("include_bias", &PolynomialFeaturesConfig::include_bias)};
  }
  friend bool operator==(const PolynomialFeaturesConfig&,
                         const PolynomialFeaturesConfig&) = default;
};

struct BinningConfig {
  static constexpr std::string_view kName = "BinningConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  int n_bins = 5;                      ///< bins per column, >= 2
  BinStrategy strategy = BinStrategy::kQuantile;
  BinEncode encode = BinEncode::kOrdinal;

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &BinningConfig::columns),
        config::field("n_bins", &BinningConfig::n_bins).at_least(2),
        config::field("strategy", &BinningConfig::strategy).doc("uniform, quantile or kmeans"),
        config::field("encode", &BinningConfig::encode).doc("ordinal or onehot")};
  }
  friend bool operator==(const BinningConfig&, const BinningConfig&) = default;
};

struct DatetimeFeaturesConfig {
  static constexpr std::string_view kName = "DatetimeFeaturesConfig";
  std::vector<std::string> columns{};  ///< datetime columns; empty: every datetime column
  /// Parts to extract, each a column "<column>_<part>": year, month, day, day_of_week (Monday
  /// 0), day_of_year, hour, minute, second, and the cyclic month_sin, month_cos,
  /// day_of_week_sin, day_of_week_cos, hour_sin, hour_cos.
  std::vector<std::string> parts{"year", "month", "day", "day_of_week", "hour"};
  bool keep_original = false;  ///< keep the datetime column before its parts

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &DatetimeFeaturesConfig::columns),
                      config::field("parts", &DatetimeFeaturesConfig::parts),
                      config::field("keep_original", &DatetimeFeaturesConfig::keep_original)};
  }
  void check() const;
  friend bool operator==(const DatetimeFeaturesConfig&, const DatetimeFeaturesConfig&) = default;
};

/// Every product of the selected columns up to `degree`, in scikit-learn's PolynomialFeatures
/// order (by degree, then combinations with replacement of the column indices) and names
/// ("a^2", "a b"). Numeric columns only; a missing factor makes the product missing. Stateless
/// apart from the column selection.
class PolynomialFeatures final
    : public preprocessing::ColumnStep<PolynomialFeatures, PolynomialFeaturesConfig> {
 public:
  static constexpr std::string_view kName = "polynomial_features";
  static constexpr std::string_view kDisplayName = "PolynomialFeatures";
  explicit PolynomialFeatures(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;
};

/// Discretises each numeric column into n_bins intervals learned at fit, as scikit-learn's
/// KBinsDiscretizer (values within 1e-8 + 1e-5 |x| below an edge count as on it; values outside
/// the fitted range go to the first or last bin). The k-means strategy follows Lloyd's algorithm
/// (S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982) from
/// the uniform bins' centres. Missing values stay missing (all zeros under onehot).
class Binning final : public preprocessing::ColumnStep<Binning, BinningConfig> {
 public:
  static constexpr std::string_view kName = "binning";
  static constexpr std::string_view kDisplayName = "Binning";
  explicit Binning(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  /// Per column: the bin edges, first the fitted minimum, last the maximum.
  [[nodiscard]] const std::vector<std::vector<double>>& bin_edges() const noexcept {
    return edges_;
  }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::vector<double>> edges_;
};

/// Calendar parts of datetime columns (UTC), as pandas' .dt accessors; cyclic parts map a
/// period onto the circle: month (m - 1) / 12, day of week d / 7, hour (h + min / 60) / 24,
/// times 2 pi, through sin and cos. Missing timestamps give missing parts.
class DatetimeFeatures final
    : public preprocessing::ColumnStep<DatetimeFeatures, DatetimeFeaturesConfig> {
 public:
  static constexpr std::string_view kName = "datetime_features";
  static constexpr std::string_view kDisplayName = "DatetimeFeatures";
  explicit DatetimeFeatures(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;
};

}  // namespace kolosal::feature_engineering
