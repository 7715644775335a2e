// SPDX-License-Identifier: MIT
// InputValidator: each failure names the column and row.
#include "kolosal/security/validation.hpp"

#include <cmath>
#include <limits>

#include "kolosal/data/csv.hpp"

#include "test_util.hpp"

using namespace kolosal;
using security::ColumnSpec;
using security::InputSchema;
using security::InputValidator;

namespace {
InputSchema schema() {
  InputSchema s;
  s.columns = {
      ColumnSpec{"age", data::ColumnType::kNumeric, false, 0.0, 130.0, {}},
      ColumnSpec{"income", data::ColumnType::kNumeric, true, std::nullopt, std::nullopt, {}},
      ColumnSpec{"city",
                 data::ColumnType::kCategorical,
                 false,
                 std::nullopt,
                 std::nullopt,
                 {"Oslo", "Paris"}}};
  s.max_rows = 4;
  return s;
}

data::Frame frame(std::vector<double> age, std::vector<double> income,
                  std::vector<std::string> city) {
  return data::Frame({data::Column::numeric("age", std::move(age)),
                      data::Column::numeric("income", std::move(income)),
                      data::Column::categorical_from_labels("city", city)});
}
}  // namespace

TEST_CASE("security: validator accepts conforming input", "[security][validation]") {
  const InputValidator v(schema());
  CHECK_NOTHROW(v.validate(frame({30, 40}, {1000, 2000}, {"Oslo", "Paris"}), "req"));
  const data::Frame parsed = v.parse_csv("age,income,city\n30,1000,Oslo\n41,2000,Paris\n");
  CHECK(parsed.rows() == 2);
  CHECK(parsed.column("age").doubles()[1] == 41.0);
}

TEST_CASE("security: validator failures name the column and row", "[security][validation]") {
  const InputValidator v(schema());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  test::expect_error<DataError>(
      [&] {
        v.validate(frame({30, nan}, {1, 2}, {"Oslo", "Oslo"}), "req");
      },
      "req: column 'age' row 1: NaN (missing value) is not allowed");
  // Nullable, but the schema's NaN policy refuses NaN.
  test::expect_error<DataError>(
      [&] {
        v.validate(frame({30, 31}, {nan, 2}, {"Oslo", "Oslo"}), "req");
      },
      "req: column 'income' row 0: NaN");
  auto allow = schema();
  allow.allow_nan = true;
  CHECK_NOTHROW(InputValidator(allow).validate(frame({30, 31}, {nan, 2}, {"Oslo", "Oslo"})));
  test::expect_error<DataError>(
      [&] {
        v.validate(frame({30, 31, 32}, {1, 2, -inf}, {"Oslo", "Oslo", "Oslo"}), "req");
      },
      "req: column 'income' row 2: -infinity is not allowed");
  test::expect_error<DataError>(
      [&] {
        v.validate(frame({30, 131}, {1, 2}, {"Oslo", "Oslo"}), "req");
      },
      "column 'age' row 1: value 131 is above the maximum 130");
  test::expect_error<DataError>(
      [&] {
        v.validate(frame({-1, 1}, {1, 2}, {"Oslo", "Oslo"}), "req");
      },
      "column 'age' row 0: value -1 is below the minimum 0");
  test::expect_error<DataError>(
      [&] {
        v.validate(frame({1, 2}, {1, 2}, {"Oslo", "Rome"}), "req");
      },
      "column 'city' row 1: unknown category 'Rome'");
  test::expect_error<DataError>(
      [&] {
        v.validate(
            frame({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}, {"Oslo", "Oslo", "Oslo", "Oslo", "Oslo"}),
            "req");
      },
      "req: 5 rows exceed the limit of 4");
  test::expect_error<DataError>([&] { v.validate(frame({}, {}, {}), "req"); },
                                "req: 0 rows, at least 1 required");
  // Schema shape.
  test::expect_error<DataError>(
      [&] {
        v.validate(data::Frame({data::Column::numeric("age", {1.0}),
                                data::Column::numeric("income", {1.0})}),
                   "req");
      },
      "req: missing column 'city'");
  auto f = frame({1}, {1}, {"Oslo"});
  f.add_column(data::Column::numeric("extra", {0.0}));
  test::expect_error<DataError>([&] { v.validate(f, "req"); }, "unexpected column 'extra'");
  auto extra = schema();
  extra.allow_extra_columns = true;
  CHECK_NOTHROW(InputValidator(extra).validate(f));
  test::expect_error<DataError>(
      [&] {
        v.validate(data::Frame({data::Column::numeric("age", {1.0}),
                                data::Column::numeric("income", {1.0}),
                                data::Column::numeric("city", {1.0})}),
                   "req");
      },
      "column 'city' is numeric, expected categorical");
  // Missing category in a non-nullable column.
  test::expect_error<DataError>(
      [&] {
        v.validate(data::Frame({data::Column::numeric("age", {1.0, 2.0}),
                                data::Column::numeric("income", {1.0, 2.0}),
                                data::Column::categorical("city", {0, -1}, {"Oslo"})}),
                   "req");
      },
      "column 'city' row 1: missing value is not allowed");
}

TEST_CASE("security: validator on matrices and CSV text", "[security][validation]") {
  InputSchema s;
  s.columns = {ColumnSpec{"x0", data::ColumnType::kNumeric, false, std::nullopt, std::nullopt, {}},
               ColumnSpec{"x1", data::ColumnType::kNumeric, false, std::nullopt, 10.0, {}}};
  s.max_bytes = 64;
  const InputValidator v(s);
  const std::vector<double> ok = {1, 2, 3, 4};
  CHECK_NOTHROW(v.validate(MatrixView<const double>(ok.data(), 2, 2)));
  const std::vector<double> bad = {1, 2, 3, std::numeric_limits<double>::infinity()};
  test::expect_error<DataError>(
      [&] { v.validate(MatrixView<const double>(bad.data(), 2, 2), "m"); },
      "m: column 'x1' row 1: +infinity is not allowed");
  test::expect_error<DataError>([&] { v.validate(MatrixView<const double>(ok.data(), 1, 4), "m"); },
                                "m: 4 columns, expected 2");
  test::expect_error<DataError>([&] { (void)v.parse_csv(std::string(65, 'a'), "body"); },
                                "body: 65 bytes exceed the limit of 64");
  test::expect_error<DataError>([&] { (void)v.parse_csv("x0,x1\n1,20\n", "body"); },
                                "body: column 'x1' row 0: value 20 is above the maximum 10");
  // A value that does not parse as the schema's type is a CSV error naming line and column.
  test::expect_error<DataError>([&] { (void)v.parse_csv("x0,x1\n1,abc\n", "body"); }, "x1");
  test::expect_error<DataError>([&] { (void)v.parse_csv("x0\n1\n", "body"); }, "x1");
}

TEST_CASE("security: schema inferred from a training frame", "[security][validation]") {
  const data::Frame train = data::read_csv(test::data_path("iris.csv"));
  const InputSchema s = InputSchema::from_frame(train);
  REQUIRE(s.columns.size() == 5);
  CHECK(s.columns[4].name == "species");
  CHECK(s.columns[4].type == data::ColumnType::kCategorical);
  CHECK(s.columns[4].categories == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  const InputValidator v(s);
  CHECK_NOTHROW(v.validate(train.head(100)));
  test::expect_error<InvalidArgument>([] { InputValidator(InputSchema{}); }, "no columns");
}
