// SPDX-License-Identifier: MIT
// Tests of the logging facade.
#include "kolosal/core/log.hpp"

#include "kolosal/core/error.hpp"

namespace logging = kolosal::logging;

TEST_CASE("logging: silent by default, level settable and parsed", "[core][logging]") {
  CHECK(logging::level() == logging::Level::kOff);
  CHECK_FALSE(logging::enabled(logging::Level::kError));
  logging::set_level(logging::Level::kWarn);
  CHECK(logging::enabled(logging::Level::kError));
  CHECK(logging::enabled(logging::Level::kWarn));
  CHECK_FALSE(logging::enabled(logging::Level::kInfo));
  logging::set_level(logging::Level::kOff);
  CHECK(logging::parse_level("debug") == logging::Level::kDebug);
  CHECK(logging::parse_level("off") == logging::Level::kOff);
  CHECK_THROWS_AS(logging::parse_level("loud"), kolosal::ConfigError);
}
