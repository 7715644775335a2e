// SPDX-License-Identifier: MIT
// Pruners: median, percentile, successive halving (ASHA) and Hyperband, driven by the
// intermediate values trials report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/optimizer/study.hpp"

namespace kolosal::optimizer {

/// Stops a trial whose best intermediate value so far is worse than the given percentile of the
/// finished trials' values at the same step (Optuna's PercentilePruner; the median pruner is the
/// 50th percentile, as in Google Vizier's median stopping rule, Golovin et al., 2017).
class PercentilePruner : public Pruner {
 public:
  /// @param percentile in [0, 100]; @param n_startup_trials finished trials needed before pruning;
  /// @param n_warmup_steps steps before which a trial is never pruned
  /// @throws InvalidArgument for a percentile outside [0, 100]
  explicit PercentilePruner(double percentile = 50.0, std::size_t n_startup_trials = 5,
                            std::int64_t n_warmup_steps = 0, std::size_t n_min_trials = 1);
  [[nodiscard]] std::string_view name() const noexcept override { return "percentile"; }
  [[nodiscard]] bool prune(std::span<const Trial> trials, const Trial& trial,
                           Direction direction) const override;
  /// {"percentile", "n_startup_trials", "n_warmup_steps", "n_min_trials"}
  [[nodiscard]] nlohmann::json config() const override;

 private:
  double percentile_;
  std::size_t n_startup_trials_;
  std::int64_t n_warmup_steps_;
  std::size_t n_min_trials_;
};

/// The median stopping rule: PercentilePruner at 50.
class MedianPruner final : public PercentilePruner {
 public:
  explicit MedianPruner(std::size_t n_startup_trials = 5, std::int64_t n_warmup_steps = 0)
      : PercentilePruner(50.0, n_startup_trials, n_warmup_steps) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "median"; }
};

/// Asynchronous successive halving (Li et al., "A system for massively parallel hyperparameter
/// tuning", MLSys 2020). Rung k sits at step min_resource * eta^(min_early_stopping_rate + k); a
/// trial reaching a rung continues only if its value there is within the best 1/eta of the
/// values finished trials had at that rung (itself included).
class SuccessiveHalvingPruner : public Pruner {
 public:
  /// @throws InvalidArgument for min_resource < 1 or reduction_factor < 2
  explicit SuccessiveHalvingPruner(std::int64_t min_resource = 1, std::int64_t reduction_factor = 3,
                                   std::int64_t min_early_stopping_rate = 0);
  [[nodiscard]] std::string_view name() const noexcept override { return "successive_halving"; }
  [[nodiscard]] bool prune(std::span<const Trial> trials, const Trial& trial,
                           Direction direction) const override;
  /// {"min_resource", "reduction_factor", "min_early_stopping_rate"}
  [[nodiscard]] nlohmann::json config() const override;
  /// Same decision among the trials `member` accepts only (Hyperband's brackets).
  [[nodiscard]] bool prune_among(std::span<const Trial> trials, const Trial& trial,
                                 Direction direction, bool (*member)(const Trial&, const void*),
                                 const void* data) const;

 private:
  std::int64_t min_resource_;
  std::int64_t reduction_factor_;
  std::int64_t min_early_stopping_rate_;
};

/// Hyperband (Li et al., "Hyperband: a novel bandit-based approach to hyperparameter
/// optimization", JMLR 2018) run asynchronously: trial n joins bracket n mod n_brackets, and each
/// bracket s is successive halving with min_early_stopping_rate s, judged among its own trials.
/// n_brackets = floor(log_eta(max_resource / min_resource)) + 1.
class HyperbandPruner final : public Pruner {
 public:
  /// @throws InvalidArgument unless 1 <= min_resource <= max_resource and reduction_factor >= 2
  HyperbandPruner(std::int64_t min_resource = 1, std::int64_t max_resource = 81,
                  std::int64_t reduction_factor = 3);
  [[nodiscard]] std::string_view name() const noexcept override { return "hyperband"; }
  [[nodiscard]] std::size_t n_brackets() const noexcept { return n_brackets_; }
  [[nodiscard]] bool prune(std::span<const Trial> trials, const Trial& trial,
                           Direction direction) const override;
  /// {"min_resource", "max_resource", "reduction_factor"}
  [[nodiscard]] nlohmann::json config() const override;

 private:
  std::int64_t min_resource_;
  std::int64_t max_resource_;
  std::int64_t reduction_factor_;
  std::size_t n_brackets_;
};

/// A new pruner by name ("median", "percentile", "successive_halving", "hyperband") with the
/// settings its config() writes (null or {} for the defaults; a missing key takes its default).
/// @throws InvalidArgument for an unknown name, an unknown key or a bad setting
[[nodiscard]] std::unique_ptr<Pruner> make_pruner(std::string_view name,
                                                  const nlohmann::json& config);

}  // namespace kolosal::optimizer
