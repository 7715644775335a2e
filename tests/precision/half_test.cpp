// SPDX-License-Identifier: MIT
// FP16 / BF16 conversions against exact values, exhaustive round trips, and every SIMD level
// against the scalar path.
#include "kolosal/precision/half.hpp"

#include <bit>
#include <cstdint>
#include <limits>
#include <random>

#include "kolosal/core/simd.hpp"

#include "test_util.hpp"

namespace {

namespace p = kolosal::precision;
using kolosal::simd::Level;

float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }
std::uint32_t bits(float f) { return std::bit_cast<std::uint32_t>(f); }

/// The exact value of an FP16 pattern from its definition.
double fp16_reference(std::uint16_t h) {
  const int e = (h >> 10) & 0x1F;
  const int m = h & 0x3FF;
  const double s = (h & 0x8000) != 0 ? -1.0 : 1.0;
  if (e == 0) return s * std::ldexp(m, -24);
  if (e == 31) return m == 0 ? s * std::numeric_limits<double>::infinity() : std::nan("");
  return s * std::ldexp(1024 + m, e - 25);
}

/// The exact value of a BF16 pattern from its definition.
double bf16_reference(std::uint16_t b) {
  const int e = (b >> 7) & 0xFF;
  const int m = b & 0x7F;
  const double s = (b & 0x8000) != 0 ? -1.0 : 1.0;
  if (e == 0) return s * std::ldexp(m, -133);
  if (e == 255) return m == 0 ? s * std::numeric_limits<double>::infinity() : std::nan("");
  return s * std::ldexp(128 + m, e - 134);
}

std::vector<Level> levels() {
  std::vector<Level> out{Level::kScalar};
  for (Level l : {Level::kSse2, Level::kAvx2}) {
    try {
      kolosal::simd::force_level(l);
      out.push_back(l);
    } catch (const kolosal::UnsupportedError&) {
    }
  }
  kolosal::simd::force_level(std::nullopt);
  return out;
}

}  // namespace

TEST_CASE("FP16: exact values, subnormals, overflow and signed zero", "[precision][half]") {
  CHECK(p::float_to_fp16(1.0f) == 0x3C00);
  CHECK(p::float_to_fp16(-2.0f) == 0xC000);
  CHECK(p::float_to_fp16(0.0f) == 0x0000);
  CHECK(p::float_to_fp16(-0.0f) == 0x8000);
  CHECK(std::signbit(p::fp16_to_float(0x8000)));
  CHECK(p::float_to_fp16(65504.0f) == 0x7BFF);  // largest finite
  CHECK(p::float_to_fp16(65519.0f) == 0x7BFF);  // below the midpoint to 65536
  CHECK(p::float_to_fp16(65520.0f) == 0x7C00);  // the midpoint rounds to even: infinity
  CHECK(p::float_to_fp16(1e10f) == 0x7C00);
  CHECK(p::float_to_fp16(-1e10f) == 0xFC00);
  CHECK(p::double_to_fp16(1e300) == 0x7C00);
  CHECK(p::float_to_fp16(std::ldexp(1.0f, -14)) == 0x0400);     // smallest normal
  CHECK(p::float_to_fp16(std::ldexp(1.0f, -24)) == 0x0001);     // smallest subnormal
  CHECK(p::float_to_fp16(std::ldexp(1023.0f, -24)) == 0x03FF);  // largest subnormal
  CHECK(p::float_to_fp16(std::ldexp(2047.0f, -25)) == 0x0400);  // rounds up into normals
  CHECK(p::fp16_to_float(0x0001) == std::ldexp(1.0f, -24));
  CHECK(p::fp16_to_float(0x03FF) == std::ldexp(1023.0f, -24));
  CHECK(p::fp16_to_float(0x7BFF) == 65504.0f);
  CHECK(p::double_to_fp16(1e-300) == 0x0000);
  CHECK(p::double_to_fp16(-1e-300) == 0x8000);
}

TEST_CASE("FP16: ties round to even in normal and subnormal ranges", "[precision][half]") {
  // Normal: 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10 (odd).
  CHECK(p::float_to_fp16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);
  CHECK(p::float_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);
  CHECK(p::float_to_fp16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3C01);
  CHECK(p::float_to_fp16(-(1.0f + 3 * std::ldexp(1.0f, -11))) == 0xBC02);
  // Subnormal: half the smallest subnormal ties to 0; 1.5 and 2.5 of it tie to 2.
  CHECK(p::float_to_fp16(std::ldexp(1.0f, -25)) == 0x0000);
  CHECK(p::float_to_fp16(std::ldexp(1.0f, -25) * 1.0000001f) == 0x0001);
  CHECK(p::float_to_fp16(std::ldexp(3.0f, -25)) == 0x0002);
  CHECK(p::float_to_fp16(std::ldexp(5.0f, -25)) == 0x0002);
  CHECK(p::float_to_fp16(std::ldexp(7.0f, -25)) == 0x0004);
  // A double just above a tie rounds up directly; rounding through float first would see an
  // exact tie and round down to even.
  const double above = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  CHECK(p::double_to_fp16(above) == 0x3C01);
  CHECK(p::float_to_fp16(static_cast<float>(above)) == 0x3C00);
}

TEST_CASE("FP16: infinities and NaN keep sign and leading payload, made quiet",
          "[precision][half]") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(p::float_to_fp16(inf) == 0x7C00);
  CHECK(p::float_to_fp16(-inf) == 0xFC00);
  CHECK(p::fp16_to_float(0x7C00) == inf);
  CHECK(p::fp16_to_float(0xFC00) == -inf);
  CHECK(p::float_to_fp16(from_bits(0x7FC00000)) == 0x7E00);  // default quiet NaN
  CHECK(p::float_to_fp16(from_bits(0xFFC00000)) == 0xFE00);  // negative NaN
  CHECK(p::float_to_fp16(from_bits(0x7FC12345)) == 0x7E09);  // payload 0x412345 >> 13
  CHECK(p::float_to_fp16(from_bits(0x7F802000)) == 0x7E01);  // signalling: quieted, payload kept
  CHECK(p::float_to_fp16(from_bits(0x7F800001)) == 0x7E00);  // payload lost, still a NaN
  CHECK(bits(p::fp16_to_float(0x7E09)) == 0x7FC12000u);
  CHECK(bits(p::fp16_to_float(0x7C01)) == 0x7FC02000u);  // signalling in, quiet out
  CHECK(bits(p::fp16_to_float(0xFE00)) == 0xFFC00000u);
  CHECK(std::isnan(p::fp16_to_double(0x7C01)));
  CHECK(p::double_to_fp16(std::numeric_limits<double>::quiet_NaN()) == 0x7E00);
}

TEST_CASE("BF16: exact values, ties, overflow, subnormals and NaN", "[precision][half]") {
  CHECK(p::float_to_bf16(1.0f) == 0x3F80);
  CHECK(p::float_to_bf16(-0.0f) == 0x8000);
  CHECK(p::float_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);        // tie to even
  CHECK(p::float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3F82);    // tie to even (up)
  CHECK(p::float_to_bf16(from_bits(0x3F808001)) == 0x3F81);              // above the tie
  CHECK(p::float_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);  // rounds to infinity
  CHECK(p::float_to_bf16(from_bits(0x7F7F7FFF)) == 0x7F7F);
  CHECK(p::double_to_bf16(1e39) == 0x7F80);
  CHECK(p::double_to_bf16(-1e300) == 0xFF80);
  CHECK(p::float_to_bf16(std::ldexp(1.0f, -133)) == 0x0001);    // smallest subnormal
  CHECK(p::float_to_bf16(std::ldexp(1.0f, -134)) == 0x0000);    // half of it: tie to 0
  CHECK(p::float_to_bf16(std::ldexp(3.0f, -134)) == 0x0002);    // 1.5 of it: tie to 2
  CHECK(p::float_to_bf16(std::ldexp(127.0f, -133)) == 0x007F);  // largest subnormal
  CHECK(p::float_to_bf16(std::numeric_limits<float>::denorm_min()) == 0x0000);
  CHECK(p::bf16_to_float(0x0001) == std::ldexp(1.0f, -133));
  CHECK(p::float_to_bf16(from_bits(0x7FC00000)) == 0x7FC0);
  CHECK(p::float_to_bf16(from_bits(0xFF800001)) == 0xFFC0);  // signalling, payload below
  CHECK(p::float_to_bf16(from_bits(0x7F810000)) == 0x7FC1);
  CHECK(bits(p::bf16_to_float(0x7F81)) == 0x7FC10000u);
  CHECK(p::bf16_to_float(0xFF80) == -std::numeric_limits<float>::infinity());
  // Double rounding through float would land on the tie and round to even.
  const double above = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30);
  CHECK(p::double_to_bf16(above) == 0x3F81);
  CHECK(p::float_to_bf16(static_cast<float>(above)) == 0x3F80);
}

TEST_CASE("FP16 and BF16: exhaustive round trip of all 65536 patterns", "[precision][half]") {
  for (std::uint32_t i = 0; i < 65536; ++i) {
    const auto h = static_cast<std::uint16_t>(i);
    for (int format = 0; format < 2; ++format) {
      const bool fp16 = format == 0;
      const double exact = fp16 ? fp16_reference(h) : bf16_reference(h);
      const float f = fp16 ? p::fp16_to_float(h) : p::bf16_to_float(h);
      const double d = fp16 ? p::fp16_to_double(h) : p::bf16_to_double(h);
      const std::uint16_t back_f = fp16 ? p::float_to_fp16(f) : p::float_to_bf16(f);
      const std::uint16_t back_d = fp16 ? p::double_to_fp16(d) : p::double_to_bf16(d);
      const std::uint16_t quiet = fp16 ? 0x0200 : 0x0040;
      if (std::isnan(exact)) {
        REQUIRE(std::isnan(f));
        REQUIRE(std::signbit(f) == ((h & 0x8000) != 0));
        REQUIRE(back_f == (h | quiet));  // payload kept, made quiet
        REQUIRE(back_d == (h | quiet));
      } else {
        REQUIRE(static_cast<double>(f) == exact);
        REQUIRE(d == exact);
        REQUIRE(std::signbit(f) == ((h & 0x8000) != 0));
        REQUIRE(back_f == h);
        REQUIRE(back_d == h);
      }
    }
  }
}

TEST_CASE("FP16 and BF16: narrowing is the nearest value, ties to even, on random floats",
          "[precision][half]") {
  std::mt19937 gen(7);
  for (int i = 0; i < 200000; ++i) {
    const float x = from_bits(static_cast<std::uint32_t>(gen()));
    if (std::isnan(x) || std::isinf(x)) continue;
    for (int format = 0; format < 2; ++format) {
      const bool fp16 = format == 0;
      const std::uint16_t h = fp16 ? p::float_to_fp16(x) : p::float_to_bf16(x);
      const double v = fp16 ? fp16_reference(h) : bf16_reference(h);
      if (std::isinf(v)) {
        // Overflow only beyond the midpoint between the largest finite value and 2^(emax+1).
        const double limit = fp16 ? 65520.0 : std::ldexp(256.0 - 0.5, 120);
        REQUIRE(std::abs(static_cast<double>(x)) >= limit);
        continue;
      }
      // Neither neighbour of h is closer to x; at equal distance h is even.
      for (int step : {-1, 1}) {
        const auto n = static_cast<std::uint16_t>(h + step);
        if ((h & 0x7FFF) == 0 && step == -1) continue;  // zero: the neighbour is across signs
        const double w = fp16 ? fp16_reference(n) : bf16_reference(n);
        if (std::isnan(w) || std::isinf(w)) continue;
        const double dv = std::abs(v - x);
        const double dw = std::abs(w - x);
        REQUIRE(dv <= dw);
        if (dv == dw) REQUIRE((h & 1) == 0);
      }
    }
  }
}

TEST_CASE("FP16 and BF16: bulk kernels match the scalar path at every SIMD level",
          "[precision][half]") {
  std::vector<float> values;
  std::mt19937 gen(11);
  for (int i = 0; i < 100003; ++i) values.push_back(from_bits(static_cast<std::uint32_t>(gen())));
  // Ties, subnormals, infinities, NaNs and signed zeros.
  for (std::uint32_t b : {0x3F801000u, 0x3F803000u, 0x33000000u, 0x33400000u, 0x7F800000u,
                          0xFF800000u, 0x7FC12345u, 0x7F802000u, 0xFF800001u, 0x80000000u,
                          0x00000001u, 0x477FF000u, 0x477FEFFFu, 0x3F808000u, 0x3F818000u}) {
    values.push_back(from_bits(b));
  }
  std::vector<std::uint16_t> all(65536);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  for (Level level : levels()) {
    kolosal::simd::force_level(level);
    INFO("level " << kolosal::simd::to_string(level));
    std::vector<std::uint16_t> h(values.size());
    std::vector<float> f(all.size());
    p::float_to_fp16(values, h);
    for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(h[i] == p::float_to_fp16(values[i]));
    p::float_to_bf16(values, h);
    for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(h[i] == p::float_to_bf16(values[i]));
    p::fp16_to_float(all, f);
    for (std::size_t i = 0; i < all.size(); ++i) {
      REQUIRE(bits(f[i]) == bits(p::fp16_to_float(all[i])));
    }
    p::bf16_to_float(all, f);
    for (std::size_t i = 0; i < all.size(); ++i) {
      REQUIRE(bits(f[i]) == bits(p::bf16_to_float(all[i])));
    }
  }
  kolosal::simd::force_level(std::nullopt);
  std::vector<std::uint16_t> short_out(3);
  kolosal::test::expect_error<kolosal::ShapeMismatch>(
      [&] { p::float_to_fp16(std::span<const float>(values.data(), 4), short_out); },
      "float_to_fp16");
}

TEST_CASE("FP16 and BF16: round_to stores a float at a precision", "[precision][half]") {
  CHECK(p::round_to(p::Precision::kFp32, 0.1f) == 0.1f);
  CHECK(p::round_to(p::Precision::kFp16, 0.1f) == p::fp16_to_float(p::float_to_fp16(0.1f)));
  CHECK(std::abs(p::round_to(p::Precision::kFp16, 0.1f) - 0.1f) <= 0.1f * std::ldexp(1.0f, -11));
  CHECK(std::abs(p::round_to(p::Precision::kBf16, 0.1f) - 0.1f) <= 0.1f * std::ldexp(1.0f, -8));
}
