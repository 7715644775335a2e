// SPDX-License-Identifier: MIT
// SSE2 low-precision kernels: xsimd quantize, vectorised dequantize and BF16 loops; FP16 and the
// int8 dot product use the scalar paths (SSE2 has neither F16C nor a sign-extending byte load).
#include "simd/lowp_impl.hpp"

namespace kolosal::simd::detail {

const LowpTable& sse2_lowp() noexcept {
  using K = LowpArchKernels<xsimd::sse2>;
  static const LowpTable table{scalar_lowp().float_to_fp16,
                               scalar_lowp().fp16_to_float,
                               &K::float_to_bf16,
                               &K::bf16_to_float,
                               &dot_i8_portable,
                               K::quant<float>(),
                               K::quant<double>()};
  return table;
}

}  // namespace kolosal::simd::detail
