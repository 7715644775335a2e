// SPDX-License-Identifier: MIT
// TrainingEngine: validate a model configuration by cross-validation, refit it on all rows and
// return the fitted model with a JSON training report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/training/cross_validation.hpp"
#include "kolosal/training/splitters.hpp"

namespace kolosal::training {

/// How TrainingEngine validates and fits.
struct TrainingOptions {
  static constexpr std::string_view kName = "TrainingOptions";
  SplitterConfig validation{};         ///< folds for the validation scores
  std::vector<std::string> metrics{};  ///< registered metric names; empty: accuracy / r2
  bool balanced_class_weight = false;  ///< classifiers: n / (n_classes * count) row weights
  bool validate = true;                ///< cross-validate before the final fit

  static constexpr auto fields() {
    return std::tuple{
        config::field("validation", &TrainingOptions::validation),
        config::field("metrics", &TrainingOptions::metrics),
        config::field("balanced_class_weight", &TrainingOptions::balanced_class_weight),
        config::field("validate", &TrainingOptions::validate)};
  }
  friend bool operator==(const TrainingOptions&, const TrainingOptions&) = default;
};

/// The outcome of TrainingEngine::train.
struct TrainingResult {
  std::unique_ptr<Model> model{};            ///< fitted on every row
  CrossValidationResult cross_validation{};  ///< empty when validation is off
  TrainingOptions options{};
  std::size_t n_rows = 0;
  std::size_t n_features = 0;
  double fit_seconds = 0.0;    ///< the final fit
  double total_seconds = 0.0;  ///< validation and final fit

  /// {"model", "model_config", "task", "n_rows", "n_features", "options",
  ///  "validation": CrossValidationResult::to_json() or null, "fit_seconds", "total_seconds"}
  [[nodiscard]] nlohmann::json report() const;
};

/// Trains one registered model configuration. Validation folds run in parallel under the
/// context's thread budget; the final fit gets the whole budget.
class TrainingEngine {
 public:
  /// @throws InvalidArgument for an unknown model; ConfigError for a bad config or options
  TrainingEngine(std::string_view model, const nlohmann::json& model_config,
                 TrainingOptions options = {}, Context context = {});
  TrainingEngine(const TrainingEngine& other);
  TrainingEngine& operator=(const TrainingEngine& other);
  TrainingEngine(TrainingEngine&&) noexcept = default;
  TrainingEngine& operator=(TrainingEngine&&) noexcept = default;
  ~TrainingEngine() = default;

  /// Cross-validates (unless disabled), then fits on all rows. `groups` is needed for
  /// group_k_fold only.
  /// @throws ShapeMismatch, InvalidArgument; whatever the model's fit throws
  [[nodiscard]] TrainingResult train(MatrixView<const double> x, std::span<const double> y,
                                     std::span<const std::int64_t> groups = {}) const;

  [[nodiscard]] const TrainingOptions& options() const noexcept { return options_; }

 private:
  std::unique_ptr<Model> prototype_;
  TrainingOptions options_;
  Context context_;
};

}  // namespace kolosal::training
