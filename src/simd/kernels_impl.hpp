// SPDX-License-Identifier: MIT
// Kernel bodies written once over an xsimd architecture; each per-ISA file instantiates them with
// its own compiler flags. Four independent accumulators hide the add latency. The bodies avoid
// non-template standard-library helpers: an out-of-line copy compiled with AVX2 flags could be
// picked by the linker for callers on a CPU without AVX2.
#pragma once

#include <xsimd/xsimd.hpp>

#include "simd/kernels.hpp"

namespace kolosal::simd::detail {

template <class Arch>
struct ArchKernels {
  template <class T>
  using Batch = xsimd::batch<T, Arch>;

  template <class T>
  static T horizontal_sum(const Batch<T>& b) noexcept {
    alignas(Arch::alignment()) T lanes[Batch<T>::size];
    b.store_aligned(lanes);
    T total = 0;
    for (T v : lanes) total += v;
    return total;
  }

  // Shared shape of dot, sum and squared distance: Σ f(a[i], b[i]).
  template <class T, class Term>
  static T accumulate(const T* a, const T* b, std::size_t n, Term term) noexcept {
    constexpr std::size_t w = Batch<T>::size;
    Batch<T> acc0(T(0)), acc1(T(0)), acc2(T(0)), acc3(T(0));
    std::size_t i = 0;
    for (; i + 4 * w <= n; i += 4 * w) {
      acc0 += term(Batch<T>::load_unaligned(a + i), Batch<T>::load_unaligned(b + i));
      acc1 += term(Batch<T>::load_unaligned(a + i + w), Batch<T>::load_unaligned(b + i + w));
      acc2 +=
          term(Batch<T>::load_unaligned(a + i + 2 * w), Batch<T>::load_unaligned(b + i + 2 * w));
      acc3 +=
          term(Batch<T>::load_unaligned(a + i + 3 * w), Batch<T>::load_unaligned(b + i + 3 * w));
    }
    for (; i + w <= n; i += w) {
      acc0 += term(Batch<T>::load_unaligned(a + i), Batch<T>::load_unaligned(b + i));
    }
    T total = horizontal_sum<T>((acc0 + acc1) + (acc2 + acc3));
    for (; i < n; ++i) total += term(a[i], b[i]);
    return total;
  }

  template <class T>
  static T dot(const T* a, const T* b, std::size_t n) noexcept {
    return accumulate<T>(a, b, n, [](auto x, auto y) { return x * y; });
  }
  template <class T>
  static T sum(const T* a, std::size_t n) noexcept {
    return accumulate<T>(a, a, n, [](auto x, auto) { return x; });
  }
  template <class T>
  static T squared_distance(const T* a, const T* b, std::size_t n) noexcept {
    return accumulate<T>(a, b, n, [](auto x, auto y) {
      auto d = x - y;
      return d * d;
    });
  }

  // Shared shape of min and max; `pick` is xsimd::min or xsimd::max (lane-wise), `better` the
  // matching scalar comparison. NaNs are tracked separately because the hardware min/max
  // instructions do not propagate them.
  template <class T, class Pick, class Better>
  static T extreme(const T* a, std::size_t n, bool* saw_nan, Pick pick, Better better) noexcept {
    constexpr std::size_t w = Batch<T>::size;
    std::size_t i = 0;
    T best = a[0];
    bool nan = false;
    if (n >= w) {
      Batch<T> acc = Batch<T>::load_unaligned(a);
      auto nan_mask = xsimd::isnan(acc);
      for (i = w; i + w <= n; i += w) {
        const Batch<T> x = Batch<T>::load_unaligned(a + i);
        nan_mask = nan_mask || xsimd::isnan(x);
        acc = pick(acc, x);
      }
      nan = xsimd::any(nan_mask);
      alignas(Arch::alignment()) T lanes[w];
      acc.store_aligned(lanes);
      best = lanes[0];
      for (T v : lanes) best = better(v, best) ? v : best;
    }
    for (; i < n; ++i) {
      if (a[i] != a[i]) nan = true;  // NaN
      best = better(a[i], best) ? a[i] : best;
    }
    *saw_nan = nan;
    return best;
  }
  template <class T>
  static T min(const T* a, std::size_t n, bool* saw_nan) noexcept {
    return extreme<T>(
        a, n, saw_nan, [](const auto& x, const auto& y) { return xsimd::min(x, y); },
        [](T x, T y) { return x < y; });
  }
  template <class T>
  static T max(const T* a, std::size_t n, bool* saw_nan) noexcept {
    return extreme<T>(
        a, n, saw_nan, [](const auto& x, const auto& y) { return xsimd::max(x, y); },
        [](T x, T y) { return x > y; });
  }

  template <class T>
  static constexpr KernelSet<T> set() noexcept {
    return {&dot<T>, &sum<T>, &squared_distance<T>, &min<T>, &max<T>};
  }
  static constexpr KernelTable table() noexcept { return {set<double>(), set<float>()}; }
};

}  // namespace kolosal::simd::detail
