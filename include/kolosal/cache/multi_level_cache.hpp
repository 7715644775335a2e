// SPDX-License-Identifier: MIT
// A three-level cache of double vectors (e.g. predictions) keyed by 64-bit row hashes: a small
// hot L1 and a larger L2 in memory, and L3 as files in a directory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/cache/lru_cache.hpp"

namespace kolosal::cache {

/// Settings of MultiLevelCache.
struct MultiLevelCacheConfig {
  std::size_t l1_capacity = 1024;      ///< entries in the hot level; >= 1
  std::size_t l2_capacity = 65536;     ///< entries in the second memory level; >= 1
  std::size_t l3_capacity = 0;         ///< files in the disk level; 0 disables L3
  std::filesystem::path l3_directory;  ///< where L3 files live; required when l3_capacity > 0
  std::chrono::nanoseconds ttl{0};     ///< life of an entry in L1 and L2 from its put; 0: never
  /// @throws InvalidArgument for a zero capacity or an L3 without a directory
  void check() const;
};

/// Hits per level and traffic between levels.
struct MultiLevelStats {
  std::uint64_t l1_hits = 0;
  std::uint64_t l2_hits = 0;
  std::uint64_t l3_hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t promotions = 0;    ///< entries moved up to L1 by a hit in L2 or L3
  std::uint64_t demotions = 0;     ///< entries moved down (L1 to L2, L2 to L3) by an eviction
  std::uint64_t l3_evictions = 0;  ///< files deleted because L3 was full
  std::uint64_t l3_corrupt = 0;    ///< unreadable L3 files found and removed
  std::size_t l1_size = 0;
  std::size_t l2_size = 0;
  std::size_t l3_size = 0;
  [[nodiscard]] std::uint64_t hits() const noexcept { return l1_hits + l2_hits + l3_hits; }
  [[nodiscard]] double hit_rate() const noexcept;
  [[nodiscard]] nlohmann::json to_json() const;
};

/// An exclusive three-level LRU cache: each key lives in one level. A hit in L2 or L3 promotes
/// the entry to L1; an entry L1 evicts is demoted to L2, one L2 evicts to L3, one L3 evicts is
/// deleted. L3 files are named by the key's hex digits and written atomically (temporary file,
/// then rename) without fsync: a cache can always recompute, so a file lost or truncated by a
/// crash is detected by its header and size, removed, and counted as a miss. On construction
/// L3 adopts the files already in its directory (oldest modification time least recent), so a
/// restarted server keeps its disk cache.
///
/// Thread-safe: an L1 hit takes only L1's shard lock; everything else (lower levels, moves
/// between levels, disk reads and writes) runs under one mutex, so levels never disagree.
class MultiLevelCache {
 public:
  using Value = std::vector<double>;

  explicit MultiLevelCache(MultiLevelCacheConfig config, Clock clock = {});
  MultiLevelCache(const MultiLevelCache&) = delete;
  MultiLevelCache& operator=(const MultiLevelCache&) = delete;
  ~MultiLevelCache();

  /// The value under `key` from the highest level holding it (promoting it to L1).
  [[nodiscard]] std::optional<Value> get(std::uint64_t key);
  /// Inserts or replaces `key` in L1, dropping any copy in lower levels.
  void put(std::uint64_t key, Value value);
  bool erase(std::uint64_t key);
  /// Empties every level (L3's files included) and zeroes the statistics.
  void clear();
  [[nodiscard]] MultiLevelStats stats() const;
  [[nodiscard]] const MultiLevelCacheConfig& config() const noexcept { return config_; }

 private:
  void insert_l1_locked(std::uint64_t key, Value value);
  void insert_l3_locked(std::uint64_t key, const Value& value);
  [[nodiscard]] std::optional<Value> take_l3_locked(std::uint64_t key);
  [[nodiscard]] std::filesystem::path l3_path(std::uint64_t key) const;

  MultiLevelCacheConfig config_;
  LruCache<std::uint64_t, Value> l1_;
  LruCache<std::uint64_t, Value> l2_;
  mutable std::mutex mutex_;
  std::list<std::uint64_t> l3_order_;  ///< most recently used first
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> l3_index_;
  std::atomic<std::uint64_t> l1_hits_{0};
  std::uint64_t l2_hits_ = 0, l3_hits_ = 0, misses_ = 0, promotions_ = 0, demotions_ = 0,
                l3_evictions_ = 0, l3_corrupt_ = 0;
};

}  // namespace kolosal::cache
