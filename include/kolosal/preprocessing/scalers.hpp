// SPDX-License-Identifier: MIT
// Numeric scalers and monotone transforms of columns: standard, min-max, robust, max-abs, row
// normaliser, log1p, power (Yeo-Johnson, Box-Cox) and quantile, as scikit-learn's.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::preprocessing {

enum class Norm { kL1, kL2, kMax };
enum class PowerMethod { kYeoJohnson, kBoxCox };
enum class QuantileOutput { kUniform, kNormal };

}  // namespace kolosal::preprocessing

namespace kolosal::config {
template <>
struct EnumNames<preprocessing::Norm> {
  using N = preprocessing::Norm;
  static constexpr std::array kValues{std::pair{N::kL1, "l1"}, std::pair{N::kL2, "l2"},
                                      std::pair{N::kMax, "max"}};
};
template <>
struct EnumNames<preprocessing::PowerMethod> {
  using M = preprocessing::PowerMethod;
  static constexpr std::array kValues{std::pair{M::kYeoJohnson, "yeo-johnson"},
                                      std::pair{M::kBoxCox, "box-cox"}};
};
template <>
struct EnumNames<preprocessing::QuantileOutput> {
  using Q = preprocessing::QuantileOutput;
  static constexpr std::array kValues{std::pair{Q::kUniform, "uniform"},
                                      std::pair{Q::kNormal, "normal"}};
};
}  // namespace kolosal::config

namespace kolosal::preprocessing {

struct StandardScalerConfig {
  static constexpr std::string_view kName = "StandardScalerConfig";
  std::vector<std::string> columns{};  ///< numeric columns to scale; empty: every numeric column
  bool with_mean = true;               ///< subtract the mean
  bool with_std = true;                ///< divide by the (population) standard deviation

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &StandardScalerConfig::columns),
                      config::field("with_mean", &StandardScalerConfig::with_mean),
                      config::field("with_std", &StandardScalerConfig::with_std)};
  }
  friend bool operator==(const StandardScalerConfig&, const StandardScalerConfig&) = default;
};

struct MinMaxScalerConfig {
  static constexpr std::string_view kName = "MinMaxScalerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  double feature_min = 0.0;            ///< lower end of the output range
  double feature_max = 1.0;            ///< upper end of the output range, > feature_min
  bool clip = false;                   ///< clip transformed values into the range

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &MinMaxScalerConfig::columns),
                      config::field("feature_min", &MinMaxScalerConfig::feature_min),
                      config::field("feature_max", &MinMaxScalerConfig::feature_max),
                      config::field("clip", &MinMaxScalerConfig::clip)};
  }
  void check() const;
  friend bool operator==(const MinMaxScalerConfig&, const MinMaxScalerConfig&) = default;
};

struct RobustScalerConfig {
  static constexpr std::string_view kName = "RobustScalerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  bool with_centering = true;          ///< subtract the median
  bool with_scaling = true;            ///< divide by the quantile range
  double quantile_low = 25.0;          ///< lower percentile of the range, in [0, 100)
  double quantile_high = 75.0;         ///< upper percentile, in (quantile_low, 100]

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &RobustScalerConfig::columns),
        config::field("with_centering", &RobustScalerConfig::with_centering),
        config::field("with_scaling", &RobustScalerConfig::with_scaling),
        config::field("quantile_low", &RobustScalerConfig::quantile_low).at_least(0.0),
        config::field("quantile_high", &RobustScalerConfig::quantile_high).at_most(100.0)};
  }
  void check() const;
  friend bool operator==(const RobustScalerConfig&, const RobustScalerConfig&) = default;
};

struct MaxAbsScalerConfig {
  static constexpr std::string_view kName = "MaxAbsScalerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &MaxAbsScalerConfig::columns)};
  }
  friend bool operator==(const MaxAbsScalerConfig&, const MaxAbsScalerConfig&) = default;
};

struct NormalizerConfig {
  static constexpr std::string_view kName = "NormalizerConfig";
  std::vector<std::string> columns{};  ///< numeric columns forming each row vector; empty: all
  Norm norm = Norm::kL2;               ///< l1, l2 or max

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &NormalizerConfig::columns),
                      config::field("norm", &NormalizerConfig::norm).doc("l1, l2 or max")};
  }
  friend bool operator==(const NormalizerConfig&, const NormalizerConfig&) = default;
};

struct Log1pTransformerConfig {
  static constexpr std::string_view kName = "Log1pTransformerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &Log1pTransformerConfig::columns)};
  }
  friend bool operator==(const Log1pTransformerConfig&, const Log1pTransformerConfig&) = default;
};

struct PowerTransformerConfig {
  static constexpr std::string_view kName = "PowerTransformerConfig";
  std::vector<std::string> columns{};             ///< numeric columns; empty: every numeric column
  PowerMethod method = PowerMethod::kYeoJohnson;  ///< yeo-johnson or box-cox (positive data)
  bool standardize = true;  ///< standardise the transformed values to zero mean, unit variance

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &PowerTransformerConfig::columns),
        config::field("method", &PowerTransformerConfig::method).doc("yeo-johnson or box-cox"),
        config::field("standardize", &PowerTransformerConfig::standardize)};
  }
  friend bool operator==(const PowerTransformerConfig&, const PowerTransformerConfig&) = default;
};

struct QuantileTransformerConfig {
  static constexpr std::string_view kName = "QuantileTransformerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  int n_quantiles = 1000;              ///< landmarks of the empirical CDF (capped by the rows)
  QuantileOutput output_distribution = QuantileOutput::kUniform;  ///< uniform or normal
  int subsample = 100000;  ///< rows used to estimate the quantiles (seeded random subset)

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &QuantileTransformerConfig::columns),
        config::field("n_quantiles", &QuantileTransformerConfig::n_quantiles).at_least(2),
        config::field("output_distribution", &QuantileTransformerConfig::output_distribution)
            .doc("uniform or normal"),
        config::field("subsample", &QuantileTransformerConfig::subsample).at_least(2)};
  }
  friend bool operator==(const QuantileTransformerConfig&,
                         const QuantileTransformerConfig&) = default;
};

/// Numeric-column policy shared by every transformer in this file: it accepts numeric columns
/// only; missing values (NaN) are ignored by fit and stay missing in the output; fit rejects a
/// selected column without any non-missing value (DataError naming it).

/// (x - mean) / std per column, as scikit-learn's StandardScaler (population std; a zero std
/// scales by 1).
class StandardScaler final : public ColumnStep<StandardScaler, StandardScalerConfig> {
 public:
  static constexpr std::string_view kName = "standard_scaler";
  static constexpr std::string_view kDisplayName = "StandardScaler";
  explicit StandardScaler(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& mean() const noexcept { return mean_; }
  [[nodiscard]] const std::vector<double>& scale() const noexcept { return scale_; }

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
  std::vector<double> mean_;
  std::vector<double> scale_;
};

/// Maps each column's [min, max] seen at fit onto [feature_min, feature_max], as scikit-learn's
/// MinMaxScaler (a constant column maps to feature_min).
class MinMaxScaler final : public ColumnStep<MinMaxScaler, MinMaxScalerConfig> {
 public:
  static constexpr std::string_view kName = "min_max_scaler";
  static constexpr std::string_view kDisplayName = "MinMaxScaler";
  explicit MinMaxScaler(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& data_min() const noexcept { return data_min_; }
  [[nodiscard]] const std::vector<double>& data_max() const noexcept { return data_max_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> data_min_;
  std::vector<double> data_max_;
  std::vector<double> scale_;
  std::vector<double> min_;
};

/// (x - median) / (q_high - q_low) per column, as scikit-learn's RobustScaler (percentiles with
/// linear interpolation; a zero range scales by 1).
class RobustScaler final : public ColumnStep<RobustScaler, RobustScalerConfig> {
 public:
  static constexpr std::string_view kName = "robust_scaler";
  static constexpr std::string_view kDisplayName = "RobustScaler";
  explicit RobustScaler(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& center() const noexcept { return center_; }
  [[nodiscard]] const std::vector<double>& scale() const noexcept { return scale_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> center_;
  std::vector<double> scale_;
};

/// x / max|x| per column, as scikit-learn's MaxAbsScaler (an all-zero column scales by 1).
class MaxAbsScaler final : public ColumnStep<MaxAbsScaler, MaxAbsScalerConfig> {
 public:
  static constexpr std::string_view kName = "max_abs_scaler";
  static constexpr std::string_view kDisplayName = "MaxAbsScaler";
  explicit MaxAbsScaler(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& max_abs() const noexcept { return max_abs_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> max_abs_;
};

/// Scales each row of the selected columns to unit l1, l2 or max norm, as scikit-learn's
/// Normalizer (an all-zero row stays zero). Stateless apart from the column selection; a missing
/// value anywhere in a row is a DataError naming the column and row.
class Normalizer final : public ColumnStep<Normalizer, NormalizerConfig> {
 public:
  static constexpr std::string_view kName = "normalizer";
  static constexpr std::string_view kDisplayName = "Normalizer";
  explicit Normalizer(Config config = {}) : ColumnStep(std::move(config)) {}
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

/// log(1 + x) per column (scikit-learn's FunctionTransformer(np.log1p)); a value below -1 is a
/// DataError naming the column and row.
class Log1pTransformer final : public ColumnStep<Log1pTransformer, Log1pTransformerConfig> {
 public:
  static constexpr std::string_view kName = "log1p_transformer";
  static constexpr std::string_view kDisplayName = "Log1pTransformer";
  explicit Log1pTransformer(Config config = {}) : ColumnStep(std::move(config)) {}
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

/// Per-column power transform with the lambda that maximises the Gaussian log-likelihood, then
/// optional standardisation, as scikit-learn's PowerTransformer. Yeo-Johnson: I.-K. Yeo and
/// R. A. Johnson, "A new family of power transformations to improve normality or symmetry",
/// Biometrika 87(4), 2000. Box-Cox: G. E. P. Box and D. R. Cox, "An analysis of
/// transformations", JRSS B 26(2), 1964; it needs strictly positive values (DataError naming the
/// column otherwise, at fit and transform). Lambda is found by Brent's method.
class PowerTransformer final : public ColumnStep<PowerTransformer, PowerTransformerConfig> {
 public:
  static constexpr std::string_view kName = "power_transformer";
  static constexpr std::string_view kDisplayName = "PowerTransformer";
  explicit PowerTransformer(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& lambdas() const noexcept { return lambdas_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> lambdas_;
  std::vector<double> mean_;
  std::vector<double> scale_;
};

/// Maps each column through its empirical CDF (landmarks at n_quantiles evenly spaced
/// probabilities) onto a uniform or a standard normal distribution, as scikit-learn's
/// QuantileTransformer: linear interpolation averaged over both directions so ties map to their
/// mid-rank, values outside the fitted range clipped to its ends.
class QuantileTransformer final
    : public ColumnStep<QuantileTransformer, QuantileTransformerConfig> {
 public:
  static constexpr std::string_view kName = "quantile_transformer";
  static constexpr std::string_view kDisplayName = "QuantileTransformer";
  explicit QuantileTransformer(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  /// The landmarks of column j: quantiles()[j][k] is the references()[k] quantile.
  [[nodiscard]] const std::vector<std::vector<double>>& quantiles() const noexcept {
    return quantiles_;
  }
  [[nodiscard]] const std::vector<double>& references() const noexcept { return references_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> references_;
  std::vector<std::vector<double>> quantiles_;
};

/// The standard normal quantile function (inverse CDF), accurate to a few ulps on (0, 1); 0 and 1
/// give -inf and +inf.
[[nodiscard]] double normal_quantile(double p) noexcept;

}  // namespace kolosal::preprocessing
