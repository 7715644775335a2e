// SPDX-License-Identifier: MIT
#include "kolosal/autopipeline/composer.hpp"

#include "kolosal/core/rng.hpp"
#include "kolosal/metrics/registry.hpp"

#include "test_util.hpp"

namespace ka = kolosal::autopipeline;
namespace kd = kolosal::data;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

struct Table {
  kd::Frame frame;
  std::vector<double> y;  // class indices
};

// A churn-like table: the label depends on amount, city and plan (a high-cardinality code),
// with a row key, a constant, missing values and free text around it.
Table churn(std::size_t n, std::uint64_t seed, bool unseen) {
  kolosal::Rng rng(seed);
  static const std::array<std::string, 4> kCities{"Jakarta", "Bandung", "Surabaya", "Medan"};
  std::vector<double> id, amount, constant;
  std::vector<std::string> city, plan, note;
  std::vector<std::uint8_t> city_missing, vip;
  std::vector<std::int64_t> joined;
  std::vector<double> y;
  for (std::size_t i = 0; i < n; ++i) {
    id.push_back(static_cast<double>(i));
    const double a = rng.normal() * 2.0;
    amount.push_back(rng.uniform() < 0.1 ? std::nan("") : a);
    constant.push_back(1.0);
    const std::size_t c = rng.uniform_index(4);
    city.push_back(unseen && i % 7 == 0 ? "Bogor" : kCities[c]);
    city_missing.push_back(rng.uniform() < 0.05 ? 1 : 0);
    const std::size_t p = rng.uniform_index(40);
    plan.push_back("plan" + std::to_string(p));
    vip.push_back(rng.uniform() < 0.3 ? 1 : 0);
    joined.push_back(static_cast<std::int64_t>(rng.uniform_index(1000)) * 86'400'000'000LL);
    note.push_back(std::string(a > 0 ? "very happy with" : "unhappy about") + " the service " +
                   std::to_string(i % 5));
    const double score = a + (c == 0 ? 1.5 : -0.5) + (p < 10 ? 1.0 : 0.0) + rng.normal() * 0.5;
    y.push_back(score > 0.5 ? 1.0 : 0.0);
  }
  std::vector<kd::Column> columns;
  columns.push_back(kd::Column::numeric("customer_id", id));
  columns.push_back(kd::Column::numeric("amount", amount));
  columns.push_back(kd::Column::numeric("constant", constant));
  columns.push_back(kd::Column::categorical_from_labels("city", city, city_missing));
  columns.push_back(kd::Column::categorical_from_labels("plan", plan));
  columns.push_back(kd::Column::boolean("vip", vip));
  columns.push_back(kd::Column::datetime("joined", joined));
  columns.push_back(kd::Column::text("note", note));
  std::vector<std::string> labels;
  for (const double v : y) labels.push_back(v > 0 ? "churn" : "stay");
  columns.push_back(kd::Column::categorical_from_labels("label", labels));
  return {kd::Frame(std::move(columns)), y};
}

}  // namespace

TEST_CASE("composer: every family's pipeline fits, predicts unseen data and round-trips",
          "[autopipeline]") {
  const Table train = churn(600, 1, false);
  const Table test = churn(300, 2, true);  // unseen city "Bogor" in every 7th row
  ka::DetectorConfig detector;
  detector.high_cardinality = 16;
  const auto profile = ka::profile_dataset(train.frame, "label", detector);
  REQUIRE(profile.columns_with(ka::ColumnRole::kIdentifier) ==
          std::vector<std::string>{"customer_id"});
  REQUIRE(profile.columns_with(ka::ColumnRole::kText) == std::vector<std::string>{"note"});
  const auto x_train = ka::usable_frame(train.frame, profile);
  kolosal::test::TempDir dir;
  std::vector<int> truth(test.y.begin(), test.y.end());
  for (const auto& [model, config, min_accuracy] :
       std::vector<std::tuple<std::string, json, double>>{
           {"gbdt", {{"objective", "binary_logloss"}, {"n_estimators", 60}}, 0.8},
           {"random_forest_classifier", {{"n_estimators", 40}}, 0.8},
           {"logistic_regression", json::object(), 0.8},
           {"knn_classifier", {{"n_neighbors", 15}}, 0.7},
           {"mlp_classifier", {{"max_iter", 300}}, 0.75},
           {"gaussian_nb", json::object(), 0.6},
           {"dummy_classifier", json::object(), 0.0}}) {
    INFO(model);
    auto pipeline = ka::compose_pipeline(profile, model, config);
    pipeline.fit(x_train, train.y);
    // The test frame carries the identifier, the constant and the target: all ignored.
    const auto predicted = pipeline.predict(test.frame);
    REQUIRE(predicted.size() == test.y.size());
    std::vector<int> guess(predicted.begin(), predicted.end());
    const double accuracy = kolosal::metrics::score("accuracy", truth, guess);
    CHECK(accuracy >= min_accuracy);
    const auto path = dir / (model + ".kolosal");
    pipeline.save(path);
    const auto loaded = kolosal::preprocessing::Pipeline::load(path);
    CHECK(loaded.predict(test.frame) == predicted);
  }
}

TEST_CASE("composer: what each family gets", "[autopipeline]") {
  const Table train = churn(200, 3, false);
  ka::DetectorConfig detector;
  detector.high_cardinality = 16;
  const auto profile = ka::profile_dataset(train.frame, "label", detector);
  auto transformers = [&](ka::ModelFamily family) {
    const json steps = ka::preprocessing_steps(profile, family);
    REQUIRE(steps.size() == 1);
    std::map<std::string, json> by_group;
    for (const auto& g : steps[0]["config"]["transformers"]) by_group[g["name"]] = g["transformer"];
    return std::pair{by_group, steps[0]["config"]["remainder"].get<std::string>()};
  };
  const auto [gb, gb_remainder] = transformers(ka::ModelFamily::kGradientBoosting);
  CHECK(gb_remainder == "passthrough");  // numeric columns untouched, NaN included
  CHECK_FALSE(gb.contains("numeric"));
  CHECK(gb.at("categorical")["name"] == "ordinal_encoder");
  CHECK(gb.at("high_cardinality")["name"] == "target_encoder");
  const auto [linear, linear_remainder] = transformers(ka::ModelFamily::kLinear);
  CHECK(linear_remainder == "drop");
  const auto& numeric_steps = linear.at("numeric")["config"]["steps"];
  CHECK(numeric_steps[0]["name"] == "simple_imputer");
  CHECK(numeric_steps[0]["config"]["add_indicator"] == true);  // amount has missing values
  CHECK(numeric_steps[1]["name"] == "standard_scaler");
  CHECK(linear.at("categorical")["name"] == "one_hot_encoder");
  CHECK(linear.at("text_note")["config"]["steps"][1]["name"] == "tfidf_vectorizer");
  const auto [nb, nb_remainder] = transformers(ka::ModelFamily::kNaiveBayes);
  CHECK(nb.at("numeric")["config"]["steps"][1]["name"] == "min_max_scaler");

  CHECK(ka::family_of("xgboost") == ka::ModelFamily::kGradientBoosting);
  CHECK(ka::family_of("extra_trees_regressor") == ka::ModelFamily::kTrees);
  CHECK(ka::family_of("elastic_net") == ka::ModelFamily::kLinear);
  CHECK(ka::family_of("knn_regressor") == ka::ModelFamily::kNeighbors);
  CHECK(ka::family_of("multinomial_nb") == ka::ModelFamily::kNaiveBayes);
  expect_error<kolosal::InvalidArgument>([] { (void)ka::family_of("stacking"); },
                                         "one pipeline per member");
  expect_error<kolosal::InvalidArgument>([] { (void)ka::family_of("nope"); }, "nope");
}

TEST_CASE("composer: gradient boosting on numeric data needs no preprocessing; bad input",
          "[autopipeline]") {
  std::vector<kd::Column> columns;
  columns.push_back(kd::Column::numeric("a", {1.0, 2.0, std::nan(""), 4.0, 5.0, 6.0}));
  columns.push_back(kd::Column::numeric("y", {1.0, 2.0, 3.0, 4.0, 5.5, 6.0}));
  const kd::Frame frame(std::move(columns));
  const auto profile = ka::profile_dataset(frame, "y");
  CHECK(ka::preprocessing_steps(profile, ka::ModelFamily::kGradientBoosting).empty());
  CHECK(ka::preprocessing_steps(profile, ka::ModelFamily::kLinear).size() == 1);

  std::vector<kd::Column> ids;
  ids.push_back(kd::Column::numeric("id", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  ids.push_back(kd::Column::numeric("y", {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1}));
  const auto useless = ka::profile_dataset(kd::Frame(std::move(ids)), "y");
  expect_error<kolosal::DataError>(
      [&] { (void)ka::preprocessing_steps(useless, ka::ModelFamily::kLinear); },
      "no usable feature column");
  expect_error<kolosal::DataError>([&] { (void)ka::usable_frame(frame.drop({"a"}), profile); },
                                   "column 'a' of the training schema is missing");
  ka::ComposerConfig bad;
  bad.text_max_features = 0;
  expect_error<kolosal::ConfigError>(
      [&] { (void)ka::preprocessing_steps(profile, ka::ModelFamily::kLinear, bad); },
      "text_max_features must be >= 1");
}
