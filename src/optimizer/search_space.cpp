// SPDX-License-Identifier: MIT
// SearchSpace: declaration checks, unit-cube transforms and the JSON description.
#include "kolosal/optimizer/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal::optimizer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string_view kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::kFloat:
      return "float";
    case ParamKind::kInt:
      return "int";
    case ParamKind::kCategorical:
      return "categorical";
  }
  return "?";
}

double clamp01(double u) { return std::clamp(u, 0.0, 1.0); }

}  // namespace

SearchSpace& SearchSpace::add_float(std::string name, double low, double high, bool log,
                                    Condition condition) {
  add(Param{.name = std::move(name),
            .kind = ParamKind::kFloat,
            .low = low,
            .high = high,
            .log = log,
            .step = 0.0,
            .choices = {},
            .condition = std::move(condition)});
  return *this;
}

SearchSpace& SearchSpace::add_int(std::string name, std::int64_t low, std::int64_t high, bool log,
                                  std::int64_t step, Condition condition) {
  KOLOSAL_CHECK(step >= 1, InvalidArgument, "SearchSpace::add_int: '", name,
                "' needs step >= 1, got ", step);
  KOLOSAL_CHECK(!log || step == 1, InvalidArgument, "SearchSpace::add_int: '", name,
                "' cannot combine log with step ", step);
  KOLOSAL_CHECK(low <= high, InvalidArgument, "SearchSpace::add_int: '", name, "' has low ", low,
                " > high ", high);
  KOLOSAL_CHECK(!log || low >= 1, InvalidArgument, "SearchSpace::add_int: '", name,
                "' is log-scaled and needs low >= 1, got ", low);
  const std::int64_t snapped = low + (high - low) / step * step;
  add(Param{.name = std::move(name),
            .kind = ParamKind::kInt,
            .low = static_cast<double>(low),
            .high = static_cast<double>(snapped),
            .log = log,
            .step = static_cast<double>(step),
            .choices = {},
            .condition = std::move(condition)});
  return *this;
}

SearchSpace& SearchSpace::add_categorical(std::string name, std::vector<std::string> choices,
                                          Condition condition) {
  add(Param{.name = std::move(name),
            .kind = ParamKind::kCategorical,
            .low = 0.0,
            .high = static_cast<double>(choices.empty() ? 0 : choices.size() - 1),
            .log = false,
            .step = 1.0,
            .choices = std::move(choices),
            .condition = std::move(condition)});
  return *this;
}

void SearchSpace::add(Param p) {
  const std::string who = "SearchSpace: parameter '" + p.name + "'";
  KOLOSAL_CHECK(!p.name.empty(), InvalidArgument, "SearchSpace: a parameter needs a name");
  KOLOSAL_CHECK(!find(p.name), InvalidArgument, who, " is declared twice");
  if (p.kind == ParamKind::kCategorical) {
    KOLOSAL_CHECK(!p.choices.empty(), InvalidArgument, who, " has no choices");
    for (std::size_t a = 0; a < p.choices.size(); ++a) {
      for (std::size_t b = a + 1; b < p.choices.size(); ++b) {
        KOLOSAL_CHECK(p.choices[a] != p.choices[b], InvalidArgument, who, " repeats choice '",
                      p.choices[a], "'");
      }
    }
  } else {
    KOLOSAL_CHECK(std::isfinite(p.low) && std::isfinite(p.high) && p.low <= p.high, InvalidArgument,
                  who, " needs finite low <= high, got [", p.low, ", ", p.high, "]");
    KOLOSAL_CHECK(!p.log || p.low > 0.0, InvalidArgument, who, " is log-scaled and needs low > 0,",
                  " got ", p.low);
  }
  std::optional<std::size_t> parent;
  std::vector<std::size_t> enabling;
  if (!p.condition.parent.empty()) {
    parent = find(p.condition.parent);
    KOLOSAL_CHECK(parent.has_value(), InvalidArgument, who, " depends on '", p.condition.parent,
                  "', which is not declared before it");
    const Param& pp = params_[*parent];
    KOLOSAL_CHECK(pp.kind == ParamKind::kCategorical, InvalidArgument, who, " depends on '",
                  pp.name, "', which is not categorical");
    KOLOSAL_CHECK(!p.condition.values.empty(), InvalidArgument, who,
                  " has a condition without values");
    for (const auto& v : p.condition.values) {
      const auto it = std::find(pp.choices.begin(), pp.choices.end(), v);
      KOLOSAL_CHECK(it != pp.choices.end(), InvalidArgument, who, " depends on '", pp.name,
                    "' being '", v, "', which is not one of its choices");
      enabling.push_back(static_cast<std::size_t>(it - pp.choices.begin()));
    }
  }
  params_.push_back(std::move(p));
  parent_.push_back(parent);
  parent_choices_.push_back(std::move(enabling));
}

std::optional<std::size_t> SearchSpace::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].name == name) return i;
  }
  return std::nullopt;
}

std::size_t SearchSpace::index_of(std::string_view name) const {
  const auto i = find(name);
  KOLOSAL_CHECK(i.has_value(), InvalidArgument, "SearchSpace: unknown parameter '", name, "'");
  return *i;
}

bool SearchSpace::unconditional() const noexcept {
  return std::none_of(parent_.begin(), parent_.end(), [](const auto& p) { return p.has_value(); });
}

bool SearchSpace::is_active(std::span<const double> values, std::size_t i) const {
  const auto parent = parent_[i];
  if (!parent) return true;
  const double v = values[*parent];
  if (std::isnan(v)) return false;
  const auto choice = static_cast<std::size_t>(v);
  const auto& enabling = parent_choices_[i];
  return std::find(enabling.begin(), enabling.end(), choice) != enabling.end();
}

void SearchSpace::deactivate(std::span<double> values) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!is_active(values, i)) values[i] = kNaN;
  }
}

double SearchSpace::to_unit(std::size_t i, double value) const {
  const Param& p = params_[i];
  switch (p.kind) {
    case ParamKind::kCategorical:
      return (value + 0.5) / static_cast<double>(p.choices.size());
    case ParamKind::kInt: {
      // Each grid point owns an equal cell of the unit interval (of log space when log).
      const double lo = p.log ? std::log(p.low - 0.5) : p.low - 0.5 * p.step;
      const double hi = p.log ? std::log(p.high + 0.5) : p.high + 0.5 * p.step;
      const double v = p.log ? std::log(value) : value;
      return clamp01((v - lo) / (hi - lo));
    }
    case ParamKind::kFloat:
      if (p.high == p.low) return 0.5;
      if (p.log) return clamp01(std::log(value / p.low) / std::log(p.high / p.low));
      return clamp01((value - p.low) / (p.high - p.low));
  }
  return 0.0;
}

double SearchSpace::from_unit(std::size_t i, double u) const {
  const Param& p = params_[i];
  u = clamp01(u);
  switch (p.kind) {
    case ParamKind::kCategorical: {
      const auto k = static_cast<double>(p.choices.size());
      return std::min(std::floor(u * k), k - 1.0);
    }
    case ParamKind::kInt: {
      const double lo = p.log ? std::log(p.low - 0.5) : p.low - 0.5 * p.step;
      const double hi = p.log ? std::log(p.high + 0.5) : p.high + 0.5 * p.step;
      const double v = lo + u * (hi - lo);
      return snap(i, p.log ? std::exp(v) : v);
    }
    case ParamKind::kFloat:
      if (p.log) return snap(i, p.low * std::exp(u * std::log(p.high / p.low)));
      return snap(i, p.low + u * (p.high - p.low));
  }
  return 0.0;
}

double SearchSpace::snap(std::size_t i, double value) const {
  const Param& p = params_[i];
  if (p.kind == ParamKind::kFloat) return std::clamp(value, p.low, p.high);
  if (p.kind == ParamKind::kCategorical) {
    return std::clamp(std::round(value), 0.0, static_cast<double>(p.choices.size() - 1));
  }
  const double k = std::round((value - p.low) / p.step);
  return std::clamp(p.low + k * p.step, p.low, p.high);
}

std::size_t SearchSpace::cardinality(std::size_t i) const {
  const Param& p = params_[i];
  if (p.kind == ParamKind::kCategorical) return p.choices.size();
  if (p.kind == ParamKind::kInt) return static_cast<std::size_t>((p.high - p.low) / p.step) + 1;
  return 0;
}

void SearchSpace::check_values(std::span<const double> values, std::string_view who) const {
  KOLOSAL_CHECK(values.size() == params_.size(), InvalidArgument, who, ": expected ",
                params_.size(), " parameter values, got ", values.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    const bool active = is_active(values, i);
    KOLOSAL_CHECK(active != std::isnan(values[i]), InvalidArgument, who, ": parameter '", p.name,
                  active ? "' is active but has no value" : "' is inactive but has a value");
    if (!active) continue;
    KOLOSAL_CHECK(values[i] >= p.low && values[i] <= p.high && snap(i, values[i]) == values[i],
                  InvalidArgument, who, ": parameter '", p.name, "' value ", values[i],
                  " is outside its domain");
  }
}

nlohmann::json SearchSpace::value_to_json(std::size_t i, double value) const {
  if (std::isnan(value)) return nullptr;
  const Param& p = params_[i];
  switch (p.kind) {
    case ParamKind::kCategorical:
      return p.choices[static_cast<std::size_t>(value)];
    case ParamKind::kInt:
      return static_cast<std::int64_t>(value);
    case ParamKind::kFloat:
      return value;
  }
  return nullptr;
}

double SearchSpace::value_from_json(std::size_t i, const nlohmann::json& value) const {
  if (value.is_null()) return kNaN;
  const Param& p = params_[i];
  if (p.kind == ParamKind::kCategorical) {
    KOLOSAL_CHECK(value.is_string(), InvalidArgument, "SearchSpace: parameter '", p.name,
                  "' expects a choice name, got ", value.dump());
    const auto name = value.get<std::string>();
    const auto it = std::find(p.choices.begin(), p.choices.end(), name);
    KOLOSAL_CHECK(it != p.choices.end(), InvalidArgument, "SearchSpace: parameter '", p.name,
                  "' has no choice '", name, "'");
    return static_cast<double>(it - p.choices.begin());
  }
  KOLOSAL_CHECK(value.is_number(), InvalidArgument, "SearchSpace: parameter '", p.name,
                "' expects a number, got ", value.dump());
  return value.get<double>();
}

nlohmann::json SearchSpace::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const Param& p : params_) {
    nlohmann::json j{{"name", p.name}, {"type", kind_name(p.kind)}};
    if (p.kind == ParamKind::kCategorical) {
      j["choices"] = p.choices;
    } else {
      j["low"] = p.low;
      j["high"] = p.high;
      j["log"] = p.log;
      if (p.kind == ParamKind::kInt) j["step"] = p.step;
    }
    if (!p.condition.parent.empty()) {
      j["condition"] = {{"parent", p.condition.parent}, {"values", p.condition.values}};
    }
    list.push_back(std::move(j));
  }
  return {{"params", std::move(list)}};
}

SearchSpace SearchSpace::from_json(const nlohmann::json& json) {
  KOLOSAL_CHECK(json.is_object() && json.contains("params") && json["params"].is_array(),
                ConfigError, "SearchSpace::from_json: expected an object with a 'params' array");
  SearchSpace space;
  std::size_t index = 0;
  for (const auto& j : json["params"]) {
    try {
      KOLOSAL_CHECK(j.is_object(), ConfigError, "expected an object");
      for (const auto& [key, unused] : j.items()) {
        static constexpr std::string_view kKeys[] = {"name", "type", "low",     "high",
                                                     "log",  "step", "choices", "condition"};
        KOLOSAL_CHECK(std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys),
                      ConfigError, "unknown key '", key, "'");
      }
      const auto name = j.at("name").get<std::string>();
      const auto type = j.at("type").get<std::string>();
      Condition condition;
      if (j.contains("condition")) {
        condition.parent = j["condition"].at("parent").get<std::string>();
        condition.values = j["condition"].at("values").get<std::vector<std::string>>();
      }
      const bool log = j.value("log", false);
      if (type == "float") {
        space.add_float(name, j.at("low").get<double>(), j.at("high").get<double>(), log,
                        std::move(condition));
      } else if (type == "int") {
        const auto step = static_cast<std::int64_t>(j.value("step", 1.0));
        space.add_int(name, static_cast<std::int64_t>(j.at("low").get<double>()),
                      static_cast<std::int64_t>(j.at("high").get<double>()), log, step,
                      std::move(condition));
      } else if (type == "categorical") {
        space.add_categorical(name, j.at("choices").get<std::vector<std::string>>(),
                              std::move(condition));
      } else {
        KOLOSAL_THROW(ConfigError, "unknown type '", type,
                      "' (expected float, int or categorical)");
      }
    } catch (const nlohmann::json::exception& e) {
      KOLOSAL_THROW(ConfigError, "SearchSpace::from_json: params[", index, "]: ", e.what());
    } catch (const Error& e) {
      KOLOSAL_THROW(ConfigError, "SearchSpace::from_json: params[", index, "]: ", e.what());
    }
    ++index;
  }
  return space;
}

bool operator==(const SearchSpace& a, const SearchSpace& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Param& x = a.params_[i];
    const Param& y = b.params_[i];
    if (x.name != y.name || x.kind != y.kind || x.low != y.low || x.high != y.high ||
        x.log != y.log || x.choices != y.choices || x.condition.parent != y.condition.parent ||
        x.condition.values != y.condition.values ||
        (x.kind == ParamKind::kInt && x.step != y.step)) {
      return false;
    }
  }
  return true;
}

}  // namespace kolosal::optimizer
