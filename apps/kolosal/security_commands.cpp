// SPDX-License-Identifier: MIT
// `kolosal keygen`, `kolosal sign` and `kolosal verify`: Ed25519 signing and optional
// XChaCha20-Poly1305 encryption of artifacts. Key material is never printed.
#include <filesystem>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/security/signing.hpp"

#include "commands.hpp"

namespace kolosal::cli {
namespace {

using security::Key;
using security::KeyKind;

Key read_key(const std::string& spec, KeyKind kind) {
  if (spec.rfind("env:", 0) == 0) return security::key_from_env(spec.substr(4), kind);
  return security::load_key(spec, kind);
}

int run_keygen(const SecurityOptions& o, std::ostream& out) {
  const std::filesystem::path secret_path = o.keygen_out;
  const std::filesystem::path public_path = o.keygen_out + ".pub";
  const bool signing = o.keygen_type == "signing";
  if (!o.keygen_force) {
    KOLOSAL_CHECK(!std::filesystem::exists(secret_path), InvalidArgument, "'", secret_path.string(),
                  "' exists; pass --force to overwrite it");
    KOLOSAL_CHECK(!signing || !std::filesystem::exists(public_path), InvalidArgument, "'",
                  public_path.string(), "' exists; pass --force to overwrite it");
  }
  if (signing) {
    const auto keys = security::generate_signing_key();
    security::save_key(secret_path, keys.secret);
    security::save_key(public_path, keys.public_key);
    out << "wrote secret key " << secret_path.string() << " (mode 0600) and public key "
        << public_path.string() << "; key id " << keys.public_key.id() << "\n";
  } else {
    const Key key = security::generate_encryption_key();
    security::save_key(secret_path, key);
    out << "wrote encryption key " << secret_path.string() << " (mode 0600); key id " << key.id()
        << "\n";
  }
  return 0;
}

int run_sign(const SecurityOptions& o, std::ostream& out) {
  const Key secret = read_key(o.key, KeyKind::kSigningSecret);
  std::optional<Key> encryption;
  if (o.encrypt_key) encryption = read_key(*o.encrypt_key, KeyKind::kEncryption);
  const std::string artifact = io::read_file(o.in);
  KOLOSAL_CHECK(!security::is_signed_container(artifact), InvalidArgument, "'", o.in,
                "' is already signed");
  io::write_file_atomic(o.out,
                        security::sign(artifact, secret, encryption ? &*encryption : nullptr));
  out << "signed " << o.in << " -> " << o.out << " (key id " << secret.id()
      << (encryption ? ", encrypted" : "") << ")\n";
  return 0;
}

int run_verify(const SecurityOptions& o, std::ostream& out) {
  const Key public_key = read_key(o.key, KeyKind::kSigningPublic);
  std::optional<Key> decryption;
  if (o.encrypt_key) decryption = read_key(*o.encrypt_key, KeyKind::kEncryption);
  const std::string container = io::read_file(o.in);
  const security::ContainerHeader header = security::verify_signature(container, public_key, o.in);
  std::size_t size = header.payload_size;
  if (decryption || !header.encrypted) {
    const std::string artifact =
        security::open_signed(container, public_key, decryption ? &*decryption : nullptr, o.in);
    size = artifact.size();
    if (!o.out.empty()) io::write_file_atomic(o.out, artifact);
  } else {
    KOLOSAL_CHECK(o.out.empty(), InvalidArgument, "'", o.in,
                  "' is encrypted: pass --decrypt-key to write the artifact");
  }
  out << "OK: " << o.in << " is signed by key " << header.key_id << " (" << size << " bytes"
      << (header.encrypted ? (decryption ? ", decrypted" : ", encrypted") : "") << ")\n";
  return 0;
}

}  // namespace

void add_security_commands(CLI::App& app, SecurityOptions& o) {
  CLI::App* keygen = app.add_subcommand(
      "keygen", "Create a signing key pair (KEYFILE and KEYFILE.pub) or an encryption key");
  keygen->add_option("--out", o.keygen_out, "secret key file; the public key goes to <out>.pub")
      ->required();
  keygen->add_option("--type", o.keygen_type, "signing (Ed25519) or encryption (XChaCha20)")
      ->check(CLI::IsMember({"signing", "encryption"}))
      ->capture_default_str();
  keygen->add_flag("--force", o.keygen_force, "overwrite existing key files");

  CLI::App* sign = app.add_subcommand("sign", "Sign (and optionally encrypt) an artifact");
  sign->add_option("--key", o.key, "secret signing key file, or env:NAME")->required();
  sign->add_option("--in", o.in, "artifact to sign")->required()->check(CLI::ExistingFile);
  sign->add_option("--out", o.out, "signed artifact to write")->required();
  sign->add_option("--encrypt-key", o.encrypt_key, "encryption key file, or env:NAME");

  CLI::App* verify =
      app.add_subcommand("verify", "Check an artifact's signature: exit 0 when valid, 1 otherwise");
  verify->add_option("--key", o.key, "public key file, or env:NAME")->required();
  verify->add_option("--in", o.in, "signed artifact")->required()->check(CLI::ExistingFile);
  verify->add_option("--decrypt-key", o.encrypt_key, "decryption key file, or env:NAME");
  verify->add_option("--out", o.out, "write the verified (decrypted) artifact here");
}

std::optional<int> run_security_command(const CLI::App& app, const SecurityOptions& options,
                                        std::ostream& out) {
  if (app.got_subcommand("keygen")) return run_keygen(options, out);
  if (app.got_subcommand("sign")) return run_sign(options, out);
  if (app.got_subcommand("verify")) return run_verify(options, out);
  return std::nullopt;
}

}  // namespace kolosal::cli
