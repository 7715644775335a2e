// SPDX-License-Identifier: MIT
// Hash-chained audit log: BLAKE2b-256 (optionally keyed) over each record and its predecessor.
#include "kolosal/security/audit_log.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sodium.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/error.hpp"

namespace kolosal::security {
namespace {

const std::string kGenesis(64, '0');

// BLAKE2b-256 of the record without its "hash" member; nlohmann's objects keep keys sorted, so
// dump() is a canonical form.
std::string record_hash(const nlohmann::json& body, const Key* mac_key) {
  const std::string text = body.dump();
  unsigned char digest[32];
  const unsigned char* key = mac_key ? mac_key->bytes().data() : nullptr;
  const std::size_t key_size = mac_key ? mac_key->bytes().size() : 0;
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), key, key_size);
  char out[65];
  sodium_bin2hex(out, sizeof out, digest, sizeof digest);
  return out;
}

nlohmann::json record_body(const AuditRecord& r, const nlohmann::json& data) {
  return {
      {"seq", r.seq}, {"time_ns", r.time_ns}, {"event", r.event}, {"data", data}, {"prev", r.prev}};
}

AuditVerification fail(AuditVerification v, std::uint64_t line, std::string reason) {
  v.ok = false;
  v.bad_line = line;
  v.reason = std::move(reason);
  return v;
}

}  // namespace

AuditVerification verify_audit_log(const std::filesystem::path& path, const Key* mac_key,
                                   std::optional<std::string> expected_head) {
  if (mac_key) {
    KOLOSAL_CHECK(mac_key->kind() == KeyKind::kEncryption, InvalidArgument,
                  "verify_audit_log: the MAC key must be an ", to_string(KeyKind::kEncryption),
                  " key");
  }
  AuditVerification v;
  v.head = kGenesis;
  std::ifstream in(path, std::ios::binary);
  KOLOSAL_CHECK(in.good(), IoError, "cannot open audit log '", path.string(), "'");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    ++line_no;
    const std::size_t eol = content.find('\n', pos);
    if (eol == std::string::npos) {
      return fail(v, line_no, "the last record is incomplete (no line end): a torn write");
    }
    const std::string_view line(content.data() + pos, eol - pos);
    pos = eol + 1;
    nlohmann::json record;
    try {
      record = serialization::parse_json(line, "audit record");
    } catch (const SerializationError& e) {
      return fail(v, line_no, std::string("not a JSON record: ") + e.what());
    }
    if (!record.is_object() || record.size() != 6 || !record.contains("hash") ||
        !record["hash"].is_string() || !record.contains("seq") ||
        !record["seq"].is_number_unsigned() || !record.contains("prev") ||
        !record["prev"].is_string() || !record.contains("time_ns") ||
        !record["time_ns"].is_number_integer() || !record.contains("event") ||
        !record["event"].is_string() || !record.contains("data")) {
      return fail(v, line_no, "not an audit record (wrong or missing fields)");
    }
    const std::string hash = record["hash"].get<std::string>();
    record.erase("hash");
    if (record["seq"].get<std::uint64_t>() != v.records) {
      return fail(
          v, line_no,
          detail::concat("sequence number ", record["seq"].get<std::uint64_t>(), " where ",
                         v.records, " was expected: a record was deleted, inserted or moved"));
    }
    if (record["prev"].get<std::string>() != v.head) {
      return fail(v, line_no,
                  "the previous-record hash does not match: a record before it was changed, "
                  "deleted, inserted or moved");
    }
    if (record_hash(record, mac_key) != hash) {
      return fail(v, line_no, "the record's hash does not match its content: it was edited");
    }
    v.head = hash;
    ++v.records;
  }
  if (expected_head && *expected_head != v.head) {
    return fail(v, line_no + 1,
                "the chain ends at another head than expected: records were removed from the end "
                "or the log was replaced");
  }
  v.ok = true;
  return v;
}

AuditLog::AuditLog(std::filesystem::path path, std::optional<Key> mac_key,
                   std::function<std::int64_t()> clock)
    : path_(std::move(path)), mac_key_(std::move(mac_key)), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  head_ = kGenesis;
  std::error_code ec;
  if (std::filesystem::exists(path_, ec)) {
    const AuditVerification v = verify_audit_log(path_, mac_key_ ? &*mac_key_ : nullptr);
    KOLOSAL_CHECK(v.ok, SerializationError, "audit log '", path_.string(), "' line ",
                  v.bad_line.value_or(0), ": ", v.reason, "; refusing to append to a broken log");
    next_seq_ = v.records;
    head_ = v.head;
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  KOLOSAL_CHECK(fd_ >= 0, IoError, "cannot open audit log '", path_.string(),
                "': ", std::strerror(errno));
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

AuditRecord AuditLog::append(std::string event) {
  return append(std::move(event), nlohmann::json::object());
}

AuditRecord AuditLog::append(std::string event, const nlohmann::json& data) {
  std::lock_guard lock(mutex_);
  AuditRecord r;
  r.seq = next_seq_;
  r.time_ns = clock_();
  r.event = std::move(event);
  r.prev = head_;
  nlohmann::json body = record_body(r, data);
  r.hash = record_hash(body, mac_key_ ? &*mac_key_ : nullptr);
  r.data = data.dump();
  body["hash"] = r.hash;
  const std::string line = body.dump() + "\n";
  // One write of the whole line on an O_APPEND descriptor: concurrent writers (even other
  // processes) cannot interleave inside a record.
  const ssize_t n = ::write(fd_, line.data(), line.size());
  KOLOSAL_CHECK(n == static_cast<ssize_t>(line.size()), IoError, "cannot append to audit log '",
                path_.string(), "': ", n < 0 ? std::strerror(errno) : "short write");
  KOLOSAL_CHECK(::fsync(fd_) == 0, IoError, "cannot sync audit log '", path_.string(),
                "': ", std::strerror(errno));
  head_ = r.hash;
  ++next_seq_;
  return r;
}

std::string AuditLog::head() const {
  std::lock_guard lock(mutex_);
  return head_;
}

std::uint64_t AuditLog::size() const {
  std::lock_guard lock(mutex_);
  return next_seq_;
}

}  // namespace kolosal::security
