// SPDX-License-Identifier: MIT
// 64-bit keys for caches, hashed from input rows.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>

namespace kolosal::cache {

namespace detail {
inline constexpr std::uint64_t kSecret0 = 0xa0761d6478bd642fULL;
inline constexpr std::uint64_t kSecret1 = 0xe7037ed1a0b428dbULL;
inline constexpr std::uint64_t kSecret2 = 0x8ebc6af09c88c6e3ULL;

/// The 128-bit product of a and b folded to 64 bits by xor of its halves: the multiply-mix at the
/// heart of wyhash (Wang Yi, 2019), a full-avalanche step in one multiplication.
[[nodiscard]] inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
  __extension__ using U128 = unsigned __int128;
  const U128 r = static_cast<U128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

/// The bits of `v` with every NaN mapped to one quiet NaN and -0.0 to +0.0, so values that
/// compare equal (and all NaNs, which stand for "missing") hash equal.
[[nodiscard]] inline std::uint64_t canonical_bits(double v) noexcept {
  if (std::isnan(v)) return 0x7ff8000000000000ULL;
  if (v == 0.0) return 0;
  return std::bit_cast<std::uint64_t>(v);
}
}  // namespace detail

/// A 64-bit hash of a row of doubles for cache keys: order-sensitive, length-sensitive, NaN and
/// -0.0 canonicalised. Pairs of values are mixed with wyhash's folded multiply; distinct rows
/// collide with probability about 2^-64 per pair, so a cache keyed by it treats a hit as the row.
[[nodiscard]] inline std::uint64_t hash_row(std::span<const double> row,
                                            std::uint64_t seed = 0) noexcept {
  std::uint64_t h = seed ^ detail::fold_multiply(seed ^ detail::kSecret0, detail::kSecret1);
  std::size_t i = 0;
  for (; i + 2 <= row.size(); i += 2) {
    h = detail::fold_multiply(detail::canonical_bits(row[i]) ^ detail::kSecret1,
                              detail::canonical_bits(row[i + 1]) ^ h);
  }
  if (i < row.size()) {
    h = detail::fold_multiply(detail::canonical_bits(row[i]) ^ detail::kSecret2,
                              h ^ detail::kSecret0);
  }
  return detail::fold_multiply(h ^ detail::kSecret0,
                               static_cast<std::uint64_t>(row.size()) ^ detail::kSecret2);
}

}  // namespace kolosal::cache
