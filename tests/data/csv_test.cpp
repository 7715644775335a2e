// SPDX-License-Identifier: MIT
// Tests of the CSV reader and writer: bundled datasets, RFC 4180, typing, options, determinism.
#include "kolosal/data/csv.hpp"

#include <charconv>
#include <fstream>
#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

#include "data/csv_internal.hpp"
#include "test_util.hpp"

namespace kd = kolosal::data;
using Catch::Matchers::Contains;

namespace {

kd::Frame read(std::string_view text, const kd::CsvOptions& options = {}) {
  return kd::read_csv_string(text, options);
}

/// Small windows, blocks and tasks so every boundary is crossed.
kd::Frame read_tiny(std::string_view text, int threads, const kd::CsvOptions& options = {},
                    std::size_t chunk = 64) {
  kd::csv_internal::CsvTuning tuning;
  tuning.chunk_bytes = chunk;
  tuning.block_bytes = 7;
  tuning.rows_per_task = 3;
  tuning.inference_rows = 2;
  kolosal::Context ctx;
  ctx.n_threads = threads;
  return kd::csv_internal::read_csv_string(text, options, ctx, tuning);
}

std::vector<std::string> texts(const kd::Column& c) { return c.to_labels(); }

}  // namespace

// ---------------------------------------------------------------------------- bundled data

TEST_CASE("read_csv: iris", "[data][csv]") {
  const kd::Frame iris = kd::read_csv(kolosal::test::data_path("iris.csv"));
  REQUIRE(iris.rows() == 150);
  REQUIRE(iris.cols() == 5);
  CHECK(iris.column_names() == std::vector<std::string>{"sepal length (cm)", "sepal width (cm)",
                                                        "petal length (cm)", "petal width (cm)",
                                                        "species"});
  for (std::size_t j = 0; j < 4; ++j) CHECK(iris.column(j).type() == kd::ColumnType::kNumeric);
  CHECK(iris.column(0).doubles()[0] == 5.1);
  CHECK(iris.column(1).doubles()[0] == 3.5);
  CHECK(iris.column(3).doubles()[149] == 1.8);
  const auto& species = iris.column("species");
  REQUIRE(species.type() == kd::ColumnType::kCategorical);
  CHECK(species.categories() == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  CHECK(species.label(0) == "setosa");
  CHECK(species.label(149) == "virginica");
  CHECK_FALSE(species.has_missing());
}

TEST_CASE("read_csv: wine, breast_cancer, digits and diabetes", "[data][csv]") {
  const kd::Frame wine = kd::read_csv(kolosal::test::data_path("wine.csv"));
  CHECK(wine.rows() == 178);
  CHECK(wine.cols() == 14);
  CHECK(wine.column("alcohol").doubles()[0] == 14.23);
  CHECK(wine.column("proline").doubles()[0] == 1065.0);
  CHECK(wine.column("class").type() == kd::ColumnType::kCategorical);
  CHECK(wine.column("class").categories().size() == 3);
  CHECK(wine.describe()[13].top == "class_1");
  CHECK(wine.describe()[13].top_count == 71);

  const kd::Frame cancer = kd::read_csv(kolosal::test::data_path("breast_cancer.csv"));
  CHECK(cancer.rows() == 569);
  CHECK(cancer.cols() == 31);
  CHECK(cancer.column("mean radius").doubles()[0] == 17.99);
  CHECK(cancer.column("diagnosis").categories() == std::vector<std::string>{"benign", "malignant"});
  CHECK(cancer.describe()[30].top_count == 357);

  const kd::Frame digits = kd::read_csv(kolosal::test::data_path("digits.csv"));
  CHECK(digits.rows() == 1797);
  CHECK(digits.cols() == 65);
  CHECK(digits.column("digit").type() == kd::ColumnType::kNumeric);
  CHECK(digits.column("pixel_0_2").doubles()[0] == 5.0);
  CHECK(digits.to_matrix().cols() == 65);

  const kd::Frame diabetes = kd::read_csv(kolosal::test::data_path("diabetes.csv"));
  CHECK(diabetes.rows() == 442);
  CHECK(diabetes.cols() == 11);
  CHECK(diabetes.column("age").doubles()[0] == 0.038075906433423026);
  CHECK(diabetes.column("progression").doubles()[1] == 75.0);
}

// ---------------------------------------------------------------------------- RFC 4180

TEST_CASE("read_csv: quoted fields, doubled quotes, delimiters and newlines inside quotes",
          "[data][csv]") {
  const kd::Frame f = read(
      "id,text\n"
      "1,\"plain\"\n"
      "2,\"with, comma\"\n"
      "3,\"say \"\"hi\"\"\"\n"
      "4,\"two\nlines\"\n"
      "5,\"crlf\r\ninside\"\n"
      "6,\"\"\"\"\n"
      "7,\"\"\n");
  REQUIRE(f.rows() == 7);
  const auto& t = f.column("text");
  REQUIRE(t.type() == kd::ColumnType::kText);
  CHECK(t.texts() == std::vector<std::string>{"plain", "with, comma", "say \"hi\"", "two\nlines",
                                              "crlf\r\ninside", "\"", ""});
  CHECK_FALSE(t.is_missing(6));  // a quoted empty field is an empty string, not missing
  CHECK(f.column("id").doubles()[6] == 7.0);
}

TEST_CASE("read_csv: CRLF line ends, a byte order mark, no trailing newline", "[data][csv]") {
  const kd::Frame f = read(
      "\xEF\xBB\xBF"
      "a,b\r\n1,x\r\n2,y\r\n3,x");
  CHECK(f.column_names() == std::vector<std::string>{"a", "b"});
  REQUIRE(f.rows() == 3);
  CHECK(f.column("a").doubles()[2] == 3.0);
  CHECK(texts(f.column("b")) == std::vector<std::string>{"x", "y", "x"});
}

TEST_CASE("read_csv: blank lines are skipped", "[data][csv]") {
  const kd::Frame f = read("\n\na,b\n1,2\n\n\r\n3,4\n\n");
  REQUIRE(f.rows() == 2);
  CHECK(f.column("b").doubles()[1] == 4.0);
}

TEST_CASE("read_csv: without a header columns are named column_0..", "[data][csv]") {
  kd::CsvOptions options;
  options.has_header = false;
  const kd::Frame f = read("1,2,3\n4,5,6\n", options);
  CHECK(f.column_names() == std::vector<std::string>{"column_0", "column_1", "column_2"});
  REQUIRE(f.rows() == 2);
  CHECK(f.column("column_0").doubles()[0] == 1.0);
  CHECK(f.column("column_2").doubles()[1] == 6.0);
}

TEST_CASE("read_csv: the delimiter is detected", "[data][csv]") {
  CHECK(read("a;b;c\n1;2,5;3\n4;5;6\n").cols() == 3);
  CHECK(read("a;b;c\n1;2,5;3\n4;5;6\n").column("b").label(0) == "2,5");
  CHECK(read("a\tb\n1\t2\n").column("b").doubles()[0] == 2.0);
  CHECK(read("a|b\n1|2\n").column("b").doubles()[0] == 2.0);
  CHECK(read("\"x,y\"|b\n1|2\n").column_names() == std::vector<std::string>{"x,y", "b"});
  CHECK(read("single\n1\n2\n").column("single").doubles()[1] == 2.0);
  kd::CsvOptions options;
  options.delimiter = ";";
  CHECK(read("a,b;c\n1,2;3\n", options).column_names() == std::vector<std::string>{"a,b", "c"});
}

// ---------------------------------------------------------------------------- typing

TEST_CASE("read_csv: type inference", "[data][csv]") {
  const kd::Frame f = read(
      "n,i,b,d,c,t,e,mixed\n"
      "1.5,1,true,2021-01-01,red,alpha,,1\n"
      "-2e3,2,False,2021-01-02T10:00:00Z,blue,beta,,true\n"
      " +3 ,3,TRUE,2021-01-03 10:00:00.5,red,gamma,,x\n"
      "inf,4,false,2021-01-04T10:00:00+01:00,red,delta,,2021-01-01\n");
  CHECK(f.column("n").type() == kd::ColumnType::kNumeric);
  CHECK(f.column("n").doubles()[1] == -2000.0);
  CHECK(f.column("n").doubles()[2] == 3.0);
  CHECK(std::isinf(f.column("n").doubles()[3]));
  CHECK(f.column("i").type() == kd::ColumnType::kNumeric);
  REQUIRE(f.column("b").type() == kd::ColumnType::kBoolean);
  CHECK(std::vector<std::uint8_t>(f.column("b").bools().begin(), f.column("b").bools().end()) ==
        std::vector<std::uint8_t>{1, 0, 1, 0});
  REQUIRE(f.column("d").type() == kd::ColumnType::kDatetime);
  CHECK(f.column("d").datetimes()[0] == std::int64_t{1609459200} * 1'000'000);
  CHECK(f.column("d").datetimes()[1] == (std::int64_t{1609459200} + 86400 + 36000) * 1'000'000);
  CHECK(f.column("d").datetimes()[2] ==
        (std::int64_t{1609459200} + 2 * 86400 + 36000) * 1'000'000 + 500'000);
  CHECK(f.column("d").datetimes()[3] == (std::int64_t{1609459200} + 3 * 86400 + 32400) * 1'000'000);
  REQUIRE(f.column("c").type() == kd::ColumnType::kCategorical);
  CHECK(f.column("c").categories() == std::vector<std::string>{"blue", "red"});
  CHECK(f.column("t").type() == kd::ColumnType::kText);  // 4 distinct of 4 > ratio 0.5
  CHECK(f.column("e").type() == kd::ColumnType::kNumeric);
  CHECK(f.column("e").missing_count() == 4);
  CHECK(f.column("mixed").type() == kd::ColumnType::kText);
  CHECK(texts(f.column("mixed")) == std::vector<std::string>{"1", "true", "x", "2021-01-01"});
}

TEST_CASE("read_csv: 0 and 1 stay numeric, the categorical thresholds apply", "[data][csv]") {
  CHECK(read("f\n0\n1\n1\n").column("f").type() == kd::ColumnType::kNumeric);
  kd::CsvOptions options;
  options.categorical_max_unique = 1;
  CHECK(read("c\na\nb\na\nb\na\nb\n", options).column("c").type() == kd::ColumnType::kText);
  options = {};
  options.categorical_max_ratio = 1.0;
  CHECK(read("c\na\nb\nc\n", options).column("c").type() == kd::ColumnType::kCategorical);
}

TEST_CASE("read_csv: missing values", "[data][csv]") {
  const kd::Frame f = read(
      "x,s,b\n"
      "1,a,true\n"
      "NA,NA,NA\n"
      ",,\n"
      "nan,\"NA\",null\n"
      "?,N/A,false\n"
      "\"\",b,\"\"\n"
      "7,a,true\n");
  const auto& x = f.column("x");
  REQUIRE(x.type() == kd::ColumnType::kNumeric);
  CHECK(x.missing_count() == 5);
  CHECK(x.doubles()[6] == 7.0);
  CHECK(std::isnan(x.doubles()[1]));
  const auto& s = f.column("s");
  CHECK(s.type() == kd::ColumnType::kText);  // a, NA, b: 3 distinct of 4 values
  CHECK(s.missing_count() == 3);
  CHECK(s.label(3) == "NA");  // quoted: a value in a string column
  const auto& b = f.column("b");
  REQUIRE(b.type() == kd::ColumnType::kBoolean);
  CHECK(b.missing_count() == 4);

  kd::CsvOptions options;
  options.na_values = {"-999"};
  const kd::Frame g = read("x\n1\n-999\n-999.0\n", options);
  CHECK(g.column("x").is_missing(1));
  CHECK(g.column("x").doubles()[2] == -999.0);
}

TEST_CASE("read_csv: column_types overrides inference", "[data][csv]") {
  kd::CsvOptions options;
  options.column_types = {{"code", kd::ColumnType::kCategorical},
                          {"name", kd::ColumnType::kText},
                          {"n", kd::ColumnType::kNumeric},
                          {"flag", kd::ColumnType::kBoolean},
                          {"when", kd::ColumnType::kDatetime}};
  const kd::Frame f = read(
      "code,name,n,flag,when\n"
      "10,a,1,true,2020-01-01\n"
      "20,a,,false,\n"
      "10,a,3,,2020-01-03\n",
      options);
  CHECK(f.column("code").type() == kd::ColumnType::kCategorical);
  CHECK(f.column("code").categories() == std::vector<std::string>{"10", "20"});
  CHECK(f.column("name").type() == kd::ColumnType::kText);
  CHECK(f.column("n").missing_count() == 1);
  CHECK(f.column("flag").is_missing(2));
  CHECK(f.column("when").is_missing(1));

  options.column_types = {{"nope", kd::ColumnType::kText}};
  CHECK_THROWS_AS(read("a\n1\n", options), kolosal::InvalidArgument);
  CHECK_THROWS_WITH(read("a\n1\n", options), Contains("'nope'") && Contains("available: a"));
}

TEST_CASE("read_csv: float32 storage", "[data][csv]") {
  kd::CsvOptions options;
  options.float32 = true;
  const kd::Frame f = read("x,y\n0.1,a\n,b\n", options);
  REQUIRE(f.column("x").is_float32());
  CHECK(f.column("x").floats()[0] == 0.1f);
  CHECK(f.column("x").is_missing(1));
  CHECK(f.to_matrix()(0, 0) == static_cast<double>(0.1f));
}

TEST_CASE("read_csv: usecols and max_rows", "[data][csv]") {
  kd::CsvOptions options;
  options.usecols = {"species", "sepal width (cm)"};
  options.max_rows = 10;
  const kd::Frame f = kd::read_csv(kolosal::test::data_path("iris.csv"), options);
  CHECK(f.column_names() == std::vector<std::string>{"sepal width (cm)", "species"});
  CHECK(f.rows() == 10);
  CHECK(f.column("sepal width (cm)").doubles()[9] == 3.1);
  options.max_rows = 0;
  const kd::Frame none = kd::read_csv(kolosal::test::data_path("iris.csv"), options);
  CHECK(none.rows() == 0);
  CHECK(none.cols() == 2);
  options = {};
  options.usecols = {"petal"};
  CHECK_THROWS_AS(kd::read_csv(kolosal::test::data_path("iris.csv"), options),
                  kolosal::InvalidArgument);
  // max_rows stops before a malformed row further down.
  options = {};
  options.max_rows = 2;
  CHECK(read("a,b\n1,2\n3,4\n5\n", options).rows() == 2);
}

TEST_CASE("read_csv: a header without rows", "[data][csv]") {
  const kd::Frame f = read("a,b,c\n");
  CHECK(f.rows() == 0);
  CHECK(f.column_names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(f.column("a").type() == kd::ColumnType::kNumeric);
  kd::CsvOptions options;
  options.column_types = {{"b", kd::ColumnType::kText}};
  CHECK(read("a,b,c", options).column("b").type() == kd::ColumnType::kText);
}

// ---------------------------------------------------------------------------- determinism

namespace {

std::string generated_csv(std::size_t rows) {
  kolosal::Rng rng(7);
  std::string text = "id,value,label,note,flag\n";
  const std::vector<std::string> labels{"a", "b", "c", "d"};
  for (std::size_t i = 0; i < rows; ++i) {
    text += std::to_string(i) + ",";
    if (rng.uniform() < 0.1) {
      text += "NA";
    } else {
      char buffer[32];
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, rng.normal(0.0, 1e3));
      (void)ec;
      text.append(buffer, end);
    }
    text += "," + labels[rng.uniform_index(4)] + ",";
    switch (rng.uniform_index(4)) {
      case 0:
        text += "\"multi\nline " + std::to_string(i) + "\"";
        break;
      case 1:
        text += "\"has \"\"quotes\"\", and commas\"";
        break;
      case 2:
        text += "plain" + std::to_string(i);
        break;
      default:
        text += "\"crlf\r\nthen\nmore " + std::to_string(i) + "\"";
        break;
    }
    text += rng.bernoulli(0.5) ? ",true" : ",false";
    text += rng.bernoulli(0.3) ? "\r\n" : "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("read_csv: identical results for any thread count and chunk size", "[data][csv]") {
  const std::string text = generated_csv(500);
  const kd::Frame reference = read(text);
  REQUIRE(reference.rows() == 500);
  CHECK(reference.column("value").type() == kd::ColumnType::kNumeric);
  CHECK(reference.column("label").type() == kd::ColumnType::kCategorical);
  CHECK(reference.column("note").type() == kd::ColumnType::kText);
  CHECK(reference.column("flag").type() == kd::ColumnType::kBoolean);
  for (const int threads : {1, 2, 4}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{64}, std::size_t{1000}}) {
      INFO("threads " << threads << ", chunk " << chunk);
      const kd::Frame f = read_tiny(text, threads, {}, chunk);
      CHECK(f == reference);
      for (std::size_t j = 0; j < f.cols(); ++j) {
        CHECK(f.column(j).to_labels() == reference.column(j).to_labels());
      }
    }
  }
}

TEST_CASE("read_csv: a late value widens the inferred type", "[data][csv]") {
  std::string text = "x,y,z\n";
  for (int i = 0; i < 200; ++i) text += std::to_string(i) + ",,1\n";
  text += "oops,true,2\n";
  for (const int threads : {1, 2}) {
    const kd::Frame f = read_tiny(text, threads);
    REQUIRE(f.rows() == 201);
    CHECK(f.column("x").type() == kd::ColumnType::kText);
    CHECK(f.column("x").texts()[0] == "0");
    CHECK(f.column("x").texts()[200] == "oops");
    CHECK(f.column("y").type() == kd::ColumnType::kBoolean);
    CHECK(f.column("y").missing_count() == 200);
    CHECK(f.column("z").type() == kd::ColumnType::kNumeric);
    CHECK(f == read(text));
  }
}

// ---------------------------------------------------------------------------- options as JSON

TEST_CASE("CsvOptions: JSON round trip and validation", "[data][csv][config]") {
  kd::CsvOptions options;
  options.delimiter = ";";
  options.has_header = false;
  options.na_values = {"-", "missing"};
  options.column_types = {{"a", kd::ColumnType::kDatetime}, {"b", kd::ColumnType::kText}};
  options.usecols = {"a", "b"};
  options.max_rows = 12;
  options.bad_rows = kd::BadRowPolicy::kSkip;
  options.categorical_max_unique = 9;
  options.categorical_max_ratio = 0.25;
  options.float32 = true;
  const nlohmann::json j = kolosal::config::to_json(options);
  CHECK(j["bad_rows"] == "skip");
  CHECK(j["column_types"]["a"] == "datetime");
  CHECK(kolosal::config::from_json<kd::CsvOptions>(j) == options);
  CHECK(kolosal::config::from_json<kd::CsvOptions>(kolosal::config::to_json(kd::CsvOptions{})) ==
        kd::CsvOptions{});

  CHECK_THROWS_AS(kolosal::config::from_json<kd::CsvOptions>(nlohmann::json{{"delimeter", ","}}),
                  kolosal::ConfigError);
  CHECK_THROWS_WITH(kolosal::config::from_json<kd::CsvOptions>(nlohmann::json{{"delimeter", ","}}),
                    Contains("delimeter"));
  CHECK_THROWS_AS(kolosal::config::from_json<kd::CsvOptions>(nlohmann::json{{"delimiter", ",,"}}),
                  kolosal::ConfigError);
  CHECK_THROWS_AS(
      kolosal::config::from_json<kd::CsvOptions>(nlohmann::json{{"column_types", {{"a", "int"}}}}),
      kolosal::ConfigError);
  CHECK_THROWS_AS(
      kolosal::config::from_json<kd::CsvOptions>(nlohmann::json{{"categorical_max_ratio", 2.0}}),
      kolosal::ConfigError);
  kd::CsvOptions bad;
  bad.delimiter = "\"";
  CHECK_THROWS_AS(read("a\n1\n", bad), kolosal::ConfigError);

  kd::CsvWriteOptions w;
  w.delimiter = "\t";
  w.header = false;
  w.na_rep = "NA";
  CHECK(kolosal::config::from_json<kd::CsvWriteOptions>(kolosal::config::to_json(w)) == w);
  CHECK_THROWS_AS(kolosal::config::from_json<kd::CsvWriteOptions>(nlohmann::json{{"x", 1}}),
                  kolosal::ConfigError);
}

// ---------------------------------------------------------------------------- writer

TEST_CASE("write_csv: quoting, numbers and missing values", "[data][csv][writer]") {
  const double third = 1.0 / 3.0;
  const kd::Frame f(
      {kd::Column::numeric("x", {third, std::numeric_limits<double>::quiet_NaN(), 1e300}),
       kd::Column::text("s", {"a,b", "say \"hi\"", ""}),
       kd::Column::text("m", {"NA", "line\nbreak", "x"}, {0, 0, 1})});
  const std::string text = kd::write_csv_string(f);
  CHECK(text ==
        "x,s,m\n"
        "0.3333333333333333,\"a,b\",\"NA\"\n"
        ",\"say \"\"hi\"\"\",\"line\nbreak\"\n"
        "1e+300,\"\",\n");
  kd::CsvWriteOptions options;
  options.delimiter = ";";
  options.na_rep = "NULL";
  options.header = false;
  CHECK(kd::write_csv_string(f.head(2).select({"x"}), options) == "0.3333333333333333\nNULL\n");
}

TEST_CASE("write_csv: reading the output gives back an equal frame", "[data][csv][writer]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const kd::Frame f({
      kd::Column::numeric("num", {0.1, -2.5e-310, nan, 123456789.123456789, 1.0 / 7.0, -0.0}),
      kd::Column::categorical("cat", {0, 1, -1, 0, 0, 1}, {"x y", "z,\"w\""}),
      kd::Column::boolean("flag", {1, 0, 0, 1, 1, 0}, {0, 0, 1, 0, 0, 0}),
      kd::Column::text("txt", {"alpha", "be\nta", "", "NA", "\xC3\xA9t\xC3\xA9", "x"},
                       {0, 0, 0, 0, 0, 1}),
      kd::Column::datetime("when", {0, 1623760245123456, -86'400'000'000, 86'400'000'000, 1, 2},
                           {0, 0, 0, 0, 1, 0}),
  });
  kd::CsvOptions options;
  options.categorical_max_ratio = 1.0;
  options.categorical_max_unique = 2;
  const kd::Frame back = kd::read_csv_string(kd::write_csv_string(f), options);
  CHECK(back == f);
  CHECK(back.column("txt").type() == kd::ColumnType::kText);
  CHECK(back.column("txt").texts()[2].empty());
  CHECK_FALSE(back.column("txt").is_missing(2));

  kolosal::test::TempDir dir;
  kd::write_csv(f, dir / "out.csv");
  CHECK(kd::read_csv(dir / "out.csv", options) == f);
  const kd::Frame iris = kd::read_csv(kolosal::test::data_path("iris.csv"));
  kd::write_csv(iris, dir / "iris.csv");
  CHECK(kd::read_csv(dir / "iris.csv") == iris);
  CHECK(std::filesystem::directory_iterator(dir.path()) != std::filesystem::directory_iterator());
}

TEST_CASE("read_csv: numbers are correctly rounded, as std::from_chars reads them", "[data][csv]") {
  kolosal::Rng rng(99);
  std::vector<std::string> values{"0",
                                  "-0",
                                  "1e22",
                                  "1e23",
                                  "9007199254740993",
                                  "123456789012345678901",
                                  "0.1",
                                  ".5",
                                  "5.",
                                  "-.25e+2",
                                  "1E-22",
                                  "4.9e-324",
                                  "1.7976931348623157e308",
                                  "2.2250738585072014e-308",
                                  "00012.50"};
  for (int i = 0; i < 2000; ++i) {
    std::string s = rng.bernoulli(0.5) ? "-" : "";
    const auto digits = 1 + rng.uniform_index(20);
    for (std::uint64_t d = 0; d < digits; ++d) s += static_cast<char>('0' + rng.uniform_index(10));
    if (rng.bernoulli(0.7)) s.insert(s.size() - rng.uniform_index(s.size() - (s[0] == '-')), ".");
    if (s.back() == '.' && s.size() == 1) s += "0";
    if (rng.bernoulli(0.4)) s += "e" + std::to_string(rng.uniform_int(-30, 30));
    values.push_back(s);
  }
  std::string text = "x\n";
  for (const auto& v : values) text += v + "\n";
  const kd::Frame f = read(text);
  REQUIRE(f.column("x").type() == kd::ColumnType::kNumeric);
  const auto parsed = f.column("x").doubles();
  REQUIRE(parsed.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    double expected = 0.0;
    const auto [end, ec] =
        std::from_chars(values[i].data(), values[i].data() + values[i].size(), expected);
    INFO(values[i]);
    REQUIRE(ec == std::errc());
    REQUIRE(end == values[i].data() + values[i].size());
    CHECK(std::signbit(parsed[i]) == std::signbit(expected));
    CHECK(parsed[i] == expected);
  }
}
