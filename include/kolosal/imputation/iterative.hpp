// SPDX-License-Identifier: MIT
// Iterative (round-robin regression) imputation and MICE, as scikit-learn's IterativeImputer
// with its default BayesianRidge estimator.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::imputation {

struct IterativeImputerConfig {
  static constexpr std::string_view kName = "IterativeImputerConfig";
  std::vector<std::string> columns{};  ///< numeric columns; empty: every numeric column
  int max_iter = 10;                   ///< round-robin passes over the columns
  double tol = 1e-3;  ///< stop when the largest row change is below tol * max |observed value|
  ImputeStrategy initial_strategy = ImputeStrategy::kMean;  ///< mean, median or most_frequent
  /// Draw each imputed value from the regression's posterior predictive distribution instead of
  /// taking its mean (seeded by the context); MICE repeats this with different seeds.
  bool sample_posterior = false;

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &IterativeImputerConfig::columns),
                      config::field("max_iter", &IterativeImputerConfig::max_iter).at_least(1),
                      config::field("tol", &IterativeImputerConfig::tol).at_least(0.0),
                      config::field("initial_strategy", &IterativeImputerConfig::initial_strategy)
                          .doc("mean, median or most_frequent"),
                      config::field("sample_posterior", &IterativeImputerConfig::sample_posterior)};
  }
  void check() const;
  friend bool operator==(const IterativeImputerConfig&, const IterativeImputerConfig&) = default;
};

/// Models each numeric column with missing values as a Bayesian ridge regression on the others
/// and imputes in round-robin passes, columns in order of increasing missing fraction, starting
/// from a simple imputation, as scikit-learn's IterativeImputer (imputation_order="ascending").
/// S. van Buuren and K. Groothuis-Oudshoorn, "mice: Multivariate Imputation by Chained
/// Equations in R", J. Stat. Softw. 45(3), 2011; the regression is D. J. C. MacKay's evidence
/// approximation ("Bayesian interpolation", Neural Computation 4(3), 1992). transform replays
/// the fitted sequence of regressions. Numeric columns only; a column without observed values
/// is a DataError naming it.
class IterativeImputer final
    : public preprocessing::ColumnStep<IterativeImputer, IterativeImputerConfig> {
 public:
  static constexpr std::string_view kName = "iterative_imputer";
  static constexpr std::string_view kDisplayName = "IterativeImputer";
  explicit IterativeImputer(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  /// Passes run by fit (at most max_iter).
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }

  /// One fitted regression of the sequence: column `target` from all other columns.
  struct Step {
    std::size_t target = 0;
    std::vector<double> coef;  ///< one per other column, in column order
    double intercept = 0.0;
    double alpha = 1.0;         ///< noise precision
    std::vector<double> sigma;  ///< posterior covariance of coef, row-major
  };

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] std::vector<data::Column> fit_transform_columns(
      std::span<const data::Column* const> columns, std::span<const double> y) override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<double> initial_;  ///< per column: the initial fill
  std::vector<Step> steps_;
  int n_iter_ = 0;
};

/// Multiple imputation by chained equations: `m` completed copies of `x`, each from a clone of
/// `imputer` with sample_posterior on and the seed split by copy index.
/// @throws as IterativeImputer::fit_transform; InvalidArgument for m < 1
[[nodiscard]] std::vector<data::Frame> mice(const IterativeImputer& imputer, const data::Frame& x,
                                            int m);

}  // namespace kolosal::imputation
