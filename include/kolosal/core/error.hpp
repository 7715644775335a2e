// SPDX-License-Identifier: MIT
// The exception hierarchy every kolosal module throws, rooted at kolosal::Error.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kolosal {

/// What went wrong, stable across releases so callers and the CLI can branch on it.
enum class ErrorCode {
  kInvalidArgument,  ///< an argument outside its documented domain
  kShapeMismatch,    ///< sizes of inputs disagree
  kNotFitted,        ///< an estimator used before fit
  kConfig,           ///< a configuration value or key is invalid
  kData,             ///< input data is malformed (bad CSV, NaN where none is allowed, ...)
  kIo,               ///< a file could not be opened, read or written
  kSerialization,    ///< an artifact is truncated, corrupted, of the wrong kind or version
  kUnsupported,      ///< a valid request this build or algorithm does not support
  kInternal,         ///< a bug in kolosal: please report it
};

/// Stable lower-case name of a code, e.g. "shape_mismatch".
[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

/// Root of every exception kolosal throws. Messages name the caller, what was expected and what
/// arrived: "Ridge::fit: x has 100 rows but y has 99 values".
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

#define KOLOSAL_DEFINE_ERROR(Name, Code)                                \
  class Name : public Error {                                           \
   public:                                                              \
    explicit Name(const std::string& message) : Error(Code, message) {} \
  }

KOLOSAL_DEFINE_ERROR(InvalidArgument, ErrorCode::kInvalidArgument);
KOLOSAL_DEFINE_ERROR(ShapeMismatch, ErrorCode::kShapeMismatch);
KOLOSAL_DEFINE_ERROR(NotFitted, ErrorCode::kNotFitted);
KOLOSAL_DEFINE_ERROR(ConfigError, ErrorCode::kConfig);
KOLOSAL_DEFINE_ERROR(DataError, ErrorCode::kData);
KOLOSAL_DEFINE_ERROR(IoError, ErrorCode::kIo);
KOLOSAL_DEFINE_ERROR(SerializationError, ErrorCode::kSerialization);
KOLOSAL_DEFINE_ERROR(UnsupportedError, ErrorCode::kUnsupported);
KOLOSAL_DEFINE_ERROR(InternalError, ErrorCode::kInternal);

#undef KOLOSAL_DEFINE_ERROR

namespace detail {
/// Concatenates streamable parts; only ever called on the failure path.
template <class... Parts>
[[nodiscard]] std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace kolosal

/// Throws `ErrorType` with the concatenated message when `cond` is false. For anything user input
/// can trip; the message is only formatted on failure.
#define KOLOSAL_CHECK(cond, ErrorType, ...)                               \
  do {                                                                    \
    if (!(cond)) [[unlikely]] {                                           \
      throw ::kolosal::ErrorType(::kolosal::detail::concat(__VA_ARGS__)); \
    }                                                                     \
  } while (false)

/// Throws `ErrorType` with the concatenated message.
#define KOLOSAL_THROW(ErrorType, ...) \
  throw ::kolosal::ErrorType(::kolosal::detail::concat(__VA_ARGS__))

/// An internal invariant: a failure is a kolosal bug, never the user's input. Checked in all builds
/// because the cost is negligible where it is used and a silent wrong answer is worse.
#define KOLOSAL_ASSERT(cond)                                                                 \
  do {                                                                                       \
    if (!(cond)) [[unlikely]] {                                                              \
      throw ::kolosal::InternalError(                                                        \
          ::kolosal::detail::concat("internal error: ", #cond, " failed at ", __FILE__, ":", \
                                    __LINE__, " (please report this bug)"));                 \
    }                                                                                        \
  } while (false)
