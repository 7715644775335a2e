// SPDX-License-Identifier: MIT
// The Pipeline and the column transformer: one artifact, a final model, single-row inference
// and the schema policy of composition.
#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/registry.hpp"
#include "kolosal/preprocessing/scalers.hpp"
#include "kolosal/training/dummy.hpp"

#include "test_util.hpp"

namespace kp = kolosal::preprocessing;
namespace ki = kolosal::imputation;
namespace kd = kolosal::data;
using kolosal::test::expect_error;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

kd::Frame houses() {
  return kd::Frame(
      {kd::Column::numeric("area", {50.0, 80.0, kNaN, 120.0, 65.0, 95.0}),
       kd::Column::numeric("rooms", {2.0, 3.0, 3.0, kNaN, 2.0, 4.0}),
       kd::Column::text("city", {"oslo", "lima", "oslo", "pune", "", "lima"}, {0, 0, 0, 0, 1, 0}),
       kd::Column::text("note", {"a", "b", "c", "d", "e", "f"})});
}

kp::Pipeline house_pipeline() {
  kp::Pipeline numeric;
  numeric.add(std::make_unique<ki::SimpleImputer>());
  numeric.add(std::make_unique<kp::StandardScaler>());
  kp::ColumnTransformer ct;
  ct.add_by_type("num", std::make_unique<kp::Pipeline>(numeric), {kd::ColumnType::kNumeric});
  ct.add("cat",
         std::make_unique<kp::OneHotEncoder>(
             kp::OneHotEncoderConfig{.handle_unknown = kp::HandleUnknown::kIgnore}),
         {"city"});
  kp::Pipeline pipeline;
  pipeline.add(std::make_unique<kp::ColumnTransformer>(std::move(ct)));
  pipeline.set_model(
      std::make_unique<kolosal::training::DummyRegressor>(kolosal::training::DummyRegressorConfig{
          .strategy = kolosal::training::DummyRegressorStrategy::kMedian}));
  return pipeline;
}

}  // namespace

TEST_CASE("Pipeline: fits steps and model, saves and loads as one artifact",
          "[preprocessing][pipeline]") {
  const auto x = houses();
  const std::vector<double> y{1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  auto pipeline = house_pipeline();
  CHECK(pipeline.needs_target());
  expect_error<kolosal::InvalidArgument>([&] { pipeline.fit(x); },
                                         "pipeline::fit: needs the target y");
  pipeline.fit(x, y);
  const auto transformed = pipeline.transform(x);
  // The "note" column is in no group and the remainder is dropped.
  CHECK(transformed.column_names() == std::vector<std::string>{"area", "rooms", "city_lima",
                                                               "city_oslo", "city_pune",
                                                               "city_nan"});
  CHECK(pipeline.feature_names() == transformed.column_names());
  const auto predictions = pipeline.predict(x);
  CHECK(predictions == std::vector<double>(6, 3.5));

  kolosal::test::TempDir dir;
  for (const auto encoding :
       {kolosal::serialization::Encoding::kJson, kolosal::serialization::Encoding::kBinary}) {
    pipeline.save(dir / "house.kolosal", encoding);
    const auto loaded = kp::Pipeline::load(dir / "house.kolosal");
    CHECK(loaded.transform(x) == transformed);
    CHECK(loaded.predict(x) == predictions);
    CHECK(loaded.config() == pipeline.config());
  }
  // A pipeline artifact is not a transformer artifact, and vice versa.
  CHECK_THROWS_AS(kp::load_transformer(dir / "house.kolosal"), kolosal::SerializationError);
  kp::save_transformer(pipeline, dir / "as_transformer.kolosal");
  CHECK(kp::load_transformer(dir / "as_transformer.kolosal")->transform(x) == transformed);

  // Single-row inference gives the batch's row.
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const std::vector<std::size_t> one{r};
    const auto row = pipeline.transform(x.take(one));
    CHECK(row == transformed.take(one));
  }

  // The copy is deep: refitting the original leaves it alone.
  const kp::Pipeline copy = pipeline;
  pipeline.fit(x, std::vector<double>{9, 9, 9, 9, 9, 9});
  CHECK(copy.predict(x) == predictions);
  CHECK(pipeline.predict(x) == std::vector<double>(6, 9.0));
}

TEST_CASE("Pipeline and ColumnTransformer: schema errors name the column",
          "[preprocessing][pipeline]") {
  const auto x = houses();
  const std::vector<double> y{1, 2, 3, 4, 5, 6};
  auto pipeline = house_pipeline();
  pipeline.fit(x, y);
  expect_error<kolosal::DataError>([&] { (void)pipeline.transform(x.drop({"rooms"})); },
                                   "column 'rooms' of group 'num' seen at fit is missing");
  expect_error<kolosal::InvalidArgument>([&] { (void)kp::Pipeline().predict(x); },
                                         "the pipeline has no model");

  // A model needs numeric input: a text column left after the last step is an error.
  kp::Pipeline raw;
  raw.set_model(std::make_unique<kolosal::training::DummyRegressor>());
  expect_error<kolosal::DataError>([&] { raw.fit(x, y); },
                                   "column 'city' is text after the last step");

  kp::ColumnTransformer clash;
  clash.add("a", std::make_unique<kp::StandardScaler>(), {"area"});
  clash.add("b", std::make_unique<kp::MinMaxScaler>(), {"area"});
  expect_error<kolosal::DataError>([&] { (void)clash.fit_transform(x); },
                                   "two groups produce the column 'area'");
  kp::ColumnTransformer unknown;
  unknown.add("a", std::make_unique<kp::StandardScaler>(), {"size"});
  expect_error<kolosal::DataError>([&] { unknown.fit(x); },
                                   "group 'a' needs column 'size', which is not in the frame");
  expect_error<kolosal::InvalidArgument>(
      [&] { unknown.add("a", std::make_unique<kp::StandardScaler>(), {"area"}); },
      "group 'a' already exists");

  // Passthrough keeps the columns in no group, after the groups' outputs.
  kp::ColumnTransformer passthrough;
  passthrough.add("scale", std::make_unique<kp::MaxAbsScaler>(), {"rooms"});
  passthrough.set_remainder(kp::Remainder::kPassthrough);
  const auto out = passthrough.fit_transform(x);
  CHECK(out.column_names() == std::vector<std::string>{"rooms", "area", "city", "note"});
  CHECK(out.column("note") == x.column("note"));
}

TEST_CASE("Pipeline: records the input schema and keeps class labels through save and load",
          "[preprocessing][pipeline]") {
  const auto x = houses();
  kp::LabelEncoder labels;
  const auto target = kd::Column::text("size", {"small", "mid", "mid", "large", "small", "large"});
  const auto y = labels.fit_transform(target);
  kp::Pipeline pipeline;
  pipeline.add(std::make_unique<ki::SimpleImputer>());
  pipeline.set_model(std::make_unique<kolosal::training::DummyClassifier>());
  CHECK(pipeline.input_schema().empty());
  pipeline.fit(x.select({"area", "rooms"}), y);
  CHECK(pipeline.input_schema() ==
        std::vector<kp::ColumnSpec>{{"area", kd::ColumnType::kNumeric},
                                    {"rooms", kd::ColumnType::kNumeric}});
  expect_error<kolosal::InvalidArgument>(
      [&] {
        pipeline.set_classes({"a", "b"});
      },
      "2 labels for a model with 3 classes");
  pipeline.set_classes(labels.classes());
  CHECK(pipeline.classes() == std::vector<std::string>{"large", "mid", "small"});

  kolosal::test::TempDir dir;
  pipeline.save(dir / "p.kolosal", kolosal::serialization::Encoding::kBinary);
  const auto loaded = kp::Pipeline::load(dir / "p.kolosal");
  CHECK(loaded.input_schema() == pipeline.input_schema());
  CHECK(loaded.classes() == pipeline.classes());
  const kp::Pipeline copy = loaded;
  CHECK(copy.classes() == pipeline.classes());
}
