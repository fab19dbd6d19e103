#include "service/auth.h"

#include "base/crypto.h"
#include "service/passwords.h"

namespace tousu {

namespace {

constexpr std::string_view kBadToken = "the bearer token is unknown, malformed or expired; log in again";
constexpr std::string_view kBadLogin = "wrong platform, user or password";

std::string_view PrefixFor(Role role) {
  switch (role) {
    case Role::kAdmin: return "tsa";
    case Role::kPlatform: return "tsk";
    default: return "tsu";
  }
}

}  // namespace

std::string TokenHash(std::string_view token) { return DigestBytes(Sha256(token)); }

StatusOr<Principal> AuthService::Resolve(ReadTx& tx, std::string_view token) const {
  // "tsX_" + 43 base64url characters.
  if (token.size() != 47 || token[3] != '_') return Status::Unauthenticated(std::string(kBadToken));
  TOUSU_ASSIGN_OR_RETURN(auto cred, tx.FindCredential(TokenHash(token)));
  if (!cred) return Status::Unauthenticated(std::string(kBadToken));
  if (cred->expires_at && *cred->expires_at <= clock_.Now()) {
    return Status::Unauthenticated(std::string(kBadToken));
  }
  Principal p;
  p.role = cred->role;
  p.platform_id = cred->platform_id;
  p.user_ref = cred->user_ref;
  p.credential_id = cred->id;
  if (!p.user_ref.empty()) {
    // The user's current role and shop count, not those at login.
    TOUSU_ASSIGN_OR_RETURN(auto user, tx.GetUser(p.platform_id, p.user_ref));
    if (!user) return Status::Unauthenticated(std::string(kBadToken));
    p.role = user->role;
    p.merchant_ref = user->merchant_ref;
  }
  const Instant now = clock_.Now();
  Instant until = now + kCacheTtl;
  if (cred->expires_at && *cred->expires_at < until) until = *cred->expires_at;
  std::lock_guard lock(mu_);
  if (auto r = revoked_.find(p.credential_id); r != revoked_.end()) {
    if (r->second > now) return Status::Unauthenticated(std::string(kBadToken));
    revoked_.erase(r);
  }
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_[TokenHash(token)] = CacheEntry{p, until};
  return p;
}

std::optional<Principal> AuthService::Cached(std::string_view token) const {
  const std::string hash = TokenHash(token);
  const Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = cache_.find(hash);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.valid_until <= now) {
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void AuthService::Forget(std::string_view credential_id) const {
  std::lock_guard lock(mu_);
  if (revoked_.size() >= kMaxCached) revoked_.clear();
  revoked_[std::string(credential_id)] = clock_.Now() + kCacheTtl;
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.principal.credential_id == credential_id ? cache_.erase(it) : std::next(it);
  }
}

StatusOr<IssuedToken> AuthService::Issue(WriteTx& tx, Role role, std::string_view platform_id,
                                         std::string_view user_ref) const {
  IssuedToken out;
  out.token = NewSecretToken(PrefixFor(role));
  CredentialRecord& c = out.record;
  c.id = ids_.Next("crd");
  c.token_hash = TokenHash(out.token);
  c.role = role;
  c.platform_id = std::string(platform_id);
  c.user_ref = std::string(user_ref);
  c.created_at = clock_.Now();
  if (!c.user_ref.empty()) c.expires_at = c.created_at + session_ttl_;
  TOUSU_RETURN_IF_ERROR(tx.InsertCredential(c));
  return out;
}

StatusOr<User> AuthService::CheckLogin(ReadTx& tx, std::string_view platform, std::string_view user,
                                       std::string_view password) const {
  TOUSU_ASSIGN_OR_RETURN(auto found, tx.GetUser(platform, user));
  const std::string encoded = found ? found->password_hash : std::string();
  if (!VerifyPassword(password, encoded) || !found) {
    return Status::Unauthenticated(std::string(kBadLogin));
  }
  return *found;
}

}  // namespace tousu
