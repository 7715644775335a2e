// SPDX-License-Identifier: MIT
// API keys stored as salted hashes, checked in constant time, rotated with a grace period, and a
// thread-safe token-bucket rate limiter per key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kolosal::security {

/// A clock in nanoseconds, injectable so tests control time exactly.
using Clock = std::function<std::int64_t()>;
/// Nanoseconds since the Unix epoch (std::chrono::system_clock).
[[nodiscard]] std::int64_t system_clock_ns();
/// Nanoseconds of std::chrono::steady_clock.
[[nodiscard]] std::int64_t steady_clock_ns();

/// What the manager keeps about a key: never the key itself.
struct ApiKeyRecord {
  std::string id;     ///< public part of the key, names it in logs
  std::string label;  ///< the owner's description
  std::string salt;   ///< hex, 16 random bytes
  std::string hash;   ///< hex, keyed BLAKE2b-256 of the secret part under the salt
  std::int64_t created_ns = 0;
  std::optional<std::int64_t> expires_ns;  ///< set by rotation (grace period) or a lifetime
  bool revoked = false;
};

/// Issues and checks API keys of the form "kol_<id>_<secret>" (id: 16 hex digits; secret: 32
/// random bytes in URL-safe base64). Only a salted hash of the secret is stored; since the secret
/// has 256 bits of entropy a fast keyed hash suffices (a slow password hash such as crypto_pwhash
/// defends low-entropy secrets, which these are not). Comparison is constant time (sodium_memcmp)
/// and an unknown id costs the same hash as a known one. Thread-safe.
class ApiKeyManager {
 public:
  explicit ApiKeyManager(Clock clock = system_clock_ns);

  /// Issues a key; the returned text is the only copy of the secret. `lifetime_ns` bounds its
  /// validity (none: until revoked or rotated).
  [[nodiscard]] std::string create(std::string label,
                                   std::optional<std::int64_t> lifetime_ns = std::nullopt);
  /// The id of the key when `presented` is a valid, unexpired, unrevoked key; nothing otherwise.
  [[nodiscard]] std::optional<std::string> authenticate(std::string_view presented) const;
  /// Issues a replacement for key `id` with the same label; the old key stays valid for
  /// `grace_ns` more nanoseconds. Throws InvalidArgument for an unknown or revoked id.
  [[nodiscard]] std::string rotate(std::string_view id, std::int64_t grace_ns);
  /// Revokes key `id` at once. Throws InvalidArgument for an unknown id.
  void revoke(std::string_view id);
  /// Every record (no secrets), ordered by id.
  [[nodiscard]] std::vector<ApiKeyRecord> records() const;

  /// The records as JSON, for storage; from_json() restores them.
  [[nodiscard]] nlohmann::json to_json() const;
  void load_json(const nlohmann::json& j);

 private:
  Clock clock_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, ApiKeyRecord, std::less<>> records_;
};

/// A bucket's rate and capacity.
struct RateLimit {
  double per_second = 10.0;  ///< tokens added per second
  double burst = 10.0;       ///< bucket capacity: the most admitted at once after idling
};

/// Token-bucket rate limiting per key (Turner's token bucket as in RFC 2697's committed
/// burst): each key's bucket fills at `per_second` up to `burst`; a request costing n tokens is
/// admitted when the bucket holds n. Over any interval T the admitted cost is at most
/// burst + per_second·T. Thread-safe, with buckets sharded over independent locks.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimit default_limit, Clock clock = steady_clock_ns);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Sets the limit of one key (its bucket starts full).
  void set_limit(std::string_view key, RateLimit limit);
  /// Takes `cost` tokens from `key`'s bucket when it holds them; returns whether it did.
  [[nodiscard]] bool try_acquire(std::string_view key, double cost = 1.0);
  /// Tokens in `key`'s bucket now.
  [[nodiscard]] double available(std::string_view key);

  struct Shard;

 private:
  Shard& shard_for(std::string_view key);

  RateLimit default_limit_;
  Clock clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace kolosal::security
