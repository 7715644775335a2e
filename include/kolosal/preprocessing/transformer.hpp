// SPDX-License-Identifier: MIT
// Transformer: the one contract of the transform layer (scalers, encoders, imputers, composition):
// fit on a Frame, transform a Frame, with its config as JSON and its fitted state saved and loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/context.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::preprocessing {

/// One input column as a transformer saw it at fit time.
struct ColumnSpec {
  std::string name;
  data::ColumnType type = data::ColumnType::kNumeric;
  friend bool operator==(const ColumnSpec&, const ColumnSpec&) = default;
};

/// A fit/transform step on data::Frame behind a virtual boundary (non-virtual interface, as
/// Model). Concrete transformers are copyable value types; `clone()` copies configuration and
/// fitted state. fit never mutates its input; transform is const and thread-safe.
class Transformer {
 public:
  Transformer() = default;
  Transformer(const Transformer&) = default;
  Transformer& operator=(const Transformer&) = default;
  Transformer(Transformer&&) noexcept = default;
  Transformer& operator=(Transformer&&) noexcept = default;
  virtual ~Transformer() = default;

  /// Registry name, e.g. "standard_scaler".
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// Hyperparameters as JSON; make_transformer(name(), config()) rebuilds an unfitted copy.
  [[nodiscard]] virtual nlohmann::json config() const = 0;
  /// A deep copy, fitted state included.
  [[nodiscard]] virtual std::unique_ptr<Transformer> clone() const = 0;
  /// Whether fit needs the target `y` (target encoding, supervised selection).
  [[nodiscard]] virtual bool needs_target() const noexcept { return false; }

  /// Learns the transformation from `x` (and `y`, one value per row, where the method uses it).
  /// Refitting replaces the fitted state.
  /// @throws ShapeMismatch when y is given with a length other than x.rows(); InvalidArgument
  ///   when a transformer that needs y gets none; ConfigError; DataError naming the bad column
  Transformer& fit(const data::Frame& x, std::span<const double> y = {});
  /// Applies the fitted transformation. What happens with unseen categories, missing values and
  /// schema differences is documented per transformer.
  /// @throws NotFitted; DataError naming the column for input outside the documented policy
  [[nodiscard]] data::Frame transform(const data::Frame& x) const;
  /// fit then transform; transformers that cross-fit (target encoding) return out-of-fold
  /// values for the training rows instead. @throws as fit and transform
  data::Frame fit_transform(const data::Frame& x, std::span<const double> y = {});
  /// transform() of a frame the caller gives away: steps may move its columns (and rewrite them
  /// in place) instead of copying. Same result as transform(x).
  [[nodiscard]] data::Frame transform(data::Frame&& x) const;
  /// fit_transform() of a frame the caller gives away. Same result as fit_transform(x, y).
  data::Frame fit_transform(data::Frame&& x, std::span<const double> y = {});

  [[nodiscard]] bool fitted() const noexcept { return fitted_; }

  /// The fitted state as JSON, enough for load_state() to transform identically.
  /// @throws NotFitted
  [[nodiscard]] nlohmann::json state() const;
  /// Restores what state() returned. @throws SerializationError for a malformed state
  void load_state(const nlohmann::json& state);

  [[nodiscard]] const Context& context() const noexcept { return context_; }
  /// Threads (and seed, for randomised transformers) used by fit and transform.
  Transformer& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 protected:
  virtual void do_fit(const data::Frame& x, std::span<const double> y) = 0;
  [[nodiscard]] virtual data::Frame do_transform(const data::Frame& x) const = 0;
  /// Default: do_fit then do_transform.
  virtual data::Frame do_fit_transform(const data::Frame& x, std::span<const double> y);
  /// Default: do_transform(x).
  [[nodiscard]] virtual data::Frame do_transform_owned(data::Frame&& x) const;
  /// Default: do_fit_transform(x, y).
  virtual data::Frame do_fit_transform_owned(data::Frame&& x, std::span<const double> y);
  [[nodiscard]] virtual nlohmann::json do_state() const = 0;
  virtual void do_load_state(const nlohmann::json& state) = 0;

 private:
  Context context_;
  bool fitted_ = false;
};

/// Base of the transformers that work on a selection of columns (every scaler, encoder and
/// imputer). The common schema policy:
/// - fit selects the columns named in the config (each must exist with a supported type, else
///   DataError naming it) or, when none are named, every column of a supported type;
/// - transform requires each selected column, with the type it had at fit (DataError naming the
///   column otherwise); every other column, including ones unseen at fit, passes through
///   unchanged, and the outputs take the place of the first selected column.
class ColumnSelectingTransformer : public Transformer {
 public:
  /// The columns selected at fit, in frame order. Empty before fit.
  [[nodiscard]] const std::vector<ColumnSpec>& input_columns() const noexcept { return inputs_; }

 protected:
  /// Names from the config; empty selects every column whose type accepts() admits.
  [[nodiscard]] virtual const std::vector<std::string>& requested_columns() const noexcept = 0;
  [[nodiscard]] virtual bool accepts(data::ColumnType type) const noexcept = 0;
  /// Fits on the selected columns (in input_columns() order).
  virtual void fit_columns(std::span<const data::Column* const> columns,
                           std::span<const double> y) = 0;
  /// The output columns for the selected ones.
  [[nodiscard]] virtual std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const = 0;
  /// Default: fit_columns then transform_columns.
  [[nodiscard]] virtual std::vector<data::Column> fit_transform_columns(
      std::span<const data::Column* const> columns, std::span<const double> y);
  /// transform_columns on selected columns handed over (in input_columns() order), which an
  /// override may rewrite in place. Default: transform_columns on them.
  [[nodiscard]] virtual std::vector<data::Column> transform_columns_owned(
      std::vector<data::Column> columns) const;
  /// fit_transform_columns on columns handed over. Default: fit_transform_columns on them.
  [[nodiscard]] virtual std::vector<data::Column> fit_transform_columns_owned(
      std::vector<data::Column> columns, std::span<const double> y);
  [[nodiscard]] virtual nlohmann::json columns_state() const = 0;
  virtual void load_columns_state(const nlohmann::json& state) = 0;

  /// A name for error messages, e.g. "StandardScaler".
  [[nodiscard]] virtual std::string_view display_name() const noexcept = 0;

 private:
  void do_fit(const data::Frame& x, std::span<const double> y) final;
  [[nodiscard]] data::Frame do_transform(const data::Frame& x) const final;
  data::Frame do_fit_transform(const data::Frame& x, std::span<const double> y) final;
  [[nodiscard]] data::Frame do_transform_owned(data::Frame&& x) const final;
  data::Frame do_fit_transform_owned(data::Frame&& x, std::span<const double> y) final;
  [[nodiscard]] nlohmann::json do_state() const final;
  void do_load_state(const nlohmann::json& state) final;

  std::vector<const data::Column*> select_for_fit(const data::Frame& x);
  std::vector<const data::Column*> select_for_transform(const data::Frame& x,
                                                        std::string_view who) const;
  [[nodiscard]] data::Frame assemble(const data::Frame& x, std::vector<data::Column> outputs) const;
  /// assemble() for columns given away: they move instead of being copied.
  [[nodiscard]] static data::Frame place_outputs(std::vector<data::Column> all,
                                                 const std::vector<std::uint8_t>& is_selected,
                                                 std::vector<data::Column> outputs);

  std::vector<ColumnSpec> inputs_;
};

/// Shared plumbing of a column-selecting transformer with a declared `Config` (which has a
/// `columns` field): the registry name, the display name and clone().
template <class Derived, class ConfigT>
class ColumnStep : public ColumnSelectingTransformer {
 public:
  using Config = ConfigT;

  explicit ColumnStep(Config config) : config_(std::move(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return Derived::kName; }
  [[nodiscard]] std::unique_ptr<Transformer> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  /// The hyperparameters as a struct.
  [[nodiscard]] const Config& settings() const noexcept { return config_; }

 protected:
  [[nodiscard]] const std::vector<std::string>& requested_columns() const noexcept override {
    return config_.columns;
  }
  [[nodiscard]] std::string_view display_name() const noexcept override {
    return Derived::kDisplayName;
  }

  Config config_;  // NOLINT(misc-non-private-member-variables-in-classes)
};

}  // namespace kolosal::preprocessing
