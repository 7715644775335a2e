// SPDX-License-Identifier: MIT
// Column and Frame: construction, selection, row subsets, summaries and matrix conversion.
#include "kolosal/data/frame.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>

#include "kolosal/core/error.hpp"
#include "kolosal/data/datetime.hpp"

namespace kolosal::data {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string format_double(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)ec;
  return {buffer, end};
}

std::string format_float(float value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)ec;
  return {buffer, end};
}

template <class T>
std::vector<T> gather(const std::vector<T>& values, std::span<const std::size_t> rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const std::size_t r : rows) out.push_back(values[r]);
  return out;
}

bool same_double(double a, double b) noexcept { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::string join_names(const std::vector<Column>& columns) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ", ";
    out += c.name();
  }
  return out.empty() ? std::string("none") : out;
}

}  // namespace

// ---------------------------------------------------------------------------- Column

void Column::set_missing(std::vector<std::uint8_t> missing, std::string_view who) {
  if (missing.empty()) return;
  KOLOSAL_CHECK(missing.size() == size_, ShapeMismatch, who, ": column '", name_, "' has ", size_,
                " values but its missing mask has ", missing.size());
  bool any = false;
  for (auto& m : missing) {
    m = m != 0 ? 1 : 0;
    any = any || m != 0;
  }
  if (any) missing_ = std::move(missing);
}

void Column::require(ColumnType type, std::string_view accessor) const {
  KOLOSAL_CHECK(type_ == type, InvalidArgument, "Column::", accessor, ": column '", name_, "' is ",
                to_string(type_), ", not ", to_string(type));
}

Column Column::numeric(std::string name, std::vector<double> values) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::kNumeric;
  c.size_ = values.size();
  std::vector<std::uint8_t> missing;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      if (missing.empty()) missing.assign(values.size(), 0);
      missing[i] = 1;
    }
  }
  c.f64_ = std::move(values);
  c.missing_ = std::move(missing);
  return c;
}

std::vector<double> Column::release_doubles() && {
  require(ColumnType::kNumeric, "release_doubles");
  KOLOSAL_CHECK(!float32_, InvalidArgument, "Column::release_doubles: column '", name_,
                "' has float32 storage");
  size_ = 0;
  missing_.clear();
  return std::exchange(f64_, {});
}

Column Column::numeric_float32(std::string name, std::vector<float> values) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::kNumeric;
  c.float32_ = true;
  c.size_ = values.size();
  std::vector<std::uint8_t> missing;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      if (missing.empty()) missing.assign(values.size(), 0);
      missing[i] = 1;
    }
  }
  c.f32_ = std::move(values);
  c.missing_ = std::move(missing);
  return c;
}

Column Column::categorical(std::string name, std::vector<std::int32_t> codes,
                           std::vector<std::string> categories) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::kCategorical;
  c.size_ = codes.size();
  {
    std::vector<std::string_view> sorted(categories.begin(), categories.end());
    std::sort(sorted.begin(), sorted.end());
    const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    KOLOSAL_CHECK(dup == sorted.end(), InvalidArgument, "Column::categorical: column '", c.name_,
                  "' lists category '", *dup, "' twice");
  }
  const auto n_categories = static_cast<std::int32_t>(categories.size());
  std::vector<std::uint8_t> missing;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    KOLOSAL_CHECK(codes[i] >= -1 && codes[i] < n_categories, InvalidArgument,
                  "Column::categorical: column '", c.name_, "' has code ", codes[i], " at row ", i,
                  " but only ", n_categories, " categories");
    if (codes[i] < 0) {
      if (missing.empty()) missing.assign(codes.size(), 0);
      missing[i] = 1;
    }
  }
  c.codes_ = std::move(codes);
  c.strings_ = std::move(categories);
  c.missing_ = std::move(missing);
  return c;
}

Column Column::categorical_from_labels(std::string name, std::span<const std::string> labels,
                                       std::span<const std::uint8_t> missing) {
  KOLOSAL_CHECK(missing.empty() || missing.size() == labels.size(), ShapeMismatch,
                "Column::categorical_from_labels: ", labels.size(), " labels but ", missing.size(),
                " missing flags");
  std::map<std::string_view, std::int32_t> index;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (missing.empty() || missing[i] == 0) index.emplace(labels[i], 0);
  }
  std::vector<std::string> categories;
  categories.reserve(index.size());
  for (auto& [label, code] : index) {
    code = static_cast<std::int32_t>(categories.size());
    categories.emplace_back(label);
  }
  std::vector<std::int32_t> codes(labels.size(), -1);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (missing.empty() || missing[i] == 0) codes[i] = index.find(labels[i])->second;
  }
  return categorical(std::move(name), std::move(codes), std::move(categories));
}

Column Column::boolean(std::string name, std::vector<std::uint8_t> values,
                       std::vector<std::uint8_t> missing) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::kBoolean;
  c.size_ = values.size();
  for (auto& v : values) v = v != 0 ? 1 : 0;
  c.bools_ = std::move(values);
  c.set_missing(std::move(missing), "Column::boolean");
  if (!c.missing_.empty()) {
    for (std::size_t i = 0; i < c.size_; ++i) {
      if (c.missing_[i]) c.bools_[i] = 0;
    }
  }
  return c;
}

Column Column::text(std::string name, std::vector<std::string> values,
                    std::vector<std::uint8_t> missing) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::kText;
  c.size_ = values.size();
  c.strings_ = std::move(values);
  c.set_missing(std::move(missing), "Column::text");
  if (!c.missing_.empty()) {
    for (std::size_t i = 0; i < c.size_; ++i) {
      if (c.missing_[i]) c.strings_[i].clear();
    }
  }
  return c;
}

Column Column::datetime(std::string name, std::vector<std::int64_t> micros,
                        std::vector<std::uint8_t> missing) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::kDatetime;
  c.size_ = micros.size();
  c.times_ = std::move(micros);
  c.set_missing(std::move(missing), "Column::datetime");
  if (!c.missing_.empty()) {
    for (std::size_t i = 0; i < c.size_; ++i) {
      if (c.missing_[i]) c.times_[i] = 0;
    }
  }
  return c;
}

std::size_t Column::missing_count() const noexcept {
  return static_cast<std::size_t>(std::count(missing_.begin(), missing_.end(), std::uint8_t{1}));
}

std::span<const double> Column::doubles() const {
  require(ColumnType::kNumeric, "doubles");
  KOLOSAL_CHECK(!float32_, InvalidArgument, "Column::doubles: column '", name_,
                "' is stored as float; use floats() or to_doubles()");
  return f64_;
}

std::span<const float> Column::floats() const {
  require(ColumnType::kNumeric, "floats");
  KOLOSAL_CHECK(float32_, InvalidArgument, "Column::floats: column '", name_,
                "' is stored as double; use doubles()");
  return f32_;
}

std::span<const std::int32_t> Column::codes() const {
  require(ColumnType::kCategorical, "codes");
  return codes_;
}

const std::vector<std::string>& Column::categories() const {
  require(ColumnType::kCategorical, "categories");
  return strings_;
}

std::span<const std::uint8_t> Column::bools() const {
  require(ColumnType::kBoolean, "bools");
  return bools_;
}

const std::vector<std::string>& Column::texts() const {
  require(ColumnType::kText, "texts");
  return strings_;
}

std::span<const std::int64_t> Column::datetimes() const {
  require(ColumnType::kDatetime, "datetimes");
  return times_;
}

double Column::as_double(std::size_t row) const {
  if (is_missing(row)) return kNaN;
  switch (type_) {
    case ColumnType::kNumeric:
      return float32_ ? static_cast<double>(f32_[row]) : f64_[row];
    case ColumnType::kCategorical:
      return static_cast<double>(codes_[row]);
    case ColumnType::kBoolean:
      return bools_[row] ? 1.0 : 0.0;
    case ColumnType::kDatetime:
      return static_cast<double>(times_[row]);
    case ColumnType::kText:
      break;
  }
  KOLOSAL_THROW(InvalidArgument, "Column::as_double: column '", name_,
                "' is text and has no numeric value");
}

std::string Column::label(std::size_t row) const {
  if (is_missing(row)) return {};
  switch (type_) {
    case ColumnType::kNumeric:
      return float32_ ? format_float(f32_[row]) : format_double(f64_[row]);
    case ColumnType::kCategorical:
      return strings_[static_cast<std::size_t>(codes_[row])];
    case ColumnType::kBoolean:
      return bools_[row] ? "true" : "false";
    case ColumnType::kText:
      return strings_[row];
    case ColumnType::kDatetime:
      return format_datetime(times_[row]);
  }
  return {};
}

std::vector<double> Column::to_doubles() const {
  KOLOSAL_CHECK(type_ == ColumnType::kNumeric || type_ == ColumnType::kBoolean ||
                    type_ == ColumnType::kCategorical,
                InvalidArgument, "Column::to_doubles: column '", name_, "' is ", to_string(type_),
                "; only numeric, boolean and categorical columns convert to numbers");
  if (type_ == ColumnType::kNumeric && !float32_) return f64_;
  std::vector<double> out(size_);
  for (std::size_t i = 0; i < size_; ++i) out[i] = as_double(i);
  return out;
}

std::vector<std::string> Column::to_labels() const {
  std::vector<std::string> out;
  out.reserve(size_);
  for (std::size_t i = 0; i < size_; ++i) out.push_back(label(i));
  return out;
}

Column Column::take(std::span<const std::size_t> rows) const {
  for (const std::size_t r : rows) {
    KOLOSAL_CHECK(r < size_, InvalidArgument, "Column::take: row ", r,
                  " is out of range for column '", name_, "' of ", size_, " rows");
  }
  Column c;
  c.name_ = name_;
  c.type_ = type_;
  c.float32_ = float32_;
  c.size_ = rows.size();
  switch (type_) {
    case ColumnType::kNumeric:
      if (float32_) {
        c.f32_ = gather(f32_, rows);
      } else {
        c.f64_ = gather(f64_, rows);
      }
      break;
    case ColumnType::kCategorical:
      c.codes_ = gather(codes_, rows);
      c.strings_ = strings_;
      break;
    case ColumnType::kBoolean:
      c.bools_ = gather(bools_, rows);
      break;
    case ColumnType::kText:
      c.strings_ = gather(strings_, rows);
      break;
    case ColumnType::kDatetime:
      c.times_ = gather(times_, rows);
      break;
  }
  if (!missing_.empty()) c.set_missing(gather(missing_, rows), "Column::take");
  return c;
}

bool operator==(const Column& a, const Column& b) {
  if (a.name_ != b.name_ || a.type_ != b.type_ || a.size_ != b.size_) return false;
  for (std::size_t i = 0; i < a.size_; ++i) {
    if (a.is_missing(i) != b.is_missing(i)) return false;
  }
  for (std::size_t i = 0; i < a.size_; ++i) {
    if (a.is_missing(i)) continue;
    switch (a.type_) {
      case ColumnType::kNumeric:
        if (!same_double(a.as_double(i), b.as_double(i))) return false;
        break;
      case ColumnType::kCategorical:
        if (a.strings_[static_cast<std::size_t>(a.codes_[i])] !=
            b.strings_[static_cast<std::size_t>(b.codes_[i])]) {
          return false;
        }
        break;
      case ColumnType::kBoolean:
        if (a.bools_[i] != b.bools_[i]) return false;
        break;
      case ColumnType::kText:
        if (a.strings_[i] != b.strings_[i]) return false;
        break;
      case ColumnType::kDatetime:
        if (a.times_[i] != b.times_[i]) return false;
        break;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------- Frame

Frame::Frame(std::vector<Column> columns) {
  for (auto& c : columns) add_column(std::move(c));
}

std::vector<std::string> Frame::column_names() const {
  std::vector<std::string> names;
  names.reserve(columns_.size());
  for (const auto& c : columns_) names.push_back(c.name());
  return names;
}

void Frame::throw_unknown(std::string_view who, std::string_view name) const {
  KOLOSAL_THROW(InvalidArgument, who, ": no column named '", name,
                "' (available: ", join_names(columns_), ")");
}

const Column& Frame::column(std::size_t index) const {
  KOLOSAL_CHECK(index < columns_.size(), InvalidArgument, "Frame::column: index ", index,
                " is out of range for a frame of ", columns_.size(), " columns");
  return columns_[index];
}

const Column& Frame::column(std::string_view name) const {
  const auto index = column_index(name);
  if (!index) throw_unknown("Frame::column", name);
  return columns_[*index];
}

bool Frame::has_column(std::string_view name) const noexcept {
  return column_index(name).has_value();
}

std::optional<std::size_t> Frame::column_index(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name() == name) return i;
  }
  return std::nullopt;
}

Frame& Frame::add_column(Column column) {
  KOLOSAL_CHECK(!has_column(column.name()), InvalidArgument, "Frame::add_column: a column named '",
                column.name(), "' already exists");
  if (columns_.empty()) {
    rows_ = column.size();
  } else {
    KOLOSAL_CHECK(column.size() == rows_, ShapeMismatch, "Frame::add_column: column '",
                  column.name(), "' has ", column.size(), " rows but the frame has ", rows_);
  }
  columns_.push_back(std::move(column));
  return *this;
}

Frame& Frame::set_column(Column column) {
  const auto index = column_index(column.name());
  if (!index) return add_column(std::move(column));
  KOLOSAL_CHECK(columns_.size() == 1 || column.size() == rows_, ShapeMismatch,
                "Frame::set_column: column '", column.name(), "' has ", column.size(),
                " rows but the frame has ", rows_);
  rows_ = column.size();
  columns_[*index] = std::move(column);
  return *this;
}

Frame& Frame::rename(std::string_view from, std::string to) {
  const auto index = column_index(from);
  if (!index) throw_unknown("Frame::rename", from);
  if (from == to) return *this;
  KOLOSAL_CHECK(!has_column(to), InvalidArgument, "Frame::rename: a column named '", to,
                "' already exists");
  columns_[*index].set_name(std::move(to));
  return *this;
}

Frame Frame::select(std::span<const std::string> names) const {
  Frame out;
  for (const auto& name : names) {
    const auto index = column_index(name);
    if (!index) throw_unknown("Frame::select", name);
    out.add_column(columns_[*index]);
  }
  if (out.columns_.empty()) out.rows_ = 0;
  return out;
}

Frame Frame::drop(std::span<const std::string> names) const {
  for (const auto& name : names) {
    if (!has_column(name)) throw_unknown("Frame::drop", name);
  }
  Frame out;
  for (const auto& c : columns_) {
    if (std::find(names.begin(), names.end(), c.name()) == names.end()) out.add_column(c);
  }
  return out;
}

Frame Frame::filter(std::span<const std::uint8_t> mask) const {
  KOLOSAL_CHECK(mask.size() == rows_, ShapeMismatch, "Frame::filter: mask has ", mask.size(),
                " entries but the frame has ", rows_, " rows");
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) rows.push_back(i);
  }
  return take(rows);
}

Frame Frame::filter(const std::vector<bool>& mask) const {
  const std::vector<std::uint8_t> bytes(mask.begin(), mask.end());
  return filter(std::span<const std::uint8_t>(bytes));
}

Frame Frame::take(std::span<const std::size_t> rows) const {
  for (const std::size_t r : rows) {
    KOLOSAL_CHECK(r < rows_, InvalidArgument, "Frame::take: row ", r,
                  " is out of range for a frame of ", rows_, " rows");
  }
  Frame out;
  for (const auto& c : columns_) out.add_column(c.take(rows));
  return out;
}

Frame Frame::head(std::size_t n) const {
  std::vector<std::size_t> rows(std::min(n, rows_));
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  return take(rows);
}

std::vector<ColumnSummary> Frame::describe() const {
  std::vector<ColumnSummary> out;
  out.reserve(columns_.size());
  for (const auto& c : columns_) {
    ColumnSummary s;
    s.name = c.name();
    s.type = c.type();
    s.missing = c.missing_count();
    s.count = c.size() - s.missing;
    if (c.type() == ColumnType::kNumeric) {
      double sum = 0.0;
      double lo = std::numeric_limits<double>::infinity();
      double hi = -lo;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c.is_missing(i)) continue;
        const double v = c.as_double(i);
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      s.mean = s.count > 0 ? sum / static_cast<double>(s.count) : kNaN;
      double squares = 0.0;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c.is_missing(i)) continue;
        const double d = c.as_double(i) - s.mean;
        squares += d * d;
      }
      s.std = s.count > 1 ? std::sqrt(squares / static_cast<double>(s.count - 1)) : kNaN;
      s.min = s.count > 0 ? lo : kNaN;
      s.max = s.count > 0 ? hi : kNaN;
    } else {
      s.mean = s.std = s.min = s.max = kNaN;
      // Counts per distinct value, remembering first appearance to break ties.
      std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> counts;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c.is_missing(i)) continue;
        auto [it, inserted] = counts.try_emplace(c.label(i), 0, i);
        ++it->second.first;
      }
      s.unique = counts.size();
      std::size_t first_seen = std::numeric_limits<std::size_t>::max();
      for (const auto& [label, stat] : counts) {
        if (stat.first > s.top_count || (stat.first == s.top_count && stat.second < first_seen)) {
          s.top = label;
          s.top_count = stat.first;
          first_seen = stat.second;
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> Frame::numeric_column_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns_) {
    if (c.type() == ColumnType::kNumeric) names.push_back(c.name());
  }
  return names;
}

std::vector<std::size_t> Frame::matrix_columns(std::span<const std::string> names) const {
  std::vector<std::size_t> indices;
  if (names.empty()) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].type() == ColumnType::kNumeric) indices.push_back(i);
    }
    return indices;
  }
  for (const auto& name : names) {
    const auto index = column_index(name);
    if (!index) throw_unknown("Frame::to_matrix", name);
    KOLOSAL_CHECK(columns_[*index].type() == ColumnType::kNumeric, InvalidArgument,
                  "Frame::to_matrix: column '", name, "' is ", to_string(columns_[*index].type()),
                  ", not numeric; encode it first or leave it out");
    indices.push_back(*index);
  }
  return indices;
}

void Frame::copy_to(std::span<const std::size_t> columns, MatrixView<double> out) const {
  KOLOSAL_CHECK(out.rows() == rows_ && out.cols() == columns.size(), ShapeMismatch,
                "Frame::copy_to: output is ", out.rows(), "x", out.cols(), " but ", rows_, "x",
                columns.size(), " is needed");
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const Column& c = column(columns[j]);
    KOLOSAL_CHECK(c.type() == ColumnType::kNumeric, InvalidArgument, "Frame::copy_to: column '",
                  c.name(), "' is ", to_string(c.type()), ", not numeric");
    if (c.is_float32()) {
      const auto values = c.floats();
      for (std::size_t i = 0; i < rows_; ++i) out(i, j) = static_cast<double>(values[i]);
    } else {
      const auto values = c.doubles();
      for (std::size_t i = 0; i < rows_; ++i) out(i, j) = values[i];
    }
  }
}

Matrix<double> Frame::to_matrix(std::span<const std::string> names) const {
  const std::vector<std::size_t> indices = matrix_columns(names);
  Matrix<double> out(rows_, indices.size());
  copy_to(indices, out.view());
  return out;
}

bool operator==(const Frame& a, const Frame& b) {
  return a.rows_ == b.rows_ && a.columns_ == b.columns_;
}

}  // namespace kolosal::data
