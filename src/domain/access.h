// Who may see which object: the one place for ownership rules (the route table says which
// roles may call an endpoint; this says which objects a caller may touch).
//
// A caller who may not see an object gets 404 exactly as if it did not exist, so existence never
// leaks across tenants, consumers or merchants.
#ifndef TOUSU_DOMAIN_ACCESS_H_
#define TOUSU_DOMAIN_ACCESS_H_

#include <string_view>

#include "domain/model.h"
#include "domain/principal.h"

namespace tousu {

// Same tenant, and: consumers their own, merchant staff their shop's, staff and the platform
// all of their platform.
bool CanSee(const Principal& p, const Complaint& c);
// The same for a complaint or order known only by its platform and parties.
bool CanSeeParties(const Principal& p, std::string_view platform_id, std::string_view consumer_ref,
                   std::string_view merchant_ref);
bool CanSee(const Principal& p, const Order& o);
bool CanSee(const Principal& p, const Merchant& m);

}  // namespace tousu

#endif  // TOUSU_DOMAIN_ACCESS_H_
