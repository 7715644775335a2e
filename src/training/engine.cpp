// SPDX-License-Identifier: MIT
// TrainingEngine: cross-validation, final fit and the JSON training report.
#include "kolosal/training/engine.hpp"

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/registry.hpp"

namespace kolosal::training {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

nlohmann::json TrainingResult::report() const {
  KOLOSAL_CHECK(model != nullptr, NotFitted, "TrainingResult::report: no model was trained");
  return {{"model", model->name()},
          {"model_config", model->config()},
          {"task", model->is_classifier() ? "classification" : "regression"},
          {"n_rows", n_rows},
          {"n_features", n_features},
          {"options", config::to_json(options)},
          {"validation", options.validate ? cross_validation.to_json() : nlohmann::json(nullptr)},
          {"fit_seconds", fit_seconds},
          {"total_seconds", total_seconds}};
}

TrainingEngine::TrainingEngine(std::string_view model, const nlohmann::json& model_config,
                               TrainingOptions options, Context context)
    : prototype_(make_model(model, model_config)), options_(std::move(options)), context_(context) {
  config::validate(options_, "TrainingEngine");
}

TrainingEngine::TrainingEngine(const TrainingEngine& other)
    : prototype_(other.prototype_->clone()), options_(other.options_), context_(other.context_) {}

TrainingEngine& TrainingEngine::operator=(const TrainingEngine& other) {
  if (this != &other) {
    prototype_ = other.prototype_->clone();
    options_ = other.options_;
    context_ = other.context_;
  }
  return *this;
}

TrainingResult TrainingEngine::train(MatrixView<const double> x, std::span<const double> y,
                                     std::span<const std::int64_t> groups) const {
  const auto start = std::chrono::steady_clock::now();
  KOLOSAL_CHECK(y.size() == x.rows(), ShapeMismatch, "TrainingEngine::train: x has ", x.rows(),
                " rows but y has ", y.size(), " values");
  TrainingResult result;
  result.options = options_;
  result.n_rows = x.rows();
  result.n_features = x.cols();
  if (options_.validate) {
    const auto splits = make_splits(options_.validation, x.rows(), y, groups);
    CrossValidationOptions cv;
    cv.metrics = options_.metrics;
    cv.balanced_class_weight = options_.balanced_class_weight;
    cv.context = context_;
    result.cross_validation = cross_validate(*prototype_, x, y, splits, cv);
  }
  auto model = prototype_->clone();
  model->set_context(context_);
  std::vector<double> weights;
  FitOptions fit_options;
  if (model->is_classifier() && options_.balanced_class_weight) {
    std::vector<double> count;
    for (double v : y) {
      KOLOSAL_CHECK(std::isfinite(v) && v >= 0.0 && v == std::floor(v), InvalidArgument,
                    "TrainingEngine::train: classifier target ", v, " is not a class index");
      const auto c = static_cast<std::size_t>(v);
      if (count.size() <= c) count.resize(c + 1, 0.0);
      count[c] += 1.0;
    }
    std::size_t present = 0;
    for (double c : count) present += c > 0.0;
    for (double v : y) {
      weights.push_back(static_cast<double>(y.size()) /
                        (static_cast<double>(present) * count[static_cast<std::size_t>(v)]));
    }
    fit_options.sample_weight = weights;
  }
  const auto fit_start = std::chrono::steady_clock::now();
  model->fit(x, y, fit_options);
  result.fit_seconds = seconds_since(fit_start);
  result.model = std::move(model);
  result.total_seconds = seconds_since(start);
  return result;
}

}  // namespace kolosal::training
