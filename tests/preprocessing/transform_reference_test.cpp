// SPDX-License-Identifier: MIT
// Parity of the transform layer with scikit-learn on committed reference data
// (scripts/reference/preprocessing_reference.py).
#include <fstream>
#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/feature_engineering/features.hpp"
#include "kolosal/feature_engineering/selection.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/registry.hpp"
#include "kolosal/preprocessing/scalers.hpp"

#include "test_util.hpp"

namespace kp = kolosal::preprocessing;
namespace kd = kolosal::data;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("preprocessing.json"));
    return json::parse(in);
  }();
  return ref;
}

double number(const json& v) { return v.is_null() ? kNaN : v.get<double>(); }

// Rows of numbers (null = NaN) as numeric columns with the given names.
kd::Frame numeric_frame(const json& rows, const std::vector<std::string>& names) {
  std::vector<kd::Column> columns;
  for (std::size_t j = 0; j < names.size(); ++j) {
    std::vector<double> values;
    for (const auto& row : rows) values.push_back(number(row[j]));
    columns.push_back(kd::Column::numeric(names[j], std::move(values)));
  }
  return kd::Frame(std::move(columns));
}

// Rows of labels (null = missing) as categorical columns.
kd::Frame label_frame(const json& rows, const std::vector<std::string>& names) {
  std::vector<kd::Column> columns;
  for (std::size_t j = 0; j < names.size(); ++j) {
    std::vector<std::string> labels;
    std::vector<std::uint8_t> missing;
    for (const auto& row : rows) {
      labels.push_back(row[j].is_null() ? std::string() : row[j].get<std::string>());
      missing.push_back(row[j].is_null() ? 1 : 0);
    }
    columns.push_back(kd::Column::categorical_from_labels(names[j], labels, missing));
  }
  return kd::Frame(std::move(columns));
}

double tolerance(const std::string& kind) {
  if (kind == "power_transformer") return 1e-6;  // lambda from Brent's method in both
  if (kind == "select_k_best") return 1e-8;
  return 1e-10;
}

void expect_numeric(const kd::Frame& out, const json& expected, double tol,
                    const std::string& what) {
  INFO(what);
  REQUIRE(out.rows() == expected.size());
  REQUIRE(out.cols() == expected[0].size());
  for (std::size_t j = 0; j < out.cols(); ++j) {
    const auto values = out.column(j).to_doubles();
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double want = number(expected[i][j]);
      INFO("column " << out.column(j).name() << " row " << i);
      if (std::isnan(want)) {
        CHECK(std::isnan(values[i]));
      } else {
        CHECK(values[i] == Approx(want).epsilon(tol).margin(tol));
      }
    }
  }
}

}  // namespace

TEST_CASE("transform layer: matches scikit-learn on reference data", "[preprocessing][reference]") {
  const json& ref = reference();
  const auto numeric_names = ref["numeric_names"].get<std::vector<std::string>>();
  const auto label_names = ref["categorical_names"].get<std::vector<std::string>>();
  std::size_t checked = 0;
  for (const auto& c : ref["cases"]) {
    const auto kind = c["kind"].get<std::string>();
    INFO(kind << " " << c["config"].dump());
    const bool labels = c["train"][0][1].is_string() || c["train"][0][1].is_null();
    const auto names = c.contains("input_names") ? c["input_names"].get<std::vector<std::string>>()
                       : labels                  ? label_names
                                                 : numeric_names;
    const auto train = labels ? label_frame(c["train"], names) : numeric_frame(c["train"], names);
    const auto test = labels ? label_frame(c["test"], names) : numeric_frame(c["test"], names);
    auto t = kp::make_transformer(kind, c["config"]);
    std::vector<double> y;
    if (c.contains("y")) y = c["y"].get<std::vector<double>>();
    const auto fit_out = t->fit_transform(train, y);
    const auto test_out = t->transform(test);
    if (kind == "simple_imputer" && labels) {
      // Categorical in, categorical out: compare the labels.
      for (std::size_t j = 0; j < names.size(); ++j) {
        for (std::size_t i = 0; i < test.rows(); ++i) {
          CHECK(test_out.column(j).label(i) == c["test_out"][i][j].get<std::string>());
        }
        for (std::size_t i = 0; i < train.rows(); ++i) {
          CHECK(fit_out.column(j).label(i) == c["fit_out"][i][j].get<std::string>());
        }
      }
    } else {
      expect_numeric(fit_out, c["fit_out"], tolerance(kind), "fit_transform");
      expect_numeric(test_out, c["test_out"], tolerance(kind), "transform");
    }
    if (c.contains("names"))
      CHECK(test_out.column_names() == c["names"].get<std::vector<std::string>>());
    ++checked;
  }
  CHECK(checked == ref["cases"].size());
}

TEST_CASE("murmurhash3_32: matches scikit-learn's murmurhash3_32", "[preprocessing][hashing]") {
  for (const auto& [key, value] : reference()["murmurhash3_32"].items()) {
    INFO(key);
    CHECK(kp::murmurhash3_32(key) == value.get<std::int32_t>());
  }
}

TEST_CASE("pipeline: impute, scale and one-hot match scikit-learn's ColumnTransformer",
          "[preprocessing][pipeline][reference]") {
  const json& p = reference()["pipeline"];
  const auto numeric_names = reference()["numeric_names"].get<std::vector<std::string>>();
  const auto label_names = reference()["categorical_names"].get<std::vector<std::string>>();
  auto mixed = [&](const json& numbers, const json& labels) {
    auto frame = numeric_frame(numbers, numeric_names);
    const auto label_columns = label_frame(labels, label_names);
    for (const auto& c : label_columns.columns()) frame.add_column(c);
    return frame;
  };
  const auto train = mixed(p["train_numeric"], p["train_labels"]);
  const auto test = mixed(p["test_numeric"], p["test_labels"]);

  kp::Pipeline numeric_steps;
  numeric_steps.add(
      std::make_unique<kolosal::imputation::SimpleImputer>(kolosal::imputation::SimpleImputerConfig{
          .strategy = kolosal::imputation::ImputeStrategy::kMedian}));
  numeric_steps.add(std::make_unique<kp::StandardScaler>());
  kp::ColumnTransformer ct;
  ct.add("num", std::make_unique<kp::Pipeline>(numeric_steps), numeric_names);
  ct.add("cat",
         std::make_unique<kp::OneHotEncoder>(
             kp::OneHotEncoderConfig{.handle_unknown = kp::HandleUnknown::kIgnore}),
         label_names);
  const auto fit_out = ct.fit_transform(train);
  CHECK(fit_out.column_names() == p["names"].get<std::vector<std::string>>());
  expect_numeric(fit_out, p["fit_out"], 1e-10, "fit_transform");
  expect_numeric(ct.transform(test), p["test_out"], 1e-10, "transform");

  // The same pipeline built from its JSON config gives the same output.
  auto rebuilt = kp::make_transformer("column_transformer", ct.config());
  CHECK(rebuilt->config() == ct.config());
  CHECK(rebuilt->fit_transform(train) == fit_out);
}

TEST_CASE("SelectKBest: scores match scikit-learn's f_classif, f_regression and chi2",
          "[feature_engineering][selection][reference]") {
  const auto numeric_names = reference()["numeric_names"].get<std::vector<std::string>>();
  std::size_t checked = 0;
  for (const auto& c : reference()["cases"]) {
    if (c["kind"] != "select_k_best") continue;
    INFO(c["config"].dump());
    kolosal::feature_engineering::SelectKBest selector(
        kolosal::config::from_json<kolosal::feature_engineering::SelectKBestConfig>(c["config"]));
    selector.fit(numeric_frame(c["train"], numeric_names), c["y"].get<std::vector<double>>());
    const auto expected = c["scores"].get<std::vector<double>>();
    REQUIRE(selector.scores().size() == expected.size());
    for (std::size_t j = 0; j < expected.size(); ++j) {
      CHECK(selector.scores()[j] == Approx(expected[j]).epsilon(1e-9));
    }
    ++checked;
  }
  CHECK(checked == 3);
}

TEST_CASE("DatetimeFeatures: calendar parts match pandas", "[feature_engineering][datetime]") {
  const json& d = reference()["datetime"];
  const auto micros = d["micros"].get<std::vector<std::int64_t>>();
  std::vector<std::string> parts;
  for (const auto& [part, values] : d["parts"].items()) parts.push_back(part);
  const kd::Frame x({kd::Column::datetime("t", micros)});
  kolosal::feature_engineering::DatetimeFeatures features({.parts = parts});
  const auto out = features.fit_transform(x);
  for (const auto& part : parts) {
    INFO(part);
    const auto got = out.column("t_" + part).doubles();
    const auto want = d["parts"][part].get<std::vector<double>>();
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-12));
  }
  {
    const kd::Frame gap({kd::Column::datetime("t", {0, 0}, {0, 1})});
    const auto parts_out = features.transform(gap);
    CHECK(parts_out.column("t_year").doubles()[0] == 1970.0);
    CHECK(std::isnan(parts_out.column("t_year").doubles()[1]));
  }
  CHECK_THROWS_WITH(kolosal::feature_engineering::DatetimeFeatures({.parts = {"week"}}).fit(x),
                    Catch::Contains("unknown part 'week'"));
}

TEST_CASE("text vectorisers: match scikit-learn's TfidfVectorizer and HashingVectorizer",
          "[feature_engineering][text][reference]") {
  const json& t = reference()["text"];
  const kd::Frame train({kd::Column::text("doc", t["train"].get<std::vector<std::string>>())});
  const kd::Frame test({kd::Column::text("doc", t["test"].get<std::vector<std::string>>())});
  for (const auto& c : t["cases"]) {
    INFO(c["kind"].get<std::string>() << " " << c["config"].dump());
    auto vectorizer = kp::make_transformer(c["kind"].get<std::string>(), c["config"]);
    expect_numeric(vectorizer->fit_transform(train), c["fit_out"], 1e-12, "fit_transform");
    const auto out = vectorizer->transform(test);
    expect_numeric(out, c["test_out"], 1e-12, "transform");
    if (c.contains("names")) {
      CHECK(out.column_names() == c["names"].get<std::vector<std::string>>());
    }
  }
}
