// SPDX-License-Identifier: MIT
// Frame: kolosal's columnar table of typed columns, each with a missing-value mask.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/matrix_view.hpp"

namespace kolosal::data {

/// The logical type of a column.
enum class ColumnType {
  kNumeric,      ///< double values (or float storage); missing values are NaN
  kCategorical,  ///< dictionary-encoded: int32 codes into a list of category strings
  kBoolean,      ///< true / false
  kText,         ///< free text, one string per row
  kDatetime,     ///< int64 microseconds since the Unix epoch, UTC
};

}  // namespace kolosal::data

namespace kolosal::config {
template <>
struct EnumNames<data::ColumnType> {
  static constexpr std::array kValues{std::pair{data::ColumnType::kNumeric, "numeric"},
                                      std::pair{data::ColumnType::kCategorical, "categorical"},
                                      std::pair{data::ColumnType::kBoolean, "boolean"},
                                      std::pair{data::ColumnType::kText, "text"},
                                      std::pair{data::ColumnType::kDatetime, "datetime"}};
};
}  // namespace kolosal::config

namespace kolosal::data {

/// Stable lower-case name of a column type, e.g. "categorical".
[[nodiscard]] constexpr std::string_view to_string(ColumnType type) noexcept {
  return config::enum_name(type);
}

/// One named, typed column. Exactly one storage vector is in use, chosen by type(); the missing
/// mask is either empty (nothing missing) or holds one byte per row, 1 where the value is missing.
/// Values under a missing entry are fixed: NaN (numeric), code -1 (categorical), false (boolean),
/// "" (text) and 0 (datetime).
class Column {
 public:
  /// An empty numeric column without a name.
  Column() = default;

  /// A numeric column; NaN entries are the missing values.
  [[nodiscard]] static Column numeric(std::string name, std::vector<double> values);
  /// A numeric column stored as float to halve its memory; NaN entries are missing.
  [[nodiscard]] static Column numeric_float32(std::string name, std::vector<float> values);
  /// A categorical column: `codes[i]` indexes `categories`, -1 marks a missing value.
  /// @throws InvalidArgument for a code out of range or duplicate categories.
  [[nodiscard]] static Column categorical(std::string name, std::vector<std::int32_t> codes,
                                          std::vector<std::string> categories);
  /// A categorical column from labels; categories are the distinct labels in sorted order.
  /// `missing` (empty, or one byte per label) marks missing entries.
  [[nodiscard]] static Column categorical_from_labels(std::string name,
                                                      std::span<const std::string> labels,
                                                      std::span<const std::uint8_t> missing = {});
  /// A boolean column (`values` are 0 or 1; any non-zero byte reads as true).
  [[nodiscard]] static Column boolean(std::string name, std::vector<std::uint8_t> values,
                                      std::vector<std::uint8_t> missing = {});
  /// A text column.
  [[nodiscard]] static Column text(std::string name, std::vector<std::string> values,
                                   std::vector<std::uint8_t> missing = {});
  /// A datetime column of microseconds since the Unix epoch (UTC).
  [[nodiscard]] static Column datetime(std::string name, std::vector<std::int64_t> micros,
                                       std::vector<std::uint8_t> missing = {});

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  Column& set_name(std::string name) {
    name_ = std::move(name);
    return *this;
  }
  [[nodiscard]] ColumnType type() const noexcept { return type_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// True for a numeric column stored as float.
  [[nodiscard]] bool is_float32() const noexcept { return float32_; }

  [[nodiscard]] bool is_missing(std::size_t row) const noexcept {
    return !missing_.empty() && missing_[row] != 0;
  }
  [[nodiscard]] bool has_missing() const noexcept { return !missing_.empty(); }
  [[nodiscard]] std::size_t missing_count() const noexcept;
  /// Empty when no value is missing, else one byte per row.
  [[nodiscard]] std::span<const std::uint8_t> missing_mask() const noexcept { return missing_; }

  /// Typed storage; each throws InvalidArgument naming the column when its type differs.
  [[nodiscard]] std::span<const double> doubles() const;  ///< numeric, double storage
  /// Moves the values of a numeric column with double storage out (missing values are NaN) and
  /// leaves the column empty, for transforms that rewrite values in place.
  /// @throws InvalidArgument for another type or float32 storage
  [[nodiscard]] std::vector<double> release_doubles() &&;
  [[nodiscard]] std::span<const float> floats() const;               ///< numeric, float storage
  [[nodiscard]] std::span<const std::int32_t> codes() const;         ///< categorical
  [[nodiscard]] const std::vector<std::string>& categories() const;  ///< categorical
  [[nodiscard]] std::span<const std::uint8_t> bools() const;         ///< boolean
  [[nodiscard]] const std::vector<std::string>& texts() const;       ///< text
  [[nodiscard]] std::span<const std::int64_t> datetimes() const;     ///< datetime

  /// Value of one row as a double: the number, 0/1 for booleans, the code for categoricals, the
  /// microseconds for datetimes; NaN when missing. @throws InvalidArgument for text columns.
  [[nodiscard]] double as_double(std::size_t row) const;
  /// Value of one row as text: shortest round-trip number, "true"/"false", the category, the
  /// string, or format_datetime(); "" when missing.
  [[nodiscard]] std::string label(std::size_t row) const;

  /// Numeric, boolean (0/1) or categorical (codes) values as doubles, NaN where missing.
  /// @throws InvalidArgument for text and datetime columns.
  [[nodiscard]] std::vector<double> to_doubles() const;
  /// Every value as label() prints it.
  [[nodiscard]] std::vector<std::string> to_labels() const;

  /// The rows at `rows`, in that order. @throws InvalidArgument for an index out of range.
  [[nodiscard]] Column take(std::span<const std::size_t> rows) const;

  /// Same name, type, length, missing entries and values (NaN-aware; categoricals compare their
  /// labels, so two encodings of the same labels are equal; float storage compares as double).
  friend bool operator==(const Column& a, const Column& b);

 private:
  void set_missing(std::vector<std::uint8_t> missing, std::string_view who);
  void require(ColumnType type, std::string_view accessor) const;

  std::string name_;
  ColumnType type_ = ColumnType::kNumeric;
  std::size_t size_ = 0;
  bool float32_ = false;
  std::vector<double> f64_;
  std::vector<float> f32_;
  std::vector<std::int32_t> codes_;
  std::vector<std::string> strings_;  ///< categories (categorical) or values (text)
  std::vector<std::uint8_t> bools_;
  std::vector<std::int64_t> times_;
  std::vector<std::uint8_t> missing_;
};

/// Per-column statistics from Frame::describe(). Fields that do not apply are NaN (numbers) or
/// zero / empty (counts and labels).
struct ColumnSummary {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::size_t count = 0;      ///< non-missing values
  std::size_t missing = 0;    ///< missing values
  double mean = 0.0;          ///< numeric only
  double std = 0.0;           ///< numeric only; sample standard deviation (ddof = 1) as pandas
  double min = 0.0;           ///< numeric only
  double max = 0.0;           ///< numeric only
  std::size_t unique = 0;     ///< categorical, boolean, text, datetime: distinct non-missing values
  std::string top;            ///< the most frequent value (ties: the one seen first)
  std::size_t top_count = 0;  ///< how often `top` occurs
};

/// A table of equally long, uniquely named columns.
class Frame {
 public:
  Frame() = default;
  /// @throws ShapeMismatch when lengths differ; InvalidArgument for a duplicate name.
  explicit Frame(std::vector<Column> columns);

  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return columns_.size(); }
  [[nodiscard]] bool empty() const noexcept { return columns_.empty(); }
  [[nodiscard]] std::vector<std::string> column_names() const;
  [[nodiscard]] const std::vector<Column>& columns() const noexcept { return columns_; }
  /// Moves the columns out and leaves the frame empty, so the owner of an intermediate frame
  /// (a transform step's output) can hand its storage on instead of copying it.
  [[nodiscard]] std::vector<Column> release_columns() && noexcept {
    rows_ = 0;
    return std::exchange(columns_, {});
  }

  /// @throws InvalidArgument for an index out of range.
  [[nodiscard]] const Column& column(std::size_t index) const;
  /// @throws InvalidArgument naming `name` and listing the available columns.
  [[nodiscard]] const Column& column(std::string_view name) const;
  [[nodiscard]] bool has_column(std::string_view name) const noexcept;
  /// Position of the column called `name`, or nothing.
  [[nodiscard]] std::optional<std::size_t> column_index(std::string_view name) const noexcept;

  /// Appends a column. The first column of an empty frame sets the row count.
  /// @throws ShapeMismatch for a length other than rows(); InvalidArgument for a taken name.
  Frame& add_column(Column column);
  /// Replaces the column of the same name, or appends it when there is none.
  Frame& set_column(Column column);
  /// Renames a column. @throws InvalidArgument for an unknown `from` or a taken `to`.
  Frame& rename(std::string_view from, std::string to);

  /// The named columns, in the order given. @throws InvalidArgument for an unknown name.
  [[nodiscard]] Frame select(std::span<const std::string> names) const;
  [[nodiscard]] Frame select(std::initializer_list<std::string> names) const {
    return select(std::span<const std::string>(names.begin(), names.size()));
  }
  /// Every column except the named ones. @throws InvalidArgument for an unknown name.
  [[nodiscard]] Frame drop(std::span<const std::string> names) const;
  [[nodiscard]] Frame drop(std::initializer_list<std::string> names) const {
    return drop(std::span<const std::string>(names.begin(), names.size()));
  }

  /// The rows where `mask` is non-zero. @throws ShapeMismatch unless mask has rows() entries.
  [[nodiscard]] Frame filter(std::span<const std::uint8_t> mask) const;
  [[nodiscard]] Frame filter(const std::vector<bool>& mask) const;
  /// The rows at `rows`, in that order (repeats allowed).
  /// @throws InvalidArgument for an index out of range.
  [[nodiscard]] Frame take(std::span<const std::size_t> rows) const;
  /// The first min(n, rows()) rows.
  [[nodiscard]] Frame head(std::size_t n) const;

  /// Statistics of every column, in column order.
  [[nodiscard]] std::vector<ColumnSummary> describe() const;

  /// Names of the numeric columns, in column order.
  [[nodiscard]] std::vector<std::string> numeric_column_names() const;
  /// The named numeric columns (all numeric columns when `names` is empty) as a row-major matrix;
  /// missing values become NaN.
  /// @throws InvalidArgument for an unknown name or a column that is not numeric.
  [[nodiscard]] Matrix<double> to_matrix(std::span<const std::string> names = {}) const;
  /// Positions of the columns to_matrix() would use, checked as it checks them.
  [[nodiscard]] std::vector<std::size_t> matrix_columns(std::span<const std::string> names) const;
  /// Writes the columns at `columns` (as from matrix_columns()) into `out`, which must have
  /// rows() rows and columns.size() columns.
  void copy_to(std::span<const std::size_t> columns, MatrixView<double> out) const;

  /// Same columns in the same order, compared with Column's operator==.
  friend bool operator==(const Frame& a, const Frame& b);

 private:
  [[noreturn]] void throw_unknown(std::string_view who, std::string_view name) const;

  std::vector<Column> columns_;
  std::size_t rows_ = 0;
};

}  // namespace kolosal::data
