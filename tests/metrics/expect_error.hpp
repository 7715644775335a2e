// SPDX-License-Identifier: MIT
// A test helper asserting both the kolosal error type and a fragment of its message.
#pragma once

#include <string>

#include "kolosal/core/error.hpp"

namespace kolosal::test {

/// Runs `body`, which must throw `ErrorType`; checks its message contains `fragment`.
template <class ErrorType, class Body>
void expect_error(Body&& body, const std::string& fragment) {
  bool thrown = false;
  try {
    body();
  } catch (const ErrorType& e) {
    thrown = true;
    INFO("message: " << e.what());
    CHECK_THAT(std::string(e.what()), Catch::Contains(fragment));
  }
  INFO("expected an exception containing: " << fragment);
  CHECK(thrown);
}

}  // namespace kolosal::test
