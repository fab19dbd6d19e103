// Filing windows (SPEC.md "Rules"): filing.delivered_goods_24h and filing.incident_7d.
#include <algorithm>

#include "rules/engine.h"
#include "rules/text.h"

namespace tousu {

namespace {

bool Contains(const std::vector<Category>& list, Category c) {
  return std::find(list.begin(), list.end(), c) != list.end();
}

}  // namespace

FilingAssessment AssessFiling(const Policy& p, const Order& order, const FilingFacts& f) {
  FilingAssessment out;
  out.facts = {{"filed_at", FormatRfc3339(f.filed_at)},
               {"incident_at", FormatRfc3339(f.incident_at)},
               {"late_reason_given", f.has_late_reason}};
  std::string why;
  if (Contains(p.filing.delivered_goods_categories, f.category) && order.delivered_at) {
    const Duration since = f.filed_at - *order.delivered_at;
    out.facts["delivered_at"] = FormatRfc3339(*order.delivered_at);
    out.facts["seconds_since_delivery"] = since.count();
    if (since > p.filing.delivered_goods_window) {
      out.rules.push_back("filing.delivered_goods_24h");
      why += "该虚拟商品于 " + BeijingTime(*order.delivered_at) + " 交付，您在交付 " +
             ChineseDuration(since) + " 后才投诉，超过了交付后 " +
             ChineseDuration(p.filing.delivered_goods_window) + " 的反馈时限";
    }
  }
  const Duration since_incident = f.filed_at - f.incident_at;
  out.facts["seconds_since_incident"] = since_incident.count();
  if (since_incident > p.filing.incident_window) {
    out.rules.push_back("filing.incident_7d");
    if (!why.empty()) why += "；并且";
    why += "距问题发生（" + BeijingTime(f.incident_at) + "）已过 " + ChineseDuration(since_incident) +
           "，超过了 " + ChineseDuration(p.filing.incident_window) + " 的投诉时限";
  }
  out.late = !out.rules.empty();
  out.late_reason_required = out.late;
  out.late_reason_given = out.late && f.has_late_reason;
  if (!out.late) {
    out.explanation = "投诉在平台受理时限内提出（交付类虚拟商品为交付后 " +
                      ChineseDuration(p.filing.delivered_goods_window) + "，其他问题为发生后 " +
                      ChineseDuration(p.filing.incident_window) + "）。";
    return out;
  }
  out.explanation = why + "。这是本平台的受理时限（平台规则），不是法律期限：";
  out.explanation += out.late_reason_given
                         ? "您已说明逾期原因，投诉照常受理，处理专员会审查是否接受该原因。"
                         : "请填写逾期原因（late_reason），投诉即可受理，处理专员会审查是否接受。";
  out.explanation +=
      "另外，全国12315受理知道权益受损之日起 3 年内的投诉（《市场监督管理投诉举报处理暂行办法》第15条），"
      "向法院起诉的诉讼时效一般为 3 年（《民法典》第188条），都比平台时限长得多。";
  return out;
}

}  // namespace tousu
