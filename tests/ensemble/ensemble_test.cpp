// SPDX-License-Identifier: MIT
#include "kolosal/ensemble/ensemble.hpp"

#include <fstream>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/split.hpp"
#include "kolosal/ensemble/selection.hpp"
#include "kolosal/metrics/registry.hpp"
#include "kolosal/training/cross_validation.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"

namespace ke = kolosal::ensemble;
namespace kt = kolosal::training;
using kolosal::Matrix;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

struct Table {
  Matrix<double> x;
  std::vector<double> y;
};

Table load(const std::string& file, const std::string& target) {
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path(file));
  Table t{frame.drop({target}).to_matrix(), frame.column(target).to_doubles()};
  return t;
}

// Class labels (any values) as indices 0..k-1 in sorted order.
std::vector<double> as_indices(const std::vector<double>& labels) {
  std::vector<double> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<double> out;
  for (const double v : labels) {
    out.push_back(
        static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin()));
  }
  return out;
}

Table rows(const Table& t, std::size_t begin, std::size_t end) {
  Table out{Matrix<double>(end - begin, t.x.cols()), {}};
  for (std::size_t i = begin; i < end; ++i) {
    for (std::size_t j = 0; j < t.x.cols(); ++j) out.x(i - begin, j) = t.x(i, j);
    out.y.push_back(t.y[i]);
  }
  return out;
}

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("ensemble.json"));
    return json::parse(in);
  }();
  return ref;
}

json member(const std::string& model, json params = json::object(), double weight = 1.0) {
  return json{{"model", model}, {"params", std::move(params)}, {"weight", weight}};
}

const json kLinearMembers =
    json::array({member("ridge", {{"alpha", 1.0}}, 1.0), member("ridge", {{"alpha", 100.0}}, 2.0),
                 member("linear_regression", json::object(), 3.0)});

}  // namespace

TEST_CASE("ensemble selection: known answer where two models' errors cancel", "[ensemble]") {
  const std::vector<double> y{1.0, 2.0, 3.0, 4.0};
  Matrix<double> a(4, 1), b(4, 1), c(4, 1);
  for (std::size_t i = 0; i < 4; ++i) {
    a(i, 0) = y[i] + 0.5;  // rmse 0.5
    b(i, 0) = y[i] - 0.5;  // rmse 0.5, errors opposite to a's
    c(i, 0) = y[i] + 1.0;  // rmse 1
  }
  const std::vector<kolosal::MatrixView<const double>> library{c.view(), a.view(), b.view()};
  const auto result = ke::select_ensemble(library, y, kolosal::metrics::Task::kRegression,
                                          {.ensemble_size = 6, .init_size = 1, .metric = ""});
  CHECK(result.metric == "root_mean_squared_error");
  REQUIRE(result.trajectory.size() == 6);
  CHECK(result.trajectory[0] == Approx(0.5));                // a, the first of the best singles
  CHECK(result.trajectory[1] == Approx(0.0).margin(1e-12));  // a + b cancel exactly
  CHECK(result.best_size == 2);
  CHECK(result.score == Approx(0.0).margin(1e-12));
  CHECK(result.counts == std::vector<std::size_t>{0, 1, 1});
  CHECK(result.weights == std::vector<double>{0.0, 0.5, 0.5});
}

TEST_CASE("ensemble selection: on iris out-of-fold probabilities it beats every member",
          "[ensemble]") {
  Table iris = load("iris.csv", "species");
  iris.y = as_indices(iris.y);
  const auto splits = kolosal::data::stratified_k_fold(iris.y, 5, true, 7);
  std::vector<Matrix<double>> oof;
  for (const auto& [name, params] : std::vector<std::pair<std::string, json>>{
           {"gaussian_nb", json::object()},
           {"knn_classifier", {{"n_neighbors", 3}}},
           {"decision_tree_classifier", {{"max_depth", 2}}}}) {
    const auto cv = kt::cross_validate(name, params, iris.x.view(), iris.y, splits);
    oof.push_back(cv.oof_proba);
  }
  std::vector<kolosal::MatrixView<const double>> library;
  for (const auto& m : oof) library.push_back(m.view());
  const auto result = ke::select_ensemble(library, iris.y, kolosal::metrics::Task::kClassification,
                                          {.ensemble_size = 20, .init_size = 2, .metric = ""});
  CHECK(result.metric == "log_loss");
  double total = 0.0;
  for (const double w : result.weights) total += w;
  CHECK(total == Approx(1.0));
  std::vector<int> labels(iris.y.begin(), iris.y.end());
  for (const auto& m : oof) {
    CHECK(result.score <= kolosal::metrics::score("log_loss", labels, m.view()) + 1e-12);
  }
  // The reported score is the metric of the weighted average it returns.
  Matrix<double> blend(iris.y.size(), 3, 0.0);
  for (std::size_t m = 0; m < oof.size(); ++m) {
    for (std::size_t i = 0; i < blend.rows(); ++i) {
      for (std::size_t j = 0; j < 3; ++j) blend(i, j) += result.weights[m] * oof[m](i, j);
    }
  }
  CHECK(kolosal::metrics::score("log_loss", labels, blend.view()) ==
        Approx(result.score).epsilon(1e-12));
}

TEST_CASE("ensemble selection: bad input is a clear error", "[ensemble]") {
  const std::vector<double> y{0.0, 1.0};
  Matrix<double> good(2, 1, 0.5);
  Matrix<double> short_one(1, 1, 0.5);
  Matrix<double> nan_one(2, 1, std::nan(""));
  using V = std::vector<kolosal::MatrixView<const double>>;
  const auto reg = kolosal::metrics::Task::kRegression;
  expect_error<kolosal::InvalidArgument>([&] { (void)ke::select_ensemble(V{}, y, reg); },
                                         "no model predictions");
  expect_error<kolosal::ShapeMismatch>(
      [&] {
        (void)ke::select_ensemble(V{good.view(), short_one.view()}, y, reg);
      },
      "model 1 has 1 x 1 predictions, expected 2 x 1");
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)ke::select_ensemble(V{nan_one.view()}, y, reg); },
      "model 0 has a non-finite prediction at row 0");
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)ke::select_ensemble(V{good.view()}, y, reg, {.metric = "accuracy"}); },
      "does not score regression");
  expect_error<kolosal::ConfigError>(
      [&] { (void)ke::select_ensemble(V{good.view()}, y, reg, {.ensemble_size = 0}); },
      "ensemble_size must be >= 1");
}

TEST_CASE("stacking regressor matches scikit-learn's StackingRegressor", "[ensemble]") {
  const Table all = load("diabetes.csv", "progression");
  const std::size_t n_train = reference()["n_train"].get<std::size_t>();
  const Table train = rows(all, 0, n_train);
  const Table test = rows(all, n_train, all.y.size());
  for (const bool passthrough : {false, true}) {
    const json& ref = reference()[passthrough ? "stacking_passthrough" : "stacking"];
    auto model = kt::make_model("stacking", {{"members", kLinearMembers},
                                             {"final_estimator", member("ridge", {{"alpha", 0.5}})},
                                             {"n_folds", 5},
                                             {"passthrough", passthrough}});
    model->fit(train.x.view(), train.y);
    const auto predicted = model->predict(test.x.view());
    const auto expected = ref["predictions"].get<std::vector<double>>();
    REQUIRE(predicted.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(predicted[i] == Approx(expected[i]).epsilon(1e-8));
    }
  }
}

TEST_CASE("voting regressor matches scikit-learn's weighted VotingRegressor", "[ensemble]") {
  const Table all = load("diabetes.csv", "progression");
  const std::size_t n_train = reference()["n_train"].get<std::size_t>();
  const Table train = rows(all, 0, n_train);
  const Table test = rows(all, n_train, all.y.size());
  auto model = kt::make_model("voting", {{"members", kLinearMembers}});
  CHECK(model->kind() == kolosal::ModelKind::kRegressor);
  model->fit(train.x.view(), train.y);
  const auto predicted = model->predict(test.x.view());
  const auto expected = reference()["voting"]["predictions"].get<std::vector<double>>();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(predicted[i] == Approx(expected[i]).epsilon(1e-9));
  }
}

TEST_CASE(
    "voting classifier: soft is the weighted mean of member probabilities, hard the "
    "weighted vote",
    "[ensemble]") {
  Table wine = load("wine.csv", "class");
  wine.y = as_indices(wine.y);
  const json members = json::array({member("gaussian_nb", json::object(), 2.0),
                                    member("decision_tree_classifier", {{"max_depth", 3}}, 1.0),
                                    member("knn_classifier", {{"n_neighbors", 5}}, 1.5)});
  auto soft = kt::make_model("voting", {{"members", members}, {"voting", "soft"}});
  auto hard = kt::make_model("voting", {{"members", members}, {"voting", "hard"}});
  soft->fit(wine.x.view(), wine.y);
  hard->fit(wine.x.view(), wine.y);
  CHECK(soft->has_predict_proba());
  CHECK_FALSE(hard->has_predict_proba());

  std::vector<std::unique_ptr<kolosal::Model>> alone;
  for (const auto& m : members) {
    alone.push_back(kt::make_model(m["model"].get<std::string>(), m["params"]));
    alone.back()->fit(wine.x.view(), wine.y);
  }
  const auto proba = soft->predict_proba(wine.x.view());
  const auto soft_pred = soft->predict(wine.x.view());
  const auto hard_pred = hard->predict(wine.x.view());
  std::vector<Matrix<double>> p;
  std::vector<std::vector<double>> votes;
  for (const auto& m : alone) {
    p.push_back(m->predict_proba(wine.x.view()));
    votes.push_back(m->predict(wine.x.view()));
  }
  const std::vector<double> w{2.0, 1.0, 1.5};
  for (std::size_t i = 0; i < wine.y.size(); ++i) {
    std::vector<double> expected(3, 0.0);
    std::vector<double> tally(3, 0.0);
    for (std::size_t m = 0; m < 3; ++m) {
      for (std::size_t j = 0; j < 3; ++j) expected[j] += w[m] * p[m](i, j) / 4.5;
      tally[static_cast<std::size_t>(votes[m][i])] += w[m];
    }
    for (std::size_t j = 0; j < 3; ++j) CHECK(proba(i, j) == Approx(expected[j]));
    CHECK(soft_pred[i] == static_cast<double>(std::max_element(expected.begin(), expected.end()) -
                                              expected.begin()));
    CHECK(hard_pred[i] ==
          static_cast<double>(std::max_element(tally.begin(), tally.end()) - tally.begin()));
  }
}

TEST_CASE("stacking classifier equals its manual composition and is accurate", "[ensemble]") {
  Table cancer = load("breast_cancer.csv", "diagnosis");
  cancer.y = as_indices(cancer.y);
  const Table train = rows(cancer, 0, 400);
  const Table test = rows(cancer, 400, cancer.y.size());
  const json members =
      json::array({member("gaussian_nb"), member("decision_tree_classifier", {{"max_depth", 3}})});
  const json final_spec = member("logistic_regression", {{"C", 1.0}});
  auto model = kt::make_model(
      "stacking", {{"members", members}, {"final_estimator", final_spec}, {"n_folds", 4}});
  model->fit(train.x.view(), train.y);

  // The same thing by hand: unshuffled stratified folds, positive-class probabilities.
  const auto splits = kolosal::data::stratified_k_fold(train.y, 4, false);
  Matrix<double> meta(train.y.size(), 2);
  for (std::size_t m = 0; m < 2; ++m) {
    const auto cv = kt::cross_validate(members[m]["model"].get<std::string>(), members[m]["params"],
                                       train.x.view(), train.y, splits);
    for (std::size_t i = 0; i < meta.rows(); ++i) meta(i, m) = cv.oof_proba(i, 1);
  }
  auto meta_model = kt::make_model("logistic_regression", {{"C", 1.0}});
  meta_model->fit(meta.view(), train.y);
  std::vector<std::unique_ptr<kolosal::Model>> full;
  Matrix<double> test_meta(test.y.size(), 2);
  for (std::size_t m = 0; m < 2; ++m) {
    auto member_model =
        kt::make_model(members[m]["model"].get<std::string>(), members[m]["params"]);
    member_model->fit(train.x.view(), train.y);
    const auto p = member_model->predict_proba(test.x.view());
    for (std::size_t i = 0; i < test_meta.rows(); ++i) test_meta(i, m) = p(i, 1);
  }
  const auto expected = meta_model->predict_proba(test_meta.view());
  const auto actual = model->predict_proba(test.x.view());
  CHECK(actual == expected);
  const auto predicted = model->predict(test.x.view());
  std::vector<int> truth(test.y.begin(), test.y.end());
  std::vector<int> guess(predicted.begin(), predicted.end());
  CHECK(kolosal::metrics::score("accuracy", truth, guess) > 0.93);
}

TEST_CASE("blending trains the meta-model on a held-out fraction", "[ensemble]") {
  const Table all = load("diabetes.csv", "progression");
  auto model = kt::make_model("stacking", {{"members", kLinearMembers}, {"blend_fraction", 0.3}});
  model->set_context({.n_threads = 1, .seed = 11});
  model->fit(all.x.view(), all.y);
  const auto& stacking = dynamic_cast<const ke::StackingEnsemble&>(*model);
  CHECK(stacking.final_estimator().name() == "ridge");  // the regressor default
  // Members saw only the 70% training side: refitting one there reproduces it exactly.
  const auto split = kolosal::data::train_test_split(all.y.size(), 0.3, true, 11);
  Matrix<double> xs(split.train.size(), all.x.cols());
  std::vector<double> ys;
  for (std::size_t r = 0; r < split.train.size(); ++r) {
    for (std::size_t j = 0; j < all.x.cols(); ++j) xs(r, j) = all.x(split.train[r], j);
    ys.push_back(all.y[split.train[r]]);
  }
  auto ols = kt::make_model("linear_regression");
  ols->fit(xs.view(), ys);
  CHECK(stacking.member(2).predict(all.x.view()) == ols->predict(all.x.view()));
  // And the blend is a sensible regressor.
  const auto predicted = model->predict(all.x.view());
  CHECK(kolosal::metrics::score("r2", all.y, predicted) > 0.45);
}

TEST_CASE("ensembles save, load and predict identically; configs round-trip", "[ensemble]") {
  const Table all = load("diabetes.csv", "progression");
  kolosal::test::TempDir dir;
  for (const auto& [name, config] : std::vector<std::pair<std::string, json>>{
           {"voting", {{"members", kLinearMembers}}},
           {"stacking", {{"members", kLinearMembers}, {"passthrough", true}, {"n_folds", 3}}}}) {
    auto model = kt::make_model(name, config);
    model->fit(all.x.view(), all.y);
    const auto path = dir / (name + ".kolosal");
    kt::save_model(*model, path);
    const auto loaded = kt::load_model(path);
    CHECK(loaded->name() == name);
    CHECK(loaded->predict(all.x.view()) == model->predict(all.x.view()));
    const auto copy = model->clone();
    CHECK(copy->predict(all.x.view()) == model->predict(all.x.view()));
  }
  ke::StackingConfig stacking;
  stacking.members = {{"ridge", {{"alpha", 2.0}}, 1.0}, {"lasso", json::object(), 0.5}};
  stacking.final_estimator = {"linear_regression", json::object(), 1.0};
  stacking.blend_fraction = 0.25;
  CHECK(kolosal::config::from_json<ke::StackingConfig>(kolosal::config::to_json(stacking)) ==
        stacking);
  ke::VotingConfig voting;
  voting.members = stacking.members;
  voting.voting = ke::VotingMode::kHard;
  CHECK(kolosal::config::from_json<ke::VotingConfig>(kolosal::config::to_json(voting)) == voting);
}

TEST_CASE("ensemble configs are checked before any work", "[ensemble]") {
  expect_error<kolosal::ConfigError>([] { (void)kt::make_model("voting"); },
                                     "members must name at least one model");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("voting", {{"members", {member("no_such_model")}}});
      },
      "members[0] (no_such_model)");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("voting", {{"members", {member("ridge"), member("gaussian_nb")}}});
      },
      "mix classifiers and regressors");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("voting", {{"members", {member("ridge", {{"alpha", -1.0}})}}});
      },
      "alpha must be >= 0");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("voting", {{"members", {member("ridge", json::object(), 0.0)}}});
      },
      "at least one member needs a positive weight");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("stacking", {{"members", {member("ridge")}},
                                          {"final_estimator", member("gaussian_nb")}});
      },
      "final_estimator 'gaussian_nb' is a classifier");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("stacking", {{"members", {member("ridge")}}, {"n_folds", 1}});
      },
      "n_folds must be >= 2");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kt::make_model("voting",
                             {{"members", {member("voting", {{"members", json::array()}})}}});
      },
      "members[0] (voting)");
  // Soft voting needs probabilities from every member.
  Table iris = load("iris.csv", "species");
  iris.y = as_indices(iris.y);
  auto no_proba = kt::make_model("voting", {{"members", {member("sgd_classifier")}}});
  expect_error<kolosal::ConfigError>([&] { no_proba->fit(iris.x.view(), iris.y); },
                                     "has no predict_proba");
}
