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

#include <mutex>
#include <string>
#include <unordered_map>

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

  // Resolves a bearer token from the store, and caches the answer; Unauthenticated when
  // unknown, malformed or expired.
  StatusOr<Principal> Resolve(ReadTx& tx, std::string_view token) const;

  // Writes a new credential. `platform_id`/`user_ref` as the role needs.
  StatusOr<IssuedToken> Issue(WriteTx& tx, Role role, std::string_view platform_id,
                              std::string_view user_ref) const;

  // Checks the password (outside any write job: Argon2id is slow) and returns the user, or
  // Unauthenticated with one message for every kind of failure.
  StatusOr<User> CheckLogin(ReadTx& tx, std::string_view platform, std::string_view user,
                            std::string_view password) const;

  Duration session_ttl() const { return session_ttl_; }

  // A small in-memory cache of resolved tokens, so a request needs no store read to
  // authenticate. Entries live kCacheTtl at most, so a changed role or shop shows within that
  // time; Forget() drops a logged-out credential at once (in this process).
  static constexpr Duration kCacheTtl = seconds(5);
  std::optional<Principal> Cached(std::string_view token) const;
  void Forget(std::string_view credential_id) const;

 private:
  struct CacheEntry {
    Principal principal;
    Instant valid_until;
  };
  static constexpr size_t kMaxCached = 100000;

  const Clock& clock_;
  IdGenerator& ids_;
  Duration session_ttl_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, CacheEntry> cache_;  // by token hash; GUARDED_BY(mu_)
  // Credentials forgotten in the last kCacheTtl: never cached again meanwhile, so a lookup that
  // raced the logout's commit cannot bring the token back. GUARDED_BY(mu_)
  mutable std::unordered_map<std::string, Instant> revoked_;
};

// The stored form of a token: raw SHA-256 bytes.
std::string TokenHash(std::string_view token);

}  // namespace tousu

#endif  // TOUSU_SERVICE_AUTH_H_
