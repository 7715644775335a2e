// SPDX-License-Identifier: MIT
// Scalar FP16/BF16 conversions (one generic round-to-nearest-even narrowing from double bits) and
// the bulk entry points over the per-ISA kernels.
#include "kolosal/precision/half.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include "kolosal/core/error.hpp"

#include "simd/lowp.hpp"

namespace kolosal::precision {
namespace {

/// Rounds a double to a binary format with `E` exponent and `M` mantissa bits (1 + E + M <= 16),
/// ties to even, in one step. A float argument is widened exactly first, so float and double
/// sources share this path and neither rounds twice.
template <int E, int M>
std::uint16_t narrow(double x) noexcept {
  constexpr int kBias = (1 << (E - 1)) - 1;
  constexpr int kMinExp = 1 - kBias;  // exponent of the smallest normal
  constexpr std::uint32_t kExpMask = (1u << E) - 1;
  constexpr std::uint32_t kInf = kExpMask << M;
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto sign = static_cast<std::uint32_t>(bits >> 63) << (E + M);
  const auto exp = static_cast<int>((bits >> 52) & 0x7FF);
  const std::uint64_t man = bits & ((std::uint64_t{1} << 52) - 1);
  if (exp == 0x7FF) {
    if (man == 0) return static_cast<std::uint16_t>(sign | kInf);
    // NaN: keep the leading payload bits, set the quiet bit.
    const auto payload = static_cast<std::uint32_t>(man >> (52 - M));
    return static_cast<std::uint16_t>(sign | kInf | (1u << (M - 1)) | payload);
  }
  if (exp == 0) return static_cast<std::uint16_t>(sign);  // double subnormals are far below
  const int e = exp - 1023;
  const std::uint64_t m = man | (std::uint64_t{1} << 52);  // 53-bit significand, value m·2^(e-52)
  // Bits to drop: down to M fraction bits, more when the result is subnormal.
  const int shift = 52 - M + (e < kMinExp ? kMinExp - e : 0);
  if (shift > 54) return static_cast<std::uint16_t>(sign);  // below half the smallest subnormal
  std::uint64_t kept = m >> shift;
  const std::uint64_t rest = m & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (kept & 1) != 0)) ++kept;
  std::uint64_t out = 0;
  if (e < kMinExp) {
    out = kept;  // subnormal; a carry into bit M makes it the smallest normal, as it should
  } else {
    // `kept` carries the implicit bit at position M, which adds one to the exponent field; a
    // rounding carry out of the fraction bumps the exponent again, as it should.
    const std::int64_t field = static_cast<std::int64_t>(e) + kBias - 1;
    if (field >= static_cast<std::int64_t>(kExpMask))
      return static_cast<std::uint16_t>(sign | kInf);
    out = (static_cast<std::uint64_t>(field) << M) + kept;
  }
  if (out >= kInf) return static_cast<std::uint16_t>(sign | kInf);
  return static_cast<std::uint16_t>(sign | out);
}

/// Widens a binary format with `E` exponent and `M` mantissa bits to double, exactly.
template <int E, int M>
double widen(std::uint16_t v) noexcept {
  constexpr int kBias = (1 << (E - 1)) - 1;
  constexpr std::uint32_t kExpMask = (1u << E) - 1;
  const bool negative = ((v >> (E + M)) & 1u) != 0;
  const std::uint32_t exp = (v >> M) & kExpMask;
  const std::uint32_t man = v & ((1u << M) - 1);
  std::uint64_t bits = 0;
  if (exp == kExpMask) {
    // Infinity, or a NaN with its payload in the leading fraction bits, made quiet.
    bits = (std::uint64_t{0x7FF} << 52) | (static_cast<std::uint64_t>(man) << (52 - M));
    if (man != 0) bits |= std::uint64_t{1} << 51;
  } else if (exp == 0) {
    if (man == 0) return negative ? -0.0 : 0.0;
    // Subnormal: man·2^(1 - bias - M), exact in double.
    const double value = std::ldexp(static_cast<double>(man), 1 - kBias - M);
    return negative ? -value : value;
  } else {
    bits = (static_cast<std::uint64_t>(static_cast<int>(exp) - kBias + 1023) << 52) |
           (static_cast<std::uint64_t>(man) << (52 - M));
  }
  if (negative) bits |= std::uint64_t{1} << 63;
  return std::bit_cast<double>(bits);
}

/// Widens to float; a NaN is built from its bits so that no double-to-float conversion can touch
/// its payload.
template <int E, int M>
float widen_float(std::uint16_t v) noexcept {
  constexpr std::uint32_t kExpMask = (1u << E) - 1;
  const std::uint32_t man = v & ((1u << M) - 1);
  if (((v >> M) & kExpMask) == kExpMask && man != 0) {
    const std::uint32_t sign = static_cast<std::uint32_t>((v >> (E + M)) & 1u) << 31;
    return std::bit_cast<float>(sign | 0x7FC00000u | (man << (23 - M)));
  }
  return static_cast<float>(widen<E, M>(v));
}

template <class In, class Out>
void check_lengths(std::span<In> in, std::span<Out> out, const char* who) {
  KOLOSAL_CHECK(in.size() == out.size(), ShapeMismatch, "precision::", who, ": input has ",
                in.size(), " values but output has room for ", out.size());
}

}  // namespace

std::uint16_t float_to_fp16(float x) noexcept { return narrow<5, 10>(x); }
std::uint16_t double_to_fp16(double x) noexcept { return narrow<5, 10>(x); }
float fp16_to_float(std::uint16_t h) noexcept { return widen_float<5, 10>(h); }
double fp16_to_double(std::uint16_t h) noexcept { return widen<5, 10>(h); }

std::uint16_t float_to_bf16(float x) noexcept { return narrow<8, 7>(x); }
std::uint16_t double_to_bf16(double x) noexcept { return narrow<8, 7>(x); }
float bf16_to_float(std::uint16_t b) noexcept { return widen_float<8, 7>(b); }
double bf16_to_double(std::uint16_t b) noexcept { return widen<8, 7>(b); }

float round_to(Precision p, float x) noexcept {
  switch (p) {
    case Precision::kFp16:
      return fp16_to_float(float_to_fp16(x));
    case Precision::kBf16:
      return bf16_to_float(float_to_bf16(x));
    case Precision::kFp32:
      break;
  }
  return x;
}

void float_to_fp16(std::span<const float> in, std::span<std::uint16_t> out) {
  check_lengths(in, out, "float_to_fp16");
  simd::detail::lowp().float_to_fp16(in.data(), out.data(), in.size());
}
void fp16_to_float(std::span<const std::uint16_t> in, std::span<float> out) {
  check_lengths(in, out, "fp16_to_float");
  simd::detail::lowp().fp16_to_float(in.data(), out.data(), in.size());
}
void float_to_bf16(std::span<const float> in, std::span<std::uint16_t> out) {
  check_lengths(in, out, "float_to_bf16");
  simd::detail::lowp().float_to_bf16(in.data(), out.data(), in.size());
}
void bf16_to_float(std::span<const std::uint16_t> in, std::span<float> out) {
  check_lengths(in, out, "bf16_to_float");
  simd::detail::lowp().bf16_to_float(in.data(), out.data(), in.size());
}

bool fp16_hardware() noexcept {
  return simd::detail::lowp().float_to_fp16 != simd::detail::scalar_lowp().float_to_fp16;
}

}  // namespace kolosal::precision
