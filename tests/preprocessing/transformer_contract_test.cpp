// SPDX-License-Identifier: MIT
// The Transformer contract for every registered transformer: config round trips and rejections,
// save/load and clone equality, the schema policy, bad input and thread-count determinism.
#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/feature_engineering/features.hpp"
#include "kolosal/feature_engineering/selection.hpp"
#include "kolosal/feature_engineering/text.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/imputation/iterative.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/outliers.hpp"
#include "kolosal/preprocessing/registry.hpp"
#include "kolosal/preprocessing/scalers.hpp"

#include "test_util.hpp"

namespace kp = kolosal::preprocessing;
namespace ki = kolosal::imputation;
namespace kf = kolosal::feature_engineering;
namespace kd = kolosal::data;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A mixed frame: two non-negative numeric columns, one categorical and one text column (both
// with a missing value), a boolean and a datetime.
kd::Frame mixed_frame(std::size_t n, std::uint64_t seed) {
  kolosal::Rng rng(seed);
  std::vector<double> a(n);
  std::vector<double> b(n);
  std::vector<std::string> color(n);
  std::vector<std::string> city(n);
  std::vector<std::uint8_t> missing(n, 0);
  std::vector<std::uint8_t> flag(n);
  std::vector<std::int64_t> when(n);
  const std::vector<std::string> colors{"red", "green", "blue", "amber"};
  const std::vector<std::string> cities{"oslo", "lima", "pune"};
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = 10.0 * rng.uniform();
    b[i] = std::exp(rng.uniform() * 3.0);
    color[i] = colors[rng.uniform_index(colors.size())];
    city[i] = cities[rng.uniform_index(cities.size())];
    flag[i] = rng.uniform() < 0.3 ? 1 : 0;
    when[i] = static_cast<std::int64_t>(rng.uniform() * 2e15);
  }
  missing[n / 2] = 1;
  city[n / 3] = "";
  std::vector<std::uint8_t> city_missing(n, 0);
  city_missing[n / 3] = 1;
  return kd::Frame({kd::Column::numeric("a", a), kd::Column::numeric("b", b),
                    kd::Column::categorical_from_labels("color", color, missing),
                    kd::Column::text("city", city, city_missing), kd::Column::boolean("flag", flag),
                    kd::Column::datetime("when", when)});
}

std::vector<double> target_of(const kd::Frame& x) {
  std::vector<double> y(x.rows());
  const auto a = x.column("a").doubles();
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = 2.0 * a[i] + (i % 3 == 0 ? 1.0 : 0.0);
  return y;
}

template <class Config>
void check_round_trip(const Config& config) {
  const json j = kolosal::config::to_json(config);
  CHECK(kolosal::config::from_json<Config>(j) == config);
  json bad = j;
  bad["no_such_key"] = 1;
  CHECK_THROWS_AS(kolosal::config::from_json<Config>(bad), kolosal::ConfigError);
}

}  // namespace

TEST_CASE("transformer configs: JSON round trip and rejection", "[preprocessing][config]") {
  check_round_trip(kp::StandardScalerConfig{.columns = {"a"}, .with_mean = false});
  check_round_trip(kp::MinMaxScalerConfig{.feature_min = -2.0, .feature_max = 3.0, .clip = true});
  check_round_trip(kp::RobustScalerConfig{.quantile_low = 5.0, .quantile_high = 95.0});
  check_round_trip(kp::MaxAbsScalerConfig{.columns = {"x", "y"}});
  check_round_trip(kp::NormalizerConfig{.norm = kp::Norm::kMax});
  check_round_trip(kp::Log1pTransformerConfig{});
  check_round_trip(kp::PowerTransformerConfig{.method = kp::PowerMethod::kBoxCox});
  check_round_trip(kp::QuantileTransformerConfig{
      .n_quantiles = 50, .output_distribution = kp::QuantileOutput::kNormal});
  check_round_trip(kp::OneHotEncoderConfig{.drop = kp::OneHotDrop::kIfBinary,
                                           .handle_unknown = kp::HandleUnknown::kIgnore,
                                           .min_frequency = 0.1,
                                           .max_categories = 4});
  check_round_trip(kp::OrdinalEncoderConfig{.handle_unknown = kp::HandleUnknown::kUseEncodedValue,
                                            .unknown_value = -1.0});
  check_round_trip(kp::TargetEncoderConfig{.smooth = 3.0, .cv = 4, .shuffle = true});
  check_round_trip(kp::FrequencyEncoderConfig{.normalize = true, .unknown_value = -1.0});
  check_round_trip(kp::HashingEncoderConfig{.n_features = 4, .prefix = "h"});
  check_round_trip(ki::SimpleImputerConfig{.strategy = ki::ImputeStrategy::kConstant,
                                           .fill_value = 2.0,
                                           .fill_label = "none",
                                           .add_indicator = true});
  check_round_trip(ki::MissingIndicatorConfig{.features = ki::IndicatorFeatures::kAll});
  check_round_trip(ki::KnnImputerConfig{.n_neighbors = 2, .weights = ki::KnnWeights::kDistance});
  check_round_trip(ki::IterativeImputerConfig{
      .max_iter = 4, .initial_strategy = ki::ImputeStrategy::kMedian, .sample_posterior = true});
  check_round_trip(kp::OutlierClipperConfig{
      .method = kp::OutlierMethod::kZScore, .factor = 2.5, .action = kp::OutlierAction::kFlag});
  check_round_trip(kf::PolynomialFeaturesConfig{.degree = 3, .interaction_only = true});
  check_round_trip(kf::BinningConfig{
      .n_bins = 7, .strategy = kf::BinStrategy::kKMeans, .encode = kf::BinEncode::kOneHot});
  check_round_trip(kf::DatetimeFeaturesConfig{.parts = {"hour_sin"}, .keep_original = true});
  check_round_trip(kf::VarianceThresholdConfig{.threshold = 0.5});
  check_round_trip(kf::TfidfVectorizerConfig{
      .ngram_max = 2, .min_df = 0.1, .max_features = 50, .sublinear_tf = true});
  check_round_trip(kf::HashingVectorizerConfig{.n_features = 64, .norm = kf::TextNorm::kL1});
  check_round_trip(kf::CorrelationFilterConfig{.threshold = 0.8});
  check_round_trip(kf::SelectKBestConfig{.score_func = kf::ScoreFunction::kChi2, .k = 3});

  using kolosal::ConfigError;
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("min_max_scaler", {{"feature_min", 2}, {"feature_max", 1}});
      },
      "feature_min must be below feature_max");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("robust_scaler", {{"quantile_high", 101}});
      },
      "quantile_high must be <= 100");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("normalizer", {{"norm", "l3"}});
      },
      "unknown value 'l3'");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("quantile_transformer", {{"n_quantiles", 1}});
      },
      "n_quantiles must be >= 2");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("one_hot_encoder", {{"handle_unknown", "use_encoded_value"}});
      },
      "handle_unknown must be error, ignore or infrequent_if_exist");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("one_hot_encoder", {{"max_categories", 1}});
      },
      "max_categories must be 0");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("ordinal_encoder", {{"handle_unknown", "ignore"}});
      },
      "handle_unknown must be error or use_encoded_value");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("target_encoder", {{"cv", 1}});
      },
      "cv must be >= 2");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("hashing_encoder", {{"n_features", 0}});
      },
      "n_features must be >= 1");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("simple_imputer", {{"strategy", "mode"}});
      },
      "unknown value 'mode'");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("knn_imputer", {{"n_neighbors", 0}});
      },
      "n_neighbors must be >= 1");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("pipeline", {{"stages", json::array()}});
      },
      "unknown key 'stages'");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("outlier_clipper", {{"factor", 0}});
      },
      "factor must be > 0");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("polynomial_features", {{"degree", 6}});
      },
      "degree must be <= 5");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("binning", {{"n_bins", 1}});
      },
      "n_bins must be >= 2");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("datetime_features", {{"parts", {"week"}}});
      },
      "unknown part 'week'");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("correlation_filter", {{"threshold", 1.5}});
      },
      "threshold must be <= 1");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("select_k_best", {{"score_func", "mutual_info"}});
      },
      "unknown value 'mutual_info'");
  expect_error<ConfigError>([] { (void)kp::make_transformer("select_from_model"); },
                            "model {name, config} is required");
  expect_error<ConfigError>(
      [] {
        (void)kp::make_transformer("select_from_model",
                                   {{"model", {{"name", "dummy_regressor"}}}, {"top_k", -1}});
      },
      "top_k must be >= 0");
  expect_error<kolosal::InvalidArgument>([] { (void)kp::make_transformer("no_such"); },
                                         "unknown transformer 'no_such'");
}

TEST_CASE("every registered transformer: save, load and clone reproduce transform",
          "[preprocessing][serialization]") {
  const auto train = mixed_frame(120, 1);
  const auto test = mixed_frame(30, 2);
  const auto y = target_of(train);
  kolosal::test::TempDir dir;
  for (const auto& info : kp::registered_transformers()) {
    const std::string name(info.name);
    INFO(name);
    json config = json::object();
    if (name == "column_transformer") {
      config = {{"transformers",
                 {{{"name", "num"},
                   {"transformer", {{"name", "standard_scaler"}}},
                   {"types", {"numeric"}}},
                  {{"name", "cat"},
                   {"transformer",
                    {{"name", "one_hot_encoder"}, {"config", {{"handle_unknown", "ignore"}}}}},
                   {"columns", {"color", "city"}}}}},
                {"remainder", "passthrough"}};
    } else if (name == "pipeline") {
      config = {{"steps",
                 {{{"name", "simple_imputer"}, {"config", {{"strategy", "most_frequent"}}}},
                  {{"name", "datetime_features"}},
                  {{"name", "target_encoder"}},
                  {{"name", "quantile_transformer"}, {"config", {{"n_quantiles", 20}}}}}},
                {"model", {{"name", "dummy_regressor"}}}};
    } else if (name == "one_hot_encoder") {
      config = {{"handle_unknown", "ignore"}};
    } else if (name == "ordinal_encoder") {
      config = {{"handle_unknown", "use_encoded_value"}};
    } else if (name == "select_k_best") {
      config = {{"score_func", "f_regression"}, {"k", 1}};
    } else if (name == "select_from_model") {
      config = {{"model", {{"name", "decision_tree_regressor"}}}, {"top_k", 1}};
    }
    auto t = kp::make_transformer(name, config);
    CHECK_THROWS_AS(t->transform(test), kolosal::NotFitted);
    t->fit(train, y);
    const auto expected = t->transform(test);
    CHECK(expected.rows() == test.rows());

    for (const auto encoding :
         {kolosal::serialization::Encoding::kJson, kolosal::serialization::Encoding::kBinary}) {
      const auto path = dir / (name + ".kolosal");
      kp::save_transformer(*t, path, encoding);
      const auto loaded = kp::load_transformer(path);
      CHECK(loaded->name() == name);
      CHECK(loaded->config() == t->config());
      CHECK(loaded->transform(test) == expected);
    }
    CHECK(t->transform(kd::Frame(test)) == expected);  // a frame given away: the same rows
    const auto copy = t->clone();
    CHECK(copy->transform(test) == expected);
    // A refit of the original leaves the clone alone.
    t->fit(test, target_of(test));
    CHECK(copy->transform(test) == expected);
  }
}

TEST_CASE("transformers: fit never mutates its input and is thread-count independent",
          "[preprocessing][parallel]") {
  const auto train = mixed_frame(500, 3);
  const auto snapshot = train;
  const auto y = target_of(train);
  for (const auto& info : kp::registered_transformers()) {
    const std::string name(info.name);
    if (name == "column_transformer" || name == "pipeline") continue;
    INFO(name);
    json config = json::object();
    if (name == "target_encoder") config = {{"shuffle", true}};
    if (name == "quantile_transformer") config = {{"subsample", 100}};
    if (name == "select_k_best") config = {{"score_func", "f_regression"}, {"k", 1}};
    if (name == "select_from_model") {
      config = {{"model", {{"name", "decision_tree_regressor"}}}, {"top_k", 1}};
    }
    auto one = kp::make_transformer(name, config);
    auto two = kp::make_transformer(name, config);
    one->set_context({.n_threads = 1, .seed = 9});
    two->set_context({.n_threads = 2, .seed = 9});
    const auto a = one->fit_transform(train, y);
    const auto b = two->fit_transform(train, y);
    CHECK(a == b);
    CHECK(one->state() == two->state());
    CHECK(train == snapshot);
    // A frame given away (the rvalue overloads move and may rewrite its columns): the same.
    auto three = kp::make_transformer(name, config);
    three->set_context({.n_threads = 2, .seed = 9});
    CHECK(three->fit_transform(kd::Frame(train), y) == a);
    CHECK(three->transform(kd::Frame(train)) == one->transform(train));
  }
}

TEST_CASE("column-selecting transformers: schema policy and bad input", "[preprocessing][schema]") {
  const auto train = mixed_frame(60, 4);
  using kolosal::DataError;

  kp::StandardScaler scaler;
  scaler.fit(train);
  REQUIRE(scaler.input_columns().size() == 2);
  // Unselected and unseen columns pass through; outputs take the first selected column's place.
  auto extra = train;
  extra.add_column(kd::Column::numeric("late", std::vector<double>(60, 1.0)));
  const auto out = scaler.transform(extra);
  CHECK(out.column_names() ==
        std::vector<std::string>{"a", "b", "color", "city", "flag", "when", "late"});
  CHECK(out.column("late") == extra.column("late"));
  CHECK(out.column("color") == train.column("color"));
  expect_error<DataError>([&] { (void)scaler.transform(train.drop({"b"})); },
                          "StandardScaler::transform: column 'b' seen at fit is missing");
  auto retyped = train.drop({"a"});
  retyped.add_column(kd::Column::text("a", std::vector<std::string>(60, "x")));
  expect_error<DataError>([&] { (void)scaler.transform(retyped); },
                          "column 'a' is text but was numeric at fit");
  expect_error<DataError>([&] { kp::StandardScaler({.columns = {"nope"}}).fit(train); },
                          "StandardScaler::fit: column 'nope' is not in the frame");
  expect_error<DataError>([&] { kp::StandardScaler({.columns = {"color"}}).fit(train); },
                          "column 'color' is categorical, which this transformer does not accept");
  expect_error<DataError>(
      [&] {
        kp::StandardScaler().fit(kd::Frame({kd::Column::numeric("z", {kNaN, kNaN})}));
      },
      "column 'z' has no non-missing values");

  // NaN passes through the scalers but not the row normaliser or log1p below -1.
  const kd::Frame with_nan(
      {kd::Column::numeric("a", {1.0, kNaN, 3.0}), kd::Column::numeric("b", {1.0, 2.0, -3.0})});
  CHECK(std::isnan(kp::MinMaxScaler().fit_transform(with_nan).column("a").doubles()[1]));
  expect_error<DataError>([&] { (void)kp::Normalizer().fit_transform(with_nan); },
                          "Normalizer::transform: column 'a' is missing at row 1");
  expect_error<DataError>([&] { (void)kp::Log1pTransformer().fit_transform(with_nan); },
                          "column 'b' has -3 at row 2 (log1p needs values >= -1)");
  expect_error<DataError>(
      [&] { (void)kp::PowerTransformer({.method = kp::PowerMethod::kBoxCox}).fit(with_nan); },
      "column 'b' has -3; box-cox needs strictly positive values");

  // Unseen categories and missing values in the encoders.
  const kd::Frame cats(
      {kd::Column::text("c", {"x", "y", "x", "z"}), kd::Column::text("d", {"p", "q", "q", "p"})});
  const kd::Frame unseen({kd::Column::text("c", {"x", "w"}), kd::Column::text("d", {"p", "p"})});
  kp::OneHotEncoder strict;
  strict.fit(cats);
  expect_error<DataError>(
      [&] { (void)strict.transform(unseen); },
      "OneHotEncoder::transform: column 'c' has the unseen category 'w' at row 1");
  kp::OneHotEncoder lenient({.handle_unknown = kp::HandleUnknown::kIgnore});
  const auto encoded = lenient.fit(cats).transform(unseen);
  CHECK(encoded.column("c_x").doubles()[1] == 0.0);
  CHECK(encoded.column("c_y").doubles()[1] == 0.0);
  kp::OneHotEncoder no_missing({.handle_missing = kp::HandleMissing::kError});
  const kd::Frame missing_cat({kd::Column::text("c", {"x", ""}, {0, 1})});
  expect_error<DataError>([&] { no_missing.fit(missing_cat); },
                          "column 'c' is missing at row 1 (handle_missing is error)");
  kp::OrdinalEncoder ordinal;
  ordinal.fit(cats);
  expect_error<DataError>([&] { (void)ordinal.transform(unseen); },
                          "OrdinalEncoder::transform: column 'c' has the unseen category 'w'");
  expect_error<kolosal::ConfigError>(
      [&] {
        kp::OrdinalEncoder(
            {.handle_unknown = kp::HandleUnknown::kUseEncodedValue, .unknown_value = 1.0})
            .fit(cats);
      },
      "unknown_value 1 is the code of a category of column 'c'");
  const auto ord = kp::OrdinalEncoder({.handle_unknown = kp::HandleUnknown::kUseEncodedValue})
                       .fit(cats)
                       .transform(unseen);
  CHECK(std::isnan(ord.column("c").doubles()[1]));
  kp::TargetEncoder target;
  expect_error<kolosal::InvalidArgument>([&] { target.fit(cats); }, "needs the target y");
  expect_error<kolosal::ShapeMismatch>(
      [&] {
        target.fit(cats, std::vector<double>{1.0, 2.0});
      },
      "x has 4 rows but y has 2 values");
  expect_error<DataError>(
      [&] {
        target.fit(cats, std::vector<double>{1.0, kNaN, 2.0, 3.0});
      },
      "TargetEncoder::fit: y[1] is nan");
  kp::FrequencyEncoder frequency;
  CHECK(frequency.fit(cats).transform(unseen).column("c").doubles()[1] == 0.0);
}

TEST_CASE("target encoder: cross-fitting keeps each row's target out of its encoding",
          "[preprocessing][target]") {
  // Every category is unique, so a leaky encoding would reproduce the target exactly.
  std::vector<std::string> ids;
  std::vector<double> y;
  for (int i = 0; i < 50; ++i) {
    ids.push_back("id" + std::to_string(i));
    y.push_back(static_cast<double>(i % 7));
  }
  const kd::Frame x({kd::Column::text("id", ids)});
  kp::TargetEncoder encoder({.smooth = 0.0, .cv = 5});
  const auto crossed = encoder.fit_transform(x, y).column("id").to_doubles();
  const auto full = encoder.transform(x).column("id").to_doubles();
  std::size_t leaked = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    CHECK(full[i] == Approx(y[i]));  // fit + transform: the category mean is the row itself
    if (crossed[i] == y[i]) ++leaked;
  }
  CHECK(leaked < 10);
  // Shuffled folds are seeded by the context.
  kp::TargetEncoder s1({.shuffle = true});
  kp::TargetEncoder s2({.shuffle = true});
  CHECK(s1.fit_transform(x, y) == s2.fit_transform(x, y));
  s2.set_context({.seed = 123});
  CHECK_FALSE(s1.fit_transform(x, y) == s2.fit_transform(x, y));
}

TEST_CASE("label encoder: sorted classes, inverse and unseen labels", "[preprocessing][label]") {
  kp::LabelEncoder text;
  const auto species = kd::Column::text("species", {"virginica", "setosa", "versicolor", "setosa"});
  CHECK(text.fit_transform(species) == std::vector<double>{2, 0, 1, 0});
  CHECK(text.classes() == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  CHECK(text.inverse_transform(std::vector<double>{1, 2}) ==
        std::vector<std::string>{"versicolor", "virginica"});
  expect_error<kolosal::DataError>(
      [&] {
        (void)text.transform(kd::Column::text("species", {"setosa", "rosa"}));
      },
      "column 'species' has the unseen label 'rosa' at row 1");
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)text.inverse_transform(std::vector<double>{3}); }, "not a class index below 3");

  kp::LabelEncoder numbers;
  const auto codes = numbers.fit_transform(kd::Column::numeric("y", {10.0, 2.0, 10.0, -1.0}));
  CHECK(codes == std::vector<double>{2, 1, 2, 0});
  CHECK(numbers.classes() == std::vector<std::string>{"-1", "2", "10"});
  kp::LabelEncoder restored;
  restored.load_state(numbers.state());
  CHECK(restored.classes() == numbers.classes());
  expect_error<kolosal::DataError>(
      [&] {
        (void)kp::LabelEncoder().fit(kd::Column::numeric("y", {1.0, kNaN}));
      },
      "column 'y' is missing at row 1");
}

TEST_CASE("quantile transformer: normal_quantile inverts the normal CDF",
          "[preprocessing][quantile]") {
  for (const double p : {1e-300, 1e-12, 1e-7, 0.001, 0.02425, 0.2, 0.5, 0.7, 0.975, 0.999999}) {
    const double x = kp::normal_quantile(p);
    const double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
    CHECK(cdf == Approx(p).epsilon(1e-13));
  }
  CHECK(kp::normal_quantile(0.5) == 0.0);
  CHECK(kp::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-15));
  CHECK(std::isinf(kp::normal_quantile(0.0)));
}
