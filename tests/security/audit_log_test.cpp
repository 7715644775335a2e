// SPDX-License-Identifier: MIT
// Hash-chained audit log: append, reopen, and verify() failing on each kind of tampering.
#include "kolosal/security/audit_log.hpp"

#include <fstream>
#include <sodium.h>
#include <thread>

#include "kolosal/core/file.hpp"

#include "test_util.hpp"

using namespace kolosal;

namespace {
std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  io::write_file_atomic(path, text);
}

std::filesystem::path make_log(const test::TempDir& dir, std::string* head = nullptr) {
  const auto path = dir / "audit.log";
  std::int64_t now = 1000;
  security::AuditLog log(path, std::nullopt, [&] { return now++; });
  for (int i = 0; i < 5; ++i) {
    log.append("predict", {{"user", "u" + std::to_string(i)}, {"rows", i * 10}, {"score", 0.25}});
  }
  if (head) *head = log.head();
  return path;
}
}  // namespace

TEST_CASE("security: audit log appends a verifiable chain", "[security][audit]") {
  test::TempDir dir;
  std::string head;
  const auto path = make_log(dir, &head);
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 5);
  const auto first = nlohmann::json::parse(lines[0]);
  CHECK(first.at("seq") == 0);
  CHECK(first.at("prev") == std::string(64, '0'));
  CHECK(first.at("time_ns") == 1000);
  CHECK(first.at("data").at("user") == "u0");
  CHECK(nlohmann::json::parse(lines[1]).at("prev") == first.at("hash"));
  const auto v = security::verify_audit_log(path, nullptr, head);
  CHECK(v.ok);
  CHECK(v.records == 5);
  CHECK(v.head == head);
  CHECK(v.reason.empty());
  // Reopening continues the chain.
  {
    security::AuditLog log(path);
    CHECK(log.size() == 5);
    CHECK(log.head() == head);
    const auto r = log.append("reload");
    CHECK(r.seq == 5);
    CHECK(r.prev == head);
    CHECK(r.data == "{}");
  }
  CHECK(security::verify_audit_log(path).records == 6);
}

TEST_CASE("security: audit verify detects edits, deletions, insertions and reordering",
          "[security][audit]") {
  test::TempDir dir;
  std::string head;
  const auto path = make_log(dir, &head);
  const auto original = lines_of(path);

  SECTION("edit of a value") {
    auto lines = original;
    const auto at = lines[2].find("\"rows\":20");
    REQUIRE(at != std::string::npos);
    lines[2].replace(at, 9, "\"rows\":21");
    write_lines(path, lines);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.bad_line == 3u);
    CHECK(v.records == 2);
    CHECK_THAT(v.reason, Catch::Contains("it was edited"));
  }
  SECTION("edit with a recomputed hash breaks the next link") {
    // Anyone can rehash an unkeyed record, but the next record still names the old hash.
    auto lines = original;
    auto record = nlohmann::json::parse(lines[1]);
    record["data"]["user"] = "mallory";
    record.erase("hash");
    const std::string body = record.dump();
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(body.data()),
                       body.size(), nullptr, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    record["hash"] = hex;
    lines[1] = record.dump();
    write_lines(path, lines);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.records == 2);  // the forged record itself is self-consistent
    CHECK(v.bad_line == 3u);
    CHECK_THAT(v.reason, Catch::Contains("previous-record hash does not match"));
  }
  SECTION("deletion in the middle") {
    auto lines = original;
    lines.erase(lines.begin() + 2);
    write_lines(path, lines);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.bad_line == 3u);
    CHECK_THAT(v.reason, Catch::Contains("sequence number 3 where 2 was expected"));
  }
  SECTION("deletion of the first record") {
    auto lines = original;
    lines.erase(lines.begin());
    write_lines(path, lines);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.bad_line == 1u);
  }
  SECTION("deletion of the last record needs the expected head") {
    auto lines = original;
    lines.pop_back();
    write_lines(path, lines);
    CHECK(security::verify_audit_log(path).ok);  // a chain alone cannot tell
    const auto v = security::verify_audit_log(path, nullptr, head);
    CHECK_FALSE(v.ok);
    CHECK_THAT(v.reason, Catch::Contains("removed from the end"));
  }
  SECTION("insertion of a copied record") {
    auto lines = original;
    lines.insert(lines.begin() + 3, lines[1]);
    write_lines(path, lines);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.bad_line == 4u);
  }
  SECTION("reordering of two records") {
    auto lines = original;
    std::swap(lines[1], lines[3]);
    write_lines(path, lines);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.bad_line == 2u);
  }
  SECTION("a torn last write") {
    std::string text = io::read_file(path);
    text.pop_back();
    io::write_file_atomic(path, text);
    const auto v = security::verify_audit_log(path);
    CHECK_FALSE(v.ok);
    CHECK(v.bad_line == 5u);
    CHECK_THAT(v.reason, Catch::Contains("torn write"));
    test::expect_error<SerializationError>([&] { security::AuditLog reopened(path); },
                                           "refusing to append to a broken log");
  }
}

TEST_CASE("security: keyed audit chain cannot be recomputed without the key", "[security][audit]") {
  test::TempDir dir;
  const auto path = dir / "keyed.log";
  const security::Key key = security::generate_encryption_key();
  {
    security::AuditLog log(
        path, security::decode_key(security::encode_key(key), security::KeyKind::kEncryption, "k"));
    log.append("a", {{"x", 1}});
    log.append("b", {{"x", 2}});
  }
  CHECK(security::verify_audit_log(path, &key).ok);
  // Without the key (or with another), the MACs do not verify.
  CHECK_FALSE(security::verify_audit_log(path).ok);
  const security::Key other = security::generate_encryption_key();
  CHECK_FALSE(security::verify_audit_log(path, &other).ok);
}

TEST_CASE("security: concurrent appends keep one valid chain", "[security][audit]") {
  test::TempDir dir;
  const auto path = dir / "concurrent.log";
  {
    security::AuditLog log(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) log.append("e", {{"thread", t}, {"i", i}});
      });
    }
    for (auto& th : threads) th.join();
    CHECK(log.size() == 40);
  }
  const auto v = security::verify_audit_log(path);
  CHECK(v.ok);
  CHECK(v.records == 40);
}
