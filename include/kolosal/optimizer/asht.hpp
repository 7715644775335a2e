// SPDX-License-Identifier: MIT
// ASHT (adaptive surrogate-assisted tuning) and HyperOptX (ASHT driven by a multi-fidelity
// successive-halving schedule): Kolosal's own optimisers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/optimizer/study.hpp"

namespace kolosal::optimizer {

struct AshtConfig {
  static constexpr std::string_view kName = "AshtConfig";
  std::size_t n_initial = 10;      ///< scrambled Sobol points before the surrogates are used
  std::size_t horizon = 100;       ///< expected trial count; sets when the acquisition switches
  double ucb_until = 0.3;          ///< UCB while finished / horizon < ucb_until ...
  double ei_until = 0.7;           ///< ... EI until ei_until, then Thompson sampling
  double ucb_beta = 2.0;           ///< UCB exploration weight (on standardised losses)
  std::size_t n_candidates = 256;  ///< random candidates per suggestion (plus local moves)
  std::size_t n_trees = 24;        ///< trees of the random-forest surrogate
  /// Multi-fidelity: observations needed at a resource level before it is modelled; 0 means
  /// the parameter count + 2 (BOHB's rule).
  std::size_t min_points_per_level = 0;
  static constexpr auto fields() {
    return std::tuple{config::field("n_initial", &AshtConfig::n_initial).at_least(2),
                      config::field("horizon", &AshtConfig::horizon).at_least(1),
                      config::field("ucb_until", &AshtConfig::ucb_until).at_least(0.0).at_most(1.0),
                      config::field("ei_until", &AshtConfig::ei_until).at_least(0.0).at_most(1.0),
                      config::field("ucb_beta", &AshtConfig::ucb_beta).at_least(0.0),
                      config::field("n_candidates", &AshtConfig::n_candidates).at_least(1),
                      config::field("n_trees", &AshtConfig::n_trees).at_least(1),
                      config::field("min_points_per_level", &AshtConfig::min_points_per_level)};
  }
  void check() const {
    KOLOSAL_CHECK(ucb_until <= ei_until, ConfigError, "AshtConfig: ucb_until (", ucb_until,
                  ") must not exceed ei_until (", ei_until, ")");
  }
  friend bool operator==(const AshtConfig&, const AshtConfig&) = default;
};

/// The acquisition ASHT uses at a given maturity.
enum class AshtPhase { kUcb, kExpectedImprovement, kThompson };

/// Adaptive surrogate-assisted tuning. After a scrambled Sobol design, each suggestion fits two
/// surrogates on the history: a Matérn 5/2 Gaussian process (smooth, calibrated on continuous
/// structure; Snoek et al., 2012) and a random forest of regression trees (robust on categorical,
/// conditional and discontinuous structure; Hutter et al., SMAC, 2011). They are blended with
/// weights inversely proportional to each one's error on the most recent trials when fitted on
/// the older ones, the blend's variance following the law of total variance. The acquisition
/// switches as the search matures (finished / horizon): UCB first (exploration), then expected
/// improvement, then Thompson sampling (one forest tree and independent GP posterior draws),
/// maximised over random candidates and Gaussian moves around the best trials. With
/// multi-fidelity histories (trials reporting intermediate values, e.g. under HyperOptX) the
/// surrogates model the highest resource level that has enough observations, as BOHB does
/// (Falkner, Klein & Hutter, 2018).
class AshtSampler final : public Sampler {
 public:
  using Config = AshtConfig;
  static constexpr std::string_view kName = "asht";
  explicit AshtSampler(Config config = {});
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;
  /// The phase used for a history with `finished` finished trials.
  [[nodiscard]] AshtPhase phase(std::size_t finished) const noexcept;

 private:
  Config config_;
};

struct HyperOptXConfig {
  static constexpr std::string_view kName = "HyperOptXConfig";
  std::int64_t min_resource = 1;   ///< smallest budget a configuration is evaluated with
  std::int64_t max_resource = 27;  ///< full budget
  std::int64_t eta = 3;            ///< successive-halving reduction factor
  AshtConfig asht{};               ///< the sampler proposing configurations
  static constexpr auto fields() {
    return std::tuple{config::field("min_resource", &HyperOptXConfig::min_resource).at_least(1),
                      config::field("max_resource", &HyperOptXConfig::max_resource).at_least(1),
                      config::field("eta", &HyperOptXConfig::eta).at_least(2),
                      config::field("asht", &HyperOptXConfig::asht)};
  }
  void check() const {
    KOLOSAL_CHECK(min_resource <= max_resource, ConfigError, "HyperOptXConfig: min_resource (",
                  min_resource, ") exceeds max_resource (", max_resource, ")");
  }
  friend bool operator==(const HyperOptXConfig&, const HyperOptXConfig&) = default;
};

/// HyperOptX: multi-fidelity optimisation that runs Hyperband's brackets of successive halving
/// (Li et al., JMLR 2018) with configurations proposed by ASHT on the study's multi-fidelity
/// history instead of at random (the BOHB recipe, Falkner et al., 2018, with ASHT's surrogate
/// ensemble). Each configuration is one trial of the study: its evaluation at resource r is
/// reported as the intermediate value at step r; configurations dropped at a rung end pruned,
/// those reaching max_resource complete with their full-budget value. The members of a rung are
/// evaluated in parallel and told in trial order, so results depend on the seed only.
class HyperOptX {
 public:
  using Config = HyperOptXConfig;
  /// Evaluates the trial's configuration with `resource` (epochs, trees, rows, ...).
  using Objective = std::function<double(TrialContext&, std::int64_t resource)>;

  /// @throws ConfigError for a bad config; InvalidArgument for an empty space
  HyperOptX(SearchSpace space, Config config = {}, StudyOptions options = {});

  /// Runs Hyperband iterations (each: every bracket once) until `max_iterations` or the
  /// time budget (checked between rungs) is spent. Exceptions from the objective fail the trial.
  void optimize(const Objective& objective, std::size_t max_iterations,
                std::optional<double> timeout_s = std::nullopt, const Context& ctx = {});

  [[nodiscard]] const Study& study() const noexcept { return study_; }
  [[nodiscard]] Study& study() noexcept { return study_; }
  [[nodiscard]] const Config& config() const noexcept { return config_; }
  /// Sum of the resources of every evaluation so far.
  [[nodiscard]] std::int64_t resource_used() const noexcept { return resource_used_; }
  /// Brackets per Hyperband iteration: floor(log_eta(max / min)) + 1.
  [[nodiscard]] std::size_t n_brackets() const noexcept;

 private:
  Config config_;
  Study study_;
  std::int64_t resource_used_ = 0;
};

}  // namespace kolosal::optimizer
