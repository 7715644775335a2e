// SPDX-License-Identifier: MIT
// Artifact envelope: every saved object (model, pipeline, study) travels inside one, with a format
// name, a format version, a kind, a checksum and the payload, as JSON text or as binary CBOR.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace kolosal::serialization {

/// Version of the envelope and payload layout this build writes; it reads every version up to it.
inline constexpr int kFormatVersion = 1;
/// The format name stored in every envelope.
inline constexpr std::string_view kFormatName = "kolosal";

enum class Encoding {
  kJson,    ///< human-readable JSON text; payloads must not hold NaN or infinities
  kBinary,  ///< "KOLOSAL\0" magic followed by CBOR; exact for every double
};

/// Serialises `payload` of the given `kind` ("model", "pipeline", ...) into envelope bytes.
/// Throws SerializationError when the JSON encoding is asked to hold a non-finite number.
[[nodiscard]] std::string encode(std::string_view kind, const nlohmann::json& payload,
                                 Encoding encoding = Encoding::kJson);

/// Parses envelope bytes (either encoding, detected from the content) and returns the payload.
/// `source` names the input in errors. Throws SerializationError for truncated or corrupted
/// bytes, a checksum mismatch, another format, a kind other than `expected_kind`, or a format
/// version newer than this build reads.
[[nodiscard]] nlohmann::json decode(std::string_view bytes, std::string_view expected_kind,
                                    std::string_view source = "artifact");

/// Writes an artifact atomically (temporary file, fsync, rename).
void save(const std::filesystem::path& path, std::string_view kind, const nlohmann::json& payload,
          Encoding encoding = Encoding::kJson);

/// Reads and checks an artifact written by save(); see decode() for the errors.
[[nodiscard]] nlohmann::json load(const std::filesystem::path& path,
                                  std::string_view expected_kind);

/// Parses JSON text with a nesting limit, so hostile input cannot exhaust the stack. Throws
/// SerializationError naming `source` and the byte offset on malformed text.
[[nodiscard]] nlohmann::json parse_json(std::string_view text, std::string_view source);

}  // namespace kolosal::serialization
