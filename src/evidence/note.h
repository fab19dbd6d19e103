// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, over OpenSSL.
//
//   <text, ending in a newline>
//   <blank line>
//   — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature of the text)>
//
// The key ID is the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key). Keys travel
// as strings in the formats of golang.org/x/mod/sumdb/note, so Go tooling reads them too:
//   verifier key  <name>+<key ID, 8 hex>+<base64(0x01 || 32-byte public key)>
//   signer key    PRIVATE+KEY+<name>+<key ID, 8 hex>+<base64(0x01 || 32-byte private seed)>
// Byte formats: docs/log_format.md "Checkpoints".
// Thread-safety: NoteSigner and NoteVerifier are immutable after construction and may be used
// from any thread; each signature uses its own OpenSSL context.
#ifndef TOUSU_EVIDENCE_NOTE_H_
#define TOUSU_EVIDENCE_NOTE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tousu::evidence {

// True for a usable key name: 1 to 256 printable ASCII characters, no space and no '+'.
bool IsValidKeyName(std::string_view name);

class NoteSigner final {
 public:
  // A fresh Ed25519 key from OpenSSL's CSPRNG.
  static StatusOr<NoteSigner> Generate(std::string name);
  // Parses a signer key string; InvalidArgument when malformed or its key ID is wrong.
  static StatusOr<NoteSigner> FromSignerKey(std::string_view skey);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // The secret signer key string. Never log it.
  std::string SignerKey() const;
  std::string VerifierKey() const;
  std::string PublicKeyHex() const;

  // `text` followed by the blank line and this key's signature line. `text` must be non-empty
  // and end in a newline.
  StatusOr<std::string> Sign(std::string_view text) const;

 private:
  struct Key;
  NoteSigner(std::string name, std::shared_ptr<const Key> key);
  std::string name_;
  uint32_t key_id_ = 0;
  std::shared_ptr<const Key> key_;
};

class NoteVerifier final {
 public:
  static StatusOr<NoteVerifier> FromVerifierKey(std::string_view vkey);
  // A raw 32-byte public key under `name` (e.g. a checkpoint's origin).
  static StatusOr<NoteVerifier> FromPublicKey(std::string name, std::string_view raw_public_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  std::string VerifierKey() const;

  // The text of `note` when it carries a valid signature by this key. Signatures by other keys
  // are ignored. InvalidArgument saying what is wrong otherwise: malformed note, no signature by
  // this key, or a signature that does not verify.
  StatusOr<std::string> Open(std::string_view note) const;

 private:
  struct Key;
  NoteVerifier(std::string name, std::shared_ptr<const Key> key, std::string public_key);
  std::string name_;
  uint32_t key_id_ = 0;
  std::string public_key_;  // 32 raw bytes
  std::shared_ptr<const Key> key_;
};

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_NOTE_H_
