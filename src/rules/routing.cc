// Routing (SPEC.md "Rules"): tier and outside-channel advice from category and amount.
#include <algorithm>

#include "rules/engine.h"
#include "rules/text.h"

namespace tousu {

Money ClaimedAmount(const Order& order, const std::vector<Demand>& demands) {
  Money claimed = order.amount;
  for (const auto& d : demands) {
    if (d.kind == DemandKind::kRefund && d.amount > claimed) claimed = d.amount;
  }
  return claimed;
}

RoutingAssessment AssessRouting(const Policy& p, Category category, Money claimed,
                                bool fraud_suspected) {
  const RoutingPolicy& r = p.routing;
  RoutingAssessment out;
  out.claimed = claimed;
  out.fraud_suspected = fraud_suspected;
  out.facts = {{"category", ToString(category)},
               {"claimed_fen", claimed.fen()},
               {"fraud_suspected", fraud_suspected}};
  std::string why = "争议金额 " + claimed.ToYuanString();
  const bool urgent =
      std::find(r.urgent_categories.begin(), r.urgent_categories.end(), category) != r.urgent_categories.end();
  if (urgent) {
    out.tier = Tier::kUrgent;
    out.rules.push_back("routing.security_urgent");
    why += "；账号、信息或交易安全类投诉按紧急处理，平台须在 " +
           ChineseDuration(p.deadlines.review_urgent) + " 内审理";
  }
  if (claimed > r.risk_threshold) {
    if (!urgent) out.tier = Tier::kRisk;
    out.rules.push_back("routing.risk_over_500");
    why += "；超过 " + r.risk_threshold.ToYuanString() + "，由风控团队专项处理";
    if (!urgent) why += "，平台须在 " + ChineseDuration(p.deadlines.review_risk) + " 内审理";
  }
  if (claimed > r.police_threshold || fraud_suspected) {
    out.advice.push_back("police_report");
    out.rules.push_back("routing.police_over_5000");
    why += claimed > r.police_threshold
               ? "；金额超过 " + r.police_threshold.ToYuanString() + "，建议同时向公安机关报案"
               : "；存在诈骗嫌疑，建议向公安机关报案";
  }
  if (claimed <= r.small_claims_limit) {
    out.advice.push_back("small_claims");
    out.rules.push_back("routing.small_claims");
    why += "；金额在小额诉讼限额 " + r.small_claims_limit.ToYuanString() +
           " 以内，如协商不成，可走小额诉讼程序起诉（《民事诉讼法》第165条，一审终审、成本低）";
  }
  const char* tier_text = out.tier == Tier::kUrgent ? "紧急" : out.tier == Tier::kRisk ? "风控" : "普通";
  out.explanation = why + "。处理级别：" + tier_text + "。";
  return out;
}

}  // namespace tousu
