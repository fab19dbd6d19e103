#include "rules/engine.h"

#include <boost/json.hpp>

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
  RoutingAssessment out;
  out.claimed = claimed;
  std::string why = "争议金额 " + claimed.ToYuanString();
  if (GroupOf(category) == CategoryGroup::kSecurity) {
    out.tier = Tier::kUrgent;
    out.rules.push_back("routing.security_urgent");
    why += "；账号/信息安全类投诉按紧急处理";
  } else if (claimed > p.risk_threshold) {
    out.tier = Tier::kRisk;
    out.rules.push_back("routing.risk_over_500");
    why += "，超过 " + p.risk_threshold.ToYuanString() + "，由风控团队专项处理";
  }
  if (claimed > p.police_threshold || fraud_suspected) {
    out.advice.push_back("police_report");
    out.rules.push_back("routing.police_over_5000");
    why += fraud_suspected ? "；涉嫌诈骗，建议向公安机关报案"
                           : "；金额超过 " + p.police_threshold.ToYuanString() + "，建议同时向公安机关报案";
  }
  if (claimed <= p.small_claims_limit) {
    out.advice.push_back("small_claims");
    out.rules.push_back("routing.small_claims");
    why += "；金额适用小额诉讼程序（《民事诉讼法》第165条），可低成本起诉";
  }
  const char* tier_text = out.tier == Tier::kUrgent ? "紧急" : out.tier == Tier::kRisk ? "风控" : "普通";
  out.explanation = why + "。处理级别：" + tier_text + "。";
  return out;
}

boost::json::object AssessmentJson(const FilingAssessment& filing, const RoutingAssessment& routing) {
  namespace json = boost::json;
  json::array filing_rules(filing.rules.begin(), filing.rules.end());
  json::array routing_rules(routing.rules.begin(), routing.rules.end());
  json::array advice(routing.advice.begin(), routing.advice.end());
  return json::object{
      {"responsibility",
       json::object{{"party", "undetermined"},
                    {"rules", json::array{}},
                    {"explanation", "责任尚未认定。"},
                    {"basis", json::array{}},
                    {"incidents", json::array{}}}},
      {"remedy", json::object{{"refund_fen", 0},
                              {"extension_days", 0},
                              {"punitive_fen", 0},
                              {"replace", false},
                              {"explanation", "补救方案尚未计算。"}}},
      {"evidence", json::object{{"required", json::array{}},
                                {"present", json::array{}},
                                {"missing", json::array{}},
                                {"late", json::array{}},
                                {"mismatched", json::array{}}}},
      {"filing", json::object{{"late", filing.late},
                              {"late_reason_required", filing.late_reason_required},
                              {"rules", std::move(filing_rules)},
                              {"explanation", filing.explanation}}},
      {"routing", json::object{{"tier", ToString(routing.tier)},
                               {"advice", std::move(advice)},
                               {"rules", std::move(routing_rules)},
                               {"claimed_fen", routing.claimed.fen()},
                               {"explanation", routing.explanation}}},
      {"unfair_terms", json::array{}},
      {"demands_above_loss", false},
      {"policy_version", 0},
  };
}

}  // namespace tousu
