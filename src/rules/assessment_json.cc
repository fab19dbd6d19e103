// The assessment's JSON (API.md "Assessment"), with policy_version and, per part, the rules
// applied, their basis, the facts used and a Chinese explanation.
#include <boost/json.hpp>

#include "domain/codec.h"
#include "rules/engine.h"

namespace tousu {

namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }

template <class E>
json::array Names(const std::vector<E>& v) {
  json::array out;
  for (E e : v) out.emplace_back(ToString(e));
  return out;
}

json::object IncidentJson(const IncidentFinding& x) {
  json::object o = ToJson(x.incident);
  o["finding"] = x.finding;
  o["rule"] = x.rule;
  return o;
}

}  // namespace

json::object AssessmentJson(const Assessment& a) {
  const ResponsibilityAssessment& r = a.responsibility;
  json::array incidents;
  for (const auto& x : r.incidents) incidents.push_back(IncidentJson(x));
  json::value candidate = nullptr;
  if (r.candidate) {
    const IncidentCandidate& c = *r.candidate;
    candidate = json::object{{"scope", c.scope},
                             {"merchant", c.merchant_ref.empty() ? json::value(nullptr) : json::value(c.merchant_ref)},
                             {"category", ToString(c.category)},
                             {"from", FormatRfc3339(c.from)},
                             {"to", FormatRfc3339(c.to)},
                             {"count", c.count}};
  }
  json::array unfair;
  for (const UnfairTerm& t : a.unfair_terms) {
    unfair.push_back(json::object{{"clause", t.clause},
                                  {"basis", t.basis},
                                  {"source", t.source},
                                  {"patterns", Strings(t.patterns)},
                                  {"meaning", t.meaning},
                                  {"rule", "terms.unfair"}});
  }
  const RemedyAssessment& m = a.remedy;
  const EvidenceAssessment& e = a.evidence;
  return json::object{
      {"policy_version", a.policy_version},
      {"assessed_at", a.assessed_at},
      {"responsibility",
       json::object{{"party", ToString(r.party)},
                    {"rules", Strings(r.rules)},
                    {"explanation", r.explanation},
                    {"basis", Strings(r.basis)},
                    {"incidents", std::move(incidents)},
                    {"burden_on_business", r.burden_on_business},
                    {"platform_handles", r.platform_handles},
                    {"incident_candidate", std::move(candidate)},
                    {"decided", r.decided ? json::value(ToString(*r.decided)) : json::value(nullptr)},
                    {"facts", r.facts}}},
      {"remedy", json::object{{"refund_fen", m.refund.fen()},
                              {"extension_days", m.extension_days},
                              {"punitive_fen", m.punitive.fen()},
                              {"replace", m.replace},
                              {"restore", m.restore},
                              {"kept_fen", m.kept.fen()},
                              {"rules", Strings(m.rules)},
                              {"basis", Strings(m.basis)},
                              {"facts", m.facts},
                              {"explanation", m.explanation}}},
      {"evidence", json::object{{"required", Names(e.required)},
                                {"present", Names(e.present)},
                                {"missing", Names(e.missing)},
                                {"late", Strings(e.late)},
                                {"mismatched", Strings(e.mismatched)},
                                {"details", e.details},
                                {"rules", Strings(e.rules)},
                                {"basis", Strings(e.basis)},
                                {"explanation", e.explanation}}},
      {"filing", json::object{{"late", a.filing.late},
                              {"late_reason_required", a.filing.late_reason_required},
                              {"late_reason_given", a.filing.late_reason_given},
                              {"rules", Strings(a.filing.rules)},
                              {"basis", Strings(a.filing.basis)},
                              {"facts", a.filing.facts},
                              {"explanation", a.filing.explanation}}},
      {"routing", json::object{{"tier", ToString(a.routing.tier)},
                               {"advice", Strings(a.routing.advice)},
                               {"rules", Strings(a.routing.rules)},
                               {"basis", Strings(a.routing.basis)},
                               {"claimed_fen", a.routing.claimed.fen()},
                               {"fraud_suspected", a.routing.fraud_suspected},
                               {"facts", a.routing.facts},
                               {"explanation", a.routing.explanation}}},
      {"unfair_terms", std::move(unfair)},
      {"demands_above_loss", a.demands_above_loss},
      {"demands", json::object{{"above_loss", a.demands_above_loss},
                               {"rules", json::array{"remedy.demands_above_loss"}},
                               {"basis", json::array{json::value(a.demands_basis)}},
                               {"explanation", a.demands_explanation}}},
  };
}

}  // namespace tousu
