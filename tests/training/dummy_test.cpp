// SPDX-License-Identifier: MIT
// Tests of the baseline models against scikit-learn, and of the Model boundary they share.
#include "kolosal/training/dummy.hpp"

#include <fstream>
#include <limits>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"

namespace kt = kolosal::training;
using nlohmann::json;

namespace {

json load_reference() {
  std::ifstream in(kolosal::test::reference_path("dummy.json"));
  return json::parse(in);
}

kolosal::Matrix<double> zeros(std::size_t rows, std::size_t cols) {
  return kolosal::Matrix<double>(rows, cols, 0.0);
}

// A minimal regressor that predicts the mean of row sums and, unlike the dummies, refuses NaN.
class ColumnMeans final : public kolosal::Model {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "column_means"; }
  [[nodiscard]] kolosal::ModelKind kind() const noexcept override {
    return kolosal::ModelKind::kRegressor;
  }
  [[nodiscard]] json config() const override { return json::object(); }
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<ColumnMeans>(*this);
  }

 protected:
  void do_fit(kolosal::MatrixView<const double>, std::span<const double> y,
              const kolosal::FitOptions&) override {
    mean_ = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  }
  [[nodiscard]] std::vector<double> do_predict(kolosal::MatrixView<const double> x) const override {
    return std::vector<double>(x.rows(), mean_);
  }
  [[nodiscard]] json do_state() const override { return {{"mean", mean_}}; }
  void do_load_state(const json& state) override { mean_ = state.at("mean").get<double>(); }

 private:
  double mean_ = 0.0;
};

}  // namespace

TEST_CASE("dummy models: match scikit-learn's DummyClassifier and DummyRegressor",
          "[training][dummy]") {
  const json ref = load_reference();
  const auto y_class = ref["y_class"].get<std::vector<double>>();
  const auto y_value = ref["y_value"].get<std::vector<double>>();
  const auto weights = ref["weights"].get<std::vector<double>>();
  const auto x = zeros(y_class.size(), 2);
  for (const auto& c : ref["cases"]) {
    INFO(c.dump());
    auto model = kt::make_model(c["model"].get<std::string>(), c["config"]);
    kolosal::FitOptions options;
    if (c["weighted"].get<bool>()) options.sample_weight = weights;
    const bool classifier = model->is_classifier();
    model->fit(x.view(), classifier ? y_class : y_value, options);
    const auto one = zeros(1, 2);
    CHECK(model->predict(one.view())[0] == Approx(c["predict"][0].get<double>()).epsilon(1e-12));
    if (classifier) {
      const auto proba = model->predict_proba(one.view());
      const auto expected = c["predict_proba"].get<std::vector<double>>();
      REQUIRE(proba.cols() == expected.size());
      for (std::size_t k = 0; k < expected.size(); ++k) {
        CHECK(proba(0, k) == Approx(expected[k]).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("dummy models: random strategies are seeded and proper", "[training][dummy]") {
  const std::vector<double> y{0, 0, 0, 1, 1, 2, 0, 0, 1, 0};
  const auto x = zeros(y.size(), 1);
  const auto many = zeros(4000, 1);
  kt::DummyClassifier stratified({.strategy = kt::DummyClassifierStrategy::kStratified});
  stratified.fit(x.view(), y);
  const auto a = stratified.predict(many.view());
  CHECK(a == stratified.predict(many.view()));
  std::vector<double> freq(3, 0.0);
  for (double v : a) freq[static_cast<std::size_t>(v)] += 1.0 / 4000.0;
  CHECK(freq[0] == Approx(0.6).margin(0.04));
  CHECK(freq[1] == Approx(0.3).margin(0.04));
  CHECK(freq[2] == Approx(0.1).margin(0.03));

  kt::DummyClassifier uniform({.strategy = kt::DummyClassifierStrategy::kUniform});
  uniform.fit(x.view(), y);
  const auto proba = uniform.predict_proba(many.view());
  CHECK(proba(17, 2) == Approx(1.0 / 3.0));
  std::vector<int> counts(3, 0);
  for (double v : uniform.predict(many.view())) ++counts[static_cast<std::size_t>(v)];
  for (int c : counts) CHECK(c == Approx(4000 / 3).margin(150));

  kt::DummyClassifier constant({.strategy = kt::DummyClassifierStrategy::kConstant, .constant = 5});
  CHECK_THROWS_WITH(constant.fit(x.view(), y),
                    "DummyClassifier: constant is class 5 but y has only 3 classes");
}

TEST_CASE("Model: fit and predict validate their input", "[training][model]") {
  kt::DummyRegressor model;
  const auto x = zeros(4, 3);
  const std::vector<double> y{1, 2, 3, 4};
  CHECK_THROWS_AS(model.predict(x.view()), kolosal::NotFitted);
  CHECK_THROWS_WITH(model.fit(x.view(), std::vector<double>{1, 2, 3}),
                    "dummy_regressor::fit: x has 4 rows but y has 3 values");
  CHECK_THROWS_WITH(model.fit(x.view(), std::vector<double>{1, 2, std::nan(""), 4}),
                    "dummy_regressor::fit: y[2] is nan (targets must be finite)");
  CHECK_THROWS_WITH(model.fit(x.view(), y, {.sample_weight = std::vector<double>{1, -1, 1, 1}}),
                    "dummy_regressor::fit: sample_weight[1] is -1 (weights must be finite and "
                    ">= 0)");
  CHECK_THROWS_WITH(model.fit(x.view(), y, {.sample_weight = std::vector<double>{0, 0, 0, 0}}),
                    "dummy_regressor::fit: sample weights sum to zero");
  model.fit(x.view(), y);
  CHECK(model.n_features() == 3);
  CHECK(model.predict(x.view())[0] == 2.5);
  const auto narrow = zeros(2, 2);
  CHECK_THROWS_WITH(model.predict(narrow.view()),
                    "dummy_regressor::predict: x has 2 features but the model was fitted on 3");
  CHECK_THROWS_AS(model.predict_proba(x.view()), kolosal::UnsupportedError);

  kt::DummyClassifier classifier;
  CHECK_THROWS_WITH(classifier.fit(x.view(), std::vector<double>{0, 1.5, 1, 0}),
                    "dummy_classifier::fit: y[1] is 1.5 but a classifier needs class indices 0, "
                    "1, 2, ... (encode labels first)");
  CHECK_THROWS_WITH(classifier.fit(x.view(), std::vector<double>{1, 1, 1, 1}, {.n_classes = 1}),
                    "dummy_classifier::fit: n_classes is 1 but y holds class index 1");
  classifier.fit(x.view(), std::vector<double>{0, 1, 1, 0}, {.n_classes = 4});
  CHECK(classifier.n_classes() == 4);
  CHECK(classifier.predict_proba(x.view()).cols() == 4);

  // A model that does not handle missing values refuses NaN features with advice.
  auto with_nan = zeros(2, 2);
  with_nan(1, 0) = std::nan("");
  ColumnMeans strict;
  CHECK_THROWS_WITH(strict.fit(with_nan.view(), std::vector<double>{1, 2}),
                    "column_means::fit: x[1, 0] is nan (this model does not handle missing "
                    "values: impute first)");
  auto with_inf = zeros(2, 2);
  with_inf(0, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(kt::DummyRegressor().fit(with_inf.view(), std::vector<double>{1, 2}),
                    "dummy_regressor::fit: x[0, 1] is inf (features must be finite)");
}

TEST_CASE("registry: models by name, configs validated, save and load", "[training][registry]") {
  CHECK(kt::registered_models().size() >= 2);
  CHECK(kt::model_info("dummy_regressor").regression);
  CHECK_FALSE(kt::model_info("dummy_regressor").classification);
  CHECK_THROWS_WITH(kt::make_model("dummy_regresor"),
                    Catch::StartsWith("unknown model 'dummy_regresor' (known models: "
                                      "dummy_classifier, dummy_regressor"));
  CHECK_THROWS_WITH(kt::make_model("dummy_regressor", json{{"strategy", "mode"}}),
                    "DummyRegressorConfig.strategy: unknown value 'mode' (expected one of: mean, "
                    "median, quantile, constant)");
  CHECK_THROWS_WITH(kt::make_model("dummy_regressor", json{{"quantile", 2}}),
                    "DummyRegressorConfig: quantile must be <= 1, got 2");

  auto model = kt::make_model("dummy_classifier", json{{"strategy", "prior"}});
  const auto x = zeros(5, 2);
  model->fit(x.view(), std::vector<double>{0, 1, 1, 2, 1});
  CHECK_THROWS_AS(kt::model_to_json(*kt::make_model("dummy_classifier")), kolosal::NotFitted);

  kolosal::test::TempDir dir;
  for (auto encoding :
       {kolosal::serialization::Encoding::kJson, kolosal::serialization::Encoding::kBinary}) {
    const auto path = dir / "model.kolosal";
    kt::save_model(*model, path, encoding);
    const auto loaded = kt::load_model(path);
    CHECK(loaded->name() == "dummy_classifier");
    CHECK(loaded->config() == model->config());
    CHECK(loaded->n_classes() == 3);
    CHECK(loaded->predict_proba(x.view()) == model->predict_proba(x.view()));
    CHECK(loaded->predict(x.view()) == model->predict(x.view()));
  }
  const auto copy = model->clone();
  CHECK(copy->predict(x.view()) == model->predict(x.view()));

  json broken = kt::model_to_json(*model);
  broken["state"]["learned"]["class_prior"] = "oops";
  CHECK_THROWS_AS(kt::model_from_json(broken), kolosal::SerializationError);
  broken["state"]["n_classes"] = 1;
  CHECK_THROWS_AS(kt::model_from_json(broken), kolosal::SerializationError);
}

TEST_CASE("dummy configs round-trip through JSON", "[training][dummy]") {
  kt::DummyRegressorConfig c{.strategy = kt::DummyRegressorStrategy::kQuantile, .quantile = 0.9};
  CHECK(kolosal::config::from_json<kt::DummyRegressorConfig>(kolosal::config::to_json(c)) == c);
  kt::DummyClassifierConfig d{.strategy = kt::DummyClassifierStrategy::kConstant, .constant = 2};
  CHECK(kolosal::config::from_json<kt::DummyClassifierConfig>(kolosal::config::to_json(d)) == d);
}
