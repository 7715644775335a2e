// SPDX-License-Identifier: MIT
// Tests of Column and Frame: construction, selection, row subsets, summaries, matrices, datetimes.
#include "kolosal/data/frame.hpp"

#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/datetime.hpp"
#include "kolosal/data/eigen.hpp"

#include "test_util.hpp"

namespace kd = kolosal::data;
using Catch::Matchers::Contains;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

kd::Frame small_frame() {
  return kd::Frame({kd::Column::numeric("x", {1.0, 2.0, kNaN, 4.0}),
                    kd::Column::categorical("c", {0, 1, -1, 0}, {"a", "b"}),
                    kd::Column::boolean("b", {1, 0, 1, 0}, {0, 0, 0, 1}),
                    kd::Column::text("t", {"one", "two", "three", "four"}),
                    kd::Column::datetime("d", {0, 86'400'000'000, 1, 2}, {0, 0, 1, 0})});
}

}  // namespace

TEST_CASE("Frame: shape, names and typed access", "[data][frame]") {
  const kd::Frame f = small_frame();
  CHECK(f.rows() == 4);
  CHECK(f.cols() == 5);
  CHECK(f.column_names() == std::vector<std::string>{"x", "c", "b", "t", "d"});
  CHECK(f.has_column("t"));
  CHECK_FALSE(f.has_column("z"));
  CHECK(f.column(1).name() == "c");
  CHECK(f.column("x").type() == kd::ColumnType::kNumeric);
  CHECK(f.column("x").missing_count() == 1);
  CHECK(f.column("c").is_missing(2));
  CHECK(f.column("c").label(1) == "b");
  CHECK(f.column("c").label(2).empty());
  CHECK(f.column("b").label(0) == "true");
  CHECK(f.column("b").is_missing(3));
  CHECK(f.column("d").label(1) == "1970-01-02");
  CHECK(f.column("d").label(3) == "1970-01-01T00:00:00.000002");
  CHECK(f.column("t").texts()[2] == "three");
  CHECK(f.column("x").to_doubles()[1] == 2.0);
  CHECK(std::isnan(f.column("x").to_doubles()[2]));
  const auto codes = f.column("c").to_doubles();
  CHECK(codes[0] == 0.0);
  CHECK(codes[1] == 1.0);
  CHECK(std::isnan(codes[2]));
  CHECK(f.column("b").to_doubles()[0] == 1.0);
  CHECK(f.column("t").to_labels() == std::vector<std::string>{"one", "two", "three", "four"});
  CHECK_THROWS_AS(f.column("t").to_doubles(), kolosal::InvalidArgument);
  CHECK_THROWS_AS(f.column("t").doubles(), kolosal::InvalidArgument);
  CHECK_THROWS_AS(f.column(7), kolosal::InvalidArgument);
}

TEST_CASE("Frame: an unknown column name lists the available ones", "[data][frame]") {
  const kd::Frame f = small_frame();
  CHECK_THROWS_AS(f.column("nope"), kolosal::InvalidArgument);
  CHECK_THROWS_WITH(f.column("nope"), Contains("'nope'") && Contains("x, c, b, t, d"));
  CHECK_THROWS_WITH(f.select({"x", "nope"}), Contains("'nope'"));
  CHECK_THROWS_WITH(f.drop({"nope"}), Contains("'nope'"));
}

TEST_CASE("Frame: add_column checks length and name", "[data][frame]") {
  kd::Frame f = small_frame();
  CHECK_THROWS_AS(f.add_column(kd::Column::numeric("y", {1.0})), kolosal::ShapeMismatch);
  CHECK_THROWS_AS(f.add_column(kd::Column::numeric("x", {1.0, 2.0, 3.0, 4.0})),
                  kolosal::InvalidArgument);
  f.add_column(kd::Column::numeric("y", {5.0, 6.0, 7.0, 8.0}));
  CHECK(f.cols() == 6);
  CHECK(f.column("y").doubles()[3] == 8.0);
  CHECK_THROWS_AS(kd::Column::categorical("bad", {0, 2}, {"a", "b"}), kolosal::InvalidArgument);
  CHECK_THROWS_AS(kd::Column::categorical("bad", {0}, {"a", "a"}), kolosal::InvalidArgument);
}

TEST_CASE("Frame: select, drop, rename", "[data][frame]") {
  kd::Frame f = small_frame();
  const kd::Frame s = f.select({"t", "x"});
  CHECK(s.column_names() == std::vector<std::string>{"t", "x"});
  CHECK(s.rows() == 4);
  const kd::Frame d = f.drop({"c", "d"});
  CHECK(d.column_names() == std::vector<std::string>{"x", "b", "t"});
  f.rename("x", "value");
  CHECK(f.has_column("value"));
  CHECK_FALSE(f.has_column("x"));
  CHECK_THROWS_AS(f.rename("value", "t"), kolosal::InvalidArgument);
  CHECK_THROWS_AS(f.rename("missing", "m"), kolosal::InvalidArgument);
}

TEST_CASE("Frame: filter, take and head", "[data][frame]") {
  const kd::Frame f = small_frame();
  const kd::Frame filtered = f.filter(std::vector<bool>{true, false, true, false});
  CHECK(filtered.rows() == 2);
  CHECK(filtered.column("t").texts() == std::vector<std::string>{"one", "three"});
  CHECK(filtered.column("c").is_missing(1));
  CHECK_THROWS_AS(f.filter(std::vector<bool>{true}), kolosal::ShapeMismatch);

  const std::vector<std::size_t> rows{3, 0, 0};
  const kd::Frame taken = f.take(rows);
  CHECK(taken.rows() == 3);
  CHECK(taken.column("x").doubles()[0] == 4.0);
  CHECK(taken.column("x").doubles()[2] == 1.0);
  CHECK(taken.column("b").is_missing(0));
  CHECK_FALSE(taken.column("b").is_missing(1));
  CHECK(taken.column("c").label(0) == "a");
  const std::vector<std::size_t> bad{4};
  CHECK_THROWS_AS(f.take(bad), kolosal::InvalidArgument);

  CHECK(f.head(2).rows() == 2);
  CHECK(f.head(100).rows() == 4);
  CHECK(f.head(2).column("t").texts()[1] == "two");
  CHECK(f.head(4) == f);
}

TEST_CASE("Frame: matrices keep numeric columns and turn missing values into NaN",
          "[data][frame]") {
  kd::Frame f = small_frame();
  f.add_column(kd::Column::numeric_float32("y", {0.5f, 1.5f, 2.5f, 3.5f}));
  const auto m = f.to_matrix();
  REQUIRE(m.rows() == 4);
  REQUIRE(m.cols() == 2);
  CHECK(m(0, 0) == 1.0);
  CHECK(m(1, 1) == 1.5);
  CHECK(std::isnan(m(2, 0)));
  const std::vector<std::string> names{"y", "x"};
  const auto picked = f.to_matrix(names);
  CHECK(picked(3, 0) == 3.5);
  CHECK(picked(3, 1) == 4.0);
  const std::vector<std::string> text{"t"};
  CHECK_THROWS_AS(f.to_matrix(text), kolosal::InvalidArgument);
  CHECK_THROWS_WITH(f.to_matrix(text), Contains("'t'") && Contains("text"));

  const kd::EigenRowMatrix e = kd::to_eigen(f, names);
  REQUIRE(e.rows() == 4);
  REQUIRE(e.cols() == 2);
  CHECK(e(2, 0) == 2.5);
  CHECK(std::isnan(e(2, 1)));
  CHECK_THROWS_AS(kd::to_eigen(f, text), kolosal::InvalidArgument);
}

TEST_CASE("Frame: describe() on iris matches pandas", "[data][frame]") {
  const kd::Frame iris = kd::read_csv(kolosal::test::data_path("iris.csv"));
  const auto summary = iris.describe();
  REQUIRE(summary.size() == 5);
  const auto& sepal = summary[0];
  CHECK(sepal.name == "sepal length (cm)");
  CHECK(sepal.count == 150);
  CHECK(sepal.missing == 0);
  CHECK(sepal.mean == Approx(5.843333333333334).epsilon(1e-12));
  CHECK(sepal.std == Approx(0.8280661279778629).epsilon(1e-12));
  CHECK(sepal.min == 4.3);
  CHECK(sepal.max == 7.9);
  CHECK(summary[3].mean == Approx(1.1993333333333336).epsilon(1e-12));
  CHECK(summary[3].std == Approx(0.7622376689603465).epsilon(1e-12));
  const auto& species = summary[4];
  CHECK(species.type == kd::ColumnType::kCategorical);
  CHECK(species.count == 150);
  CHECK(species.unique == 3);
  CHECK(species.top == "setosa");  // all three have 50 rows: the first seen wins
  CHECK(species.top_count == 50);
  CHECK(std::isnan(species.mean));
}

TEST_CASE("Frame: describe() counts missing values and booleans", "[data][frame]") {
  const auto summary = small_frame().describe();
  CHECK(summary[0].count == 3);
  CHECK(summary[0].missing == 1);
  CHECK(summary[0].mean == Approx(7.0 / 3.0));
  CHECK(summary[0].max == 4.0);
  CHECK(summary[2].unique == 2);
  CHECK(summary[2].top == "true");
  CHECK(summary[2].top_count == 2);
  CHECK(summary[1].top == "a");
  CHECK(summary[1].top_count == 2);
}

TEST_CASE("Column equality is NaN-aware and compares categorical labels", "[data][frame]") {
  CHECK(kd::Column::numeric("x", {1.0, kNaN}) == kd::Column::numeric("x", {1.0, kNaN}));
  CHECK_FALSE(kd::Column::numeric("x", {1.0, 2.0}) == kd::Column::numeric("x", {1.0, 3.0}));
  CHECK(kd::Column::categorical("c", {0, 1}, {"a", "b"}) ==
        kd::Column::categorical("c", {1, 0}, {"b", "a"}));
  const std::vector<std::string> labels{"b", "a", "b"};
  const auto c = kd::Column::categorical_from_labels("c", labels);
  CHECK(c.categories() == std::vector<std::string>{"a", "b"});
  CHECK(std::vector<std::int32_t>(c.codes().begin(), c.codes().end()) ==
        std::vector<std::int32_t>{1, 0, 1});
}

TEST_CASE("ColumnType names round-trip", "[data][frame]") {
  for (const auto type :
       {kd::ColumnType::kNumeric, kd::ColumnType::kCategorical, kd::ColumnType::kBoolean,
        kd::ColumnType::kText, kd::ColumnType::kDatetime}) {
    CHECK(kolosal::config::parse_enum<kd::ColumnType>(kd::to_string(type), "t") == type);
  }
  CHECK(kd::to_string(kd::ColumnType::kCategorical) == "categorical");
  CHECK_THROWS_AS(kolosal::config::parse_enum<kd::ColumnType>("int", "t"), kolosal::ConfigError);
}

TEST_CASE("Datetimes: ISO-8601 forms parse to UTC microseconds", "[data][datetime]") {
  CHECK(kd::parse_datetime("1970-01-01") == 0);
  CHECK(kd::parse_datetime("2000-03-01") == std::int64_t{951868800} * 1'000'000);
  CHECK(kd::parse_datetime("2021-06-15T12:30:45") == std::int64_t{1623760245} * 1'000'000);
  CHECK(kd::parse_datetime("2021-06-15 12:30:45") == std::int64_t{1623760245} * 1'000'000);
  CHECK(kd::parse_datetime("2021-06-15T12:30") == std::int64_t{1623760200} * 1'000'000);
  CHECK(kd::parse_datetime("2021-06-15T12:30:45.25Z") ==
        std::int64_t{1623760245} * 1'000'000 + 250'000);
  CHECK(kd::parse_datetime("2021-06-15T14:30:45+02:00") == std::int64_t{1623760245} * 1'000'000);
  CHECK(kd::parse_datetime("2021-06-15T07:00:45-0530") == std::int64_t{1623760245} * 1'000'000);
  CHECK(kd::parse_datetime("1969-12-31T23:59:59.9999999") == -1);
  CHECK_FALSE(kd::parse_datetime("2023-02-29"));
  CHECK_FALSE(kd::parse_datetime("2021-13-01"));
  CHECK_FALSE(kd::parse_datetime("2021-06-15T24:00:00"));
  CHECK_FALSE(kd::parse_datetime("2021-6-15"));
  CHECK_FALSE(kd::parse_datetime("2021-06-15T"));
  CHECK_FALSE(kd::parse_datetime("2021-06-15x"));
  CHECK_FALSE(kd::parse_datetime("12.5"));
  for (const std::int64_t t : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1623760245123456},
                               std::int64_t{-62135596800000000}, std::int64_t{86'400'000'000}}) {
    CHECK(kd::parse_datetime(kd::format_datetime(t)) == t);
  }
  CHECK(kd::format_datetime(1623760245123000) == "2021-06-15T12:30:45.123");
}
