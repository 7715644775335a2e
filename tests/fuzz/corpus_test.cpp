// SPDX-License-Identifier: MIT
// Replays the committed fuzzing corpora (fuzz/corpus) through the code the harnesses target, so
// every seed, and every crash input added there as a regression, runs in the normal suite.
#include "kolosal/core/artifact.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/security/signing.hpp"

#include "test_util.hpp"

using namespace kolosal;

namespace {
std::filesystem::path corpus(const std::string& name) {
  return test::data_path("..") / "fuzz" / "corpus" / name;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("fuzz corpus: artifact seeds decode and round-trip", "[fuzz]") {
  const auto files = files_in(corpus("artifact"));
  REQUIRE(files.size() >= 9);
  for (const auto& f : files) {
    INFO(f.string());
    const nlohmann::json payload = serialization::decode(io::read_file(f), "model", f.string());
    const std::string binary =
        serialization::encode("model", payload, serialization::Encoding::kBinary);
    // Compared as re-encoded bytes: the nonfinite seed's NaN is not equal to itself as JSON.
    CHECK(serialization::encode("model", serialization::decode(binary, "model"),
                                serialization::Encoding::kBinary) == binary);
  }
}

TEST_CASE("fuzz corpus: signed seeds verify with the fuzzing keys", "[fuzz][security]") {
  const auto root = test::data_path("..") / "fuzz" / "keys";
  const security::Key pub = security::decode_key(io::read_file(root / "fuzz.key.pub"),
                                                 security::KeyKind::kSigningPublic, "fuzz.pub");
  const security::Key enc = security::decode_key(io::read_file(root / "fuzz_enc.key"),
                                                 security::KeyKind::kEncryption, "fuzz_enc");
  const auto files = files_in(corpus("signed"));
  REQUIRE(files.size() >= 16);
  std::size_t encrypted = 0;
  for (const auto& f : files) {
    INFO(f.string());
    const std::string bytes = io::read_file(f);
    encrypted += security::read_header(bytes, f.string()).encrypted ? 1 : 0;
    const std::string artifact = security::open_signed(bytes, pub, &enc, f.string());
    CHECK_NOTHROW(serialization::decode(artifact, "model", f.string()));
  }
  CHECK(encrypted == files.size() / 2);
}

TEST_CASE("fuzz corpus: CSV seeds parse or fail with a DataError", "[fuzz][csv]") {
  std::size_t parsed = 0;
  const auto files = files_in(corpus("csv"));
  REQUIRE(files.size() >= 4);
  for (const auto& f : files) {
    INFO(f.string());
    const std::string bytes = io::read_file(f);
    REQUIRE_FALSE(bytes.empty());
    const auto flags = static_cast<unsigned char>(bytes[0]);
    data::CsvOptions options;
    options.bad_rows = (flags & 1) ? data::BadRowPolicy::kSkip : data::BadRowPolicy::kError;
    options.has_header = (flags & 2) == 0;
    options.float32 = (flags & 4) != 0;
    if (flags & 8) options.delimiter = ";";
    try {
      const data::Frame frame = data::read_csv_string(std::string_view(bytes).substr(1), options,
                                                      Context{(flags & 16) ? 2 : 1, 1});
      (void)data::write_csv_string(frame);
      ++parsed;
    } catch (const DataError&) {
    }
  }
  // quoted, datetime and skip_semicolon parse; bom_ragged has a short row and fails.
  CHECK(parsed == files.size() - 1);
}

// Found by fuzz_artifact: a binary envelope whose "format" string holds invalid UTF-8 (0xA0)
// made the error message's dump() throw nlohmann's type_error instead of a SerializationError.
TEST_CASE("fuzz regression: invalid UTF-8 in a binary envelope is a SerializationError",
          "[fuzz][artifact]") {
  const auto input = test::data_path("..") / "tests" / "fuzz" / "regressions" /
                     "artifact_cbor_invalid_utf8_format";
  test::expect_error<SerializationError>(
      [&] { (void)serialization::decode(io::read_file(input), "model", "crash"); },
      "crash: not a kolosal artifact (format is \"\xEF\xBF\xBDolosal\")");
  // The same through a freshly built envelope, and the JSON encoder on such a payload.
  const std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(
      {{"format", "kolosal"}, {"format_version", std::string("\xff")}, {"kind", "model"}});
  std::string bytes("KOLOSAL\0", 8);
  bytes.append(cbor.begin(), cbor.end());
  test::expect_error<SerializationError>(
      [&] { (void)serialization::decode(bytes, "model", "built"); },
      "built: invalid format_version");
  test::expect_error<SerializationError>(
      [] {
        (void)serialization::encode("model", nlohmann::json{{"s", std::string("\xc3")}},
                                    serialization::Encoding::kJson);
      },
      "cannot save a 'model' artifact as JSON text");
}
