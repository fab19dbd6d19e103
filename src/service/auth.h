// Authentication: bearer tokens in, principals out. Tokens are 256-bit random secrets shown
// once; the store keeps only their SHA-256. Kinds by prefix: "tsa_" admin (from `tousu init`),
// "tsk_" a platform's API key, "tsu_" a user's login session (with an expiry).
//
// Session expiry is security, not business time: it runs on the real clock even when the
// server's business clock is the test clock, so moving that clock days ahead does not log
// everybody out.
// Thread-safety: stateless; safe from any thread.
#ifndef TOUSU_SERVICE_AUTH_H_
#define TOUSU_SERVICE_AUTH_H_

#include <string>

#include "base/clock.h"
#include "base/ids.h"
#include "domain/principal.h"
#include "store/store.h"

namespace tousu {

struct IssuedToken {
  std::string token;  // the secret: give it to the caller once, never store or log it
  CredentialRecord record;
};

class AuthService final {
 public:
  // `wall_clock`: real time, for token expiry and credential timestamps.
  AuthService(const Clock& wall_clock, IdGenerator& ids, Duration session_ttl)
      : clock_(wall_clock), ids_(ids), session_ttl_(session_ttl) {}

  // Resolves a bearer token; Unauthenticated when unknown, malformed or expired.
  StatusOr<Principal> Resolve(ReadTx& tx, std::string_view token) const;

  // Writes a new credential. `platform_id`/`user_ref` as the role needs.
  StatusOr<IssuedToken> Issue(WriteTx& tx, Role role, std::string_view platform_id,
                              std::string_view user_ref) const;

  // Checks the password (outside any write job: Argon2id is slow) and returns the user, or
  // Unauthenticated with one message for every kind of failure.
  StatusOr<User> CheckLogin(ReadTx& tx, std::string_view platform, std::string_view user,
                            std::string_view password) const;

  Duration session_ttl() const { return session_ttl_; }

 private:
  const Clock& clock_;
  IdGenerator& ids_;
  Duration session_ttl_;
};

// The stored form of a token: raw SHA-256 bytes.
std::string TokenHash(std::string_view token);

}  // namespace tousu

#endif  // TOUSU_SERVICE_AUTH_H_
