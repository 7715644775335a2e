// SPDX-License-Identifier: MIT
// AVX2 kernels, compiled with -mavx2 -mfma (see CMakeLists.txt) and only called after the CPU is
// checked at run time.
#include "simd/kernels_impl.hpp"

namespace kolosal::simd::detail {

const KernelTable& avx2_kernels() noexcept {
  static constexpr KernelTable table = ArchKernels<xsimd::avx2>::table();
  return table;
}

}  // namespace kolosal::simd::detail
