// SPDX-License-Identifier: MIT
// Envelope encoding, checksums (CRC-32 from zlib) and depth-limited parsing.
#include "kolosal/core/artifact.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/version.hpp"

#include "core/checksum.hpp"

namespace kolosal::serialization {
namespace {

using nlohmann::json;

constexpr std::string_view kMagic{"KOLOSAL\0", 8};
constexpr std::size_t kMaxDepth = 256;

std::string crc32_hex(std::string_view bytes) {
  char out[16];
  std::snprintf(out, sizeof out, "%08lx", static_cast<unsigned long>(detail::crc32(bytes)));
  return std::string("crc32:") + out;
}

// Builds the DOM like nlohmann's own parser but refuses nesting deeper than kMaxDepth, which
// would otherwise recurse without bound in the CBOR reader.
class DepthLimitedSax : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<json>;
  explicit DepthLimitedSax(json& document) : Base(document, /*allow_exceptions=*/false) {}

  bool start_object(std::size_t n) { return ++depth_ <= kMaxDepth && Base::start_object(n); }
  bool end_object() {
    --depth_;
    return Base::end_object();
  }
  bool start_array(std::size_t n) { return ++depth_ <= kMaxDepth && Base::start_array(n); }
  bool end_array() {
    --depth_;
    return Base::end_array();
  }
  bool parse_error(std::size_t position, const std::string& /*token*/,
                   const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    position_ = position;
    return false;
  }

  [[nodiscard]] bool too_deep() const { return depth_ > kMaxDepth; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t position() const { return position_; }

 private:
  std::size_t depth_ = 0;
  std::string error_;
  std::size_t position_ = 0;
};

template <class Input>
json parse_limited(Input&& input, nlohmann::detail::input_format_t format, std::string_view source,
                   std::string_view what) {
  json root;
  DepthLimitedSax sax(root);
  bool ok = false;
  try {
    ok = json::sax_parse(std::forward<Input>(input), &sax, format, /*strict=*/true);
  } catch (const json::exception& e) {
    KOLOSAL_THROW(SerializationError, source, ": malformed ", what, ": ", e.what());
  }
  if (!ok) {
    if (sax.too_deep()) {
      KOLOSAL_THROW(SerializationError, source, ": ", what, " nests deeper than ", kMaxDepth,
                    " levels");
    }
    KOLOSAL_THROW(SerializationError, source, ": malformed ", what,
                  sax.error().empty()
                      ? std::string(" (truncated)")
                      : " at byte " + std::to_string(sax.position()) + ": " + sax.error());
  }
  return root;
}

// JSON text cannot hold NaN or infinities (nlohmann would silently write null).
void require_finite(const json& value, const std::string& path) {
  if (value.is_number_float()) {
    KOLOSAL_CHECK(std::isfinite(value.get<double>()), SerializationError,
                  "cannot save a non-finite number at ", path.empty() ? "/" : path,
                  " as JSON text; use the binary encoding");
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      require_finite(value[i], path + "/" + std::to_string(i));
    }
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) require_finite(v, path + "/" + k);
  }
}

// A value quoted in an error message. CBOR strings may hold invalid UTF-8, on which a plain
// dump() throws nlohmann's own exception instead of the SerializationError being built (found by
// fuzz/artifact_fuzzer.cpp; regression in tests/fuzz/).
std::string quoted(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json& member(const json& envelope, const char* key, std::string_view source) {
  const auto it = envelope.find(key);
  KOLOSAL_CHECK(it != envelope.end(), SerializationError, source,
                ": not a kolosal artifact (missing \"", key, "\")");
  return *it;
}

json check_envelope(const json& envelope, std::string_view expected_kind, std::string_view source) {
  KOLOSAL_CHECK(envelope.is_object(), SerializationError, source,
                ": not a kolosal artifact (expected an object)");
  const json& format = member(envelope, "format", source);
  KOLOSAL_CHECK(format.is_string() && format.get<std::string>() == kFormatName, SerializationError,
                source, ": not a kolosal artifact (format is ", quoted(format), ")");
  const json& version = member(envelope, "format_version", source);
  KOLOSAL_CHECK(version.is_number_integer() && version.get<long long>() >= 1, SerializationError,
                source, ": invalid format_version ", quoted(version));
  KOLOSAL_CHECK(version.get<long long>() <= kFormatVersion, SerializationError, source,
                ": written by a newer kolosal (format version ", version.get<long long>(),
                "; this build reads up to ", kFormatVersion, "): upgrade kolosal to load it");
  const json& kind = member(envelope, "kind", source);
  KOLOSAL_CHECK(kind.is_string(), SerializationError, source, ": invalid kind ", quoted(kind));
  KOLOSAL_CHECK(kind.get<std::string>() == expected_kind, SerializationError, source,
                ": expected a '", expected_kind, "' artifact but found a '",
                kind.get<std::string>(), "'");
  const json& checksum = member(envelope, "checksum", source);
  KOLOSAL_CHECK(checksum.is_string(), SerializationError, source, ": invalid checksum field");
  return member(envelope, "payload", source);
}

}  // namespace

json parse_json(std::string_view text, std::string_view source) {
  return parse_limited(text, nlohmann::detail::input_format_t::json, source, "JSON");
}

std::string encode(std::string_view kind, const json& payload, Encoding encoding) {
  json envelope = {{"format", kFormatName},
                   {"format_version", kFormatVersion},
                   {"kind", kind},
                   {"kolosal_version", KOLOSAL_VERSION_STRING}};
  if (encoding == Encoding::kJson) {
    require_finite(payload, "");
    std::string text;
    try {
      text = payload.dump();
    } catch (const json::type_error& e) {
      KOLOSAL_THROW(SerializationError, "cannot save a '", kind,
                    "' artifact as JSON text: ", e.what());
    }
    envelope["checksum"] = crc32_hex(text);
    // The payload is spliced in as text so the checksum covers exactly the bytes on disk.
    std::string head = envelope.dump();
    head.pop_back();  // the closing brace
    return head + ",\"payload\":" + text + "}\n";
  }
  std::vector<std::uint8_t> body = json::to_cbor(payload);
  envelope["checksum"] =
      crc32_hex(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
  envelope["payload"] = json::binary(std::move(body));
  const std::vector<std::uint8_t> bytes = json::to_cbor(envelope);
  std::string out(kMagic);
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return out;
}

json decode(std::string_view bytes, std::string_view expected_kind, std::string_view source) {
  KOLOSAL_CHECK(!bytes.empty(), SerializationError, source, ": empty file");
  if (bytes.size() >= kMagic.size() && bytes.substr(0, kMagic.size()) == kMagic) {
    const std::string_view body = bytes.substr(kMagic.size());
    const json envelope =
        parse_limited(body, nlohmann::detail::input_format_t::cbor, source, "binary artifact");
    const json& payload = check_envelope(envelope, expected_kind, source);
    KOLOSAL_CHECK(payload.is_binary(), SerializationError, source,
                  ": binary payload is not a byte string");
    const auto& raw = payload.get_binary();
    const std::string_view raw_view(reinterpret_cast<const char*>(raw.data()), raw.size());
    KOLOSAL_CHECK(crc32_hex(raw_view) == envelope["checksum"].get<std::string>(),
                  SerializationError, source, ": checksum mismatch: the file is corrupted");
    return parse_limited(raw_view, nlohmann::detail::input_format_t::cbor, source,
                         "binary payload");
  }
  const json envelope = parse_json(bytes, source);
  json payload = check_envelope(envelope, expected_kind, source);
  KOLOSAL_CHECK(crc32_hex(payload.dump()) == envelope["checksum"].get<std::string>(),
                SerializationError, source, ": checksum mismatch: the file is corrupted");
  return payload;
}

void save(const std::filesystem::path& path, std::string_view kind, const json& payload,
          Encoding encoding) {
  io::write_file_atomic(path, encode(kind, payload, encoding));
}

json load(const std::filesystem::path& path, std::string_view expected_kind) {
  return decode(io::read_file(path), expected_kind, path.string());
}

}  // namespace kolosal::serialization
