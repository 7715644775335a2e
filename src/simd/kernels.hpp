// SPDX-License-Identifier: MIT
// The kernel table each instruction-set file fills; private to src/.
#pragma once

#include <cstddef>

namespace kolosal::simd::detail {

template <class T>
struct KernelSet {
  T (*dot)(const T*, const T*, std::size_t);
  T (*sum)(const T*, std::size_t);
  T (*squared_distance)(const T*, const T*, std::size_t);
  // min and max of a non-empty range; report whether a NaN was seen.
  T (*min)(const T*, std::size_t, bool* saw_nan);
  T (*max)(const T*, std::size_t, bool* saw_nan);
};

struct KernelTable {
  KernelSet<double> f64;
  KernelSet<float> f32;
};

const KernelTable& scalar_kernels() noexcept;
#if defined(KOLOSAL_SIMD_X86)
const KernelTable& sse2_kernels() noexcept;
const KernelTable& avx2_kernels() noexcept;
#endif

}  // namespace kolosal::simd::detail
