// SPDX-License-Identifier: MIT
// Tests of the CSV reader on malformed input: every case is a DataError naming source, line and
// column, or a skipped row under BadRowPolicy::kSkip; never a crash or a silently wrong value.
#include <fstream>

#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"

#include "data/csv_internal.hpp"
#include "test_util.hpp"

namespace kd = kolosal::data;
using Catch::Matchers::Contains;

namespace {

kd::Frame read(std::string_view text, const kd::CsvOptions& options = {}) {
  return kd::read_csv_string(text, options);
}

kd::CsvOptions skipping() {
  kd::CsvOptions options;
  options.bad_rows = kd::BadRowPolicy::kSkip;
  return options;
}

/// Parses with tiny windows on several threads; the error must be the same as a plain read.
void check_same_error_when_chunked(std::string_view text, const kd::CsvOptions& options = {}) {
  std::string expected;
  try {
    (void)read(text, options);
  } catch (const kolosal::DataError& e) {
    expected = e.what();
  }
  REQUIRE_FALSE(expected.empty());
  for (const int threads : {1, 2, 4}) {
    kd::csv_internal::CsvTuning tuning;
    tuning.chunk_bytes = 5;
    tuning.block_bytes = 3;
    tuning.rows_per_task = 2;
    tuning.inference_rows = 1;
    kolosal::Context ctx;
    ctx.n_threads = threads;
    CHECK_THROWS_WITH(kd::csv_internal::read_csv_string(text, options, ctx, tuning), expected);
  }
}

}  // namespace

TEST_CASE("read_csv: ragged rows", "[data][csv][malformed]") {
  const std::string text = "a,b,c\n1,2,3\n4,5\n6,7,8\n";
  CHECK_THROWS_AS(read(text), kolosal::DataError);
  CHECK_THROWS_WITH(read(text), "<string>:3: expected 3 fields but found 2");
  CHECK_THROWS_WITH(read("a,b\n1,2\n\"x\ny\",2,3\n"), "<string>:3: expected 2 fields but found 3");
  check_same_error_when_chunked(text);
  check_same_error_when_chunked("a,b\n1,2\n3,4\n\"x\ny\",2,3\n5,6\n");

  const kd::Frame f = read(text, skipping());
  REQUIRE(f.rows() == 2);
  CHECK(f.column("a").doubles()[1] == 6.0);
  CHECK(f.column("c").doubles()[1] == 8.0);
}

TEST_CASE("read_csv: the file name is in the message", "[data][csv][malformed]") {
  kolosal::test::TempDir dir;
  const auto path = dir / "data.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "a,b,c,d,e\n";
    for (int i = 0; i < 15; ++i) out << "1,2,3,4,5\n";
    out << "1,2,3,4\n";
  }
  CHECK_THROWS_AS(kd::read_csv(path), kolosal::DataError);
  CHECK_THROWS_WITH(kd::read_csv(path), Contains("data.csv:17: expected 5 fields but found 4"));
}

TEST_CASE("read_csv: a missing file is an IoError", "[data][csv][malformed]") {
  CHECK_THROWS_AS(kd::read_csv("/nonexistent/dir/file.csv"), kolosal::IoError);
  CHECK_THROWS_WITH(kd::read_csv("/nonexistent/dir/file.csv"), Contains("file.csv"));
  kolosal::test::TempDir dir;
  CHECK_THROWS_AS(kd::read_csv(dir.path()), kolosal::IoError);
}

TEST_CASE("read_csv: unterminated quote", "[data][csv][malformed]") {
  const std::string text = "a,b\n1,2\n3,\"open\n4,5\n";
  CHECK_THROWS_AS(read(text), kolosal::DataError);
  CHECK_THROWS_WITH(read(text), Contains("<string>:3:") && Contains("unterminated"));
  CHECK_THROWS_WITH(read(text, skipping()), Contains("<string>:3:"));
  check_same_error_when_chunked(text);
  CHECK_THROWS_WITH(read("\"a,b\n1,2\n"), Contains("<string>:1:") && Contains("unterminated"));
}

TEST_CASE("read_csv: stray quotes", "[data][csv][malformed]") {
  CHECK_THROWS_WITH(read("a,b\n1,\"x\"y\n"), Contains("<string>:2:") && Contains("column 'b'") &&
                                                 Contains("after a closing quote"));
  CHECK_THROWS_WITH(read("a,b\n1,2\n1,x\"y\"z\n"), Contains("<string>:3:") &&
                                                       Contains("column 'b'") &&
                                                       Contains("quote inside an unquoted field"));
  const kd::Frame f = read("a,b\n1,\"x\"y\n2,z\n", skipping());
  REQUIRE(f.rows() == 1);
  CHECK(f.column("a").doubles()[0] == 2.0);
}

TEST_CASE("read_csv: invalid UTF-8", "[data][csv][malformed]") {
  const std::string text = "a,name\n1,ok\n2,caf\xC3\n3,\xFF\xFE\n";
  CHECK_THROWS_AS(read(text), kolosal::DataError);
  CHECK_THROWS_WITH(read(text), Contains("<string>:3:") && Contains("column 'name'") &&
                                    Contains("invalid UTF-8"));
  check_same_error_when_chunked(text);
  const kd::Frame f = read(text, skipping());
  CHECK(f.rows() == 1);
  CHECK_THROWS_WITH(read("a,\xC0\xAF\n1,2\n"), Contains("<string>:1:") && Contains("UTF-8"));
  // Valid multi-byte text is kept byte for byte.
  CHECK(read("a\n\xE2\x82\xAC\n\xF0\x9F\x98\x80\n").column("a").label(1) == "\xF0\x9F\x98\x80");
}

TEST_CASE("read_csv: binary garbage", "[data][csv][malformed]") {
  const std::string text("a,b\n1,2\n3,\0\x01\x02\n5,6\n", 19);
  CHECK_THROWS_AS(read(text), kolosal::DataError);
  CHECK_THROWS_WITH(read(text), Contains("<string>:3:") && Contains("NUL"));
  check_same_error_when_chunked(text);
  CHECK(read(text, skipping()).rows() == 2);
  const std::string header(
      "\0\0\0\x7f"
      "ELF",
      7);
  CHECK_THROWS_WITH(read(header), Contains("<string>:1:") && Contains("NUL"));
}

TEST_CASE("read_csv: empty input", "[data][csv][malformed]") {
  CHECK_THROWS_AS(read(""), kolosal::DataError);
  CHECK_THROWS_WITH(read(""), Contains("<string>:1:") && Contains("empty"));
  CHECK_THROWS_WITH(read("\n\r\n\n"), Contains("<string>:4:") && Contains("empty"));
  CHECK_THROWS_AS(read("\xEF\xBB\xBF"), kolosal::DataError);
  kolosal::test::TempDir dir;
  { std::ofstream out(dir / "empty.csv"); }
  CHECK_THROWS_WITH(kd::read_csv(dir / "empty.csv"), Contains("empty.csv:1:"));
}

TEST_CASE("read_csv: duplicate column names", "[data][csv][malformed]") {
  CHECK_THROWS_AS(read("a,b,a\n1,2,3\n"), kolosal::DataError);
  CHECK(read(" a,b,a\n1,2,3\n").cols() == 3);  // names are not trimmed: " a" differs from "a"
  CHECK_THROWS_WITH(read("\nq,b,q\n1,2,3\n"), Contains("<string>:2:") &&
                                                  Contains("duplicate column name 'q'") &&
                                                  Contains("columns 1 and 3"));
}

TEST_CASE("read_csv: an unparsable value in a forced column", "[data][csv][malformed]") {
  kd::CsvOptions options;
  options.column_types = {{"x", kd::ColumnType::kNumeric}};
  const std::string text = "id,x\n1,2.5\n2,abc\n3,4\n";
  CHECK_THROWS_AS(read(text, options), kolosal::DataError);
  CHECK_THROWS_WITH(read(text, options), "<string>:3: column 'x': cannot parse 'abc' as numeric");
  check_same_error_when_chunked(text, options);
  options.bad_rows = kd::BadRowPolicy::kSkip;
  const kd::Frame f = read(text, options);
  REQUIRE(f.rows() == 2);
  CHECK(f.column("x").doubles()[1] == 4.0);
  CHECK(f.column("id").doubles()[1] == 3.0);

  kd::CsvOptions dates;
  dates.column_types = {{"d", kd::ColumnType::kDatetime}, {"b", kd::ColumnType::kBoolean}};
  CHECK_THROWS_WITH(read("d,b\n2020-01-01,true\n2020-02-30,false\n", dates),
                    "<string>:3: column 'd': cannot parse '2020-02-30' as datetime");
  CHECK_THROWS_WITH(read("d,b\n2020-01-01,true\n2020-01-02,yes\n", dates),
                    "<string>:3: column 'b': cannot parse 'yes' as boolean");
}

TEST_CASE("read_csv: line numbers count newlines inside quoted fields", "[data][csv][malformed]") {
  const std::string text = "a,b\n\"x\ny\nz\",1\n\"p\",2\nq\n";
  CHECK_THROWS_WITH(read(text), "<string>:6: expected 2 fields but found 1");
  check_same_error_when_chunked(text);
}

TEST_CASE("read_csv: skipped rows keep every good row in order", "[data][csv][malformed]") {
  std::string text = "a,b\n";
  std::vector<double> expected;
  for (int i = 0; i < 100; ++i) {
    if (i % 7 == 3) {
      text += "bad\n";
    } else {
      text += std::to_string(i) + "," + std::to_string(i * 2) + "\n";
      expected.push_back(i);
    }
  }
  for (const int threads : {1, 2, 4}) {
    kd::csv_internal::CsvTuning tuning;
    tuning.chunk_bytes = 16;
    tuning.block_bytes = 5;
    tuning.rows_per_task = 4;
    kolosal::Context ctx;
    ctx.n_threads = threads;
    const kd::Frame f = kd::csv_internal::read_csv_string(text, skipping(), ctx, tuning);
    const auto a = f.column("a").doubles();
    CHECK(std::vector<double>(a.begin(), a.end()) == expected);
    CHECK(f.column("b").doubles()[5] == expected[5] * 2);
  }
}
