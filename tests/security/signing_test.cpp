// SPDX-License-Identifier: MIT
// Signed and encrypted containers: round trips, every flipped byte refused, wrong keys, truncation,
// key files and the verified loader.
#include "kolosal/security/signing.hpp"

#include <cstdlib>
#include <sys/stat.h>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"

using namespace kolosal;
using security::Key;
using security::KeyKind;

namespace {
std::string sample_artifact() {
  const nlohmann::json payload = {{"name", "ridge"}, {"coef", {1.5, -2.25, 3.0}}};
  return serialization::encode("model", payload, serialization::Encoding::kJson);
}
}  // namespace

TEST_CASE("security: signed container round trip and layout", "[security][signing]") {
  const auto keys = security::generate_signing_key();
  CHECK(keys.secret.id() == keys.public_key.id());
  CHECK(keys.secret.public_key().id() == keys.public_key.id());
  CHECK(keys.secret.id().size() == 16);
  const std::string artifact = sample_artifact();
  const std::string signed_bytes = security::sign(artifact, keys.secret);
  CHECK(signed_bytes.size() ==
        security::kSignedHeaderSize + artifact.size() + security::kSignatureSize);
  CHECK(security::is_signed_container(signed_bytes));
  CHECK_FALSE(security::is_signed_container(artifact));
  const auto header = security::read_header(signed_bytes, "x");
  CHECK(header.version == 1);
  CHECK_FALSE(header.encrypted);
  CHECK(header.key_id == keys.public_key.id());
  CHECK(header.payload_size == artifact.size());
  // Unencrypted: the artifact is readable in place.
  CHECK(signed_bytes.substr(security::kSignedHeaderSize, artifact.size()) == artifact);
  CHECK(security::open_signed(signed_bytes, keys.public_key) == artifact);
  // Ed25519 is deterministic: the same key and bytes give the same container.
  CHECK(security::sign(artifact, keys.secret) == signed_bytes);
  // Empty artifacts are signable too.
  CHECK(security::open_signed(security::sign("", keys.secret), keys.public_key).empty());
}

TEST_CASE("security: every single flipped byte of a signed file fails", "[security][signing]") {
  const auto keys = security::generate_signing_key();
  const std::string signed_bytes = security::sign(sample_artifact(), keys.secret);
  std::size_t refused = 0;
  for (std::size_t i = 0; i < signed_bytes.size(); ++i) {
    for (const unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string tampered = signed_bytes;
      tampered[i] = static_cast<char>(static_cast<unsigned char>(tampered[i]) ^ mask);
      bool threw = false;
      try {
        (void)security::open_signed(tampered, keys.public_key);
      } catch (const security::VerificationError&) {
        threw = true;
      }
      if (!threw) FAIL("byte " << i << " flipped with mask " << int(mask) << " was accepted");
      ++refused;
    }
  }
  CHECK(refused == 3 * signed_bytes.size());
}

TEST_CASE("security: every flipped byte of an encrypted file fails", "[security][signing]") {
  const auto keys = security::generate_signing_key();
  const Key enc = security::generate_encryption_key();
  const std::string sealed = security::sign(sample_artifact(), keys.secret, &enc);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x04);
    CHECK_THROWS_AS(security::open_signed(tampered, keys.public_key, &enc),
                    security::VerificationError);
  }
}

TEST_CASE("security: wrong keys, truncation and unsigned input are refused clearly",
          "[security][signing]") {
  const auto keys = security::generate_signing_key();
  const auto other = security::generate_signing_key();
  const std::string artifact = sample_artifact();
  const std::string signed_bytes = security::sign(artifact, keys.secret);
  test::expect_error<security::VerificationError>(
      [&] { (void)security::open_signed(signed_bytes, other.public_key, nullptr, "m.ksig"); },
      "m.ksig: signature check failed: signed by key " + keys.public_key.id() +
          " but the verification key is " + other.public_key.id());
  test::expect_error<security::VerificationError>(
      [&] { (void)security::open_signed(artifact, keys.public_key, nullptr, "plain.json"); },
      "plain.json: not a signed kolosal artifact");
  // Every truncation, and one extra byte.
  for (std::size_t n = 0; n < signed_bytes.size(); ++n) {
    CHECK_THROWS_AS(security::open_signed(signed_bytes.substr(0, n), keys.public_key),
                    security::VerificationError);
  }
  test::expect_error<security::VerificationError>(
      [&] {
        (void)security::open_signed(signed_bytes.substr(0, signed_bytes.size() - 1),
                                    keys.public_key);
      },
      "truncated signed artifact");
  test::expect_error<security::VerificationError>(
      [&] { (void)security::open_signed(signed_bytes + "x", keys.public_key); },
      "1 unexpected bytes after the signed payload");
  // A secret key where a public one is expected.
  test::expect_error<InvalidArgument>(
      [&] { (void)security::open_signed(signed_bytes, keys.secret); }, "expected a ed25519-public");
}

TEST_CASE("security: encryption round trip and wrong decryption key", "[security][signing]") {
  const auto keys = security::generate_signing_key();
  const Key enc = security::generate_encryption_key();
  const Key wrong = security::generate_encryption_key();
  const std::string artifact = sample_artifact();
  const std::string sealed = security::sign(artifact, keys.secret, &enc);
  CHECK(sealed.size() ==
        security::kSignedHeaderSize + artifact.size() + 16 + security::kSignatureSize);
  CHECK(security::read_header(sealed, "x").encrypted);
  // Ciphertext does not contain the plaintext.
  CHECK(sealed.find("ridge") == std::string::npos);
  CHECK(security::open_signed(sealed, keys.public_key, &enc) == artifact);
  // The signature verifies without the decryption key.
  CHECK(security::verify_signature(sealed, keys.public_key).encrypted);
  test::expect_error<security::VerificationError>(
      [&] { (void)security::open_signed(sealed, keys.public_key, &wrong); },
      "decryption failed: wrong decryption key");
  test::expect_error<security::VerificationError>(
      [&] { (void)security::open_signed(sealed, keys.public_key); },
      "a decryption key is required");
  // Two encryptions of the same artifact use fresh nonces.
  CHECK(security::sign(artifact, keys.secret, &enc) != sealed);
}

TEST_CASE("security: key files, permissions and environment variables", "[security][keys]") {
  test::TempDir dir;
  const auto keys = security::generate_signing_key();
  security::save_key(dir / "k", keys.secret);
  security::save_key(dir / "k.pub", keys.public_key);
  struct stat st {};
  REQUIRE(::stat((dir / "k").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir / "k.pub").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  const std::string text = io::read_file(dir / "k.pub");
  CHECK(text.rfind("kolosal-ed25519-public ", 0) == 0);
  const Key secret = security::load_key(dir / "k", KeyKind::kSigningSecret);
  const Key pub = security::load_key(dir / "k.pub", KeyKind::kSigningPublic);
  CHECK(std::equal(secret.bytes().begin(), secret.bytes().end(), keys.secret.bytes().begin()));
  CHECK(pub.id() == keys.public_key.id());
  // A world-readable secret key is refused.
  ::chmod((dir / "k").c_str(), 0644);
  test::expect_error<InvalidArgument>(
      [&] { (void)security::load_key(dir / "k", KeyKind::kSigningSecret); }, "chmod 600");
  // The wrong kind of key file.
  test::expect_error<InvalidArgument>(
      [&] { (void)security::decode_key(io::read_file(dir / "k.pub"), KeyKind::kEncryption, "f"); },
      "expected a xchacha20-key key but found a 'ed25519-public' key");
  // From the environment: the message names the variable and never contains the key.
  const Key enc = security::generate_encryption_key();
  const std::string enc_text = security::encode_key(enc);
  ::setenv("KOLOSAL_TEST_ENC_KEY", enc_text.c_str(), 1);
  const Key from_env = security::key_from_env("KOLOSAL_TEST_ENC_KEY", KeyKind::kEncryption);
  CHECK(from_env.id() == enc.id());
  ::setenv("KOLOSAL_TEST_ENC_KEY", "kolosal-xchacha20-key AAAA", 1);
  try {
    (void)security::key_from_env("KOLOSAL_TEST_ENC_KEY", KeyKind::kEncryption);
    FAIL("a short key was accepted");
  } catch (const InvalidArgument& e) {
    CHECK_THAT(e.what(), Catch::Contains("environment variable KOLOSAL_TEST_ENC_KEY") &&
                             !Catch::Contains("AAAA"));
  }
  ::unsetenv("KOLOSAL_TEST_ENC_KEY");
  test::expect_error<InvalidArgument>(
      [&] { (void)security::key_from_env("KOLOSAL_TEST_ENC_KEY", KeyKind::kEncryption); },
      "KOLOSAL_TEST_ENC_KEY holding the xchacha20-key key is not set");
  // A moved-from key is empty; the moved-to key holds the bytes.
  Key moved = security::generate_encryption_key();
  const std::string id = moved.id();
  Key target = std::move(moved);
  CHECK(target.id() == id);
  CHECK(moved.bytes().empty());  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("security: verified loader for model artifacts", "[security][signing]") {
  test::TempDir dir;
  const auto keys = security::generate_signing_key();
  const auto other = security::generate_signing_key();
  const Key enc = security::generate_encryption_key();
  const nlohmann::json payload = {{"weights", {0.1, 0.2}}, {"bias", -1.0}};
  security::save_signed(dir / "m.ksig", "model", payload, keys.secret);
  security::save_signed(dir / "e.ksig", "model", payload, keys.secret, &enc,
                        serialization::Encoding::kJson);
  serialization::save(dir / "plain.kmodel", "model", payload);

  security::save_key(dir / "pub", keys.public_key);
  const security::ArtifactVerifier verifier(
      security::load_key(dir / "pub", KeyKind::kSigningPublic));
  CHECK(security::load_verified(dir / "m.ksig", "model", verifier) == payload);
  test::expect_error<SerializationError>(
      [&] { (void)security::load_verified(dir / "m.ksig", "pipeline", verifier); },
      "expected a 'pipeline' artifact but found a 'model'");
  test::expect_error<security::VerificationError>(
      [&] { (void)security::load_verified(dir / "plain.kmodel", "model", verifier); },
      "plain.kmodel: not a signed kolosal artifact");
  test::expect_error<security::VerificationError>(
      [&] { (void)security::load_verified(dir / "e.ksig", "model", verifier); },
      "a decryption key is required");
  const security::ArtifactVerifier with_key(
      security::decode_key(security::encode_key(keys.public_key), KeyKind::kSigningPublic, "pub"),
      security::decode_key(security::encode_key(enc), KeyKind::kEncryption, "enc"));
  CHECK(with_key.load(dir / "e.ksig", "model") == payload);
  const security::ArtifactVerifier wrong(Key(other.public_key.kind(), [&] {
    auto b = other.public_key.bytes();
    return std::vector<unsigned char>(b.begin(), b.end());
  }()));
  test::expect_error<security::VerificationError>(
      [&] { (void)wrong.load(dir / "m.ksig", "model"); }, "signed by key");
}

TEST_CASE("security: a signed model loads through the verifier and predicts the same",
          "[security][signing]") {
  test::TempDir dir;
  const data::Frame diabetes = data::read_csv(test::data_path("diabetes.csv"));
  const Matrix<double> x = diabetes.drop({"progression"}).to_matrix();
  const std::vector<double> y = diabetes.column("progression").to_doubles();
  auto model = training::make_model("ridge");
  model->fit(x.view(), y);
  const auto keys = security::generate_signing_key();
  Key enc = security::generate_encryption_key();
  security::save_signed(dir / "ridge.ksig", "model", training::model_to_json(*model), keys.secret,
                        &enc);
  const security::ArtifactVerifier verifier(keys.secret.public_key(), std::move(enc));
  const auto loaded = training::model_from_json(verifier.load(dir / "ridge.ksig", "model"));
  CHECK(loaded->predict(x.view()) == model->predict(x.view()));
  // One flipped byte on disk and the model does not load.
  std::string bytes = io::read_file(dir / "ridge.ksig");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  io::write_file_atomic(dir / "ridge.ksig", bytes);
  test::expect_error<security::VerificationError>(
      [&] { (void)verifier.load(dir / "ridge.ksig", "model"); },
      "the artifact was modified after signing");
}
