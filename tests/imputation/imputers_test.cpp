// SPDX-License-Identifier: MIT
// Imputers beyond the scikit-learn parity cases: label columns, indicators, bad input.
#include "kolosal/imputation/imputers.hpp"

#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/imputation/iterative.hpp"

#include "test_util.hpp"

namespace ki = kolosal::imputation;
namespace kd = kolosal::data;
using kolosal::test::expect_error;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("SimpleImputer: keeps column types and adds indicators", "[imputation][simple]") {
  const kd::Frame x({kd::Column::numeric("n", {1.0, kNaN, 3.0, 3.0}),
                     kd::Column::categorical("c", {0, -1, 1, 1}, {"lo", "hi"}),
                     kd::Column::text("t", {"b", "a", "", "a"}, {0, 0, 1, 0}),
                     kd::Column::boolean("f", {1, 0, 1, 0}, {0, 0, 0, 1})});
  ki::SimpleImputer most({.strategy = ki::ImputeStrategy::kMostFrequent, .add_indicator = true});
  const auto out = most.fit_transform(x);
  CHECK(out.column_names() == std::vector<std::string>{"n", "c", "t", "f", "n_missing", "c_missing",
                                                       "t_missing", "f_missing"});
  CHECK(out.column("n").doubles()[1] == 3.0);
  CHECK(out.column("c").type() == kd::ColumnType::kCategorical);
  CHECK(out.column("c").label(1) == "hi");
  CHECK(out.column("t").label(2) == "a");
  CHECK(out.column("f").label(3) == "true");
  CHECK(out.column("t_missing").doubles()[2] == 1.0);
  CHECK_FALSE(out.column("c").has_missing());

  ki::SimpleImputer constant({.strategy = ki::ImputeStrategy::kConstant, .fill_label = "none"});
  const auto filled = constant.fit_transform(x);
  CHECK(filled.column("c").label(1) == "none");
  CHECK(filled.column("c").categories().size() == 3);
  CHECK(filled.column("n").doubles()[1] == 0.0);

  // Mean leaves label columns alone unless asked for them by name.
  const auto mean = ki::SimpleImputer().fit_transform(x);
  CHECK(mean.column("n").doubles()[1] == Approx(7.0 / 3.0));
  CHECK(mean.column("c") == x.column("c"));
  expect_error<kolosal::DataError>(
      [&] { ki::SimpleImputer({.columns = {"c"}}).fit(x); },
      "SimpleImputer::fit: column 'c' is categorical; strategy mean needs numeric columns");
  expect_error<kolosal::DataError>(
      [&] {
        ki::SimpleImputer().fit(kd::Frame({kd::Column::numeric("z", {kNaN, kNaN})}));
      },
      "column 'z' has no observed values");
}

TEST_CASE("MissingIndicator: new missing values at transform are an error",
          "[imputation][indicator]") {
  const kd::Frame train({kd::Column::numeric("a", {1.0, kNaN}), kd::Column::numeric("b", {1, 2})});
  const kd::Frame test(
      {kd::Column::numeric("a", {kNaN, 1.0}), kd::Column::numeric("b", {kNaN, 2})});
  ki::MissingIndicator indicator;
  indicator.fit(train);
  expect_error<kolosal::DataError>(
      [&] { (void)indicator.transform(test); },
      "column 'b' has missing values but had none at fit (error_on_new)");
  ki::MissingIndicator all({.features = ki::IndicatorFeatures::kAll});
  const auto out = all.fit(train).transform(test);
  CHECK(out.column_names() == std::vector<std::string>{"a", "b", "a_missing", "b_missing"});
  CHECK(out.column("b_missing").doubles()[0] == 1.0);
}

TEST_CASE("KnnImputer: exact matches, rows without overlap, bad input", "[imputation][knn]") {
  const kd::Frame train({kd::Column::numeric("a", {0.0, 1.0, 2.0, 10.0}),
                         kd::Column::numeric("b", {0.0, 10.0, 20.0, 100.0})});
  ki::KnnImputer distance({.n_neighbors = 2, .weights = ki::KnnWeights::kDistance});
  distance.fit(train);
  const kd::Frame test(
      {kd::Column::numeric("a", {1.0, kNaN}), kd::Column::numeric("b", {kNaN, kNaN})});
  const auto out = distance.transform(test);
  CHECK(out.column("b").doubles()[0] == 10.0);          // an exact match takes all the weight
  CHECK(out.column("a").doubles()[1] == Approx(3.25));  // no shared coordinate: the column mean
  CHECK(out.column("b").doubles()[1] == Approx(32.5));
  expect_error<kolosal::DataError>(
      [&] { ki::KnnImputer().fit(kd::Frame({kd::Column::numeric("z", {kNaN})})); },
      "KnnImputer::fit: column 'z' has no observed values");
  expect_error<kolosal::DataError>(
      [&] { (void)distance.transform(kd::Frame({kd::Column::numeric("a", {1.0})})); },
      "column 'b' seen at fit is missing");
}

TEST_CASE("mice: several seeded imputations that keep the observed values",
          "[imputation][iterative]") {
  std::vector<double> a(30);
  std::vector<double> b(30);
  for (std::size_t i = 0; i < 30; ++i) {
    a[i] = static_cast<double>(i);
    b[i] = 2.0 * static_cast<double>(i) + static_cast<double>(i % 3);
  }
  a[4] = kNaN;
  b[7] = kNaN;
  b[20] = kNaN;
  const kd::Frame x({kd::Column::numeric("a", a), kd::Column::numeric("b", b)});
  ki::IterativeImputer imputer;
  const auto deterministic = imputer.fit_transform(x);
  CHECK(deterministic.column("b").doubles()[7] == Approx(15.0).margin(1.5));
  const auto copies = ki::mice(imputer, x, 3);
  REQUIRE(copies.size() == 3);
  CHECK(copies == ki::mice(imputer, x, 3));
  CHECK_FALSE(copies[0].column("b").doubles()[7] == copies[1].column("b").doubles()[7]);
  for (const auto& c : copies) {
    CHECK(c.column("a").doubles()[5] == 5.0);
    CHECK_FALSE(c.column("b").has_missing());
  }
  expect_error<kolosal::InvalidArgument>([&] { (void)ki::mice(imputer, x, 0); }, "m must be >= 1");
}
