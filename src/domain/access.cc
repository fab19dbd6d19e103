#include "domain/access.h"

namespace tousu {

Actor Actor::Of(const Principal& p) {
  switch (p.role) {
    case Role::kAdmin: return Actor{"admin", "", Role::kAdmin};
    case Role::kPlatform: return Actor{"platform", "", Role::kPlatform};
    case Role::kPublic: return Actor{"public", "", Role::kPublic};
    default: return Actor{"user", p.user_ref, p.role};
  }
}

bool CanSeeParties(const Principal& p, std::string_view platform_id, std::string_view consumer_ref,
                   std::string_view merchant_ref) {
  if (p.platform_id.empty() || p.platform_id != platform_id) return false;
  switch (p.role) {
    case Role::kConsumer: return p.user_ref == consumer_ref;
    case Role::kMerchant: return !p.merchant_ref.empty() && p.merchant_ref == merchant_ref;
    case Role::kAgent:
    case Role::kRisk:
    case Role::kArbitrator:
    case Role::kPlatform:
      return true;
    case Role::kAdmin:
    case Role::kPublic:
      return false;
  }
  return false;
}

bool CanSee(const Principal& p, const Complaint& c) {
  return CanSeeParties(p, c.platform_id, c.consumer_ref, c.merchant_ref);
}

bool CanSee(const Principal& p, const Order& o) {
  return CanSeeParties(p, o.platform_id, o.consumer_ref, o.merchant_ref);
}

bool CanSee(const Principal& p, const Merchant& m) {
  if (p.platform_id.empty() || p.platform_id != m.platform_id) return false;
  if (p.role == Role::kMerchant) return p.merchant_ref == m.ref;
  return p.role != Role::kAdmin && p.role != Role::kPublic;
}

}  // namespace tousu
