// The assessment's JSON (API.md "Assessment"), with policy_version and, per part, the rules
// applied, their basis, the facts used and a Chinese explanation.
#include <boost/json.hpp>

#include "base/json_text.h"

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

std::string AssessmentText(const Assessment& a) {
  const ResponsibilityAssessment& r = a.responsibility;
  const RemedyAssessment& m = a.remedy;
  const EvidenceAssessment& e = a.evidence;
  auto names = [](JsonText& j, const auto& v) -> JsonText& {
    j.BeginArray();
    for (auto x : v) j.Str(ToString(x));
    return j.End();
  };
  JsonText j(4096);
  j.Begin();
  j.Key("policy_version").Int(a.policy_version);
  j.Key("assessed_at").Str(a.assessed_at);
  j.Key("responsibility").Begin();
  j.Key("party").Str(ToString(r.party));
  j.Key("rules").Strings(r.rules);
  j.Key("explanation").Str(r.explanation);
  j.Key("basis").Strings(r.basis);
  j.Key("incidents").BeginArray();
  for (const auto& x : r.incidents) j.Value(IncidentJson(x));
  j.End();
  j.Key("burden_on_business").Bool(r.burden_on_business);
  j.Key("platform_handles").Bool(r.platform_handles);
  j.Key("incident_candidate");
  if (r.candidate) {
    const IncidentCandidate& c = *r.candidate;
    j.Begin().Key("scope").Str(c.scope).Key("merchant");
    if (c.merchant_ref.empty()) {
      j.Null();
    } else {
      j.Str(c.merchant_ref);
    }
    j.Key("category").Str(ToString(c.category));
    j.Key("from").Str(FormatRfc3339(c.from)).Key("to").Str(FormatRfc3339(c.to));
    j.Key("count").Int(c.count).End();
  } else {
    j.Null();
  }
  j.Key("decided");
  if (r.decided) {
    j.Str(ToString(*r.decided));
  } else {
    j.Null();
  }
  j.Key("facts").Value(r.facts).End();
  j.Key("remedy").Begin();
  j.Key("refund_fen").Int(m.refund.fen()).Key("extension_days").Int(m.extension_days);
  j.Key("punitive_fen").Int(m.punitive.fen()).Key("replace").Bool(m.replace).Key("restore").Bool(m.restore);
  j.Key("kept_fen").Int(m.kept.fen()).Key("rules").Strings(m.rules).Key("basis").Strings(m.basis);
  j.Key("facts").Value(m.facts).Key("explanation").Str(m.explanation).End();
  j.Key("evidence").Begin();
  names(j.Key("required"), e.required);
  names(j.Key("present"), e.present);
  names(j.Key("missing"), e.missing);
  j.Key("late").Strings(e.late).Key("mismatched").Strings(e.mismatched);
  j.Key("details").Value(e.details).Key("rules").Strings(e.rules).Key("basis").Strings(e.basis);
  j.Key("explanation").Str(e.explanation).End();
  j.Key("filing").Begin();
  j.Key("late").Bool(a.filing.late).Key("late_reason_required").Bool(a.filing.late_reason_required);
  j.Key("late_reason_given").Bool(a.filing.late_reason_given);
  j.Key("rules").Strings(a.filing.rules).Key("basis").Strings(a.filing.basis);
  j.Key("facts").Value(a.filing.facts).Key("explanation").Str(a.filing.explanation).End();
  j.Key("routing").Begin();
  j.Key("tier").Str(ToString(a.routing.tier)).Key("advice").Strings(a.routing.advice);
  j.Key("rules").Strings(a.routing.rules).Key("basis").Strings(a.routing.basis);
  j.Key("claimed_fen").Int(a.routing.claimed.fen()).Key("fraud_suspected").Bool(a.routing.fraud_suspected);
  j.Key("facts").Value(a.routing.facts).Key("explanation").Str(a.routing.explanation).End();
  j.Key("unfair_terms").BeginArray();
  for (const UnfairTerm& t : a.unfair_terms) {
    j.Begin().Key("clause").Str(t.clause).Key("basis").Str(t.basis).Key("source").Str(t.source);
    j.Key("patterns").Strings(t.patterns).Key("meaning").Str(t.meaning).Key("rule").Str("terms.unfair").End();
  }
  j.End();
  j.Key("demands_above_loss").Bool(a.demands_above_loss);
  j.Key("demands").Begin().Key("above_loss").Bool(a.demands_above_loss);
  j.Key("rules").BeginArray().Str("remedy.demands_above_loss").End();
  j.Key("basis").BeginArray().Str(a.demands_basis).End();
  j.Key("explanation").Str(a.demands_explanation).End();
  j.End();
  return j.Take();
}

}  // namespace tousu
