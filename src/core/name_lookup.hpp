// SPDX-License-Identifier: MIT
// Lookup by name in the explicit registry tables (models, transformers), with one error message
// that lists what is known. Private to src/.
#pragma once

#include <string>
#include <string_view>

#include "kolosal/core/error.hpp"

namespace kolosal::detail {

/// The entry of `table` whose `info.name` equals `name`.
/// @throws InvalidArgument "unknown <what> '<name>' (known <what>s: a, b, c)"
template <class Table>
const auto& find_by_name(const Table& table, std::string_view name, std::string_view what) {
  for (const auto& entry : table) {
    if (entry.info.name == name) return entry;
  }
  std::string known;
  for (const auto& entry : table) {
    if (!known.empty()) known += ", ";
    known += entry.info.name;
  }
  KOLOSAL_THROW(InvalidArgument, "unknown ", what, " '", name, "' (known ", what, "s: ", known,
                ")");
}

}  // namespace kolosal::detail
