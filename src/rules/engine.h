// The rules engine: facts in, an assessment out. Pure: no I/O, no clock, no store. The service
// gathers the facts and stores the result with the complaint, recomputing it when facts change.
// Every part of the assessment names the rules it applied and explains itself in Chinese.
#ifndef TOUSU_RULES_ENGINE_H_
#define TOUSU_RULES_ENGINE_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "rules/policy.h"

namespace tousu {

// What the consumer files, before it is a complaint.
struct FilingFacts {
  Category category = Category::kNotReceived;
  Instant incident_at;
  std::vector<Demand> demands;
  bool has_late_reason = false;
};

struct FilingAssessment {
  bool late = false;                  // outside a filing window
  bool late_reason_required = false;  // and therefore needs a late_reason
  std::vector<std::string> rules;     // the windows that were passed
  std::string explanation;            // Chinese, for consumer and staff
};

struct RoutingAssessment {
  Tier tier = Tier::kNormal;
  std::vector<std::string> advice;  // "police_report", "small_claims"
  std::vector<std::string> rules;
  Money claimed;
  std::string explanation;
};

// Filing windows (SPEC.md "Rules"): delivered virtual goods more than 24 h after delivery, or
// anything more than 7 days after the incident, need a late_reason.
FilingAssessment AssessFiling(const Policy& p, const Order& order, const FilingFacts& f, Instant now);

// The amount at stake: the larger of the order's price and the refund demanded.
Money ClaimedAmount(const Order& order, const std::vector<Demand>& demands);

// Routing: over 500 yuan → risk tier; security categories → urgent; over 5000 yuan or fraud
// suspected → police report; at most the small-claims limit → small claims.
RoutingAssessment AssessRouting(const Policy& p, Category category, Money claimed,
                                bool fraud_suspected);

// The assessment as GET /v1/complaints/{id}/assessment returns it.
boost::json::object AssessmentJson(const FilingAssessment& filing, const RoutingAssessment& routing);

}  // namespace tousu

#endif  // TOUSU_RULES_ENGINE_H_
