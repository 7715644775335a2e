// SPDX-License-Identifier: MIT
// Model: the one type-erased boundary every learner implements, so AutoML, ensembles, the
// optimizer, inference and the CLI drive every model the same way (as XGBoost's Learner and
// Faiss's Index). Public calls validate their input once here and then reach the learner's
// protected hooks (non-virtual interface).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"

namespace kolosal {

/// What a model predicts.
enum class ModelKind {
  kClassifier,  ///< y holds class indices 0..n_classes-1 (as doubles); predict returns indices
  kRegressor,   ///< y holds real values
};

/// Optional inputs of Model::fit.
struct FitOptions {
  /// One non-negative weight per row; empty means every row weighs 1.
  std::span<const double> sample_weight{};
  /// An evaluation set for early stopping and training curves (learners that use one say so).
  std::optional<MatrixView<const double>> eval_x{};
  std::span<const double> eval_y{};
  /// Classifiers: the number of classes when it exceeds max(y) + 1, e.g. a cross-validation fold
  /// that lacks the last class; probabilities then have a column for every class.
  std::optional<std::size_t> n_classes{};
};

/// A learner behind a virtual boundary. Concrete models are copyable value types deriving from
/// Model; `clone()` copies one, configuration and learned state included.
class Model {
 public:
  Model() = default;
  Model(const Model&) = default;
  Model& operator=(const Model&) = default;
  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;
  virtual ~Model() = default;

  /// Registry name, e.g. "ridge".
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual ModelKind kind() const noexcept = 0;
  [[nodiscard]] bool is_classifier() const noexcept { return kind() == ModelKind::kClassifier; }

  /// Trains on rows of `x` with targets `y`. Checks shapes, finite targets (class indices for
  /// classifiers, at least two classes), weights, the evaluation set, and NaN in `x` for models
  /// that do not handle missing values; then validates the config and fits. Refitting replaces
  /// the learned state.
  /// @throws ShapeMismatch, InvalidArgument, ConfigError
  Model& fit(MatrixView<const double> x, std::span<const double> y, const FitOptions& options = {});

  /// Predictions: class indices (as doubles) for classifiers, values for regressors.
  /// @throws NotFitted, ShapeMismatch (a feature count other than fit's), InvalidArgument (NaN)
  [[nodiscard]] std::vector<double> predict(MatrixView<const double> x) const;
  /// Class probabilities, n x n_classes, rows summing to 1.
  /// @throws UnsupportedError for regressors and classifiers without probabilities; as predict()
  [[nodiscard]] Matrix<double> predict_proba(MatrixView<const double> x) const;
  /// Raw scores: n x 1 for regressors and binary classifiers, n x n_classes for multiclass.
  /// @throws UnsupportedError where the model has no natural decision function; as predict()
  [[nodiscard]] Matrix<double> decision_function(MatrixView<const double> x) const;
  [[nodiscard]] virtual bool has_predict_proba() const noexcept { return false; }
  [[nodiscard]] virtual bool has_decision_function() const noexcept { return false; }

  /// Importance of each feature (non-negative, summing to 1) where the model defines one.
  /// @throws NotFitted
  [[nodiscard]] std::optional<std::vector<double>> feature_importances() const;

  /// Whether `x` may hold NaN as a missing value.
  [[nodiscard]] virtual bool handles_missing() const noexcept { return false; }

  [[nodiscard]] bool fitted() const noexcept { return fitted_; }
  /// Features seen by fit (0 before).
  [[nodiscard]] std::size_t n_features() const noexcept { return n_features_; }
  /// Classes seen by fit (0 for regressors and before fit).
  [[nodiscard]] std::size_t n_classes() const noexcept { return n_classes_; }

  /// Hyperparameters as JSON (the model's Config through config::to_json).
  [[nodiscard]] virtual nlohmann::json config() const = 0;
  /// Learned parameters as JSON, enough for load_state() to predict identically.
  /// @throws NotFitted
  [[nodiscard]] nlohmann::json state() const;
  /// Restores what state() returned. @throws SerializationError for a malformed state
  void load_state(const nlohmann::json& state);

  /// A deep copy, fitted state included.
  [[nodiscard]] virtual std::unique_ptr<Model> clone() const = 0;

  [[nodiscard]] const Context& context() const noexcept { return context_; }
  /// Threads and seed used by fit and predict.
  Model& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 protected:
  /// Called with validated input; `n_classes` is set for classifiers. Implementations throw
  /// ConfigError for bad hyperparameters before any work.
  virtual void do_fit(MatrixView<const double> x, std::span<const double> y,
                      const FitOptions& options) = 0;
  [[nodiscard]] virtual std::vector<double> do_predict(MatrixView<const double> x) const = 0;
  [[nodiscard]] virtual Matrix<double> do_predict_proba(MatrixView<const double> x) const;
  [[nodiscard]] virtual Matrix<double> do_decision_function(MatrixView<const double> x) const;
  [[nodiscard]] virtual std::optional<std::vector<double>> do_feature_importances() const {
    return std::nullopt;
  }
  [[nodiscard]] virtual nlohmann::json do_state() const = 0;
  virtual void do_load_state(const nlohmann::json& state) = 0;

 private:
  void check_predict_input(MatrixView<const double> x, std::string_view who) const;

  Context context_;
  std::size_t n_features_ = 0;
  std::size_t n_classes_ = 0;
  bool fitted_ = false;
};

}  // namespace kolosal
