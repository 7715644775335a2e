// SPDX-License-Identifier: MIT
// IEEE 754 binary16 (FP16) and bfloat16 (BF16) conversions from and to float and double, one
// value at a time or in bulk (F16C on AVX2 hosts).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "kolosal/core/config.hpp"

namespace kolosal::precision {

/// Storage precision of weights and activations.
enum class Precision {
  kFp32,  ///< IEEE binary32
  kFp16,  ///< IEEE binary16: 5 exponent bits, 10 mantissa bits (max 65504, min subnormal 2^-24)
  kBf16,  ///< bfloat16: float's 8 exponent bits, 7 mantissa bits
};

}  // namespace kolosal::precision

namespace kolosal::config {
template <>
struct EnumNames<precision::Precision> {
  using P = precision::Precision;
  static constexpr std::array kValues{std::pair{P::kFp32, "fp32"}, std::pair{P::kFp16, "fp16"},
                                      std::pair{P::kBf16, "bf16"}};
};
}  // namespace kolosal::config

namespace kolosal::precision {

// Narrowing rounds to nearest, ties to even, in one step from the source value (double inputs
// are never rounded through float first, which would round twice). Overflow gives a signed
// infinity, values below half the smallest subnormal give a signed zero, -0.0 stays -0.0.
// NaN: the sign and the leading payload bits that fit are kept and the quiet bit is set, so a
// NaN never becomes an infinity; this matches the F16C instructions. Widening is exact; a NaN
// keeps its sign and payload and is made quiet.

[[nodiscard]] std::uint16_t float_to_fp16(float x) noexcept;
[[nodiscard]] std::uint16_t double_to_fp16(double x) noexcept;
[[nodiscard]] float fp16_to_float(std::uint16_t h) noexcept;
[[nodiscard]] double fp16_to_double(std::uint16_t h) noexcept;

[[nodiscard]] std::uint16_t float_to_bf16(float x) noexcept;
[[nodiscard]] std::uint16_t double_to_bf16(double x) noexcept;
[[nodiscard]] float bf16_to_float(std::uint16_t b) noexcept;
[[nodiscard]] double bf16_to_double(std::uint16_t b) noexcept;

/// Rounds `x` to `p` and back: the value a float takes when stored at precision `p`.
[[nodiscard]] float round_to(Precision p, float x) noexcept;

// Bulk conversions, bit-identical to the scalar ones above for every input. FP16 uses the F16C
// instructions when the active SIMD level is AVX2 and the CPU has them; BF16 is an integer
// rounding loop compiled per instruction set. @throws ShapeMismatch when the lengths differ.

void float_to_fp16(std::span<const float> in, std::span<std::uint16_t> out);
void fp16_to_float(std::span<const std::uint16_t> in, std::span<float> out);
void float_to_bf16(std::span<const float> in, std::span<std::uint16_t> out);
void bf16_to_float(std::span<const std::uint16_t> in, std::span<float> out);

/// Whether the bulk FP16 conversions currently run on F16C instructions.
[[nodiscard]] bool fp16_hardware() noexcept;

}  // namespace kolosal::precision
