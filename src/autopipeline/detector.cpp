// SPDX-License-Identifier: MIT
// Column-role and dataset profiling for AutoML.
#include "kolosal/autopipeline/detector.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

namespace kolosal::autopipeline {
namespace {

using data::Column;
using data::ColumnType;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "id", "user_id", "CustomerID", "uuid", "row", "index", pandas' "Unnamed: 0".
bool id_like_name(std::string_view name) {
  const std::string n = lower(name);
  static constexpr std::array kExact{"id",    "uuid",   "guid",       "key",    "index",    "row",
                                     "rowid", "row_id", "unnamed: 0", "record", "record_id"};
  if (std::find(kExact.begin(), kExact.end(), n) != kExact.end()) return true;
  if (n.size() > 2 && n.ends_with("id")) {
    const char before = n[n.size() - 3];
    const bool separated = before == '_' || before == '-' || before == ' ' || before == '.';
    // camelCase "CustomerID" / "userId": the original has an upper-case I.
    const bool camel = name[name.size() - 2] == 'I';
    return separated || camel;
  }
  return false;
}

double words(std::string_view s) {
  std::size_t count = 0;
  bool in_word = false;
  for (const char c : s) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space && !in_word) ++count;
    in_word = !space;
  }
  return static_cast<double>(count);
}

struct Counts {
  std::size_t non_missing = 0;
  std::size_t n_unique = 0;
};

// Profiles the strings of a categorical or text column: distinct count and mean word count
// (over at most 20,000 rows, which is plenty to tell prose from labels).
void profile_strings(const Column& column, const DetectorConfig& config, ColumnProfile& out,
                     Counts& counts) {
  std::unordered_set<std::string_view> distinct;
  double total_words = 0.0;
  std::size_t sampled = 0;
  constexpr std::size_t kWordSample = 20'000;
  const bool categorical = column.type() == ColumnType::kCategorical;
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (column.is_missing(i)) continue;
    ++counts.non_missing;
    const std::string_view value =
        categorical
            ? std::string_view(column.categories()[static_cast<std::size_t>(column.codes()[i])])
            : std::string_view(column.texts()[i]);
    distinct.insert(value);
    if (sampled < kWordSample) {
      total_words += words(value);
      ++sampled;
    }
  }
  counts.n_unique = distinct.size();
  const double mean_words = sampled ? total_words / static_cast<double>(sampled) : 0.0;
  if (counts.n_unique <= 1) return;  // constant, decided by the caller
  if (mean_words >= config.text_min_mean_words) {
    out.role = ColumnRole::kText;
    out.reason = detail::concat("strings averaging ", mean_words, " words");
  } else if (counts.non_missing >= 10 &&
             static_cast<double>(counts.n_unique) >=
                 config.identifier_unique_fraction * static_cast<double>(counts.non_missing)) {
    out.role = ColumnRole::kIdentifier;
    out.reason = detail::concat(counts.n_unique, " distinct values in ", counts.non_missing,
                                " rows: a row key");
  } else {
    out.role = ColumnRole::kCategorical;
    out.high_cardinality = counts.n_unique > config.high_cardinality;
    out.reason = detail::concat(counts.n_unique, " categories",
                                out.high_cardinality ? " (high cardinality)" : "");
  }
}

void profile_numbers(const Column& column, ColumnProfile& out, Counts& counts) {
  std::unordered_set<double> distinct;
  bool integers = true;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (std::size_t i = 0; i < column.size(); ++i) {
    const double v = column.as_double(i);
    if (std::isnan(v)) continue;
    ++counts.non_missing;
    distinct.insert(v == 0.0 ? 0.0 : v);  // -0 and +0 are one value
    integers = integers && std::isfinite(v) && v == std::floor(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  counts.n_unique = distinct.size();
  if (counts.n_unique <= 1) return;
  const bool all_distinct = counts.n_unique == counts.non_missing;
  // A unique integer column is a key when it is a run of consecutive integers (an auto-increment
  // or row number) or its name says so; unique real numbers are ordinary continuous features.
  const bool consecutive = integers && hi - lo + 1.0 == static_cast<double>(counts.n_unique);
  if (counts.non_missing >= 10 && all_distinct && integers &&
      (consecutive || id_like_name(column.name()))) {
    out.role = ColumnRole::kIdentifier;
    out.reason = consecutive ? "unique consecutive integers: a row number"
                             : "unique integers under an id-like name";
    return;
  }
  out.role = ColumnRole::kNumeric;
  out.reason = detail::concat(counts.n_unique, " distinct values");
}

ColumnProfile profile_column(const Column& column, const DetectorConfig& config) {
  ColumnProfile out;
  out.name = column.name();
  out.type = column.type();
  out.n_missing = column.missing_count();
  Counts counts;
  switch (column.type()) {
    case ColumnType::kNumeric:
      profile_numbers(column, out, counts);
      break;
    case ColumnType::kCategorical:
    case ColumnType::kText:
      profile_strings(column, config, out, counts);
      break;
    case ColumnType::kBoolean: {
      std::array<bool, 2> seen{};
      for (std::size_t i = 0; i < column.size(); ++i) {
        if (column.is_missing(i)) continue;
        ++counts.non_missing;
        seen[column.bools()[i] != 0] = true;
      }
      counts.n_unique = static_cast<std::size_t>(seen[0]) + static_cast<std::size_t>(seen[1]);
      out.role = ColumnRole::kBoolean;
      out.reason = "boolean";
      break;
    }
    case ColumnType::kDatetime: {
      std::unordered_set<std::int64_t> distinct;
      for (std::size_t i = 0; i < column.size(); ++i) {
        if (column.is_missing(i)) continue;
        ++counts.non_missing;
        distinct.insert(column.datetimes()[i]);
      }
      counts.n_unique = distinct.size();
      out.role = ColumnRole::kDatetime;
      out.reason = "timestamps: expanded into calendar parts";
      break;
    }
  }
  out.n_unique = counts.n_unique;
  if (counts.n_unique <= 1) {
    out.role = ColumnRole::kConstant;
    out.high_cardinality = false;
    out.reason = counts.n_unique == 0 ? "every value missing" : "a single value";
  }
  return out;
}

}  // namespace

void DetectorConfig::check() const {
  KOLOSAL_CHECK(tiny_rows <= small_rows && small_rows <= medium_rows, ConfigError,
                "DetectorConfig: tiny_rows <= small_rows <= medium_rows is required, got ",
                tiny_rows, ", ", small_rows, ", ", medium_rows);
}

std::vector<std::string> DatasetProfile::columns_with(ColumnRole role) const {
  std::vector<std::string> out;
  for (const auto& c : columns) {
    if (c.role == role) out.push_back(c.name);
  }
  return out;
}

std::vector<std::string> DatasetProfile::usable_columns() const {
  std::vector<std::string> out;
  for (const auto& c : columns) {
    if (c.role != ColumnRole::kIdentifier && c.role != ColumnRole::kConstant) {
      out.push_back(c.name);
    }
  }
  return out;
}

nlohmann::json DatasetProfile::to_json() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : columns) {
    cols.push_back({{"name", c.name},
                    {"type", data::to_string(c.type)},
                    {"role", config::enum_name(c.role)},
                    {"n_unique", c.n_unique},
                    {"n_missing", c.n_missing},
                    {"high_cardinality", c.high_cardinality},
                    {"reason", c.reason}});
  }
  nlohmann::json out{{"target", target},
                     {"task", config::enum_name(task.type)},
                     {"task_reason", task.reason},
                     {"n_classes", task.n_classes},
                     {"rows", rows},
                     {"target_missing", target_missing},
                     {"columns", std::move(cols)},
                     {"imbalance_ratio", imbalance_ratio},
                     {"imbalanced", imbalanced},
                     {"missing_fraction", missing_fraction},
                     {"size", config::enum_name(size)}};
  if (!class_counts.empty()) out["class_counts"] = class_counts;
  return out;
}

DatasetProfile profile_dataset(const data::Frame& frame, std::string_view target,
                               const DetectorConfig& config) {
  config::validate(config, "profile_dataset");
  KOLOSAL_CHECK(frame.has_column(target), InvalidArgument, "profile_dataset: no target column '",
                target, "' (columns: ", frame.cols(), ")");
  DatasetProfile profile;
  profile.target = std::string(target);
  profile.rows = frame.rows();
  const Column& y = frame.column(target);
  profile.task = data::guess_task(y);
  profile.target_missing = y.missing_count();

  std::size_t missing_cells = 0;
  for (const Column& column : frame.columns()) {
    if (column.name() == target) continue;
    profile.columns.push_back(profile_column(column, config));
    missing_cells += profile.columns.back().n_missing;
  }
  const std::size_t cells = profile.columns.size() * frame.rows();
  profile.missing_fraction =
      cells ? static_cast<double>(missing_cells) / static_cast<double>(cells) : 0.0;

  if (profile.task.type != data::TaskType::kRegression) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (!y.is_missing(i)) ++profile.class_counts[y.label(i)];
    }
    std::size_t lo = std::numeric_limits<std::size_t>::max();
    std::size_t hi = 0;
    for (const auto& [label, count] : profile.class_counts) {
      lo = std::min(lo, count);
      hi = std::max(hi, count);
    }
    profile.imbalance_ratio = static_cast<double>(hi) / static_cast<double>(lo);
    profile.imbalanced = profile.imbalance_ratio >= config.imbalance_ratio;
  }
  const std::size_t n = frame.rows();
  profile.size = n < config.tiny_rows     ? SizeClass::kTiny
                 : n < config.small_rows  ? SizeClass::kSmall
                 : n < config.medium_rows ? SizeClass::kMedium
                                          : SizeClass::kLarge;
  return profile;
}

}  // namespace kolosal::autopipeline
