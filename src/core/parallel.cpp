// SPDX-License-Identifier: MIT
// oneTBB implementation of the deterministic loops and the Context thread count.
#include "kolosal/core/parallel.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/arena_hooks.hpp"

namespace kolosal {

int hardware_threads() noexcept {
  const int n = tbb::info::default_concurrency();
  return n > 0 ? n : 1;
}

int Context::threads() const noexcept { return n_threads > 0 ? n_threads : hardware_threads(); }

namespace parallel {

namespace {
// One arena per thread count, created on first use and shared: constructing an arena per call
// would cost more than many of the loops it runs. Arenas are safe to enter from several threads.
struct Arenas {
  std::mutex mutex;
  std::map<int, std::unique_ptr<tbb::task_arena>> by_threads;
  std::map<std::size_t, detail::ArenaListener> listeners;
  std::size_t next_listener = 0;
};

Arenas& arenas() {
  static Arenas instance;
  return instance;
}

tbb::task_arena& arena_for(int threads) {
  Arenas& a = arenas();
  std::lock_guard lock(a.mutex);
  auto& slot = a.by_threads[threads];
  if (!slot) {
    slot = std::make_unique<tbb::task_arena>(threads);
    for (auto& [id, listener] : a.listeners) listener(*slot);
  }
  return *slot;
}
}  // namespace

namespace detail {
std::size_t add_arena_listener(ArenaListener listener) {
  Arenas& a = arenas();
  std::lock_guard lock(a.mutex);
  for (auto& [threads, arena] : a.by_threads) listener(*arena);
  const std::size_t id = a.next_listener++;
  a.listeners.emplace(id, std::move(listener));
  return id;
}

void remove_arena_listener(std::size_t id) {
  Arenas& a = arenas();
  std::lock_guard lock(a.mutex);
  a.listeners.erase(id);
}
}  // namespace detail

void for_blocks(const Context& ctx, std::size_t n, std::size_t grain,
                FunctionRef<void(std::size_t, std::size_t)> body) {
  if (n == 0) return;
  if (grain == 0) grain = 1;
  const std::size_t blocks = block_count(n, grain);
  if (ctx.threads() <= 1 || blocks == 1) {
    for (std::size_t b = 0; b < blocks; ++b) body(b * grain, std::min(n, (b + 1) * grain));
    return;
  }
  // oneTBB cannot run more workers than the hardware has threads without a process-wide
  // global_control; block boundaries, not the worker count, decide the results anyway.
  arena_for(std::min(ctx.threads(), hardware_threads())).execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks, 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t b = r.begin(); b < r.end(); ++b) {
                          body(b * grain, std::min(n, (b + 1) * grain));
                        }
                      });
  });
}

void for_each_index(const Context& ctx, std::size_t n, FunctionRef<void(std::size_t)> body) {
  for_blocks(ctx, n, 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) body(i);
  });
}

}  // namespace parallel
}  // namespace kolosal
