// SPDX-License-Identifier: MIT
// AVX2 low-precision kernels, compiled with -mavx2 -mfma -mf16c and only called after the CPU is
// checked at run time: F16C conversions, the int8 dot product on vpmaddwd, xsimd quantization.
#include <immintrin.h>

#include "simd/lowp_impl.hpp"

namespace kolosal::simd::detail {
namespace {

void f16c_float_to_fp16(const float* in, std::uint16_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h =
        _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  if (i < n) {
    alignas(32) float tail[8] = {};
    alignas(16) std::uint16_t codes[8];
    for (std::size_t j = 0; i + j < n; ++j) tail[j] = in[i + j];
    _mm_store_si128(
        reinterpret_cast<__m128i*>(codes),
        _mm256_cvtps_ph(_mm256_load_ps(tail), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = codes[j];
  }
}

void f16c_fp16_to_float(const std::uint16_t* in, float* out, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  }
  if (i < n) {
    alignas(16) std::uint16_t codes[8] = {};
    alignas(32) float values[8];
    for (std::size_t j = 0; i + j < n; ++j) codes[j] = in[i + j];
    _mm256_store_ps(values,
                    _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(codes))));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = values[j];
  }
}

// Sign-extends 16 bytes to 16-bit lanes and multiplies pairwise into 32-bit sums (vpmaddwd);
// |a·b| <= 128·128, so a pair sum always fits.
std::int32_t avx2_dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t n) noexcept {
  __m256i acc0 = _mm256_setzero_si256();
  __m256i acc1 = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i a0 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i b0 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    const __m256i a1 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16)));
    const __m256i b1 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16)));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a1, b1));
  }
  for (; i + 16 <= n; i += 16) {
    const __m256i a0 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i b0 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
  }
  const __m256i acc = _mm256_add_epi32(acc0, acc1);
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  std::int32_t total = _mm_cvtsi128_si32(s);
  for (; i < n; ++i) total += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
  return total;
}

}  // namespace

const LowpTable& avx2_lowp() noexcept {
  using K = LowpArchKernels<xsimd::avx2>;
  static const LowpTable table{&f16c_float_to_fp16, &f16c_fp16_to_float, &K::float_to_bf16,
                               &K::bf16_to_float,   &avx2_dot_i8,        K::quant<float>(),
                               K::quant<double>()};
  return table;
}

}  // namespace kolosal::simd::detail
