// Principal: who is calling, resolved from the bearer token. Access rules over objects live in
// domain/access.h and nowhere else.
#ifndef TOUSU_DOMAIN_PRINCIPAL_H_
#define TOUSU_DOMAIN_PRINCIPAL_H_

#include <string>

#include "domain/types.h"

namespace tousu {

struct Principal {
  Role role = Role::kPublic;
  std::string platform_id;   // empty for admin and public
  std::string user_ref;      // users only
  std::string merchant_ref;  // merchant staff only
  std::string credential_id; // which token; for idempotency scope and logout

  static Principal Public() { return Principal{}; }
  bool IsUser() const { return !user_ref.empty(); }
};

// The actor recorded on an event. `system` for deadlines acting by themselves.
struct Actor {
  std::string kind;  // "user" | "platform" | "admin" | "system"
  std::string ref;   // user ref, or empty
  Role role = Role::kPublic;

  static Actor System() { return Actor{"system", "", Role::kPublic}; }
  static Actor Of(const Principal& p);
};

}  // namespace tousu

#endif  // TOUSU_DOMAIN_PRINCIPAL_H_
