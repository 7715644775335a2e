// SPDX-License-Identifier: MIT
// Tests of the MLP classifier and regressor against scikit-learn 1.2.1 (tests/reference/mlp.json).
#include "kolosal/training/mlp.hpp"

#include <fstream>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/zoo_data.hpp"

namespace kt = kolosal::training;
using nlohmann::json;

namespace {

// Standardises both parts with the training rows' mean and population standard deviation.
kolosal::test::ZooSplit standardised(const std::string& name) {
  auto data = kolosal::test::load_zoo(name);
  for (std::size_t j = 0; j < data.x_train.cols(); ++j) {
    double mean = 0.0;
    for (std::size_t i = 0; i < data.x_train.rows(); ++i) mean += data.x_train(i, j);
    mean /= static_cast<double>(data.x_train.rows());
    double var = 0.0;
    for (std::size_t i = 0; i < data.x_train.rows(); ++i) {
      var += (data.x_train(i, j) - mean) * (data.x_train(i, j) - mean);
    }
    double sd = std::sqrt(var / static_cast<double>(data.x_train.rows()));
    if (sd == 0.0) sd = 1.0;
    for (std::size_t i = 0; i < data.x_train.rows(); ++i) {
      data.x_train(i, j) = (data.x_train(i, j) - mean) / sd;
    }
    for (std::size_t i = 0; i < data.x_test.rows(); ++i) {
      data.x_test(i, j) = (data.x_test(i, j) - mean) / sd;
    }
  }
  return data;
}

// The larger cases (digits, the two-layer SGD net) run in the slow suite.
bool slow_case(const json& c) {
  return c["dataset"] == "digits" || c["config"]["hidden_layer_sizes"].size() > 1;
}

void check_mlp_cases(bool slow) {
  std::ifstream in(kolosal::test::reference_path("mlp.json"));
  const json ref = json::parse(in);
  for (const auto& c : ref["cases"]) {
    if (slow_case(c) != slow) continue;
    const auto dataset = c["dataset"].get<std::string>();
    INFO(c["model"].get<std::string>() << " on " << dataset << " " << c["config"].dump());
    const auto data = standardised(dataset);
    auto model = kt::make_model(c["model"].get<std::string>(), c["config"]);
    model->fit(data.x_train.view(), data.y_train);
    const auto pred = model->predict(data.x_test.view());
    const bool classifier = model->is_classifier();
    const double score = classifier ? kolosal::test::accuracy(data.y_test, pred)
                                    : kolosal::test::r2_score(data.y_test, pred);
    // Initial weights and shuffles come from different generators: inside scikit-learn's range
    // over five seeds, widened by a tolerance.
    const double tolerance = classifier ? 0.04 : 0.06;
    CHECK(score >= c["score_min"].get<double>() - tolerance);
    CHECK(score <= c["score_max"].get<double>() + tolerance);
  }
}

}  // namespace

TEST_CASE("MLP: held-out scores match scikit-learn's", "[training][mlp]") {
  check_mlp_cases(false);
}

TEST_CASE("MLP: held-out scores match scikit-learn's on the larger cases",
          "[training][mlp][.slow]") {
  check_mlp_cases(true);
}

TEST_CASE("MLP: training behaviour, determinism and validation", "[training][mlp]") {
  const auto data = standardised("iris");
  kt::MlpClassifier model({.hidden_layer_sizes = {8}, .max_iter = 50});
  model.fit(data.x_train.view(), data.y_train);
  const auto& curve = model.loss_curve();
  REQUIRE(curve.size() == 50);
  CHECK(curve.back() < curve.front());  // the training loss decreases
  const auto proba = model.predict_proba(data.x_test.view());
  for (std::size_t r = 0; r < proba.rows(); ++r) {
    double total = 0.0;
    for (double v : proba.row(r)) total += v;
    CHECK(total == Approx(1.0));
  }
  kt::MlpClassifier again({.hidden_layer_sizes = {8}, .max_iter = 50});
  again.set_context({.n_threads = 2, .seed = kolosal::kDefaultSeed});
  again.fit(data.x_train.view(), data.y_train);
  CHECK(again.predict_proba(data.x_test.view()) == proba);

  // Early stopping on a given evaluation set stops well before max_iter and keeps the best.
  kt::MlpClassifier early({.hidden_layer_sizes = {8},
                           .learning_rate_init = 0.05,
                           .max_iter = 500,
                           .early_stopping = true,
                           .n_iter_no_change = 5});
  early.fit(data.x_train.view(), data.y_train,
            {.eval_x = data.x_test.view(), .eval_y = data.y_test});
  CHECK(early.loss_curve().size() < 500);
  CHECK(kolosal::test::accuracy(data.y_test, early.predict(data.x_test.view())) > 0.85);

  // SGD with invscaling, binary logistic output.
  const auto cancer = standardised("breast_cancer");
  kt::MlpClassifier sgd({.hidden_layer_sizes = {8},
                         .activation = kt::MlpActivation::kTanh,
                         .solver = kt::MlpSolver::kSgd,
                         .learning_rate = kt::MlpLearningRate::kInvScaling,
                         .learning_rate_init = 0.1,
                         .max_iter = 30,
                         .nesterovs_momentum = false});
  sgd.fit(cancer.x_train.view(), cancer.y_train);
  CHECK(sgd.predict_proba(cancer.x_test.view()).cols() == 2);
  CHECK(kolosal::test::accuracy(cancer.y_test, sgd.predict(cancer.x_test.view())) > 0.9);

  std::vector<double> w(data.y_train.size(), 1.0);
  CHECK_THROWS_WITH(model.fit(data.x_train.view(), data.y_train, {.sample_weight = w}),
                    "MlpClassifier::fit: sample weights are not supported");
  kt::MlpRegressor diverging({.hidden_layer_sizes = {4},
                              .activation = kt::MlpActivation::kIdentity,
                              .solver = kt::MlpSolver::kSgd,
                              .learning_rate_init = 1e3,
                              .max_iter = 20,
                              .momentum = 0.0});
  const auto diabetes = kolosal::test::load_zoo("diabetes");
  CHECK_THROWS_AS(diverging.fit(diabetes.x_train.view(), diabetes.y_train),
                  kolosal::InvalidArgument);
}

TEST_CASE("MLP: save, load, clone and configs", "[training][mlp]") {
  const auto data = standardised("wine");
  kt::MlpClassifier model({.hidden_layer_sizes = {6, 4}, .max_iter = 20});
  model.fit(data.x_train.view(), data.y_train);
  kolosal::test::TempDir dir;
  kt::save_model(model, dir / "mlp.kolosal");
  const auto loaded = kt::load_model(dir / "mlp.kolosal");
  CHECK(loaded->predict_proba(data.x_test.view()) == model.predict_proba(data.x_test.view()));
  CHECK(model.clone()->predict(data.x_test.view()) == model.predict(data.x_test.view()));

  const auto diabetes = standardised("diabetes");
  kt::MlpRegressor regressor({.hidden_layer_sizes = {5}, .max_iter = 10});
  regressor.fit(diabetes.x_train.view(), diabetes.y_train);
  json saved = kt::model_to_json(regressor);
  CHECK(kt::model_from_json(saved)->predict(diabetes.x_test.view()) ==
        regressor.predict(diabetes.x_test.view()));
  CHECK(regressor.clone()->predict(diabetes.x_test.view()) ==
        regressor.predict(diabetes.x_test.view()));
  saved["state"]["learned"]["sizes"][1] = 6;
  CHECK_THROWS_AS(kt::model_from_json(saved), kolosal::SerializationError);

  kt::MlpConfig c{.hidden_layer_sizes = {3, 2},
                  .activation = kt::MlpActivation::kLogistic,
                  .solver = kt::MlpSolver::kSgd,
                  .batch_size = 16,
                  .learning_rate = kt::MlpLearningRate::kAdaptive,
                  .early_stopping = true,
                  .validation_fraction = 0.2};
  CHECK(kolosal::config::from_json<kt::MlpConfig>(kolosal::config::to_json(c)) == c);
  CHECK_THROWS_WITH(kt::make_model("mlp_classifier", json{{"hidden_layer_sizes", {4, 0}}}),
                    "MlpConfig: hidden_layer_sizes [1] must be >= 1, got 0");
  CHECK_THROWS_AS(kt::make_model("mlp_regressor", json{{"validation_fraction", 1.0}}),
                  kolosal::ConfigError);
  CHECK_THROWS_WITH(kt::make_model("mlp_regressor", json{{"solver", "lbfgs"}}),
                    Catch::Contains("unknown value 'lbfgs'"));
}
