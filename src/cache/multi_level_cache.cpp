// SPDX-License-Identifier: MIT
// MultiLevelCache: promotion and demotion between two memory levels and a directory of files.
#include "kolosal/cache/multi_level_cache.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"

namespace kolosal::cache {

namespace fs = std::filesystem;

namespace {

constexpr std::array<char, 4> kMagic = {'K', 'L', 'C', '3'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 4 + 4 + 8 + 8;  // magic, version, key, value count
constexpr const char* kSuffix = ".klc";

LruCacheConfig level_config(std::size_t capacity, std::chrono::nanoseconds ttl) {
  LruCacheConfig c;
  c.capacity = capacity;
  c.ttl = ttl;
  // Capacity is exact LRU in one shard; split only levels large enough that the per-shard
  // approximation does not matter.
  c.shards = capacity >= 4096 ? 8 : 1;
  return c;
}

std::string hex_name(std::uint64_t key) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(key));
  return buf;
}

std::optional<std::uint64_t> parse_name(const fs::path& path) {
  const std::string stem = path.stem().string();
  if (path.extension() != kSuffix || stem.size() != 16) return std::nullopt;
  std::uint64_t key = 0;
  for (char c : stem) {
    int d = 0;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    key = (key << 4) | static_cast<std::uint64_t>(d);
  }
  return key;
}

template <class T>
void append_raw(std::string& out, const T& v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

}  // namespace

void MultiLevelCacheConfig::check() const {
  KOLOSAL_CHECK(l1_capacity >= 1, InvalidArgument,
                "MultiLevelCacheConfig: l1_capacity must be >= 1");
  KOLOSAL_CHECK(l2_capacity >= 1, InvalidArgument,
                "MultiLevelCacheConfig: l2_capacity must be >= 1");
  KOLOSAL_CHECK(l3_capacity == 0 || !l3_directory.empty(), InvalidArgument,
                "MultiLevelCacheConfig: l3_capacity is ", l3_capacity,
                " but no l3_directory is given");
  KOLOSAL_CHECK(ttl.count() >= 0, InvalidArgument, "MultiLevelCacheConfig: ttl must be >= 0");
}

double MultiLevelStats::hit_rate() const noexcept {
  const auto n = hits() + misses;
  return n ? static_cast<double>(hits()) / static_cast<double>(n) : 0.0;
}

nlohmann::json MultiLevelStats::to_json() const {
  return {{"l1_hits", l1_hits},           {"l2_hits", l2_hits},
          {"l3_hits", l3_hits},           {"misses", misses},
          {"promotions", promotions},     {"demotions", demotions},
          {"l3_evictions", l3_evictions}, {"l3_corrupt", l3_corrupt},
          {"l1_size", l1_size},           {"l2_size", l2_size},
          {"l3_size", l3_size},           {"hit_rate", hit_rate()}};
}

MultiLevelCache::MultiLevelCache(MultiLevelCacheConfig config, Clock clock)
    : config_((config.check(), std::move(config))),
      l1_(level_config(config_.l1_capacity, config_.ttl), clock),
      l2_(level_config(config_.l2_capacity, config_.ttl), clock) {
  if (config_.l3_capacity == 0) return;
  std::error_code ec;
  fs::create_directories(config_.l3_directory, ec);
  KOLOSAL_CHECK(!ec && fs::is_directory(config_.l3_directory), IoError,
                "MultiLevelCache: cannot create the L3 directory ", config_.l3_directory, ": ",
                ec.message());
  // Adopt existing entries, most recently written first; drop leftovers of interrupted writes.
  std::vector<std::pair<fs::file_time_type, std::uint64_t>> found;
  for (const auto& entry : fs::directory_iterator(config_.l3_directory)) {
    if (!entry.is_regular_file()) continue;
    if (const auto key = parse_name(entry.path())) {
      found.emplace_back(entry.last_write_time(), *key);
    } else if (entry.path().filename().string().find(".klc.tmp") != std::string::npos) {
      fs::remove(entry.path(), ec);
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a > b; });
  for (const auto& [time, key] : found) {
    if (l3_index_.size() >= config_.l3_capacity) {
      fs::remove(l3_path(key), ec);
      continue;
    }
    l3_order_.push_back(key);
    l3_index_.emplace(key, std::prev(l3_order_.end()));
  }
}

MultiLevelCache::~MultiLevelCache() = default;

fs::path MultiLevelCache::l3_path(std::uint64_t key) const {
  return config_.l3_directory / (hex_name(key) + kSuffix);
}

std::optional<MultiLevelCache::Value> MultiLevelCache::get(std::uint64_t key) {
  if (auto v = l1_.get(key)) {
    l1_hits_.fetch_add(1, std::memory_order_relaxed);
    return v;
  }
  std::lock_guard lock(mutex_);
  // Another thread may have promoted the key between the L1 miss and the lock.
  if (auto v = l1_.get(key)) {
    l1_hits_.fetch_add(1, std::memory_order_relaxed);
    return v;
  }
  std::optional<Value> found = l2_.get(key);
  if (found) {
    ++l2_hits_;
    l2_.erase(key);
  } else if ((found = take_l3_locked(key))) {
    ++l3_hits_;
  } else {
    ++misses_;
    return std::nullopt;
  }
  ++promotions_;
  insert_l1_locked(key, *found);
  return found;
}

void MultiLevelCache::put(std::uint64_t key, Value value) {
  std::lock_guard lock(mutex_);
  l2_.erase(key);
  if (const auto it = l3_index_.find(key); it != l3_index_.end()) {
    std::error_code ec;
    fs::remove(l3_path(key), ec);
    l3_order_.erase(it->second);
    l3_index_.erase(it);
  }
  insert_l1_locked(key, std::move(value));
}

bool MultiLevelCache::erase(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  bool erased = l1_.erase(key);
  erased = l2_.erase(key) || erased;
  if (const auto it = l3_index_.find(key); it != l3_index_.end()) {
    std::error_code ec;
    fs::remove(l3_path(key), ec);
    l3_order_.erase(it->second);
    l3_index_.erase(it);
    erased = true;
  }
  return erased;
}

void MultiLevelCache::clear() {
  std::lock_guard lock(mutex_);
  l1_.clear();
  l2_.clear();
  std::error_code ec;
  for (std::uint64_t key : l3_order_) fs::remove(l3_path(key), ec);
  l3_order_.clear();
  l3_index_.clear();
  l1_hits_.store(0, std::memory_order_relaxed);
  l2_hits_ = l3_hits_ = misses_ = promotions_ = demotions_ = l3_evictions_ = l3_corrupt_ = 0;
}

MultiLevelStats MultiLevelCache::stats() const {
  std::lock_guard lock(mutex_);
  MultiLevelStats s;
  s.l1_hits = l1_hits_.load(std::memory_order_relaxed);
  s.l2_hits = l2_hits_;
  s.l3_hits = l3_hits_;
  s.misses = misses_;
  s.promotions = promotions_;
  s.demotions = demotions_;
  s.l3_evictions = l3_evictions_;
  s.l3_corrupt = l3_corrupt_;
  s.l1_size = l1_.size();
  s.l2_size = l2_.size();
  s.l3_size = l3_index_.size();
  return s;
}

void MultiLevelCache::insert_l1_locked(std::uint64_t key, Value value) {
  auto from_l1 = l1_.put_and_evict(key, std::move(value));
  if (!from_l1) return;
  ++demotions_;
  auto from_l2 = l2_.put_and_evict(from_l1->first, std::move(from_l1->second));
  if (!from_l2 || config_.l3_capacity == 0) return;
  ++demotions_;
  insert_l3_locked(from_l2->first, from_l2->second);
}

void MultiLevelCache::insert_l3_locked(std::uint64_t key, const Value& value) {
  std::error_code ec;
  if (const auto it = l3_index_.find(key); it != l3_index_.end()) {
    l3_order_.erase(it->second);
    l3_index_.erase(it);
  } else if (l3_index_.size() >= config_.l3_capacity) {
    const std::uint64_t victim = l3_order_.back();
    fs::remove(l3_path(victim), ec);
    l3_index_.erase(victim);
    l3_order_.pop_back();
    ++l3_evictions_;
  }
  std::string bytes;
  bytes.reserve(kHeaderBytes + value.size() * sizeof(double));
  bytes.append(kMagic.data(), kMagic.size());
  append_raw(bytes, kVersion);
  append_raw(bytes, key);
  append_raw(bytes, static_cast<std::uint64_t>(value.size()));
  bytes.append(reinterpret_cast<const char*>(value.data()),  // NOLINT: raw doubles
               value.size() * sizeof(double));
  const fs::path path = l3_path(key);
  fs::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    KOLOSAL_CHECK(!out.fail(), IoError, "MultiLevelCache: cannot write the L3 file ", temp);
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    KOLOSAL_THROW(IoError, "MultiLevelCache: cannot rename ", temp, " to ", path, ": ",
                  ec.message());
  }
  l3_order_.push_front(key);
  l3_index_.emplace(key, l3_order_.begin());
}

std::optional<MultiLevelCache::Value> MultiLevelCache::take_l3_locked(std::uint64_t key) {
  const auto it = l3_index_.find(key);
  if (it == l3_index_.end()) return std::nullopt;
  const fs::path path = l3_path(key);
  l3_order_.erase(it->second);
  l3_index_.erase(it);
  std::string bytes;
  bool ok = true;
  try {
    bytes = io::read_file(path);
  } catch (const IoError&) {
    ok = false;  // vanished or unreadable: a miss
  }
  std::error_code ec;
  fs::remove(path, ec);
  std::uint32_t version = 0;
  std::uint64_t stored_key = 0, n = 0;
  ok = ok && bytes.size() >= kHeaderBytes && std::memcmp(bytes.data(), kMagic.data(), 4) == 0;
  if (ok) {
    std::memcpy(&version, bytes.data() + 4, 4);
    std::memcpy(&stored_key, bytes.data() + 8, 8);
    std::memcpy(&n, bytes.data() + 16, 8);
    ok = version == kVersion && stored_key == key &&
         n == (bytes.size() - kHeaderBytes) / sizeof(double) &&
         bytes.size() == kHeaderBytes + n * sizeof(double);
  }
  if (!ok) {
    ++l3_corrupt_;
    return std::nullopt;
  }
  Value value(n);
  std::memcpy(value.data(), bytes.data() + kHeaderBytes, n * sizeof(double));
  return value;
}

}  // namespace kolosal::cache
