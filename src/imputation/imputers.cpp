// SPDX-License-Identifier: MIT
// Simple, k-NN and indicator imputation following scikit-learn 1.2's SimpleImputer, KNNImputer
// and MissingIndicator.
#include "kolosal/imputation/imputers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::imputation {
namespace {

using Columns = std::span<const data::Column* const>;
using preprocessing::detail::NumericValues;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The most frequent of sorted values; ties go to the smallest, as scikit-learn.
double most_frequent_sorted(std::span<const double> sorted) {
  double best = sorted[0];
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = sorted[i];
    }
    i = j;
  }
  return best;
}

// The most frequent label (ties: the byte-wise smallest), or nothing when all are missing.
std::optional<std::string> most_frequent_label(const data::Column& column) {
  const auto lc = preprocessing::detail::label_codes(column);
  std::vector<std::size_t> counts(lc.labels.size(), 0);
  for (const std::int32_t c : lc.codes) {
    if (c >= 0) ++counts[static_cast<std::size_t>(c)];
  }
  std::optional<std::size_t> best;
  for (std::size_t d = 0; d < counts.size(); ++d) {
    if (counts[d] == 0) continue;
    if (!best || counts[d] > counts[*best] ||
        (counts[d] == counts[*best] && lc.labels[d] < lc.labels[*best])) {
      best = d;
    }
  }
  if (!best) return std::nullopt;
  return lc.labels[*best];
}

data::Column indicator(const data::Column& column) {
  std::vector<double> values(column.size(), 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = column.is_missing(i) ? 1.0 : 0.0;
  return data::Column::numeric(column.name() + "_missing", std::move(values));
}

}  // namespace

// ---------------------------------------------------------------------------- simple

nlohmann::json SimpleImputer::config() const { return config::to_json(config_); }

bool SimpleImputer::accepts(data::ColumnType type) const noexcept {
  if (type == data::ColumnType::kNumeric) return true;
  if (type == data::ColumnType::kDatetime) return false;
  // Label columns only where the strategy applies to them; an explicit request for one under
  // mean or median is reported by fit_columns with the reason.
  return config_.strategy == ImputeStrategy::kMostFrequent ||
         config_.strategy == ImputeStrategy::kConstant || !config_.columns.empty();
}

void SimpleImputer::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t m = columns.size();
  numbers_.assign(m, kNaN);
  labels_.assign(m, std::string());
  had_missing_.assign(m, 0);
  parallel::for_each_index(context(), m, [&](std::size_t j) {
    const auto& column = *columns[j];
    had_missing_[j] = column.has_missing() ? 1 : 0;
    const bool constant = config_.strategy == ImputeStrategy::kConstant;
    if (column.type() == data::ColumnType::kNumeric) {
      if (constant) {
        numbers_[j] = config_.fill_value;
        return;
      }
      if (config_.strategy == ImputeStrategy::kMean) {
        // Straight from the column, skipping NaN, without copying it.
        const NumericValues in(column);
        double sum = 0.0;
        std::size_t count = 0;
        for (const double v : in.values()) {
          if (!std::isnan(v)) {
            sum += v;
            ++count;
          }
        }
        KOLOSAL_CHECK(count > 0, DataError, kDisplayName, "::fit: column '", column.name(),
                      "' has no observed values to compute a mean from");
        numbers_[j] = sum / static_cast<double>(count);
        return;
      }
      auto values = preprocessing::detail::non_missing(column);
      KOLOSAL_CHECK(!values.empty(), DataError, kDisplayName, "::fit: column '", column.name(),
                    "' has no observed values to compute a ", config::enum_name(config_.strategy),
                    " from");
      switch (config_.strategy) {
        case ImputeStrategy::kMean:
          break;
        case ImputeStrategy::kMedian:
          std::sort(values.begin(), values.end());
          numbers_[j] = preprocessing::detail::percentile_sorted(values, 50.0);
          break;
        case ImputeStrategy::kMostFrequent:
          std::sort(values.begin(), values.end());
          numbers_[j] = most_frequent_sorted(values);
          break;
        case ImputeStrategy::kConstant:
          break;
      }
      return;
    }
    KOLOSAL_CHECK(config_.strategy == ImputeStrategy::kMostFrequent || constant, DataError,
                  kDisplayName, "::fit: column '", column.name(), "' is ",
                  data::to_string(column.type()), "; strategy ",
                  config::enum_name(config_.strategy),
                  " needs numeric columns (use most_frequent or constant)");
    if (column.type() == data::ColumnType::kBoolean) {
      if (constant) {
        labels_[j] = config_.fill_value != 0.0 ? "true" : "false";
        return;
      }
    } else if (constant) {
      labels_[j] = config_.fill_label;
      return;
    }
    auto label = most_frequent_label(column);
    KOLOSAL_CHECK(label.has_value(), DataError, kDisplayName, "::fit: column '", column.name(),
                  "' has no observed values to compute a most_frequent from");
    labels_[j] = std::move(*label);
  });
}

std::vector<data::Column> SimpleImputer::transform_columns(Columns columns) const {
  const std::size_t m = columns.size();
  std::vector<data::Column> out(m);
  parallel::for_each_index(context(), m, [&](std::size_t j) {
    const auto& column = *columns[j];
    switch (column.type()) {
      case data::ColumnType::kNumeric: {
        const NumericValues in(column);
        std::vector<double> values(in.values().begin(), in.values().end());
        for (auto& v : values) {
          if (std::isnan(v)) v = numbers_[j];
        }
        out[j] = data::Column::numeric(column.name(), std::move(values));
        break;
      }
      case data::ColumnType::kCategorical: {
        std::vector<std::string> categories = column.categories();
        auto it = std::find(categories.begin(), categories.end(), labels_[j]);
        const auto fill = static_cast<std::int32_t>(it - categories.begin());
        if (it == categories.end()) categories.push_back(labels_[j]);
        std::vector<std::int32_t> codes(column.codes().begin(), column.codes().end());
        for (auto& c : codes) {
          if (c < 0) c = fill;
        }
        out[j] = data::Column::categorical(column.name(), std::move(codes), std::move(categories));
        break;
      }
      case data::ColumnType::kText: {
        std::vector<std::string> values = column.texts();
        for (std::size_t i = 0; i < values.size(); ++i) {
          if (column.is_missing(i)) values[i] = labels_[j];
        }
        out[j] = data::Column::text(column.name(), std::move(values));
        break;
      }
      case data::ColumnType::kBoolean: {
        std::vector<std::uint8_t> values(column.bools().begin(), column.bools().end());
        const std::uint8_t fill = labels_[j] == "true" ? 1 : 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
          if (column.is_missing(i)) values[i] = fill;
        }
        out[j] = data::Column::boolean(column.name(), std::move(values));
        break;
      }
      case data::ColumnType::kDatetime:
        KOLOSAL_ASSERT(false);
    }
  });
  if (config_.add_indicator) {
    for (std::size_t j = 0; j < m; ++j) {
      if (had_missing_[j] != 0) out.push_back(indicator(*columns[j]));
    }
  }
  return out;
}

// The owned path fills numeric double columns in place; the other types (and the indicator,
// which needs the input's missing mask) take the copying path.
std::vector<data::Column> SimpleImputer::transform_columns_owned(
    std::vector<data::Column> columns) const {
  bool in_place = !config_.add_indicator;
  for (const auto& c : columns) {
    in_place = in_place && c.type() == data::ColumnType::kNumeric && !c.is_float32();
  }
  if (!in_place) return ColumnStep::transform_columns_owned(std::move(columns));
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    auto& column = columns[j];
    if (!column.has_missing()) return;
    std::string name = column.name();
    std::vector<double> values = std::move(column).release_doubles();
    const double fill = numbers_[j];
    for (double& v : values) {
      if (std::isnan(v)) v = fill;
    }
    column = data::Column::numeric(std::move(name), std::move(values));
  });
  return columns;
}

std::vector<data::Column> SimpleImputer::fit_transform_columns_owned(
    std::vector<data::Column> columns, std::span<const double> y) {
  std::vector<const data::Column*> view;
  for (const auto& c : columns) view.push_back(&c);
  fit_columns(view, y);
  return transform_columns_owned(std::move(columns));
}

nlohmann::json SimpleImputer::columns_state() const {
  nlohmann::json numbers = nlohmann::json::array();
  for (const double v : numbers_)
    numbers.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
  return {{"numbers", std::move(numbers)}, {"labels", labels_}, {"had_missing", had_missing_}};
}

void SimpleImputer::load_columns_state(const nlohmann::json& state) {
  const std::size_t m = input_columns().size();
  KOLOSAL_CHECK(state.is_object() && state.contains("numbers") && state["numbers"].size() == m &&
                    state.contains("labels") && state["labels"].size() == m &&
                    state.contains("had_missing") && state["had_missing"].size() == m,
                SerializationError, kDisplayName,
                "::load_state: numbers, labels and had_missing must hold one entry per column");
  std::vector<double> numbers;
  for (const auto& v : state["numbers"]) numbers.push_back(v.is_null() ? kNaN : v.get<double>());
  numbers_ = std::move(numbers);
  labels_ = state["labels"].get<std::vector<std::string>>();
  had_missing_ = state["had_missing"].get<std::vector<std::uint8_t>>();
}

// ---------------------------------------------------------------------------- indicator

nlohmann::json MissingIndicator::config() const { return config::to_json(config_); }
bool MissingIndicator::accepts(data::ColumnType) const noexcept { return true; }

void MissingIndicator::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  indicated_.assign(columns.size(), 0);
  for (std::size_t j = 0; j < columns.size(); ++j) {
    indicated_[j] =
        config_.features == IndicatorFeatures::kAll || columns[j]->has_missing() ? 1 : 0;
  }
}

std::vector<data::Column> MissingIndicator::transform_columns(Columns columns) const {
  std::vector<data::Column> out;
  if (config_.keep_input) {
    for (const auto* c : columns) out.push_back(*c);
  }
  for (std::size_t j = 0; j < columns.size(); ++j) {
    if (indicated_[j] != 0) {
      out.push_back(indicator(*columns[j]));
    } else {
      KOLOSAL_CHECK(!config_.error_on_new || !columns[j]->has_missing(), DataError, kDisplayName,
                    "::transform: column '", columns[j]->name(),
                    "' has missing values but had none at fit (error_on_new)");
    }
  }
  return out;
}

nlohmann::json MissingIndicator::columns_state() const { return {{"indicated", indicated_}}; }

void MissingIndicator::load_columns_state(const nlohmann::json& state) {
  auto indicated = state.at("indicated").get<std::vector<std::uint8_t>>();
  KOLOSAL_CHECK(indicated.size() == input_columns().size(), SerializationError, kDisplayName,
                "::load_state: indicated must hold one entry per column");
  indicated_ = std::move(indicated);
}

// ---------------------------------------------------------------------------- k-NN

nlohmann::json KnnImputer::config() const { return config::to_json(config_); }
bool KnnImputer::accepts(data::ColumnType type) const noexcept {
  return type == data::ColumnType::kNumeric;
}

void KnnImputer::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t k = columns.size();
  const std::size_t n = columns[0]->size();
  train_ = Matrix<double>(n, k);
  means_.assign(k, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    const NumericValues in(*columns[j]);
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
      train_(i, j) = in[i];
      if (!std::isnan(in[i])) {
        sum += in[i];
        ++count;
      }
    }
    KOLOSAL_CHECK(count > 0, DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                  "' has no observed values");
    means_[j] = sum / static_cast<double>(count);
  }
}

std::vector<data::Column> KnnImputer::transform_columns(Columns columns) const {
  const std::size_t k = columns.size();
  const std::size_t n = columns[0]->size();
  const std::size_t n_train = train_.rows();
  std::vector<std::vector<double>> out(k);
  for (std::size_t j = 0; j < k; ++j) {
    const NumericValues in(*columns[j]);
    out[j].assign(in.values().begin(), in.values().end());
  }
  const auto wanted = static_cast<std::size_t>(config_.n_neighbors);
  parallel::for_blocks(context(), n, 64, [&](std::size_t begin, std::size_t end) {
    std::vector<double> distance(n_train);
    std::vector<std::size_t> donors;
    for (std::size_t i = begin; i < end; ++i) {
      bool any_missing = false;
      for (std::size_t j = 0; j < k; ++j) any_missing = any_missing || std::isnan(out[j][i]);
      if (!any_missing) continue;
      // NaN-aware Euclidean distance to every training row, from the row's observed values.
      for (std::size_t t = 0; t < n_train; ++t) {
        double sum = 0.0;
        std::size_t present = 0;
        for (std::size_t j = 0; j < k; ++j) {
          const double a = out[j][i];
          const double b = train_(t, j);
          if (std::isnan(a) || std::isnan(b)) continue;
          sum += (a - b) * (a - b);
          ++present;
        }
        distance[t] = present == 0
                          ? kNaN
                          : std::sqrt(sum * static_cast<double>(k) / static_cast<double>(present));
      }
      for (std::size_t j = 0; j < k; ++j) {
        if (!std::isnan(out[j][i])) continue;
        donors.clear();
        bool any_distance = false;
        for (std::size_t t = 0; t < n_train; ++t) {
          if (std::isnan(train_(t, j))) continue;
          donors.push_back(t);
          any_distance = any_distance || !std::isnan(distance[t]);
        }
        if (!any_distance) {
          out[j][i] = means_[j];
          continue;
        }
        const std::size_t take = std::min(wanted, donors.size());
        // Nearest first, unknown distances last, ties by training row.
        std::partial_sort(donors.begin(), donors.begin() + static_cast<std::ptrdiff_t>(take),
                          donors.end(), [&](std::size_t a, std::size_t b) {
                            const double da = distance[a];
                            const double db = distance[b];
                            if (std::isnan(da) != std::isnan(db)) return std::isnan(db);
                            if (da != db && !std::isnan(da)) return da < db;
                            return a < b;
                          });
        double total = 0.0;
        double weight_sum = 0.0;
        bool exact = false;
        if (config_.weights == KnnWeights::kDistance) {
          for (std::size_t r = 0; r < take; ++r) exact = exact || distance[donors[r]] == 0.0;
        }
        for (std::size_t r = 0; r < take; ++r) {
          const double d = distance[donors[r]];
          double w = 1.0;
          if (config_.weights == KnnWeights::kDistance) {
            w = exact ? (d == 0.0 ? 1.0 : 0.0) : (std::isnan(d) ? 0.0 : 1.0 / d);
          }
          total += w * train_(donors[r], j);
          weight_sum += w;
        }
        out[j][i] = weight_sum > 0.0 ? total / weight_sum : means_[j];
      }
    }
  });
  std::vector<data::Column> result;
  result.reserve(k);
  for (std::size_t j = 0; j < k; ++j) {
    result.push_back(data::Column::numeric(columns[j]->name(), std::move(out[j])));
  }
  return result;
}

nlohmann::json KnnImputer::columns_state() const {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < train_.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (const double v : train_.row(i))
      row.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
    rows.push_back(std::move(row));
  }
  return {{"train", std::move(rows)}, {"means", means_}};
}

void KnnImputer::load_columns_state(const nlohmann::json& state) {
  const std::size_t k = input_columns().size();
  means_ = preprocessing::detail::read_doubles(state, "means", k, kDisplayName);
  const auto& rows = state.at("train");
  KOLOSAL_CHECK(rows.is_array() && !rows.empty(), SerializationError, kDisplayName,
                "::load_state: train must be a non-empty array of rows");
  Matrix<double> train(rows.size(), k);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KOLOSAL_CHECK(rows[i].is_array() && rows[i].size() == k, SerializationError, kDisplayName,
                  "::load_state: train row ", i, " must hold ", k, " values");
    for (std::size_t j = 0; j < k; ++j) {
      train(i, j) = rows[i][j].is_null() ? kNaN : rows[i][j].get<double>();
    }
  }
  train_ = std::move(train);
}

}  // namespace kolosal::imputation
