// SPDX-License-Identifier: MIT
// libFuzzer harness for the artifact loader, JSON text and binary (CBOR) envelopes: any bytes
// must decode or throw kolosal::Error. A payload that decodes must survive a binary round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  nlohmann::json payload;
  try {
    payload = kolosal::serialization::decode(bytes, "model", "fuzz");
  } catch (const kolosal::Error&) {
    return 0;
  }
  // Re-encoding is deterministic, so a decode/encode cycle must reproduce the bytes exactly
  // (compared as bytes: NaN payloads are not equal to themselves as JSON values).
  const std::string binary =
      kolosal::serialization::encode("model", payload, kolosal::serialization::Encoding::kBinary);
  const std::string again = kolosal::serialization::encode(
      "model", kolosal::serialization::decode(binary, "model", "fuzz"),
      kolosal::serialization::Encoding::kBinary);
  if (again != binary) __builtin_trap();
  return 0;
}
