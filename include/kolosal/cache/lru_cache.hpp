// SPDX-License-Identifier: MIT
// A thread-safe, sharded LRU cache with an optional time to live: O(1) get and put.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kolosal/core/error.hpp"

namespace kolosal::cache {

/// The time source: steady-clock time points. Tests inject a manual clock so TTLs are exact.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

/// Settings of LruCache.
struct LruCacheConfig {
  std::size_t capacity = 1024;      ///< entries at most, over all shards; >= shards
  std::chrono::nanoseconds ttl{0};  ///< an entry expires this long after its put; 0: never
  std::size_t shards = 1;           ///< independent parts, each with its own lock; >= 1
  /// @throws InvalidArgument for zero shards, capacity below shards, or a negative ttl
  void check() const {
    KOLOSAL_CHECK(shards >= 1, InvalidArgument, "LruCacheConfig: shards must be >= 1, got 0");
    KOLOSAL_CHECK(capacity >= shards, InvalidArgument, "LruCacheConfig: capacity ", capacity,
                  " is smaller than the shard count ", shards);
    KOLOSAL_CHECK(ttl.count() >= 0, InvalidArgument, "LruCacheConfig: ttl must be >= 0, got ",
                  ttl.count(), " ns");
  }
};

/// Counters of a cache since construction or the last clear().
struct CacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;       ///< expired entries found by get() count here too
  std::uint64_t evictions = 0;    ///< live entries pushed out by a put into a full shard
  std::uint64_t expirations = 0;  ///< entries dropped because their TTL had passed
  [[nodiscard]] double hit_rate() const noexcept {
    const auto n = hits + misses;
    return n ? static_cast<double>(hits) / static_cast<double>(n) : 0.0;
  }
};

/// A least-recently-used cache. Keys are spread over `shards` parts by hash, each part a mutex,
/// a recency list and a hash map from key to list node, so get and put are O(1) and threads on
/// different shards do not contend. Recency (and so the eviction order) is exact within a shard;
/// with several shards each holds capacity / shards entries (the remainder to the first ones), so
/// the cache as a whole approximates global LRU. Values are copied out by get().
template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<Key>>
class LruCache {
 public:
  explicit LruCache(LruCacheConfig config = {}, Clock clock = {})
      : config_((config.check(), config)),
        clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
        shards_(config.shards) {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      shards_[i].capacity =
          config.capacity / config.shards + (i < config.capacity % config.shards ? 1 : 0);
    }
  }

  /// The value under `key`, marking it most recently used; nothing when absent or expired.
  [[nodiscard]] std::optional<Value> get(const Key& key) {
    Shard& s = shard_of(key);
    const auto now = time_if_ttl();
    std::lock_guard lock(s.mutex);
    const auto it = s.map.find(key);
    if (it == s.map.end()) {
      ++s.stats.misses;
      return std::nullopt;
    }
    if (expired(*it->second, now)) {
      s.list.erase(it->second);
      s.map.erase(it);
      ++s.stats.expirations;
      ++s.stats.misses;
      return std::nullopt;
    }
    s.list.splice(s.list.begin(), s.list, it->second);
    ++s.stats.hits;
    return it->second->value;
  }

  /// Whether a live entry is under `key`; does not change recency or statistics.
  [[nodiscard]] bool contains(const Key& key) const {
    const Shard& s = shard_of(key);
    const auto now = time_if_ttl();
    std::lock_guard lock(s.mutex);
    const auto it = s.map.find(key);
    return it != s.map.end() && !expired(*it->second, now);
  }

  /// Inserts or replaces the value under `key` as most recently used (restarting its TTL).
  void put(const Key& key, Value value) { (void)put_and_evict(key, std::move(value)); }

  /// As put(); returns the live entry evicted to make room, if any, so a caller can demote it
  /// to a lower cache level. Expired entries dropped on the way are not returned.
  std::optional<std::pair<Key, Value>> put_and_evict(const Key& key, Value value) {
    Shard& s = shard_of(key);
    const auto now = time_if_ttl();
    const auto expires = config_.ttl.count() > 0 ? now + config_.ttl : TimePoint::max();
    std::lock_guard lock(s.mutex);
    if (const auto it = s.map.find(key); it != s.map.end()) {
      it->second->value = std::move(value);
      it->second->expires = expires;
      s.list.splice(s.list.begin(), s.list, it->second);
      return std::nullopt;
    }
    std::optional<std::pair<Key, Value>> evicted;
    if (s.map.size() >= s.capacity) {
      Entry& victim = s.list.back();
      if (expired(victim, now)) {
        ++s.stats.expirations;
      } else {
        ++s.stats.evictions;
        evicted.emplace(std::move(victim.key), std::move(victim.value));
      }
      s.map.erase(evicted ? evicted->first : victim.key);
      s.list.pop_back();
    }
    s.list.push_front(Entry{key, std::move(value), expires});
    s.map.emplace(key, s.list.begin());
    return evicted;
  }

  /// Removes `key`; whether it was present (expired or not).
  bool erase(const Key& key) {
    Shard& s = shard_of(key);
    std::lock_guard lock(s.mutex);
    const auto it = s.map.find(key);
    if (it == s.map.end()) return false;
    s.list.erase(it->second);
    s.map.erase(it);
    return true;
  }

  /// Removes every entry and zeroes the statistics.
  void clear() {
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mutex);
      s.list.clear();
      s.map.clear();
      s.stats = {};
    }
  }

  /// Drops every expired entry now; how many went.
  std::size_t purge_expired() {
    if (config_.ttl.count() == 0) return 0;
    const auto now = clock_();
    std::size_t dropped = 0;
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mutex);
      // get() refreshes recency but not life, so expired entries can sit anywhere: scan all.
      for (auto it = s.list.begin(); it != s.list.end();) {
        if (expired(*it, now)) {
          s.map.erase(it->key);
          it = s.list.erase(it);
          ++s.stats.expirations;
          ++dropped;
        } else {
          ++it;
        }
      }
    }
    return dropped;
  }

  /// Entries held now, expired ones not yet dropped included.
  [[nodiscard]] std::size_t size() const {
    std::size_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mutex);
      n += s.map.size();
    }
    return n;
  }

  [[nodiscard]] CacheStats stats() const {
    CacheStats total;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mutex);
      total.hits += s.stats.hits;
      total.misses += s.stats.misses;
      total.evictions += s.stats.evictions;
      total.expirations += s.stats.expirations;
    }
    return total;
  }

  /// Keys of one shard from most to least recently used (for tests and debugging).
  [[nodiscard]] std::vector<Key> keys_by_recency(std::size_t shard = 0) const {
    const Shard& s = shards_.at(shard);
    std::lock_guard lock(s.mutex);
    std::vector<Key> keys;
    keys.reserve(s.list.size());
    for (const Entry& e : s.list) keys.push_back(e.key);
    return keys;
  }

  [[nodiscard]] const LruCacheConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return config_.capacity; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Entry {
    Key key;
    Value value;
    TimePoint expires;
  };
  /// Cache-line aligned so threads on neighbouring shards do not share lines.
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::list<Entry> list;  ///< most recently used first
    std::unordered_map<Key, typename std::list<Entry>::iterator, Hash, KeyEqual> map;
    std::size_t capacity = 0;
    CacheStats stats;
  };

  [[nodiscard]] std::size_t shard_index(const Key& key) const {
    if (shards_.size() == 1) return 0;
    // std::hash of integers is the identity: mix it so consecutive keys spread (SplitMix64).
    std::uint64_t h = static_cast<std::uint64_t>(Hash{}(key)) + 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return static_cast<std::size_t>(h % shards_.size());
  }
  Shard& shard_of(const Key& key) { return shards_[shard_index(key)]; }
  const Shard& shard_of(const Key& key) const { return shards_[shard_index(key)]; }

  /// The time, read only when entries can expire (the clock is the cost of a TTL).
  [[nodiscard]] TimePoint time_if_ttl() const {
    return config_.ttl.count() > 0 ? clock_() : TimePoint::min();
  }
  [[nodiscard]] static bool expired(const Entry& e, TimePoint now) noexcept {
    return e.expires <= now;
  }

  LruCacheConfig config_;
  Clock clock_;
  std::vector<Shard> shards_;
};

}  // namespace kolosal::cache
