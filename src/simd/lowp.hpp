// SPDX-License-Identifier: MIT
// Low-precision kernels (FP16/BF16 conversion, quantize, dequantize, int8 dot products), one
// table per instruction set as in kernels.hpp; private to src/.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kolosal::simd::detail {

/// Affine quantization of one contiguous run: code = clamp(nearbyint(x / scale) + zero, lo, hi).
template <class T, class Code>
using QuantizeFn = void (*)(const T* x, std::size_t n, T scale, T zero, T lo, T hi, Code* out);
/// The inverse: x = (code - zero) * scale.
template <class T, class Code>
using DequantizeFn = void (*)(const Code* codes, std::size_t n, T scale, T zero, T* out);

template <class T>
struct QuantKernels {
  QuantizeFn<T, std::int8_t> quantize_i8;
  QuantizeFn<T, std::uint8_t> quantize_u8;
  QuantizeFn<T, std::int16_t> quantize_i16;
  DequantizeFn<T, std::int8_t> dequantize_i8;
  DequantizeFn<T, std::uint8_t> dequantize_u8;
  DequantizeFn<T, std::int16_t> dequantize_i16;
};

struct LowpTable {
  void (*float_to_fp16)(const float*, std::uint16_t*, std::size_t);
  void (*fp16_to_float)(const std::uint16_t*, float*, std::size_t);
  void (*float_to_bf16)(const float*, std::uint16_t*, std::size_t);
  void (*bf16_to_float)(const std::uint16_t*, float*, std::size_t);
  /// Σ a[i]·b[i] accumulated exactly in int32 (n < 2^17 keeps it from overflowing).
  std::int32_t (*dot_i8)(const std::int8_t*, const std::int8_t*, std::size_t);
  QuantKernels<float> f32;
  QuantKernels<double> f64;
};

const LowpTable& scalar_lowp() noexcept;
#if defined(KOLOSAL_SIMD_X86)
const LowpTable& sse2_lowp() noexcept;
const LowpTable& avx2_lowp() noexcept;  ///< needs AVX2, FMA and F16C
#endif

/// The table for the active SIMD level (simd::force_level applies).
const LowpTable& lowp() noexcept;

}  // namespace kolosal::simd::detail
