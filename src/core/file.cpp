// SPDX-License-Identifier: MIT
// POSIX implementation of whole-file reads and atomic writes.
#include "kolosal/core/file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include "kolosal/core/error.hpp"

namespace kolosal::io {
namespace {

std::string system_reason() { return std::strerror(errno); }

constexpr std::size_t kWriteBuffer = 1 << 20;

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      KOLOSAL_THROW(IoError, "cannot write '", path.string(), "': ", system_reason());
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some filesystems do not allow opening directories
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    KOLOSAL_THROW(IoError, "cannot read '", path.string(), "': it is a directory");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) KOLOSAL_THROW(IoError, "cannot open '", path.string(), "': ", system_reason());
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = system_reason();
      ::close(fd);
      KOLOSAL_THROW(IoError, "cannot read '", path.string(), "': ", reason);
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

AtomicFileWriter::AtomicFileWriter(std::filesystem::path path) : path_(std::move(path)) {
  KOLOSAL_CHECK(!path_.empty(), IoError, "cannot write a file with an empty path");
  std::random_device device;
  const auto tag = (static_cast<unsigned long long>(device()) << 32) ^ device();
  temp_path_ = path_;
  temp_path_ += detail::concat(".tmp.", ::getpid(), ".", std::hex, tag);
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    KOLOSAL_THROW(IoError, "cannot create a temporary file next to '", path_.string(),
                  "': ", system_reason());
  }
  buffer_.reserve(kWriteBuffer);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(temp_path_, ec);
  }
}

void AtomicFileWriter::flush_buffer() {
  write_all(fd_, buffer_.data(), buffer_.size(), temp_path_);
  buffer_.clear();
}

void AtomicFileWriter::write(std::string_view bytes) {
  KOLOSAL_CHECK(!committed_ && fd_ >= 0, IoError, "write to '", path_.string(), "' after commit");
  if (buffer_.size() + bytes.size() > kWriteBuffer) {
    flush_buffer();
    if (bytes.size() >= kWriteBuffer) {
      write_all(fd_, bytes.data(), bytes.size(), temp_path_);
      return;
    }
  }
  buffer_.append(bytes);
}

void AtomicFileWriter::commit() {
  KOLOSAL_CHECK(!committed_ && fd_ >= 0, IoError, "'", path_.string(), "' committed twice");
  flush_buffer();
  if (::fsync(fd_) != 0) {
    KOLOSAL_THROW(IoError, "cannot flush '", temp_path_.string(), "' to disk: ", system_reason());
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    KOLOSAL_THROW(IoError, "cannot close '", temp_path_.string(), "': ", system_reason());
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    KOLOSAL_THROW(IoError, "cannot replace '", path_.string(), "': ", system_reason());
  }
  committed_ = true;
  sync_directory(path_.parent_path());
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  AtomicFileWriter writer(path);
  writer.write(bytes);
  writer.commit();
}

}  // namespace kolosal::io
