// SPDX-License-Identifier: MIT
// ISO-8601 timestamps as int64 microseconds since the Unix epoch (UTC), the datetime column unit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kolosal::data {

/// Parses an ISO-8601 timestamp into microseconds since 1970-01-01T00:00:00Z.
///
/// Accepted forms: `YYYY-MM-DD`, optionally followed by `T` or one space and `HH:MM`,
/// `HH:MM:SS` or `HH:MM:SS.f` (1 to 9 fractional digits; digits past the sixth are truncated),
/// optionally followed by `Z` or an offset `+HH:MM`, `+HHMM` or `+HH` (or `-`). A timestamp
/// without an offset is taken as UTC. Years 0000-9999; the date must exist (no 2023-02-29).
/// @returns the timestamp, or nothing when `text` is not one of these forms.
[[nodiscard]] std::optional<std::int64_t> parse_datetime(std::string_view text) noexcept;

/// Formats microseconds since the epoch as `YYYY-MM-DD` when the time of day is midnight, else
/// `YYYY-MM-DDTHH:MM:SS` with a fraction of up to six digits (trailing zeros dropped). The result
/// reads back through parse_datetime() to the same value for years 0000-9999.
[[nodiscard]] std::string format_datetime(std::int64_t micros);

}  // namespace kolosal::data
