// SPDX-License-Identifier: MIT
// LruCache get/put throughput with 1 and 2 threads; prints one JSON line per configuration.
// Usage: kolosal_bench_cache [seconds per run, default 1]
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "kolosal/cache/hash.hpp"
#include "kolosal/cache/lru_cache.hpp"

namespace kc = kolosal::cache;

namespace {

struct Result {
  double ops_per_second;
  double hit_rate;
};

/// `threads` threads run a mix of gets (get_percent %) and puts on keys uniform over twice the
/// capacity (so about half the gets hit once warm) for `seconds`.
Result run(std::size_t threads, std::size_t shards, int get_percent, double seconds) {
  kc::LruCacheConfig config;
  config.capacity = 1 << 16;
  config.shards = shards;
  kc::LruCache<std::uint64_t, std::uint64_t> cache(config);
  constexpr std::uint64_t kKeys = 1 << 17;
  for (std::uint64_t k = 0; k < kKeys; k += 2) cache.put(k, k);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ops{0};
  std::vector<std::thread> pool;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t state = 0x9e3779b97f4a7c15ULL * (t + 1), local = 0, sink = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 1024; ++i) {
          state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // Knuth's LCG
          const std::uint64_t key = (state >> 33) % kKeys;
          if (static_cast<int>((state >> 20) % 100) < get_percent) {
            if (auto v = cache.get(key)) sink += *v;
          } else {
            cache.put(key, key);
          }
        }
        local += 1024;
      }
      ops.fetch_add(local);
      if (sink == 1) std::puts("");  // keep the gets
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {static_cast<double>(ops.load()) / elapsed, cache.stats().hit_rate()};
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  for (int get_percent : {90, 0}) {
    for (std::size_t shards : {1, 16}) {
      for (std::size_t threads : {1, 2}) {
        const Result r = run(threads, shards, get_percent, seconds);
        std::printf(
            "{\"bench\": \"lru_cache\", \"threads\": %zu, \"shards\": %zu, \"get_percent\": %d, "
            "\"capacity\": 65536, \"ops_per_second\": %.0f, \"hit_rate\": %.3f}\n",
            threads, shards, get_percent, r.ops_per_second, r.hit_rate);
      }
    }
  }
  // Hashing a 20-feature row into a key.
  std::vector<double> row(20);
  for (std::size_t i = 0; i < row.size(); ++i) row[i] = 0.1 * static_cast<double>(i);
  std::uint64_t acc = 0;
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRows = 10'000'000;
  for (int i = 0; i < kRows; ++i) {
    row[0] = i;
    acc ^= kc::hash_row(row);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"bench\": \"hash_row\", \"features\": 20, \"ns_per_row\": %.2f, \"check\": %llu}\n",
      elapsed / kRows * 1e9, static_cast<unsigned long long>(acc & 0xff));
  return 0;
}
