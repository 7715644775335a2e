// SPDX-License-Identifier: MIT
// Tests of the deterministic parallel loops.
#include "kolosal/core/parallel.hpp"

#include <atomic>

#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

namespace {

// A sum whose value depends on the order of additions, reduced in blocks: it must not depend on
// the thread count.
double blocked_sum(const std::vector<double>& values, int threads) {
  kolosal::Context ctx;
  ctx.n_threads = threads;
  return kolosal::parallel::reduce(
      ctx, values.size(), 1000, 0.0,
      [&](std::size_t begin, std::size_t end) {
        double s = 0.0;
        for (std::size_t i = begin; i < end; ++i) s += values[i];
        return s;
      },
      [](double a, double b) { return a + b; });
}

}  // namespace

TEST_CASE("parallel: reductions are bit-identical for any thread count", "[core][parallel]") {
  kolosal::Rng rng(1);
  std::vector<double> values(100003);
  for (auto& v : values) v = rng.normal() * std::pow(10.0, rng.uniform(-8, 8));
  const double one = blocked_sum(values, 1);
  CHECK(blocked_sum(values, 2) == one);
  CHECK(blocked_sum(values, 3) == one);
  CHECK(blocked_sum(values, 8) == one);
  CHECK(blocked_sum(values, 0) == one);
}

TEST_CASE("parallel: per-task random streams make results thread-count independent",
          "[core][parallel]") {
  auto simulate = [](int threads) {
    kolosal::Context ctx;
    ctx.n_threads = threads;
    ctx.seed = 2024;
    const kolosal::Rng root(ctx.seed);
    std::vector<double> out(64);
    kolosal::parallel::for_each_index(ctx, out.size(), [&](std::size_t task) {
      kolosal::Rng rng = root.split(task);
      double acc = 0.0;
      for (int i = 0; i < 1000; ++i) acc += rng.normal();
      out[task] = acc;
    });
    return out;
  };
  const auto one = simulate(1);
  CHECK(simulate(2) == one);
  CHECK(simulate(5) == one);
}

TEST_CASE("parallel: for_blocks visits every index exactly once", "[core][parallel]") {
  kolosal::Context ctx;
  ctx.n_threads = 2;
  for (std::size_t n : {0u, 1u, 7u, 1000u, 1001u}) {
    std::vector<std::atomic<int>> hits(n);
    kolosal::parallel::for_blocks(ctx, n, 64, [&](std::size_t begin, std::size_t end) {
      CHECK(begin % 64 == 0);
      for (std::size_t i = begin; i < end; ++i) hits[i].fetch_add(1);
    });
    for (std::size_t i = 0; i < n; ++i) REQUIRE(hits[i].load() == 1);
  }
  CHECK(kolosal::parallel::block_count(1001, 64) == 16);
}

TEST_CASE("parallel: an exception in a task reaches the caller", "[core][parallel]") {
  kolosal::Context ctx;
  ctx.n_threads = 2;
  CHECK_THROWS_AS(kolosal::parallel::for_each_index(ctx, 100,
                                                    [](std::size_t i) {
                                                      if (i == 37) {
                                                        throw kolosal::DataError("task 37");
                                                      }
                                                    }),
                  kolosal::DataError);
}

TEST_CASE("Context: threads() resolves 0 to the hardware count", "[core][parallel]") {
  kolosal::Context ctx;
  CHECK(ctx.threads() == kolosal::hardware_threads());
  CHECK(ctx.threads() >= 1);
  ctx.n_threads = 3;
  CHECK(ctx.threads() == 3);
}
