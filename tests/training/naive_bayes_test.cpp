// SPDX-License-Identifier: MIT
// Tests of the naive Bayes models against scikit-learn (tests/reference/naive_bayes.json, written
// by scripts/reference/naive_bayes_reference.py), plus configs, persistence and input checks.
#include "kolosal/training/naive_bayes.hpp"

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
    std::ifstream in(kolosal::test::reference_path("naive_bayes.json"));
    return json::parse(in);
  }();
  return ref;
}

struct Split {
  kolosal::Matrix<double> x_train;
  std::vector<double> y_train;
  kolosal::Matrix<double> x_test;
  std::vector<double> y_test;
  std::vector<double> weights;
};

const Split& split(const std::string& name) {
  static std::map<std::string, Split> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const json& d = reference()["datasets"][name];
  const auto target = d["target"].get<std::string>();
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path(d["file"]));
  const auto x = frame.drop({target}).to_matrix();
  const auto y = frame.column(target).to_doubles();
  const auto perm = d["permutation"].get<std::vector<std::size_t>>();
  const auto n_train = d["n_train"].get<std::size_t>();
  Split s;
  s.x_train = kolosal::Matrix<double>(n_train, x.cols());
  s.x_test = kolosal::Matrix<double>(perm.size() - n_train, x.cols());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    auto& m = i < n_train ? s.x_train : s.x_test;
    const auto src = x.row(perm[i]);
    std::copy(src.begin(), src.end(), m.row(i < n_train ? i : i - n_train).begin());
    (i < n_train ? s.y_train : s.y_test).push_back(y[perm[i]]);
  }
  s.weights = d["weights"].get<std::vector<double>>();
  return cache.emplace(name, std::move(s)).first->second;
}

}  // namespace

TEST_CASE("naive Bayes: closed-form fits match scikit-learn", "[training][naive_bayes]") {
  std::map<std::string, int> seen;
  for (const auto& c : reference()["cases"]) {
    const auto name = c["model"].get<std::string>();
    INFO(name << " " << c["dataset"].get<std::string>() << " " << c["config"].dump()
              << " weighted=" << c["weighted"].get<bool>());
    ++seen[name];
    const Split& s = split(c["dataset"].get<std::string>());
    auto model = kt::make_model(name, c["config"]);
    kolosal::FitOptions options;
    if (c["weighted"].get<bool>()) options.sample_weight = s.weights;
    model->fit(s.x_train.view(), s.y_train, options);
    CHECK(model->predict(s.x_test.view()) == c["predict"].get<std::vector<double>>());
    const auto expected = c["predict_proba"].get<std::vector<std::vector<double>>>();
    const auto proba = model->predict_proba(s.x_test.view());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      for (std::size_t k = 0; k < expected[i].size(); ++k) {
        CHECK(proba(i, k) == Approx(expected[i][k]).margin(1e-9));
      }
    }
  }
  for (const char* name : {"gaussian_nb", "multinomial_nb", "bernoulli_nb", "categorical_nb"}) {
    CHECK(seen[name] >= 3);
  }
}

TEST_CASE("naive Bayes: save, load and clone predict identically", "[training][naive_bayes]") {
  const Split& digits = split("digits");
  const Split& wine = split("wine");
  for (const auto& [name, config] :
       std::vector<std::pair<std::string, json>>{{"gaussian_nb", json::object()},
                                                 {"multinomial_nb", json::object()},
                                                 {"bernoulli_nb", {{"binarize", 8.0}}},
                                                 {"categorical_nb", {{"min_categories", 17}}}}) {
    INFO(name);
    const Split& s = name == "gaussian_nb" ? wine : digits;
    auto model = kt::make_model(name, config);
    // An extra, unseen class: its probability must be zero, and the state must stay valid.
    model->fit(s.x_train.view(), s.y_train, {.n_classes = name == "gaussian_nb" ? 4 : 11});
    kolosal::test::TempDir dir;
    for (auto encoding :
         {kolosal::serialization::Encoding::kJson, kolosal::serialization::Encoding::kBinary}) {
      kt::save_model(*model, dir / "nb.kolosal", encoding);
      const auto loaded = kt::load_model(dir / "nb.kolosal");
      CHECK(loaded->config() == model->config());
      CHECK(loaded->predict_proba(s.x_test.view()) == model->predict_proba(s.x_test.view()));
    }
    const auto copy = model->clone();
    const auto proba = copy->predict_proba(s.x_test.view());
    CHECK(proba == model->predict_proba(s.x_test.view()));
    CHECK(proba(0, proba.cols() - 1) == 0.0);
  }
}

TEST_CASE("naive Bayes: configs round-trip and bad input is refused", "[training][naive_bayes]") {
  const auto roundtrip = [](const auto& config) {
    using C = std::remove_cvref_t<decltype(config)>;
    CHECK(kolosal::config::from_json<C>(kolosal::config::to_json(config)) == config);
  };
  roundtrip(kt::GaussianNbConfig{.var_smoothing = 1e-5, .priors = {0.5, 0.5}});
  kt::MultinomialNbConfig multinomial;
  multinomial.alpha = 0.25;
  multinomial.fit_prior = false;
  roundtrip(multinomial);
  roundtrip(kt::BernoulliNbConfig{.alpha = 2.0, .binarize = std::nullopt});
  roundtrip(kt::CategoricalNbConfig{.alpha = 0.5, .class_prior = {0.1, 0.9}, .min_categories = 3});

  CHECK_THROWS_WITH(kt::make_model("multinomial_nb", json{{"alpha", -1}}),
                    "MultinomialNbConfig: alpha must be >= 0, got -1");
  CHECK_THROWS_AS(kt::make_model("bernoulli_nb", json{{"alpha", -0.5}}), kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("categorical_nb", json{{"min_categories", -1}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(kt::make_model("gaussian_nb", json{{"var_smoothing", -1}}), kolosal::ConfigError);
  CHECK_THROWS_WITH(kt::make_model("gaussian_nb", json{{"priors", {0.5, -0.5}}}),
                    Catch::Contains("priors [1] must be >= 0"));
  const Split& s = split("iris");
  kt::GaussianNb wrong_priors({.priors = {0.5, 0.5}});
  CHECK_THROWS_WITH(wrong_priors.fit(s.x_train.view(), s.y_train),
                    "GaussianNb: 2 class priors for 3 classes");
  kt::GaussianNb unnormalised({.priors = {0.5, 0.5, 0.5}});
  CHECK_THROWS_WITH(unnormalised.fit(s.x_train.view(), s.y_train),
                    Catch::StartsWith("GaussianNb: class priors must sum to 1"));

  kolosal::Matrix<double> negative(2, 2, 1.0);
  negative(1, 0) = -1.0;
  CHECK_THROWS_WITH(kt::MultinomialNb().fit(negative.view(), std::vector<double>{0, 1}),
                    "MultinomialNb::fit: x[1, 0] is -1 (counts must be >= 0)");
  kolosal::Matrix<double> fractional(2, 2, 1.0);
  fractional(0, 1) = 0.5;
  CHECK_THROWS_WITH(kt::CategoricalNb().fit(fractional.view(), std::vector<double>{0, 1}),
                    Catch::Contains("x[0, 1] is 0.5 but categorical features must be indices"));
  kt::BernoulliNb strict({.binarize = std::nullopt});
  CHECK_THROWS_WITH(strict.fit(fractional.view(), std::vector<double>{0, 1}),
                    Catch::Contains("binarize is null, so features must be 0 or 1"));

  kt::CategoricalNb categorical;
  kolosal::Matrix<double> small(2, 1, 0.0);
  small(1, 0) = 1.0;
  categorical.fit(small.view(), std::vector<double>{0, 1});
  kolosal::Matrix<double> unseen(1, 1, 5.0);
  CHECK_THROWS_WITH(categorical.predict(unseen.view()),
                    Catch::Contains("is category 5 but feature 0 has only 2 categories"));
}
