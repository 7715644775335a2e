// SPDX-License-Identifier: MIT
// Outlier handling with fitted bounds: IQR (Tukey's fences) or z-score, clipping or flagging.
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

enum class OutlierMethod {
  kIqr,     ///< [q25 - factor * IQR, q75 + factor * IQR] (J. W. Tukey, EDA, 1977)
  kZScore,  ///< [mean - factor * std, mean + factor * std], population std
};
enum class OutlierAction {
  kClip,  ///< values outside the bounds are clipped to them
  kFlag,  ///< values are kept and a 0/1 column "<column>_outlier" is added after each column
};

}  // namespace kolosal::preprocessing

namespace kolosal::config {
template <>
struct EnumNames<preprocessing::OutlierMethod> {
  using M = preprocessing::OutlierMethod;
  static constexpr std::array kValues{std::pair{M::kIqr, "iqr"}, std::pair{M::kZScore, "zscore"}};
};
template <>
struct EnumNames<preprocessing::OutlierAction> {
  using A = preprocessing::OutlierAction;
  static constexpr std::array kValues{std::pair{A::kClip, "clip"}, std::pair{A::kFlag, "flag"}};
};
}  // namespace kolosal::config

namespace kolosal::preprocessing {

struct OutlierClipperConfig {
  static constexpr std::string_view kName = "OutlierClipperConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  OutlierMethod method = OutlierMethod::kIqr;
  double factor = 1.5;  ///< fence width: IQRs beyond the quartiles, or standard deviations
  OutlierAction action = OutlierAction::kClip;

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &OutlierClipperConfig::columns),
                      config::field("method", &OutlierClipperConfig::method).doc("iqr or zscore"),
                      config::field("factor", &OutlierClipperConfig::factor).greater_than(0.0),
                      config::field("action", &OutlierClipperConfig::action).doc("clip or flag")};
  }
  friend bool operator==(const OutlierClipperConfig&, const OutlierClipperConfig&) = default;
};

/// Learns per-column bounds at fit and clips or flags values outside them. Numeric columns
/// only; missing values are ignored by fit and stay missing (never flagged); a column without
/// observed values is a DataError naming it.
class OutlierClipper final : public ColumnStep<OutlierClipper, OutlierClipperConfig> {
 public:
  static constexpr std::string_view kName = "outlier_clipper";
  static constexpr std::string_view kDisplayName = "OutlierClipper";
  explicit OutlierClipper(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<double>& lower() const noexcept { return lower_; }
  [[nodiscard]] const std::vector<double>& upper() const noexcept { return upper_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> lower_;
  std::vector<double> upper_;
};

}  // namespace kolosal::preprocessing
