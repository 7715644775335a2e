// SPDX-License-Identifier: MIT
// Tests of the error hierarchy and the check macros.
#include "kolosal/core/error.hpp"

namespace {

int checked_divide(int a, int b) {
  KOLOSAL_CHECK(b != 0, InvalidArgument, "checked_divide: b must be non-zero, got ", b);
  return a / b;
}

}  // namespace

TEST_CASE("Error: every subclass carries its code and message", "[core][error]") {
  auto code_of = [](auto&& thrower) {
    try {
      thrower();
    } catch (const kolosal::Error& e) {
      return std::pair{e.code(), std::string(e.what())};
    }
    return std::pair{kolosal::ErrorCode::kInternal, std::string("not thrown")};
  };
  CHECK(code_of([] { throw kolosal::ShapeMismatch("x"); }).first ==
        kolosal::ErrorCode::kShapeMismatch);
  CHECK(code_of([] { throw kolosal::NotFitted("x"); }).first == kolosal::ErrorCode::kNotFitted);
  CHECK(code_of([] { throw kolosal::ConfigError("x"); }).first == kolosal::ErrorCode::kConfig);
  CHECK(code_of([] { throw kolosal::DataError("x"); }).first == kolosal::ErrorCode::kData);
  CHECK(code_of([] { throw kolosal::IoError("x"); }).first == kolosal::ErrorCode::kIo);
  CHECK(code_of([] { throw kolosal::SerializationError("x"); }).first ==
        kolosal::ErrorCode::kSerialization);
  CHECK(code_of([] { throw kolosal::UnsupportedError("x"); }).first ==
        kolosal::ErrorCode::kUnsupported);
  const auto [code, message] = code_of([] { checked_divide(1, 0); });
  CHECK(code == kolosal::ErrorCode::kInvalidArgument);
  CHECK(message == "checked_divide: b must be non-zero, got 0");
  CHECK(checked_divide(9, 3) == 3);
}

TEST_CASE("Error: codes have stable names", "[core][error]") {
  CHECK(kolosal::to_string(kolosal::ErrorCode::kShapeMismatch) == "shape_mismatch");
  CHECK(kolosal::to_string(kolosal::ErrorCode::kSerialization) == "serialization");
  CHECK(kolosal::to_string(kolosal::ErrorCode::kNotFitted) == "not_fitted");
}

TEST_CASE("Error: KOLOSAL_ASSERT reports an internal error with its location", "[core][error]") {
  try {
    KOLOSAL_ASSERT(1 + 1 == 3);
    FAIL("no exception");
  } catch (const kolosal::InternalError& e) {
    const std::string message = e.what();
    CHECK(message.find("1 + 1 == 3") != std::string::npos);
    CHECK(message.find("error_test.cpp") != std::string::npos);
  }
}
