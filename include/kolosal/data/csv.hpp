// SPDX-License-Identifier: MIT
// CSV reading (RFC 4180, typed, parallel) into a Frame, and CSV writing from one.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::data {

/// What the reader does with a malformed row (wrong field count, bad quoting, invalid UTF-8, a NUL
/// byte, or a value that does not parse in a column whose type was forced by column_types).
enum class BadRowPolicy {
  kError,  ///< throw DataError naming the source, the line and the column
  kSkip,   ///< drop the row and log a warning naming the source and the line
};

}  // namespace kolosal::data

namespace kolosal::config {
template <>
struct EnumNames<data::BadRowPolicy> {
  static constexpr std::array kValues{std::pair{data::BadRowPolicy::kError, "error"},
                                      std::pair{data::BadRowPolicy::kSkip, "skip"}};
};
}  // namespace kolosal::config

namespace kolosal::data {

/// Options of read_csv().
///
/// Type inference, per column, over every value that is not missing: all numbers -> numeric;
/// all of true/false/True/False/TRUE/FALSE -> boolean (0/1 stay numeric); all ISO-8601 dates or
/// timestamps (see parse_datetime) -> datetime; anything else, or a mix -> categorical when the
/// column has at most `categorical_max_unique` distinct values and at most
/// `categorical_max_ratio` of its non-missing values are distinct, else text (categories are
/// sorted). A column with no values at all is numeric. Numbers, booleans and datetimes may carry
/// surrounding spaces and may be quoted; text keeps its bytes exactly.
///
/// Missing values: an unquoted field equal to one of `na_values` is missing. In numeric, boolean
/// and datetime columns a quoted field is compared too (so `""` is missing there); in
/// categorical and text columns a quoted field is always a value (`""` is the empty string).
struct CsvOptions {
  /// One character, or empty to detect among , ; tab | from the first lines.
  std::string delimiter;
  /// The first non-blank line names the columns; otherwise they are column_0, column_1, ...
  bool has_header = true;
  /// Unquoted fields read as missing values.
  std::vector<std::string> na_values{"", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"};
  /// Column name -> type, overriding inference; a value that does not parse is a bad row.
  std::map<std::string, ColumnType> column_types;
  /// Columns to keep (in file order); empty keeps all.
  std::vector<std::string> usecols;
  /// Read at most this many data rows.
  std::optional<std::size_t> max_rows;
  /// What to do with a malformed row.
  BadRowPolicy bad_rows = BadRowPolicy::kError;
  /// A string column with more distinct values than this is text.
  std::size_t categorical_max_unique = 1000;
  /// A string column whose distinct values exceed this share of its values is text.
  double categorical_max_ratio = 0.5;
  /// Store numeric columns as float (half the memory, about 7 significant digits).
  bool float32 = false;

  static constexpr std::string_view kName = "CsvOptions";
  static constexpr auto fields() {
    return std::tuple{
        config::field("delimiter", &CsvOptions::delimiter)
            .doc("field separator (one character); empty detects , ; tab or |"),
        config::field("has_header", &CsvOptions::has_header).doc("first line holds the names"),
        config::field("na_values", &CsvOptions::na_values).doc("unquoted fields read as missing"),
        config::field("column_types", &CsvOptions::column_types)
            .doc("column name -> numeric|categorical|boolean|text|datetime"),
        config::field("usecols", &CsvOptions::usecols).doc("columns to keep; empty keeps all"),
        config::field("max_rows", &CsvOptions::max_rows).doc("read at most this many rows"),
        config::field("bad_rows", &CsvOptions::bad_rows).doc("error or skip malformed rows"),
        config::field("categorical_max_unique", &CsvOptions::categorical_max_unique)
            .doc("most distinct values of a categorical column"),
        config::field("categorical_max_ratio", &CsvOptions::categorical_max_ratio)
            .at_least(0.0)
            .at_most(1.0)
            .doc("most distinct values of a categorical column, as a share of its values"),
        config::field("float32", &CsvOptions::float32).doc("store numeric columns as float")};
  }
  /// Cross-field rules: the delimiter is empty or one character other than a quote or newline.
  void check() const;

  friend bool operator==(const CsvOptions&, const CsvOptions&) = default;
};

/// Options of write_csv().
struct CsvWriteOptions {
  std::string delimiter = ",";  ///< one character other than a quote or newline
  bool header = true;           ///< write the column names first
  std::string na_rep;           ///< text written for a missing value

  static constexpr std::string_view kName = "CsvWriteOptions";
  static constexpr auto fields() {
    return std::tuple{
        config::field("delimiter", &CsvWriteOptions::delimiter).doc("field separator"),
        config::field("header", &CsvWriteOptions::header).doc("write column names"),
        config::field("na_rep", &CsvWriteOptions::na_rep).doc("missing value text")};
  }
  void check() const;

  friend bool operator==(const CsvWriteOptions&, const CsvWriteOptions&) = default;
};

/// Reads a CSV file (RFC 4180: quoted fields, doubled quotes, delimiters and newlines inside
/// quotes, LF or CRLF line ends, an optional UTF-8 byte order mark). Blank lines are skipped.
/// Parsing runs on `ctx.threads()` threads and gives the same frame for any thread count.
///
/// A header with no data rows gives a frame with 0 rows whose columns are numeric unless
/// column_types says otherwise.
/// @throws IoError when the file cannot be read.
/// @throws DataError for malformed input, with a message "<file>:<line>: <what>" naming the column
///         where one is involved: an empty input, duplicate column names, a row with the wrong
///         number of fields, an unterminated quoted field, text after a closing quote or a quote
///         inside an unquoted field, invalid UTF-8, a NUL byte, or a value that does not parse in
///         a column typed by column_types. Under BadRowPolicy::kSkip the row-level ones drop the
///         row with a warning instead; an unterminated quote and header problems always throw.
/// @throws InvalidArgument when usecols or column_types name a column the input does not have.
/// @throws ConfigError for invalid options.
[[nodiscard]] Frame read_csv(const std::filesystem::path& path, const CsvOptions& options = {},
                             const Context& ctx = {});

/// Reads CSV text held in memory, as read_csv(); errors name the source "<string>".
[[nodiscard]] Frame read_csv_string(std::string_view text, const CsvOptions& options = {},
                                    const Context& ctx = {});

/// Writes a frame as CSV, atomically (a temporary file renamed over `path`). Fields holding the
/// delimiter, a quote, a line break, or (in string columns) nothing or an NA marker are quoted;
/// numbers are printed shortest-round-trip; missing values as `na_rep`; datetimes as
/// format_datetime(). Rows end with "\n". read_csv() of the result gives back an equal frame when
/// the column types are those inference finds (pass column_types otherwise).
/// @throws IoError when the file cannot be written.
void write_csv(const Frame& frame, const std::filesystem::path& path,
               const CsvWriteOptions& options = {});

/// The CSV text write_csv() would write.
[[nodiscard]] std::string write_csv_string(const Frame& frame, const CsvWriteOptions& options = {});

}  // namespace kolosal::data

namespace kolosal::config {
extern template nlohmann::json to_json<data::CsvOptions>(const data::CsvOptions&);
extern template data::CsvOptions from_json<data::CsvOptions>(const nlohmann::json&);
extern template nlohmann::json to_json<data::CsvWriteOptions>(const data::CsvWriteOptions&);
extern template data::CsvWriteOptions from_json<data::CsvWriteOptions>(const nlohmann::json&);
}  // namespace kolosal::config
