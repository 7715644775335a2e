// SPDX-License-Identifier: MIT
// Tests of the histogram GBDT: known answers, derivatives, missing values, determinism,
// serialisation, early stopping and quality against XGBoost 1.7.
#include "kolosal/training/gbdt.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/metrics/registry.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/gbdt/engine.hpp"

namespace kt = kolosal::training;
using kolosal::Matrix;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Dataset {
  Matrix<double> x;
  std::vector<double> y;
};

// A synthetic problem with signal in the first three features and some missing values.
Dataset synthetic(std::size_t n, std::size_t cols, kt::GbdtObjective objective,
                  std::uint64_t seed = 7) {
  kolosal::Rng rng(seed);
  Dataset d{Matrix<double>(n, cols), std::vector<double>(n)};
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < cols; ++c) d.x(r, c) = rng.normal();
    const double signal =
        2.0 * d.x(r, 0) - d.x(r, 1) + (d.x(r, 2) > 0.5 ? 1.5 : 0.0) + 0.3 * rng.normal();
    if (rng.bernoulli(0.05)) d.x(r, 1) = kNaN;
    switch (objective) {
      case kt::GbdtObjective::kSquaredError:
        d.y[r] = signal;
        break;
      case kt::GbdtObjective::kBinaryLogloss:
        d.y[r] = signal > 0.3 ? 1.0 : 0.0;
        break;
      case kt::GbdtObjective::kSoftmax:
        d.y[r] = signal < -1.0 ? 0.0 : (signal < 1.0 ? 1.0 : 2.0);
        break;
      case kt::GbdtObjective::kPoisson:
        // A count whose mean is exp(signal / 2).
        d.y[r] = std::floor(std::exp(0.5 * signal) * (0.5 + rng.uniform()));
        break;
      default:
        d.y[r] = signal;
        break;
    }
  }
  return d;
}

// Reads one of the bundled CSV files: numeric features, the last column the target (class labels
// become the index of their sorted unique value when `classes`).
Dataset read_dataset(const std::string& file, bool classes) {
  std::ifstream in(kolosal::test::data_path(file));
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  std::vector<std::string> labels;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string field;
    std::vector<std::string> parts;
    while (std::getline(fields, field, ',')) parts.push_back(field);
    std::vector<double> row;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) row.push_back(std::stod(parts[i]));
    rows.push_back(row);
    labels.push_back(parts.back());
  }
  Dataset d{Matrix<double>(rows.size(), rows[0].size()), std::vector<double>(rows.size())};
  std::vector<std::string> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (classes) {
    // Numeric labels sort numerically, as pandas does.
    bool numeric = true;
    for (const auto& s : sorted)
      numeric = numeric && s.find_first_not_of("0123456789.") == std::string::npos;
    if (numeric) {
      std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
        return std::stod(a) < std::stod(b);
      });
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::copy(rows[r].begin(), rows[r].end(), d.x.row(r).begin());
    d.y[r] = classes ? static_cast<double>(std::find(sorted.begin(), sorted.end(), labels[r]) -
                                           sorted.begin())
                     : std::stod(labels[r]);
  }
  return d;
}

Dataset take_rows(const Dataset& d, bool test) {
  std::vector<std::size_t> keep;
  for (std::size_t r = 0; r < d.y.size(); ++r) {
    if ((r % 4 == 0) == test) keep.push_back(r);
  }
  Dataset out{Matrix<double>(keep.size(), d.x.cols()), {}};
  for (std::size_t i = 0; i < keep.size(); ++i) {
    std::copy(d.x.row(keep[i]).begin(), d.x.row(keep[i]).end(), out.x.row(i).begin());
    out.y.push_back(d.y[keep[i]]);
  }
  return out;
}

std::vector<int> as_labels(const std::vector<double>& y) { return {y.begin(), y.end()}; }

}  // namespace

TEST_CASE("gbdt: one stump on a toy problem has the known split and leaf values",
          "[training][gbdt]") {
  Matrix<double> x(4, 1);
  for (std::size_t r = 0; r < 4; ++r) x(r, 0) = static_cast<double>(r + 1);
  const std::vector<double> y{0, 0, 10, 10};
  kt::Gbdt model({.n_estimators = 1,
                  .learning_rate = 1.0,
                  .max_depth = 1,
                  .lambda = 0.0,
                  .min_child_weight = 0.0});
  model.fit(x.view(), y);
  const auto& forest = model.forest();
  REQUIRE(forest.n_trees() == 1);
  REQUIRE(forest.nodes.size() == 3);
  CHECK(forest.base_score[0] == 5.0);
  CHECK(forest.nodes[0].feature == 0);
  CHECK(forest.nodes[0].threshold == 2.5);
  CHECK(forest.nodes[1].threshold == -5.0);
  CHECK(forest.nodes[2].threshold == 5.0);
  CHECK(model.predict(x.view()) == y);
  // With lambda the leaves shrink to -G / (H + lambda): 10 / 3 from the base score.
  kt::Gbdt shrunk({.n_estimators = 1, .learning_rate = 1.0, .max_depth = 1, .lambda = 1.0});
  shrunk.fit(x.view(), y);
  CHECK(shrunk.predict(x.view())[3] == Approx(5.0 + 10.0 / 3.0).epsilon(1e-14));
  // min_split_gain equal to the gain (XGBoost's unhalved G^2 / H terms: 50 + 50) keeps one leaf.
  kt::Gbdt blocked({.n_estimators = 1, .max_depth = 1, .lambda = 0.0, .min_split_gain = 100.0});
  blocked.fit(x.view(), y);
  CHECK(blocked.forest().nodes.size() == 1);
}

TEST_CASE("gbdt: gradients and hessians match finite differences of the loss", "[training][gbdt]") {
  constexpr double kStep = 1e-5;
  kolosal::Rng rng(3);
  for (auto objective : {kt::GbdtObjective::kSquaredError, kt::GbdtObjective::kBinaryLogloss,
                         kt::GbdtObjective::kSoftmax, kt::GbdtObjective::kPseudoHuber,
                         kt::GbdtObjective::kPoisson}) {
    const std::size_t k = objective == kt::GbdtObjective::kSoftmax ? 4 : 1;
    INFO(kolosal::config::enum_name(objective));
    // Poisson's hessian is exact without XGBoost's max_delta_step safeguard; softmax's is twice
    // the exact diagonal (XGBoost's 2 p (1 - p)).
    const kt::GbdtConfig cfg{
        .objective = objective, .huber_delta = 1.7, .poisson_max_delta_step = 0.0};
    const double hess_factor = objective == kt::GbdtObjective::kSoftmax ? 2.0 : 1.0;
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> raw(k);
      for (auto& v : raw) v = rng.normal(0.0, 2.0);
      const bool classes = objective == kt::GbdtObjective::kBinaryLogloss ||
                           objective == kt::GbdtObjective::kSoftmax;
      const double y = objective == kt::GbdtObjective::kPoisson
                           ? static_cast<double>(rng.uniform_index(6))
                       : classes ? static_cast<double>(rng.uniform_index(k == 1 ? 2 : k))
                                 : rng.normal(0.0, 3.0);
      std::vector<double> grad(k);
      std::vector<double> hess(k);
      kt::gbdt_gradients(cfg, k, raw, std::vector<double>{y}, grad, hess);
      for (std::size_t c = 0; c < k; ++c) {
        auto plus = raw;
        auto minus = raw;
        plus[c] += kStep;
        minus[c] -= kStep;
        const double numeric_grad =
            (kt::gbdt_loss(cfg, plus, y) - kt::gbdt_loss(cfg, minus, y)) / (2 * kStep);
        CHECK(grad[c] == Approx(numeric_grad).epsilon(1e-6).margin(1e-7));
        std::vector<double> gp(k), hp(k), gm(k), hm(k);
        kt::gbdt_gradients(cfg, k, plus, std::vector<double>{y}, gp, hp);
        kt::gbdt_gradients(cfg, k, minus, std::vector<double>{y}, gm, hm);
        CHECK(hess[c] ==
              Approx(hess_factor * (gp[c] - gm[c]) / (2 * kStep)).epsilon(1e-6).margin(1e-7));
      }
    }
  }
  std::vector<double> out(1);
  CHECK_THROWS_AS(kt::gbdt_gradients(kt::GbdtConfig{}, 1, std::vector<double>(2),
                                     std::vector<double>(1), out, out),
                  kolosal::InvalidArgument);
}

TEST_CASE("gbdt: missing values learn a default direction", "[training][gbdt]") {
  const kt::GbdtConfig stump{.n_estimators = 1,
                             .learning_rate = 1.0,
                             .max_depth = 1,
                             .lambda = 0.0,
                             .min_child_weight = 0.0};
  Matrix<double> x(6, 1);
  const std::vector<double> values{1, 2, kNaN, 8, 9, kNaN};
  for (std::size_t r = 0; r < 6; ++r) x(r, 0) = values[r];
  // Missing rows look like the low values: they go left with them.
  kt::Gbdt low(stump);
  low.fit(x.view(), std::vector<double>{0, 0, 0, 10, 10, 0});
  CHECK(low.forest().nodes[0].default_left == 1);
  CHECK(low.predict(x.view()) == std::vector<double>{0, 0, 0, 10, 10, 0});
  // Missing rows look like the high values: they go right.
  kt::Gbdt high(stump);
  high.fit(x.view(), std::vector<double>{0, 0, 10, 10, 10, 10});
  CHECK(high.forest().nodes[0].default_left == 0);
  CHECK(high.predict(x.view()) == std::vector<double>{0, 0, 10, 10, 10, 10});
  // Missing alone differs: every non-missing value goes left, missing ones right.
  kt::Gbdt apart(stump);
  apart.fit(x.view(), std::vector<double>{3, 3, 7, 3, 3, 7});
  CHECK(std::isinf(apart.forest().nodes[0].threshold));
  CHECK(apart.predict(x.view()) == std::vector<double>{3, 3, 7, 3, 3, 7});
  // The infinite threshold survives a JSON round trip.
  const auto restored = kt::model_from_json(json::parse(kt::model_to_json(apart).dump()));
  CHECK(restored->predict(x.view()) == apart.predict(x.view()));
}

TEST_CASE("gbdt: the same seed gives a bit-identical model for any thread count",
          "[training][gbdt]") {
  // Enough rows for several histogram and partition blocks.
  const auto d = synthetic(40000, 8, kt::GbdtObjective::kBinaryLogloss);
  const kt::GbdtConfig cfg{.objective = kt::GbdtObjective::kBinaryLogloss,
                           .n_estimators = 6,
                           .learning_rate = 0.2,
                           .max_depth = 5,
                           .subsample = 0.8,
                           .colsample_bytree = 0.75,
                           .bin_sample_rows = 20000};
  std::vector<json> states;
  std::vector<kolosal::Matrix<double>> probas;
  for (int threads : {1, 2, 3}) {
    kt::Gbdt model(cfg);
    model.set_context({.n_threads = threads, .seed = 11});
    model.fit(d.x.view(), d.y);
    states.push_back(model.state());
    probas.push_back(model.predict_proba(d.x.view()));
  }
  CHECK(states[0] == states[1]);
  CHECK(states[0] == states[2]);
  CHECK(probas[0] == probas[1]);
  CHECK(probas[0] == probas[2]);
  // Another seed draws other rows and features.
  kt::Gbdt other(cfg);
  other.set_context({.n_threads = 2, .seed = 12});
  other.fit(d.x.view(), d.y);
  CHECK(other.state() != states[0]);
}

TEST_CASE("gbdt: save, load and clone predict identically for every objective and preset",
          "[training][gbdt]") {
  kolosal::test::TempDir dir;
  for (auto objective : {kt::GbdtObjective::kSquaredError, kt::GbdtObjective::kBinaryLogloss,
                         kt::GbdtObjective::kSoftmax}) {
    for (const char* name : {"gbdt", "xgboost", "lightgbm"}) {
      INFO(name << " " << kolosal::config::enum_name(objective));
      const auto d = synthetic(600, 5, objective);
      auto model = kt::make_model(
          name, {{"objective", kolosal::config::enum_name(objective)}, {"n_estimators", 8}});
      CHECK(model->is_classifier() == (objective != kt::GbdtObjective::kSquaredError));
      CHECK(model->name() == name);
      model->fit(d.x.view(), d.y);
      const auto path = dir / (std::string(name) + ".json");
      kt::save_model(*model, path);
      const auto loaded = kt::load_model(path);
      CHECK(loaded->name() == name);
      CHECK(loaded->predict(d.x.view()) == model->predict(d.x.view()));
      CHECK(loaded->decision_function(d.x.view()) == model->decision_function(d.x.view()));
      const auto copy = model->clone();
      CHECK(copy->decision_function(d.x.view()) == model->decision_function(d.x.view()));
      if (model->is_classifier()) {
        CHECK(loaded->predict_proba(d.x.view()) == model->predict_proba(d.x.view()));
      }
    }
  }
  kt::Gbdt model;
  CHECK_THROWS_AS(model.state(), kolosal::NotFitted);
  const auto d = synthetic(200, 3, kt::GbdtObjective::kSquaredError);
  model.fit(d.x.view(), d.y);
  auto state = model.state();
  state["learned"]["left"][0] = 100000;
  CHECK_THROWS_AS(model.load_state(state), kolosal::SerializationError);
}

TEST_CASE("gbdt: batch, single-row and raw-score paths agree", "[training][gbdt]") {
  const auto d = synthetic(1000, 6, kt::GbdtObjective::kSoftmax);
  kt::Gbdt model({.objective = kt::GbdtObjective::kSoftmax, .n_estimators = 10});
  model.fit(d.x.view(), d.y);
  const auto raw = model.decision_function(d.x.view());
  REQUIRE(raw.cols() == 3);
  std::vector<double> out(3);
  for (std::size_t r = 0; r < d.y.size(); r += 37) {
    model.predict_raw_row(d.x.row(r), out);
    for (std::size_t c = 0; c < 3; ++c) CHECK(out[c] == raw(r, c));
  }
  const auto proba = model.predict_proba(d.x.view());
  for (std::size_t r = 0; r < proba.rows(); ++r) {
    CHECK(proba(r, 0) + proba(r, 1) + proba(r, 2) == Approx(1.0));
  }
  CHECK_THROWS_AS(model.predict_raw_row(std::vector<double>(2), out), kolosal::ShapeMismatch);
}

TEST_CASE("gbdt: feature importances single out the informative features", "[training][gbdt]") {
  const auto d = synthetic(2000, 6, kt::GbdtObjective::kSquaredError);
  kt::Gbdt model({.n_estimators = 20, .max_depth = 3});
  model.fit(d.x.view(), d.y);
  const auto importances = *model.feature_importances();
  CHECK(std::accumulate(importances.begin(), importances.end(), 0.0) == Approx(1.0));
  CHECK(importances[0] > 0.4);
  for (std::size_t f = 3; f < 6; ++f) CHECK(importances[f] < 0.05);
  const auto splits = model.feature_importance(kt::GbdtImportance::kSplit);
  CHECK(std::accumulate(splits.begin(), splits.end(), 0.0) > 20.0);
}

TEST_CASE("gbdt: leaf-wise growth respects num_leaves and beats a single leaf",
          "[training][gbdt]") {
  const auto d = synthetic(3000, 5, kt::GbdtObjective::kSquaredError);
  kt::LightGBMGbdt model(kt::LightGBMPresetConfig{});
  kt::GbdtConfig cfg = model.gbdt_config();
  cfg.num_leaves = 7;
  cfg.n_estimators = 30;
  kt::Gbdt leafwise(cfg);
  leafwise.fit(d.x.view(), d.y);
  const auto& forest = leafwise.forest();
  for (std::size_t t = 0; t < forest.n_trees(); ++t) {
    const std::size_t end = t + 1 < forest.n_trees() ? forest.roots[t + 1] : forest.nodes.size();
    CHECK(end - forest.roots[t] <= 2 * 7 - 1);
  }
  const auto pred = leafwise.predict(d.x.view());
  const double rmse = kolosal::metrics::score("root_mean_squared_error", d.y, pred);
  CHECK(rmse < 0.6);
}

TEST_CASE("gbdt: two-byte bins when max_bin exceeds 256", "[training][gbdt]") {
  const auto d = synthetic(3000, 3, kt::GbdtObjective::kSquaredError);
  kt::Gbdt narrow({.n_estimators = 20, .max_bin = 256});
  kt::Gbdt wide({.n_estimators = 20, .max_bin = 1024});
  narrow.fit(d.x.view(), d.y);
  wide.fit(d.x.view(), d.y);
  // Finer bins place thresholds between more distinct values.
  std::size_t distinct_thresholds = 0;
  for (const auto& node : wide.forest().nodes) distinct_thresholds += node.feature >= 0 ? 1 : 0;
  CHECK(distinct_thresholds > 0);
  const double a =
      kolosal::metrics::score("root_mean_squared_error", d.y, narrow.predict(d.x.view()));
  const double b =
      kolosal::metrics::score("root_mean_squared_error", d.y, wide.predict(d.x.view()));
  CHECK(b == Approx(a).epsilon(0.1));
}

TEST_CASE("gbdt: early stopping keeps the best round of the eval set", "[training][gbdt]") {
  const auto train = synthetic(1500, 5, kt::GbdtObjective::kBinaryLogloss, 1);
  const auto eval = synthetic(500, 5, kt::GbdtObjective::kBinaryLogloss, 2);
  kt::Gbdt model({.objective = kt::GbdtObjective::kBinaryLogloss,
                  .n_estimators = 300,
                  .learning_rate = 0.5,
                  .max_depth = 6,
                  .lambda = 0.0,
                  .min_child_weight = 0.0,
                  .early_stopping_rounds = 5});
  kolosal::FitOptions options;
  options.eval_x = eval.x.view();
  options.eval_y = eval.y;
  model.fit(train.x.view(), train.y, options);
  const auto& history = model.eval_history();
  REQUIRE(history.size() < 300);
  const auto best =
      static_cast<std::size_t>(std::min_element(history.begin(), history.end()) - history.begin());
  CHECK(history.size() == best + 6);
  CHECK(model.n_rounds() == best + 1);
  const auto proba = model.predict_proba(eval.x.view());
  CHECK(kolosal::metrics::score("log_loss", as_labels(eval.y), proba.view()) ==
        Approx(history[best]).epsilon(1e-12));
  // A greater-is-better metric.
  kt::Gbdt by_auc({.objective = kt::GbdtObjective::kBinaryLogloss,
                   .n_estimators = 40,
                   .early_stopping_rounds = 3,
                   .eval_metric = "roc_auc"});
  by_auc.fit(train.x.view(), train.y, options);
  const auto& auc = by_auc.eval_history();
  CHECK(auc[by_auc.n_rounds() - 1] == *std::max_element(auc.begin(), auc.end()));

  kt::Gbdt no_eval({.early_stopping_rounds = 3});
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { no_eval.fit(train.x.view(), train.y); }, "has no eval_x");
  kt::Gbdt wrong_metric({.eval_metric = "accuracy"});
  kolosal::test::expect_error<kolosal::ConfigError>(
      [&] { wrong_metric.fit(train.x.view(), train.y, options); }, "does not score a regressor");
}

TEST_CASE("gbdt: config round-trips through JSON and rejects bad values", "[training][gbdt]") {
  kt::GbdtConfig cfg{.objective = kt::GbdtObjective::kSoftmax,
                     .growth = kt::GbdtGrowth::kLeafwise,
                     .n_estimators = 17,
                     .learning_rate = 0.05,
                     .max_depth = 0,
                     .num_leaves = 15,
                     .max_bin = 512,
                     .lambda = 2.5,
                     .alpha = 0.5,
                     .subsample = 0.7,
                     .eval_metric = "accuracy",
                     .importance_type = kt::GbdtImportance::kSplit};
  const json j = kolosal::config::to_json(cfg);
  CHECK(j["growth"] == "leafwise");
  CHECK(kolosal::config::from_json<kt::GbdtConfig>(j) == cfg);
  CHECK(kolosal::config::from_json<kt::GbdtConfig>(json::parse(j.dump())) == cfg);
  CHECK_THROWS_AS(kolosal::config::from_json<kt::GbdtConfig>({{"max_bin", 2}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(kolosal::config::from_json<kt::GbdtConfig>({{"subsample", 0.0}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(kolosal::config::from_json<kt::GbdtConfig>({{"objective", "poisson!"}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(kolosal::config::from_json<kt::GbdtConfig>({{"n_trees", 3}}),
                  kolosal::ConfigError);
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] { kolosal::config::validate(kt::GbdtConfig{.num_leaves = 1}, "gbdt"); },
      "num_leaves must be 0 or >= 2");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] { kolosal::config::validate(kt::GbdtConfig{.max_depth = 0}, "gbdt"); },
      "max_depth and num_leaves are both 0");
  // Presets differ only in their defaults.
  const auto lightgbm = kt::make_model("lightgbm");
  CHECK(lightgbm->config()["growth"] == "leafwise");
  CHECK(lightgbm->config()["num_leaves"] == 31);
  CHECK(kt::make_model("xgboost")->config() == kt::make_model("gbdt")->config());
  CHECK(kt::model_info("gbdt").classification);
  CHECK(kt::model_info("gbdt").regression);
  // binary_logloss on three classes.
  const auto d = synthetic(300, 3, kt::GbdtObjective::kSoftmax);
  kt::Gbdt binary({.objective = kt::GbdtObjective::kBinaryLogloss});
  kolosal::test::expect_error<kolosal::ConfigError>([&] { binary.fit(d.x.view(), d.y); },
                                                    "needs 2 classes");
}

TEST_CASE("gbdt: quality on the bundled datasets is within a small tolerance of XGBoost 1.7",
          "[training][gbdt]") {
  std::ifstream in(kolosal::test::reference_path("gbdt.json"));
  const json ref = json::parse(in);
  const auto& p = ref["params"];
  for (const auto& c : ref["cases"]) {
    const std::string objective = c["objective"];
    INFO(c.dump());
    const bool classes = objective != "squared_error";
    const auto all = read_dataset(c["file"], classes);
    const auto train = take_rows(all, false);
    const auto test = take_rows(all, true);
    auto model = kt::make_model("gbdt", {{"objective", objective},
                                         {"n_estimators", c["rounds"]},
                                         {"learning_rate", p["eta"]},
                                         {"max_depth", p["max_depth"]},
                                         {"lambda", p["lambda"]},
                                         {"alpha", p["alpha"]},
                                         {"min_child_weight", p["min_child_weight"]},
                                         {"min_split_gain", p["gamma"]},
                                         {"max_bin", p["max_bin"]}});
    model->fit(train.x.view(), train.y);
    if (classes) {
      const auto proba = model->predict_proba(test.x.view());
      const double loss = kolosal::metrics::score("log_loss", as_labels(test.y), proba.view());
      const double accuracy = kolosal::metrics::score("accuracy", as_labels(test.y), proba.view());
      UNSCOPED_INFO("log_loss " << loss << " accuracy " << accuracy);
      CHECK(loss <= c["log_loss"].get<double>() * 1.15 + 0.01);
      CHECK(accuracy >= c["accuracy"].get<double>() - 0.03);
    } else {
      const double rmse =
          kolosal::metrics::score("root_mean_squared_error", test.y, model->predict(test.x.view()));
      UNSCOPED_INFO("rmse " << rmse);
      CHECK(rmse <= c["rmse"].get<double>() * 1.03);
    }
  }
}

TEST_CASE("gbdt: quantile bins code values in one or two bytes with missing as code 0",
          "[training][gbdt]") {
  constexpr std::size_t kRows = 3000;
  Matrix<double> x(kRows, 2);
  for (std::size_t r = 0; r < kRows; ++r) {
    x(r, 0) = static_cast<double>((r * 7919) % kRows);  // 3000 distinct values, shuffled
    x(r, 1) = r % 10 == 0 ? kNaN : static_cast<double>(r % 5);
  }
  for (int max_bin : {256, 1024}) {
    INFO("max_bin " << max_bin);
    const auto data =
        kt::gbdt_detail::bin_data(kolosal::Context{}, x.view(), max_bin, 100000, kolosal::Rng(1));
    CHECK(data.wide() == (max_bin > 256));
    REQUIRE(data.upper[0].size() <= static_cast<std::size_t>(max_bin - 1));
    CHECK(data.upper[0].size() > static_cast<std::size_t>(max_bin) * 9 / 10);
    CHECK(data.upper[1].size() == 5);  // five distinct values: one bin each
    for (std::size_t r = 0; r < kRows; ++r) {
      for (std::size_t f = 0; f < 2; ++f) {
        const std::size_t code = data.wide() ? data.codes16[r * 2 + f] : data.codes8[r * 2 + f];
        const std::size_t column =
            data.wide() ? data.columns16[f * kRows + r] : data.columns8[f * kRows + r];
        CHECK(code == column);
        const double v = x(r, f);
        if (std::isnan(v)) {
          CHECK(code == 0);
          continue;
        }
        // v <= upper[code - 1] and v > upper[code - 2]: the convention splits rely on.
        REQUIRE(code >= 1);
        CHECK(v <= data.upper[f][code - 1]);
        if (code >= 2) CHECK(v > data.upper[f][code - 2]);
      }
    }
  }
}
