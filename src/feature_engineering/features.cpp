// SPDX-License-Identifier: MIT
// Polynomial features, binning and datetime parts; order, edges and names follow scikit-learn
// 1.2's PolynomialFeatures and KBinsDiscretizer and pandas' datetime accessors.
#include "kolosal/feature_engineering/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::feature_engineering {
namespace {

using Columns = std::span<const data::Column* const>;
using preprocessing::detail::NumericValues;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_numeric(data::ColumnType type) noexcept { return type == data::ColumnType::kNumeric; }

// Appends every index tuple of length k starting at `start`, in lexicographic order: non-decreasing
// (combinations with replacement) or strictly increasing (interaction_only), as itertools.
void emit_tuples(std::vector<std::size_t>& current, std::size_t start, std::size_t k, std::size_t n,
                 bool strictly, std::vector<std::vector<std::size_t>>& out) {
  if (current.size() == k) {
    out.push_back(current);
    return;
  }
  for (std::size_t i = start; i < n; ++i) {
    current.push_back(i);
    emit_tuples(current, strictly ? i + 1 : i, k, n, strictly, out);
    current.pop_back();
  }
}

// Index tuples of the products, by increasing degree, as scikit-learn's _combinations.
std::vector<std::vector<std::size_t>> combinations(std::size_t n, int degree, bool interaction_only,
                                                   bool include_bias) {
  std::vector<std::vector<std::size_t>> out;
  if (include_bias) out.emplace_back();
  std::vector<std::size_t> current;
  for (int d = 1; d <= degree; ++d) {
    emit_tuples(current, 0, static_cast<std::size_t>(d), n, interaction_only, out);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------- polynomial

nlohmann::json PolynomialFeatures::config() const { return config::to_json(config_); }
bool PolynomialFeatures::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }
void PolynomialFeatures::fit_columns(Columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
}

std::vector<data::Column> PolynomialFeatures::transform_columns(Columns columns) const {
  const auto terms =
      combinations(columns.size(), config_.degree, config_.interaction_only, config_.include_bias);
  const std::size_t n = columns.empty() ? 0 : columns[0]->size();
  std::vector<std::unique_ptr<NumericValues>> in;
  for (const auto* c : columns) in.push_back(std::make_unique<NumericValues>(*c));
  std::vector<data::Column> out(terms.size());
  parallel::for_each_index(context(), terms.size(), [&](std::size_t t) {
    const auto& term = terms[t];
    std::vector<double> values(n, 1.0);
    std::string name;
    for (std::size_t i = 0; i < n; ++i) {
      double product = 1.0;
      for (std::size_t f = 0; f < term.size(); ++f) {
        product = f == 0 ? (*in[term[f]])[i] : product * (*in[term[f]])[i];
      }
      values[i] = product;
    }
    if (term.empty()) name = "1";
    for (std::size_t f = 0; f < term.size();) {
      std::size_t g = f;
      while (g < term.size() && term[g] == term[f]) ++g;
      if (!name.empty()) name += " ";
      name += columns[term[f]]->name();
      if (g - f > 1) name += "^" + std::to_string(g - f);
      f = g;
    }
    out[t] = data::Column::numeric(std::move(name), std::move(values));
  });
  return out;
}

nlohmann::json PolynomialFeatures::columns_state() const { return nlohmann::json::object(); }
void PolynomialFeatures::load_columns_state(const nlohmann::json&) {}

// ---------------------------------------------------------------------------- binning

namespace {

// 1-D Lloyd iterations as scikit-learn's _kmeans_single_lloyd: stop on unchanged labels or when
// the squared centre shift falls below tol.
std::vector<double> kmeans_1d(std::span<const double> x, std::vector<double> centers, double tol) {
  const std::size_t k = centers.size();
  std::vector<int> labels(x.size(), -1);
  std::vector<int> previous(x.size(), -1);
  std::vector<double> sums(k);
  std::vector<double> counts(k);
  for (int iter = 0; iter < 300; ++iter) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      int best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < k; ++c) {
        const double d = (x[i] - centers[c]) * (x[i] - centers[c]);
        if (d < best_d) {
          best_d = d;
          best = static_cast<int>(c);
        }
      }
      labels[i] = best;
    }
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0.0);
    for (std::size_t i = 0; i < x.size(); ++i) {
      sums[static_cast<std::size_t>(labels[i])] += x[i];
      counts[static_cast<std::size_t>(labels[i])] += 1.0;
    }
    double shift = 0.0;
    for (std::size_t c = 0; c < k; ++c) {
      if (counts[c] == 0.0) continue;  // an empty cluster keeps its centre
      const double updated = sums[c] / counts[c];
      shift += (updated - centers[c]) * (updated - centers[c]);
      centers[c] = updated;
    }
    if (labels == previous || shift <= tol) break;
    previous = labels;
  }
  return centers;
}

std::vector<double> fit_edges(std::vector<double> values, int n_bins, BinStrategy strategy) {
  std::sort(values.begin(), values.end());
  const double lo = values.front();
  const double hi = values.back();
  if (lo == hi) {
    return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  }
  const auto nb = static_cast<std::size_t>(n_bins);
  std::vector<double> edges(nb + 1);
  switch (strategy) {
    case BinStrategy::kUniform: {
      const double step = (hi - lo) / static_cast<double>(nb);
      for (std::size_t b = 0; b <= nb; ++b) edges[b] = lo + static_cast<double>(b) * step;
      edges.back() = hi;
      break;
    }
    case BinStrategy::kQuantile: {
      const double step = 100.0 / static_cast<double>(nb);
      for (std::size_t b = 0; b <= nb; ++b) {
        const double q = b == nb ? 100.0 : static_cast<double>(b) * step;
        edges[b] = preprocessing::detail::percentile_sorted(values, q);
      }
      break;
    }
    case BinStrategy::kKMeans: {
      const double step = (hi - lo) / static_cast<double>(nb);
      std::vector<double> uniform(nb + 1);
      for (std::size_t b = 0; b <= nb; ++b) uniform[b] = lo + static_cast<double>(b) * step;
      uniform.back() = hi;
      std::vector<double> init(nb);
      for (std::size_t b = 0; b < nb; ++b) init[b] = (uniform[b + 1] + uniform[b]) * 0.5;
      double sum = 0.0;
      for (const double v : values) sum += v;
      const double mean = sum / static_cast<double>(values.size());
      double squares = 0.0;
      for (const double v : values) squares += (v - mean) * (v - mean);
      const double tol = 1e-4 * squares / static_cast<double>(values.size());
      auto centers = kmeans_1d(values, std::move(init), tol);
      std::sort(centers.begin(), centers.end());
      edges[0] = lo;
      for (std::size_t b = 1; b < nb; ++b) edges[b] = (centers[b] + centers[b - 1]) * 0.5;
      edges[nb] = hi;
      break;
    }
  }
  if (strategy != BinStrategy::kUniform) {
    // Merge bins narrower than 1e-8, as scikit-learn.
    std::vector<double> kept{edges[0]};
    for (std::size_t b = 1; b < edges.size(); ++b) {
      if (edges[b] - edges[b - 1] > 1e-8) kept.push_back(edges[b]);
    }
    edges = std::move(kept);
  }
  return edges;
}

double bin_of(double x, const std::vector<double>& edges) {
  const double eps = 1e-8 + 1e-5 * std::abs(x);
  const auto index =
      std::upper_bound(edges.begin() + 1, edges.end(), x + eps) - (edges.begin() + 1);
  const auto last = static_cast<std::ptrdiff_t>(edges.size()) - 2;
  return static_cast<double>(std::clamp<std::ptrdiff_t>(index, 0, last));
}

}  // namespace

nlohmann::json Binning::config() const { return config::to_json(config_); }
bool Binning::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void Binning::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  edges_.assign(columns.size(), {});
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    auto values = preprocessing::detail::non_missing(*columns[j]);
    KOLOSAL_CHECK(!values.empty(), DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                  "' has no non-missing values");
    edges_[j] = fit_edges(std::move(values), config_.n_bins, config_.strategy);
  });
}

std::vector<data::Column> Binning::transform_columns(Columns columns) const {
  std::vector<std::vector<data::Column>> blocks(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const NumericValues in(*columns[j]);
    const std::size_t bins = edges_[j].size() - 1;
    if (config_.encode == BinEncode::kOrdinal) {
      std::vector<double> values(in.size());
      for (std::size_t i = 0; i < in.size(); ++i) {
        values[i] = std::isnan(in[i]) ? kNaN : bin_of(in[i], edges_[j]);
      }
      blocks[j].push_back(data::Column::numeric(columns[j]->name(), std::move(values)));
      return;
    }
    std::vector<std::vector<double>> onehot(bins, std::vector<double>(in.size(), 0.0));
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (!std::isnan(in[i])) onehot[static_cast<std::size_t>(bin_of(in[i], edges_[j]))][i] = 1.0;
    }
    for (std::size_t b = 0; b < bins; ++b) {
      blocks[j].push_back(data::Column::numeric(columns[j]->name() + "_bin" + std::to_string(b),
                                                std::move(onehot[b])));
    }
  });
  std::vector<data::Column> out;
  for (auto& block : blocks) {
    for (auto& c : block) out.push_back(std::move(c));
  }
  return out;
}

nlohmann::json Binning::columns_state() const {
  // Infinite edges (a constant column) are written as null.
  nlohmann::json edges = nlohmann::json::array();
  for (const auto& e : edges_) {
    nlohmann::json row = nlohmann::json::array();
    for (const double v : e) row.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
    edges.push_back(std::move(row));
  }
  return {{"edges", std::move(edges)}};
}

void Binning::load_columns_state(const nlohmann::json& state) {
  const auto& edges = state.at("edges");
  KOLOSAL_CHECK(edges.is_array() && edges.size() == input_columns().size(), SerializationError,
                kDisplayName, "::load_state: edges must hold one list per column");
  std::vector<std::vector<double>> out;
  for (const auto& row : edges) {
    KOLOSAL_CHECK(row.is_array() && row.size() >= 2, SerializationError, kDisplayName,
                  "::load_state: a column needs at least two edges");
    std::vector<double> e;
    for (std::size_t b = 0; b < row.size(); ++b) {
      e.push_back(row[b].is_null() ? (b == 0 ? -std::numeric_limits<double>::infinity()
                                             : std::numeric_limits<double>::infinity())
                                   : row[b].get<double>());
    }
    out.push_back(std::move(e));
  }
  edges_ = std::move(out);
}

// ---------------------------------------------------------------------------- datetime

namespace {

constexpr std::array kParts{
    "year",     "month",   "day",       "day_of_week", "day_of_year",     "hour",
    "minute",   "second",  "month_sin", "month_cos",   "day_of_week_sin", "day_of_week_cos",
    "hour_sin", "hour_cos"};

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

// Proleptic Gregorian date of a day count since 1970-01-01 (era-based, 400-year cycles).
Civil civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

double part_of(std::string_view part, std::int64_t micros) {
  constexpr std::int64_t kDay = 86'400'000'000;
  const std::int64_t days = micros >= 0 ? micros / kDay : -((-micros + kDay - 1) / kDay);
  const std::int64_t in_day = micros - days * kDay;
  const Civil c = civil_from_days(days);
  const auto dow = static_cast<double>(((days % 7) + 7 + 3) % 7);
  const auto hour = static_cast<double>(in_day / 3'600'000'000);
  const auto minute = static_cast<double>((in_day / 60'000'000) % 60);
  const double two_pi = 2.0 * std::numbers::pi;
  if (part == "year") return static_cast<double>(c.year);
  if (part == "month") return c.month;
  if (part == "day") return c.day;
  if (part == "day_of_week") return dow;
  if (part == "day_of_year") {
    return static_cast<double>(days - days_from_civil(c.year, 1, 1) + 1);
  }
  if (part == "hour") return hour;
  if (part == "minute") return minute;
  if (part == "second") return static_cast<double>((in_day / 1'000'000) % 60);
  if (part == "month_sin") return std::sin(two_pi * (c.month - 1) / 12.0);
  if (part == "month_cos") return std::cos(two_pi * (c.month - 1) / 12.0);
  if (part == "day_of_week_sin") return std::sin(two_pi * dow / 7.0);
  if (part == "day_of_week_cos") return std::cos(two_pi * dow / 7.0);
  if (part == "hour_sin") return std::sin(two_pi * (hour + minute / 60.0) / 24.0);
  return std::cos(two_pi * (hour + minute / 60.0) / 24.0);  // hour_cos
}

}  // namespace

void DatetimeFeaturesConfig::check() const {
  KOLOSAL_CHECK(!parts.empty(), ConfigError, "DatetimeFeatures: parts must not be empty");
  for (const auto& p : parts) {
    const bool known = std::find(kParts.begin(), kParts.end(), p) != kParts.end();
    if (!known) {
      std::string names;
      for (const auto* k : kParts) names += names.empty() ? k : std::string(", ") + k;
      KOLOSAL_THROW(ConfigError, "DatetimeFeatures: unknown part '", p, "' (known parts: ", names,
                    ")");
    }
  }
}

nlohmann::json DatetimeFeatures::config() const { return config::to_json(config_); }
bool DatetimeFeatures::accepts(data::ColumnType type) const noexcept {
  return type == data::ColumnType::kDatetime;
}
void DatetimeFeatures::fit_columns(Columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
}

std::vector<data::Column> DatetimeFeatures::transform_columns(Columns columns) const {
  std::vector<data::Column> out;
  for (const auto* column : columns) {
    if (config_.keep_original) out.push_back(*column);
    const auto micros = column->datetimes();
    for (const auto& part : config_.parts) {
      std::vector<double> values(micros.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = column->is_missing(i) ? kNaN : part_of(part, micros[i]);
      }
      out.push_back(data::Column::numeric(column->name() + "_" + part, std::move(values)));
    }
  }
  return out;
}

nlohmann::json DatetimeFeatures::columns_state() const { return nlohmann::json::object(); }
void DatetimeFeatures::load_columns_state(const nlohmann::json&) {}

}  // namespace kolosal::feature_engineering
