// Assess: runs every part of the engine over one complaint's facts, then compares the demands
// with the computed loss (remedy.demands_above_loss).
#include "rules/engine.h"

#include <algorithm>

#include "rules/terms.h"

namespace tousu {

namespace {

void ScanTerms(const Policy& p, const std::string& text, const std::string& source,
               std::vector<UnfairTerm>& out) {
  for (TermMatch& m : FindUnfairTerms(p.terms, text)) {
    UnfairTerm t;
    t.clause = std::move(m.clause);
    t.source = source;
    t.patterns = std::move(m.patterns);
    for (const TermPattern& pat : p.terms.patterns) {
      if (pat.id == t.patterns.front()) t.meaning = pat.meaning;
    }
    t.basis = p.BasisOf("terms.unfair");
    out.push_back(std::move(t));
  }
}

void CompareDemands(const AssessmentFacts& f, Assessment& a) {
  const RemedyAssessment& r = a.remedy;
  // Only a computed remedy can be exceeded: a category without a formula is left to staff.
  const bool computed =
      std::any_of(r.rules.begin(), r.rules.end(),
                  [](const std::string& id) { return id != "remedy.punitive_3x_min_500"; });
  if (!computed) {
    a.demands_explanation = "本类投诉没有自动计算的损失，诉求由处理专员审查。";
    return;
  }
  int64_t refund = 0, days = 0;
  for (const Demand& d : f.filing.demands) {
    if (d.kind == DemandKind::kRefund) refund += d.amount.fen();
    if (d.kind == DemandKind::kExtend) days += d.days;
  }
  const Money owed = r.refund + r.punitive;
  std::vector<std::string> over;
  if (refund > owed.fen()) {
    over.push_back("退款 " + Money::Fen(refund).ToYuanString() + "（按规则计算为 " + owed.ToYuanString() + "）");
  }
  if (days > r.extension_days) {
    over.push_back("延期 " + std::to_string(days) + " 天（按规则计算为 " + std::to_string(r.extension_days) + " 天）");
  }
  a.demands_above_loss = !over.empty();
  if (a.demands_above_loss) {
    std::string list;
    for (const auto& o : over) list += (list.empty() ? "" : "、") + o;
    a.demands_explanation = "您的诉求" + list +
                            "超出了按规则计算的实际损失。投诉照常受理，超出部分需要您提供更多证据，"
                            "由商家协商或处理专员裁决。";
  } else {
    a.demands_explanation = "您的诉求没有超出按规则计算的损失。";
  }
}

}  // namespace

bool FraudSuspected(const Policy& p, const AssessmentFacts& f) {
  const auto& cats = p.routing.fraud_categories;
  if (std::find(cats.begin(), cats.end(), f.filing.category) != cats.end()) return true;
  if (f.decision && f.decision->fraud) return true;
  return std::any_of(f.filing.demands.begin(), f.filing.demands.end(),
                     [](const Demand& d) { return d.kind == DemandKind::kPunitive; });
}

Assessment Assess(const Policy& p, const AssessmentFacts& f, Instant now) {
  Assessment a;
  a.policy_version = p.version;
  a.assessed_at = FormatRfc3339(now);
  a.filing = AssessFiling(p, f.order, f.filing);
  a.routing = AssessRouting(p, f.filing.category, ClaimedAmount(f.order, f.filing.demands), FraudSuspected(p, f));
  a.responsibility = AssessResponsibility(p, f);
  a.remedy = AssessRemedy(p, f, a.responsibility, now);
  a.evidence = AssessEvidence(p, f);
  ScanTerms(p, f.merchant_terms, "merchant", a.unfair_terms);
  ScanTerms(p, f.platform_terms, "platform", a.unfair_terms);
  CompareDemands(f, a);
  auto basis_of = [&p](const std::vector<std::string>& rules, std::vector<std::string>& basis) {
    for (const auto& id : rules) basis.push_back(p.BasisOf(id));
  };
  basis_of(a.filing.rules, a.filing.basis);
  basis_of(a.routing.rules, a.routing.basis);
  basis_of(a.evidence.rules, a.evidence.basis);
  a.demands_basis = p.BasisOf("remedy.demands_above_loss");
  return a;
}

}  // namespace tousu
