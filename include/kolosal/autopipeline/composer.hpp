// SPDX-License-Identifier: MIT
// The AutoML composer: the preprocessing each model family needs, built from a DatasetProfile.
// Trees get ordinal codes and no scaling (gradient boosting keeps missing values natively);
// linear, distance-based and neural models get imputation, scaling and one-hot encoding; high-
// cardinality categoricals are target-encoded (frequency-encoded for multiclass targets).
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/autopipeline/detector.hpp"
#include "kolosal/core/config.hpp"
#include "kolosal/data/frame.hpp"
#include "kolosal/preprocessing/compose.hpp"

namespace kolosal::autopipeline {

/// Model families by the preprocessing they need.
enum class ModelFamily {
  kGradientBoosting,  ///< gbdt and presets: ordinal codes, missing values kept
  kTrees,             ///< CART, forests, AdaBoost: ordinal codes, imputation, no scaling
  kLinear,      ///< linear and logistic models, SVMs: imputation + indicators, scaling, one-hot
  kNeighbors,   ///< k-NN, Gaussian processes: imputation, scaling, one-hot
  kNeural,      ///< MLPs: imputation + indicators, scaling, one-hot
  kNaiveBayes,  ///< imputation, one-hot, min-max scaling (non-negative for count models)
  kBaseline,    ///< dummy models: the cheapest encoding that runs
};

}  // namespace kolosal::autopipeline

namespace kolosal::config {
template <>
struct EnumNames<autopipeline::ModelFamily> {
  using F = autopipeline::ModelFamily;
  static constexpr std::array kValues{std::pair{F::kGradientBoosting, "gradient_boosting"},
                                      std::pair{F::kTrees, "trees"},
                                      std::pair{F::kLinear, "linear"},
                                      std::pair{F::kNeighbors, "neighbors"},
                                      std::pair{F::kNeural, "neural"},
                                      std::pair{F::kNaiveBayes, "naive_bayes"},
                                      std::pair{F::kBaseline, "baseline"}};
};
}  // namespace kolosal::config

namespace kolosal::autopipeline {

struct ComposerConfig {
  static constexpr std::string_view kName = "ComposerConfig";
  /// TF-IDF terms kept per text column.
  int text_max_features = 100;
  /// Categories rarer than this fraction share one "infrequent" one-hot column.
  double onehot_min_frequency = 0.0;

  static constexpr auto fields() {
    return std::tuple{
        config::field("text_max_features", &ComposerConfig::text_max_features).at_least(1),
        config::field("onehot_min_frequency", &ComposerConfig::onehot_min_frequency)
            .at_least(0.0)
            .less_than(1.0)};
  }
  friend bool operator==(const ComposerConfig&, const ComposerConfig&) = default;
};

/// The family of a registered model. @throws InvalidArgument for an unknown name or an ensemble
/// (ensemble members each get their own pipeline)
[[nodiscard]] ModelFamily family_of(std::string_view model);

/// The preprocessing steps for `family` as Pipeline steps JSON ([{"name", "config"}]): one column
/// transformer over profile.usable_columns(). Identifier and constant columns are left out; the
/// numeric group passes through unchanged for gradient boosting.
[[nodiscard]] nlohmann::json preprocessing_steps(const DatasetProfile& profile, ModelFamily family,
                                                 const ComposerConfig& config = {});

/// An unfitted pipeline: the family's preprocessing, then `model` with `model_config`. Fit it on
/// usable_frame(); at predict time it takes any frame with those columns (others are ignored).
/// @throws InvalidArgument, ConfigError
[[nodiscard]] preprocessing::Pipeline compose_pipeline(const DatasetProfile& profile,
                                                       std::string_view model,
                                                       const nlohmann::json& model_config,
                                                       const ComposerConfig& config = {});

/// The profile's usable feature columns of `frame`, in frame order (the target excluded).
/// @throws DataError naming a column the frame lacks
[[nodiscard]] data::Frame usable_frame(const data::Frame& frame, const DatasetProfile& profile);

}  // namespace kolosal::autopipeline
