// SPDX-License-Identifier: MIT
// Categorical encoders and the label encoder; category order, infrequent grouping and drop rules
// follow scikit-learn 1.2's OneHotEncoder / OrdinalEncoder, target encoding scikit-learn 1.3.
#include "kolosal/preprocessing/encoders.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::preprocessing {
namespace {

using Columns = std::span<const data::Column* const>;

// The distinct non-missing labels of a column, sorted, with their counts, and the number of
// missing values.
struct SortedCategories {
  std::vector<std::string> labels;
  std::vector<std::size_t> counts;
  std::size_t missing = 0;
};

SortedCategories sorted_categories(const detail::LabelCodes& lc) {
  std::vector<std::size_t> dict_counts(lc.labels.size(), 0);
  SortedCategories out;
  for (const std::int32_t c : lc.codes) {
    if (c < 0) {
      ++out.missing;
    } else {
      ++dict_counts[static_cast<std::size_t>(c)];
    }
  }
  std::vector<std::size_t> order;
  for (std::size_t d = 0; d < lc.labels.size(); ++d) {
    if (dict_counts[d] > 0) order.push_back(d);
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return lc.labels[a] < lc.labels[b]; });
  for (const std::size_t d : order) {
    out.labels.push_back(lc.labels[d]);
    out.counts.push_back(dict_counts[d]);
  }
  return out;
}

// For each dictionary entry of `lc`, its index in the sorted `categories`, or -1 when unseen.
std::vector<std::int32_t> dictionary_map(const detail::LabelCodes& lc,
                                         const std::vector<std::string>& categories,
                                         std::size_t count) {
  std::unordered_map<std::string_view, std::int32_t> index;
  for (std::size_t k = 0; k < count; ++k) {
    index.emplace(categories[k], static_cast<std::int32_t>(k));
  }
  std::vector<std::int32_t> out(lc.labels.size(), -1);
  for (std::size_t d = 0; d < lc.labels.size(); ++d) {
    const auto it = index.find(lc.labels[d]);
    if (it != index.end()) out[d] = it->second;
  }
  return out;
}

// The first row where the code is `dict_index`, for error messages.
std::size_t first_row_of(const detail::LabelCodes& lc, std::int32_t dict_index) {
  const auto it = std::find(lc.codes.begin(), lc.codes.end(), dict_index);
  return static_cast<std::size_t>(it - lc.codes.begin());
}

std::vector<std::vector<std::string>> read_string_table(const nlohmann::json& state,
                                                        const char* key, std::size_t expected,
                                                        std::string_view who) {
  KOLOSAL_CHECK(state.is_object() && state.contains(key) && state[key].is_array() &&
                    state[key].size() == expected,
                SerializationError, who, "::load_state: '", key, "' must hold ", expected,
                " lists");
  return state[key].get<std::vector<std::vector<std::string>>>();
}

}  // namespace

// ---------------------------------------------------------------------------- one-hot

void OneHotEncoderConfig::check() const {
  KOLOSAL_CHECK(handle_unknown != HandleUnknown::kUseEncodedValue, ConfigError,
                "OneHotEncoder: handle_unknown must be error, ignore or infrequent_if_exist");
  KOLOSAL_CHECK(max_categories != 1, ConfigError,
                "OneHotEncoder: max_categories must be 0 (no limit) or at least 2, got 1");
}

nlohmann::json OneHotEncoder::config() const { return config::to_json(config_); }
bool OneHotEncoder::accepts(data::ColumnType type) const noexcept {
  return detail::is_label_type(type);
}

void OneHotEncoder::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  encodings_.assign(columns.size(), {});
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto& column = *columns[j];
    const auto lc = detail::label_codes(column);
    auto sorted = sorted_categories(lc);
    Encoding& e = encodings_[j];
    if (sorted.missing > 0) {
      KOLOSAL_CHECK(config_.handle_missing == HandleMissing::kCategory, DataError, kDisplayName,
                    "::fit: column '", column.name(), "' is missing at row ", first_row_of(lc, -1),
                    " (handle_missing is error)");
      sorted.labels.emplace_back("nan");
      sorted.counts.push_back(sorted.missing);
      e.has_missing = true;
    }
    KOLOSAL_CHECK(!sorted.labels.empty(), DataError, kDisplayName, "::fit: column '", column.name(),
                  "' has no values");
    const std::size_t k = sorted.labels.size();
    // scikit-learn's _identify_infrequent.
    std::vector<bool> infrequent(k, false);
    if (config_.min_frequency > 0.0) {
      const double threshold = config_.min_frequency >= 1.0
                                   ? config_.min_frequency
                                   : config_.min_frequency * static_cast<double>(column.size());
      for (std::size_t c = 0; c < k; ++c) {
        infrequent[c] = static_cast<double>(sorted.counts[c]) < threshold;
      }
    }
    const auto n_infrequent =
        static_cast<std::size_t>(std::count(infrequent.begin(), infrequent.end(), true));
    const std::size_t n_current = k - n_infrequent + 1;
    if (config_.max_categories > 0 &&
        static_cast<std::size_t>(config_.max_categories) < n_current) {
      std::vector<std::size_t> order(k);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return sorted.counts[a] < sorted.counts[b];
      });
      const std::size_t smallest = k - (static_cast<std::size_t>(config_.max_categories) - 1);
      for (std::size_t r = 0; r < smallest; ++r) infrequent[order[r]] = true;
    }
    const bool any_infrequent =
        std::find(infrequent.begin(), infrequent.end(), true) != infrequent.end();
    // Output columns: frequent categories in order, then the infrequent group.
    std::vector<std::int32_t> output(k, -1);
    std::vector<std::string> names;
    std::int32_t next = 0;
    for (std::size_t c = 0; c < k; ++c) {
      if (!infrequent[c]) {
        output[c] = next++;
        names.push_back(column.name() + "_" + sorted.labels[c]);
      }
    }
    std::int32_t infrequent_column = -1;
    if (any_infrequent) {
      infrequent_column = next++;
      names.push_back(column.name() + "_infrequent");
      for (std::size_t c = 0; c < k; ++c) {
        if (infrequent[c]) output[c] = infrequent_column;
      }
    }
    const bool drop = config_.drop == OneHotDrop::kFirst ||
                      (config_.drop == OneHotDrop::kIfBinary && names.size() == 2);
    if (drop) {
      const std::int32_t dropped = output[0];
      names.erase(names.begin() + dropped);
      for (auto& o : output) {
        if (o == dropped) {
          o = -1;
        } else if (o > dropped) {
          --o;
        }
      }
      if (dropped == infrequent_column) {
        e.infrequent_dropped = true;
        infrequent_column = -1;
      } else if (infrequent_column > dropped) {
        --infrequent_column;
      }
    }
    e.categories = std::move(sorted.labels);
    e.output = std::move(output);
    e.names = std::move(names);
    e.infrequent = infrequent_column;
  });
}

std::vector<data::Column> OneHotEncoder::transform_columns(Columns columns) const {
  std::vector<std::vector<data::Column>> blocks(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto& column = *columns[j];
    const Encoding& e = encodings_[j];
    const auto lc = detail::label_codes(column);
    const std::size_t known = e.categories.size() - (e.has_missing ? 1 : 0);
    const auto map = dictionary_map(lc, e.categories, known);
    const std::size_t n = column.size();
    const std::size_t width = e.names.size();
    std::vector<std::vector<double>> out(width, std::vector<double>(n, 0.0));
    // Output column of an unseen category (-1: all zeros).
    const std::int32_t unknown_column =
        config_.handle_unknown == HandleUnknown::kInfrequentIfExist ? e.infrequent : -1;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t code = lc.codes[i];
      std::int32_t category = -1;
      if (code < 0) {
        if (e.has_missing) {
          category = static_cast<std::int32_t>(e.categories.size() - 1);
        } else {
          KOLOSAL_CHECK(config_.handle_missing == HandleMissing::kCategory, DataError, kDisplayName,
                        "::transform: column '", column.name(), "' is missing at row ", i,
                        " (handle_missing is error)");
          KOLOSAL_CHECK(config_.handle_unknown != HandleUnknown::kError, DataError, kDisplayName,
                        "::transform: column '", column.name(), "' is missing at row ", i,
                        ", which fit never saw (handle_unknown is error)");
        }
      } else {
        category = map[static_cast<std::size_t>(code)];
        if (category < 0) {
          KOLOSAL_CHECK(config_.handle_unknown != HandleUnknown::kError, DataError, kDisplayName,
                        "::transform: column '", column.name(), "' has the unseen category '",
                        lc.labels[static_cast<std::size_t>(code)], "' at row ", i);
        }
      }
      const std::int32_t target =
          category >= 0 ? e.output[static_cast<std::size_t>(category)] : unknown_column;
      if (target >= 0) out[static_cast<std::size_t>(target)][i] = 1.0;
    }
    for (std::size_t c = 0; c < width; ++c) {
      blocks[j].push_back(data::Column::numeric(e.names[c], std::move(out[c])));
    }
  });
  std::vector<data::Column> result;
  for (auto& block : blocks) {
    for (auto& c : block) result.push_back(std::move(c));
  }
  return result;
}

nlohmann::json OneHotEncoder::columns_state() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : encodings_) {
    out.push_back({{"categories", e.categories},
                   {"has_missing", e.has_missing},
                   {"output", e.output},
                   {"names", e.names},
                   {"infrequent", e.infrequent},
                   {"infrequent_dropped", e.infrequent_dropped}});
  }
  return out;
}

void OneHotEncoder::load_columns_state(const nlohmann::json& state) {
  KOLOSAL_CHECK(state.is_array() && state.size() == input_columns().size(), SerializationError,
                kDisplayName, "::load_state: expected one encoding per column");
  std::vector<Encoding> encodings;
  for (const auto& s : state) {
    Encoding e;
    e.categories = s.at("categories").get<std::vector<std::string>>();
    e.has_missing = s.at("has_missing").get<bool>();
    e.output = s.at("output").get<std::vector<std::int32_t>>();
    e.names = s.at("names").get<std::vector<std::string>>();
    e.infrequent = s.at("infrequent").get<std::int32_t>();
    e.infrequent_dropped = s.at("infrequent_dropped").get<bool>();
    const auto width = static_cast<std::int32_t>(e.names.size());
    KOLOSAL_CHECK(e.output.size() == e.categories.size() && e.infrequent < width &&
                      std::all_of(e.output.begin(), e.output.end(),
                                  [&](std::int32_t o) { return o >= -1 && o < width; }),
                  SerializationError, kDisplayName, "::load_state: inconsistent encoding");
    encodings.push_back(std::move(e));
  }
  encodings_ = std::move(encodings);
}

// ---------------------------------------------------------------------------- ordinal

void OrdinalEncoderConfig::check() const {
  KOLOSAL_CHECK(
      handle_unknown == HandleUnknown::kError || handle_unknown == HandleUnknown::kUseEncodedValue,
      ConfigError, "OrdinalEncoder: handle_unknown must be error or use_encoded_value");
}

nlohmann::json OrdinalEncoder::config() const { return config::to_json(config_); }
bool OrdinalEncoder::accepts(data::ColumnType type) const noexcept {
  return detail::is_label_type(type);
}

void OrdinalEncoder::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  categories_.assign(columns.size(), {});
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    categories_[j] = sorted_categories(detail::label_codes(*columns[j])).labels;
    KOLOSAL_CHECK(!categories_[j].empty(), DataError, kDisplayName, "::fit: column '",
                  columns[j]->name(), "' has no non-missing values");
  });
  if (config_.handle_unknown == HandleUnknown::kUseEncodedValue && config_.unknown_value) {
    const double u = *config_.unknown_value;
    for (std::size_t j = 0; j < columns.size(); ++j) {
      KOLOSAL_CHECK(
          !(u >= 0.0 && u < static_cast<double>(categories_[j].size()) && u == std::floor(u)),
          ConfigError, kDisplayName, ": unknown_value ", u,
          " is the code of a category of column '", columns[j]->name(), "'");
    }
  }
}

std::vector<data::Column> OrdinalEncoder::transform_columns(Columns columns) const {
  std::vector<data::Column> out(columns.size());
  const double unknown = config_.unknown_value.value_or(std::numeric_limits<double>::quiet_NaN());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto& column = *columns[j];
    const auto lc = detail::label_codes(column);
    const auto map = dictionary_map(lc, categories_[j], categories_[j].size());
    std::vector<double> values(column.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::int32_t code = lc.codes[i];
      if (code < 0) {
        values[i] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const std::int32_t category = map[static_cast<std::size_t>(code)];
      if (category < 0) {
        KOLOSAL_CHECK(config_.handle_unknown == HandleUnknown::kUseEncodedValue, DataError,
                      kDisplayName, "::transform: column '", column.name(),
                      "' has the unseen category '", lc.labels[static_cast<std::size_t>(code)],
                      "' at row ", i);
        values[i] = unknown;
      } else {
        values[i] = static_cast<double>(category);
      }
    }
    out[j] = data::Column::numeric(column.name(), std::move(values));
  });
  return out;
}

nlohmann::json OrdinalEncoder::columns_state() const { return {{"categories", categories_}}; }

void OrdinalEncoder::load_columns_state(const nlohmann::json& state) {
  categories_ = read_string_table(state, "categories", input_columns().size(), kDisplayName);
}

// ---------------------------------------------------------------------------- target

namespace {

// Smoothed category means of y over `rows` (all rows when empty). `codes` are category indices,
// with `k` standing for missing; returns k + 1 encodings and sets `mean` to the rows' mean.
std::vector<double> target_encodings(std::span<const std::int32_t> codes, std::size_t k,
                                     std::span<const double> y, std::span<const std::size_t> rows,
                                     const std::optional<double>& smooth, double& mean) {
  const std::size_t n = rows.empty() ? y.size() : rows.size();
  auto row_at = [&](std::size_t r) { return rows.empty() ? r : rows[r]; };
  double sum = 0.0;
  for (std::size_t r = 0; r < n; ++r) sum += y[row_at(r)];
  mean = sum / static_cast<double>(n);
  double squares = 0.0;
  for (std::size_t r = 0; r < n; ++r) {
    const double d = y[row_at(r)] - mean;
    squares += d * d;
  }
  const double variance = squares / static_cast<double>(n);
  std::vector<double> sums(k + 1, 0.0);
  std::vector<double> sq(k + 1, 0.0);
  std::vector<double> counts(k + 1, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = row_at(r);
    const auto c = static_cast<std::size_t>(codes[i]);
    const double d = y[i] - mean;
    sums[c] += d;
    sq[c] += d * d;
    counts[c] += 1.0;
  }
  std::vector<double> out(k + 1, mean);
  for (std::size_t c = 0; c <= k; ++c) {
    if (counts[c] == 0.0) continue;
    const double category_mean = sums[c] / counts[c];  // relative to the global mean
    double lambda = 0.0;
    if (smooth) {
      lambda = counts[c] / (counts[c] + *smooth);
    } else {
      const double within = sq[c] / counts[c] - category_mean * category_mean;
      lambda = variance * counts[c] / (variance * counts[c] + within);
    }
    out[c] = std::isnan(lambda) ? mean : mean + lambda * category_mean;
  }
  return out;
}

// Category index per row (k for missing) against the sorted categories, -1 for unseen labels.
std::vector<std::int32_t> category_indices(const data::Column& column,
                                           const std::vector<std::string>& categories) {
  const auto lc = detail::label_codes(column);
  const auto map = dictionary_map(lc, categories, categories.size());
  std::vector<std::int32_t> out(column.size());
  const auto missing = static_cast<std::int32_t>(categories.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int32_t code = lc.codes[i];
    out[i] = code < 0 ? missing : map[static_cast<std::size_t>(code)];
  }
  return out;
}

}  // namespace

nlohmann::json TargetEncoder::config() const { return config::to_json(config_); }
bool TargetEncoder::accepts(data::ColumnType type) const noexcept {
  return detail::is_label_type(type);
}

void TargetEncoder::fit_columns(Columns columns, std::span<const double> y) {
  config::validate(config_, kDisplayName);
  for (std::size_t i = 0; i < y.size(); ++i) {
    KOLOSAL_CHECK(std::isfinite(y[i]), DataError, kDisplayName, "::fit: y[", i, "] is ", y[i],
                  " (targets must be finite)");
  }
  const std::size_t m = columns.size();
  categories_.assign(m, {});
  encodings_.assign(m, {});
  missing_encoding_.assign(m, 0.0);
  std::vector<double> means(m, 0.0);
  parallel::for_each_index(context(), m, [&](std::size_t j) {
    categories_[j] = sorted_categories(detail::label_codes(*columns[j])).labels;
    const auto codes = category_indices(*columns[j], categories_[j]);
    auto enc = target_encodings(codes, categories_[j].size(), y, {}, config_.smooth, means[j]);
    missing_encoding_[j] = enc.back();
    enc.pop_back();
    encodings_[j] = std::move(enc);
  });
  target_mean_ = means.empty() ? 0.0 : means[0];
}

std::vector<data::Column> TargetEncoder::transform_columns(Columns columns) const {
  std::vector<data::Column> out(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto codes = category_indices(*columns[j], categories_[j]);
    std::vector<double> values(codes.size());
    const auto k = static_cast<std::int32_t>(categories_[j].size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const std::int32_t c = codes[i];
      values[i] = c < 0    ? target_mean_
                  : c == k ? missing_encoding_[j]
                           : encodings_[j][static_cast<std::size_t>(c)];
    }
    out[j] = data::Column::numeric(columns[j]->name(), std::move(values));
  });
  return out;
}

std::vector<data::Column> TargetEncoder::fit_transform_columns(Columns columns,
                                                               std::span<const double> y) {
  fit_columns(columns, y);
  const std::size_t n = y.size();
  const auto folds = static_cast<std::size_t>(config_.cv);
  KOLOSAL_CHECK(n >= folds, DataError, kDisplayName, "::fit_transform: ", n, " rows cannot make ",
                folds, " folds");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (config_.shuffle) order = Rng(context().seed).permutation(n);
  // Fold f holds order[start[f], start[f + 1]): the first n % folds folds one row larger, as
  // scikit-learn's KFold.
  std::vector<std::size_t> start(folds + 1, 0);
  for (std::size_t f = 0; f < folds; ++f) {
    start[f + 1] = start[f] + n / folds + (f < n % folds ? 1 : 0);
  }
  std::vector<data::Column> out(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto codes = category_indices(*columns[j], categories_[j]);
    const std::size_t k = categories_[j].size();
    std::vector<double> values(n);
    std::vector<std::size_t> train;
    for (std::size_t f = 0; f < folds; ++f) {
      train.clear();
      for (std::size_t r = 0; r < n; ++r) {
        if (r < start[f] || r >= start[f + 1]) train.push_back(order[r]);
      }
      std::sort(train.begin(), train.end());
      double fold_mean = 0.0;
      const auto enc = target_encodings(codes, k, y, train, config_.smooth, fold_mean);
      for (std::size_t r = start[f]; r < start[f + 1]; ++r) {
        const std::size_t i = order[r];
        values[i] = enc[static_cast<std::size_t>(codes[i])];
      }
    }
    out[j] = data::Column::numeric(columns[j]->name(), std::move(values));
  });
  return out;
}

nlohmann::json TargetEncoder::columns_state() const {
  return {{"categories", categories_},
          {"encodings", encodings_},
          {"missing_encoding", missing_encoding_},
          {"target_mean", target_mean_}};
}

void TargetEncoder::load_columns_state(const nlohmann::json& state) {
  const std::size_t m = input_columns().size();
  auto categories = read_string_table(state, "categories", m, kDisplayName);
  auto encodings = state.at("encodings").get<std::vector<std::vector<double>>>();
  KOLOSAL_CHECK(encodings.size() == m, SerializationError, kDisplayName,
                "::load_state: encodings do not match the columns");
  for (std::size_t j = 0; j < m; ++j) {
    KOLOSAL_CHECK(encodings[j].size() == categories[j].size(), SerializationError, kDisplayName,
                  "::load_state: encodings do not match the categories");
  }
  missing_encoding_ = detail::read_doubles(state, "missing_encoding", m, kDisplayName);
  target_mean_ = state.at("target_mean").get<double>();
  categories_ = std::move(categories);
  encodings_ = std::move(encodings);
}

// ---------------------------------------------------------------------------- frequency

nlohmann::json FrequencyEncoder::config() const { return config::to_json(config_); }
bool FrequencyEncoder::accepts(data::ColumnType type) const noexcept {
  return detail::is_label_type(type);
}

void FrequencyEncoder::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  categories_.assign(columns.size(), {});
  values_.assign(columns.size(), {});
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    auto sorted = sorted_categories(detail::label_codes(*columns[j]));
    const double total = config_.normalize ? static_cast<double>(columns[j]->size()) : 1.0;
    for (const std::size_t c : sorted.counts) {
      values_[j].push_back(static_cast<double>(c) / total);
    }
    categories_[j] = std::move(sorted.labels);
  });
}

std::vector<data::Column> FrequencyEncoder::transform_columns(Columns columns) const {
  std::vector<data::Column> out(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto codes = category_indices(*columns[j], categories_[j]);
    const auto k = static_cast<std::int32_t>(categories_[j].size());
    std::vector<double> values(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const std::int32_t c = codes[i];
      values[i] = c < 0    ? config_.unknown_value
                  : c == k ? std::numeric_limits<double>::quiet_NaN()
                           : values_[j][static_cast<std::size_t>(c)];
    }
    out[j] = data::Column::numeric(columns[j]->name(), std::move(values));
  });
  return out;
}

nlohmann::json FrequencyEncoder::columns_state() const {
  return {{"categories", categories_}, {"values", values_}};
}

void FrequencyEncoder::load_columns_state(const nlohmann::json& state) {
  const std::size_t m = input_columns().size();
  auto categories = read_string_table(state, "categories", m, kDisplayName);
  auto values = state.at("values").get<std::vector<std::vector<double>>>();
  KOLOSAL_CHECK(values.size() == m, SerializationError, kDisplayName,
                "::load_state: values do not match the columns");
  for (std::size_t j = 0; j < m; ++j) {
    KOLOSAL_CHECK(values[j].size() == categories[j].size(), SerializationError, kDisplayName,
                  "::load_state: values do not match the categories");
  }
  categories_ = std::move(categories);
  values_ = std::move(values);
}

// ---------------------------------------------------------------------------- hashing

std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed) noexcept {
  constexpr std::uint32_t c1 = 0xcc9e2d51U;
  constexpr std::uint32_t c2 = 0x1b873593U;
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  const std::size_t n = key.size();
  std::uint32_t h = seed;
  const std::size_t blocks = n / 4;
  for (std::size_t b = 0; b < blocks; ++b) {
    const unsigned char* p = bytes + b * 4;
    std::uint32_t k = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                      (static_cast<std::uint32_t>(p[2]) << 16) |
                      (static_cast<std::uint32_t>(p[3]) << 24);
    k *= c1;
    k = std::rotl(k, 15);
    k *= c2;
    h ^= k;
    h = std::rotl(h, 13);
    h = h * 5U + 0xe6546b64U;
  }
  const unsigned char* tail = bytes + blocks * 4;
  std::uint32_t k = 0;
  switch (n & 3U) {
    case 3:
      k ^= static_cast<std::uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= static_cast<std::uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= static_cast<std::uint32_t>(tail[0]);
      k *= c1;
      k = std::rotl(k, 15);
      k *= c2;
      h ^= k;
      break;
    default:
      break;
  }
  h ^= static_cast<std::uint32_t>(n);
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return std::bit_cast<std::int32_t>(h);
}

nlohmann::json HashingEncoder::config() const { return config::to_json(config_); }
bool HashingEncoder::accepts(data::ColumnType type) const noexcept {
  return detail::is_label_type(type);
}
void HashingEncoder::fit_columns(Columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
}

std::vector<data::Column> HashingEncoder::transform_columns(Columns columns) const {
  const auto width = static_cast<std::size_t>(config_.n_features);
  const std::size_t n = columns.empty() ? 0 : columns[0]->size();
  // Hash each dictionary entry once: (output index, sign) per label.
  struct Slot {
    std::size_t index;
    double sign;
  };
  std::vector<detail::LabelCodes> codes(columns.size());
  std::vector<std::vector<Slot>> slots(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    codes[j] = detail::label_codes(*columns[j]);
    for (const auto& label : codes[j].labels) {
      const std::int32_t h = murmurhash3_32(columns[j]->name() + "=" + label);
      const auto w = static_cast<std::int64_t>(width);
      // scikit-learn's special case for INT32_MIN, whose absolute value does not fit.
      const std::int64_t index = h == std::numeric_limits<std::int32_t>::min()
                                     ? (std::int64_t{2147483647} - (w - 1)) % w
                                     : std::abs(static_cast<std::int64_t>(h)) % w;
      const double sign = config_.alternate_sign && h < 0 ? -1.0 : 1.0;
      slots[j].push_back({static_cast<std::size_t>(index), sign});
    }
  });
  std::vector<std::vector<double>> out(width, std::vector<double>(n, 0.0));
  parallel::for_blocks(context(), n, 8192, [&](std::size_t begin, std::size_t end) {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      for (std::size_t i = begin; i < end; ++i) {
        const std::int32_t c = codes[j].codes[i];
        if (c < 0) continue;
        const Slot& s = slots[j][static_cast<std::size_t>(c)];
        out[s.index][i] += s.sign;
      }
    }
  });
  std::vector<data::Column> result;
  result.reserve(width);
  for (std::size_t k = 0; k < width; ++k) {
    result.push_back(
        data::Column::numeric(config_.prefix + "_" + std::to_string(k), std::move(out[k])));
  }
  return result;
}

nlohmann::json HashingEncoder::columns_state() const { return nlohmann::json::object(); }
void HashingEncoder::load_columns_state(const nlohmann::json&) {}

// ---------------------------------------------------------------------------- label encoder

LabelEncoder& LabelEncoder::fit(const data::Column& target) {
  KOLOSAL_CHECK(target.type() != data::ColumnType::kDatetime, DataError,
                "LabelEncoder::fit: column '", target.name(), "' is a datetime column");
  for (std::size_t i = 0; i < target.size(); ++i) {
    KOLOSAL_CHECK(!target.is_missing(i), DataError, "LabelEncoder::fit: column '", target.name(),
                  "' is missing at row ", i, " (targets must be present)");
  }
  KOLOSAL_CHECK(target.size() > 0, InvalidArgument, "LabelEncoder::fit: column '", target.name(),
                "' is empty");
  std::vector<std::string> classes;
  if (target.type() == data::ColumnType::kNumeric) {
    auto values = target.to_doubles();
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    const data::Column sorted = data::Column::numeric(target.name(), std::move(values));
    classes = sorted.to_labels();
  } else {
    classes = sorted_categories(detail::label_codes(target)).labels;
  }
  classes_ = std::move(classes);
  fitted_ = true;
  return *this;
}

std::vector<double> LabelEncoder::transform(const data::Column& target) const {
  KOLOSAL_CHECK(fitted_, NotFitted, "LabelEncoder::transform: call fit first");
  std::unordered_map<std::string, double> index;
  for (std::size_t k = 0; k < classes_.size(); ++k) {
    index.emplace(classes_[k], static_cast<double>(k));
  }
  std::vector<double> out(target.size());
  if (target.type() == data::ColumnType::kNumeric || target.type() == data::ColumnType::kDatetime) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      KOLOSAL_CHECK(!target.is_missing(i), DataError, "LabelEncoder::transform: column '",
                    target.name(), "' is missing at row ", i);
      const auto it = index.find(target.label(i));
      KOLOSAL_CHECK(it != index.end(), DataError, "LabelEncoder::transform: column '",
                    target.name(), "' has the unseen label '", target.label(i), "' at row ", i);
      out[i] = it->second;
    }
    return out;
  }
  const auto lc = detail::label_codes(target);
  std::vector<double> map(lc.labels.size(), -1.0);
  for (std::size_t d = 0; d < lc.labels.size(); ++d) {
    const auto it = index.find(lc.labels[d]);
    if (it != index.end()) map[d] = it->second;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int32_t c = lc.codes[i];
    KOLOSAL_CHECK(c >= 0, DataError, "LabelEncoder::transform: column '", target.name(),
                  "' is missing at row ", i);
    const double v = map[static_cast<std::size_t>(c)];
    KOLOSAL_CHECK(v >= 0.0, DataError, "LabelEncoder::transform: column '", target.name(),
                  "' has the unseen label '", lc.labels[static_cast<std::size_t>(c)], "' at row ",
                  i);
    out[i] = v;
  }
  return out;
}

std::vector<std::string> LabelEncoder::inverse_transform(std::span<const double> indices) const {
  KOLOSAL_CHECK(fitted_, NotFitted, "LabelEncoder::inverse_transform: call fit first");
  std::vector<std::string> out;
  out.reserve(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const double v = indices[i];
    KOLOSAL_CHECK(v >= 0.0 && v < static_cast<double>(classes_.size()) && v == std::floor(v),
                  InvalidArgument, "LabelEncoder::inverse_transform: indices[", i, "] is ", v,
                  ", not a class index below ", classes_.size());
    out.push_back(classes_[static_cast<std::size_t>(v)]);
  }
  return out;
}

nlohmann::json LabelEncoder::state() const {
  KOLOSAL_CHECK(fitted_, NotFitted, "LabelEncoder::state: call fit first");
  return {{"classes", classes_}};
}

void LabelEncoder::load_state(const nlohmann::json& state) {
  KOLOSAL_CHECK(state.is_object() && state.contains("classes") && state["classes"].is_array(),
                SerializationError, "LabelEncoder::load_state: expected {\"classes\": [...]}");
  classes_ = state["classes"].get<std::vector<std::string>>();
  fitted_ = true;
}

}  // namespace kolosal::preprocessing
