// SPDX-License-Identifier: MIT
// Study: trial bookkeeping, the constant liar for batches, pruning, budgets and JSON save/resume.
#include "kolosal/optimizer/study.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/optimizer/pruners.hpp"
#include "kolosal/optimizer/samplers.hpp"

namespace kolosal::optimizer {
namespace {

constexpr int kFormatVersion = 1;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

TrialState parse_state(const std::string& s) {
  for (auto state :
       {TrialState::kRunning, TrialState::kComplete, TrialState::kPruned, TrialState::kFailed}) {
    if (to_string(state) == s) return state;
  }
  KOLOSAL_THROW(SerializationError, "Study::from_json: unknown trial state '", s, "'");
}

}  // namespace

std::string_view to_string(TrialState state) noexcept {
  switch (state) {
    case TrialState::kRunning:
      return "running";
    case TrialState::kComplete:
      return "complete";
    case TrialState::kPruned:
      return "pruned";
    case TrialState::kFailed:
      return "failed";
  }
  return "?";
}

std::optional<double> Trial::intermediate_at(std::int64_t step) const noexcept {
  std::optional<double> out;
  for (const auto& [s, v] : intermediate) {
    if (s <= step) out = v;
  }
  return out;
}

std::optional<std::int64_t> Trial::last_step() const noexcept {
  if (intermediate.empty()) return std::nullopt;
  return intermediate.back().first;
}

nlohmann::json Sampler::config() const { return nlohmann::json::object(); }

nlohmann::json Pruner::config() const { return nlohmann::json::object(); }

// ---------------------------------------------------------------------------- TrialContext

double TrialContext::number(std::string_view name) const {
  const std::lock_guard lock(*study_->mutex_);
  const auto& space = study_->space_;
  const std::size_t i = space.index_of(name);
  KOLOSAL_CHECK(space.param(i).kind != ParamKind::kCategorical, InvalidArgument,
                "TrialContext::number: '", name, "' is categorical; use category()");
  const double v = study_->trials_[number_].values[i];
  KOLOSAL_CHECK(!std::isnan(v), InvalidArgument, "TrialContext::number: '", name,
                "' is inactive in trial ", number_);
  return v;
}

std::int64_t TrialContext::integer(std::string_view name) const {
  return static_cast<std::int64_t>(std::llround(number(name)));
}

const std::string& TrialContext::category(std::string_view name) const {
  const std::lock_guard lock(*study_->mutex_);
  const auto& space = study_->space_;
  const std::size_t i = space.index_of(name);
  KOLOSAL_CHECK(space.param(i).kind == ParamKind::kCategorical, InvalidArgument,
                "TrialContext::category: '", name, "' is not categorical");
  const double v = study_->trials_[number_].values[i];
  KOLOSAL_CHECK(!std::isnan(v), InvalidArgument, "TrialContext::category: '", name,
                "' is inactive in trial ", number_);
  return space.param(i).choices[static_cast<std::size_t>(v)];
}

bool TrialContext::active(std::string_view name) const {
  const std::lock_guard lock(*study_->mutex_);
  return !std::isnan(study_->trials_[number_].values[study_->space_.index_of(name)]);
}

void TrialContext::report(std::int64_t step, double value) { study_->report(number_, step, value); }

bool TrialContext::should_prune() const { return study_->should_prune(number_); }

// ---------------------------------------------------------------------------- Study

Study::Study(SearchSpace space, std::unique_ptr<Sampler> sampler, std::unique_ptr<Pruner> pruner,
             StudyOptions options)
    : space_(std::move(space)),
      sampler_(sampler ? std::move(sampler) : std::make_unique<RandomSampler>()),
      pruner_(std::move(pruner)),
      options_(options),
      mutex_(std::make_unique<std::mutex>()) {
  KOLOSAL_CHECK(!space_.empty(), InvalidArgument, "Study: the search space is empty");
  KOLOSAL_CHECK(options_.batch_size >= 1, InvalidArgument, "Study: batch_size must be >= 1");
}

Study::Study(Study&&) noexcept = default;
Study& Study::operator=(Study&&) noexcept = default;
Study::~Study() = default;

std::vector<Observation> Study::observations() const {
  std::vector<Observation> out;
  out.reserve(trials_.size());
  double worst = -std::numeric_limits<double>::infinity();
  bool any_running = false;
  const double sign = options_.direction == Direction::kMinimize ? 1.0 : -1.0;
  for (const Trial& t : trials_) {
    if (t.state == TrialState::kComplete) {
      const double loss = loss_of(*t.value);
      worst = std::max(worst, loss);
      out.push_back({t.number, t.state, &t.values, loss, &t, sign});
    } else if (t.state == TrialState::kPruned) {
      const double last = t.intermediate.empty() ? std::numeric_limits<double>::infinity()
                                                 : loss_of(t.intermediate.back().second);
      out.push_back({t.number, t.state, &t.values, last, &t, sign});
    } else if (t.state == TrialState::kRunning) {
      any_running = true;
    }
  }
  if (any_running) {
    // Constant liar (Ginsbourger et al., "Kriging is well-suited to parallelize optimization",
    // 2010): pending trials pretend to have the worst loss seen so far.
    const double lie = std::isfinite(worst) ? worst : 0.0;
    for (const Trial& t : trials_) {
      if (t.state == TrialState::kRunning) {
        out.push_back({t.number, t.state, &t.values, lie, &t, sign});
      }
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.number < b.number; });
  }
  return out;
}

std::size_t Study::start_trial(std::vector<double> values) {
  Trial t;
  t.number = trials_.size();
  t.values = std::move(values);
  trials_.push_back(std::move(t));
  started_at_.push_back(now_s());
  return trials_.back().number;
}

const Trial& Study::ask() {
  const std::lock_guard lock(*mutex_);
  const std::size_t number = trials_.size();
  Rng rng = Rng(options_.seed).split(number);
  const auto history = observations();
  std::vector<double> values = sampler_->sample(space_, history, number, rng);
  space_.deactivate(values);
  space_.check_values(values, "Study::ask (sampler output)");
  return trials_[start_trial(std::move(values))];
}

const Trial& Study::enqueue(std::vector<double> values) {
  const std::lock_guard lock(*mutex_);
  space_.check_values(values, "Study::enqueue");
  return trials_[start_trial(std::move(values))];
}

std::vector<std::size_t> Study::ask_batch(std::size_t k) {
  std::vector<std::size_t> numbers;
  numbers.reserve(k);
  for (std::size_t i = 0; i < k; ++i) numbers.push_back(ask().number);
  return numbers;
}

Trial& Study::running(std::size_t number, std::string_view who) {
  KOLOSAL_CHECK(number < trials_.size(), InvalidArgument, who, ": no trial ", number, " (",
                trials_.size(), " trials)");
  Trial& t = trials_[number];
  KOLOSAL_CHECK(t.state == TrialState::kRunning, InvalidArgument, who, ": trial ", number,
                " is already ", to_string(t.state));
  return t;
}

void Study::finish(std::size_t number, TrialState state, std::optional<double> value,
                   std::string message) {
  const std::lock_guard lock(*mutex_);
  Trial& t = running(number, "Study::tell");
  t.state = state;
  t.value = value;
  t.message = std::move(message);
  t.duration_s = now_s() - started_at_[number];
}

void Study::tell(std::size_t number, double value) {
  if (std::isnan(value)) {
    finish(number, TrialState::kFailed, std::nullopt, "objective returned NaN");
  } else {
    finish(number, TrialState::kComplete, value, {});
  }
}

void Study::tell_pruned(std::size_t number) {
  finish(number, TrialState::kPruned, std::nullopt, {});
}

void Study::tell_failed(std::size_t number, std::string message) {
  finish(number, TrialState::kFailed, std::nullopt, std::move(message));
}

void Study::report(std::size_t number, std::int64_t step, double value) {
  const std::lock_guard lock(*mutex_);
  Trial& t = running(number, "Study::report");
  KOLOSAL_CHECK(!std::isnan(value), InvalidArgument, "Study::report: trial ", number,
                " reported NaN at step ", step);
  KOLOSAL_CHECK(t.intermediate.empty() || step > t.intermediate.back().first, InvalidArgument,
                "Study::report: trial ", number, " reported step ", step, " after step ",
                t.intermediate.back().first, "; steps must increase");
  t.intermediate.emplace_back(step, value);
}

bool Study::should_prune(std::size_t number) const {
  const std::lock_guard lock(*mutex_);
  KOLOSAL_CHECK(number < trials_.size(), InvalidArgument, "Study::should_prune: no trial ", number);
  const Trial& t = trials_[number];
  if (!pruner_ || t.state != TrialState::kRunning || t.intermediate.empty()) return false;
  return pruner_->prune(trials_, t, options_.direction);
}

void Study::optimize(const Objective& objective, Budget budget, const Context& ctx) {
  const std::size_t n_trials = budget.n_trials.value_or(budget.timeout_s ? SIZE_MAX : 100);
  const double start = now_s();
  std::size_t done = 0;
  while (done < n_trials) {
    if (budget.timeout_s && now_s() - start >= *budget.timeout_s) break;
    const std::size_t k = std::min(options_.batch_size, n_trials - done);
    const std::vector<std::size_t> numbers = ask_batch(k);
    std::vector<std::optional<double>> results(k);
    std::vector<std::string> errors(k);
    std::vector<char> pruned(k, 0);
    parallel::for_each_index(ctx, k, [&](std::size_t i) {
      TrialContext trial(*this, numbers[i]);
      try {
        results[i] = objective(trial);
      } catch (const TrialPruned&) {
        pruned[i] = 1;
      } catch (const std::exception& e) {
        errors[i] = e.what();
        if (errors[i].empty()) errors[i] = "exception";
      }
    });
    // Tell in trial order so the history, hence every later suggestion, is deterministic.
    for (std::size_t i = 0; i < k; ++i) {
      if (pruned[i]) {
        tell_pruned(numbers[i]);
      } else if (!errors[i].empty()) {
        tell_failed(numbers[i], errors[i]);
      } else {
        tell(numbers[i], *results[i]);
      }
    }
    done += k;
  }
}

std::vector<Trial> Study::trials() const {
  const std::lock_guard lock(*mutex_);
  return trials_;
}

const Trial& Study::trial(std::size_t number) const {
  KOLOSAL_CHECK(number < trials_.size(), InvalidArgument, "Study::trial: no trial ", number);
  return trials_[number];
}

const Trial& Study::best_trial() const {
  const Trial* best = nullptr;
  for (const Trial& t : trials_) {
    if (t.state != TrialState::kComplete) continue;
    if (!best || loss_of(*t.value) < loss_of(*best->value)) best = &t;
  }
  KOLOSAL_CHECK(best != nullptr, InvalidArgument, "Study::best_trial: no trial is complete");
  return *best;
}

nlohmann::json Study::params_json(const Trial& trial) const {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < space_.size(); ++i) {
    if (!std::isnan(trial.values[i])) {
      out[space_.param(i).name] = space_.value_to_json(i, trial.values[i]);
    }
  }
  return out;
}

nlohmann::json Study::best_params() const { return params_json(best_trial()); }

nlohmann::json Study::to_json() const {
  const std::lock_guard lock(*mutex_);
  nlohmann::json trials = nlohmann::json::array();
  for (const Trial& t : trials_) {
    nlohmann::json inter = nlohmann::json::array();
    for (const auto& [s, v] : t.intermediate) inter.push_back({s, v});
    trials.push_back({{"number", t.number},
                      {"state", to_string(t.state)},
                      {"params", params_json(t)},
                      {"value", t.value ? nlohmann::json(*t.value) : nlohmann::json(nullptr)},
                      {"intermediate", std::move(inter)},
                      {"duration_s", t.duration_s},
                      {"message", t.message}});
  }
  return {
      {"format_version", kFormatVersion},
      {"direction", options_.direction == Direction::kMinimize ? "minimize" : "maximize"},
      {"seed", options_.seed},
      {"batch_size", options_.batch_size},
      {"space", space_.to_json()},
      {"sampler", {{"name", sampler_->name()}, {"config", sampler_->config()}}},
      {"pruner", pruner_ ? nlohmann::json{{"name", pruner_->name()}, {"config", pruner_->config()}}
                         : nlohmann::json(nullptr)},
      {"trials", std::move(trials)}};
}

Study Study::from_json(const nlohmann::json& json, std::unique_ptr<Sampler> sampler,
                       std::unique_ptr<Pruner> pruner) {
  try {
    KOLOSAL_CHECK(json.at("format_version").get<int>() <= kFormatVersion, SerializationError,
                  "Study::from_json: format_version ", json["format_version"].dump(),
                  " is newer than this build reads (", kFormatVersion, ")");
    StudyOptions options;
    const auto direction = json.at("direction").get<std::string>();
    KOLOSAL_CHECK(direction == "minimize" || direction == "maximize", SerializationError,
                  "Study::from_json: unknown direction '", direction, "'");
    options.direction = direction == "minimize" ? Direction::kMinimize : Direction::kMaximize;
    options.seed = json.at("seed").get<std::uint64_t>();
    options.batch_size = json.at("batch_size").get<std::size_t>();
    if (!sampler) {
      sampler = make_sampler(json.at("sampler").at("name").get<std::string>(),
                             json.at("sampler").value("config", nlohmann::json::object()));
    }
    // The pruner: {"name", "config"}, or a bare name as format 1 files before configs wrote it.
    const auto& saved_pruner = json.value("pruner", nlohmann::json(nullptr));
    if (!pruner && saved_pruner.is_string()) {
      pruner = make_pruner(saved_pruner.get<std::string>(), nullptr);
    } else if (!pruner && saved_pruner.is_object()) {
      pruner = make_pruner(saved_pruner.at("name").get<std::string>(),
                           saved_pruner.value("config", nlohmann::json(nullptr)));
    }
    Study study(SearchSpace::from_json(json.at("space")), std::move(sampler), std::move(pruner),
                options);
    for (const auto& j : json.at("trials")) {
      Trial t;
      t.number = j.at("number").get<std::size_t>();
      KOLOSAL_CHECK(t.number == study.trials_.size(), SerializationError,
                    "Study::from_json: trial numbers must be 0, 1, 2, ...; got ", t.number);
      t.state = parse_state(j.at("state").get<std::string>());
      t.values.assign(study.space_.size(), std::numeric_limits<double>::quiet_NaN());
      const auto& params = j.at("params");
      for (std::size_t i = 0; i < study.space_.size(); ++i) {
        const auto& name = study.space_.param(i).name;
        if (params.contains(name)) t.values[i] = study.space_.value_from_json(i, params[name]);
      }
      study.space_.check_values(t.values, "Study::from_json");
      if (!j.at("value").is_null()) t.value = j["value"].get<double>();
      for (const auto& p : j.at("intermediate")) {
        t.intermediate.emplace_back(p.at(0).get<std::int64_t>(), p.at(1).get<double>());
      }
      t.duration_s = j.value("duration_s", 0.0);
      t.message = j.value("message", std::string());
      if (t.state == TrialState::kRunning) {
        t.state = TrialState::kFailed;
        t.message = "interrupted";
      }
      KOLOSAL_CHECK(t.value.has_value() == (t.state == TrialState::kComplete), SerializationError,
                    "Study::from_json: trial ", t.number, " is ", to_string(t.state),
                    t.value ? " but has a value" : " but has no value");
      study.trials_.push_back(std::move(t));
      study.started_at_.push_back(0.0);
    }
    return study;
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, "Study::from_json: ", e.what());
  } catch (const ConfigError& e) {
    KOLOSAL_THROW(SerializationError, "Study::from_json: ", e.what());
  } catch (const InvalidArgument& e) {
    KOLOSAL_THROW(SerializationError, "Study::from_json: ", e.what());
  }
}

void Study::save(const std::filesystem::path& path) const {
  serialization::save(path, "study", to_json());
}

Study Study::load(const std::filesystem::path& path, std::unique_ptr<Sampler> sampler,
                  std::unique_ptr<Pruner> pruner) {
  return from_json(serialization::load(path, "study"), std::move(sampler), std::move(pruner));
}

}  // namespace kolosal::optimizer
