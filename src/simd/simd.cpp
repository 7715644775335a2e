// SPDX-License-Identifier: MIT
// Scalar kernels, run-time dispatch and the public entry points.
#include "kolosal/core/simd.hpp"

#include <atomic>
#include <cmath>

#include <xsimd/xsimd.hpp>

#include "kolosal/core/error.hpp"

#include "simd/kernels.hpp"

namespace kolosal::simd {
namespace detail {
namespace {

template <class T>
T scalar_dot(const T* a, const T* b, std::size_t n) noexcept {
  T total = 0;
  for (std::size_t i = 0; i < n; ++i) total += a[i] * b[i];
  return total;
}
template <class T>
T scalar_sum(const T* a, std::size_t n) noexcept {
  T total = 0;
  for (std::size_t i = 0; i < n; ++i) total += a[i];
  return total;
}
template <class T>
T scalar_squared_distance(const T* a, const T* b, std::size_t n) noexcept {
  T total = 0;
  for (std::size_t i = 0; i < n; ++i) total += (a[i] - b[i]) * (a[i] - b[i]);
  return total;
}
template <class T>
T scalar_min(const T* a, std::size_t n, bool* saw_nan) noexcept {
  T best = a[0];
  bool nan = false;
  for (std::size_t i = 0; i < n; ++i) {
    nan = nan || std::isnan(a[i]);
    best = a[i] < best ? a[i] : best;
  }
  *saw_nan = nan;
  return best;
}
template <class T>
T scalar_max(const T* a, std::size_t n, bool* saw_nan) noexcept {
  T best = a[0];
  bool nan = false;
  for (std::size_t i = 0; i < n; ++i) {
    nan = nan || std::isnan(a[i]);
    best = a[i] > best ? a[i] : best;
  }
  *saw_nan = nan;
  return best;
}
template <class T>
constexpr KernelSet<T> scalar_set() noexcept {
  return {&scalar_dot<T>, &scalar_sum<T>, &scalar_squared_distance<T>, &scalar_min<T>,
          &scalar_max<T>};
}

}  // namespace

const KernelTable& scalar_kernels() noexcept {
  static constexpr KernelTable table{scalar_set<double>(), scalar_set<float>()};
  return table;
}

}  // namespace detail

namespace {

// -1 means "not forced"; otherwise the forced Level as an int.
std::atomic<int> g_forced{-1};

bool supports(Level level) noexcept {
  switch (level) {
    case Level::kScalar:
      return true;
#if defined(KOLOSAL_SIMD_X86)
    case Level::kSse2:
      return xsimd::available_architectures().sse2 != 0;
    case Level::kAvx2: {
      const auto arch = xsimd::available_architectures();
      return arch.avx2 != 0 && arch.fma3_avx2 != 0;
    }
#else
    case Level::kSse2:
    case Level::kAvx2:
      return false;
#endif
  }
  return false;
}

const detail::KernelTable& table_for(Level level) noexcept {
  switch (level) {
#if defined(KOLOSAL_SIMD_X86)
    case Level::kAvx2:
      return detail::avx2_kernels();
    case Level::kSse2:
      return detail::sse2_kernels();
#endif
    default:
      return detail::scalar_kernels();
  }
}

const detail::KernelTable& active() noexcept {
  static const detail::KernelTable& detected = table_for(detected_level());
  const int forced = g_forced.load(std::memory_order_relaxed);
  return forced < 0 ? detected : table_for(static_cast<Level>(forced));
}

template <class T>
const detail::KernelSet<T>& kernels() noexcept {
  if constexpr (std::is_same_v<T, double>) {
    return active().f64;
  } else {
    return active().f32;
  }
}

template <class T>
void require_same_size(std::span<const T> a, std::span<const T> b, const char* who) {
  KOLOSAL_CHECK(a.size() == b.size(), ShapeMismatch, "simd::", who, ": lengths differ (", a.size(),
                " vs ", b.size(), ")");
}

template <class T>
void require_non_empty(std::span<const T> a, const char* who) {
  KOLOSAL_CHECK(!a.empty(), InvalidArgument, "simd::", who, ": empty input");
}

template <class T>
T min_impl(std::span<const T> a) {
  require_non_empty(a, "min");
  bool nan = false;
  const T m = kernels<T>().min(a.data(), a.size(), &nan);
  return nan ? std::numeric_limits<T>::quiet_NaN() : m;
}
template <class T>
T max_impl(std::span<const T> a) {
  require_non_empty(a, "max");
  bool nan = false;
  const T m = kernels<T>().max(a.data(), a.size(), &nan);
  return nan ? std::numeric_limits<T>::quiet_NaN() : m;
}
template <class T>
std::size_t argmax_impl(std::span<const T> a) {
  require_non_empty(a, "argmax");
  bool nan = false;
  const T m = kernels<T>().max(a.data(), a.size(), &nan);
  // The vector pass finds the value; a second, memory-bound pass finds its first index.
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (nan ? std::isnan(a[i]) : a[i] == m) return i;
  }
  return 0;
}

}  // namespace

std::string_view to_string(Level level) noexcept {
  switch (level) {
    case Level::kScalar:
      return "scalar";
    case Level::kSse2:
      return "sse2";
    case Level::kAvx2:
      return "avx2";
  }
  return "unknown";
}

Level detected_level() noexcept {
  if (supports(Level::kAvx2)) return Level::kAvx2;
  if (supports(Level::kSse2)) return Level::kSse2;
  return Level::kScalar;
}

Level active_level() noexcept {
  const int forced = g_forced.load(std::memory_order_relaxed);
  return forced < 0 ? detected_level() : static_cast<Level>(forced);
}

void force_level(std::optional<Level> level) {
  if (level) {
    KOLOSAL_CHECK(supports(*level), UnsupportedError, "simd::force_level: this CPU or build ",
                  "does not support ", to_string(*level));
  }
  g_forced.store(level ? static_cast<int>(*level) : -1, std::memory_order_relaxed);
}

double dot(std::span<const double> a, std::span<const double> b) {
  require_same_size(a, b, "dot");
  return kernels<double>().dot(a.data(), b.data(), a.size());
}
float dot(std::span<const float> a, std::span<const float> b) {
  require_same_size(a, b, "dot");
  return kernels<float>().dot(a.data(), b.data(), a.size());
}
double sum(std::span<const double> a) noexcept { return kernels<double>().sum(a.data(), a.size()); }
float sum(std::span<const float> a) noexcept { return kernels<float>().sum(a.data(), a.size()); }
double squared_distance(std::span<const double> a, std::span<const double> b) {
  require_same_size(a, b, "squared_distance");
  return kernels<double>().squared_distance(a.data(), b.data(), a.size());
}
float squared_distance(std::span<const float> a, std::span<const float> b) {
  require_same_size(a, b, "squared_distance");
  return kernels<float>().squared_distance(a.data(), b.data(), a.size());
}
double min(std::span<const double> a) { return min_impl(a); }
float min(std::span<const float> a) { return min_impl(a); }
double max(std::span<const double> a) { return max_impl(a); }
float max(std::span<const float> a) { return max_impl(a); }
std::size_t argmax(std::span<const double> a) { return argmax_impl(a); }
std::size_t argmax(std::span<const float> a) { return argmax_impl(a); }

}  // namespace kolosal::simd
