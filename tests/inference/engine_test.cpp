// SPDX-License-Identifier: MIT
// The inference engine: parity with the pipeline it serves, schema errors, labels, the result
// cache, latency stats, concurrent callers, and the fixtures of the `kolosal predict` tests.
#include "kolosal/inference/engine.hpp"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/scalers.hpp"
#include "kolosal/training/gbdt.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"

namespace kinf = kolosal::inference;
namespace kp = kolosal::preprocessing;
namespace kd = kolosal::data;
namespace kt = kolosal::training;
using kolosal::test::expect_error;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// 300 rows: two numbers (one with missing values), a colour, and a yes/no target that depends
/// on all three.
kd::Frame mixed_rows() {
  std::vector<double> a;
  std::vector<double> b;
  std::vector<std::string> colour;
  std::vector<std::string> answer;
  for (int i = 0; i < 300; ++i) {
    a.push_back(std::sin(i * 0.37) * 3.0);
    b.push_back(i % 9 == 0 ? kNaN : std::cos(i * 0.11) * 10.0);
    colour.push_back(i % 3 == 0 ? "red" : (i % 3 == 1 ? "green" : "blue"));
    const double score = a.back() + (std::isnan(b.back()) ? 0.0 : b.back() / 5.0) +
                         (colour.back() == "red" ? 1.5 : -0.5);
    answer.push_back(score > 0 ? "yes" : "no");
  }
  return kd::Frame({kd::Column::numeric("a", a), kd::Column::numeric("b", b),
                    kd::Column::categorical_from_labels("colour", colour),
                    kd::Column::categorical_from_labels("answer", answer)});
}

/// Impute and scale the numbers, one-hot the colour, then a GBDT.
kp::Pipeline gbdt_pipeline(kt::GbdtObjective objective) {
  kp::Pipeline numeric;
  numeric.add(std::make_unique<kolosal::imputation::SimpleImputer>());
  numeric.add(std::make_unique<kp::StandardScaler>());
  kp::ColumnTransformer columns;
  columns.add_by_type("num", std::make_unique<kp::Pipeline>(std::move(numeric)),
                      {kd::ColumnType::kNumeric});
  columns.add("cat",
              std::make_unique<kp::OneHotEncoder>(
                  kp::OneHotEncoderConfig{.handle_unknown = kp::HandleUnknown::kIgnore}),
              {"colour"});
  kp::Pipeline pipeline;
  pipeline.add(std::make_unique<kp::ColumnTransformer>(std::move(columns)));
  pipeline.set_model(std::make_unique<kt::Gbdt>(
      kt::GbdtConfig{.objective = objective, .n_estimators = 20, .max_depth = 3}));
  return pipeline;
}

/// The fitted yes/no pipeline with its class labels.
kp::Pipeline fitted_mixed(const kolosal::Context& ctx = {}) {
  const auto frame = mixed_rows();
  kp::LabelEncoder labels;
  const auto y = labels.fit_transform(frame.column("answer"));
  auto pipeline = gbdt_pipeline(kt::GbdtObjective::kBinaryLogloss);
  pipeline.set_context(ctx);
  pipeline.fit(frame.drop({"answer"}), y);
  pipeline.set_classes(labels.classes());
  return pipeline;
}

/// A GBDT regression on the diabetes table after imputation and scaling (every input numeric).
/// Trees predict each row on its own, so results are bit-identical for any batch composition.
kp::Pipeline fitted_diabetes(const kd::Frame& frame, const kolosal::Context& ctx = {}) {
  kp::Pipeline pipeline;
  pipeline.set_context(ctx);
  pipeline.add(std::make_unique<kolosal::imputation::SimpleImputer>());
  pipeline.add(std::make_unique<kp::StandardScaler>());
  pipeline.set_model(
      std::make_unique<kt::Gbdt>(kt::GbdtConfig{.n_estimators = 30, .max_depth = 3}));
  pipeline.fit(frame.drop({"progression"}), frame.column("progression").to_doubles());
  return pipeline;
}

}  // namespace

TEST_CASE("InferenceConfig: JSON round trip and bounds", "[inference]") {
  const kinf::InferenceConfig config{.block_rows = 7, .cache_capacity = 10, .cache_ttl_seconds = 2};
  CHECK(kolosal::config::from_json<kinf::InferenceConfig>(kolosal::config::to_json(config)) ==
        config);
  expect_error<kolosal::ConfigError>(
      [] { (void)kinf::InferenceEngine(fitted_mixed(), {.block_rows = 0}); },
      "block_rows must be >= 1");
}

TEST_CASE("InferenceEngine: predicts what the pipeline predicts, as labels and probabilities",
          "[inference]") {
  const auto frame = mixed_rows();
  const auto pipeline = fitted_mixed();
  const auto x = frame.drop({"answer"});
  const auto expected = pipeline.predict(x);
  const auto expected_proba = pipeline.predict_proba(x);

  // Columns in another order, the target still present: both ignored by the schema check.
  const auto shuffled = frame.select({"answer", "colour", "b", "a"});
  for (const auto& [threads, block] :
       {std::pair{1, 1024UL}, std::pair{2, 7UL}, std::pair{0, 64UL}}) {
    const kinf::InferenceEngine engine(pipeline, {.block_rows = block}, {.n_threads = threads});
    CHECK(engine.is_classifier());
    CHECK(engine.has_proba());
    CHECK(engine.classes() == std::vector<std::string>{"no", "yes"});
    CHECK(engine.schema().size() == 3);
    const auto p = engine.predict(shuffled);
    CHECK(p.values == expected);
    REQUIRE(p.proba.rows() == 300);
    for (std::size_t r = 0; r < 300; ++r) {
      CHECK(p.proba(r, 0) == expected_proba(r, 0));
      CHECK(p.proba(r, 1) == expected_proba(r, 1));
    }
  }

  const kinf::InferenceEngine engine(pipeline);
  const auto table = engine.predict_table(shuffled);
  CHECK(table.column_names() == std::vector<std::string>{"prediction", "proba_no", "proba_yes"});
  const auto labels = table.column("prediction").to_labels();
  std::size_t correct = 0;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    CHECK(labels[r] == (expected[r] == 1.0 ? "yes" : "no"));
    correct += labels[r] == frame.column("answer").label(r) ? 1 : 0;
    CHECK(table.column("proba_yes").as_double(r) == expected_proba(r, 1));
  }
  CHECK(correct > 270);  // the GBDT learns the rule
  CHECK(engine.labels(std::vector<double>{1.0, 0.0}) == std::vector<std::string>{"yes", "no"});
  expect_error<kolosal::InvalidArgument>([&] { (void)engine.labels(std::vector<double>{2.0}); },
                                         "2 is not a class index");

  // One row at a time gives the batch's rows.
  for (const std::size_t r : {0UL, 9UL, 150UL, 299UL}) {
    const std::vector<std::size_t> one{r};
    const auto p = engine.predict(shuffled.take(one));
    CHECK(p.values == std::vector<double>{expected[r]});
    CHECK(p.proba(0, 1) == expected_proba(r, 1));
  }
}

TEST_CASE("InferenceEngine: schema errors name the column", "[inference]") {
  const auto frame = mixed_rows();
  const kinf::InferenceEngine engine(fitted_mixed());
  expect_error<kolosal::DataError>(
      [&] { (void)engine.predict(frame.drop({"colour"})); },
      "InferenceEngine: the input has no column 'colour' (the model was trained on: a, b, colour)");
  const auto as_text = kd::Frame({frame.column("a"), frame.column("b"),
                                  kd::Column::text("colour", frame.column("colour").to_labels())});
  expect_error<kolosal::DataError>([&] { engine.validate(as_text); },
                                   "column 'colour' is text but the model was trained on "
                                   "categorical values");
  const std::vector<double> row{1.0, 2.0, 0.0};
  expect_error<kolosal::InvalidArgument>([&] { (void)engine.predict_row(row); },
                                         "takes non-numeric columns; pass a Frame");
  CHECK(engine.stats().errors == 2);  // the two failed predict calls

  kp::Pipeline no_model;
  no_model.add(std::make_unique<kp::StandardScaler>());
  no_model.fit(frame.select({"a"}));
  expect_error<kolosal::InvalidArgument>([&] { (void)kinf::InferenceEngine(no_model); },
                                         "has no model");
  expect_error<kolosal::NotFitted>(
      [&] { (void)kinf::InferenceEngine(gbdt_pipeline(kt::GbdtObjective::kSoftmax)); },
      "not fitted");
}

TEST_CASE("InferenceEngine: loads an artifact once and serves rows, matrices and a cache",
          "[inference]") {
  const auto frame = kd::read_csv(kolosal::test::data_path("diabetes.csv"));
  const auto pipeline = fitted_diabetes(frame);
  const auto x = frame.drop({"progression"});
  const auto expected = pipeline.predict(x);
  kolosal::test::TempDir dir;
  pipeline.save(dir / "diabetes.kolosal", kolosal::serialization::Encoding::kBinary);

  auto engine = kinf::InferenceEngine::load(dir / "diabetes.kolosal", {.cache_capacity = 64});
  CHECK_FALSE(engine.is_classifier());
  CHECK(engine.classes().empty());
  CHECK(engine.n_features() == 10);
  const auto matrix = x.to_matrix();
  const auto all = engine.predict(matrix.view());
  CHECK(all.values == expected);
  CHECK(all.proba.rows() == 0);
  auto stats = engine.stats();
  CHECK(stats.calls == 1);
  CHECK(stats.rows == 442);
  CHECK(stats.cache_misses == 442);

  engine.reset_stats();
  for (int repeat = 0; repeat < 3; ++repeat) {
    for (std::size_t r = 0; r < 10; ++r) {
      const std::span<const double> row(&matrix(r, 0), 10);
      CHECK(engine.predict_row(row).values == std::vector<double>{expected[r]});
    }
  }
  stats = engine.stats();
  CHECK(stats.calls == 30);
  CHECK(stats.cache_misses == 10);
  CHECK(stats.cache_hits == 20);
  CHECK(stats.latency_p50_ms > 0.0);
  CHECK(stats.latency_p99_ms >= stats.latency_p50_ms);
  CHECK(stats.to_json()["cache_hits"] == 20);
  CHECK(engine.metrics_json().is_object());
  // Entries expire after the TTL: the same row misses again.
  const kinf::InferenceEngine expiring(pipeline, {.cache_capacity = 8, .cache_ttl_seconds = 0.005});
  const std::span<const double> first(&matrix(0, 0), 10);
  CHECK(expiring.predict_row(first).values == std::vector<double>{expected[0]});
  CHECK(expiring.predict_row(first).values == std::vector<double>{expected[0]});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(expiring.predict_row(first).values == std::vector<double>{expected[0]});
  CHECK(expiring.stats().cache_hits == 1);
  CHECK(expiring.stats().cache_misses == 2);

  const std::vector<double> short_row{1.0, 2.0};
  expect_error<kolosal::ShapeMismatch>([&] { (void)engine.predict_row(short_row); },
                                       "rows have 2 values but the model takes 10 columns");

  // A bare model artifact: the numeric columns of a frame, or a matrix.
  kt::Ridge ridge;
  ridge.fit(matrix.view(), frame.column("progression").to_doubles());
  kt::save_model(ridge, dir / "ridge.kolosal");
  const auto bare = kinf::InferenceEngine::load(dir / "ridge.kolosal");
  CHECK(bare.pipeline() == nullptr);
  CHECK(bare.predict(matrix.view()).values == ridge.predict(matrix.view()));
  CHECK(bare.predict(x).values == ridge.predict(matrix.view()));
  expect_error<kolosal::ShapeMismatch>([&] { (void)bare.predict(frame); },
                                       "the input has 11 numeric columns but the model takes 10");

  kolosal::io::write_file_atomic(dir / "junk.kolosal", "not an artifact");
  CHECK_THROWS_AS(kinf::InferenceEngine::load(dir / "junk.kolosal"), kolosal::SerializationError);
}

TEST_CASE("InferenceEngine: warm-up runs predictions without counting them", "[inference]") {
  const kinf::InferenceEngine engine(fitted_mixed());
  engine.warm_up();
  engine.warm_up(mixed_rows().head(5), 2);
  CHECK(engine.stats().calls == 0);
  const auto diabetes = kd::read_csv(kolosal::test::data_path("diabetes.csv"));
  const kinf::InferenceEngine numeric(fitted_diabetes(diabetes));
  numeric.warm_up(1);
  CHECK(numeric.stats().calls == 0);
}

TEST_CASE("InferenceEngine concurrency: many callers get the sequential results",
          "[inference][concurrency]") {
  // The callers are the concurrency here; the engines and reads stay off oneTBB, whose
  // uninstrumented scheduler ThreadSanitizer cannot follow (the tsan preset runs this test).
  const kolosal::Context serial{.n_threads = 1};
  const auto frame = kd::read_csv(kolosal::test::data_path("diabetes.csv"), {}, serial);
  const auto x = frame.drop({"progression"});
  const auto matrix = x.to_matrix();
  const auto mixed = mixed_rows();
  auto diabetes = fitted_diabetes(frame, serial);
  auto yes_no = fitted_mixed(serial);
  const auto expected = diabetes.predict(x);
  const auto expected_labels = yes_no.predict(mixed);
  const kinf::InferenceEngine cached(std::move(diabetes), {.block_rows = 16, .cache_capacity = 100},
                                     serial);
  const kinf::InferenceEngine classifier(std::move(yes_no), {.block_rows = 32}, serial);

  constexpr int kThreads = 8;
  constexpr int kCalls = 60;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::size_t r = static_cast<std::size_t>((t * 131 + i * 17) % 442);
        const std::span<const double> row(&matrix(r, 0), 10);
        if (cached.predict_row(row).values.front() != expected[r]) ++mismatches;
        if (i % 10 == 0) {
          if (cached.predict(matrix.view()).values != expected) ++mismatches;
          if (classifier.predict(mixed).values != expected_labels) ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(mismatches.load() == 0);
  const auto stats = cached.stats();
  CHECK(stats.calls == kThreads * kCalls + kThreads * kCalls / 10);
  CHECK(stats.errors == 0);
  CHECK(stats.cache_hits + stats.cache_misses == stats.rows);
  CHECK(classifier.stats().rows == kThreads * (kCalls / 10) * 300);
}

// Writes the artifacts and CSV files the `kolosal predict` ctest cases read, into the folder
// named by KOLOSAL_CLI_FIXTURE_DIR (run by ctest as the fixture cli.predict_setup).
TEST_CASE("Serving: fixtures of the predict command tests", "[.cli_fixture]") {
  const char* dir_env = std::getenv("KOLOSAL_CLI_FIXTURE_DIR");
  REQUIRE(dir_env != nullptr);
  const std::filesystem::path dir(dir_env);
  std::filesystem::create_directories(dir);

  // Iris: scaler + GBDT, labels kept (trees give the same bits for any chunking).
  const auto iris = kd::read_csv(kolosal::test::data_path("iris.csv"));
  kp::LabelEncoder labels;
  const auto y = labels.fit_transform(iris.column("species"));
  kp::Pipeline pipeline;
  pipeline.add(std::make_unique<kp::StandardScaler>());
  pipeline.set_model(std::make_unique<kt::Gbdt>(kt::GbdtConfig{
      .objective = kt::GbdtObjective::kSoftmax, .n_estimators = 20, .max_depth = 3}));
  const auto features = iris.drop({"species"});
  pipeline.fit(features, y);
  pipeline.set_classes(labels.classes());
  pipeline.save(dir / "iris.kolosal");
  const kinf::InferenceEngine engine(pipeline);
  const auto table = engine.predict_table(iris);
  kd::write_csv(table, dir / "iris_expected.csv");
  // Columns reversed, the target dropped; and one model column missing.
  auto names = features.column_names();
  std::reverse(names.begin(), names.end());
  kd::write_csv(features.select(names), dir / "iris_reordered.csv");
  kd::write_csv(iris.drop({"petal width (cm)"}), dir / "iris_missing.csv");
  kd::write_csv(iris.head(0), dir / "iris_empty.csv");
  kd::write_csv(engine.predict_table(iris.head(0)), dir / "iris_empty_expected.csv");
  std::size_t correct = 0;
  for (std::size_t r = 0; r < iris.rows(); ++r) {
    correct += table.column("prediction").label(r) == iris.column("species").label(r) ? 1 : 0;
  }
  CHECK(correct >= 140);

  // Diabetes: a regression pipeline.
  const auto diabetes = kd::read_csv(kolosal::test::data_path("diabetes.csv"));
  const auto regression = fitted_diabetes(diabetes);
  regression.save(dir / "diabetes.kolosal");
  kd::write_csv(kinf::InferenceEngine(regression).predict_table(diabetes),
                dir / "diabetes_expected.csv");
  CHECK(std::filesystem::exists(dir / "diabetes_expected.csv"));
}
