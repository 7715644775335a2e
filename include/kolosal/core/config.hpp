// SPDX-License-Identifier: MIT
// Declared configuration fields: each field once, with its name, default, bounds and doc, so one
// spelling serves C++, JSON, the CLI and the docs (as XGBoost's declared parameters).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal::config {

/// Specialise for an enum to make it a config field type:
/// `template <> struct EnumNames<Policy> { static constexpr std::array kValues{
///    std::pair{Policy::kError, "error"}, std::pair{Policy::kSkip, "skip"}}; };`
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires {
  EnumNames<E>::kValues;
};

/// The name of an enum value, as written in JSON.
template <NamedEnum E>
[[nodiscard]] constexpr std::string_view enum_name(E value) noexcept {
  for (const auto& [v, name] : EnumNames<E>::kValues) {
    if (v == value) return name;
  }
  return "?";
}

/// The comma-separated names of every value of `E`, for error messages and docs.
template <NamedEnum E>
[[nodiscard]] std::string enum_choices() {
  std::string out;
  for (const auto& [v, name] : EnumNames<E>::kValues) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

/// Parses an enum from its name; `who` names the caller and field in the error.
template <NamedEnum E>
[[nodiscard]] E parse_enum(std::string_view text, std::string_view who) {
  for (const auto& [v, name] : EnumNames<E>::kValues) {
    if (text == name) return v;
  }
  KOLOSAL_THROW(ConfigError, who, ": unknown value '", text,
                "' (expected one of: ", enum_choices<E>(), ")");
}

/// A struct with `static auto fields()` returning a tuple of `config::field(...)` descriptors.
template <class C>
concept Configurable = requires {
  C::fields();
};

/// One declared field: name, member pointer, optional numeric bounds and a doc line.
template <class Owner, class T>
class Field {
 public:
  using owner_type = Owner;
  using value_type = T;

  constexpr Field(std::string_view name, T Owner::*member) noexcept
      : name_(name), member_(member) {}

  /// value >= bound (applied to each element of a vector, and to a set optional).
  [[nodiscard]] constexpr Field at_least(double bound) const noexcept {
    Field f = *this;
    f.min_ = bound;
    return f;
  }
  /// value > bound.
  [[nodiscard]] constexpr Field greater_than(double bound) const noexcept {
    Field f = *this;
    f.min_ = bound;
    f.min_exclusive_ = true;
    return f;
  }
  /// value <= bound.
  [[nodiscard]] constexpr Field at_most(double bound) const noexcept {
    Field f = *this;
    f.max_ = bound;
    return f;
  }
  /// value < bound.
  [[nodiscard]] constexpr Field less_than(double bound) const noexcept {
    Field f = *this;
    f.max_ = bound;
    f.max_exclusive_ = true;
    return f;
  }
  /// A one-line description for docs and `--help`.
  [[nodiscard]] constexpr Field doc(std::string_view text) const noexcept {
    Field f = *this;
    f.doc_ = text;
    return f;
  }

  [[nodiscard]] constexpr std::string_view name() const noexcept { return name_; }
  [[nodiscard]] constexpr std::string_view doc() const noexcept { return doc_; }
  [[nodiscard]] constexpr T Owner::*member() const noexcept { return member_; }

  /// Why `value` breaks this field's bounds, or nothing when it satisfies them.
  [[nodiscard]] std::optional<std::string> violation(const T& value) const { return check(value); }

 private:
  template <class V>
  std::optional<std::string> check(const V& value) const {
    if constexpr (std::is_arithmetic_v<V> && !std::is_same_v<V, bool>) {
      const auto x = static_cast<double>(value);
      if constexpr (std::is_floating_point_v<V>) {
        if (std::isnan(x)) return std::string("must be a number, got NaN");
      }
      if (min_ && (min_exclusive_ ? !(x > *min_) : !(x >= *min_))) {
        return detail::concat("must be ", min_exclusive_ ? "> " : ">= ", *min_, ", got ", value);
      }
      if (max_ && (max_exclusive_ ? !(x < *max_) : !(x <= *max_))) {
        return detail::concat("must be ", max_exclusive_ ? "< " : "<= ", *max_, ", got ", value);
      }
    } else if constexpr (requires {
                           typename V::value_type;
                           value.has_value();
                         }) {
      if (value) return check(*value);
    } else if constexpr (requires {
                           value.begin();
                           typename V::value_type;
                         } &&
                         !std::is_same_v<V, std::string> && !std::is_same_v<V, nlohmann::json>) {
      std::size_t i = 0;
      for (const auto& element : value) {
        if constexpr (requires { element.second; }) {
          if (auto why = check(element.second)) return "[" + element.first + "] " + *why;
        } else {
          if (auto why = check(element)) return detail::concat("[", i, "] ", *why);
        }
        ++i;
      }
    }
    return std::nullopt;
  }

  std::string_view name_;
  T Owner::*member_;
  std::string_view doc_;
  std::optional<double> min_;
  std::optional<double> max_;
  bool min_exclusive_ = false;
  bool max_exclusive_ = false;
};

/// Declares a field: `config::field("alpha", &RidgeConfig::alpha).at_least(0.0)`.
template <class Owner, class T>
[[nodiscard]] constexpr Field<Owner, T> field(std::string_view name, T Owner::*member) noexcept {
  return Field<Owner, T>(name, member);
}

/// Checks every declared bound of `config` (recursing into nested configs) and then the config's
/// own `check()` for cross-field rules, if it has one. Throws ConfigError naming `who` and the
/// field: "Ridge: alpha must be >= 0, got -1".
template <Configurable C>
void validate(const C& config, std::string_view who) {
  std::apply(
      [&](const auto&... fields) {
        (
            [&](const auto& f) {
              const auto& value = config.*(f.member());
              if (auto why = f.violation(value)) {
                KOLOSAL_THROW(ConfigError, who, ": ", f.name(), " ", *why);
              }
              using V = std::remove_cvref_t<decltype(value)>;
              if constexpr (Configurable<V>) validate(value, detail::concat(who, ".", f.name()));
            }(fields),
            ...);
      },
      C::fields());
  if constexpr (requires { config.check(); }) config.check();
}

/// The config as a JSON object keyed by field name. Defined in kolosal/core/detail/config_json.hpp
/// and instantiated once per config type in src/.
template <Configurable C>
[[nodiscard]] nlohmann::json to_json(const C& config);

/// Reads a config from a JSON object: a missing key keeps its default; an unknown key, a value of
/// the wrong type or one out of bounds is a ConfigError naming the key.
template <Configurable C>
[[nodiscard]] C from_json(const nlohmann::json& json);

}  // namespace kolosal::config
