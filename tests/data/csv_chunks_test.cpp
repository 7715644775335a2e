// SPDX-License-Identifier: MIT
// The chunked CSV reader: chunks concatenate to what read_csv reads, one schema for every chunk,
// quoted line breaks, max_rows, and errors that name the file and its real line.
#include "kolosal/data/csv_chunks.hpp"

#include <fstream>
#include <sstream>

#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"

#include "test_util.hpp"

namespace kd = kolosal::data;
using kolosal::test::expect_error;

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::size_t> range(std::size_t begin, std::size_t end) {
  std::vector<std::size_t> out;
  for (std::size_t i = begin; i < end; ++i) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("CsvChunkReader: chunks concatenate to the whole file with one schema",
          "[data][csv][chunks]") {
  kolosal::test::TempDir dir;
  std::ostringstream text;
  text << "\xEF\xBB\xBF\nid,\"na\nme\",score,flag\r\n";
  for (int i = 0; i < 1000; ++i) {
    text << i << ",";
    if (i % 7 == 0) {
      text << "\"multi\nline " << i % 5 << "\"";
    } else {
      text << "n" << i % 5;
    }
    text << "," << (i % 11 == 0 ? std::string("NA") : std::to_string(i * 0.5)) << ","
         << (i % 2 ? "true" : "false") << "\r\n";
    if (i % 97 == 0) text << "\n";  // blank lines are not rows
  }
  write_text(dir / "t.csv", text.str());
  const auto whole = kd::read_csv(dir / "t.csv");
  REQUIRE(whole.rows() == 1000);

  for (const std::size_t chunk_rows : {1UL, 7UL, 128UL, 1000UL, 5000UL}) {
    kd::CsvChunkReader reader(dir / "t.csv", chunk_rows);
    CHECK(reader.column_names() == std::vector<std::string>{"id", "na\nme", "score", "flag"});
    CHECK(reader.column_types() ==
          std::vector<kd::ColumnType>{kd::ColumnType::kNumeric, kd::ColumnType::kCategorical,
                                      kd::ColumnType::kNumeric, kd::ColumnType::kBoolean});
    std::size_t rows = 0;
    std::size_t chunks = 0;
    while (auto frame = reader.next()) {
      CHECK(frame->rows() == std::min(chunk_rows, 1000 - rows));
      const auto expected = whole.take(range(rows, rows + frame->rows()));
      for (std::size_t c = 0; c < 4; ++c) {
        INFO("chunk_rows " << chunk_rows << " column " << c << " at row " << rows);
        CHECK(frame->column(c) == expected.column(c));
      }
      rows += frame->rows();
      ++chunks;
    }
    CHECK(rows == 1000);
    CHECK(chunks == (1000 + chunk_rows - 1) / chunk_rows);
    CHECK(reader.rows_read() == 1000);
    CHECK_FALSE(reader.next().has_value());
  }

  kd::CsvOptions options;
  options.max_rows = 150;
  options.usecols = {"score", "id"};
  kd::CsvChunkReader limited(dir / "t.csv", 100, options);
  CHECK(limited.column_names() == std::vector<std::string>{"id", "score"});
  const auto a = limited.next();
  const auto b = limited.next();
  REQUIRE((a && b));
  CHECK(a->rows() == 100);
  CHECK(b->rows() == 50);
  CHECK(*b == whole.select({"id", "score"}).take(range(100, 150)));
  CHECK_FALSE(limited.next().has_value());
}

TEST_CASE("CsvChunkReader: raw chunks parse on any thread in any order", "[data][csv][chunks]") {
  kolosal::test::TempDir dir;
  std::ostringstream text;
  text << "a;b\n";
  for (int i = 0; i < 300; ++i) text << i << ";x" << i % 3 << "\n";
  write_text(dir / "s.csv", text.str());
  kd::CsvChunkReader reader(dir / "s.csv", 64);
  std::vector<kd::CsvChunk> chunks;
  while (auto c = reader.next_chunk()) chunks.push_back(std::move(*c));
  REQUIRE(chunks.size() == 5);
  CHECK(chunks[2].index == 2);
  CHECK(chunks[2].first_row == 128);
  CHECK(chunks[2].first_line == 130);
  const auto last = reader.parse(chunks[4]);
  CHECK(last.rows() == 44);
  CHECK(last.column("a").as_double(0) == 256.0);
  CHECK(last.column("b").label(0) == "x1");
}

TEST_CASE("CsvChunkReader: type and row errors name the file and line", "[data][csv][chunks]") {
  kolosal::test::TempDir dir;
  std::ostringstream text;
  text << "x,y\n";
  for (int i = 0; i < 10050; ++i) text << i << ",c" << i % 2 << "\n";
  // Line 10052: not a number in a column the first 10000 rows typed numeric.
  text << "oops,c1\n";
  write_text(dir / "bad_type.csv", text.str());
  kd::CsvChunkReader reader(dir / "bad_type.csv", 5000);
  CHECK(reader.column_types().front() == kd::ColumnType::kNumeric);
  (void)reader.next();
  (void)reader.next();
  expect_error<kolosal::DataError>([&] { (void)reader.next(); }, "bad_type.csv:10052:");

  write_text(dir / "ragged.csv", "x,y\n1,2\n3,4\n5,6,7\n");
  // Within the rows that fix the types, the constructor reports it.
  expect_error<kolosal::DataError>([&] { kd::CsvChunkReader(dir / "ragged.csv", 2); },
                                   "ragged.csv:4:");

  write_text(dir / "open.csv", "x,y\n1,2\n3,\"open\n");
  expect_error<kolosal::DataError>([&] { kd::CsvChunkReader(dir / "open.csv", 1); },
                                   "open.csv:3: unterminated");

  write_text(dir / "empty.csv", "\n\n");
  expect_error<kolosal::DataError>([&] { kd::CsvChunkReader(dir / "empty.csv", 5); },
                                   "the input is empty");
  expect_error<kolosal::IoError>([&] { kd::CsvChunkReader(dir / "missing.csv", 5); },
                                 "missing.csv");
  expect_error<kolosal::InvalidArgument>([&] { kd::CsvChunkReader(dir / "open.csv", 0); },
                                         "chunk_rows");

  // Without a header the columns are column_0, column_1, ... in every chunk.
  write_text(dir / "no_header.csv", "1,a\n2,b\n3,c\n");
  kd::CsvOptions headerless;
  headerless.has_header = false;
  kd::CsvChunkReader no_header(dir / "no_header.csv", 2, headerless);
  CHECK(no_header.column_names() == std::vector<std::string>{"column_0", "column_1"});
  const auto first = no_header.next();
  const auto second = no_header.next();
  REQUIRE((first && second));
  CHECK(first->rows() == 2);
  CHECK(second->column("column_0").as_double(0) == 3.0);
  CHECK(second->column("column_1").label(0) == "c");
  CHECK(reader.bytes_read() > 0);

  write_text(dir / "header_only.csv", "p,q\n");
  kd::CsvChunkReader header_only(dir / "header_only.csv", 3);
  CHECK(header_only.column_names() == std::vector<std::string>{"p", "q"});
  CHECK_FALSE(header_only.next().has_value());
}
