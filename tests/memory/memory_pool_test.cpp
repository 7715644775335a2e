// SPDX-License-Identifier: MIT
// Tests of the memory pool: alignment, size classes, reuse, statistics and threads.
#include "kolosal/memory/memory_pool.hpp"

#include <cstring>
#include <set>
#include <thread>

#include "kolosal/core/error.hpp"

#include "test_util.hpp"

namespace kmem = kolosal::memory;

TEST_CASE("MemoryPool: aligned buffers in power-of-two classes", "[memory]") {
  kmem::MemoryPool pool;
  for (std::size_t bytes : {0, 1, 63, 64, 65, 100, 1000, 4096, 4097, 100000}) {
    auto b = pool.allocate(bytes);
    REQUIRE(b);
    CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % kmem::kAlignment == 0);
    CHECK(b.size() == bytes);
    CHECK(b.capacity() >= std::max<std::size_t>(bytes, 64));
    CHECK(std::has_single_bit(b.capacity()));
    CHECK(b.capacity() < 2 * std::max<std::size_t>(bytes, 64));
    std::memset(b.data(), 0xab, b.capacity());  // the whole capacity is usable
  }
  CHECK(pool.class_capacity(65) == 128);
  CHECK(pool.class_capacity(std::size_t{1} << 26) == std::size_t{1} << 26);
  CHECK(pool.class_capacity((std::size_t{1} << 26) + 1) == 0);  // beyond the classes
  auto doubles = pool.allocate(10 * sizeof(double));
  auto span = doubles.as<double>();
  CHECK(span.size() == 10);
  for (std::size_t i = 0; i < span.size(); ++i) span[i] = static_cast<double>(i);
  CHECK(span[9] == 9.0);
}

TEST_CASE("MemoryPool: released blocks are reused and statistics add up", "[memory]") {
  kmem::MemoryPoolConfig config;
  config.numa = kmem::NumaPolicy::kOff;
  kmem::MemoryPool pool(config);
  void* first = nullptr;
  {
    auto a = pool.allocate(1000);  // class 1024
    auto b = pool.allocate(3000);  // class 4096
    first = a.data();
    auto s = pool.stats();
    CHECK(s.allocations == 2);
    CHECK(s.reuse_hits == 0);
    CHECK(s.system_allocations == 2);
    CHECK(s.bytes_in_use == 1024 + 4096);
    CHECK(s.peak_bytes_in_use == 1024 + 4096);
  }
  CHECK(pool.stats().bytes_in_use == 0);
  auto again = pool.allocate(900);  // same class: the very block released last
  CHECK(again.data() == first);
  auto s = pool.stats();
  CHECK(s.reuse_hits == 1);
  CHECK(s.system_allocations == 2);
  CHECK(s.bytes_in_use == 1024);
  CHECK(s.peak_bytes_in_use == 1024 + 4096);
  CHECK(s.reuse_rate() == Approx(1.0 / 3.0));

  // Moves transfer ownership; reset returns the block once.
  kmem::Buffer moved = std::move(again);
  CHECK_FALSE(again);  // NOLINT(bugprone-use-after-move)
  moved.reset();
  moved.reset();
  CHECK(pool.stats().bytes_in_use == 0);

  // Blocks above max_block bypass the classes and go straight back to the system.
  {
    auto big = pool.allocate((std::size_t{1} << 26) + 10);
    CHECK(big.capacity() == (std::size_t{1} << 26) + 64);
  }
  s = pool.stats();
  CHECK(s.system_frees == 1);
  CHECK(s.bytes_in_use == 0);
  CHECK(s.to_json()["allocations"] == 4);
}

TEST_CASE("MemoryPool: a full thread cache spills to the depot, trim frees it", "[memory]") {
  kmem::MemoryPoolConfig config;
  config.thread_cache_blocks = 4;
  config.numa = kmem::NumaPolicy::kOff;
  kmem::MemoryPool pool(config);
  {
    std::vector<kmem::Buffer> held;
    for (int i = 0; i < 10; ++i) held.push_back(pool.allocate(256));
  }
  auto s = pool.stats();
  CHECK(s.system_allocations == 10);
  CHECK(s.depot_bytes > 0);
  CHECK(s.depot_bytes % 256 == 0);
  // Another thread finds the spilled blocks in the depot.
  std::thread([&] {
    auto b = pool.allocate(200);
    CHECK(pool.stats().reuse_hits == 1);
  }).join();
  pool.trim();
  s = pool.stats();
  CHECK(s.depot_bytes == 0);
  CHECK(s.system_frees > 0);

  kmem::MemoryPoolConfig bad;
  bad.min_block = 48;
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { kmem::MemoryPool p(bad); },
                                                        "min_block");
}

TEST_CASE("MemoryPool: NUMA binding through hwloc falls back cleanly", "[memory]") {
  kmem::MemoryPoolConfig config;
  config.numa = kmem::NumaPolicy::kBind;  // bind even on a single node
  kmem::MemoryPool pool(config);
  auto b = pool.allocate(1 << 20);
  std::memset(b.data(), 1, b.capacity());
  const auto s = pool.stats();
  CHECK(s.numa_binding);
  CHECK(s.numa_nodes >= 1);
  CHECK(s.bind_failures <= 1);  // a container may refuse the binding; the block still works
  kmem::MemoryPool automatic;
  CHECK(automatic.stats().numa_binding == (automatic.stats().numa_nodes > 1));
}

TEST_CASE("MemoryPool: concurrency of allocation and release across threads", "[memory]") {
  kmem::MemoryPoolConfig config;
  config.thread_cache_blocks = 8;
  auto pool = std::make_unique<kmem::MemoryPool>(config);
  std::atomic<int> bad{0};
  std::vector<kmem::Buffer> handoff;  // blocks released by another thread than their allocator
  std::mutex handoff_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::vector<kmem::Buffer> mine;
      for (int i = 0; i < 2000; ++i) {
        const std::size_t bytes = 64u << ((i + t) % 8);
        auto b = pool->allocate(bytes);
        std::memset(b.data(), t, bytes);
        mine.push_back(std::move(b));
        if (mine.size() == 16) {
          for (auto& m : mine) {
            const auto* p = static_cast<const unsigned char*>(m.data());
            if (p[0] != t || p[m.size() - 1] != t) bad.fetch_add(1);
          }
          std::lock_guard lock(handoff_mutex);
          for (int k = 0; k < 4; ++k) {
            handoff.push_back(std::move(mine.back()));
            mine.pop_back();
          }
          if (handoff.size() > 64) handoff.clear();
          mine.clear();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  handoff.clear();
  const auto s = pool->stats();
  CHECK(s.bytes_in_use == 0);
  CHECK(s.allocations == 16000);
  CHECK(s.reuse_hits + s.system_allocations == 16000);
  CHECK(s.reuse_rate() > 0.9);
  // The pool may go before its buffers.
  auto survivor = pool->allocate(128);
  pool.reset();
  std::memset(survivor.data(), 0, 128);
  survivor.reset();
}
