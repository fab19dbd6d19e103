// A platform's rule policy (rules/policy_toml.h): the body of PUT /v1/platforms/{id}/policy,
// read over the built-in defaults as ValidatePolicyText does, and the terms scan that an accepted
// policy's patterns then drive.
// Checks: a refusal is a 422 whose every error names a field; an accepted policy holds only
// values inside the ranges docs/policy.md and the reader document; reading the same text over
// its own result changes nothing (a file states values, it does not adjust them). There is no
// policy serializer, so no round trip: the stored text is what is read back.
#include <algorithm>
#include <set>
#include <string>

#include "fuzz/fuzz_target.h"
#include "rules/policy_toml.h"
#include "rules/terms.h"

namespace {

using namespace tousu;

constexpr Duration kMaxDuration = days(3650);
constexpr int64_t kMaxFen = int64_t{100000000000};

bool InRange(Duration d, Duration min) { return d >= min && d <= kMaxDuration; }
bool InRange(Money m, int64_t min) { return m.fen() >= min && m.fen() <= kMaxFen; }

template <class E>
bool Distinct(const std::vector<E>& list) {
  return std::set<E>(list.begin(), list.end()).size() == list.size();
}

// Every "…"-separated part has alternatives, none of them empty.
bool NoEmptyAlternative(const std::string& pattern) {
  std::string bars = pattern;
  for (size_t at; (at = bars.find("…")) != std::string::npos;) bars.replace(at, 3, "|");
  return !bars.empty() && bars.front() != '|' && bars.back() != '|' &&
         bars.find("||") == std::string::npos;
}

void CheckRanges(const Policy& p) {
  const DeadlineDurations& d = p.deadlines;
  for (Duration x : {d.merchant_response, d.offer_answer, d.review_normal, d.review_risk,
                     d.review_urgent, d.platform_reply, d.remedy, d.appeal, d.rating}) {
    FUZZ_CHECK(InRange(x, seconds(1)), "deadline of " + std::to_string(x.count()) + "s");
  }
  FUZZ_CHECK(InRange(p.filing.delivered_goods_window, seconds(1)),
             "filing.delivered_goods_24h.window");
  FUZZ_CHECK(InRange(p.filing.incident_window, seconds(1)), "filing.incident_7d.window");
  FUZZ_CHECK(Distinct(p.filing.delivered_goods_categories),
             "filing.delivered_goods_24h.categories");
  FUZZ_CHECK(InRange(p.routing.risk_threshold, 0), "routing.risk_over_500.threshold_fen");
  FUZZ_CHECK(InRange(p.routing.police_threshold, 0), "routing.police_over_5000.threshold_fen");
  FUZZ_CHECK(InRange(p.routing.small_claims_limit, 0), "routing.small_claims.limit_fen");
  FUZZ_CHECK(Distinct(p.routing.urgent_categories), "routing.security_urgent.categories");
  FUZZ_CHECK(Distinct(p.routing.fraud_categories), "routing.police_over_5000.fraud_categories");
  const ResponsibilityPolicy& r = p.responsibility;
  FUZZ_CHECK(Distinct(r.interruption_categories), "resp.interruption.categories");
  FUZZ_CHECK(InRange(r.maintenance_notice, seconds(0)), "resp.maintenance_late_notice.notice");
  FUZZ_CHECK(r.similar_count >= 2 && r.similar_count <= 10000, "resp.similar_complaints.count");
  FUZZ_CHECK(InRange(r.similar_window, seconds(1)), "resp.similar_complaints.window");
  const RemedyPolicy& m = p.remedy;
  FUZZ_CHECK(Distinct(m.full_refund_categories), "remedy.full_refund_undelivered.categories");
  FUZZ_CHECK(Distinct(m.defect_categories), "remedy.defect_refund_or_replace.categories");
  FUZZ_CHECK(InRange(m.late_delivery_after, seconds(1)), "remedy.late_delivery_48h.after");
  FUZZ_CHECK(m.prorata_rounding == Rounding::kHalfUp || m.prorata_rounding == Rounding::kUp,
             "remedy.interruption_prorata.rounding below the consumer's share");
  // 消法 55 is a floor.
  FUZZ_CHECK(m.punitive_multiplier >= 3 && m.punitive_multiplier <= 100,
             "remedy.punitive_3x_min_500.multiplier");
  FUZZ_CHECK(InRange(m.punitive_minimum, 50000), "remedy.punitive_3x_min_500.minimum_fen");
  for (const auto& [category, kinds] : p.evidence.required) {
    FUZZ_CHECK(Distinct(kinds), "evidence.required.categories." + std::string(ToString(category)));
  }
  FUZZ_CHECK(InRange(p.evidence.late_after, seconds(1)), "evidence.late_capture.after");
  FUZZ_CHECK(Distinct(p.evidence.late_kinds), "evidence.late_capture.kinds");
  FUZZ_CHECK(p.terms.max_gap >= 0 && p.terms.max_gap <= 50, "terms.unfair.max_gap");
  FUZZ_CHECK(p.terms.patterns.size() <= 200, "terms.unfair.patterns: more than 200");
  std::set<std::string> ids;
  for (const TermPattern& t : p.terms.patterns) {
    for (const std::string* s : {&t.id, &t.pattern, &t.meaning}) {
      FUZZ_CHECK(
          !s->empty() && s->size() <= 600,
          "terms.unfair pattern " + t.id + ": a string of " + std::to_string(s->size()) + " bytes");
    }
    FUZZ_CHECK(ids.insert(t.id).second, "terms.unfair repeats pattern id " + t.id);
    FUZZ_CHECK(NoEmptyAlternative(t.pattern),
               "terms.unfair pattern " + t.id + " has an empty alternative");
  }
  const std::vector<std::string>& rule_ids = AllRuleIds();
  for (const auto& [id, basis] : p.basis) {
    FUZZ_CHECK(std::find(rule_ids.begin(), rule_ids.end(), id) != rule_ids.end(),
               "basis of unknown rule " + id);
    FUZZ_CHECK(!basis.empty() && basis.size() <= 4000, "basis of " + id);
  }
}

bool SamePolicy(const Policy& a, const Policy& b) {
  return a.version == b.version && a.deadlines == b.deadlines && a.filing == b.filing &&
         a.routing == b.routing && a.responsibility == b.responsibility && a.remedy == b.remedy &&
         a.evidence == b.evidence && a.terms == b.terms && a.basis == b.basis;
}

}  // namespace

TOUSU_FUZZ_TARGET(policy_toml) {
  using namespace tousu;
  const std::string_view text = fuzz::AsText(data, size);
  const Policy& base = Policy::Default();
  auto p = ParsePolicy(text, base);
  if (!p.ok()) {
    const Status& s = p.status();
    FUZZ_CHECK(s.code() == StatusCode::kUnprocessable, s.ToString());
    FUZZ_CHECK(!s.fields().empty(), "a refusal names no field: " + s.ToString());
    for (const FieldError& f : s.fields()) {
      FUZZ_CHECK(!f.field.empty() && !f.message.empty(),
                 "an error without a field or a reason: " + s.ToString());
    }
    return 0;
  }
  FUZZ_CHECK(p->version == base.version, "the version is the caller's to set");
  CheckRanges(*p);

  auto again = ParsePolicy(text, *p);
  FUZZ_CHECK(again.ok(),
             "accepted over the defaults, refused over itself: " + again.status().ToString());
  FUZZ_CHECK(SamePolicy(*again, *p), "reading the text over its own result changed the policy");

  // The accepted patterns drive the terms scan (merchants' and the platform's terms).
  std::set<std::string> ids;
  for (const TermPattern& t : p->terms.patterns) ids.insert(t.id);
  for (const TermMatch& m : FindUnfairTerms(p->terms, text)) {
    FUZZ_CHECK(!m.patterns.empty(), "a clause matched no pattern: " + m.clause);
    for (const std::string& id : m.patterns) {
      FUZZ_CHECK(ids.count(id) == 1, "a match names pattern " + id);
    }
  }
  return 0;
}
