#include "rules/engine.h"

#include <cstdio>

namespace tousu {

namespace {

std::string HoursText(Duration d) {
  const int64_t h = d.count() / 3600;
  if (h % 24 == 0 && h >= 48) return std::to_string(h / 24) + " 天";
  return std::to_string(h) + " 小时";
}

}  // namespace

FilingAssessment AssessFiling(const Policy& p, const Order& order, const FilingFacts& f,
                              Instant now) {
  FilingAssessment out;
  std::string why;
  const bool delivered_goods =
      f.category == Category::kInvalidCode || f.category == Category::kNotAsDescribed;
  if (delivered_goods && order.delivered_at && now - *order.delivered_at > p.delivered_goods_window) {
    out.rules.push_back("filing.delivered_goods_24h");
    why += "该虚拟商品已于交付后超过 " + HoursText(p.delivered_goods_window) + "才投诉";
  }
  if (now - f.incident_at > p.incident_window) {
    out.rules.push_back("filing.incident_7d");
    if (!why.empty()) why += "，且";
    why += "距问题发生已超过 " + HoursText(p.incident_window);
  }
  out.late = !out.rules.empty();
  out.late_reason_required = out.late;
  if (out.late) {
    out.explanation = why + "（平台规则）。请说明逾期原因（late_reason），处理专员会审查是否接受。"
                      "提示：这只是本平台的受理时限；向全国12315投诉或向法院起诉的时限长得多"
                      "（诉讼时效一般为 3 年，《民法典》第188条）。";
  } else {
    out.explanation = "在平台受理时限内提出。";
  }
  return out;
}

}  // namespace tousu
