// SPDX-License-Identifier: MIT
// Low-precision kernel bodies written once over an xsimd architecture and instantiated by each
// per-ISA file with its own flags. As in kernels_impl.hpp the bodies avoid inline
// standard-library helpers (std::min, std::nearbyint, std::bit_cast) and keep their own helpers
// in an unnamed namespace: an out-of-line copy compiled with AVX2 flags could otherwise be picked
// by the linker for callers on a CPU without AVX2.
#pragma once

#include <cstdint>

#include <xsimd/xsimd.hpp>

#include "simd/lowp.hpp"

namespace kolosal::simd::detail {
namespace {

inline std::uint32_t float_bits(float x) noexcept { return __builtin_bit_cast(std::uint32_t, x); }
inline float bits_float(std::uint32_t b) noexcept { return __builtin_bit_cast(float, b); }

template <class T>
inline T round_even(T v) noexcept {
  if constexpr (sizeof(T) == sizeof(float)) {
    return __builtin_nearbyintf(v);
  } else {
    return __builtin_nearbyint(v);
  }
}

/// Float to bfloat16, round to nearest even: adding 0x7FFF plus the lowest kept bit carries
/// into the kept half exactly when the dropped half is above the tie, or at the tie with an odd
/// kept half. Overflow carries into the exponent and gives infinity; NaN is quieted instead.
inline std::uint16_t bf16_bits(std::uint32_t bits) noexcept {
  const bool nan = (bits & 0x7FFFFFFFu) > 0x7F800000u;
  const std::uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
  return static_cast<std::uint16_t>(nan ? ((bits >> 16) | 0x40u) : rounded);
}

template <class Arch>
struct LowpArchKernels {
  template <class T>
  using Batch = xsimd::batch<T, Arch>;

  // Branch-free loops the compiler vectorises for the file's instruction set.
  static void float_to_bf16(const float* in, std::uint16_t* out, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = bf16_bits(float_bits(in[i]));
  }
  static void bf16_to_float(const std::uint16_t* in, float* out, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t b = static_cast<std::uint32_t>(in[i]) << 16;
      // Widening is exact; a signalling NaN is made quiet as the scalar path does.
      out[i] = bits_float((b & 0x7FFFFFFFu) > 0x7F800000u ? (b | 0x00400000u) : b);
    }
  }

  template <class T, class Code>
  static void quantize(const T* x, std::size_t n, T scale, T zero, T lo, T hi, Code* out) noexcept {
    constexpr std::size_t w = Batch<T>::size;
    const Batch<T> s(scale), z(zero), l(lo), h(hi);
    alignas(Arch::alignment()) T lanes[w];
    std::size_t i = 0;
    for (; i + w <= n; i += w) {
      Batch<T> v = xsimd::nearbyint(Batch<T>::load_unaligned(x + i) / s) + z;
      v = xsimd::min(xsimd::max(v, l), h);
      v.store_aligned(lanes);
      for (std::size_t j = 0; j < w; ++j) out[i + j] = static_cast<Code>(lanes[j]);
    }
    for (; i < n; ++i) {
      T v = round_even(x[i] / scale) + zero;
      v = v < lo ? lo : (v > hi ? hi : v);
      out[i] = static_cast<Code>(v);
    }
  }

  // xsimd 8 has no widening load from 8- or 16-bit integers, and filling lanes one by one was
  // slower than the scalar loop; written plainly, the loop vectorises for the file's
  // instruction set (sign-extending loads and integer-to-float conversion).
  template <class T, class Code>
  static void dequantize(const Code* codes, std::size_t n, T scale, T zero, T* out) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = (static_cast<T>(codes[i]) - zero) * scale;
  }

  template <class T>
  static constexpr QuantKernels<T> quant() noexcept {
    return {&quantize<T, std::int8_t>,    &quantize<T, std::uint8_t>,
            &quantize<T, std::int16_t>,   &dequantize<T, std::int8_t>,
            &dequantize<T, std::uint8_t>, &dequantize<T, std::int16_t>};
  }
};

/// Σ a[i]·b[i] in int32, the portable loop.
inline std::int32_t dot_i8_portable(const std::int8_t* a, const std::int8_t* b,
                                    std::size_t n) noexcept {
  std::int32_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
  }
  return total;
}

}  // namespace
}  // namespace kolosal::simd::detail
