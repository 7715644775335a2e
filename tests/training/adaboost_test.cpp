// SPDX-License-Identifier: MIT
// Tests of AdaBoost SAMME and AdaBoost.R2 against scikit-learn 1.2.1
// (tests/reference/adaboost.json).
#include "kolosal/training/adaboost.hpp"

#include <fstream>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/zoo_data.hpp"

namespace kt = kolosal::training;
using nlohmann::json;

TEST_CASE("adaboost: matches scikit-learn's SAMME and AdaBoost.R2", "[training][adaboost]") {
  std::ifstream in(kolosal::test::reference_path("adaboost.json"));
  const json ref = json::parse(in);
  for (const auto& c : ref["cases"]) {
    const auto dataset = c["dataset"].get<std::string>();
    INFO(c["model"].get<std::string>() << " on " << dataset << " " << c["config"].dump());
    const auto data = kolosal::test::load_zoo(dataset);
    auto model = kt::make_model(c["model"].get<std::string>(), c["config"]);
    model->fit(data.x_train.view(), data.y_train);
    const auto pred = model->predict(data.x_test.view());
    if (model->is_classifier()) {
      const double score = kolosal::test::accuracy(data.y_test, pred);
      CHECK(score >= c["score_min"].get<double>() - 0.03);
      CHECK(score <= c["score_max"].get<double>() + 0.03);
      // The first boosting rounds pick the same trees, so their weights agree.
      const auto& boosted = dynamic_cast<const kt::AdaBoostClassifier&>(*model);
      const auto weights = c["estimator_weights"].get<std::vector<double>>();
      for (std::size_t m = 0; m < weights.size(); ++m) {
        CHECK(boosted.estimator_weights()[m] == Approx(weights[m]).epsilon(1e-6));
      }
      const auto proba = model->predict_proba(data.x_test.view());
      const auto ref_proba = c["predict_proba"];
      for (std::size_t r = 0; r < ref_proba.size(); ++r) {
        for (std::size_t k = 0; k < ref_proba[r].size(); ++k) {
          CHECK(proba(r, k) == Approx(ref_proba[r][k].get<double>()).margin(0.05));
        }
      }
    } else {
      // AdaBoost.R2 resamples at random: inside scikit-learn's range over five seeds, widened.
      const double score = kolosal::test::r2_score(data.y_test, pred);
      CHECK(score >= c["score_min"].get<double>() - 0.06);
      CHECK(score <= c["score_max"].get<double>() + 0.06);
    }
  }
}

TEST_CASE("adaboost: decision function, weights and determinism", "[training][adaboost]") {
  const auto data = kolosal::test::load_zoo("breast_cancer");
  kt::AdaBoostClassifier model({.n_estimators = 20});
  model.fit(data.x_train.view(), data.y_train);
  const auto d = model.decision_function(data.x_test.view());
  REQUIRE(d.cols() == 1);
  const auto pred = model.predict(data.x_test.view());
  for (std::size_t r = 0; r < pred.size(); ++r) {
    if (d(r, 0) != 0.0) CHECK(pred[r] == (d(r, 0) > 0.0 ? 1.0 : 0.0));
  }
  // Zero weights remove rows: the same model as fitting on the rest.
  std::vector<double> w(data.y_train.size(), 1.0);
  w[0] = w[5] = 0.0;
  kt::AdaBoostClassifier weighted({.n_estimators = 5});
  weighted.fit(data.x_train.view(), data.y_train, {.sample_weight = w});
  CHECK(weighted.trees().size() == 5);

  const auto diabetes = kolosal::test::load_zoo("diabetes");
  kt::AdaBoostRegressor a({.n_estimators = 10});
  auto b = a;
  a.set_context({.n_threads = 1, .seed = 9});
  b.set_context({.n_threads = 2, .seed = 9});
  a.fit(diabetes.x_train.view(), diabetes.y_train);
  b.fit(diabetes.x_train.view(), diabetes.y_train);
  CHECK(a.predict(diabetes.x_test.view()) == b.predict(diabetes.x_test.view()));
  CHECK(a.estimator_weights() == b.estimator_weights());
}

TEST_CASE("adaboost: save, load, clone and configs", "[training][adaboost]") {
  const auto data = kolosal::test::load_zoo("wine");
  kt::AdaBoostClassifier model({.n_estimators = 10, .max_depth = 2});
  model.fit(data.x_train.view(), data.y_train);
  kolosal::test::TempDir dir;
  kt::save_model(model, dir / "ada.kolosal");
  const auto loaded = kt::load_model(dir / "ada.kolosal");
  CHECK(loaded->predict_proba(data.x_test.view()) == model.predict_proba(data.x_test.view()));
  CHECK(loaded->decision_function(data.x_test.view()) ==
        model.decision_function(data.x_test.view()));
  CHECK(model.clone()->predict(data.x_test.view()) == model.predict(data.x_test.view()));

  const auto diabetes = kolosal::test::load_zoo("diabetes");
  kt::AdaBoostRegressor regressor({.n_estimators = 5, .loss = kt::AdaBoostLoss::kSquare});
  regressor.fit(diabetes.x_train.view(), diabetes.y_train);
  json saved = kt::model_to_json(regressor);
  CHECK(kt::model_from_json(saved)->predict(diabetes.x_test.view()) ==
        regressor.predict(diabetes.x_test.view()));
  CHECK(regressor.clone()->predict(diabetes.x_test.view()) ==
        regressor.predict(diabetes.x_test.view()));
  saved["state"]["learned"]["estimator_weights"].push_back(1.0);
  CHECK_THROWS_AS(kt::model_from_json(saved), kolosal::SerializationError);

  kt::AdaBoostClassifierConfig c{.n_estimators = 3, .learning_rate = 0.1, .max_depth = 2};
  CHECK(kolosal::config::from_json<kt::AdaBoostClassifierConfig>(kolosal::config::to_json(c)) == c);
  kt::AdaBoostRegressorConfig r{.loss = kt::AdaBoostLoss::kExponential, .max_bins = 32};
  CHECK(kolosal::config::from_json<kt::AdaBoostRegressorConfig>(kolosal::config::to_json(r)) == r);
  CHECK_THROWS_WITH(kt::make_model("adaboost_classifier", json{{"learning_rate", 0.0}}),
                    "AdaBoostClassifierConfig: learning_rate must be > 0, got 0");
  CHECK_THROWS_WITH(kt::make_model("adaboost_regressor", json{{"loss", "huber"}}),
                    Catch::Contains("unknown value 'huber'"));
}
