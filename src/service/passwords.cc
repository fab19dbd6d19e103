#include "service/passwords.h"

#include <sodium.h>

#include <mutex>

namespace tousu {

bool InitPasswordHashing() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

StatusOr<std::string> HashPassword(std::string_view password) {
  if (!InitPasswordHashing()) return Status::Internal("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("out of memory while hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& encoded) {
  if (!InitPasswordHashing()) return false;
  // A fixed hash of a random string, so that unknown users cost the same as known ones.
  static const std::string kDummy = [] {
    auto h = HashPassword("tousu-timing-equaliser");
    return h.ok() ? *h : std::string();
  }();
  const std::string& target = encoded.empty() ? kDummy : encoded;
  if (target.empty()) return false;
  const bool match =
      crypto_pwhash_str_verify(target.c_str(), password.data(), password.size()) == 0;
  return match && !encoded.empty();
}

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < 8) return Status::BadField("password", "must be at least 8 characters");
  if (password.size() > 256) return Status::BadField("password", "must be at most 256 bytes");
  return Status::Ok();
}

}  // namespace tousu
