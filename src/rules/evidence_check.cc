// Evidence completeness (SPEC.md "Rules", seeds 000, 002, 004), evidence.* rules: which classes
// the category needs, which are present or missing, which items were captured late, and which
// contradict the order (order number, amount).
#include <algorithm>

#include "rules/engine.h"
#include "rules/text.h"

namespace tousu {

namespace {

std::string KindLabel(EvidenceKind k) {
  switch (k) {
    case EvidenceKind::kIncident: return "问题发生证据（截图、录屏）";
    case EvidenceKind::kTransaction: return "交易记录（支付凭证、订单详情）";
    case EvidenceKind::kEntitlement: return "权益证明（会员协议、服务期限）";
    case EvidenceKind::kCommunication: return "沟通记录（客服聊天、邮件）";
    case EvidenceKind::kPlatformFault: return "平台责任证据（故障公告、其他用户投诉）";
    case EvidenceKind::kDelivery: return "交付记录（卡密、授权码、发货信息）";
  }
  return "证据";
}

}  // namespace

EvidenceAssessment AssessEvidence(const Policy& p, const AssessmentFacts& f) {
  namespace json = boost::json;
  EvidenceAssessment out;
  out.rules = {"evidence.required"};
  auto it = p.evidence.required.find(f.filing.category);
  if (it != p.evidence.required.end()) out.required = it->second;
  for (EvidenceKind k : AllOf<EvidenceKind>()) {
    const bool has = std::any_of(f.evidence.begin(), f.evidence.end(),
                                 [k](const EvidenceRecord& e) { return e.kind == k; });
    if (has) out.present.push_back(k);
  }
  for (EvidenceKind k : out.required) {
    if (std::find(out.present.begin(), out.present.end(), k) == out.present.end()) out.missing.push_back(k);
  }
  const Instant incident_end = f.filing.incident_ends_at.value_or(f.filing.incident_at);
  for (const EvidenceRecord& e : f.evidence) {
    const bool late_kind =
        std::find(p.evidence.late_kinds.begin(), p.evidence.late_kinds.end(), e.kind) != p.evidence.late_kinds.end();
    const Instant captured = e.captured_at.value_or(e.received_at);
    if (late_kind && captured - incident_end > p.evidence.late_after) {
      out.late.push_back(e.id);
      out.details.push_back(json::object{{"id", e.id},
                                         {"problem", "late"},
                                         {"kind", ToString(e.kind)},
                                         {"captured_at", FormatRfc3339(captured)},
                                         {"seconds_after_incident", (captured - incident_end).count()}});
    }
    bool mismatch = false;
    if (!e.declared_order_no.empty() && e.declared_order_no != f.order.order_no) {
      mismatch = true;
      out.details.push_back(json::object{{"id", e.id}, {"problem", "mismatched"}, {"field", "order_no"},
                                         {"declared", e.declared_order_no}, {"expected", f.order.order_no}});
    }
    if (e.declared_amount && *e.declared_amount != f.order.amount) {
      mismatch = true;
      out.details.push_back(json::object{{"id", e.id}, {"problem", "mismatched"}, {"field", "amount_fen"},
                                         {"declared", e.declared_amount->fen()},
                                         {"expected", f.order.amount.fen()}});
    }
    if (mismatch) out.mismatched.push_back(e.id);
  }
  if (!out.late.empty()) out.rules.push_back("evidence.late_capture");
  if (!out.mismatched.empty()) out.rules.push_back("evidence.order_mismatch");

  std::string why;
  if (out.missing.empty()) {
    why = "所需证据已齐全。";
  } else {
    std::vector<std::string> labels;
    for (EvidenceKind k : out.missing) labels.push_back(KindLabel(k));
    why = "“" + std::string(ChineseLabel(f.filing.category)) + "”类投诉需要完整的证据链（交易、交付、问题发生、协商等），还缺少：" +
          JoinChinese(labels) + "。";
  }
  if (!out.late.empty()) {
    why += "有 " + std::to_string(out.late.size()) + " 份证据在问题发生 " + ChineseDuration(p.evidence.late_after) +
           " 之后才固定，证明力可能较弱。";
  }
  if (!out.mismatched.empty()) {
    why += "有 " + std::to_string(out.mismatched.size()) + " 份证据上的订单号或金额与订单不一致，请核对。";
  }
  out.explanation = std::move(why);
  return out;
}

}  // namespace tousu
