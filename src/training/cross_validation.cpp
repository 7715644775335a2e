// SPDX-License-Identifier: MIT
// cross_validate: folds fitted in parallel, scored with the metrics registry.
#include "kolosal/training/cross_validation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/metrics/registry.hpp"
#include "kolosal/training/registry.hpp"

#include "core/row_subset.hpp"

namespace kolosal::training {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct FoldOutput {
  FoldResult result;
  std::vector<double> predictions;
  Matrix<double> proba;
};

}  // namespace

std::size_t CrossValidationResult::metric_index(std::string_view name) const {
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i] == name) return i;
  }
  KOLOSAL_THROW(InvalidArgument, "CrossValidationResult: metric '", name, "' was not computed");
}

nlohmann::json CrossValidationResult::to_json() const {
  nlohmann::json folds_json = nlohmann::json::array();
  for (const auto& f : folds) {
    nlohmann::json scores = nlohmann::json::object();
    for (std::size_t m = 0; m < metrics.size(); ++m) scores[metrics[m]] = f.scores[m];
    folds_json.push_back({{"fold", f.fold},
                          {"n_train", f.n_train},
                          {"n_test", f.n_test},
                          {"scores", std::move(scores)},
                          {"fit_seconds", f.fit_seconds},
                          {"predict_seconds", f.predict_seconds}});
  }
  nlohmann::json m = nlohmann::json::object();
  nlohmann::json s = nlohmann::json::object();
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    m[metrics[i]] = mean[i];
    s[metrics[i]] = stddev[i];
  }
  return {{"metrics", metrics}, {"folds", std::move(folds_json)}, {"mean", m}, {"stddev", s}};
}

CrossValidationResult cross_validate(const Model& prototype, MatrixView<const double> x,
                                     std::span<const double> y,
                                     std::span<const data::SplitIndices> splits,
                                     const CrossValidationOptions& options) {
  const std::size_t n = x.rows();
  KOLOSAL_CHECK(y.size() == n, ShapeMismatch, "cross_validate: x has ", n, " rows but y has ",
                y.size(), " values");
  KOLOSAL_CHECK(options.sample_weight.empty() || options.sample_weight.size() == n, ShapeMismatch,
                "cross_validate: ", options.sample_weight.size(), " sample weights for ", n,
                " rows");
  KOLOSAL_CHECK(!splits.empty(), InvalidArgument, "cross_validate: no splits");
  for (std::size_t f = 0; f < splits.size(); ++f) {
    KOLOSAL_CHECK(!splits[f].train.empty() && !splits[f].test.empty(), InvalidArgument,
                  "cross_validate: split ", f, " has an empty side");
    for (const auto* side : {&splits[f].train, &splits[f].test}) {
      for (std::size_t r : *side) {
        KOLOSAL_CHECK(r < n, InvalidArgument, "cross_validate: split ", f, " refers to row ", r,
                      " of ", n);
      }
    }
  }
  const bool classifier = prototype.is_classifier();
  CrossValidationResult out;
  out.metrics = options.metrics;
  if (out.metrics.empty()) out.metrics = {classifier ? "accuracy" : "r2"};
  bool any_proba = false;
  for (const auto& name : out.metrics) {
    const auto& info = metrics::metric_info(name);
    KOLOSAL_CHECK((info.task == metrics::Task::kClassification) == classifier, InvalidArgument,
                  "cross_validate: metric '", name, "' is for ",
                  info.task == metrics::Task::kClassification ? "classification" : "regression",
                  " but model '", prototype.name(), "' is a ",
                  classifier ? "classifier" : "regressor");
    any_proba = any_proba || info.needs_proba;
  }
  KOLOSAL_CHECK(!any_proba || prototype.has_predict_proba(), InvalidArgument,
                "cross_validate: a requested metric needs probabilities but model '",
                prototype.name(), "' has no predict_proba");
  std::size_t n_classes = 0;
  if (classifier) {
    for (double v : y) {
      KOLOSAL_CHECK(std::isfinite(v) && v >= 0.0 && v == std::floor(v), InvalidArgument,
                    "cross_validate: classifier target ", v, " is not a class index");
      n_classes = std::max(n_classes, static_cast<std::size_t>(v) + 1);
    }
  }
  const bool want_proba = classifier && prototype.has_predict_proba();

  std::vector<FoldOutput> outputs(splits.size());
  Context inner = options.context;
  inner.n_threads = 1;
  parallel::for_each_index(options.context, splits.size(), [&](std::size_t f) {
    const auto& split = splits[f];
    const Matrix<double> x_train = detail::take_rows(x, split.train);
    const Matrix<double> x_test = detail::take_rows(x, split.test);
    std::vector<double> y_train(split.train.size());
    std::vector<double> y_test(split.test.size());
    for (std::size_t i = 0; i < split.train.size(); ++i) y_train[i] = y[split.train[i]];
    for (std::size_t i = 0; i < split.test.size(); ++i) y_test[i] = y[split.test[i]];
    std::vector<double> w_train;
    std::vector<double> w_test;
    if (!options.sample_weight.empty()) {
      for (std::size_t r : split.train) w_train.push_back(options.sample_weight[r]);
      for (std::size_t r : split.test) w_test.push_back(options.sample_weight[r]);
    }
    if (classifier && options.balanced_class_weight) {
      std::vector<double> count(n_classes, 0.0);
      for (double v : y_train) count[static_cast<std::size_t>(v)] += 1.0;
      std::size_t present = 0;
      for (double c : count) present += c > 0.0;
      if (w_train.empty()) w_train.assign(y_train.size(), 1.0);
      for (std::size_t i = 0; i < y_train.size(); ++i) {
        w_train[i] *= static_cast<double>(y_train.size()) /
                      (static_cast<double>(present) * count[static_cast<std::size_t>(y_train[i])]);
      }
    }
    auto model = prototype.clone();
    model->set_context(inner);
    FitOptions fit_options;
    fit_options.sample_weight = w_train;
    if (classifier) fit_options.n_classes = n_classes;
    if (options.eval_on_test_fold) {
      fit_options.eval_x = x_test.view();
      fit_options.eval_y = y_test;
    }
    FoldOutput& o = outputs[f];
    const auto t0 = std::chrono::steady_clock::now();
    model->fit(x_train.view(), y_train, fit_options);
    o.result.fit_seconds = seconds_since(t0);
    if (options.on_fold_fitted) options.on_fold_fitted(f, *model);
    const auto t1 = std::chrono::steady_clock::now();
    o.predictions = model->predict(x_test.view());
    if (want_proba) o.proba = model->predict_proba(x_test.view());
    o.result.predict_seconds = seconds_since(t1);
    o.result.fold = f;
    o.result.n_train = split.train.size();
    o.result.n_test = split.test.size();
    for (const auto& name : out.metrics) {
      const auto& info = metrics::metric_info(name);
      if (classifier) {
        std::vector<int> truth(y_test.size());
        std::vector<int> pred(y_test.size());
        for (std::size_t i = 0; i < y_test.size(); ++i) {
          truth[i] = static_cast<int>(y_test[i]);
          pred[i] = static_cast<int>(o.predictions[i]);
        }
        o.result.scores.push_back(info.needs_proba
                                      ? metrics::score(name, truth, o.proba.view(), w_test)
                                      : metrics::score(name, truth, pred, w_test));
      } else {
        o.result.scores.push_back(metrics::score(name, y_test, o.predictions, w_test));
      }
    }
  });

  out.oof_predictions.assign(n, std::numeric_limits<double>::quiet_NaN());
  if (want_proba) {
    out.oof_proba = Matrix<double>(n, n_classes, std::numeric_limits<double>::quiet_NaN());
  }
  const std::size_t k = out.metrics.size();
  out.mean.assign(k, 0.0);
  out.stddev.assign(k, 0.0);
  for (std::size_t f = 0; f < splits.size(); ++f) {
    const auto& o = outputs[f];
    for (std::size_t i = 0; i < splits[f].test.size(); ++i) {
      const std::size_t r = splits[f].test[i];
      out.oof_predictions[r] = o.predictions[i];
      if (want_proba) {
        for (std::size_t c = 0; c < n_classes; ++c) out.oof_proba(r, c) = o.proba(i, c);
      }
    }
    for (std::size_t m = 0; m < k; ++m) out.mean[m] += o.result.scores[m];
    out.folds.push_back(o.result);
  }
  const auto nf = static_cast<double>(splits.size());
  for (std::size_t m = 0; m < k; ++m) {
    out.mean[m] /= nf;
    double ss = 0.0;
    for (const auto& f : out.folds) ss += (f.scores[m] - out.mean[m]) * (f.scores[m] - out.mean[m]);
    out.stddev[m] = std::sqrt(ss / nf);
  }
  return out;
}

CrossValidationResult cross_validate(std::string_view model, const nlohmann::json& config,
                                     MatrixView<const double> x, std::span<const double> y,
                                     std::span<const data::SplitIndices> splits,
                                     const CrossValidationOptions& options) {
  const auto prototype = make_model(model, config);
  return cross_validate(*prototype, x, y, splits, options);
}

}  // namespace kolosal::training
