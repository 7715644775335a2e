// SPDX-License-Identifier: MIT
// libFuzzer harness for the signed-container parser: header parsing, signature verification and
// decryption with fixed keys must refuse bad bytes with kolosal::Error, never crash. Seeds signed
// with fuzz/keys/fuzz.key reach the decryption and artifact decoding behind the signature.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/security/signing.hpp"

namespace {
// The public half of fuzz/keys/fuzz.key and the fuzzing encryption key: test keys, not secrets.
constexpr std::string_view kPublicKey = "6uRwCDYD2i3lmH7Mn16dgVWsdR29/08uOaXSTwC6Ktc=";
constexpr std::string_view kEncryptionKey = "ZQvG5X+ZskpNCnBus0edvOujcLLr69unY6DSsDCP9D8=";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kolosal;
  static const security::Key public_key =
      security::decode_key(kPublicKey, security::KeyKind::kSigningPublic, "fuzz public key");
  static const security::Key encryption =
      security::decode_key(kEncryptionKey, security::KeyKind::kEncryption, "fuzz encryption key");
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const security::ContainerHeader header = security::read_header(bytes, "fuzz");
    if (header.payload_size + security::kSignedHeaderSize + security::kSignatureSize != size) {
      __builtin_trap();  // read_header promised an exact length
    }
  } catch (const Error&) {
  }
  try {
    const std::string artifact = security::open_signed(bytes, public_key, &encryption, "fuzz");
    (void)serialization::decode(artifact, "model", "fuzz");
  } catch (const Error&) {
  }
  return 0;
}
