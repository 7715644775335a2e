// SPDX-License-Identifier: MIT
// cross_validate: fit a model on each fold in parallel, score the held-out rows with registered
// metrics, and collect out-of-fold predictions and timings.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/data/split.hpp"

namespace kolosal::training {

/// Optional inputs of cross_validate.
struct CrossValidationOptions {
  /// Registered metric names (metrics::all_metrics); empty means accuracy for classifiers and r2
  /// for regressors.
  std::vector<std::string> metrics{};
  /// One weight per row of x (empty: all 1), used for fitting and scoring.
  std::span<const double> sample_weight{};
  /// Classifiers: reweight rows by n / (n_classes * class count) within each training fold
  /// (scikit-learn's class_weight="balanced"), on top of sample_weight.
  bool balanced_class_weight = false;
  /// Early-stopping hook: hand each fold's held-out rows to fit as its evaluation set, for
  /// iterative models that stop on it (FitOptions::eval_x). Scores are then optimistic.
  bool eval_on_test_fold = false;
  /// Called after each fold's model is fitted (from the worker thread running the fold).
  std::function<void(std::size_t fold, const Model& model)> on_fold_fitted{};
  /// Threads across folds; each fold's model runs single-threaded with this seed.
  Context context{};
};

/// One fold's outcome.
struct FoldResult {
  std::size_t fold = 0;
  std::size_t n_train = 0;
  std::size_t n_test = 0;
  std::vector<double> scores{};  ///< in the order of CrossValidationResult::metrics
  double fit_seconds = 0.0;
  double predict_seconds = 0.0;
};

/// What cross_validate returns.
struct CrossValidationResult {
  std::vector<std::string> metrics{};
  std::vector<FoldResult> folds{};
  std::vector<double> mean{};    ///< per metric, over folds
  std::vector<double> stddev{};  ///< per metric, population standard deviation over folds
  /// Out-of-fold predictions per row (NaN for rows in no test fold; for repeated splits the
  /// last fold that tested a row wins).
  std::vector<double> oof_predictions{};
  /// Out-of-fold class probabilities (classifiers with predict_proba; else empty).
  Matrix<double> oof_proba{};

  /// Index of a metric in `metrics`. @throws InvalidArgument
  [[nodiscard]] std::size_t metric_index(std::string_view name) const;
  /// {"metrics", "folds": [{fold, n_train, n_test, scores{}, fit_seconds, predict_seconds}],
  ///  "mean": {}, "stddev": {}} (predictions are left out).
  [[nodiscard]] nlohmann::json to_json() const;
};

/// Fits a clone of `prototype` on each split's training rows, in parallel across folds, and
/// scores its predictions on the test rows.
/// @throws ShapeMismatch for inconsistent sizes; InvalidArgument for bad indices, unknown metrics
///   or a metric of the wrong task; whatever the model's fit throws
[[nodiscard]] CrossValidationResult cross_validate(const Model& prototype,
                                                   MatrixView<const double> x,
                                                   std::span<const double> y,
                                                   std::span<const data::SplitIndices> splits,
                                                   const CrossValidationOptions& options = {});

/// As above for a registered model built with training::make_model(name, config).
[[nodiscard]] CrossValidationResult cross_validate(std::string_view model,
                                                   const nlohmann::json& config,
                                                   MatrixView<const double> x,
                                                   std::span<const double> y,
                                                   std::span<const data::SplitIndices> splits,
                                                   const CrossValidationOptions& options = {});

}  // namespace kolosal::training
