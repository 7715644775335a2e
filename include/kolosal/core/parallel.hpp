// SPDX-License-Identifier: MIT
// Deterministic parallel loops on oneTBB behind a light header (oneTBB stays private to src/).
#pragma once

#include <cstddef>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/core/function_ref.hpp"

namespace kolosal::parallel {

/// Runs `body(begin, end)` over [0, n) split into blocks of `grain` indices, on at most
/// `ctx.threads()` threads. Block boundaries depend on `n` and `grain` only, never on the thread
/// count, so any per-block computation is reproducible. Exceptions thrown by `body` propagate.
void for_blocks(const Context& ctx, std::size_t n, std::size_t grain,
                FunctionRef<void(std::size_t begin, std::size_t end)> body);

/// Runs `body(i)` for each i in [0, n), one task per index (for coarse tasks: trees, folds).
void for_each_index(const Context& ctx, std::size_t n, FunctionRef<void(std::size_t i)> body);

/// Number of blocks `for_blocks` makes for (n, grain).
[[nodiscard]] constexpr std::size_t block_count(std::size_t n, std::size_t grain) noexcept {
  return grain == 0 ? 0 : (n + grain - 1) / grain;
}

/// Deterministic reduction: `map(begin, end)` computes a partial result per fixed block in
/// parallel, then partials are folded left to right with `combine`. The result is bit-identical
/// for any thread count.
template <class T, class Map, class Combine>
[[nodiscard]] T reduce(const Context& ctx, std::size_t n, std::size_t grain, T init, Map&& map,
                       Combine&& combine) {
  if (grain == 0) grain = 1;
  const std::size_t blocks = block_count(n, grain);
  std::vector<T> partial(blocks, init);
  for_blocks(ctx, n, grain,
             [&](std::size_t begin, std::size_t end) { partial[begin / grain] = map(begin, end); });
  T result = std::move(init);
  for (auto& p : partial) result = combine(std::move(result), std::move(p));
  return result;
}

}  // namespace kolosal::parallel
