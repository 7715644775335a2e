// SPDX-License-Identifier: MIT
// Median / percentile, successive halving (ASHA) and Hyperband pruners.
#include "kolosal/optimizer/pruners.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kolosal::optimizer {
namespace {

bool finished(const Trial& t) {
  return t.state == TrialState::kComplete || t.state == TrialState::kPruned;
}

double loss(double value, Direction direction) {
  return direction == Direction::kMinimize ? value : -value;
}

// numpy.percentile with linear interpolation, q in [0, 100].
double percentile_of(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

bool everyone(const Trial&, const void*) { return true; }

// config[key] as T when present, else `fallback`; rejects keys outside `known`.
template <class T>
T setting(const nlohmann::json& config, const char* key, T fallback) {
  if (config.is_null() || !config.contains(key)) return fallback;
  try {
    return config.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    KOLOSAL_THROW(InvalidArgument, "make_pruner: '", key, "' must be a number, got ",
                  config.at(key).dump());
  }
}

void check_keys(std::string_view name, const nlohmann::json& config,
                std::initializer_list<std::string_view> known) {
  if (config.is_null()) return;
  KOLOSAL_CHECK(config.is_object(), InvalidArgument, "make_pruner: the config of '", name,
                "' must be an object, got ", config.dump());
  for (const auto& [key, value] : config.items()) {
    KOLOSAL_CHECK(std::find(known.begin(), known.end(), key) != known.end(), InvalidArgument,
                  "make_pruner: unknown key '", key, "' for pruner '", name, "'");
  }
}

}  // namespace

PercentilePruner::PercentilePruner(double percentile, std::size_t n_startup_trials,
                                   std::int64_t n_warmup_steps, std::size_t n_min_trials)
    : percentile_(percentile),
      n_startup_trials_(n_startup_trials),
      n_warmup_steps_(n_warmup_steps),
      n_min_trials_(std::max<std::size_t>(n_min_trials, 1)) {
  KOLOSAL_CHECK(percentile >= 0.0 && percentile <= 100.0, InvalidArgument,
                "PercentilePruner: percentile must be in [0, 100], got ", percentile);
  KOLOSAL_CHECK(n_warmup_steps >= 0, InvalidArgument,
                "PercentilePruner: n_warmup_steps must be >= 0, got ", n_warmup_steps);
}

nlohmann::json PercentilePruner::config() const {
  return {{"percentile", percentile_},
          {"n_startup_trials", n_startup_trials_},
          {"n_warmup_steps", n_warmup_steps_},
          {"n_min_trials", n_min_trials_}};
}

bool PercentilePruner::prune(std::span<const Trial> trials, const Trial& trial,
                             Direction direction) const {
  if (trial.intermediate.empty()) return false;
  const std::int64_t step = trial.intermediate.back().first;
  if (step < n_warmup_steps_) return false;
  std::size_t n_finished = 0;
  for (const Trial& t : trials) n_finished += finished(t);
  if (n_finished < n_startup_trials_) return false;
  double best = loss(trial.intermediate.front().second, direction);
  for (const auto& [s, v] : trial.intermediate) best = std::min(best, loss(v, direction));
  std::vector<double> others;
  for (const Trial& t : trials) {
    if (!finished(t) || t.number == trial.number) continue;
    for (const auto& [s, v] : t.intermediate) {
      if (s == step) others.push_back(loss(v, direction));
    }
  }
  if (others.size() < n_min_trials_) return false;
  return best > percentile_of(std::move(others), percentile_);
}

SuccessiveHalvingPruner::SuccessiveHalvingPruner(std::int64_t min_resource,
                                                 std::int64_t reduction_factor,
                                                 std::int64_t min_early_stopping_rate)
    : min_resource_(min_resource),
      reduction_factor_(reduction_factor),
      min_early_stopping_rate_(min_early_stopping_rate) {
  KOLOSAL_CHECK(min_resource >= 1, InvalidArgument,
                "SuccessiveHalvingPruner: min_resource must be >= 1, got ", min_resource);
  KOLOSAL_CHECK(reduction_factor >= 2, InvalidArgument,
                "SuccessiveHalvingPruner: reduction_factor must be >= 2, got ", reduction_factor);
  KOLOSAL_CHECK(min_early_stopping_rate >= 0, InvalidArgument,
                "SuccessiveHalvingPruner: min_early_stopping_rate must be >= 0, got ",
                min_early_stopping_rate);
}

nlohmann::json SuccessiveHalvingPruner::config() const {
  return {{"min_resource", min_resource_},
          {"reduction_factor", reduction_factor_},
          {"min_early_stopping_rate", min_early_stopping_rate_}};
}

bool SuccessiveHalvingPruner::prune(std::span<const Trial> trials, const Trial& trial,
                                    Direction direction) const {
  return prune_among(trials, trial, direction, &everyone, nullptr);
}

bool SuccessiveHalvingPruner::prune_among(std::span<const Trial> trials, const Trial& trial,
                                          Direction direction,
                                          bool (*member)(const Trial&, const void*),
                                          const void* data) const {
  if (trial.intermediate.empty()) return false;
  const std::int64_t step = trial.intermediate.back().first;
  // The highest rung this report reaches: rung k at min_resource * eta^(rate + k).
  std::int64_t rung_step = min_resource_;
  for (std::int64_t k = 0; k < min_early_stopping_rate_; ++k) rung_step *= reduction_factor_;
  if (step < rung_step) return false;
  while (rung_step * reduction_factor_ <= step) rung_step *= reduction_factor_;
  // Judge only at the first report on or after the rung (a trial is judged once per rung).
  if (trial.intermediate.size() >= 2 &&
      trial.intermediate[trial.intermediate.size() - 2].first >= rung_step) {
    return false;
  }
  const double mine = loss(*trial.intermediate_at(step), direction);
  std::vector<double> competing{mine};
  for (const Trial& t : trials) {
    if (!finished(t) || t.number == trial.number || !member(t, data)) continue;
    const auto last = t.last_step();
    if (!last || *last < rung_step) continue;
    competing.push_back(loss(*t.intermediate_at(rung_step), direction));
  }
  const std::size_t keep =
      std::max<std::size_t>(1, competing.size() / static_cast<std::size_t>(reduction_factor_));
  std::nth_element(competing.begin(), competing.begin() + static_cast<std::ptrdiff_t>(keep) - 1,
                   competing.end());
  return mine > competing[keep - 1];
}

HyperbandPruner::HyperbandPruner(std::int64_t min_resource, std::int64_t max_resource,
                                 std::int64_t reduction_factor)
    : min_resource_(min_resource),
      max_resource_(max_resource),
      reduction_factor_(reduction_factor),
      n_brackets_(1) {
  KOLOSAL_CHECK(min_resource >= 1 && max_resource >= min_resource, InvalidArgument,
                "HyperbandPruner: need 1 <= min_resource <= max_resource, got ", min_resource,
                " and ", max_resource);
  KOLOSAL_CHECK(reduction_factor >= 2, InvalidArgument,
                "HyperbandPruner: reduction_factor must be >= 2, got ", reduction_factor);
  for (std::int64_t r = min_resource * reduction_factor; r <= max_resource; r *= reduction_factor) {
    ++n_brackets_;
  }
}

nlohmann::json HyperbandPruner::config() const {
  return {{"min_resource", min_resource_},
          {"max_resource", max_resource_},
          {"reduction_factor", reduction_factor_}};
}

bool HyperbandPruner::prune(std::span<const Trial> trials, const Trial& trial,
                            Direction direction) const {
  const std::size_t bracket = trial.number % n_brackets_;
  const SuccessiveHalvingPruner sh(min_resource_, reduction_factor_,
                                   static_cast<std::int64_t>(bracket));
  struct Filter {
    std::size_t bracket;
    std::size_t n;
  } filter{bracket, n_brackets_};
  return sh.prune_among(
      trials, trial, direction,
      [](const Trial& t, const void* data) {
        const auto* f = static_cast<const Filter*>(data);
        return t.number % f->n == f->bracket;
      },
      &filter);
}

std::unique_ptr<Pruner> make_pruner(std::string_view name, const nlohmann::json& config) {
  if (name == "median" || name == "percentile") {
    const bool median = name == "median";
    check_keys(name, config, {"percentile", "n_startup_trials", "n_warmup_steps", "n_min_trials"});
    KOLOSAL_CHECK(!median || setting(config, "percentile", 50.0) == 50.0, InvalidArgument,
                  "make_pruner: the median pruner's percentile is 50");
    const auto startup = setting<std::size_t>(config, "n_startup_trials", 5);
    const auto warmup = setting<std::int64_t>(config, "n_warmup_steps", 0);
    if (median && setting<std::size_t>(config, "n_min_trials", 1) == 1) {
      return std::make_unique<MedianPruner>(startup, warmup);
    }
    return std::make_unique<PercentilePruner>(setting(config, "percentile", 50.0), startup, warmup,
                                              setting<std::size_t>(config, "n_min_trials", 1));
  }
  if (name == "successive_halving") {
    check_keys(name, config, {"min_resource", "reduction_factor", "min_early_stopping_rate"});
    return std::make_unique<SuccessiveHalvingPruner>(
        setting<std::int64_t>(config, "min_resource", 1),
        setting<std::int64_t>(config, "reduction_factor", 3),
        setting<std::int64_t>(config, "min_early_stopping_rate", 0));
  }
  if (name == "hyperband") {
    check_keys(name, config, {"min_resource", "max_resource", "reduction_factor"});
    return std::make_unique<HyperbandPruner>(setting<std::int64_t>(config, "min_resource", 1),
                                             setting<std::int64_t>(config, "max_resource", 81),
                                             setting<std::int64_t>(config, "reduction_factor", 3));
  }
  KOLOSAL_THROW(InvalidArgument, "make_pruner: unknown pruner '", name,
                "' (known: median, percentile, successive_halving, hyperband)");
}

}  // namespace kolosal::optimizer
