// SPDX-License-Identifier: MIT
// Greedy ensemble selection from a library of models' held-out predictions (Caruana,
// Niculescu-Mizil, Crew & Ksikes, "Ensemble Selection from Libraries of Models", ICML 2004).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/metrics/registry.hpp"

namespace kolosal::ensemble {

struct EnsembleSelectionConfig {
  static constexpr std::string_view kName = "EnsembleSelectionConfig";
  /// Greedy additions, with replacement: a model picked k times gets weight k / picks.
  std::size_t ensemble_size = 50;
  /// Sorted initialisation: the ensemble starts with the `init_size` best single models.
  std::size_t init_size = 1;
  /// A registered metric (kolosal::metrics); empty picks log_loss for classification and
  /// root_mean_squared_error for regression.
  std::string metric{};

  static constexpr auto fields() {
    return std::tuple{config::field("ensemble_size", &EnsembleSelectionConfig::ensemble_size)
                          .at_least(1)
                          .doc("greedy additions with replacement"),
                      config::field("init_size", &EnsembleSelectionConfig::init_size)
                          .at_least(1)
                          .doc("best single models the ensemble starts from"),
                      config::field("metric", &EnsembleSelectionConfig::metric)
                          .doc("registered metric; empty: log_loss or root_mean_squared_error")};
  }
  friend bool operator==(const EnsembleSelectionConfig&, const EnsembleSelectionConfig&) = default;
};

struct EnsembleSelectionResult {
  std::vector<double> weights{};      ///< one per library model, summing to 1
  std::vector<std::size_t> counts{};  ///< times each model was picked in the kept prefix
  /// Metric of the ensemble after each pick (init picks included), in selection order.
  std::vector<double> trajectory{};
  std::size_t best_size = 0;  ///< picks kept: the prefix with the best metric
  double score = 0.0;         ///< the metric at best_size
  std::string metric{};       ///< the metric used
};

/// Selects ensemble weights by hill climbing on held-out predictions. `predictions[m]` is model
/// m's n × k class-probability matrix (classification: `y` holds class indices) or its n × 1
/// predictions (regression). Each step adds the model whose inclusion gives the best metric of
/// the averaged predictions (the first on ties); the kept ensemble is the best-scoring prefix,
/// which guards against the hill climb overfitting the held-out rows.
/// @throws InvalidArgument for no models, mismatched shapes, non-finite predictions, an unknown
///   metric or one of the wrong task; ConfigError for a bad config
[[nodiscard]] EnsembleSelectionResult select_ensemble(
    std::span<const MatrixView<const double>> predictions, std::span<const double> y,
    metrics::Task task, const EnsembleSelectionConfig& config = {},
    std::span<const double> sample_weight = {});

}  // namespace kolosal::ensemble
