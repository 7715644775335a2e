// SPDX-License-Identifier: MIT
// CSV writer: RFC 4180 quoting, shortest round-trip numbers, atomic file output.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "kolosal/core/config.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/datetime.hpp"

namespace kolosal::data {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

/// Markers the reader takes as missing by default; string values equal to one are quoted.
constexpr std::array<std::string_view, 8> kDefaultNa{"",    "NA",   "N/A",  "NaN",
                                                     "nan", "null", "NULL", "?"};

class CsvEmitter {
 public:
  explicit CsvEmitter(const CsvWriteOptions& options)
      : delim_(options.delimiter.front()), na_rep_(options.na_rep) {}

  void field(std::string_view value, bool is_string) {
    const bool quote =
        value.find_first_of(specials_) != std::string_view::npos ||
        (is_string && (std::find(kDefaultNa.begin(), kDefaultNa.end(), value) != kDefaultNa.end() ||
                       value == na_rep_));
    if (!quote) {
      out_ += value;
      return;
    }
    out_ += '"';
    for (const char c : value) {
      if (c == '"') out_ += '"';
      out_ += c;
    }
    out_ += '"';
  }
  void missing() { out_ += na_rep_; }
  void number(double v) {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    (void)ec;
    out_.append(buffer, end);
  }
  void number(float v) {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    (void)ec;
    out_.append(buffer, end);
  }
  void separator() { out_ += delim_; }
  void end_row() { out_ += '\n'; }
  std::string& buffer() { return out_; }

 private:
  char delim_;
  std::string na_rep_;
  std::string specials_ = std::string("\"\r\n") + delim_;
  std::string out_;
};

/// Writes the frame, handing the text to `sink` in pieces of about kFlushBytes.
template <class Sink>
void emit(const Frame& frame, const CsvWriteOptions& options, Sink&& sink) {
  config::validate(options, "write_csv");
  CsvEmitter e(options);
  const auto& columns = frame.columns();
  if (options.header && !columns.empty()) {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (j > 0) e.separator();
      e.field(columns[j].name(), false);
    }
    e.end_row();
  }
  for (std::size_t i = 0; i < frame.rows(); ++i) {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (j > 0) e.separator();
      const Column& c = columns[j];
      if (c.is_missing(i)) {
        e.missing();
        continue;
      }
      switch (c.type()) {
        case ColumnType::kNumeric:
          if (c.is_float32()) {
            e.number(c.floats()[i]);
          } else {
            e.number(c.doubles()[i]);
          }
          break;
        case ColumnType::kCategorical:
          e.field(c.categories()[static_cast<std::size_t>(c.codes()[i])], true);
          break;
        case ColumnType::kBoolean:
          e.field(c.bools()[i] ? "true" : "false", false);
          break;
        case ColumnType::kText:
          e.field(c.texts()[i], true);
          break;
        case ColumnType::kDatetime:
          e.field(format_datetime(c.datetimes()[i]), false);
          break;
      }
    }
    e.end_row();
    if (e.buffer().size() >= kFlushBytes) {
      sink(e.buffer());
      e.buffer().clear();
    }
  }
  if (!e.buffer().empty()) sink(e.buffer());
}

}  // namespace

void write_csv(const Frame& frame, const std::filesystem::path& path,
               const CsvWriteOptions& options) {
  io::AtomicFileWriter writer(path);
  emit(frame, options, [&](std::string_view bytes) { writer.write(bytes); });
  writer.commit();
}

std::string write_csv_string(const Frame& frame, const CsvWriteOptions& options) {
  std::string out;
  emit(frame, options, [&](std::string_view bytes) { out += bytes; });
  return out;
}

}  // namespace kolosal::data
