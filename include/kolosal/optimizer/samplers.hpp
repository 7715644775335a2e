// SPDX-License-Identifier: MIT
// Samplers: random, grid, Sobol, TPE, Gaussian-process BO and CMA-ES, plus make_sampler by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/optimizer/study.hpp"

namespace kolosal::optimizer {

/// Independent uniform draws in the unit cube (log space for log parameters).
class RandomSampler final : public Sampler {
 public:
  static constexpr std::string_view kName = "random";
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;
};

struct GridConfig {
  static constexpr std::string_view kName = "GridConfig";
  std::size_t points_per_float = 5;  ///< grid points across each float parameter's range
  bool shuffle = true;               ///< visit the grid in a seeded random order
  static constexpr auto fields() {
    return std::tuple{config::field("points_per_float", &GridConfig::points_per_float).at_least(2),
                      config::field("shuffle", &GridConfig::shuffle)};
  }
  friend bool operator==(const GridConfig&, const GridConfig&) = default;
};

/// Exhaustive grid: every combination of categorical choices, int values and `points_per_float`
/// evenly spaced float values (inactive branches collapsed). Trial n takes grid point n (of a
/// permutation when shuffling); after the last point the grid starts over.
class GridSampler final : public Sampler {
 public:
  using Config = GridConfig;
  static constexpr std::string_view kName = "grid";
  explicit GridSampler(Config config = {});
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;
  /// The distinct grid points of `space` (full value vectors, inactive ones NaN).
  [[nodiscard]] std::vector<std::vector<double>> grid(const SearchSpace& space) const;

 private:
  Config config_;
};

/// Sobol' low-discrepancy points (Sobol', 1967) with Joe & Kuo's direction numbers ("Constructing
/// Sobol sequences with better two-dimensional projections", 2008; new-joe-kuo-6.21201), Gray-code
/// order, skipping the all-zero first point. Up to kSobolMaxDim parameters.
class SobolSampler final : public Sampler {
 public:
  static constexpr std::string_view kName = "sobol";
  /// @param scramble apply a random digital shift seeded by the study (cheap randomisation)
  explicit SobolSampler(bool scramble = false) : scramble_(scramble) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;

 private:
  bool scramble_;
};

/// Dimensions for which Sobol direction numbers are bundled.
inline constexpr std::size_t kSobolMaxDim = 256;
/// Point `index` (0-based, point 0 is the origin) of the unscrambled Sobol sequence in `dim`
/// dimensions, as scipy.stats.qmc.Sobol(scramble=False) gives them. @throws InvalidArgument
[[nodiscard]] std::vector<double> sobol_point(std::uint64_t index, std::size_t dim);

struct TpeConfig {
  static constexpr std::string_view kName = "TpeConfig";
  std::size_t n_startup_trials = 10;  ///< random trials before the model is used
  std::size_t n_ei_candidates = 24;   ///< draws from l(x) scored by l(x)/g(x)
  bool multivariate = false;          ///< one joint Parzen estimator over unconditional params
  double prior_weight = 1.0;          ///< weight of the flat prior kernel
  bool consider_magic_clip = true;    ///< lower-bound bandwidths (Bergstra et al.'s magic clip)
  double gamma = 0.1;                 ///< fraction of trials in the "good" group ...
  std::size_t max_good = 25;          ///< ... capped at this many
  /// Weigh each univariate kernel's density by its bandwidth, as Optuna 3.1 evaluates its Parzen
  /// estimators (wide kernels count more than clusters of narrow ones); false gives the exact
  /// mixture. The multivariate estimator always uses exact densities.
  bool scale_by_bandwidth = true;
  static constexpr auto fields() {
    return std::tuple{config::field("n_startup_trials", &TpeConfig::n_startup_trials),
                      config::field("n_ei_candidates", &TpeConfig::n_ei_candidates).at_least(1),
                      config::field("multivariate", &TpeConfig::multivariate),
                      config::field("prior_weight", &TpeConfig::prior_weight).greater_than(0.0),
                      config::field("consider_magic_clip", &TpeConfig::consider_magic_clip),
                      config::field("gamma", &TpeConfig::gamma).greater_than(0.0).at_most(1.0),
                      config::field("max_good", &TpeConfig::max_good).at_least(1),
                      config::field("scale_by_bandwidth", &TpeConfig::scale_by_bandwidth)};
  }
  friend bool operator==(const TpeConfig&, const TpeConfig&) = default;
};

struct TpeCache;

/// Tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for
/// hyper-parameter optimization", NeurIPS 2011), with Optuna's refinements: a prior kernel,
/// adaptive neighbour bandwidths with the magic clip, older "bad" trials down-weighted, and the
/// multivariate variant (Falkner et al., BOHB, 2018). Trials split into the best
/// min(ceil(gamma n), max_good) ("good", density l) and the rest (g); `n_ei_candidates` draws
/// from l maximise log l - log g, which orders candidates as expected improvement does.
/// Conditional parameters are modelled from the trials where they are active. Truncated normal
/// kernels live in the unit-cube transform (log space for log parameters); ints use the mass of
/// their grid cell, categoricals a smoothed frequency table. By default kernels are weighed as
/// Optuna 3.1 evaluates them (`scale_by_bandwidth`), which measures as Optuna's TPE does
/// (docs/benchmarks.md). Densities at the candidates sum only the kernels that can matter (an
/// error bound of 1e-7, see tpe.cpp) in float batches.
class TpeSampler final : public Sampler {
 public:
  using Config = TpeConfig;
  static constexpr std::string_view kName = "tpe";
  explicit TpeSampler(Config config = {});
  TpeSampler(const TpeSampler&) = delete;
  TpeSampler& operator=(const TpeSampler&) = delete;
  TpeSampler(TpeSampler&&) noexcept;
  TpeSampler& operator=(TpeSampler&&) noexcept;
  ~TpeSampler() override;
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;

 private:
  void sample_joint(const SearchSpace& space, std::span<const Observation> history,
                    std::span<const char> group, std::span<const double> weight_of,
                    std::span<const std::size_t> joint, Rng& rng,
                    std::vector<double>& values) const;

  Config config_;
  // Values of every seen trial kept sorted per parameter, so a suggestion needs no sort: the
  // result is a function of the history alone (the cache only saves work).
  std::unique_ptr<TpeCache> cache_;
};

enum class Acquisition { kExpectedImprovement, kUpperConfidenceBound };

}  // namespace kolosal::optimizer

namespace kolosal::config {
template <>
struct EnumNames<optimizer::Acquisition> {
  using A = optimizer::Acquisition;
  static constexpr std::array kValues{std::pair{A::kExpectedImprovement, "ei"},
                                      std::pair{A::kUpperConfidenceBound, "ucb"}};
};
}  // namespace kolosal::config

namespace kolosal::optimizer {

struct GpConfig {
  static constexpr std::string_view kName = "GpConfig";
  std::size_t n_startup_trials = 10;  ///< Sobol points before the GP is used
  Acquisition acquisition = Acquisition::kExpectedImprovement;
  double ucb_beta = 2.0;           ///< exploration weight of UCB (mean - beta * std on losses)
  std::size_t n_restarts = 8;      ///< L-BFGS starts from the best random candidates
  std::size_t n_candidates = 512;  ///< random candidates screened before L-BFGS
  static constexpr auto fields() {
    return std::tuple{config::field("n_startup_trials", &GpConfig::n_startup_trials).at_least(2),
                      config::field("acquisition", &GpConfig::acquisition),
                      config::field("ucb_beta", &GpConfig::ucb_beta).at_least(0.0),
                      config::field("n_restarts", &GpConfig::n_restarts).at_least(1),
                      config::field("n_candidates", &GpConfig::n_candidates).at_least(1)};
  }
  friend bool operator==(const GpConfig&, const GpConfig&) = default;
};

/// Gaussian-process Bayesian optimisation (Snoek, Larochelle & Adams, "Practical Bayesian
/// optimization of machine learning algorithms", 2012): a GP with an ARD Matérn 5/2 kernel on the
/// unit cube (categoricals one-hot, ints continuous then snapped; an inactive conditional
/// parameter imputed as -1, or all-zero one-hot), hyperparameters fitted by maximising the log
/// marginal likelihood on standardised losses, and EI or UCB maximised by multi-start L-BFGS (Liu
/// & Nocedal, 1989) with analytic gradients over each branch's active numbers, every combination
/// of categorical choices enumerated (a seeded subset of 32 when there are more). The Sobol
/// start covers the unconditional parameters; conditional ones start at random.
class GpSampler final : public Sampler {
 public:
  using Config = GpConfig;
  static constexpr std::string_view kName = "gp";
  explicit GpSampler(Config config = {});
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;

 private:
  Config config_;
};

struct CmaEsConfig {
  static constexpr std::string_view kName = "CmaEsConfig";
  double sigma0 = 0.3;         ///< initial step size in the unit cube
  std::size_t population = 0;  ///< lambda; 0 means 4 + floor(3 ln n)
  static constexpr auto fields() {
    return std::tuple{config::field("sigma0", &CmaEsConfig::sigma0).greater_than(0.0).at_most(1.0),
                      config::field("population", &CmaEsConfig::population)};
  }
  friend bool operator==(const CmaEsConfig&, const CmaEsConfig&) = default;
};

struct CmaEsState;

/// CMA-ES (Hansen & Ostermeier, "Completely derandomized self-adaptation in evolution
/// strategies", 2001; updates as in Hansen, "The CMA evolution strategy: a tutorial", 2016) over
/// the unconditional float and int parameters in the unit cube; categorical and conditional
/// parameters are drawn at random. Trials n in [g lambda, (g + 1) lambda) form generation g; a
/// generation updates the mean, step size and covariance once none of its trials is running, so
/// the state is a function of the history alone and a resumed study continues identically.
class CmaEsSampler final : public Sampler {
 public:
  using Config = CmaEsConfig;
  static constexpr std::string_view kName = "cmaes";
  explicit CmaEsSampler(Config config = {});
  CmaEsSampler(const CmaEsSampler&) = delete;
  CmaEsSampler& operator=(const CmaEsSampler&) = delete;
  CmaEsSampler(CmaEsSampler&&) noexcept;
  CmaEsSampler& operator=(CmaEsSampler&&) noexcept;
  ~CmaEsSampler() override;
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::vector<double> sample(const SearchSpace& space,
                                           std::span<const Observation> history, std::size_t number,
                                           Rng& rng) override;
  /// The current step size (for tests and diagnostics).
  [[nodiscard]] double sigma() const noexcept;

 private:
  Config config_;
  std::unique_ptr<CmaEsState> state_;
};

/// A new sampler by name ("random", "grid", "sobol", "tpe", "gp",
/// "cmaes") with a JSON config (null or
/// {} for the defaults). @throws InvalidArgument for an unknown name; ConfigError for a bad config
[[nodiscard]] std::unique_ptr<Sampler> make_sampler(std::string_view name,
                                                    const nlohmann::json& config);

}  // namespace kolosal::optimizer
