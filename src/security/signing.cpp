// SPDX-License-Identifier: MIT
// Ed25519 signing and XChaCha20-Poly1305 encryption of artifact containers with libsodium.
#include "kolosal/security/signing.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "kolosal/core/file.hpp"

namespace kolosal::security {
namespace {

constexpr std::size_t kKeyIdBytes = 8;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kNonceBytes == 24);
static_assert(kSignedHeaderSize == 8 + 2 + 1 + 1 + kKeyIdBytes + 8 + kNonceBytes);
static_assert(kSignatureSize == crypto_sign_BYTES);
constexpr unsigned char kFlagEncrypted = 1;

void ensure_sodium() {
  static const int status = sodium_init();
  KOLOSAL_CHECK(status >= 0, InternalError, "libsodium failed to initialise");
}

std::size_t expected_size(KeyKind kind) {
  switch (kind) {
    case KeyKind::kSigningSecret:
      return crypto_sign_SECRETKEYBYTES;
    case KeyKind::kSigningPublic:
      return crypto_sign_PUBLICKEYBYTES;
    case KeyKind::kEncryption:
      return crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
  }
  return 0;
}

std::string to_hex(const unsigned char* data, std::size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::array<unsigned char, kKeyIdBytes> key_id_bytes(const Key& key) {
  std::array<unsigned char, kKeyIdBytes> id{};
  std::span<const unsigned char> material = key.bytes();
  if (key.kind() == KeyKind::kSigningSecret) material = material.subspan(crypto_sign_SEEDBYTES);
  if (key.kind() == KeyKind::kEncryption) {
    // Never hash a secret key alone into a public identifier: domain-separate it first.
    unsigned char inner[32];
    crypto_generichash(inner, sizeof inner, material.data(), material.size(),
                       reinterpret_cast<const unsigned char*>("kolosal-key-id"), 14);
    crypto_generichash(id.data(), id.size(), inner, sizeof inner, nullptr, 0);
    sodium_memzero(inner, sizeof inner);
    return id;
  }
  crypto_generichash(id.data(), id.size(), material.data(), material.size(), nullptr, 0);
  return id;
}

void require_kind(const Key& key, KeyKind kind, std::string_view who) {
  KOLOSAL_CHECK(key.kind() == kind, InvalidArgument, who, ": expected a ", to_string(kind),
                " key but got a ", to_string(key.kind()), " key");
}

void put_u64(unsigned char* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint64_t get_u64(const unsigned char* in) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Writes a file atomically with the given mode: sibling temporary created 0600/0644 from the
// start (never world-readable for an instant), fsync, rename, fsync of the directory.
void write_private_file(const std::filesystem::path& path, std::string_view bytes, mode_t mode) {
  const std::filesystem::path temp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(randombytes_random());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  KOLOSAL_CHECK(fd >= 0, IoError, "cannot create '", temp.string(), "': ", std::strerror(errno));
  ::fchmod(fd, mode);  // the umask may have narrowed or the caller may want wider
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    const int why = ok ? errno : saved;
    ::unlink(temp.c_str());
    KOLOSAL_THROW(IoError, "cannot write '", path.string(), "': ", std::strerror(why));
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

std::string_view to_string(KeyKind kind) noexcept {
  switch (kind) {
    case KeyKind::kSigningSecret:
      return "ed25519-secret";
    case KeyKind::kSigningPublic:
      return "ed25519-public";
    case KeyKind::kEncryption:
      return "xchacha20-key";
  }
  return "?";
}

Key::Key(KeyKind kind, std::vector<unsigned char>&& bytes) : kind_(kind) {
  ensure_sodium();
  bytes_.swap(bytes);
  if (bytes_.size() != expected_size(kind)) {
    const std::size_t got = bytes_.size();
    wipe();
    KOLOSAL_THROW(InvalidArgument, "Key: a ", to_string(kind), " key has ", expected_size(kind),
                  " bytes, got ", got);
  }
}

Key::Key(Key&& other) noexcept : kind_(other.kind_), bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

Key& Key::operator=(Key&& other) noexcept {
  if (this != &other) {
    wipe();
    kind_ = other.kind_;
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

Key::~Key() { wipe(); }

void Key::wipe() noexcept {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  bytes_.clear();
}

std::string Key::id() const {
  const auto raw = key_id_bytes(*this);
  return to_hex(raw.data(), raw.size());
}

Key Key::public_key() const {
  require_kind(*this, KeyKind::kSigningSecret, "Key::public_key");
  std::vector<unsigned char> pk(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_ed25519_sk_to_pk(pk.data(), bytes_.data());
  return Key(KeyKind::kSigningPublic, std::move(pk));
}

SigningKeyPair generate_signing_key() {
  ensure_sodium();
  std::vector<unsigned char> pk(crypto_sign_PUBLICKEYBYTES);
  std::vector<unsigned char> sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pk.data(), sk.data());
  return {Key(KeyKind::kSigningSecret, std::move(sk)), Key(KeyKind::kSigningPublic, std::move(pk))};
}

Key generate_encryption_key() {
  ensure_sodium();
  std::vector<unsigned char> k(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_aead_xchacha20poly1305_ietf_keygen(k.data());
  return Key(KeyKind::kEncryption, std::move(k));
}

std::string encode_key(const Key& key) {
  const auto bytes = key.bytes();
  const std::size_t len = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string b64(len, '\0');
  sodium_bin2base64(b64.data(), b64.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  std::string out = "kolosal-" + std::string(to_string(key.kind())) + " " + b64 + "\n";
  sodium_memzero(b64.data(), b64.size());
  return out;
}

Key decode_key(std::string_view text, KeyKind expected, std::string_view source) {
  ensure_sodium();
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  KOLOSAL_CHECK(first != std::string_view::npos, InvalidArgument, source, ": empty key");
  text = text.substr(first, last - first + 1);
  const std::string prefix = "kolosal-" + std::string(to_string(expected)) + " ";
  if (text.rfind("kolosal-", 0) == 0) {
    const std::string_view kind = text.substr(
        8, text.find(' ') == std::string_view::npos ? std::string_view::npos : text.find(' ') - 8);
    KOLOSAL_CHECK(text.substr(0, prefix.size()) == prefix, InvalidArgument, source, ": expected a ",
                  to_string(expected), " key but found a '", kind.substr(0, 32), "' key");
    text.remove_prefix(prefix.size());
  }
  std::vector<unsigned char> bytes(text.size());
  std::size_t n = 0;
  const int rc = sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr,
                                   &n, nullptr, sodium_base64_VARIANT_ORIGINAL);
  bytes.resize(rc == 0 ? n : 0);
  if (rc != 0 || n != expected_size(expected)) {
    sodium_memzero(bytes.data(), bytes.size());
    KOLOSAL_THROW(InvalidArgument, source, ": not a valid ", to_string(expected), " key (",
                  rc != 0 ? "bad base64" : "wrong length", ")");
  }
  return Key(expected, std::move(bytes));
}

void save_key(const std::filesystem::path& path, const Key& key) {
  std::string text = encode_key(key);
  const mode_t mode = key.kind() == KeyKind::kSigningPublic ? 0644 : 0600;
  try {
    write_private_file(path, text, mode);
  } catch (...) {
    sodium_memzero(text.data(), text.size());
    throw;
  }
  sodium_memzero(text.data(), text.size());
}

Key load_key(const std::filesystem::path& path, KeyKind expected) {
  if (expected != KeyKind::kSigningPublic) {
    struct stat st {};
    KOLOSAL_CHECK(::stat(path.c_str(), &st) == 0, IoError, "cannot open key file '", path.string(),
                  "': ", std::strerror(errno));
    KOLOSAL_CHECK((st.st_mode & 077) == 0, InvalidArgument, "key file '", path.string(),
                  "' is readable by group or others (mode ", std::oct, (st.st_mode & 0777),
                  "): run 'chmod 600' on it");
  }
  std::string text = io::read_file(path);
  try {
    Key key = decode_key(text, expected, path.string());
    sodium_memzero(text.data(), text.size());
    return key;
  } catch (...) {
    sodium_memzero(text.data(), text.size());
    throw;
  }
}

Key key_from_env(const std::string& name, KeyKind expected) {
  const char* value = std::getenv(name.c_str());
  KOLOSAL_CHECK(value != nullptr && *value != '\0', InvalidArgument, "environment variable ", name,
                " holding the ", to_string(expected), " key is not set");
  return decode_key(value, expected, "environment variable " + name);
}

bool is_signed_container(std::string_view bytes) noexcept {
  return bytes.size() >= kSignedMagic.size() &&
         bytes.substr(0, kSignedMagic.size()) == kSignedMagic;
}

std::string sign(std::string_view artifact, const Key& secret, const Key* encryption) {
  ensure_sodium();
  require_kind(secret, KeyKind::kSigningSecret, "security::sign");
  if (encryption) require_kind(*encryption, KeyKind::kEncryption, "security::sign");
  const std::size_t payload_size = artifact.size() + (encryption ? kTagBytes : 0);
  std::string out(kSignedHeaderSize + payload_size + kSignatureSize, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  std::memcpy(p, kSignedMagic.data(), kSignedMagic.size());
  p[8] = static_cast<unsigned char>(kSignedVersion & 0xFF);
  p[9] = static_cast<unsigned char>(kSignedVersion >> 8);
  p[10] = encryption ? kFlagEncrypted : 0;
  p[11] = 0;
  const auto id = key_id_bytes(secret);
  std::memcpy(p + 12, id.data(), id.size());
  put_u64(p + 20, payload_size);
  unsigned char* nonce = p + 28;
  unsigned char* payload = p + kSignedHeaderSize;
  if (encryption) {
    randombytes_buf(nonce, kNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(payload, &written, bytes_of(artifact),
                                               artifact.size(), p, kSignedHeaderSize, nullptr,
                                               nonce, encryption->bytes().data());
    KOLOSAL_ASSERT(written == payload_size);
  } else if (!artifact.empty()) {
    std::memcpy(payload, artifact.data(), artifact.size());
  }
  crypto_sign_detached(payload + payload_size, nullptr, p, kSignedHeaderSize + payload_size,
                       secret.bytes().data());
  return out;
}

ContainerHeader read_header(std::string_view container, std::string_view source) {
  KOLOSAL_CHECK(is_signed_container(container), security::VerificationError, source,
                ": not a signed kolosal artifact (no KOLSIGN header); unsigned artifacts are "
                "refused when a verification key is configured");
  KOLOSAL_CHECK(container.size() >= kSignedHeaderSize + kSignatureSize, security::VerificationError,
                source, ": truncated signed artifact (", container.size(), " bytes, at least ",
                kSignedHeaderSize + kSignatureSize, " expected)");
  const unsigned char* p = bytes_of(container);
  ContainerHeader h;
  h.version = p[8] | (p[9] << 8);
  KOLOSAL_CHECK(h.version == kSignedVersion, security::VerificationError, source,
                ": unsupported signed-container version ", h.version, " (this build reads ",
                kSignedVersion, ")");
  KOLOSAL_CHECK((p[10] & ~kFlagEncrypted) == 0 && p[11] == 0, security::VerificationError, source,
                ": invalid signed-container flags");
  h.encrypted = (p[10] & kFlagEncrypted) != 0;
  h.key_id = to_hex(p + 12, kKeyIdBytes);
  h.payload_size = get_u64(p + 20);
  const std::uint64_t actual = container.size() - kSignedHeaderSize - kSignatureSize;
  KOLOSAL_CHECK(h.payload_size <= actual, security::VerificationError, source,
                ": truncated signed artifact (payload of ", h.payload_size, " bytes but only ",
                actual, " present)");
  KOLOSAL_CHECK(h.payload_size == actual, security::VerificationError, source, ": ",
                actual - h.payload_size, " unexpected bytes after the signed payload");
  KOLOSAL_CHECK(!h.encrypted || h.payload_size >= kTagBytes, security::VerificationError, source,
                ": encrypted payload shorter than its authentication tag");
  return h;
}

ContainerHeader verify_signature(std::string_view container, const Key& public_key,
                                 std::string_view source) {
  ensure_sodium();
  require_kind(public_key, KeyKind::kSigningPublic, "security::verify_signature");
  const ContainerHeader h = read_header(container, source);
  const std::size_t signed_size = kSignedHeaderSize + h.payload_size;
  const unsigned char* p = bytes_of(container);
  if (crypto_sign_verify_detached(p + signed_size, p, signed_size, public_key.bytes().data()) !=
      0) {
    const std::string expected_id = public_key.id();
    KOLOSAL_CHECK(h.key_id == expected_id, security::VerificationError, source,
                  ": signature check failed: signed by key ", h.key_id,
                  " but the verification key is ", expected_id);
    KOLOSAL_THROW(security::VerificationError, source,
                  ": signature check failed: the artifact was modified after signing");
  }
  return h;
}

std::string open_signed(std::string_view container, const Key& public_key, const Key* decryption,
                        std::string_view source) {
  if (decryption) require_kind(*decryption, KeyKind::kEncryption, "security::open_signed");
  const ContainerHeader h = verify_signature(container, public_key, source);
  const unsigned char* p = bytes_of(container);
  const std::string_view payload = container.substr(kSignedHeaderSize, h.payload_size);
  if (!h.encrypted) return std::string(payload);
  KOLOSAL_CHECK(decryption != nullptr, security::VerificationError, source,
                ": the artifact is encrypted; a decryption key is required");
  std::string plain(h.payload_size - kTagBytes, '\0');
  unsigned long long written = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr, bytes_of(payload),
      payload.size(), p, kSignedHeaderSize, p + 28, decryption->bytes().data());
  KOLOSAL_CHECK(rc == 0, security::VerificationError, source,
                ": decryption failed: wrong decryption key (key ", decryption->id(), ")");
  plain.resize(written);
  return plain;
}

ArtifactVerifier::ArtifactVerifier(Key public_key, std::optional<Key> decryption)
    : public_key_(std::move(public_key)), decryption_(std::move(decryption)) {
  require_kind(public_key_, KeyKind::kSigningPublic, "ArtifactVerifier");
  if (decryption_) require_kind(*decryption_, KeyKind::kEncryption, "ArtifactVerifier");
}

std::string ArtifactVerifier::read(const std::filesystem::path& path) const {
  return open_signed(io::read_file(path), public_key_, decryption_ ? &*decryption_ : nullptr,
                     path.string());
}

nlohmann::json ArtifactVerifier::load(const std::filesystem::path& path,
                                      std::string_view expected_kind) const {
  return serialization::decode(read(path), expected_kind, path.string());
}

void save_signed(const std::filesystem::path& path, std::string_view kind,
                 const nlohmann::json& payload, const Key& secret, const Key* encryption,
                 serialization::Encoding encoding) {
  io::write_file_atomic(path,
                        sign(serialization::encode(kind, payload, encoding), secret, encryption));
}

nlohmann::json load_verified(const std::filesystem::path& path, std::string_view expected_kind,
                             const ArtifactVerifier& verifier) {
  return verifier.load(path, expected_kind);
}

}  // namespace kolosal::security
