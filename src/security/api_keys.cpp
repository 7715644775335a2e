// SPDX-License-Identifier: MIT
// ApiKeyManager (salted keyed-BLAKE2b hashes, constant-time comparison) and the sharded
// token-bucket RateLimiter.
#include "kolosal/security/api_keys.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <sodium.h>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal::security {
namespace {

constexpr std::size_t kIdBytes = 8;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSaltBytes = 16;  // BLAKE2b key, at least crypto_generichash_KEYBYTES_MIN
constexpr std::size_t kHashBytes = 32;
constexpr std::string_view kPrefix = "kol_";

void ensure_sodium() {
  static const int status = sodium_init();
  KOLOSAL_CHECK(status >= 0, InternalError, "libsodium failed to initialise");
}

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

bool unhex(std::string_view text, unsigned char* out, std::size_t n) {
  std::size_t len = 0;
  return sodium_hex2bin(out, n, text.data(), text.size(), nullptr, &len, nullptr) == 0 && len == n;
}

void hash_secret(std::string_view secret, const unsigned char* salt, unsigned char* out) {
  crypto_generichash(out, kHashBytes, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), salt, kSaltBytes);
}

}  // namespace

std::int64_t system_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t steady_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ApiKeyManager::ApiKeyManager(Clock clock) : clock_(std::move(clock)) {
  ensure_sodium();
  KOLOSAL_CHECK(static_cast<bool>(clock_), InvalidArgument, "ApiKeyManager: empty clock");
}

std::string ApiKeyManager::create(std::string label, std::optional<std::int64_t> lifetime_ns) {
  KOLOSAL_CHECK(!lifetime_ns || *lifetime_ns > 0, InvalidArgument,
                "ApiKeyManager::create: lifetime must be positive");
  unsigned char id[kIdBytes];
  unsigned char secret[kSecretBytes];
  unsigned char salt[kSaltBytes];
  unsigned char digest[kHashBytes];
  randombytes_buf(secret, sizeof secret);
  randombytes_buf(salt, sizeof salt);
  char encoded[sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, secret, sizeof secret,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  const std::string_view secret_text(encoded, std::strlen(encoded));
  hash_secret(secret_text, salt, digest);
  const std::int64_t now = clock_();
  std::unique_lock lock(mutex_);
  std::string id_hex;
  do {
    randombytes_buf(id, sizeof id);
    id_hex = hex(id, sizeof id);
  } while (records_.count(id_hex) != 0);
  ApiKeyRecord record{id_hex,
                      std::move(label),
                      hex(salt, sizeof salt),
                      hex(digest, sizeof digest),
                      now,
                      std::nullopt,
                      false};
  if (lifetime_ns) record.expires_ns = now + *lifetime_ns;
  records_.emplace(id_hex, std::move(record));
  std::string key = std::string(kPrefix) + id_hex + "_" + std::string(secret_text);
  sodium_memzero(encoded, sizeof encoded);
  return key;
}

std::optional<std::string> ApiKeyManager::authenticate(std::string_view presented) const {
  // Layout: "kol_" + 16 hex + "_" + secret.
  const std::size_t id_end = kPrefix.size() + 2 * kIdBytes;
  std::string_view id;
  std::string_view secret;
  if (presented.size() > id_end + 1 && presented.substr(0, kPrefix.size()) == kPrefix &&
      presented[id_end] == '_') {
    id = presented.substr(kPrefix.size(), 2 * kIdBytes);
    secret = presented.substr(id_end + 1);
  }
  const std::int64_t now = clock_();
  std::shared_lock lock(mutex_);
  const auto it = records_.find(id);
  // An unknown id hashes against a fixed dummy record, so timing does not reveal which ids exist.
  static const ApiKeyRecord dummy{
      "",           "",  std::string(2 * kSaltBytes, '0'), std::string(2 * kHashBytes, '0'), 0,
      std::nullopt, true};
  const ApiKeyRecord& record = it != records_.end() ? it->second : dummy;
  unsigned char salt[kSaltBytes];
  unsigned char stored[kHashBytes];
  unsigned char digest[kHashBytes];
  if (!unhex(record.salt, salt, sizeof salt) || !unhex(record.hash, stored, sizeof stored)) {
    return std::nullopt;
  }
  hash_secret(secret, salt, digest);
  const bool match = sodium_memcmp(digest, stored, kHashBytes) == 0;
  if (!match || it == records_.end() || record.revoked) return std::nullopt;
  if (record.expires_ns && now >= *record.expires_ns) return std::nullopt;
  return record.id;
}

std::string ApiKeyManager::rotate(std::string_view id, std::int64_t grace_ns) {
  KOLOSAL_CHECK(grace_ns >= 0, InvalidArgument, "ApiKeyManager::rotate: negative grace period");
  std::string label;
  {
    std::unique_lock lock(mutex_);
    const auto it = records_.find(id);
    KOLOSAL_CHECK(it != records_.end(), InvalidArgument, "ApiKeyManager::rotate: unknown key '", id,
                  "'");
    KOLOSAL_CHECK(!it->second.revoked, InvalidArgument, "ApiKeyManager::rotate: key '", id,
                  "' is revoked");
    const std::int64_t until = clock_() + grace_ns;
    if (!it->second.expires_ns || *it->second.expires_ns > until) it->second.expires_ns = until;
    label = it->second.label;
  }
  return create(std::move(label));
}

void ApiKeyManager::revoke(std::string_view id) {
  std::unique_lock lock(mutex_);
  const auto it = records_.find(id);
  KOLOSAL_CHECK(it != records_.end(), InvalidArgument, "ApiKeyManager::revoke: unknown key '", id,
                "'");
  it->second.revoked = true;
}

std::vector<ApiKeyRecord> ApiKeyManager::records() const {
  std::shared_lock lock(mutex_);
  std::vector<ApiKeyRecord> out;
  for (const auto& [id, record] : records_) out.push_back(record);
  return out;
}

nlohmann::json ApiKeyManager::to_json() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& r : records()) {
    keys.push_back({{"id", r.id},
                    {"label", r.label},
                    {"salt", r.salt},
                    {"hash", r.hash},
                    {"created_ns", r.created_ns},
                    {"expires_ns", r.expires_ns ? nlohmann::json(*r.expires_ns) : nlohmann::json()},
                    {"revoked", r.revoked}});
  }
  return {{"format", "kolosal-api-keys"}, {"version", 1}, {"keys", keys}};
}

void ApiKeyManager::load_json(const nlohmann::json& j) {
  std::map<std::string, ApiKeyRecord, std::less<>> loaded;
  try {
    KOLOSAL_CHECK(j.at("format") == "kolosal-api-keys" && j.at("version") == 1, SerializationError,
                  "ApiKeyManager: not a version-1 kolosal key store");
    for (const auto& k : j.at("keys")) {
      ApiKeyRecord r;
      r.id = k.at("id").get<std::string>();
      r.label = k.at("label").get<std::string>();
      r.salt = k.at("salt").get<std::string>();
      r.hash = k.at("hash").get<std::string>();
      r.created_ns = k.at("created_ns").get<std::int64_t>();
      if (!k.at("expires_ns").is_null()) r.expires_ns = k.at("expires_ns").get<std::int64_t>();
      r.revoked = k.at("revoked").get<bool>();
      unsigned char probe[kHashBytes];
      KOLOSAL_CHECK(r.id.size() == 2 * kIdBytes && unhex(r.salt, probe, kSaltBytes) &&
                        unhex(r.hash, probe, kHashBytes),
                    SerializationError, "ApiKeyManager: malformed record '", r.id, "'");
      const std::string id = r.id;
      KOLOSAL_CHECK(loaded.emplace(id, std::move(r)).second, SerializationError,
                    "ApiKeyManager: duplicate key id '", id, "'");
    }
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, "ApiKeyManager: malformed key store: ", e.what());
  }
  std::unique_lock lock(mutex_);
  records_ = std::move(loaded);
}

// ---------------------------------------------------------------------------- rate limiter

struct Bucket {
  RateLimit limit;
  double tokens = 0.0;
  std::int64_t last_ns = 0;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct RateLimiter::Shard {
  std::mutex mutex;
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets;
};

namespace {
constexpr std::size_t kShards = 16;

void check_limit(const RateLimit& limit) {
  KOLOSAL_CHECK(limit.per_second > 0.0 && std::isfinite(limit.per_second), InvalidArgument,
                "RateLimiter: per_second must be positive and finite, got ", limit.per_second);
  KOLOSAL_CHECK(limit.burst >= 1.0 && std::isfinite(limit.burst), InvalidArgument,
                "RateLimiter: burst must be at least 1, got ", limit.burst);
}

void refill(Bucket& b, std::int64_t now) {
  // Concurrent callers may read the clock in one order and lock in another: time never runs
  // backwards for a bucket.
  if (now <= b.last_ns) return;
  b.tokens = std::min(b.limit.burst,
                      b.tokens + static_cast<double>(now - b.last_ns) * 1e-9 * b.limit.per_second);
  b.last_ns = now;
}
}  // namespace

RateLimiter::RateLimiter(RateLimit default_limit, Clock clock)
    : default_limit_(default_limit), clock_(std::move(clock)) {
  check_limit(default_limit_);
  KOLOSAL_CHECK(static_cast<bool>(clock_), InvalidArgument, "RateLimiter: empty clock");
  for (std::size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::shard_for(std::string_view key) {
  return *shards_[StringHash{}(key) % kShards];
}

void RateLimiter::set_limit(std::string_view key, RateLimit limit) {
  check_limit(limit);
  const std::int64_t now = clock_();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  shard.buckets[std::string(key)] = Bucket{limit, limit.burst, now};
}

bool RateLimiter::try_acquire(std::string_view key, double cost) {
  KOLOSAL_CHECK(cost >= 0.0 && std::isfinite(cost), InvalidArgument,
                "RateLimiter::try_acquire: cost must be finite and >= 0, got ", cost);
  const std::int64_t now = clock_();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    it = shard.buckets.emplace(std::string(key), Bucket{default_limit_, default_limit_.burst, now})
             .first;
  }
  Bucket& b = it->second;
  refill(b, now);
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

double RateLimiter::available(std::string_view key) {
  const std::int64_t now = clock_();
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) return default_limit_.burst;
  refill(it->second, now);
  return it->second.tokens;
}

}  // namespace kolosal::security
