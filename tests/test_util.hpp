// SPDX-License-Identifier: MIT
// Helpers shared by test files: paths to bundled data and scratch directories.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "kolosal/core/error.hpp"

namespace kolosal::test {

/// Path of a dataset bundled in data/.
inline std::filesystem::path data_path(const std::string& name) {
  return std::filesystem::path(KOLOSAL_TEST_DATA_DIR) / name;
}

/// Path of a committed reference file in tests/reference/.
inline std::filesystem::path reference_path(const std::string& name) {
  return std::filesystem::path(KOLOSAL_TEST_REFERENCE_DIR) / name;
}

/// A fresh, empty scratch directory removed when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const char* root = std::getenv("KOLOSAL_TEST_TMP");
    const std::filesystem::path base = root ? root : std::filesystem::temp_directory_path();
    path_ = base / ("kolosal-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

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
