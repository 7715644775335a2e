// SPDX-License-Identifier: MIT
// Input validation before inference: a schema of named, typed columns, a policy for NaN and
// infinities, value ranges, and row and size limits, each failure a DataError naming the column
// and row.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kolosal/core/matrix_view.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::security {

/// One expected column.
struct ColumnSpec {
  std::string name;
  data::ColumnType type = data::ColumnType::kNumeric;
  bool nullable = true;                 ///< missing values allowed
  std::optional<double> min;            ///< numeric columns: smallest allowed value
  std::optional<double> max;            ///< numeric columns: largest allowed value
  std::vector<std::string> categories;  ///< categorical columns: allowed values (empty: any)
};

/// What the validator accepts.
struct InputSchema {
  std::vector<ColumnSpec> columns;
  bool allow_extra_columns = false;  ///< columns not in the schema are ignored rather than refused
  bool allow_nan = false;            ///< NaN (missing) in numeric columns, beside `nullable`
  bool allow_infinity = false;       ///< ±inf in numeric columns
  std::size_t min_rows = 1;
  std::size_t max_rows = 1'000'000;
  std::size_t max_bytes = 256u << 20;      ///< raw input size (CSV text) limit
  std::size_t max_text_length = 1u << 16;  ///< longest text or category value

  /// The schema of a training frame: its columns and types, nullable where it has missing
  /// values, numeric ranges left open.
  [[nodiscard]] static InputSchema from_frame(const data::Frame& frame);
};

/// Checks inputs against a schema before they reach a model. Every method throws DataError with
/// a message naming the input, the column and the (0-based) row: "request: column 'age' row 3:
/// NaN is not allowed".
class InputValidator {
 public:
  explicit InputValidator(InputSchema schema);

  /// A frame: column names and types, missing values, NaN/inf, ranges, categories, row count.
  void validate(const data::Frame& frame, std::string_view source = "input") const;
  /// A numeric matrix whose columns are the schema's, in order (all numeric).
  void validate(MatrixView<const double> x, std::string_view source = "input") const;
  /// CSV text: the size limit first (before parsing), then parsed with the schema's types forced
  /// and validated as a frame, which is returned.
  [[nodiscard]] data::Frame parse_csv(std::string_view text,
                                      std::string_view source = "input") const;

  [[nodiscard]] const InputSchema& schema() const noexcept { return schema_; }

 private:
  void check_rows(std::size_t rows, std::string_view source) const;
  void check_number(double v, const ColumnSpec& spec, std::size_t row,
                    std::string_view source) const;

  InputSchema schema_;
};

}  // namespace kolosal::security
