// SPDX-License-Identifier: MIT
// CSV option checks and the one instantiation of their JSON conversions.
#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/data/csv.hpp"

namespace kolosal::data {
namespace {

void check_delimiter(std::string_view delimiter, std::string_view who, bool allow_empty) {
  KOLOSAL_CHECK(delimiter.size() == 1 || (allow_empty && delimiter.empty()), ConfigError, who,
                ": delimiter must be ", allow_empty ? "empty (auto-detect) or " : "",
                "one character, got '", delimiter, "'");
  if (delimiter.empty()) return;
  const char c = delimiter.front();
  KOLOSAL_CHECK(c != '"' && c != '\n' && c != '\r' && c != '\0', ConfigError, who,
                ": delimiter cannot be a quote, a line break or NUL");
}

}  // namespace

void CsvOptions::check() const { check_delimiter(delimiter, kName, true); }

void CsvWriteOptions::check() const {
  check_delimiter(delimiter, kName, false);
  KOLOSAL_CHECK(na_rep.find_first_of("\"\r\n") == std::string::npos &&
                    na_rep.find(delimiter) == std::string::npos,
                ConfigError, kName, ": na_rep cannot hold a quote, a line break or the delimiter");
}

}  // namespace kolosal::data

namespace kolosal::config {
template nlohmann::json to_json<data::CsvOptions>(const data::CsvOptions&);
template data::CsvOptions from_json<data::CsvOptions>(const nlohmann::json&);
template nlohmann::json to_json<data::CsvWriteOptions>(const data::CsvWriteOptions&);
template data::CsvWriteOptions from_json<data::CsvWriteOptions>(const nlohmann::json&);
}  // namespace kolosal::config
