// Password hashing with Argon2id (libsodium's crypto_pwhash_str, interactive limits: 2 passes,
// 64 MiB). Hashing takes tens of milliseconds on purpose; call it outside write jobs.
// Thread-safety: safe from any thread.
#ifndef TOUSU_SERVICE_PASSWORDS_H_
#define TOUSU_SERVICE_PASSWORDS_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace tousu {

// Initialises libsodium once; false if the library cannot start.
bool InitPasswordHashing();

StatusOr<std::string> HashPassword(std::string_view password);
// True when `password` matches `encoded`. With an empty `encoded` it still spends the time of a
// verification, so a missing user cannot be told from a wrong password by timing.
bool VerifyPassword(std::string_view password, const std::string& encoded);

// Length and content rules for new passwords; the message says what to change.
Status CheckPasswordRules(std::string_view password);

}  // namespace tousu

#endif  // TOUSU_SERVICE_PASSWORDS_H_
