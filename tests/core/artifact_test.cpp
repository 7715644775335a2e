// SPDX-License-Identifier: MIT
// Tests of the artifact envelope and atomic file writes: round trips and every kind of damage.
#include "kolosal/core/artifact.hpp"

#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"

#include "test_util.hpp"

namespace ser = kolosal::serialization;
using nlohmann::json;

namespace {

json sample_payload() {
  return json{{"name", "ridge"},
              {"config", {{"alpha", 0.5}, {"fit_intercept", true}}},
              {"state", {{"coef", {1.5, -2.25, 1e-300, 3.141592653589793}}, {"intercept", -7}}},
              {"classes", {"setosa", "versicolor", "virginica"}}};
}

std::string serialization_error(std::string_view bytes, std::string_view kind = "model") {
  try {
    (void)ser::decode(bytes, kind, "test.kolosal");
  } catch (const kolosal::SerializationError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("artifact: JSON and binary envelopes round-trip the payload", "[core][artifact]") {
  for (auto encoding : {ser::Encoding::kJson, ser::Encoding::kBinary}) {
    const std::string bytes = ser::encode("model", sample_payload(), encoding);
    CHECK(ser::decode(bytes, "model") == sample_payload());
  }
  const json envelope = json::parse(ser::encode("model", sample_payload()));
  CHECK(envelope["format"] == "kolosal");
  CHECK(envelope["format_version"] == ser::kFormatVersion);
  CHECK(envelope["kind"] == "model");
  CHECK(envelope["checksum"].get<std::string>().rfind("crc32:", 0) == 0);
}

TEST_CASE("artifact: binary keeps non-finite numbers, JSON refuses them", "[core][artifact]") {
  const json payload{
      {"values",
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -0.0}}};
  const json back = ser::decode(ser::encode("model", payload, ser::Encoding::kBinary), "model");
  CHECK(std::isnan(back["values"][0].get<double>()));
  CHECK(std::isinf(back["values"][1].get<double>()));
  CHECK(std::signbit(back["values"][2].get<double>()));
  CHECK_THROWS_WITH(ser::encode("model", payload, ser::Encoding::kJson),
                    "cannot save a non-finite number at /values/0 as JSON text; use the binary "
                    "encoding");
}

TEST_CASE("artifact: every truncation is a clear error, never a crash", "[core][artifact]") {
  for (auto encoding : {ser::Encoding::kJson, ser::Encoding::kBinary}) {
    const std::string bytes = ser::encode("model", sample_payload(), encoding);
    // A JSON text stays valid after dropping its final newline only.
    const std::size_t complete = encoding == ser::Encoding::kJson ? bytes.size() - 1 : bytes.size();
    for (std::size_t length = 0; length < complete; ++length) {
      INFO("length " << length);
      const std::string message = serialization_error(std::string_view(bytes).substr(0, length));
      REQUIRE(message != "no error");
      REQUIRE(message.find("test.kolosal") == 0);
    }
  }
}

TEST_CASE("artifact: a flipped byte is detected or harmless", "[core][artifact]") {
  for (auto encoding : {ser::Encoding::kJson, ser::Encoding::kBinary}) {
    const std::string bytes = ser::encode("model", sample_payload(), encoding);
    std::size_t detected = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
      try {
        const json payload = ser::decode(damaged, "model", "test.kolosal");
        // Only bytes outside the checked payload (e.g. the informational version) may change.
        REQUIRE(payload == sample_payload());
      } catch (const kolosal::SerializationError&) {
        ++detected;
      }
    }
    CHECK(detected > bytes.size() * 9 / 10);
  }
}

TEST_CASE("artifact: wrong kind, newer version and foreign files are refused", "[core][artifact]") {
  const std::string bytes = ser::encode("pipeline", sample_payload());
  CHECK(serialization_error(bytes) ==
        "test.kolosal: expected a 'model' artifact but found a 'pipeline'");
  json newer = json::parse(bytes);
  newer["format_version"] = ser::kFormatVersion + 1;
  CHECK(serialization_error(newer.dump(), "pipeline") ==
        "test.kolosal: written by a newer kolosal (format version 2; this build reads up to 1): "
        "upgrade kolosal to load it");
  CHECK(serialization_error(R"({"hello": "world"})") ==
        "test.kolosal: not a kolosal artifact (missing \"format\")");
  CHECK(serialization_error("") == "test.kolosal: empty file");
  CHECK(serialization_error("\x89PNG\r\n\x1a\n garbage").find("test.kolosal: malformed JSON") == 0);
  json tampered = json::parse(bytes);
  tampered["payload"]["state"]["intercept"] = 8;
  CHECK(serialization_error(tampered.dump(), "pipeline") ==
        "test.kolosal: checksum mismatch: the file is corrupted");
}

TEST_CASE("artifact: deeply nested input is refused without exhausting the stack",
          "[core][artifact]") {
  const std::string deep_json = std::string(100000, '[') + std::string(100000, ']');
  CHECK(serialization_error(deep_json).find("nests deeper than 256 levels") != std::string::npos);
  // CBOR: 0x81 is "array of one element", repeated.
  const std::string deep_cbor = std::string("KOLOSAL\0", 8) + std::string(100000, '\x81') + '\x01';
  CHECK(serialization_error(deep_cbor).find("nests deeper than 256 levels") != std::string::npos);
  CHECK_THROWS_AS(ser::parse_json("{\"a\": [1, 2,", "inline"), kolosal::SerializationError);
  CHECK(ser::parse_json(R"({"a": [1, 2]})", "inline")["a"][1] == 2);
}

TEST_CASE("artifact: save and load through files", "[core][artifact]") {
  kolosal::test::TempDir dir;
  const auto path = dir / "model.kolosal";
  ser::save(path, "model", sample_payload(), ser::Encoding::kBinary);
  CHECK(ser::load(path, "model") == sample_payload());
  CHECK_THROWS_AS(ser::load(dir / "absent.kolosal", "model"), kolosal::IoError);
}

TEST_CASE("file: a failed save leaves the previous file intact", "[core][file]") {
  kolosal::test::TempDir dir;
  const auto path = dir / "model.json";
  ser::save(path, "model", sample_payload());
  const std::string before = kolosal::io::read_file(path);

  // Encoding fails before anything is written.
  const json bad{{"x", std::numeric_limits<double>::quiet_NaN()}};
  CHECK_THROWS_AS(ser::save(path, "model", bad), kolosal::SerializationError);
  CHECK(kolosal::io::read_file(path) == before);

  // A writer abandoned midway (as on an exception) removes its temporary file.
  {
    kolosal::io::AtomicFileWriter writer(path);
    writer.write("partial content");
  }
  CHECK(kolosal::io::read_file(path) == before);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  CHECK(entries == 1);

  // A committed writer replaces the file whole.
  kolosal::io::write_file_atomic(path, "new content");
  CHECK(kolosal::io::read_file(path) == "new content");

  CHECK_THROWS_AS(kolosal::io::write_file_atomic(dir / "missing-dir" / "f.txt", "x"),
                  kolosal::IoError);
  CHECK_THROWS_AS(kolosal::io::read_file(dir.path()), kolosal::IoError);
}
