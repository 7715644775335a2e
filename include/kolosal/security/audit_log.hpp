// SPDX-License-Identifier: MIT
// Append-only, hash-chained audit log: each record carries the hash of the one before, so any
// edit, deletion, insertion or reordering breaks the chain.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/security/signing.hpp"

namespace kolosal::security {

/// One record: a line of JSON {"seq", "time_ns", "event", "data", "prev", "hash"} where
/// hash = BLAKE2b-256(line without "hash", keys sorted), keyed when the log has a MAC key, and
/// prev is the previous record's hash (64 zeros for the first).
struct AuditRecord {
  std::uint64_t seq = 0;
  std::int64_t time_ns = 0;
  std::string event;
  std::string data;  ///< the event's details as compact JSON text
  std::string prev;
  std::string hash;
};

/// The outcome of verify_audit_log(): an expected outcome, so a value rather than an exception.
struct AuditVerification {
  bool ok = false;
  std::uint64_t records = 0;              ///< records that verified before the first problem
  std::optional<std::uint64_t> bad_line;  ///< 1-based line of the first problem
  std::string reason;                     ///< empty when ok
  std::string head;                       ///< hash of the last good record
};

/// Checks every record's hash, its link to the previous one and the sequence numbers. A chain
/// alone cannot show that records were cut from the end: pass the head (or count) recorded
/// elsewhere, e.g. in a signed checkpoint, as `expected_head` to detect that too. Without a MAC
/// key anyone can recompute a whole chain; with one (an encryption-kind Key) only key holders.
[[nodiscard]] AuditVerification verify_audit_log(const std::filesystem::path& path,
                                                 const Key* mac_key = nullptr,
                                                 std::optional<std::string> expected_head = {});

/// Appends records to a log file (opened with O_APPEND; each record is written in one write and
/// fsync'ed before append() returns). Opening an existing log verifies it and continues its
/// chain; a broken log is refused with SerializationError. Thread-safe.
class AuditLog {
 public:
  explicit AuditLog(std::filesystem::path path, std::optional<Key> mac_key = std::nullopt,
                    std::function<std::int64_t()> clock = {});
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  /// Appends one record and returns it. Throws IoError when the write or fsync fails.
  AuditRecord append(std::string event, const nlohmann::json& data);
  /// Appends a record without details (data = {}).
  AuditRecord append(std::string event);
  /// Hash of the last record (64 zeros for an empty log).
  [[nodiscard]] std::string head() const;
  /// Number of records.
  [[nodiscard]] std::uint64_t size() const;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<Key> mac_key_;
  std::function<std::int64_t()> clock_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t next_seq_ = 0;
  std::string head_;
};

}  // namespace kolosal::security
