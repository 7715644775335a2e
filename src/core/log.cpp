// SPDX-License-Identifier: MIT
// The only translation unit that includes spdlog.
#include "kolosal/core/log.hpp"

#include <atomic>
#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "kolosal/core/error.hpp"

namespace kolosal::logging {
namespace {

std::atomic<Level> g_level{Level::kOff};

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::off;
}

// Created on first use; diagnostics go to stderr so they never mix with data on stdout.
spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto existing = spdlog::get("kolosal");
    if (existing) return existing;
    auto created = spdlog::stderr_color_mt("kolosal");
    created->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [kolosal] [%l] %v");
    created->set_level(spdlog::level::trace);  // filtering happens in write()
    return created;
  }();
  return *instance;
}

}  // namespace

void set_level(Level level) noexcept { g_level.store(level, std::memory_order_relaxed); }
Level level() noexcept { return g_level.load(std::memory_order_relaxed); }
bool enabled(Level at) noexcept { return at != Level::kOff && at >= level(); }

Level parse_level(std::string_view name) {
  if (name == "trace") return Level::kTrace;
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "off") return Level::kOff;
  KOLOSAL_THROW(ConfigError, "log level: unknown value '", name,
                "' (expected trace, debug, info, warn, error or off)");
}

void write(Level at, std::string_view message) noexcept {
  if (!enabled(at)) return;
  try {
    logger().log(to_spdlog(at), "{}", message);
  } catch (...) {  // logging must never take the caller down
  }
}

}  // namespace kolosal::logging
