// Rule policies per platform: read the current (or a given) version as TOML, replace it with a
// validated new version, and the parsed Policy that applies to a platform's complaints.
// A platform that never set a policy uses the built-in defaults (policy/default.toml), version 0.
// Every version is kept, so an assessment's policy_version can always be looked up.
// Thread-safety: stateless functions over the caller's transaction.
#ifndef TOUSU_SERVICE_POLICIES_H_
#define TOUSU_SERVICE_POLICIES_H_

#include <optional>
#include <memory>
#include <string>

#include "domain/model.h"
#include "rules/policy.h"
#include "store/store.h"

namespace tousu {

struct PolicyText {
  std::string platform_id;
  int64_t version = 0;  // 0: the built-in defaults
  std::string text;
};

// A parsed policy, shared: every filing and deadline needs one, and a copy of the whole
// struct (rule texts, category maps) per filing cost the store's writer thread 2 %.
using PolicyRef = std::shared_ptr<const Policy>;

// The policy that applies on a platform now (the defaults until it sets its own).
StatusOr<PolicyRef> PolicyFor(ReadTx& tx, std::string_view platform);

// A complaint is judged under the policy in force when it was filed (the version its
// assessment records), so changing a policy never changes the rules of open complaints.
StatusOr<PolicyRef> PolicyOf(ReadTx& tx, const Complaint& c);

// The platform's policy text: the current one, or `version`. 404 for an unknown platform or
// version.
StatusOr<PolicyText> GetPolicyText(ReadTx& tx, std::string_view platform, std::optional<int64_t> version);

// Checks `text` (422 with every field error when it is refused) without touching the store.
Status ValidatePolicyText(std::string_view text);

// Stores `text` as the platform's next version. 404 for an unknown platform, 422 for a bad
// policy (the old one stays). Call ValidatePolicyText first, outside the transaction.
StatusOr<PolicyText> PutPolicyText(WriteTx& tx, std::string_view platform, std::string text,
                                   std::string_view by, Instant now);

}  // namespace tousu

#endif  // TOUSU_SERVICE_POLICIES_H_
