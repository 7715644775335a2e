// SPDX-License-Identifier: MIT
// SSE2 kernels: the x86-64 baseline, compiled with the default flags.
#include "simd/kernels_impl.hpp"

namespace kolosal::simd::detail {

const KernelTable& sse2_kernels() noexcept {
  static constexpr KernelTable table = ArchKernels<xsimd::sse2>::table();
  return table;
}

}  // namespace kolosal::simd::detail
