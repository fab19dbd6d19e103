// Policy: every threshold, window and deadline the rules use, per platform. The defaults here
// are SPEC.md's (each with its rule id and basis in policy/default.toml); a platform may replace
// them. Pure data.
#ifndef TOUSU_RULES_POLICY_H_
#define TOUSU_RULES_POLICY_H_

#include <cstdint>
#include <string>

#include "base/money.h"
#include "base/time.h"
#include "domain/lifecycle.h"

namespace tousu {

struct Policy {
  int64_t version = 0;  // 0: the built-in defaults

  DeadlineDurations deadlines;

  // Filing windows (filing.*).
  Duration delivered_goods_window = hours(24);  // filing.delivered_goods_24h
  Duration incident_window = days(7);           // filing.incident_7d

  // Routing (routing.*).
  Money risk_threshold = Money::Yuan(500);      // routing.risk_over_500: above → risk tier
  Money police_threshold = Money::Yuan(5000);   // routing.police_over_5000: above → police report
  Money small_claims_limit = Money::Yuan(50000);  // routing.small_claims: at or below → small claims
};

}  // namespace tousu

#endif  // TOUSU_RULES_POLICY_H_
