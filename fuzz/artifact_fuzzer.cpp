// SPDX-License-Identifier: MIT
// libFuzzer harness for the artifact loader, JSON text and binary (CBOR) envelopes: any bytes
// must decode or throw kolosal::Error. A payload that decodes must re-encode and decode equal.
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
  const std::string binary =
      kolosal::serialization::encode("model", payload, kolosal::serialization::Encoding::kBinary);
  if (kolosal::serialization::decode(binary, "model", "fuzz") != payload) __builtin_trap();
  return 0;
}
