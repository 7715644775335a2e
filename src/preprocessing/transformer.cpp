// SPDX-License-Identifier: MIT
// The Transformer boundary's validation and the column-selection schema policy.
#include "kolosal/preprocessing/transformer.hpp"

#include <cstdint>
#include <utility>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal::preprocessing {

Transformer& Transformer::fit(const data::Frame& x, std::span<const double> y) {
  KOLOSAL_CHECK(y.empty() || y.size() == x.rows(), ShapeMismatch, name(), "::fit: x has ", x.rows(),
                " rows but y has ", y.size(), " values");
  KOLOSAL_CHECK(!needs_target() || !y.empty(), InvalidArgument, name(),
                "::fit: needs the target y");
  KOLOSAL_CHECK(x.rows() > 0, InvalidArgument, name(), "::fit: x has no rows");
  fitted_ = false;
  do_fit(x, y);
  fitted_ = true;
  return *this;
}

data::Frame Transformer::transform(const data::Frame& x) const {
  KOLOSAL_CHECK(fitted_, NotFitted, name(), "::transform: call fit first");
  return do_transform(x);
}

data::Frame Transformer::fit_transform(const data::Frame& x, std::span<const double> y) {
  KOLOSAL_CHECK(y.empty() || y.size() == x.rows(), ShapeMismatch, name(), "::fit_transform: x has ",
                x.rows(), " rows but y has ", y.size(), " values");
  KOLOSAL_CHECK(!needs_target() || !y.empty(), InvalidArgument, name(),
                "::fit_transform: needs the target y");
  KOLOSAL_CHECK(x.rows() > 0, InvalidArgument, name(), "::fit_transform: x has no rows");
  fitted_ = false;
  data::Frame out = do_fit_transform(x, y);
  fitted_ = true;
  return out;
}

data::Frame Transformer::do_fit_transform(const data::Frame& x, std::span<const double> y) {
  do_fit(x, y);
  return do_transform(x);
}

data::Frame Transformer::transform(data::Frame&& x) const {
  KOLOSAL_CHECK(fitted_, NotFitted, name(), "::transform: call fit first");
  return do_transform_owned(std::move(x));
}

data::Frame Transformer::fit_transform(data::Frame&& x, std::span<const double> y) {
  KOLOSAL_CHECK(y.empty() || y.size() == x.rows(), ShapeMismatch, name(), "::fit_transform: x has ",
                x.rows(), " rows but y has ", y.size(), " values");
  KOLOSAL_CHECK(!needs_target() || !y.empty(), InvalidArgument, name(),
                "::fit_transform: needs the target y");
  KOLOSAL_CHECK(x.rows() > 0, InvalidArgument, name(), "::fit_transform: x has no rows");
  fitted_ = false;
  data::Frame out = do_fit_transform_owned(std::move(x), y);
  fitted_ = true;
  return out;
}

data::Frame Transformer::do_transform_owned(data::Frame&& x) const { return do_transform(x); }

data::Frame Transformer::do_fit_transform_owned(data::Frame&& x, std::span<const double> y) {
  return do_fit_transform(x, y);
}

nlohmann::json Transformer::state() const {
  KOLOSAL_CHECK(fitted_, NotFitted, name(), "::state: call fit first");
  return do_state();
}

void Transformer::load_state(const nlohmann::json& state) {
  fitted_ = false;
  try {
    do_load_state(state);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    KOLOSAL_THROW(SerializationError, name(), "::load_state: malformed state (", e.what(), ")");
  }
  fitted_ = true;
}

// ---------------------------------------------------------------------------- column selection

std::vector<const data::Column*> ColumnSelectingTransformer::select_for_fit(const data::Frame& x) {
  std::vector<const data::Column*> selected;
  const auto& requested = requested_columns();
  if (requested.empty()) {
    for (const auto& c : x.columns()) {
      if (accepts(c.type())) selected.push_back(&c);
    }
    KOLOSAL_CHECK(!selected.empty(), DataError, display_name(),
                  "::fit: the frame has no column of a supported type");
  } else {
    for (const auto& name : requested) {
      const auto index = x.column_index(name);
      KOLOSAL_CHECK(index.has_value(), DataError, display_name(), "::fit: column '", name,
                    "' is not in the frame");
      const auto& c = x.column(*index);
      KOLOSAL_CHECK(accepts(c.type()), DataError, display_name(), "::fit: column '", name, "' is ",
                    data::to_string(c.type()), ", which this transformer does not accept");
      for (const auto* s : selected) {
        KOLOSAL_CHECK(s != &c, ConfigError, display_name(), ": column '", name,
                      "' is listed twice");
      }
      selected.push_back(&c);
    }
  }
  inputs_.clear();
  for (const auto* c : selected) inputs_.push_back({c->name(), c->type()});
  return selected;
}

std::vector<const data::Column*> ColumnSelectingTransformer::select_for_transform(
    const data::Frame& x, std::string_view who) const {
  std::vector<const data::Column*> selected;
  selected.reserve(inputs_.size());
  for (const auto& spec : inputs_) {
    const auto index = x.column_index(spec.name);
    KOLOSAL_CHECK(index.has_value(), DataError, display_name(), "::", who, ": column '", spec.name,
                  "' seen at fit is missing");
    const auto& c = x.column(*index);
    KOLOSAL_CHECK(c.type() == spec.type, DataError, display_name(), "::", who, ": column '",
                  spec.name, "' is ", data::to_string(c.type()), " but was ",
                  data::to_string(spec.type), " at fit");
    selected.push_back(&c);
  }
  return selected;
}

data::Frame ColumnSelectingTransformer::assemble(const data::Frame& x,
                                                 std::vector<data::Column> outputs) const {
  std::vector<data::Column> columns;
  columns.reserve(x.cols() + outputs.size());
  bool placed = false;
  for (const auto& c : x.columns()) {
    bool selected = false;
    for (const auto& spec : inputs_) {
      if (spec.name == c.name()) {
        selected = true;
        break;
      }
    }
    if (!selected) {
      columns.push_back(c);
    } else if (!placed) {
      for (auto& o : outputs) columns.push_back(std::move(o));
      placed = true;
    }
  }
  return data::Frame(std::move(columns));
}

std::vector<data::Column> ColumnSelectingTransformer::fit_transform_columns(
    std::span<const data::Column* const> columns, std::span<const double> y) {
  fit_columns(columns, y);
  return transform_columns(columns);
}

namespace {

std::vector<const data::Column*> pointers(const std::vector<data::Column>& columns) {
  std::vector<const data::Column*> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(&c);
  return out;
}

// The columns of a frame given away, with the selected ones (pointers into it) moved to `taken`
// in selection order and flagged in `is_selected`.
struct Taken {
  std::vector<data::Column> all;
  std::vector<std::uint8_t> is_selected;
  std::vector<data::Column> taken;
};

Taken take_selected(data::Frame&& x, std::span<const data::Column* const> selected) {
  std::vector<std::size_t> positions;
  positions.reserve(selected.size());
  for (const auto* c : selected) {
    positions.push_back(static_cast<std::size_t>(c - x.columns().data()));
  }
  Taken t{std::move(x).release_columns(), {}, {}};
  t.is_selected.assign(t.all.size(), 0);
  t.taken.reserve(positions.size());
  for (const std::size_t p : positions) {
    t.is_selected[p] = 1;
    t.taken.push_back(std::move(t.all[p]));
  }
  return t;
}

}  // namespace

std::vector<data::Column> ColumnSelectingTransformer::transform_columns_owned(
    std::vector<data::Column> columns) const {
  return transform_columns(pointers(columns));
}

std::vector<data::Column> ColumnSelectingTransformer::fit_transform_columns_owned(
    std::vector<data::Column> columns, std::span<const double> y) {
  return fit_transform_columns(pointers(columns), y);
}

data::Frame ColumnSelectingTransformer::place_outputs(std::vector<data::Column> all,
                                                      const std::vector<std::uint8_t>& is_selected,
                                                      std::vector<data::Column> outputs) {
  std::vector<data::Column> columns;
  columns.reserve(all.size() + outputs.size());
  bool placed = false;
  for (std::size_t c = 0; c < all.size(); ++c) {
    if (is_selected[c] == 0) {
      columns.push_back(std::move(all[c]));
    } else if (!placed) {
      for (auto& o : outputs) columns.push_back(std::move(o));
      placed = true;
    }
  }
  return data::Frame(std::move(columns));
}

data::Frame ColumnSelectingTransformer::do_transform_owned(data::Frame&& x) const {
  const auto selected = select_for_transform(x, "transform");
  auto t = take_selected(std::move(x), selected);
  return place_outputs(std::move(t.all), t.is_selected,
                       transform_columns_owned(std::move(t.taken)));
}

data::Frame ColumnSelectingTransformer::do_fit_transform_owned(data::Frame&& x,
                                                               std::span<const double> y) {
  const auto selected = select_for_fit(x);
  auto t = take_selected(std::move(x), selected);
  return place_outputs(std::move(t.all), t.is_selected,
                       fit_transform_columns_owned(std::move(t.taken), y));
}

void ColumnSelectingTransformer::do_fit(const data::Frame& x, std::span<const double> y) {
  const auto selected = select_for_fit(x);
  fit_columns(selected, y);
}

data::Frame ColumnSelectingTransformer::do_transform(const data::Frame& x) const {
  const auto selected = select_for_transform(x, "transform");
  return assemble(x, transform_columns(selected));
}

data::Frame ColumnSelectingTransformer::do_fit_transform(const data::Frame& x,
                                                         std::span<const double> y) {
  const auto selected = select_for_fit(x);
  return assemble(x, fit_transform_columns(selected, y));
}

nlohmann::json ColumnSelectingTransformer::do_state() const {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& spec : inputs_) {
    columns.push_back({{"name", spec.name}, {"type", data::to_string(spec.type)}});
  }
  return {{"columns", std::move(columns)}, {"fitted", columns_state()}};
}

void ColumnSelectingTransformer::do_load_state(const nlohmann::json& state) {
  KOLOSAL_CHECK(state.is_object() && state.contains("columns") && state["columns"].is_array() &&
                    state.contains("fitted"),
                SerializationError, display_name(),
                "::load_state: expected an object with columns and fitted");
  std::vector<ColumnSpec> inputs;
  for (const auto& c : state["columns"]) {
    inputs.push_back({c.at("name").get<std::string>(),
                      config::parse_enum<data::ColumnType>(c.at("type").get<std::string>(),
                                                           "load_state: column type")});
  }
  inputs_ = std::move(inputs);
  load_columns_state(state["fitted"]);
}

}  // namespace kolosal::preprocessing
