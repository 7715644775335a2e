// SPDX-License-Identifier: MIT
// Bodies of config::to_json / config::from_json. Include only from src/ (or from code that defines
// its own config types); pulls in the full nlohmann/json.hpp.
#pragma once

#include <limits>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "kolosal/core/config.hpp"

namespace kolosal::config {
namespace detail {

template <class C>
[[nodiscard]] std::string_view config_name() {
  if constexpr (requires { C::kName; }) {
    return C::kName;
  } else {
    return "config";
  }
}

template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T, class Cmp, class A>
struct IsStringMap<std::map<std::string, T, Cmp, A>> : std::true_type {};

[[nodiscard]] inline std::string_view json_type_name(const nlohmann::json& j) {
  return j.type_name();
}

template <class T>
nlohmann::json value_to_json(const T& value) {
  if constexpr (Configurable<T>) {
    return to_json(value);
  } else if constexpr (NamedEnum<T>) {
    return std::string(enum_name(value));
  } else if constexpr (IsOptional<T>::value) {
    return value ? value_to_json(*value) : nlohmann::json(nullptr);
  } else if constexpr (IsVector<T>::value) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(value_to_json(v));
    return out;
  } else if constexpr (IsStringMap<T>::value) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : value) out[k] = value_to_json(v);
    return out;
  } else {
    return nlohmann::json(value);
  }
}

template <class T>
void value_from_json(const nlohmann::json& j, T& out, const std::string& where) {
  auto wrong_type = [&](std::string_view expected) {
    KOLOSAL_THROW(ConfigError, where, " expects ", expected, ", got ", json_type_name(j), " (",
                  j.dump(), ")");
  };
  if constexpr (Configurable<T>) {
    if (!j.is_object()) wrong_type("an object");
    out = from_json<T>(j);
  } else if constexpr (NamedEnum<T>) {
    if (!j.is_string()) wrong_type("a string");
    out = parse_enum<T>(j.get_ref<const std::string&>(), where);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) wrong_type("true or false");
    out = j.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (j.is_number_float()) {
      const double d = j.get<double>();
      if (d != static_cast<double>(static_cast<long long>(d))) wrong_type("an integer");
    } else if (!j.is_number_integer()) {
      wrong_type("an integer");
    }
    const bool negative = j.is_number_float() ? j.get<double>() < 0
                                              : (!j.is_number_unsigned() && j.get<long long>() < 0);
    if constexpr (std::is_unsigned_v<T>) {
      if (negative) {
        KOLOSAL_THROW(ConfigError, where, " must be >= 0, got ", j.dump());
      }
      const auto v = j.is_number_float() ? static_cast<unsigned long long>(j.get<double>())
                                         : j.get<unsigned long long>();
      if (v > std::numeric_limits<T>::max()) {
        KOLOSAL_THROW(ConfigError, where, " is out of range: ", j.dump());
      }
      out = static_cast<T>(v);
    } else {
      if (j.is_number_unsigned() &&
          j.get<unsigned long long>() >
              static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
        KOLOSAL_THROW(ConfigError, where, " is out of range: ", j.dump());
      }
      const auto v =
          j.is_number_float() ? static_cast<long long>(j.get<double>()) : j.get<long long>();
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
        KOLOSAL_THROW(ConfigError, where, " is out of range: ", j.dump());
      }
      out = static_cast<T>(v);
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) wrong_type("a number");
    out = j.get<T>();
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    out = j;  // free-form (e.g. a member model's own config), validated by whoever reads it
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) wrong_type("a string");
    out = j.get<std::string>();
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out.reset();
    } else {
      typename T::value_type v{};
      value_from_json(j, v, where);
      out = std::move(v);
    }
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) wrong_type("an array");
    T values;
    values.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      typename T::value_type v{};
      value_from_json(j[i], v, kolosal::detail::concat(where, "[", i, "]"));
      values.push_back(std::move(v));
    }
    out = std::move(values);
  } else if constexpr (IsStringMap<T>::value) {
    if (!j.is_object()) wrong_type("an object");
    T values;
    for (const auto& [k, item] : j.items()) {
      typename T::mapped_type v{};
      value_from_json(item, v, kolosal::detail::concat(where, "[\"", k, "\"]"));
      values.emplace(k, std::move(v));
    }
    out = std::move(values);
  } else {
    static_assert(sizeof(T) == 0, "unsupported config field type");
  }
}

}  // namespace detail

template <Configurable C>
nlohmann::json to_json(const C& config) {
  nlohmann::json out = nlohmann::json::object();
  std::apply(
      [&](const auto&... fields) {
        ((out[std::string(fields.name())] = detail::value_to_json(config.*(fields.member()))), ...);
      },
      C::fields());
  return out;
}

template <Configurable C>
C from_json(const nlohmann::json& json) {
  const std::string_view name = detail::config_name<C>();
  KOLOSAL_CHECK(json.is_object(), ConfigError, name, ": expected a JSON object, got ",
                json.type_name());
  C config{};
  std::size_t matched = 0;
  std::string known;
  std::apply(
      [&](const auto&... fields) {
        (
            [&](const auto& f) {
              if (!known.empty()) known += ", ";
              known += f.name();
              const auto it = json.find(std::string(f.name()));
              if (it == json.end()) return;
              ++matched;
              detail::value_from_json(*it, config.*(f.member()),
                                      kolosal::detail::concat(name, ".", f.name()));
            }(fields),
            ...);
      },
      C::fields());
  if (matched != json.size()) {
    for (const auto& item : json.items()) {
      // A named copy, not a structured binding: clang before 16 cannot capture bindings.
      const std::string key = item.key();
      bool found = false;
      std::apply([&](const auto&... fields) { found = ((fields.name() == key) || ...); },
                 C::fields());
      KOLOSAL_CHECK(found, ConfigError, name, ": unknown key '", key, "' (known keys: ", known,
                    ")");
    }
  }
  validate(config, name);
  return config;
}

}  // namespace kolosal::config
