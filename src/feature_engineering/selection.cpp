// SPDX-License-Identifier: MIT
// Feature selectors; scores follow scikit-learn 1.2's f_classif, f_regression, chi2 and
// mutual_info_classif / mutual_info_regression.
#include "kolosal/feature_engineering/selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/feature_engineering/mutual_info.hpp"
#include "kolosal/training/registry.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::feature_engineering {
namespace {

using Columns = std::span<const data::Column* const>;
using preprocessing::detail::NumericValues;

bool is_numeric(data::ColumnType type) noexcept { return type == data::ColumnType::kNumeric; }

std::vector<data::Column> kept(Columns columns, const std::vector<std::uint8_t>& keep) {
  std::vector<data::Column> out;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    if (keep[j] != 0) out.push_back(*columns[j]);
  }
  return out;
}

std::vector<double> complete_values(const data::Column& column, std::string_view who) {
  const NumericValues in(column);
  for (std::size_t i = 0; i < in.size(); ++i) {
    KOLOSAL_CHECK(!std::isnan(in[i]), DataError, who, "::fit: column '", column.name(),
                  "' is missing at row ", i, " (impute first)");
  }
  return {in.values().begin(), in.values().end()};
}

nlohmann::json support_state(const std::vector<std::uint8_t>& keep,
                             const std::vector<double>& scores) {
  return {{"support", keep}, {"scores", scores}};
}

std::vector<std::uint8_t> read_support(const nlohmann::json& state, std::size_t n,
                                       std::string_view who) {
  auto keep = state.at("support").get<std::vector<std::uint8_t>>();
  KOLOSAL_CHECK(keep.size() == n, SerializationError, who,
                "::load_state: support must hold one entry per column");
  return keep;
}

}  // namespace

// ---------------------------------------------------------------------------- variance

nlohmann::json VarianceThreshold::config() const { return config::to_json(config_); }
bool VarianceThreshold::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void VarianceThreshold::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  scores_.assign(columns.size(), 0.0);
  keep_.assign(columns.size(), 0);
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto values = preprocessing::detail::non_missing(*columns[j]);
    KOLOSAL_CHECK(!values.empty(), DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                  "' has no non-missing values");
    double sum = 0.0;
    for (const double v : values) sum += v;
    const double mean = sum / static_cast<double>(values.size());
    double squares = 0.0;
    for (const double v : values) squares += (v - mean) * (v - mean);
    double variance = squares / static_cast<double>(values.size());
    if (config_.threshold == 0.0) {
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      variance = std::min(variance, *hi - *lo);
    }
    scores_[j] = variance;
    keep_[j] = variance > config_.threshold ? 1 : 0;
  });
}

std::vector<data::Column> VarianceThreshold::transform_columns(Columns columns) const {
  return kept(columns, keep_);
}
nlohmann::json VarianceThreshold::columns_state() const { return support_state(keep_, scores_); }
void VarianceThreshold::load_columns_state(const nlohmann::json& state) {
  keep_ = read_support(state, input_columns().size(), kDisplayName);
  scores_ = preprocessing::detail::read_doubles(state, "scores", keep_.size(), kDisplayName);
}

// ---------------------------------------------------------------------------- correlation

nlohmann::json CorrelationFilter::config() const { return config::to_json(config_); }
bool CorrelationFilter::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void CorrelationFilter::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t m = columns.size();
  std::vector<std::vector<double>> centred(m);
  std::vector<double> norms(m, 0.0);
  parallel::for_each_index(context(), m, [&](std::size_t j) {
    auto values = complete_values(*columns[j], kDisplayName);
    const double mean =
        std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    double squares = 0.0;
    for (auto& v : values) {
      v -= mean;
      squares += v * v;
    }
    norms[j] = std::sqrt(squares);
    centred[j] = std::move(values);
  });
  keep_.assign(m, 1);
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t k = 0; k < j && keep_[j] != 0; ++k) {
      if (keep_[k] == 0 || norms[j] == 0.0 || norms[k] == 0.0) continue;
      double dot = 0.0;
      for (std::size_t i = 0; i < centred[j].size(); ++i) dot += centred[j][i] * centred[k][i];
      if (std::abs(dot / (norms[j] * norms[k])) > config_.threshold) keep_[j] = 0;
    }
  }
}

std::vector<data::Column> CorrelationFilter::transform_columns(Columns columns) const {
  return kept(columns, keep_);
}
nlohmann::json CorrelationFilter::columns_state() const { return {{"support", keep_}}; }
void CorrelationFilter::load_columns_state(const nlohmann::json& state) {
  keep_ = read_support(state, input_columns().size(), kDisplayName);
}

// ---------------------------------------------------------------------------- k best

nlohmann::json SelectKBest::config() const { return config::to_json(config_); }
bool SelectKBest::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void SelectKBest::fit_columns(Columns columns, std::span<const double> y) {
  config::validate(config_, kDisplayName);
  const std::size_t m = columns.size();
  const std::size_t n = y.size();
  const bool classes =
      config_.score_func == ScoreFunction::kFClassif || config_.score_func == ScoreFunction::kChi2;
  std::size_t n_classes = 0;
  if (classes) {
    for (std::size_t i = 0; i < n; ++i) {
      KOLOSAL_CHECK(y[i] >= 0.0 && y[i] == std::floor(y[i]), DataError, kDisplayName, "::fit: y[",
                    i, "] is ", y[i], "; ", config::enum_name(config_.score_func),
                    " needs class indices 0..k-1");
      n_classes = std::max(n_classes, static_cast<std::size_t>(y[i]) + 1);
    }
  }
  scores_.assign(m, 0.0);
  if (config_.score_func == ScoreFunction::kMutualInfoClassif ||
      config_.score_func == ScoreFunction::kMutualInfoRegression) {
    score_mutual_info(columns, y);
  } else {
    score_f_or_chi2(columns, y, n_classes);
  }
  // Keep the k highest scores; NaN scores rank lowest; ties keep the later column.
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double sa =
        std::isnan(scores_[a]) ? -std::numeric_limits<double>::infinity() : scores_[a];
    const double sb =
        std::isnan(scores_[b]) ? -std::numeric_limits<double>::infinity() : scores_[b];
    return sa < sb;
  });
  keep_.assign(m, 0);
  const std::size_t k = std::min(m, static_cast<std::size_t>(config_.k));
  for (std::size_t r = m - k; r < m; ++r) keep_[order[r]] = 1;
}

void SelectKBest::score_f_or_chi2(Columns columns, std::span<const double> y,
                                  std::size_t n_classes) {
  const std::size_t n = y.size();
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto x = complete_values(*columns[j], kDisplayName);
    switch (config_.score_func) {
      case ScoreFunction::kFClassif: {
        // One-way ANOVA: between-class over within-class mean squares.
        std::vector<double> sums(n_classes, 0.0);
        std::vector<double> counts(n_classes, 0.0);
        double total = 0.0;
        double total_sq = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          const auto c = static_cast<std::size_t>(y[i]);
          sums[c] += x[i];
          counts[c] += 1.0;
          total += x[i];
          total_sq += x[i] * x[i];
        }
        const auto nn = static_cast<double>(n);
        const double ss_total = total_sq - total * total / nn;
        double ss_between = 0.0;
        std::size_t present = 0;
        for (std::size_t c = 0; c < n_classes; ++c) {
          if (counts[c] == 0.0) continue;
          ss_between += sums[c] * sums[c] / counts[c];
          ++present;
        }
        ss_between -= total * total / nn;
        const double ss_within = ss_total - ss_between;
        const auto df_between = static_cast<double>(present - 1);
        const double df_within = nn - static_cast<double>(present);
        scores_[j] = (ss_between / df_between) / (ss_within / df_within);
        break;
      }
      case ScoreFunction::kFRegression: {
        const auto nn = static_cast<double>(n);
        const double mx = std::accumulate(x.begin(), x.end(), 0.0) / nn;
        const double my = std::accumulate(y.begin(), y.end(), 0.0) / nn;
        double sxy = 0.0;
        double sxx = 0.0;
        double syy = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          sxy += (x[i] - mx) * (y[i] - my);
          sxx += (x[i] - mx) * (x[i] - mx);
          syy += (y[i] - my) * (y[i] - my);
        }
        const double r = sxy / (std::sqrt(sxx) * std::sqrt(syy));
        scores_[j] = r * r / (1.0 - r * r) * (nn - 2.0);
        break;
      }
      case ScoreFunction::kChi2: {
        std::vector<double> observed(n_classes, 0.0);
        std::vector<double> class_count(n_classes, 0.0);
        double feature_total = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          KOLOSAL_CHECK(x[i] >= 0.0, DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                        "' has ", x[i], " at row ", i, "; chi2 needs non-negative values");
          const auto c = static_cast<std::size_t>(y[i]);
          observed[c] += x[i];
          class_count[c] += 1.0;
          feature_total += x[i];
        }
        double chi2 = 0.0;
        for (std::size_t c = 0; c < n_classes; ++c) {
          const double expected = class_count[c] / static_cast<double>(n) * feature_total;
          if (expected > 0.0) {
            chi2 += (observed[c] - expected) * (observed[c] - expected) / expected;
          }
        }
        scores_[j] = chi2;
        break;
      }
      case ScoreFunction::kMutualInfoClassif:
      case ScoreFunction::kMutualInfoRegression:
        break;  // score_mutual_info
    }
  });
}

void SelectKBest::score_mutual_info(Columns columns, std::span<const double> y) {
  std::vector<std::vector<double>> values(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    values[j] = complete_values(*columns[j], kDisplayName);
  });
  MutualInfoOptions options{.n_neighbors = config_.n_neighbors, .add_noise = config_.add_noise};
  options.discrete_features.assign(columns.size(), 0);
  for (const auto& name : config_.discrete_features) {
    const auto at = std::find_if(columns.begin(), columns.end(),
                                 [&](const data::Column* c) { return c->name() == name; });
    KOLOSAL_CHECK(at != columns.end(), DataError, kDisplayName, "::fit: discrete feature '", name,
                  "' is not among the numeric columns considered");
    options.discrete_features[static_cast<std::size_t>(at - columns.begin())] = 1;
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    KOLOSAL_CHECK(std::isfinite(y[i]), DataError, kDisplayName, "::fit: y[", i, "] is ", y[i]);
  }
  std::vector<std::span<const double>> spans(values.begin(), values.end());
  scores_ = mutual_info(spans, y, config_.score_func == ScoreFunction::kMutualInfoClassif, options,
                        context());
}

std::vector<data::Column> SelectKBest::transform_columns(Columns columns) const {
  return kept(columns, keep_);
}

nlohmann::json SelectKBest::columns_state() const {
  nlohmann::json scores = nlohmann::json::array();
  for (const double s : scores_)
    scores.push_back(std::isfinite(s) ? nlohmann::json(s) : nlohmann::json());
  return {{"support", keep_}, {"scores", std::move(scores)}};
}

void SelectKBest::load_columns_state(const nlohmann::json& state) {
  keep_ = read_support(state, input_columns().size(), kDisplayName);
  const auto& scores = state.at("scores");
  KOLOSAL_CHECK(scores.is_array() && scores.size() == keep_.size(), SerializationError,
                kDisplayName, "::load_state: scores must hold one entry per column");
  scores_.clear();
  for (const auto& s : scores) {
    scores_.push_back(s.is_null() ? std::numeric_limits<double>::quiet_NaN() : s.get<double>());
  }
}

// ---------------------------------------------------------------------------- from model

SelectFromModel::SelectFromModel(std::unique_ptr<Model> model, std::vector<std::string> columns,
                                 int top_k, std::optional<double> threshold)
    : model_(std::move(model)), columns_(std::move(columns)), top_k_(top_k), threshold_(threshold) {
  KOLOSAL_CHECK(model_ != nullptr, InvalidArgument, "SelectFromModel: null model");
  KOLOSAL_CHECK(top_k_ >= 0, ConfigError, "SelectFromModel: top_k must be >= 0, got ", top_k_);
  KOLOSAL_CHECK(!threshold_ || !std::isnan(*threshold_), ConfigError,
                "SelectFromModel: threshold must be a number");
}

SelectFromModel::SelectFromModel(const SelectFromModel& other)
    : ColumnSelectingTransformer(other),
      model_(other.model_->clone()),
      columns_(other.columns_),
      top_k_(other.top_k_),
      threshold_(other.threshold_),
      scores_(other.scores_),
      keep_(other.keep_) {}

SelectFromModel& SelectFromModel::operator=(const SelectFromModel& other) {
  if (this != &other) *this = SelectFromModel(other);
  return *this;
}

SelectFromModel SelectFromModel::from_config(const nlohmann::json& config) {
  const nlohmann::json c = config.is_null() ? nlohmann::json::object() : config;
  KOLOSAL_CHECK(c.is_object(), ConfigError, "SelectFromModel: config must be an object");
  for (const auto& [key, value] : c.items()) {
    KOLOSAL_CHECK(key == "columns" || key == "top_k" || key == "threshold" || key == "model",
                  ConfigError, "SelectFromModel: unknown key '", key,
                  "' (known keys: columns, top_k, threshold, model)");
  }
  KOLOSAL_CHECK(c.contains("model") && c["model"].is_object() && c["model"].contains("name") &&
                    c["model"]["name"].is_string(),
                ConfigError, "SelectFromModel: model {name, config} is required");
  const auto& m = c["model"];
  auto model = training::make_model(m["name"].get<std::string>(),
                                    m.contains("config") ? m["config"] : nlohmann::json());
  std::vector<std::string> columns;
  if (c.contains("columns")) {
    KOLOSAL_CHECK(c["columns"].is_array(), ConfigError, "SelectFromModel.columns expects an array");
    for (const auto& name : c["columns"]) {
      KOLOSAL_CHECK(name.is_string(), ConfigError, "SelectFromModel.columns expects strings");
      columns.push_back(name.get<std::string>());
    }
  }
  int top_k = 0;
  if (c.contains("top_k")) {
    KOLOSAL_CHECK(c["top_k"].is_number_integer(), ConfigError,
                  "SelectFromModel.top_k expects an integer");
    top_k = c["top_k"].get<int>();
  }
  std::optional<double> threshold;
  if (c.contains("threshold") && !c["threshold"].is_null()) {
    KOLOSAL_CHECK(c["threshold"].is_number(), ConfigError,
                  "SelectFromModel.threshold expects a number or null");
    threshold = c["threshold"].get<double>();
  }
  return SelectFromModel(std::move(model), std::move(columns), top_k, threshold);
}

nlohmann::json SelectFromModel::config() const {
  return {{"columns", columns_},
          {"top_k", top_k_},
          {"threshold", threshold_ ? nlohmann::json(*threshold_) : nlohmann::json()},
          {"model", {{"name", model_->name()}, {"config", model_->config()}}}};
}

bool SelectFromModel::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void SelectFromModel::fit_columns(Columns columns, std::span<const double> y) {
  const std::size_t m = columns.size();
  const std::size_t n = columns[0]->size();
  Matrix<double> x(n, m);
  for (std::size_t j = 0; j < m; ++j) {
    const NumericValues in(*columns[j]);
    for (std::size_t i = 0; i < n; ++i) x(i, j) = in[i];
  }
  auto model = model_->clone();
  model->set_context(context());
  model->fit(x.view(), y);
  auto importances = model->feature_importances();
  KOLOSAL_CHECK(importances.has_value(), UnsupportedError, "SelectFromModel: model '",
                model_->name(), "' has no feature importances");
  KOLOSAL_CHECK(importances->size() == m, InvalidArgument, "SelectFromModel: model '",
                model_->name(), "' gave ", importances->size(), " importances for ", m, " columns");
  scores_ = std::move(*importances);
  double threshold = 0.0;
  if (threshold_) {
    threshold = *threshold_;
  } else {
    for (const double s : scores_) threshold += s;
    threshold /= static_cast<double>(m);
  }
  keep_.assign(m, 0);
  for (std::size_t j = 0; j < m; ++j) keep_[j] = scores_[j] >= threshold ? 1 : 0;
  if (top_k_ > 0) {
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return scores_[a] > scores_[b]; });
    for (std::size_t r = static_cast<std::size_t>(top_k_); r < m; ++r) keep_[order[r]] = 0;
  }
}

std::vector<data::Column> SelectFromModel::transform_columns(Columns columns) const {
  return kept(columns, keep_);
}
nlohmann::json SelectFromModel::columns_state() const { return support_state(keep_, scores_); }
void SelectFromModel::load_columns_state(const nlohmann::json& state) {
  keep_ = read_support(state, input_columns().size(), "SelectFromModel");
  scores_ = preprocessing::detail::read_doubles(state, "scores", keep_.size(), "SelectFromModel");
}

}  // namespace kolosal::feature_engineering
