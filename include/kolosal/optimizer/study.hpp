// SPDX-License-Identifier: MIT
// Study: ask/tell hyperparameter optimisation with trial states, budgets, pruning, parallel
// batches and JSON save/resume; Sampler and Pruner are the interfaces strategies implement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/context.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/optimizer/search_space.hpp"

namespace kolosal::optimizer {

enum class Direction { kMinimize, kMaximize };

enum class TrialState {
  kRunning,   ///< asked, not yet told
  kComplete,  ///< told a value
  kPruned,    ///< stopped early by a pruner (its last intermediate value is kept)
  kFailed,    ///< the objective threw or returned NaN
};

[[nodiscard]] std::string_view to_string(TrialState state) noexcept;

/// One evaluation of the objective.
struct Trial {
  std::size_t number = 0;                   ///< 0, 1, 2, ... in ask order
  TrialState state = TrialState::kRunning;  ///< lifecycle state
  std::vector<double> values{};             ///< one per parameter (see SearchSpace)
  std::optional<double> value{};            ///< the objective, once complete
  std::vector<std::pair<std::int64_t, double>> intermediate{};  ///< (step, value) reports
  double duration_s = 0.0;                                      ///< wall time from ask to tell
  std::string message{};                                        ///< why a trial failed

  /// The last reported intermediate value at or before `step`, if any.
  [[nodiscard]] std::optional<double> intermediate_at(std::int64_t step) const noexcept;
  /// The last reported step, if any.
  [[nodiscard]] std::optional<std::int64_t> last_step() const noexcept;
};

/// What a sampler sees of one finished or running trial: its values and a loss where smaller is
/// better (the value, negated when maximising). Running trials of a batch appear with the
/// "constant liar" loss (the worst loss seen so far) so that batch members spread out.
struct Observation {
  std::size_t number = 0;
  TrialState state = TrialState::kComplete;
  const std::vector<double>* values = nullptr;
  double loss = 0.0;  ///< complete or lied; pruned trials carry their last intermediate loss
  /// The trial itself, for samplers that read intermediate values (multi-fidelity).
  const Trial* trial = nullptr;
  /// +1 when minimising, -1 when maximising: loss = sign * value.
  double sign = 1.0;
};

/// Proposes parameter values for new trials.
class Sampler {
 public:
  Sampler() = default;
  Sampler(const Sampler&) = default;
  Sampler& operator=(const Sampler&) = default;
  Sampler(Sampler&&) noexcept = default;
  Sampler& operator=(Sampler&&) noexcept = default;
  virtual ~Sampler() = default;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// Values for trial `number` (inactive parameters NaN). `history` lists earlier trials in
  /// number order; `rng` is a stream private to this trial (Rng(seed).split(number)), so a
  /// sampler's choice is a function of the seed and the history only.
  [[nodiscard]] virtual std::vector<double> sample(const SearchSpace& space,
                                                   std::span<const Observation> history,
                                                   std::size_t number, Rng& rng) = 0;
  /// Settings as JSON, saved with the study.
  [[nodiscard]] virtual nlohmann::json config() const;
};

/// Decides from intermediate values whether a running trial should stop.
class Pruner {
 public:
  Pruner() = default;
  Pruner(const Pruner&) = default;
  Pruner& operator=(const Pruner&) = default;
  Pruner(Pruner&&) noexcept = default;
  Pruner& operator=(Pruner&&) noexcept = default;
  virtual ~Pruner() = default;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// Whether `trial` (running, with at least one report) should stop. `trials` holds every trial
  /// of the study; only finished ones (complete or pruned) may be compared against, so the
  /// decision does not depend on which batch members happen to report first.
  [[nodiscard]] virtual bool prune(std::span<const Trial> trials, const Trial& trial,
                                   Direction direction) const = 0;
  /// Settings as JSON, saved with the study so that a resumed study rebuilds the same pruner
  /// (make_pruner). Decisions are a function of these settings and the trials alone.
  [[nodiscard]] virtual nlohmann::json config() const;
};

/// Thrown by an objective to tell optimize() that its trial was pruned.
class TrialPruned : public Error {
 public:
  TrialPruned() : Error(ErrorCode::kInvalidArgument, "trial pruned") {}
};

/// When optimize() stops: after `n_trials` trials in this call, or once `timeout_s` seconds have
/// passed (checked between batches), whichever comes first. Neither set means n_trials = 100.
struct Budget {
  std::optional<std::size_t> n_trials{};
  std::optional<double> timeout_s{};
};

class Study;

/// The objective's handle on its trial during optimize(): parameter values by name, reports of
/// intermediate values and pruning checks. Thread-safe across the trials of a batch.
class TrialContext {
 public:
  TrialContext(Study& study, std::size_t number) noexcept : study_(&study), number_(number) {}

  [[nodiscard]] std::size_t number() const noexcept { return number_; }
  /// A float or int parameter's value. @throws InvalidArgument for an unknown or inactive name,
  /// or a categorical
  [[nodiscard]] double number(std::string_view name) const;
  [[nodiscard]] std::int64_t integer(std::string_view name) const;
  /// A categorical parameter's choice. @throws InvalidArgument as number()
  [[nodiscard]] const std::string& category(std::string_view name) const;
  [[nodiscard]] bool active(std::string_view name) const;
  /// Reports an intermediate value at `step`.
  void report(std::int64_t step, double value);
  /// Whether the study's pruner says to stop now (false without a pruner).
  [[nodiscard]] bool should_prune() const;

 private:
  Study* study_;
  std::size_t number_;
};

/// Settings of a Study.
struct StudyOptions {
  Direction direction = Direction::kMinimize;
  std::uint64_t seed = kDefaultSeed;
  /// Trials asked at once by optimize(); each batch runs in parallel and later members see earlier
  /// ones through the constant liar. Results depend on batch_size, never on the thread count.
  std::size_t batch_size = 1;
};

/// An optimisation run over a SearchSpace, driven by ask/tell or by optimize().
///
/// ```cpp
/// Study study(space, make_sampler("tpe"));
/// study.optimize([](TrialContext& t) { return f(t.number("x")); }, {.n_trials = 100});
/// ```
class Study {
 public:
  using Objective = std::function<double(TrialContext&)>;

  /// @throws InvalidArgument for an empty space or batch_size 0
  Study(SearchSpace space, std::unique_ptr<Sampler> sampler = nullptr,
        std::unique_ptr<Pruner> pruner = nullptr, StudyOptions options = {});
  Study(const Study&) = delete;
  Study& operator=(const Study&) = delete;
  Study(Study&&) noexcept;
  Study& operator=(Study&&) noexcept;
  ~Study();

  /// Starts a trial with sampled values.
  [[nodiscard]] const Trial& ask();
  /// Starts a trial with given values (e.g. a known good default). @throws InvalidArgument
  const Trial& enqueue(std::vector<double> values);
  /// Starts `k` trials at once; each later one sees the earlier ones via the constant liar.
  [[nodiscard]] std::vector<std::size_t> ask_batch(std::size_t k);

  /// Completes a running trial. NaN marks it failed. @throws InvalidArgument for an unknown or
  /// finished trial
  void tell(std::size_t number, double value);
  void tell_pruned(std::size_t number);
  void tell_failed(std::size_t number, std::string message = {});
  /// Records an intermediate value of a running trial. @throws InvalidArgument
  void report(std::size_t number, std::int64_t step, double value);
  /// The pruner's verdict on a running trial (false without a pruner).
  [[nodiscard]] bool should_prune(std::size_t number) const;

  /// Runs `objective` until the budget is spent, `ctx.threads()` trials at a time at most.
  /// Objectives signal pruning by throwing TrialPruned; any other exception or a NaN result
  /// fails the trial (and is recorded) without stopping the study.
  void optimize(const Objective& objective, Budget budget = {}, const Context& ctx = {});

  [[nodiscard]] const SearchSpace& space() const noexcept { return space_; }
  [[nodiscard]] Direction direction() const noexcept { return options_.direction; }
  [[nodiscard]] const StudyOptions& options() const noexcept { return options_; }
  [[nodiscard]] const Sampler& sampler() const noexcept { return *sampler_; }
  /// A copy of every trial (safe while optimize() runs on other threads).
  [[nodiscard]] std::vector<Trial> trials() const;
  [[nodiscard]] const Trial& trial(std::size_t number) const;
  [[nodiscard]] std::size_t n_trials() const noexcept { return trials_.size(); }
  /// The best complete trial. @throws InvalidArgument when none is complete
  [[nodiscard]] const Trial& best_trial() const;
  [[nodiscard]] double best_value() const { return *best_trial().value; }
  /// The best trial's parameters as a JSON object {name: value}, inactive ones omitted.
  [[nodiscard]] nlohmann::json best_params() const;
  /// A trial's parameters as a JSON object.
  [[nodiscard]] nlohmann::json params_json(const Trial& trial) const;

  /// Everything needed to resume: options, space, sampler and pruner names, every trial.
  [[nodiscard]] nlohmann::json to_json() const;
  /// Restores a study. A sampler or pruner not given is rebuilt from the saved name and config
  /// (make_sampler, make_pruner); history-driven samplers and pruners continue exactly where they
  /// stopped. Running trials come back as failed ("interrupted").
  /// @throws SerializationError for a malformed document
  [[nodiscard]] static Study from_json(const nlohmann::json& json,
                                       std::unique_ptr<Sampler> sampler = nullptr,
                                       std::unique_ptr<Pruner> pruner = nullptr);
  void save(const std::filesystem::path& path) const;
  [[nodiscard]] static Study load(const std::filesystem::path& path,
                                  std::unique_ptr<Sampler> sampler = nullptr,
                                  std::unique_ptr<Pruner> pruner = nullptr);

 private:
  friend class TrialContext;
  [[nodiscard]] double loss_of(double value) const noexcept {
    return options_.direction == Direction::kMinimize ? value : -value;
  }
  [[nodiscard]] std::vector<Observation> observations() const;
  std::size_t start_trial(std::vector<double> values);
  Trial& running(std::size_t number, std::string_view who);
  void finish(std::size_t number, TrialState state, std::optional<double> value,
              std::string message);

  SearchSpace space_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<Pruner> pruner_;
  StudyOptions options_;
  std::vector<Trial> trials_;
  std::vector<double> started_at_;  // steady-clock seconds at ask, per trial
  std::unique_ptr<std::mutex> mutex_;
};

}  // namespace kolosal::optimizer
