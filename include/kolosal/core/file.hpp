// SPDX-License-Identifier: MIT
// File helpers: whole-file reads and atomic writes that never destroy the previous good file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kolosal::io {

/// Reads a whole file; throws IoError naming the path and the system's reason.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

/// Writes `bytes` to `path` atomically: a temporary file in the same directory is written,
/// flushed to disk (fsync) and renamed over `path`, then the directory is synced. On any failure
/// the temporary is removed, `path` keeps its previous content, and IoError is thrown.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// Streams content into a temporary sibling of `path`, then commits it atomically as
/// write_file_atomic does. Destroying an uncommitted writer removes the temporary.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path path);
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  /// Appends bytes (buffered); throws IoError on a write failure.
  void write(std::string_view bytes);
  /// Flushes, fsyncs and renames over the destination. Throws IoError on failure.
  void commit();

 private:
  void flush_buffer();

  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  std::string buffer_;
  bool committed_ = false;
};

}  // namespace kolosal::io
