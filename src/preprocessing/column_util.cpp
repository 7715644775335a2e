// SPDX-License-Identifier: MIT
// Shared column helpers of the transform layer.
#include "preprocessing/column_util.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace kolosal::preprocessing::detail {

LabelCodes label_codes(const data::Column& column) {
  LabelCodes out;
  const std::size_t n = column.size();
  switch (column.type()) {
    case data::ColumnType::kCategorical: {
      const auto codes = column.codes();
      out.codes.assign(codes.begin(), codes.end());
      out.labels = column.categories();
      break;
    }
    case data::ColumnType::kBoolean: {
      const auto values = column.bools();
      out.labels = {"false", "true"};
      out.codes.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        out.codes[i] = column.is_missing(i) ? -1 : (values[i] != 0 ? 1 : 0);
      }
      break;
    }
    case data::ColumnType::kText: {
      const auto& values = column.texts();
      std::unordered_map<std::string_view, std::int32_t> index;
      out.codes.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        if (column.is_missing(i)) {
          out.codes[i] = -1;
          continue;
        }
        const auto [it, inserted] =
            index.try_emplace(values[i], static_cast<std::int32_t>(out.labels.size()));
        if (inserted) out.labels.push_back(values[i]);
        out.codes[i] = it->second;
      }
      break;
    }
    default:
      KOLOSAL_THROW(InvalidArgument, "label_codes: column '", column.name(), "' is ",
                    data::to_string(column.type()), ", not categorical, text or boolean");
  }
  return out;
}

std::vector<double> non_missing(const data::Column& column) {
  const NumericValues values(column);
  std::vector<double> out;
  out.reserve(values.size());
  for (const double v : values.values()) {
    if (!std::isnan(v)) out.push_back(v);
  }
  return out;
}

double percentile_sorted(std::span<const double> sorted, double q) {
  const double position = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  // numpy's lerp: exact at both ends.
  const double a = sorted[below];
  const double b = sorted[above];
  const double diff = b - a;
  return fraction >= 0.5 ? b - diff * (1.0 - fraction) : a + diff * fraction;
}

std::vector<double> read_doubles(const nlohmann::json& state, const char* key, std::size_t expected,
                                 std::string_view who) {
  KOLOSAL_CHECK(state.is_object() && state.contains(key) && state[key].is_array(),
                SerializationError, who, "::load_state: missing array '", key, "'");
  auto values = state[key].get<std::vector<double>>();
  KOLOSAL_CHECK(values.size() == expected, SerializationError, who, "::load_state: '", key,
                "' has ", values.size(), " entries for ", expected, " columns");
  return values;
}

}  // namespace kolosal::preprocessing::detail
