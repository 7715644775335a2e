// SPDX-License-Identifier: MIT
// Logging facade over spdlog (kept out of public headers): logger "kolosal", silent by default.
#pragma once

#include <string_view>

namespace kolosal::logging {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

/// Sets the level of the "kolosal" logger. Library code is silent (kOff) until a caller opts in.
void set_level(Level level) noexcept;
[[nodiscard]] Level level() noexcept;
/// True when a message at `level` would be written; check it before building costly messages.
[[nodiscard]] bool enabled(Level level) noexcept;

/// Parses "trace", "debug", "info", "warn", "error" or "off"; throws ConfigError otherwise.
[[nodiscard]] Level parse_level(std::string_view name);

void write(Level level, std::string_view message) noexcept;
inline void debug(std::string_view message) noexcept { write(Level::kDebug, message); }
inline void info(std::string_view message) noexcept { write(Level::kInfo, message); }
inline void warn(std::string_view message) noexcept { write(Level::kWarn, message); }
inline void error(std::string_view message) noexcept { write(Level::kError, message); }

}  // namespace kolosal::logging
