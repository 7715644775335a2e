// SPDX-License-Identifier: MIT
// Tests of the sharded LRU cache, the multi-level cache and row hashing.
#include <bit>
#include <chrono>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>

#include "kolosal/cache/hash.hpp"
#include "kolosal/cache/lru_cache.hpp"
#include "kolosal/cache/multi_level_cache.hpp"
#include "kolosal/core/error.hpp"

#include "test_util.hpp"

namespace kc = kolosal::cache;
using namespace std::chrono_literals;

namespace {
struct ManualClock {
  std::shared_ptr<std::chrono::steady_clock::time_point> t =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::hours(1));
  kc::Clock fn() const {
    return [t = t] { return *t; };
  }
  void advance(std::chrono::nanoseconds d) const { *t += d; }
};

kc::LruCacheConfig lru(std::size_t capacity, std::chrono::nanoseconds ttl = 0ns,
                       std::size_t shards = 1) {
  kc::LruCacheConfig c;
  c.capacity = capacity;
  c.ttl = ttl;
  c.shards = shards;
  return c;
}
}  // namespace

TEST_CASE("LruCache: evicts the least recently used entry", "[cache]") {
  kc::LruCache<int, std::string> cache(lru(3));
  cache.put(1, "a");
  cache.put(2, "b");
  cache.put(3, "c");
  CHECK(cache.keys_by_recency() == std::vector<int>{3, 2, 1});
  CHECK(cache.get(1) == "a");  // 1 becomes most recent
  CHECK(cache.keys_by_recency() == std::vector<int>{1, 3, 2});
  cache.put(4, "d");  // evicts 2
  CHECK_FALSE(cache.get(2).has_value());
  CHECK(cache.keys_by_recency() == std::vector<int>{4, 1, 3});
  cache.put(3, "C");  // replacing refreshes recency, no eviction
  CHECK(cache.keys_by_recency() == std::vector<int>{3, 4, 1});
  const auto evicted = cache.put_and_evict(5, "e");
  REQUIRE(evicted.has_value());
  CHECK(evicted->first == 1);
  CHECK(evicted->second == "a");
  CHECK(cache.get(3) == "C");
  CHECK(cache.size() == 3);
  auto s = cache.stats();
  CHECK(s.hits == 2);
  CHECK(s.misses == 1);
  CHECK(s.evictions == 2);
  CHECK(s.expirations == 0);
  CHECK(cache.erase(3));
  CHECK_FALSE(cache.erase(3));
  CHECK(cache.size() == 2);
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK(cache.stats().hits == 0);
}

TEST_CASE("LruCache: entries expire exactly at their TTL", "[cache]") {
  ManualClock clock;
  kc::LruCache<int, int> cache(lru(10, 100ms), clock.fn());
  cache.put(1, 10);
  clock.advance(60ms);
  cache.put(2, 20);
  CHECK(cache.get(1) == 10);  // a get does not extend life
  clock.advance(39ms);        // 99 ms after put(1)
  CHECK(cache.get(1) == 10);
  clock.advance(1ms);  // exactly 100 ms: expired
  CHECK_FALSE(cache.get(1).has_value());
  CHECK(cache.contains(2));
  cache.put(2, 21);  // a put restarts the TTL
  clock.advance(99ms);
  CHECK(cache.get(2) == 21);
  cache.put(3, 30);
  clock.advance(1ms);
  CHECK_FALSE(cache.contains(2));
  CHECK(cache.size() == 2);  // 2 and 3 held, 2 expired but not yet dropped
  CHECK(cache.purge_expired() == 1);
  CHECK(cache.size() == 1);
  const auto s = cache.stats();
  CHECK(s.expirations == 2);
  CHECK(s.misses == 1);
  CHECK(s.hits == 3);
}

TEST_CASE("LruCache: an expired tail is dropped, not reported as evicted", "[cache]") {
  ManualClock clock;
  kc::LruCache<int, int> cache(lru(2, 10ms), clock.fn());
  cache.put(1, 1);
  clock.advance(5ms);
  cache.put(2, 2);
  clock.advance(5ms);  // 1 expired
  CHECK_FALSE(cache.put_and_evict(3, 3).has_value());
  CHECK(cache.stats().expirations == 1);
  CHECK(cache.stats().evictions == 0);
  CHECK(cache.put_and_evict(4, 4)->first == 2);  // 2 is live (5 ms old): evicted
}

TEST_CASE("LruCache: config is validated and shards split the capacity", "[cache]") {
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [] { kc::LruCache<int, int> c(lru(2, 0ns, 4)); }, "capacity 2 is smaller than the shard");
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [] { kc::LruCache<int, int> c(lru(2, 0ns, 0)); }, "shards must be >= 1");
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [] { kc::LruCache<int, int> c(lru(2, -1ns)); }, "ttl must be >= 0");
  kc::LruCache<int, int> cache(lru(10, 0ns, 4));
  for (int i = 0; i < 1000; ++i) cache.put(i, i);
  CHECK(cache.size() == 10);  // 3 + 3 + 2 + 2
  std::size_t held = 0;
  for (std::size_t s = 0; s < 4; ++s) {
    const auto n = cache.keys_by_recency(s).size();
    CHECK(n == (s < 2 ? 3u : 2u));
    held += n;
  }
  CHECK(held == 10);
  CHECK(cache.stats().evictions == 990);
}

TEST_CASE("LruCache: concurrency of get and put keeps every value intact", "[cache]") {
  kc::LruCache<std::uint64_t, std::vector<std::uint64_t>> cache(lru(512, 0ns, 8));
  constexpr int kThreads = 8, kOps = 20000;
  std::atomic<std::uint64_t> hits{0}, gets{0};
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t));
      for (int i = 0; i < kOps; ++i) {
        const std::uint64_t key = rng() % 2048;
        if (rng() % 3 == 0) {
          cache.put(key, {key, key * 3, key * 7});
        } else {
          gets.fetch_add(1);
          if (auto v = cache.get(key)) {
            hits.fetch_add(1);
            if (*v != std::vector<std::uint64_t>{key, key * 3, key * 7}) bad = true;
          }
        }
        if (i % 5000 == 0) (void)cache.stats();
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK_FALSE(bad);
  const auto s = cache.stats();
  CHECK(s.hits == hits.load());
  CHECK(s.hits + s.misses == gets.load());
  CHECK(cache.size() <= 512);
}

TEST_CASE("hash_row: canonical, order- and length-sensitive, well spread", "[cache]") {
  const double nan1 = std::numeric_limits<double>::quiet_NaN();
  const double nan2 = std::bit_cast<double>(0xfff0000000000abcULL);
  REQUIRE(std::isnan(nan2));
  const std::vector<double> a{1.0, nan1, 0.0}, b{1.0, nan2, -0.0};
  CHECK(kc::hash_row(a) == kc::hash_row(b));
  const std::vector<double> c{nan1, 1.0, 0.0};
  CHECK(kc::hash_row(a) != kc::hash_row(c));
  const std::vector<double> d{1.0, nan1};
  CHECK(kc::hash_row(a) != kc::hash_row(d));
  const std::vector<double> zero1{0.0}, zero2{0.0, 0.0}, empty{};
  CHECK(kc::hash_row(zero1) != kc::hash_row(zero2));
  CHECK(kc::hash_row(empty) != kc::hash_row(zero1));
  CHECK(kc::hash_row(a, 1) != kc::hash_row(a, 2));

  // No collision among 200k random rows; avalanche: one flipped input bit flips about half of
  // the output bits on average.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::unordered_set<std::uint64_t> seen;
  double flipped = 0.0;
  constexpr int kRows = 200000;
  for (int i = 0; i < kRows; ++i) {
    std::vector<double> row(5);
    for (double& v : row) v = normal(rng);
    const auto h = kc::hash_row(row);
    seen.insert(h);
    const auto pos = rng() % 5;
    row[pos] =
        std::bit_cast<double>(std::bit_cast<std::uint64_t>(row[pos]) ^ (1ULL << (rng() % 52)));
    flipped += std::popcount(h ^ kc::hash_row(row));
  }
  CHECK(seen.size() == kRows);
  CHECK(flipped / kRows == Approx(32.0).margin(0.2));
}

TEST_CASE("MultiLevelCache: promotion, demotion and per-level hits", "[cache]") {
  kolosal::test::TempDir dir;
  kc::MultiLevelCacheConfig config;
  config.l1_capacity = 2;
  config.l2_capacity = 2;
  config.l3_capacity = 2;
  config.l3_directory = dir / "l3";
  kc::MultiLevelCache cache(config);
  for (std::uint64_t k = 1; k <= 6; ++k) cache.put(k, {double(k), double(k) / 2});
  // L1 {6, 5}, L2 {4, 3}, L3 {2, 1}; a seventh put pushes 1 off the bottom.
  auto s = cache.stats();
  CHECK(s.l1_size == 2);
  CHECK(s.l2_size == 2);
  CHECK(s.l3_size == 2);
  CHECK(s.demotions == 4 + 2);
  cache.put(7, {7.0});
  s = cache.stats();
  CHECK(s.l3_evictions == 1);
  CHECK_FALSE(cache.get(1).has_value());

  // L1 {7, 6}, L2 {5, 4}, L3 {3, 2}. Promoting 2 demotes 6 to L2 and 4 to L3.
  CHECK(cache.get(2) == std::vector<double>{2.0, 1.0});  // from L3
  CHECK(cache.get(5) == std::vector<double>{5.0, 2.5});  // from L2
  CHECK(cache.get(5) == std::vector<double>{5.0, 2.5});  // now in L1
  s = cache.stats();
  CHECK(s.l1_hits == 1);
  CHECK(s.l2_hits == 1);
  CHECK(s.l3_hits == 1);
  CHECK(s.misses == 1);
  CHECK(s.promotions == 2);
  CHECK(s.l1_size + s.l2_size + s.l3_size == 6);  // 2..7 each in exactly one level
  for (std::uint64_t k = 2; k <= 7; ++k) CHECK(cache.get(k).has_value());
  CHECK(cache.stats().hit_rate() == Approx(9.0 / 10.0));

  CHECK(cache.erase(5));
  CHECK_FALSE(cache.get(5).has_value());
  cache.clear();
  CHECK(cache.stats().l3_size == 0);
  CHECK(std::filesystem::is_empty(dir / "l3"));
}

TEST_CASE("MultiLevelCache: L3 survives a restart and rejects corrupt files", "[cache]") {
  kolosal::test::TempDir dir;
  kc::MultiLevelCacheConfig config;
  config.l1_capacity = 1;
  config.l2_capacity = 1;
  config.l3_capacity = 10;
  config.l3_directory = dir.path();
  {
    kc::MultiLevelCache cache(config);
    for (std::uint64_t k = 0; k < 6; ++k) cache.put(k, std::vector<double>(k + 1, double(k)));
    CHECK(cache.stats().l3_size == 4);
  }
  // Truncate the file of key 1.
  const auto path = dir / "0000000000000001.klc";
  REQUIRE(std::filesystem::exists(path));
  std::filesystem::resize_file(path, 20);
  kc::MultiLevelCache cache(config);
  CHECK(cache.stats().l3_size == 4);
  CHECK(cache.get(0) == std::vector<double>{0.0});
  CHECK(cache.get(3) == std::vector<double>(4, 3.0));
  CHECK_FALSE(cache.get(1).has_value());
  CHECK(cache.stats().l3_corrupt == 1);
  CHECK(cache.stats().l3_hits == 2);

  kc::MultiLevelCacheConfig bad;
  bad.l3_capacity = 5;
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { kc::MultiLevelCache c(bad); },
                                                        "no l3_directory");
}

TEST_CASE("MultiLevelCache: concurrency of readers and writers across levels", "[cache]") {
  kolosal::test::TempDir dir;
  kc::MultiLevelCacheConfig config;
  config.l1_capacity = 16;
  config.l2_capacity = 32;
  config.l3_capacity = 64;
  config.l3_directory = dir.path();
  kc::MultiLevelCache cache(config);
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) + 100);
      for (int i = 0; i < 1500; ++i) {
        const std::uint64_t key = rng() % 128;
        if (rng() % 2) {
          cache.put(key, {double(key), double(key) + 0.5});
        } else if (auto v = cache.get(key)) {
          if (*v != std::vector<double>{double(key), double(key) + 0.5}) bad = true;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK_FALSE(bad);
  const auto s = cache.stats();
  CHECK(s.l1_size <= 16);
  CHECK(s.l2_size <= 32);
  CHECK(s.l3_size <= 64);
  CHECK(s.l3_corrupt == 0);
}
