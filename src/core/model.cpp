// SPDX-License-Identifier: MIT
// Input validation shared by every model, and the state envelope of Model::state().
#include "kolosal/core/model.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal {
namespace {

// Infinities are never valid features; NaN is valid only as a missing value for models that
// handle it.
void check_features(MatrixView<const double> x, bool allow_nan, std::string_view who,
                    std::string_view what) {
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto row = x.row(r);
    for (std::size_t c = 0; c < row.size(); ++c) {
      const double v = row[c];
      if (std::isfinite(v) || (allow_nan && std::isnan(v))) continue;
      KOLOSAL_THROW(InvalidArgument, who, ": ", what, "[", r, ", ", c, "] is ", v,
                    std::isnan(v) ? " (this model does not handle missing values: impute first)"
                                  : " (features must be finite)");
    }
  }
}

void check_targets(std::span<const double> y, ModelKind kind, std::string_view who,
                   std::string_view what) {
  for (std::size_t i = 0; i < y.size(); ++i) {
    KOLOSAL_CHECK(std::isfinite(y[i]), InvalidArgument, who, ": ", what, "[", i, "] is ", y[i],
                  " (targets must be finite)");
    if (kind == ModelKind::kClassifier) {
      KOLOSAL_CHECK(y[i] >= 0 && y[i] == std::floor(y[i]) && y[i] < 2147483647.0, InvalidArgument,
                    who, ": ", what, "[", i, "] is ", y[i],
                    " but a classifier needs class indices 0, 1, 2, ... (encode labels first)");
    }
  }
}

}  // namespace

Model& Model::fit(MatrixView<const double> x, std::span<const double> y,
                  const FitOptions& options) {
  const std::string who = std::string(name()) + "::fit";
  KOLOSAL_CHECK(x.rows() > 0 && x.cols() > 0, InvalidArgument, who, ": x is empty (", x.rows(),
                " rows, ", x.cols(), " columns)");
  KOLOSAL_CHECK(x.rows() == y.size(), ShapeMismatch, who, ": x has ", x.rows(), " rows but y has ",
                y.size(), " values");
  check_features(x, handles_missing(), who, "x");
  check_targets(y, kind(), who, "y");
  if (!options.sample_weight.empty()) {
    const auto w = options.sample_weight;
    KOLOSAL_CHECK(w.size() == y.size(), ShapeMismatch, who, ": sample_weight has ", w.size(),
                  " values but y has ", y.size());
    double total = 0.0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      KOLOSAL_CHECK(std::isfinite(w[i]) && w[i] >= 0, InvalidArgument, who, ": sample_weight[", i,
                    "] is ", w[i], " (weights must be finite and >= 0)");
      total += w[i];
    }
    KOLOSAL_CHECK(total > 0, InvalidArgument, who, ": sample weights sum to zero");
  }
  if (options.eval_x) {
    const auto& ex = *options.eval_x;
    KOLOSAL_CHECK(ex.cols() == x.cols(), ShapeMismatch, who, ": eval_x has ", ex.cols(),
                  " columns but x has ", x.cols());
    KOLOSAL_CHECK(ex.rows() == options.eval_y.size() && ex.rows() > 0, ShapeMismatch, who,
                  ": eval_x has ", ex.rows(), " rows but eval_y has ", options.eval_y.size(),
                  " values");
    check_features(ex, handles_missing(), who, "eval_x");
    check_targets(options.eval_y, kind(), who, "eval_y");
  } else {
    KOLOSAL_CHECK(options.eval_y.empty(), InvalidArgument, who, ": eval_y given without eval_x");
  }

  std::size_t classes = 0;
  if (kind() == ModelKind::kClassifier) {
    double largest = 0;
    for (double v : y) largest = std::max(largest, v);
    for (double v : options.eval_y) largest = std::max(largest, v);
    classes = static_cast<std::size_t>(largest) + 1;
    if (options.n_classes) {
      KOLOSAL_CHECK(*options.n_classes >= classes, InvalidArgument, who, ": n_classes is ",
                    *options.n_classes, " but y holds class index ", classes - 1);
      classes = *options.n_classes;
    }
    KOLOSAL_CHECK(classes >= 2, InvalidArgument, who,
                  ": y holds a single class; a classifier needs at least two");
  }

  fitted_ = false;  // a failed fit leaves the model unfitted rather than half-updated
  n_features_ = x.cols();
  n_classes_ = classes;
  do_fit(x, y, options);
  fitted_ = true;
  return *this;
}

void Model::check_predict_input(MatrixView<const double> x, std::string_view who) const {
  KOLOSAL_CHECK(fitted_, NotFitted, name(), "::", who, ": the model is not fitted; call fit first");
  KOLOSAL_CHECK(x.cols() == n_features_, ShapeMismatch, name(), "::", who, ": x has ", x.cols(),
                " features but the model was fitted on ", n_features_);
  check_features(x, handles_missing(), std::string(name()) + "::" + std::string(who), "x");
}

std::vector<double> Model::predict(MatrixView<const double> x) const {
  check_predict_input(x, "predict");
  return do_predict(x);
}

Matrix<double> Model::predict_proba(MatrixView<const double> x) const {
  KOLOSAL_CHECK(has_predict_proba(), UnsupportedError, name(),
                "::predict_proba: this model does not predict probabilities");
  check_predict_input(x, "predict_proba");
  return do_predict_proba(x);
}

Matrix<double> Model::decision_function(MatrixView<const double> x) const {
  KOLOSAL_CHECK(has_decision_function(), UnsupportedError, name(),
                "::decision_function: this model has no decision function");
  check_predict_input(x, "decision_function");
  return do_decision_function(x);
}

std::optional<std::vector<double>> Model::feature_importances() const {
  KOLOSAL_CHECK(fitted_, NotFitted, name(),
                "::feature_importances: the model is not fitted; call fit first");
  return do_feature_importances();
}

Matrix<double> Model::do_predict_proba(MatrixView<const double>) const {
  KOLOSAL_THROW(InternalError, name(), ": has_predict_proba() without do_predict_proba()");
}

Matrix<double> Model::do_decision_function(MatrixView<const double>) const {
  KOLOSAL_THROW(InternalError, name(), ": has_decision_function() without do_decision_function()");
}

nlohmann::json Model::state() const {
  KOLOSAL_CHECK(fitted_, NotFitted, name(), "::state: the model is not fitted; call fit first");
  return {{"n_features", n_features_}, {"n_classes", n_classes_}, {"learned", do_state()}};
}

void Model::load_state(const nlohmann::json& state) {
  const std::string who = std::string(name()) + "::load_state";
  KOLOSAL_CHECK(state.is_object() && state.contains("n_features") && state.contains("n_classes") &&
                    state.contains("learned"),
                SerializationError, who,
                ": expected an object with n_features, n_classes and learned");
  const auto& features = state["n_features"];
  const auto& classes = state["n_classes"];
  KOLOSAL_CHECK(features.is_number_unsigned() && features.get<std::size_t>() > 0,
                SerializationError, who, ": invalid n_features ", features.dump());
  KOLOSAL_CHECK(classes.is_number_unsigned(), SerializationError, who, ": invalid n_classes ",
                classes.dump());
  KOLOSAL_CHECK((kind() == ModelKind::kClassifier) == (classes.get<std::size_t>() >= 2),
                SerializationError, who, ": n_classes ", classes.dump(), " does not fit a ",
                kind() == ModelKind::kClassifier ? "classifier" : "regressor");
  fitted_ = false;
  n_features_ = features.get<std::size_t>();
  n_classes_ = classes.get<std::size_t>();
  try {
    do_load_state(state["learned"]);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // nlohmann type errors and the like: a malformed state, never a crash.
    KOLOSAL_THROW(SerializationError, who, ": malformed state: ", e.what());
  }
  fitted_ = true;
}

}  // namespace kolosal
