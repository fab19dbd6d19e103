#include "evidence/note.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdio>
#include <vector>

#include "base/crypto.h"
#include "base/encoding.h"
#include "evidence/utf8.h"

namespace tousu::evidence {

namespace {

// A note is UTF-8 text without control characters other than newline (C2SP signed-note; Go's
// note.Open refuses anything else as malformed).
Status CheckNoteBytes(std::string_view note) {
  for (char c : note) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return Status::InvalidArgument("the note contains a control character");
    }
  }
  if (!IsValidUtf8(note)) return Status::InvalidArgument("the note is not well-formed UTF-8");
  return Status::Ok();
}

constexpr char kAlgEd25519 = 0x01;
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // "— " (U+2014 EM DASH, space)
constexpr size_t kMaxNote = 1 << 20;
constexpr int kMaxSignatures = 100;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

uint32_t KeyId(std::string_view name, std::string_view public_key) {
  std::string material(name);
  material += '\n';
  material += kAlgEd25519;
  material += public_key;
  const Sha256Digest d = Sha256(material);
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | uint32_t{d[3]};
}

std::string KeyIdHex(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}

std::string KeyIdBytes(uint32_t id) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(id >> (24 - 8 * i));
  return out;
}

// Splits "a+b+c" into exactly `n` parts at '+' (the last part may itself contain '+', since
// base64 does).
std::optional<std::vector<std::string_view>> SplitPlus(std::string_view s, size_t n) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < n) {
    const size_t plus = s.find('+');
    if (plus == std::string_view::npos) return std::nullopt;
    parts.push_back(s.substr(0, plus));
    s.remove_prefix(plus + 1);
  }
  parts.push_back(s);
  return parts;
}

// "<name>", "<8 hex>", "<base64(0x01 || 32 bytes)>" → the 32 bytes, after checking the ID.
StatusOr<std::string> ParseKeyParts(std::string_view name, std::string_view id_hex,
                                    std::string_view b64, bool is_private) {
  if (!IsValidKeyName(name)) return Status::InvalidArgument("the key name is not valid");
  if (id_hex.size() != 8) return Status::InvalidArgument("the key ID is not 8 hex digits");
  for (char c : id_hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Status::InvalidArgument("the key ID is not 8 lower-case hex digits");
    }
  }
  auto raw = Base64Decode(b64);
  if (!raw || raw->size() != 33 || (*raw)[0] != kAlgEd25519 || Base64Encode(*raw) != b64) {
    return Status::InvalidArgument("the key material is not base64 of an Ed25519 key");
  }
  std::string key = raw->substr(1);
  OPENSSL_cleanse(raw->data(), raw->size());
  if (is_private) return key;  // the ID is checked against the derived public key
  if (KeyIdHex(KeyId(name, key)) != id_hex) {
    return Status::InvalidArgument("the key ID does not match the key");
  }
  return key;
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7f || c == '+') return false;
  }
  return true;
}

// ---- signer ---------------------------------------------------------------------------------

struct NoteSigner::Key {
  Pkey pkey;
  std::string public_key;
};

NoteSigner::NoteSigner(std::string name, std::shared_ptr<const Key> key)
    : name_(std::move(name)), key_id_(KeyId(name_, key->public_key)), key_(std::move(key)) {}

namespace {

StatusOr<std::string> RawKey(EVP_PKEY* pkey, bool is_private) {
  std::string out(32, '\0');
  size_t len = out.size();
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  const int rc = is_private ? EVP_PKEY_get_raw_private_key(pkey, p, &len)
                            : EVP_PKEY_get_raw_public_key(pkey, p, &len);
  if (rc != 1 || len != 32) return Status::Internal("OpenSSL could not export an Ed25519 key");
  return out;
}

}  // namespace

StatusOr<NoteSigner> NoteSigner::Generate(std::string name) {
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument("key name '" + name +
                                   "' must be printable ASCII without spaces or '+'");
  }
  Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) return Status::Internal("OpenSSL could not generate an Ed25519 key");
  TOUSU_ASSIGN_OR_RETURN(std::string pub, RawKey(pkey.get(), false));
  auto key = std::make_shared<Key>(Key{std::move(pkey), std::move(pub)});
  return NoteSigner(std::move(name), std::move(key));
}

StatusOr<NoteSigner> NoteSigner::FromSignerKey(std::string_view skey) {
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (skey.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("a signer key starts with PRIVATE+KEY+");
  }
  auto parts = SplitPlus(skey.substr(kPrefix.size()), 3);
  if (!parts) return Status::InvalidArgument("a signer key has the form PRIVATE+KEY+name+id+key");
  TOUSU_ASSIGN_OR_RETURN(std::string seed, ParseKeyParts((*parts)[0], (*parts)[1], (*parts)[2], true));
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                         reinterpret_cast<const unsigned char*>(seed.data()),
                                         seed.size()));
  OPENSSL_cleanse(seed.data(), seed.size());
  if (!pkey) return Status::InvalidArgument("the signer key is not an Ed25519 private key");
  TOUSU_ASSIGN_OR_RETURN(std::string pub, RawKey(pkey.get(), false));
  if (KeyIdHex(KeyId((*parts)[0], pub)) != (*parts)[1]) {
    return Status::InvalidArgument("the signer key's ID does not match its key");
  }
  auto key = std::make_shared<Key>(Key{std::move(pkey), std::move(pub)});
  return NoteSigner(std::string((*parts)[0]), std::move(key));
}

std::string NoteSigner::SignerKey() const {
  auto seed = RawKey(key_->pkey.get(), true);
  if (!seed.ok()) return "";
  std::string material = std::string(1, kAlgEd25519) + *seed;
  std::string out = "PRIVATE+KEY+" + name_ + "+" + KeyIdHex(key_id_) + "+" + Base64Encode(material);
  OPENSSL_cleanse(seed->data(), seed->size());
  OPENSSL_cleanse(material.data(), material.size());
  return out;
}

std::string NoteSigner::VerifierKey() const {
  return name_ + "+" + KeyIdHex(key_id_) + "+" +
         Base64Encode(std::string(1, kAlgEd25519) + key_->public_key);
}

std::string NoteSigner::PublicKeyHex() const { return HexEncode(key_->public_key); }

StatusOr<std::string> NoteSigner::Sign(std::string_view text) const {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("a note's text must end in a newline");
  }
  // What Open (and Go's note.Open) would refuse is never signed.
  TOUSU_RETURN_IF_ERROR(CheckNoteBytes(text));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1 ||
      len != sizeof sig) {
    return Status::Internal("OpenSSL could not sign with Ed25519");
  }
  std::string blob = KeyIdBytes(key_id_) + std::string(reinterpret_cast<char*>(sig), len);
  std::string note(text);
  note += '\n';
  note += kSigPrefix;
  note += name_ + " " + Base64Encode(blob) + "\n";
  return note;
}

// ---- verifier -------------------------------------------------------------------------------

struct NoteVerifier::Key {
  Pkey pkey;
};

NoteVerifier::NoteVerifier(std::string name, std::shared_ptr<const Key> key, std::string public_key)
    : name_(std::move(name)),
      key_id_(KeyId(name_, public_key)),
      public_key_(std::move(public_key)),
      key_(std::move(key)) {}

StatusOr<NoteVerifier> NoteVerifier::FromPublicKey(std::string name, std::string_view raw) {
  if (!IsValidKeyName(name)) return Status::InvalidArgument("the key name is not valid");
  if (raw.size() != 32) return Status::InvalidArgument("an Ed25519 public key is 32 bytes");
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                        reinterpret_cast<const unsigned char*>(raw.data()),
                                        raw.size()));
  if (!pkey) return Status::InvalidArgument("not an Ed25519 public key");
  auto key = std::make_shared<Key>(Key{std::move(pkey)});
  return NoteVerifier(std::move(name), std::move(key), std::string(raw));
}

StatusOr<NoteVerifier> NoteVerifier::FromVerifierKey(std::string_view vkey) {
  auto parts = SplitPlus(vkey, 3);
  if (!parts) return Status::InvalidArgument("a verifier key has the form name+id+key");
  TOUSU_ASSIGN_OR_RETURN(std::string pub, ParseKeyParts((*parts)[0], (*parts)[1], (*parts)[2], false));
  return FromPublicKey(std::string((*parts)[0]), pub);
}

std::string NoteVerifier::VerifierKey() const {
  return name_ + "+" + KeyIdHex(key_id_) + "+" +
         Base64Encode(std::string(1, kAlgEd25519) + public_key_);
}

StatusOr<std::string> NoteVerifier::Open(std::string_view note) const {
  if (note.size() > kMaxNote) return Status::InvalidArgument("the note is larger than 1 MiB");
  if (note.empty() || note.back() != '\n') {
    return Status::InvalidArgument("a signed note ends in a newline");
  }
  TOUSU_RETURN_IF_ERROR(CheckNoteBytes(note));
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("the note has no blank line before its signatures");
  }
  const std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  bool found = false;
  int count = 0;
  while (!sigs.empty()) {
    if (++count > kMaxSignatures) return Status::InvalidArgument("the note has too many signatures");
    const size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return Status::InvalidArgument("a signature line does not start with an em dash");
    }
    line.remove_prefix(kSigPrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return Status::InvalidArgument("a signature line has no key name");
    const std::string_view name = line.substr(0, space);
    const std::string_view encoded = line.substr(space + 1);
    auto blob = Base64Decode(encoded);
    // Only the canonical encoding: no second spelling of the same signature.
    if (!IsValidKeyName(name) || !blob || blob->size() < 5 || Base64Encode(*blob) != encoded) {
      return Status::InvalidArgument("a signature line is malformed");
    }
    uint32_t id = 0;
    for (int i = 0; i < 4; ++i) id = id << 8 | static_cast<uint8_t>((*blob)[i]);
    if (name != name_ || id != key_id_) continue;  // another key's signature
    if (blob->size() != 4 + 64) return Status::InvalidArgument("the signature has the wrong length");
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    const auto* sig = reinterpret_cast<const unsigned char*>(blob->data() + 4);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), sig, 64, reinterpret_cast<const unsigned char*>(text.data()),
                         text.size()) != 1) {
      return Status::InvalidArgument("the signature by " + name_ + " does not verify");
    }
    found = true;
  }
  if (!found) return Status::InvalidArgument("the note has no signature by " + VerifierKey());
  return std::string(text);
}

}  // namespace tousu::evidence
