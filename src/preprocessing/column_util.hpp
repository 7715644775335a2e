// SPDX-License-Identifier: MIT
// Helpers the transformers share in src/: reading numeric and label columns, percentiles, and
// JSON conversion of fitted parameters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::preprocessing::detail {

/// The values of a numeric column as doubles, without a copy for double storage.
class NumericValues {
 public:
  explicit NumericValues(const data::Column& column) {
    if (column.is_float32()) {
      scratch_ = column.to_doubles();
      values_ = scratch_;
    } else {
      values_ = column.doubles();
    }
  }
  NumericValues(const NumericValues&) = delete;
  NumericValues& operator=(const NumericValues&) = delete;
  [[nodiscard]] std::span<const double> values() const noexcept { return values_; }
  [[nodiscard]] double operator[](std::size_t i) const noexcept { return values_[i]; }
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }

 private:
  std::vector<double> scratch_;
  std::span<const double> values_;
};

/// A categorical-like column (categorical, text or boolean) as dictionary codes: codes[i] indexes
/// labels, -1 where missing. Labels are in first-seen order for text, as stored for categoricals.
struct LabelCodes {
  std::vector<std::int32_t> codes;
  std::vector<std::string> labels;
};
[[nodiscard]] LabelCodes label_codes(const data::Column& column);

/// The non-missing values of a numeric column, in row order.
[[nodiscard]] std::vector<double> non_missing(const data::Column& column);

/// numpy.percentile with linear interpolation of sorted values, q in [0, 100].
[[nodiscard]] double percentile_sorted(std::span<const double> sorted, double q);

/// Reads a vector<double> field of a state object. @throws SerializationError naming `who`
[[nodiscard]] std::vector<double> read_doubles(const nlohmann::json& state, const char* key,
                                               std::size_t expected, std::string_view who);

/// True for data::ColumnType values the label-based encoders accept.
[[nodiscard]] constexpr bool is_label_type(data::ColumnType type) noexcept {
  return type == data::ColumnType::kCategorical || type == data::ColumnType::kText ||
         type == data::ColumnType::kBoolean;
}

}  // namespace kolosal::preprocessing::detail
