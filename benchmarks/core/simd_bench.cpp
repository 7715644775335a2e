// SPDX-License-Identifier: MIT
// Microbenchmarks of the SIMD reductions at every compiled instruction-set level.
#include <vector>

#include <benchmark/benchmark.h>

#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/core/simd.hpp"

namespace {

namespace simd = kolosal::simd;

std::vector<double> random_vector(std::size_t n, std::uint64_t seed) {
  kolosal::Rng rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = rng.normal();
  return v;
}

// Runs `kernel` at `level`, skipping levels this CPU lacks.
template <class Kernel>
void run_at(benchmark::State& state, simd::Level level, Kernel kernel) {
  try {
    simd::force_level(level);
  } catch (const kolosal::UnsupportedError&) {
    state.SkipWithError("level not supported on this CPU");
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto a = random_vector(n, 1);
  const auto b = random_vector(n, 2);
  for (auto _ : state) benchmark::DoNotOptimize(kernel(a, b));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(double)));
  simd::force_level(std::nullopt);
}

void bm_dot(benchmark::State& state, simd::Level level) {
  run_at(state, level, [](const auto& a, const auto& b) {
    return simd::dot(std::span<const double>(a), std::span<const double>(b));
  });
}
void bm_squared_distance(benchmark::State& state, simd::Level level) {
  run_at(state, level, [](const auto& a, const auto& b) {
    return simd::squared_distance(std::span<const double>(a), std::span<const double>(b));
  });
}
void bm_argmax(benchmark::State& state, simd::Level level) {
  run_at(state, level,
         [](const auto& a, const auto&) { return simd::argmax(std::span<const double>(a)); });
}

}  // namespace

BENCHMARK_CAPTURE(bm_dot, scalar, simd::Level::kScalar)->Arg(4096);
BENCHMARK_CAPTURE(bm_dot, sse2, simd::Level::kSse2)->Arg(4096);
BENCHMARK_CAPTURE(bm_dot, avx2, simd::Level::kAvx2)->Arg(4096);
BENCHMARK_CAPTURE(bm_squared_distance, scalar, simd::Level::kScalar)->Arg(4096);
BENCHMARK_CAPTURE(bm_squared_distance, avx2, simd::Level::kAvx2)->Arg(4096);
BENCHMARK_CAPTURE(bm_argmax, scalar, simd::Level::kScalar)->Arg(4096);
BENCHMARK_CAPTURE(bm_argmax, avx2, simd::Level::kAvx2)->Arg(4096);

BENCHMARK_MAIN();
