// SPDX-License-Identifier: MIT
// Scalar low-precision kernels and their run-time dispatch (the SIMD level of simd.hpp, plus an
// F16C check for the AVX2 table).
#include "simd/lowp.hpp"

#include <cmath>

#include "kolosal/core/simd.hpp"
#include "kolosal/precision/half.hpp"

#include "simd/lowp_impl.hpp"

#if defined(KOLOSAL_SIMD_X86)
#include <cpuid.h>
#endif

namespace kolosal::simd::detail {
namespace {

void scalar_float_to_fp16(const float* in, std::uint16_t* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = precision::float_to_fp16(in[i]);
}
void scalar_fp16_to_float(const std::uint16_t* in, float* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = precision::fp16_to_float(in[i]);
}
void scalar_float_to_bf16(const float* in, std::uint16_t* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = precision::float_to_bf16(in[i]);
}
void scalar_bf16_to_float(const std::uint16_t* in, float* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = precision::bf16_to_float(in[i]);
}

template <class T, class Code>
void scalar_quantize(const T* x, std::size_t n, T scale, T zero, T lo, T hi, Code* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    T v = std::nearbyint(x[i] / scale) + zero;
    v = v < lo ? lo : (v > hi ? hi : v);
    out[i] = static_cast<Code>(v);
  }
}
template <class T, class Code>
void scalar_dequantize(const Code* codes, std::size_t n, T scale, T zero, T* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = (static_cast<T>(codes[i]) - zero) * scale;
}
template <class T>
constexpr QuantKernels<T> scalar_quant() noexcept {
  return {&scalar_quantize<T, std::int8_t>,    &scalar_quantize<T, std::uint8_t>,
          &scalar_quantize<T, std::int16_t>,   &scalar_dequantize<T, std::int8_t>,
          &scalar_dequantize<T, std::uint8_t>, &scalar_dequantize<T, std::int16_t>};
}

#if defined(KOLOSAL_SIMD_X86)
bool has_f16c() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & bit_F16C) != 0;
}
#endif

}  // namespace

const LowpTable& scalar_lowp() noexcept {
  static constexpr LowpTable table{
      &scalar_float_to_fp16, &scalar_fp16_to_float, &scalar_float_to_bf16, &scalar_bf16_to_float,
      &dot_i8_portable,      scalar_quant<float>(), scalar_quant<double>()};
  return table;
}

const LowpTable& lowp() noexcept {
#if defined(KOLOSAL_SIMD_X86)
  static const bool f16c = has_f16c();
  switch (active_level()) {
    case Level::kAvx2:
      return f16c ? avx2_lowp() : sse2_lowp();
    case Level::kSse2:
      return sse2_lowp();
    default:
      return scalar_lowp();
  }
#else
  return scalar_lowp();
#endif
}

}  // namespace kolosal::simd::detail
