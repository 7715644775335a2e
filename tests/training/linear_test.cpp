// SPDX-License-Identifier: MIT
// Tests of the linear models against scikit-learn (tests/reference/linear.json, written by
// scripts/reference/linear_reference.py), plus configs, persistence, cloning and determinism.
#include "kolosal/training/linear.hpp"

#include <fstream>
#include <map>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"

namespace kt = kolosal::training;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("linear.json"));
    return json::parse(in);
  }();
  return ref;
}

/// A dataset split and scaled exactly as the reference script does.
struct Split {
  kolosal::Matrix<double> x_train;
  std::vector<double> y_train;
  kolosal::Matrix<double> x_test;
  std::vector<double> y_test;
  std::vector<double> weights;
};

Split load_split(const std::string& name) {
  const json& d = reference()["datasets"][name];
  const auto target = d["target"].get<std::string>();
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path(d["file"]));
  const auto x = frame.drop({target}).to_matrix();
  const auto y = frame.column(target).to_doubles();
  const auto perm = d["permutation"].get<std::vector<std::size_t>>();
  const auto n_train = d["n_train"].get<std::size_t>();
  const std::size_t p = x.cols();
  std::vector<double> mean(p, 0.0);
  std::vector<double> scale(p, 1.0);
  if (d["standardize"].get<bool>()) {
    for (std::size_t j = 0; j < p; ++j) {
      double s = 0.0;
      for (std::size_t i = 0; i < n_train; ++i) s += x(perm[i], j);
      mean[j] = s / static_cast<double>(n_train);
      double v = 0.0;
      for (std::size_t i = 0; i < n_train; ++i)
        v += (x(perm[i], j) - mean[j]) * (x(perm[i], j) - mean[j]);
      scale[j] = std::sqrt(v / static_cast<double>(n_train));
      if (scale[j] == 0.0) scale[j] = 1.0;
    }
  }
  Split s;
  s.x_train = kolosal::Matrix<double>(n_train, p);
  s.x_test = kolosal::Matrix<double>(perm.size() - n_train, p);
  for (std::size_t i = 0; i < perm.size(); ++i) {
    auto& m = i < n_train ? s.x_train : s.x_test;
    const std::size_t r = i < n_train ? i : i - n_train;
    for (std::size_t j = 0; j < p; ++j) m(r, j) = (x(perm[i], j) - mean[j]) / scale[j];
    (i < n_train ? s.y_train : s.y_test).push_back(y[perm[i]]);
  }
  s.weights = d["weights"].get<std::vector<double>>();
  return s;
}

const Split& split(const std::string& name) {
  static std::map<std::string, Split> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, load_split(name)).first;
  return it->second;
}

double r2(std::span<const double> y, std::span<const double> p) {
  double mean = 0.0;
  for (double v : y) mean += v / static_cast<double>(y.size());
  double ss_res = 0.0;
  double ss_tot = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    ss_res += (y[i] - p[i]) * (y[i] - p[i]);
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  return 1.0 - ss_res / ss_tot;
}

double accuracy(std::span<const double> y, std::span<const double> p) {
  double hits = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) hits += y[i] == p[i] ? 1.0 : 0.0;
  return hits / static_cast<double>(y.size());
}

std::unique_ptr<kolosal::Model> fit_case(const json& c) {
  const Split& s = split(c["dataset"].get<std::string>());
  auto model = kt::make_model(c["model"].get<std::string>(), c["config"]);
  kolosal::FitOptions options;
  if (c["weighted"].get<bool>()) options.sample_weight = s.weights;
  model->fit(s.x_train.view(), s.y_train, options);
  return model;
}

// Coefficients as rows x features from either model family.
std::vector<std::vector<double>> coefficients(const kolosal::Model& model) {
  if (const auto* r = dynamic_cast<const kt::LinearRegressorBase*>(&model)) return {r->coef()};
  const auto& c = dynamic_cast<const kt::LinearClassifierBase&>(model).coef();
  std::vector<std::vector<double>> out;
  for (std::size_t k = 0; k < c.rows(); ++k) out.emplace_back(c.row(k).begin(), c.row(k).end());
  return out;
}

std::vector<double> intercepts(const kolosal::Model& model) {
  if (const auto* r = dynamic_cast<const kt::LinearRegressorBase*>(&model)) {
    return {r->intercept()};
  }
  return dynamic_cast<const kt::LinearClassifierBase&>(model).intercept();
}

// Runs the reference cases of `model_name`, comparing coefficients to `coef_tol` (relative to
// the largest reference coefficient), the held-out score to `score_tol` and stored predictions.
void check_cases(const std::string& model_name, double coef_tol, double score_tol,
                 double proba_tol) {
  int seen = 0;
  for (const auto& c : reference()["cases"]) {
    if (c["model"] != model_name) continue;
    ++seen;
    INFO(c["dataset"].get<std::string>()
         << " " << c["config"].dump() << " weighted=" << c["weighted"].get<bool>());
    const auto model = fit_case(c);
    const Split& s = split(c["dataset"].get<std::string>());
    const auto pred = model->predict(s.x_test.view());
    const double score = model->is_classifier() ? accuracy(s.y_test, pred) : r2(s.y_test, pred);
    CHECK(score == Approx(c["score"].get<double>()).margin(score_tol));
    if (coef_tol > 0.0) {
      const auto expected = c["coef"].get<std::vector<std::vector<double>>>();
      const auto actual = coefficients(*model);
      REQUIRE(actual.size() == expected.size());
      double scale = 0.0;
      for (const auto& row : expected) {
        for (double v : row) scale = std::max(scale, std::abs(v));
      }
      for (std::size_t k = 0; k < expected.size(); ++k) {
        for (std::size_t j = 0; j < expected[k].size(); ++j) {
          CHECK(actual[k][j] == Approx(expected[k][j]).margin(coef_tol * std::max(scale, 1.0)));
        }
      }
      // Multinomial intercepts are defined up to a shared constant: compare them centred.
      auto expected_b = c["intercept"].get<std::vector<double>>();
      auto actual_b = intercepts(*model);
      REQUIRE(actual_b.size() == expected_b.size());
      if (expected_b.size() > 2) {
        for (auto* b : {&expected_b, &actual_b}) {
          const double m =
              std::accumulate(b->begin(), b->end(), 0.0) / static_cast<double>(b->size());
          for (auto& v : *b) v -= m;
        }
      }
      for (std::size_t k = 0; k < expected_b.size(); ++k) {
        CHECK(actual_b[k] == Approx(expected_b[k]).margin(coef_tol * std::max(scale, 1.0)));
      }
    }
    if (c.contains("predict") && coef_tol > 0.0) {
      const auto expected = c["predict"].get<std::vector<double>>();
      for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(pred[i] == Approx(expected[i]).margin(coef_tol * 100.0));
      }
    }
    if (c.contains("predict_proba") && proba_tol > 0.0) {
      const auto expected = c["predict_proba"].get<std::vector<std::vector<double>>>();
      const auto proba = model->predict_proba(s.x_test.view());
      for (std::size_t i = 0; i < expected.size(); ++i) {
        for (std::size_t k = 0; k < expected[i].size(); ++k) {
          CHECK(proba(i, k) == Approx(expected[i][k]).margin(proba_tol));
        }
      }
    }
    if (c.contains("predict_std")) {
      const auto& br = dynamic_cast<const kt::BayesianRidge&>(*model);
      CHECK(br.alpha() == Approx(c["alpha"].get<double>()).epsilon(1e-6));
      CHECK(br.lambda() == Approx(c["lambda"].get<double>()).epsilon(1e-6));
      const auto expected = c["predict_std"].get<std::vector<double>>();
      const auto std_dev = br.predict_std(s.x_test.view());
      for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(std_dev[i] == Approx(expected[i]).epsilon(1e-6));
      }
    }
  }
  CHECK(seen > 0);
}

// Fits, saves and loads through the registry, clones, and checks identical predictions.
void check_roundtrip(kolosal::Model& model, const Split& s) {
  model.fit(s.x_train.view(), s.y_train);
  kolosal::test::TempDir dir;
  const auto path = dir / "model.kolosal";
  kt::save_model(model, path);
  const auto loaded = kt::load_model(path);
  const auto copy = model.clone();
  CHECK(loaded->config() == model.config());
  CHECK(loaded->predict(s.x_test.view()) == model.predict(s.x_test.view()));
  CHECK(copy->predict(s.x_test.view()) == model.predict(s.x_test.view()));
  CHECK(loaded->decision_function(s.x_test.view()) == model.decision_function(s.x_test.view()));
  if (model.has_predict_proba()) {
    CHECK(loaded->predict_proba(s.x_test.view()) == model.predict_proba(s.x_test.view()));
  }
}

template <class C>
void check_config_roundtrip(const C& config) {
  CHECK(kolosal::config::from_json<C>(kolosal::config::to_json(config)) == config);
}

}  // namespace

TEST_CASE("linear: closed-form models match scikit-learn to 1e-6", "[training][linear]") {
  check_cases("linear_regression", 1e-8, 1e-9, 0.0);
  check_cases("ridge", 1e-8, 1e-9, 0.0);
  check_cases("bayesian_ridge", 1e-9, 1e-9, 0.0);
}

TEST_CASE("linear: lasso and elastic net match scikit-learn's coordinate descent",
          "[training][linear]") {
  check_cases("lasso", 1e-9, 1e-9, 0.0);
  check_cases("elastic_net", 1e-9, 1e-9, 0.0);
}

TEST_CASE("linear: regularisation path matches scikit-learn's enet_path", "[training][linear]") {
  const Split& s = split("diabetes");
  for (const auto& ref : reference()["paths"]) {
    INFO("l1_ratio " << ref["l1_ratio"].get<double>());
    const auto path = kt::elastic_net_path(s.x_train.view(), s.y_train,
                                           {.l1_ratio = ref["l1_ratio"].get<double>(),
                                            .n_alphas = ref["n_alphas"].get<int>(),
                                            .eps = ref["eps"].get<double>(),
                                            .max_iter = 100000,
                                            .tol = 1e-12});
    const auto alphas = ref["alphas"].get<std::vector<double>>();
    const auto coefs = ref["coefs"].get<std::vector<std::vector<double>>>();
    const auto b = ref["intercepts"].get<std::vector<double>>();
    REQUIRE(path.alphas.size() == alphas.size());
    for (std::size_t i = 0; i < alphas.size(); ++i) {
      CHECK(path.alphas[i] == Approx(alphas[i]).epsilon(1e-10));
      CHECK(path.intercepts[i] == Approx(b[i]).margin(1e-5));
      for (std::size_t j = 0; j < coefs[i].size(); ++j) {
        CHECK(path.coefs(i, j) == Approx(coefs[i][j]).margin(1e-5));
      }
    }
  }
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { (void)kt::elastic_net_path(s.x_train.view(), s.y_train, {.l1_ratio = 0.0}); },
      "needs l1_ratio > 0");
}

TEST_CASE("linear: logistic regression matches scikit-learn (lbfgs and saga)",
          "[training][linear]") {
  // Both solvers are run to a tight tolerance on a strictly convex objective.
  check_cases("logistic_regression", 1e-5, 1e-9, 1e-6);
}

TEST_CASE("linear: SGD models reach scikit-learn's held-out scores", "[training][linear]") {
  check_cases("sgd_classifier", 0.0, 0.04, 0.0);
  check_cases("sgd_regressor", 0.0, 0.05, 0.0);
}

TEST_CASE("linear: every model saves, loads and clones", "[training][linear]") {
  const Split& reg = split("diabetes");
  const Split& bin = split("breast_cancer");
  const Split& multi = split("iris");
  for (const char* name :
       {"linear_regression", "ridge", "lasso", "elastic_net", "bayesian_ridge", "sgd_regressor"}) {
    INFO(name);
    auto model = kt::make_model(
        name, name == std::string("sgd_regressor") ? json{{"eta0", 0.1}} : json::object());
    check_roundtrip(*model, reg);
  }
  for (const auto& cfg :
       {json{{"penalty", "l2"}}, json{{"penalty", "l1"}}, json{{"multi_class", "ovr"}}}) {
    INFO(cfg.dump());
    kt::LogisticRegression a(kolosal::config::from_json<kt::LogisticRegressionConfig>(cfg));
    check_roundtrip(a, bin);
    kt::LogisticRegression b(kolosal::config::from_json<kt::LogisticRegressionConfig>(cfg));
    check_roundtrip(b, multi);
  }
  kt::SgdClassifier sgd({.loss = kt::SgdLoss::kLogLoss});
  check_roundtrip(sgd, multi);
  const auto importances = sgd.feature_importances();
  REQUIRE(importances);
  CHECK(std::accumulate(importances->begin(), importances->end(), 0.0) == Approx(1.0));
}

TEST_CASE("linear: configs round-trip and reject bad values", "[training][linear]") {
  check_config_roundtrip(kt::LinearRegressionConfig{.fit_intercept = false});
  check_config_roundtrip(kt::RidgeConfig{.alpha = 3.5, .fit_intercept = false});
  check_config_roundtrip(
      kt::LassoConfig{.alpha = 0.2, .max_iter = 50, .selection = kt::CdSelection::kRandom});
  check_config_roundtrip(kt::ElasticNetConfig{.alpha = 0.2, .l1_ratio = 0.9, .tol = 1e-6});
  check_config_roundtrip(kt::LogisticRegressionConfig{
      .penalty = kt::LogisticPenalty::kL1, .C = 3.0, .multi_class = kt::LogisticMultiClass::kOvr});
  check_config_roundtrip(kt::SgdConfig{.loss = kt::SgdLoss::kHuber,
                                       .penalty = kt::SgdPenalty::kElasticNet,
                                       .learning_rate = kt::SgdLearningRate::kAdaptive,
                                       .eta0 = 0.5});
  kt::SgdRegressorConfig sgd_reg;
  sgd_reg.epsilon = 0.3;
  check_config_roundtrip(sgd_reg);
  CHECK(kolosal::config::from_json<kt::SgdRegressorConfig>(json::object()).eta0 == 0.01);
  check_config_roundtrip(kt::BayesianRidgeConfig{.max_iter = 10, .lambda_2 = 1e-3});

  CHECK_THROWS_WITH(kt::make_model("ridge", json{{"alpha", -1}}),
                    "RidgeConfig: alpha must be >= 0, got -1");
  CHECK_THROWS_WITH(kt::make_model("elastic_net", json{{"l1_ratio", 1.5}}),
                    "ElasticNetConfig: l1_ratio must be <= 1, got 1.5");
  CHECK_THROWS_WITH(kt::make_model("logistic_regression", json{{"penalty", "l3"}}),
                    Catch::Contains("unknown value 'l3'"));
  CHECK_THROWS_AS(kt::make_model("logistic_regression", json{{"C", 0}}), kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("linear_regression", json{{"fit_intercep", true}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("lasso", json{{"max_iter", 0}}), kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("sgd_regressor", json{{"alpha", -1}}), kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("sgd_regressor", json{{"loss", "absolute"}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("bayesian_ridge", json{{"tol", 0}}), kolosal::ConfigError);
  CHECK_THROWS_WITH(kt::make_model("sgd_classifier", json{{"learning_rate", "constant"}}),
                    Catch::Contains("eta0 must be > 0"));
  const Split& s = split("diabetes");
  kt::SgdRegressor hinge_reg;
  kt::SgdRegressorConfig bad;
  bad.loss = kt::SgdLoss::kHinge;
  hinge_reg = kt::SgdRegressor(bad);
  CHECK_THROWS_WITH(hinge_reg.fit(s.x_train.view(), s.y_train),
                    Catch::Contains("SgdRegressor: loss must be squared_error"));
  kt::SgdClassifier hinge;
  hinge.fit(split("iris").x_train.view(), split("iris").y_train);
  CHECK_FALSE(hinge.has_predict_proba());
  CHECK_THROWS_AS(hinge.predict_proba(split("iris").x_test.view()), kolosal::UnsupportedError);
}

TEST_CASE("linear: results do not depend on the thread count", "[training][linear]") {
  const Split& s = split("iris");
  for (const auto& model_json :
       {json{{"name", "sgd_classifier"}, {"config", json::object()}},
        json{{"name", "logistic_regression"}, {"config", {{"multi_class", "ovr"}}}},
        json{{"name", "lasso"}, {"config", {{"selection", "random"}, {"alpha", 0.01}}}}}) {
    INFO(model_json.dump());
    std::vector<std::vector<double>> outputs;
    for (int threads : {1, 2, 4}) {
      auto model = kt::make_model(model_json["name"].get<std::string>(), model_json["config"]);
      model->set_context({.n_threads = threads, .seed = 7});
      model->fit(s.x_train.view(), s.y_train);
      const auto d = model->decision_function(s.x_test.view());
      outputs.push_back(d.values());
    }
    CHECK(outputs[0] == outputs[1]);
    CHECK(outputs[0] == outputs[2]);
  }
}

TEST_CASE("linear: binary-only paths are never reached by multiclass targets",
          "[training][linear]") {
  const Split& s = split("wine");
  for (const char* name : {"logistic_regression", "sgd_classifier"}) {
    auto model = kt::make_model(name);
    model->fit(s.x_train.view(), s.y_train, {.n_classes = 4});
    CHECK(model->n_classes() == 4);
    CHECK(model->decision_function(s.x_test.view()).cols() == 4);
    CHECK(accuracy(s.y_test, model->predict(s.x_test.view())) > 0.9);
  }
}
