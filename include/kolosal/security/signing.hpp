// SPDX-License-Identifier: MIT
// Signed (Ed25519) and optionally encrypted (XChaCha20-Poly1305) artifact containers, the keys
// they use, and a loader that refuses anything unsigned, tampered, truncated or signed by
// another key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/error.hpp"

namespace kolosal::security {

/// A signature or decryption check failed: the bytes were modified, truncated, unsigned, or made
/// with another key. A SerializationError, so loaders that catch those catch it too.
class VerificationError : public SerializationError {
 public:
  using SerializationError::SerializationError;
};

enum class KeyKind {
  kSigningSecret,  ///< Ed25519 secret key (64 bytes: seed and public key)
  kSigningPublic,  ///< Ed25519 public key (32 bytes)
  kEncryption,     ///< XChaCha20-Poly1305 key (32 bytes); also keys the audit-log MAC
};

/// Stable name of a key kind, as written in key files: "ed25519-secret", "ed25519-public",
/// "xchacha20-key".
[[nodiscard]] std::string_view to_string(KeyKind kind) noexcept;

/// Key material. Move-only; the bytes are wiped (sodium_memzero) when the key is destroyed, and
/// no error message or log line ever contains them.
class Key {
 public:
  /// Takes `bytes` (wiped from the argument); throws InvalidArgument on a wrong length.
  Key(KeyKind kind, std::vector<unsigned char>&& bytes);
  Key(Key&& other) noexcept;
  Key& operator=(Key&& other) noexcept;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key();

  [[nodiscard]] KeyKind kind() const noexcept { return kind_; }
  [[nodiscard]] std::span<const unsigned char> bytes() const noexcept { return bytes_; }
  /// 16 hex digits naming the key without revealing it: BLAKE2b of the public key for signing
  /// keys (equal for a secret key and its public key), of a domain-separated hash otherwise.
  [[nodiscard]] std::string id() const;
  /// The public half of a signing secret key; throws InvalidArgument for other kinds.
  [[nodiscard]] Key public_key() const;

 private:
  void wipe() noexcept;

  KeyKind kind_;
  std::vector<unsigned char> bytes_;
};

struct SigningKeyPair {
  Key secret;
  Key public_key;
};

/// A fresh Ed25519 key pair from the operating system's random source.
[[nodiscard]] SigningKeyPair generate_signing_key();
/// A fresh random encryption key.
[[nodiscard]] Key generate_encryption_key();

/// The key-file text: "kolosal-<kind> <base64>\n".
[[nodiscard]] std::string encode_key(const Key& key);
/// Parses key-file text; `source` names it in errors (never the key itself). Throws
/// InvalidArgument on another kind, bad base64 or a wrong length.
[[nodiscard]] Key decode_key(std::string_view text, KeyKind expected, std::string_view source);

/// Writes a key file atomically: secret and encryption keys with mode 0600, public keys 0644.
void save_key(const std::filesystem::path& path, const Key& key);
/// Reads a key file. Secret and encryption key files readable by group or others are refused
/// (InvalidArgument, as ssh does), so a leaked permission is noticed rather than used.
[[nodiscard]] Key load_key(const std::filesystem::path& path, KeyKind expected);
/// Reads a key from the environment variable `name` (the key-file text, or its base64 alone).
/// Throws InvalidArgument naming the variable, never its value, when unset or invalid.
[[nodiscard]] Key key_from_env(const std::string& name, KeyKind expected);

/// Container layout (little-endian), 52-byte header then payload then signature:
///   "KOLSIGN\0" | u16 version | u8 flags (bit 0: encrypted) | u8 0 | key id (8 bytes)
///   | u64 payload length | nonce (24 bytes, zero when not encrypted) | payload | Ed25519 (64)
/// The signature covers header and payload, so any modified, removed or appended byte fails.
/// An encrypted payload is XChaCha20-Poly1305 ciphertext of the artifact with the header as
/// associated data (encrypt-then-sign: anyone with the public key can verify without decrypting).
inline constexpr std::string_view kSignedMagic{"KOLSIGN\0", 8};
inline constexpr int kSignedVersion = 1;
inline constexpr std::size_t kSignedHeaderSize = 52;
inline constexpr std::size_t kSignatureSize = 64;

/// Wraps artifact bytes in a signed container, encrypting them first when `encryption` is given.
/// Throws InvalidArgument when a key has the wrong kind.
[[nodiscard]] std::string sign(std::string_view artifact, const Key& secret,
                               const Key* encryption = nullptr);

/// The header of a container, read without any verification.
struct ContainerHeader {
  int version = 0;
  bool encrypted = false;
  std::string key_id;  ///< 16 hex digits
  std::uint64_t payload_size = 0;
};

/// True when `bytes` start with the container magic.
[[nodiscard]] bool is_signed_container(std::string_view bytes) noexcept;

/// Parses and checks the header and the length; throws VerificationError naming `source` for a
/// missing magic (an unsigned artifact), another version, bad flags, or a truncated file.
[[nodiscard]] ContainerHeader read_header(std::string_view container, std::string_view source);

/// Verifies the signature only (no decryption) and returns the header. Throws VerificationError
/// as open_signed() does.
ContainerHeader verify_signature(std::string_view container, const Key& public_key,
                                 std::string_view source = "signed artifact");

/// Verifies the signature and returns the artifact bytes, decrypted with `decryption` when the
/// container is encrypted. Throws VerificationError for an unsigned, truncated or tampered
/// container, one signed by another key, an encrypted one without a decryption key, or a wrong
/// decryption key.
[[nodiscard]] std::string open_signed(std::string_view container, const Key& public_key,
                                      const Key* decryption = nullptr,
                                      std::string_view source = "signed artifact");

/// A loader configured with a verification key (and a decryption key for encrypted artifacts):
/// what serialization::load does, but only for artifacts this key signed.
class ArtifactVerifier {
 public:
  explicit ArtifactVerifier(Key public_key, std::optional<Key> decryption = std::nullopt);

  /// The verified artifact bytes of a container file.
  [[nodiscard]] std::string read(const std::filesystem::path& path) const;
  /// The verified payload of a container file holding an artifact of `expected_kind`, ready for
  /// the loaders that take JSON (training::model_from_json, preprocessing::transformer_from_json).
  [[nodiscard]] nlohmann::json load(const std::filesystem::path& path,
                                    std::string_view expected_kind) const;
  [[nodiscard]] const Key& public_key() const noexcept { return public_key_; }

 private:
  Key public_key_;
  std::optional<Key> decryption_;
};

/// Saves `payload` as a signed (and, with `encryption`, encrypted) artifact, atomically.
void save_signed(const std::filesystem::path& path, std::string_view kind,
                 const nlohmann::json& payload, const Key& secret, const Key* encryption = nullptr,
                 serialization::Encoding encoding = serialization::Encoding::kBinary);

/// Verifies a container file with `verifier` and decodes its artifact (shorthand for
/// verifier.load(path, expected_kind)).
[[nodiscard]] nlohmann::json load_verified(const std::filesystem::path& path,
                                           std::string_view expected_kind,
                                           const ArtifactVerifier& verifier);

}  // namespace kolosal::security
