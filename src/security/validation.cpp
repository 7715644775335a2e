// SPDX-License-Identifier: MIT
// InputValidator: schema, NaN/inf policy, ranges and limits checked before inference.
#include "kolosal/security/validation.hpp"

#include <algorithm>
#include <cmath>

#include "kolosal/data/csv.hpp"

namespace kolosal::security {

InputSchema InputSchema::from_frame(const data::Frame& frame) {
  InputSchema schema;
  for (const auto& column : frame.columns()) {
    ColumnSpec spec;
    spec.name = column.name();
    spec.type = column.type();
    spec.nullable = column.has_missing();
    if (column.type() == data::ColumnType::kCategorical) spec.categories = column.categories();
    schema.columns.push_back(std::move(spec));
  }
  schema.allow_nan = std::any_of(schema.columns.begin(), schema.columns.end(), [](const auto& c) {
    return c.nullable && c.type == data::ColumnType::kNumeric;
  });
  return schema;
}

InputValidator::InputValidator(InputSchema schema) : schema_(std::move(schema)) {
  KOLOSAL_CHECK(!schema_.columns.empty(), InvalidArgument,
                "InputValidator: the schema has no columns");
  KOLOSAL_CHECK(schema_.min_rows <= schema_.max_rows, InvalidArgument, "InputValidator: min_rows ",
                schema_.min_rows, " exceeds max_rows ", schema_.max_rows);
  for (std::size_t i = 0; i < schema_.columns.size(); ++i) {
    const ColumnSpec& c = schema_.columns[i];
    KOLOSAL_CHECK(!c.name.empty(), InvalidArgument, "InputValidator: column ", i,
                  " of the schema has no name");
    for (std::size_t j = 0; j < i; ++j) {
      KOLOSAL_CHECK(schema_.columns[j].name != c.name, InvalidArgument, "InputValidator: column '",
                    c.name, "' appears twice in the schema");
    }
    KOLOSAL_CHECK(!(c.min && c.max && *c.min > *c.max), InvalidArgument, "InputValidator: column '",
                  c.name, "' has min ", *c.min, " above max ", *c.max);
  }
}

void InputValidator::check_rows(std::size_t rows, std::string_view source) const {
  KOLOSAL_CHECK(rows >= schema_.min_rows, DataError, source, ": ", rows, " rows, at least ",
                schema_.min_rows, " required");
  KOLOSAL_CHECK(rows <= schema_.max_rows, DataError, source, ": ", rows,
                " rows exceed the limit of ", schema_.max_rows);
}

void InputValidator::check_number(double v, const ColumnSpec& spec, std::size_t row,
                                  std::string_view source) const {
  if (std::isnan(v)) {
    KOLOSAL_CHECK(schema_.allow_nan && spec.nullable, DataError, source, ": column '", spec.name,
                  "' row ", row, ": NaN (missing value) is not allowed");
    return;
  }
  if (std::isinf(v)) {
    KOLOSAL_CHECK(schema_.allow_infinity, DataError, source, ": column '", spec.name, "' row ", row,
                  ": ", v > 0 ? "+" : "-", "infinity is not allowed");
    return;
  }
  KOLOSAL_CHECK(!spec.min || v >= *spec.min, DataError, source, ": column '", spec.name, "' row ",
                row, ": value ", v, " is below the minimum ", *spec.min);
  KOLOSAL_CHECK(!spec.max || v <= *spec.max, DataError, source, ": column '", spec.name, "' row ",
                row, ": value ", v, " is above the maximum ", *spec.max);
}

void InputValidator::validate(const data::Frame& frame, std::string_view source) const {
  check_rows(frame.rows(), source);
  for (const auto& column : frame.columns()) {
    const bool known = std::any_of(schema_.columns.begin(), schema_.columns.end(),
                                   [&](const ColumnSpec& c) { return c.name == column.name(); });
    KOLOSAL_CHECK(known || schema_.allow_extra_columns, DataError, source, ": unexpected column '",
                  column.name(), "' (not in the schema)");
  }
  for (const ColumnSpec& spec : schema_.columns) {
    KOLOSAL_CHECK(frame.has_column(spec.name), DataError, source, ": missing column '", spec.name,
                  "'");
    const data::Column& column = frame.column(spec.name);
    KOLOSAL_CHECK(column.type() == spec.type, DataError, source, ": column '", spec.name, "' is ",
                  data::to_string(column.type()), ", expected ", data::to_string(spec.type));
    const std::size_t rows = column.size();
    if (spec.type == data::ColumnType::kNumeric) {
      for (std::size_t r = 0; r < rows; ++r) {
        const double v =
            column.is_float32() ? static_cast<double>(column.floats()[r]) : column.doubles()[r];
        check_number(v, spec, r, source);
      }
      continue;
    }
    if (!spec.nullable && column.has_missing()) {
      const auto mask = column.missing_mask();
      const auto row =
          static_cast<std::size_t>(std::find(mask.begin(), mask.end(), 1) - mask.begin());
      KOLOSAL_THROW(DataError, source, ": column '", spec.name, "' row ", row,
                    ": missing value is not allowed");
    }
    if (spec.type == data::ColumnType::kCategorical) {
      const auto& categories = column.categories();
      const auto codes = column.codes();
      for (std::size_t r = 0; r < rows; ++r) {
        if (codes[r] < 0) continue;
        const std::string& value = categories[static_cast<std::size_t>(codes[r])];
        KOLOSAL_CHECK(value.size() <= schema_.max_text_length, DataError, source, ": column '",
                      spec.name, "' row ", r, ": value of ", value.size(),
                      " bytes exceeds the limit of ", schema_.max_text_length);
        KOLOSAL_CHECK(spec.categories.empty() ||
                          std::find(spec.categories.begin(), spec.categories.end(), value) !=
                              spec.categories.end(),
                      DataError, source, ": column '", spec.name, "' row ", r,
                      ": unknown category '", value.substr(0, 64), "'");
      }
    } else if (spec.type == data::ColumnType::kText) {
      const auto& texts = column.texts();
      for (std::size_t r = 0; r < rows; ++r) {
        KOLOSAL_CHECK(texts[r].size() <= schema_.max_text_length, DataError, source, ": column '",
                      spec.name, "' row ", r, ": text of ", texts[r].size(),
                      " bytes exceeds the limit of ", schema_.max_text_length);
      }
    }
  }
}

void InputValidator::validate(MatrixView<const double> x, std::string_view source) const {
  KOLOSAL_CHECK(x.cols() == schema_.columns.size(), DataError, source, ": ", x.cols(),
                " columns, expected ", schema_.columns.size());
  for (const ColumnSpec& spec : schema_.columns) {
    KOLOSAL_CHECK(spec.type == data::ColumnType::kNumeric, DataError, source, ": column '",
                  spec.name, "' is ", data::to_string(spec.type),
                  " in the schema; a numeric matrix cannot hold it");
  }
  check_rows(x.rows(), source);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const double* row = x.data() + r * x.stride();
    for (std::size_t c = 0; c < x.cols(); ++c) check_number(row[c], schema_.columns[c], r, source);
  }
}

data::Frame InputValidator::parse_csv(std::string_view text, std::string_view source) const {
  KOLOSAL_CHECK(text.size() <= schema_.max_bytes, DataError, source, ": ", text.size(),
                " bytes exceed the limit of ", schema_.max_bytes);
  data::CsvOptions options;
  for (const ColumnSpec& spec : schema_.columns) options.column_types[spec.name] = spec.type;
  // One row past the limit is enough to know the input is too long.
  options.max_rows = schema_.max_rows + 1;
  data::Frame frame;
  try {
    frame = data::read_csv_string(text, options, Context{1, kDefaultSeed});
  } catch (const InvalidArgument& e) {
    // column_types naming a column the input lacks
    KOLOSAL_THROW(DataError, source, ": ", e.what());
  }
  validate(frame, source);
  return frame;
}

}  // namespace kolosal::security
