// SPDX-License-Identifier: MIT
// SearchSpace: the hyperparameters an optimizer explores (float, int, categorical, conditional).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kolosal::optimizer {

/// The type of one hyperparameter.
enum class ParamKind {
  kFloat,        ///< a real number in [low, high], uniform or log-uniform
  kInt,          ///< an integer in [low, high] on the grid low + k * step, uniform or log-uniform
  kCategorical,  ///< one of a list of named choices
};

/// Makes a parameter active only while a categorical parent takes one of `values`. An empty
/// `parent` means always active. Parents must be declared before their children.
struct Condition {
  std::string parent{};
  std::vector<std::string> values{};
};

/// One declared hyperparameter.
struct Param {
  std::string name{};
  ParamKind kind = ParamKind::kFloat;
  double low = 0.0;   ///< float and int lower bound
  double high = 1.0;  ///< float and int upper bound (an int's is snapped onto the step grid)
  bool log = false;   ///< sample uniformly in log space (low must be > 0)
  double step = 1.0;  ///< int grid step
  std::vector<std::string> choices{};  ///< categorical choices
  Condition condition{};
};

/// An ordered set of hyperparameters. Trials store one value per parameter in declaration order:
/// the number for floats, the integer (as a double) for ints, the choice index for categoricals,
/// and NaN for a parameter that is inactive under its condition.
class SearchSpace {
 public:
  SearchSpace() = default;

  /// Adds a float in [low, high]. @throws InvalidArgument for a bad range, a duplicate name or a
  /// condition on an unknown or non-categorical parent
  SearchSpace& add_float(std::string name, double low, double high, bool log = false,
                         Condition condition = {});
  /// Adds an integer in [low, high] with the given step. @throws InvalidArgument as add_float
  SearchSpace& add_int(std::string name, std::int64_t low, std::int64_t high, bool log = false,
                       std::int64_t step = 1, Condition condition = {});
  /// Adds a categorical. @throws InvalidArgument for no choices or duplicated choices
  SearchSpace& add_categorical(std::string name, std::vector<std::string> choices,
                               Condition condition = {});

  [[nodiscard]] std::size_t size() const noexcept { return params_.size(); }
  [[nodiscard]] bool empty() const noexcept { return params_.empty(); }
  [[nodiscard]] const Param& param(std::size_t i) const { return params_.at(i); }
  [[nodiscard]] std::span<const Param> params() const noexcept { return params_; }
  /// Index of `name`. @throws InvalidArgument for an unknown name
  [[nodiscard]] std::size_t index_of(std::string_view name) const;
  [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const noexcept;
  /// Index of parameter i's parent, if it is conditional.
  [[nodiscard]] std::optional<std::size_t> parent_of(std::size_t i) const noexcept {
    return parent_[i];
  }
  /// True when no parameter is conditional.
  [[nodiscard]] bool unconditional() const noexcept;

  /// Whether parameter i is active given the (already resolved) values of its ancestors.
  [[nodiscard]] bool is_active(std::span<const double> values, std::size_t i) const;
  /// Sets every inactive parameter to NaN (parents precede children, so one pass suffices).
  void deactivate(std::span<double> values) const;

  /// Maps parameter i's value onto [0, 1] (log space for log parameters; a categorical's index k
  /// to the centre of its cell (k + 0.5) / n_choices).
  [[nodiscard]] double to_unit(std::size_t i, double value) const;
  /// The inverse of to_unit for any u in [0, 1]: rounds ints to the step grid and picks the
  /// categorical cell containing u.
  [[nodiscard]] double from_unit(std::size_t i, double u) const;
  /// Rounds a value onto parameter i's domain (clips, snaps ints to the grid).
  [[nodiscard]] double snap(std::size_t i, double value) const;
  /// Number of distinct values of an int or categorical parameter (0 for floats).
  [[nodiscard]] std::size_t cardinality(std::size_t i) const;

  /// Checks a full value vector (sizes, domains, NaN exactly where inactive).
  /// @throws InvalidArgument naming the parameter
  void check_values(std::span<const double> values, std::string_view who) const;

  /// The value of parameter i as JSON: a number, an integer, a choice name, or null if inactive.
  [[nodiscard]] nlohmann::json value_to_json(std::size_t i, double value) const;
  /// Parses value_to_json's output. @throws InvalidArgument
  [[nodiscard]] double value_from_json(std::size_t i, const nlohmann::json& value) const;

  /// JSON description: {"params": [{"name", "type": "float"|"int"|"categorical", "low", "high",
  /// "log", "step", "choices", "condition": {"parent", "values"}}...]}.
  [[nodiscard]] nlohmann::json to_json() const;
  /// @throws ConfigError for a malformed description
  [[nodiscard]] static SearchSpace from_json(const nlohmann::json& json);

  friend bool operator==(const SearchSpace& a, const SearchSpace& b);

 private:
  void add(Param param);

  std::vector<Param> params_;
  std::vector<std::optional<std::size_t>> parent_;
  std::vector<std::vector<std::size_t>> parent_choices_;  // parent choice indices enabling i
};

}  // namespace kolosal::optimizer
