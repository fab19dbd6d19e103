// Policy: every threshold, window, deadline, remedy choice, evidence requirement and
// unfair-term pattern the rules use, for one platform. Pure data.
//
// Every rule has an id ("filing.incident_7d", "resp.outage_overlap", ...), its parameters and
// its basis: the law it applies (SPEC.md "Legal bases") or, where the default is only platform
// policy taken from a seed, a statement saying so. The defaults below are SPEC.md's; the file
// policy/default.toml holds the same values with their bases (a unit test keeps the two equal),
// and a platform may replace them with its own TOML (rules/policy_toml.h, docs/policy.md).
// Thread-safety: value type.
#ifndef TOUSU_RULES_POLICY_H_
#define TOUSU_RULES_POLICY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/time.h"
#include "domain/lifecycle.h"
#include "domain/types.h"

namespace tousu {

// Filing windows (filing.*).
struct FilingPolicy {
  // filing.delivered_goods_24h: delivered virtual goods must be complained about this soon.
  Duration delivered_goods_window = hours(24);
  std::vector<Category> delivered_goods_categories = {Category::kInvalidCode, Category::kNotAsDescribed};
  // filing.incident_7d: anything must be complained about this soon after the incident.
  Duration incident_window = days(7);
  bool operator==(const FilingPolicy&) const = default;
};

// Routing (routing.*).
struct RoutingPolicy {
  Money risk_threshold = Money::Yuan(500);  // routing.risk_over_500: above → risk tier
  // routing.security_urgent: these categories are urgent.
  std::vector<Category> urgent_categories = {Category::kAccountStolen, Category::kDataLeak,
                                             Category::kAbnormalCharge};
  Money police_threshold = Money::Yuan(5000);  // routing.police_over_5000: above → police report
  // ... and these categories (or a punitive demand, or a fraud decision) suggest fraud.
  std::vector<Category> fraud_categories = {Category::kMerchantUnreachable};
  Money small_claims_limit = Money::Yuan(50000);  // routing.small_claims: at or below → small claims
  bool operator==(const RoutingPolicy&) const = default;
};

// Responsibility for service interruptions (resp.*).
struct ResponsibilityPolicy {
  // resp.interruption: the categories judged by the platform's incident records.
  std::vector<Category> interruption_categories = {Category::kDisconnected, Category::kRightsNotOpened,
                                                   Category::kNotReceived, Category::kDeliveryLate};
  // resp.maintenance_late_notice: maintenance counts as announced only this long ahead...
  Duration maintenance_notice = hours(24);
  // ... and only when members were notified.
  bool maintenance_requires_notification = true;
  // resp.similar_complaints: this many complaints (this one included) of one category against
  // one merchant or platform within `similar_window` → presumed platform fault.
  int similar_count = 5;
  Duration similar_window = hours(2);
  bool operator==(const ResponsibilityPolicy&) const = default;
};

// What the consumer gets when they chose neither refund nor extension for an interruption.
enum class InterruptionChoice { kExtend, kRefund };
TOUSU_ENUM_NAMES(InterruptionChoice, {{InterruptionChoice::kExtend, "extend"},
                                      {InterruptionChoice::kRefund, "refund"}});

// Remedies (remedy.*).
struct RemedyPolicy {
  // remedy.full_refund_undelivered: never-opened membership, undelivered goods.
  std::vector<Category> full_refund_categories = {Category::kNotReceived, Category::kRightsNotOpened};
  // remedy.defect_refund_or_replace (消法 24).
  std::vector<Category> defect_categories = {Category::kInvalidCode, Category::kNotAsDescribed};
  // remedy.late_delivery_48h: delivery later than this after payment (电商法 20).
  Duration late_delivery_after = hours(48);
  // remedy.interruption_prorata: rounding of price × lost / period to the fen.
  Rounding prorata_rounding = Rounding::kHalfUp;
  // remedy.interruption_extend / _prorata: the remedy when the consumer named neither.
  InterruptionChoice default_choice = InterruptionChoice::kExtend;
  // remedy.punitive_3x_min_500 (消法 55): never below the statute.
  int64_t punitive_multiplier = 3;
  Money punitive_minimum = Money::Yuan(500);
  bool operator==(const RemedyPolicy&) const = default;
};

// SPEC.md's evidence chain per category (seeds 000, 002, 004).
std::map<Category, std::vector<EvidenceKind>> DefaultRequiredEvidence();

// Evidence completeness (evidence.*).
struct EvidencePolicy {
  // evidence.required: the classes each category needs.
  std::map<Category, std::vector<EvidenceKind>> required = DefaultRequiredEvidence();
  // evidence.late_capture: these kinds captured more than `late_after` after the incident.
  Duration late_after = hours(24);
  std::vector<EvidenceKind> late_kinds = {EvidenceKind::kIncident, EvidenceKind::kPlatformFault};
  bool operator==(const EvidencePolicy&) const = default;
};

// One unfair-term pattern (terms.unfair). Syntax (rules/terms.h): parts separated by "…",
// alternatives within a part by "|"; a "…" allows a short gap inside one clause.
struct TermPattern {
  std::string id;
  std::string pattern;
  std::string meaning;  // Chinese, shown with the clause
  bool operator==(const TermPattern&) const = default;
};

struct TermsPolicy {
  std::vector<TermPattern> patterns;
  int max_gap = 8;  // characters a "…" may skip
  bool operator==(const TermsPolicy&) const = default;
};

struct Policy {
  int64_t version = 0;  // 0: the built-in defaults; stored policies count from 1

  DeadlineDurations deadlines;
  FilingPolicy filing;
  RoutingPolicy routing;
  ResponsibilityPolicy responsibility;
  RemedyPolicy remedy;
  EvidencePolicy evidence;
  TermsPolicy terms;

  // Rule id → its basis (law article or "platform policy, seed NNN"), as the policy file says.
  std::map<std::string, std::string> basis;

  // The basis of a rule; a rule the file does not describe gets "平台规则".
  const std::string& BasisOf(const std::string& rule_id) const;

  // SPEC.md's defaults, from policy/default.toml as built into the binary.
  static const Policy& Default();
};

// Every rule id a policy may configure, in the order the default file lists them.
const std::vector<std::string>& AllRuleIds();

// "48 小时", "7 天", "90 分钟", "1 秒" — durations for Chinese explanations.
std::string ChineseDuration(Duration d);

}  // namespace tousu

#endif  // TOUSU_RULES_POLICY_H_
