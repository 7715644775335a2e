// SPDX-License-Identifier: MIT
// CRC-32 (zlib's, the IEEE 802.3 polynomial) over byte strings of any length.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <zlib.h>

namespace kolosal::detail {

[[nodiscard]] inline std::uint32_t crc32(std::string_view bytes) noexcept {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large inputs in pieces.
  while (!bytes.empty()) {
    const auto piece = static_cast<uInt>(std::min<std::size_t>(bytes.size(), 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), piece);
    bytes.remove_prefix(piece);
  }
  return static_cast<std::uint32_t>(crc & 0xFFFFFFFFUL);
}

}  // namespace kolosal::detail
