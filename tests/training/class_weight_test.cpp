// SPDX-License-Identifier: MIT
// class_weight of LogisticRegression and SGDClassifier against scikit-learn
// (tests/reference/class_weight.json, written by scripts/reference/class_weight_reference.py).
#include <cmath>
#include <fstream>
#include <map>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/zoo_data.hpp"

namespace kt = kolosal::training;
using kolosal::Matrix;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("class_weight.json"));
    return json::parse(in);
  }();
  return ref;
}

Matrix<double> to_matrix(const json& rows) {
  Matrix<double> m(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    for (std::size_t j = 0; j < m.cols(); ++j) m(i, j) = rows[i][j].get<double>();
  }
  return m;
}

// The script's data: bundled sets split by zoo_data.hpp and standardised with the training mean
// and population standard deviation; the generated set read from the JSON.
const kolosal::test::ZooSplit& dataset(const std::string& name) {
  static std::map<std::string, kolosal::test::ZooSplit> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  kolosal::test::ZooSplit s;
  if (reference()["generated"].contains(name)) {
    const json& g = reference()["generated"][name];
    s = {to_matrix(g["x_train"]), g["y_train"].get<std::vector<double>>(), to_matrix(g["x_test"]),
         g["y_test"].get<std::vector<double>>()};
  } else {
    s = kolosal::test::load_zoo(name);
    const auto n = static_cast<double>(s.x_train.rows());
    for (std::size_t j = 0; j < s.x_train.cols(); ++j) {
      double mean = 0.0;
      for (std::size_t i = 0; i < s.x_train.rows(); ++i) mean += s.x_train(i, j);
      mean /= n;
      double var = 0.0;
      for (std::size_t i = 0; i < s.x_train.rows(); ++i) {
        var += (s.x_train(i, j) - mean) * (s.x_train(i, j) - mean);
      }
      const double sd = var > 0.0 ? std::sqrt(var / n) : 1.0;
      for (std::size_t i = 0; i < s.x_train.rows(); ++i) {
        s.x_train(i, j) = (s.x_train(i, j) - mean) / sd;
      }
      for (std::size_t i = 0; i < s.x_test.rows(); ++i) {
        s.x_test(i, j) = (s.x_test(i, j) - mean) / sd;
      }
    }
  }
  return cache.emplace(name, std::move(s)).first->second;
}

std::vector<double> case_weights(std::size_t n) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = 0.5 + 0.5 * static_cast<double>(i % 3);
  return w;
}

double balanced_accuracy(const std::vector<double>& y, const std::vector<double>& pred) {
  std::map<double, std::pair<double, double>> hits;  // class -> (correct, total)
  for (std::size_t i = 0; i < y.size(); ++i) {
    hits[y[i]].first += pred[i] == y[i] ? 1.0 : 0.0;
    hits[y[i]].second += 1.0;
  }
  double sum = 0.0;
  for (const auto& [k, h] : hits) sum += h.first / h.second;
  return sum / static_cast<double>(hits.size());
}

}  // namespace

TEST_CASE("class_weight: logistic regression matches scikit-learn's weighted optimum",
          "[training][linear][class_weight]") {
  for (const auto& c : reference()["cases"]) {
    if (c["model"] != "logistic_regression") continue;
    INFO(c["dataset"].get<std::string>() << " " << c["config"].dump());
    const auto& d = dataset(c["dataset"].get<std::string>());
    auto model = kt::make_model("logistic_regression", c["config"]);
    const auto w = case_weights(d.y_train.size());
    model->fit(d.x_train.view(), d.y_train,
               {.sample_weight = c["weighted"].get<bool>() ? std::span<const double>(w)
                                                           : std::span<const double>()});
    const auto& lr = dynamic_cast<const kt::LogisticRegression&>(*model);
    const auto coef = to_matrix(c["coef"]);
    REQUIRE(lr.coef().rows() == coef.rows());
    for (std::size_t r = 0; r < coef.rows(); ++r) {
      for (std::size_t j = 0; j < coef.cols(); ++j) {
        CHECK(lr.coef()(r, j) == Approx(coef(r, j)).epsilon(1e-5).margin(1e-6));
      }
    }
    const auto intercept = c["intercept"].get<std::vector<double>>();
    for (std::size_t r = 0; r < intercept.size(); ++r) {
      CHECK(lr.intercept()[r] == Approx(intercept[r]).epsilon(1e-5).margin(1e-6));
    }
    const auto proba = model->predict_proba(d.x_test.view());
    const auto ref = to_matrix(c["predict_proba"]);
    for (std::size_t q = 0; q < ref.rows(); ++q) {
      for (std::size_t k = 0; k < ref.cols(); ++k)
        CHECK(proba(q, k) == Approx(ref(q, k)).margin(1e-6));
    }
  }
}

TEST_CASE("class_weight: SGD classifier reaches scikit-learn's held-out scores",
          "[training][linear][class_weight]") {
  for (const auto& c : reference()["cases"]) {
    if (c["model"] != "sgd_classifier") continue;
    INFO(c["dataset"].get<std::string>() << " " << c["config"].dump());
    const auto& d = dataset(c["dataset"].get<std::string>());
    // Stochastic: row orders differ from scikit-learn's, so mean scores over ten seeds agree
    // loosely.
    double score = 0.0;
    double balanced = 0.0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      auto model = kt::make_model("sgd_classifier", c["config"]);
      model->set_context({.seed = seed});
      model->fit(d.x_train.view(), d.y_train);
      const auto pred = model->predict(d.x_test.view());
      score += kolosal::test::accuracy(d.y_test, pred) / 10.0;
      balanced += balanced_accuracy(d.y_test, pred) / 10.0;
    }
    CHECK(score == Approx(c["score"].get<double>()).margin(0.05));
    CHECK(balanced == Approx(c["balanced_accuracy"].get<double>()).margin(0.05));
  }
}

TEST_CASE("class_weight: weights act as scikit-learn's per-row factors",
          "[training][linear][class_weight]") {
  const auto& d = dataset("breast_cancer");
  // Binary SGD: class weights scale each update as a sample weight does, bit for bit.
  const std::vector<double> cw{2.5, 0.75};
  std::vector<double> rows(d.y_train.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i] = cw[static_cast<std::size_t>(d.y_train[i])];
  for (const char* name : {"sgd_classifier", "logistic_regression"}) {
    INFO(name);
    auto by_class = kt::make_model(
        name, {{"class_weight", "explicit"}, {"class_weight_values", {cw[0], cw[1]}}});
    auto by_row = kt::make_model(name);
    by_class->fit(d.x_train.view(), d.y_train);
    by_row->fit(d.x_train.view(), d.y_train, {.sample_weight = rows});
    CHECK(by_class->decision_function(d.x_test.view()) ==
          by_row->decision_function(d.x_test.view()));
  }
  // Balanced weights on the imbalanced set raise the minority classes' recall.
  const auto& imb = dataset("imbalanced3");
  auto plain = kt::make_model("logistic_regression");
  auto balanced = kt::make_model("logistic_regression", {{"class_weight", "balanced"}});
  plain->fit(imb.x_train.view(), imb.y_train);
  balanced->fit(imb.x_train.view(), imb.y_train);
  CHECK(balanced_accuracy(imb.y_test, balanced->predict(imb.x_test.view())) >
        balanced_accuracy(imb.y_test, plain->predict(imb.x_test.view())));

  kt::LogisticRegressionConfig lr;
  lr.class_weight = kt::ClassWeight::kExplicit;
  lr.class_weight_values = {1.0, 4.0};
  CHECK(kolosal::config::from_json<kt::LogisticRegressionConfig>(kolosal::config::to_json(lr)) ==
        lr);
  kt::SgdConfig sgd;
  sgd.class_weight = kt::ClassWeight::kBalanced;
  CHECK(kolosal::config::from_json<kt::SgdConfig>(kolosal::config::to_json(sgd)) == sgd);

  kolosal::test::expect_error<kolosal::ConfigError>(
      [&] {
        kt::make_model("logistic_regression",
                       {{"class_weight", "explicit"}, {"class_weight_values", {1.0, 2.0, 3.0}}})
            ->fit(d.x_train.view(), d.y_train);
      },
      "class_weight_values has 3 entries for 2 classes");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [&] {
        kt::make_model("sgd_classifier", {{"class_weight", "explicit"}})
            ->fit(d.x_train.view(), d.y_train);
      },
      "class_weight_values is empty");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [&] {
        kt::make_model("sgd_regressor", {{"class_weight", "balanced"}})
            ->fit(d.x_train.view(), d.y_train);
      },
      "class_weight applies to classifiers only");
  CHECK_THROWS_WITH(kt::make_model("logistic_regression", {{"class_weight_values", {-1.0}}}),
                    Catch::Contains("class_weight_values [0] must be >= 0"));
}
