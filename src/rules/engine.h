// The rules engine: facts in, an assessment out. Pure: no I/O, no clock, no store; "now" is a
// fact like any other. The service gathers the facts (service/assessments.h) and stores the
// result with the complaint, recomputing it when facts change (a new incident, evidence, a
// decision). Every part of the assessment names the rules it applied, the facts it used, their
// basis, and explains itself in Simplified Chinese a consumer understands.
// Thread-safety: pure functions over values.
#ifndef TOUSU_RULES_ENGINE_H_
#define TOUSU_RULES_ENGINE_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "rules/policy.h"

namespace tousu {

// What the consumer files (before it is a complaint) or filed (after).
struct FilingFacts {
  Category category = Category::kNotReceived;
  Instant incident_at;
  std::optional<Instant> incident_ends_at;
  std::vector<Demand> demands;
  bool has_late_reason = false;
  Instant filed_at;  // when the complaint was (or is being) filed
};

// Other complaints of the same category in the similar-complaints window, by their incident
// time (this complaint not included).
struct SimilarFacts {
  std::vector<Instant> same_merchant;  // against the same merchant
  std::vector<Instant> same_platform;  // against any merchant of the platform (superset)
  // Only the nearest ones were gathered and there may be more: counts are "at least".
  bool merchant_at_least = false;
  bool platform_at_least = false;
};

struct AssessmentFacts {
  Order order;
  std::string complaint_id;  // empty while filing
  std::string merchant_ref;
  FilingFacts filing;
  std::optional<Decision> decision;
  std::vector<Incident> incidents;  // incidents that may touch the window; the engine checks
  SimilarFacts similar;
  std::vector<EvidenceRecord> evidence;
  std::string merchant_terms;
  std::string platform_terms;
};

struct FilingAssessment {
  bool late = false;                  // outside a filing window
  bool late_reason_required = false;  // and therefore needs a late_reason
  bool late_reason_given = false;
  std::vector<std::string> rules;     // the windows that were passed
  std::vector<std::string> basis;     // of each rule, in the same order
  boost::json::object facts;
  std::string explanation;            // Chinese, for consumer and staff
};

struct RoutingAssessment {
  Tier tier = Tier::kNormal;
  std::vector<std::string> advice;  // "police_report", "small_claims"
  std::vector<std::string> rules;
  std::vector<std::string> basis;
  Money claimed;
  bool fraud_suspected = false;
  boost::json::object facts;
  std::string explanation;
};

// One incident as the responsibility rules saw it.
struct IncidentFinding {
  Incident incident;
  std::string finding;  // "platform_fault", "late_notice", "not_notified", "announced", "third_party"
  std::string rule;
};

// A cluster of similar complaints that staff should look at as a possible incident.
struct IncidentCandidate {
  std::string scope;  // "merchant" or "platform"
  std::string merchant_ref;
  Category category = Category::kDisconnected;
  Instant from;
  Instant to;
  int count = 0;  // complaints in the densest window, this one included
};

struct ResponsibilityAssessment {
  Party party = Party::kUndetermined;
  std::vector<std::string> rules;
  std::vector<std::string> basis;
  std::vector<IncidentFinding> incidents;
  bool burden_on_business = false;  // 电商法 62: the merchant/platform must show it worked
  bool platform_handles = true;     // the platform handles the claim whoever is at fault
  std::optional<IncidentCandidate> candidate;
  std::optional<Party> decided;  // the arbitrator's finding, once decided
  boost::json::object facts;
  std::string explanation;
};

struct RemedyAssessment {
  Money refund;
  int extension_days = 0;
  Money punitive;
  bool replace = false;
  bool restore = false;
  std::vector<std::string> rules;
  std::vector<std::string> basis;
  // Every fen of the price: refund + kept == price.
  Money kept;
  boost::json::object facts;
  std::string explanation;
};

struct EvidenceAssessment {
  std::vector<EvidenceKind> required;
  std::vector<EvidenceKind> present;
  std::vector<EvidenceKind> missing;
  std::vector<std::string> late;        // evidence ids
  std::vector<std::string> mismatched;  // evidence ids
  boost::json::array details;           // why each late or mismatched item is listed
  std::vector<std::string> rules;
  std::vector<std::string> basis;
  std::string explanation;
};

struct UnfairTerm {
  std::string clause;
  std::string source;  // "merchant" or "platform"
  std::vector<std::string> patterns;  // pattern ids that matched
  std::string meaning;
  std::string basis;
};

struct Assessment {
  int64_t policy_version = 0;
  std::string assessed_at;  // RFC 3339 of "now"
  FilingAssessment filing;
  RoutingAssessment routing;
  ResponsibilityAssessment responsibility;
  RemedyAssessment remedy;
  EvidenceAssessment evidence;
  std::vector<UnfairTerm> unfair_terms;
  bool demands_above_loss = false;
  std::string demands_basis;
  std::string demands_explanation;
};

// The whole assessment of one complaint.
Assessment Assess(const Policy& p, const AssessmentFacts& f, Instant now);

// The parts, each usable alone (filing runs before a complaint exists).

// Filing windows: delivered virtual goods more than 24 h after delivery, or anything more than
// 7 days after the incident, need a late_reason (measured at filed_at).
FilingAssessment AssessFiling(const Policy& p, const Order& order, const FilingFacts& f);

// The amount at stake: the larger of the order's price and the refund demanded.
Money ClaimedAmount(const Order& order, const std::vector<Demand>& demands);

// Routing: security categories → urgent; over 500 yuan → risk; over 5000 yuan or fraud
// suspected → police report; at most the small-claims limit → small claims.
RoutingAssessment AssessRouting(const Policy& p, Category category, Money claimed,
                                bool fraud_suspected);

// Is fraud suspected: a fraud category, a punitive demand, or a fraud decision?
bool FraudSuspected(const Policy& p, const AssessmentFacts& f);

ResponsibilityAssessment AssessResponsibility(const Policy& p, const AssessmentFacts& f);
RemedyAssessment AssessRemedy(const Policy& p, const AssessmentFacts& f,
                              const ResponsibilityAssessment& resp, Instant now);
EvidenceAssessment AssessEvidence(const Policy& p, const AssessmentFacts& f);

// 消法 55 with the policy's multiplier and minimum: max(k × price, minimum).
Money PunitiveFor(const Policy& p, Money price);

// The assessment as GET /v1/complaints/{id}/assessment returns it (API.md's shape, plus
// policy_version, rules, facts and explanation per part).
boost::json::object AssessmentJson(const Assessment& a);
// The same as text: serialize(AssessmentJson(a)), written without building the object (it is
// stored with every filing, on the store's single writer thread).
std::string AssessmentText(const Assessment& a);

}  // namespace tousu

#endif  // TOUSU_RULES_ENGINE_H_
