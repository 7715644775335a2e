// SPDX-License-Identifier: MIT
// Outlier bounds (numpy percentiles for IQR, population moments for z-scores), clip or flag.
#include "kolosal/preprocessing/outliers.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::preprocessing {

nlohmann::json OutlierClipper::config() const { return config::to_json(config_); }
bool OutlierClipper::accepts(data::ColumnType type) const noexcept {
  return type == data::ColumnType::kNumeric;
}

void OutlierClipper::fit_columns(std::span<const data::Column* const> columns,
                                 std::span<const double>) {
  config::validate(config_, kDisplayName);
  lower_.assign(columns.size(), 0.0);
  upper_.assign(columns.size(), 0.0);
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    auto values = detail::non_missing(*columns[j]);
    KOLOSAL_CHECK(!values.empty(), DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                  "' has no non-missing values");
    if (config_.method == OutlierMethod::kIqr) {
      std::sort(values.begin(), values.end());
      const double q1 = detail::percentile_sorted(values, 25.0);
      const double q3 = detail::percentile_sorted(values, 75.0);
      lower_[j] = q1 - config_.factor * (q3 - q1);
      upper_[j] = q3 + config_.factor * (q3 - q1);
    } else {
      double sum = 0.0;
      for (const double v : values) sum += v;
      const double mean = sum / static_cast<double>(values.size());
      double squares = 0.0;
      for (const double v : values) squares += (v - mean) * (v - mean);
      const double sd = std::sqrt(squares / static_cast<double>(values.size()));
      lower_[j] = mean - config_.factor * sd;
      upper_[j] = mean + config_.factor * sd;
    }
  });
}

std::vector<data::Column> OutlierClipper::transform_columns(
    std::span<const data::Column* const> columns) const {
  const bool flag = config_.action == OutlierAction::kFlag;
  std::vector<std::vector<data::Column>> blocks(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const detail::NumericValues in(*columns[j]);
    std::vector<double> values(in.values().begin(), in.values().end());
    std::vector<double> flags(flag ? values.size() : 0, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double v = values[i];
      if (std::isnan(v)) continue;
      if (flag) {
        flags[i] = v < lower_[j] || v > upper_[j] ? 1.0 : 0.0;
      } else {
        values[i] = std::clamp(v, lower_[j], upper_[j]);
      }
    }
    blocks[j].push_back(data::Column::numeric(columns[j]->name(), std::move(values)));
    if (flag) {
      blocks[j].push_back(data::Column::numeric(columns[j]->name() + "_outlier", std::move(flags)));
    }
  });
  std::vector<data::Column> out;
  for (auto& block : blocks) {
    for (auto& c : block) out.push_back(std::move(c));
  }
  return out;
}

nlohmann::json OutlierClipper::columns_state() const {
  return {{"lower", lower_}, {"upper", upper_}};
}

void OutlierClipper::load_columns_state(const nlohmann::json& state) {
  lower_ = detail::read_doubles(state, "lower", input_columns().size(), kDisplayName);
  upper_ = detail::read_doubles(state, "upper", input_columns().size(), kDisplayName);
}

}  // namespace kolosal::preprocessing
