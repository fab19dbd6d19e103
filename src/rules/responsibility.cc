// Responsibility for service interruptions (SPEC.md "Rules", seed 000), resp.* rules.
//
// Windows are closed intervals: the complaint's [incident_at, incident_ends_at] (a single
// instant when it has no end) touches an incident's [starts_at, ends_at] when each starts no
// later than the other ends, so intervals whose ends only touch do overlap. Precedence: a
// platform fault (outage, late or un-notified maintenance) over a third-party fault over
// properly announced maintenance; with no record, a cluster of similar complaints; otherwise
// undetermined with the burden of proof on the merchant/platform (电商法 62).
#include <algorithm>

#include "rules/engine.h"
#include "rules/text.h"

namespace tousu {

namespace {

bool Contains(const std::vector<Category>& list, Category c) {
  return std::find(list.begin(), list.end(), c) != list.end();
}

bool Touches(Instant a_from, Instant a_to, Instant b_from, Instant b_to) {
  return a_from <= b_to && b_from <= a_to;
}

std::string IncidentText(const Incident& i) {
  std::string s = i.id + "（" + BeijingTime(i.starts_at) + " 至 " + BeijingTime(i.ends_at);
  if (!i.description.empty()) s += "，" + i.description;
  return s + "）";
}

// The densest window of length `w` that contains `t`, over `others` plus `t` itself.
struct Cluster {
  int count = 1;
  Instant from;
  Instant to;
};

Cluster DensestWindow(std::vector<Instant> others, Instant t, Duration w) {
  others.push_back(t);
  std::sort(others.begin(), others.end());
  Cluster best{1, t, t};
  // A best window can start at a point x in [t - w, t]; it then holds the points in [x, x + w].
  size_t hi = 0;
  for (size_t lo = 0; lo < others.size(); ++lo) {
    const Instant x = others[lo];
    if (x < t - w || x > t) continue;
    hi = std::max(hi, lo);
    while (hi + 1 < others.size() && others[hi + 1] <= x + w) ++hi;
    const int n = static_cast<int>(hi - lo + 1);
    if (n > best.count) best = Cluster{n, x, others[hi]};
  }
  return best;
}

void Use(ResponsibilityAssessment& out, const Policy& p, const std::string& rule) {
  if (std::find(out.rules.begin(), out.rules.end(), rule) != out.rules.end()) return;
  out.rules.push_back(rule);
  out.basis.push_back(p.BasisOf(rule));
}

}  // namespace

ResponsibilityAssessment AssessResponsibility(const Policy& p, const AssessmentFacts& f) {
  const ResponsibilityPolicy& rp = p.responsibility;
  ResponsibilityAssessment out;
  const Instant from = f.filing.incident_at;
  const Instant to = f.filing.incident_ends_at.value_or(f.filing.incident_at);
  out.facts = {{"category", ToString(f.filing.category)},
               {"window_from", FormatRfc3339(from)},
               {"window_to", FormatRfc3339(to)},
               {"merchant", f.merchant_ref}};
  std::string why;

  if (!Contains(rp.interruption_categories, f.filing.category)) {
    Use(out, p, "resp.burden_on_business");
    out.party = Party::kUndetermined;
    out.burden_on_business = true;
    why = "“" + std::string(ChineseLabel(f.filing.category)) +
          "”类投诉不按平台事故记录认定，责任尚待查明。商家和平台应当提供原始交易记录和交付记录，"
          "证明商品或服务符合约定；不能提供、致使事实无法查清的，由其承担相应责任（《电子商务法》第62条）。";
  } else {
    Use(out, p, "resp.interruption");
    bool platform_fault = false, third_party = false, announced = false;
    std::vector<std::string> fault_text, third_text, announced_text;
    for (const Incident& i : f.incidents) {
      if (!i.merchant_ref.empty() && i.merchant_ref != f.merchant_ref) continue;
      if (!Touches(from, to, i.starts_at, i.ends_at)) continue;
      IncidentFinding found{i, "", ""};
      switch (i.kind) {
        case IncidentKind::kOutage:
          found = {i, "platform_fault", "resp.outage_overlap"};
          platform_fault = true;
          fault_text.push_back("平台故障 " + IncidentText(i));
          break;
        case IncidentKind::kMaintenance: {
          const bool in_time = i.announced_at && i.starts_at - *i.announced_at >= rp.maintenance_notice;
          const bool notified = i.members_notified || !rp.maintenance_requires_notification;
          if (in_time && notified) {
            found = {i, "announced", "resp.maintenance_announced"};
            announced = true;
            announced_text.push_back("维护 " + IncidentText(i) + "已于 " + BeijingTime(*i.announced_at) +
                                     " 提前公告并通知会员");
          } else {
            found = {i, in_time ? "not_notified" : "late_notice", "resp.maintenance_late_notice"};
            platform_fault = true;
            std::string t = "维护 " + IncidentText(i);
            if (!i.announced_at) t += "没有提前公告";
            else if (!in_time) t += "仅提前 " + ChineseDuration(i.starts_at - *i.announced_at) + " 公告，不足 " +
                                    ChineseDuration(rp.maintenance_notice);
            if (!notified) t += std::string(in_time ? "" : "，且") + "没有通知会员";
            fault_text.push_back(t);
          }
          break;
        }
        case IncidentKind::kThirdParty:
          found = {i, "third_party", "resp.third_party_fault"};
          third_party = true;
          third_text.push_back("第三方接口故障 " + IncidentText(i));
          break;
      }
      out.incidents.push_back(found);
    }
    // Only the findings that decide the party name their rule.
    auto use_findings = [&](std::initializer_list<const char*> kinds) {
      for (const auto& x : out.incidents) {
        for (const char* k : kinds) {
          if (x.finding == k) Use(out, p, x.rule);
        }
      }
    };
    if (platform_fault) {
      out.party = Party::kPlatform;
      use_findings({"platform_fault", "late_notice", "not_notified"});
      why = "您投诉的时间段内有" + JoinChinese(fault_text) +
            "。平台应当保障系统安全稳定运行（《电子商务法》第30条），这段服务中断由平台负责。";
    } else if (third_party) {
      out.party = Party::kThirdParty;
      use_findings({"third_party"});
      why = "您投诉的时间段内有" + JoinChinese(third_text) +
            "，责任在第三方；但平台仍须受理您的投诉并协调解决，不能让您自己去找第三方。";
    } else if (announced) {
      out.party = Party::kNone;
      out.platform_handles = true;
      use_findings({"announced"});
      why = JoinChinese(announced_text) + "（至少提前 " + ChineseDuration(rp.maintenance_notice) +
            "），这段中断属于事先告知的正常维护，平台没有过错。";
    } else {
      const Cluster m = DensestWindow(f.similar.same_merchant, f.filing.incident_at, rp.similar_window);
      const Cluster pl = DensestWindow(f.similar.same_platform, f.filing.incident_at, rp.similar_window);
      out.facts["similar_same_merchant"] = m.count;
      out.facts["similar_same_platform"] = pl.count;
      if (f.similar.merchant_at_least) out.facts["similar_same_merchant_at_least"] = true;
      if (f.similar.platform_at_least) out.facts["similar_same_platform_at_least"] = true;
      const bool by_merchant = m.count >= rp.similar_count;
      if (by_merchant || pl.count >= rp.similar_count) {
        const Cluster& c = by_merchant ? m : pl;
        out.party = Party::kPlatform;
        Use(out, p, "resp.similar_complaints");
        out.candidate = IncidentCandidate{by_merchant ? "merchant" : "platform",
                                          by_merchant ? f.merchant_ref : "", f.filing.category,
                                          c.from, c.to, c.count};
        why = "平台没有这段时间的事故记录，但在 " + ChineseDuration(rp.similar_window) + " 内有" +
              ((by_merchant ? f.similar.merchant_at_least : f.similar.platform_at_least) ? "至少 " : " ") +
              std::to_string(c.count) + " 起" + (by_merchant ? "针对同一商家的" : "本平台的") + "同类投诉（“" +
              std::string(ChineseLabel(f.filing.category)) + "”，含本投诉），推定为平台故障，"
              "并已提示平台工作人员核查是否应登记为事故。";
      } else {
        Use(out, p, "resp.burden_on_business");
        out.party = Party::kUndetermined;
        out.burden_on_business = true;
        why = "平台没有与您投诉时间段重叠的故障或维护记录，同类投诉也未达到 " +
              std::to_string(rp.similar_count) + " 起，责任尚待查明。按照《电子商务法》第62条，"
              "由商家和平台提供原始记录证明服务在这段时间正常；不能证明、致使事实无法查清的，由其承担责任，"
              "不需要您证明故障原因。";
      }
    }
  }
  if (f.decision) {
    out.decided = f.decision->responsibility;
    Use(out, p, "resp.arbitrator_decision");
    out.facts["computed_party"] = ToString(out.party);
    out.party = f.decision->responsibility;
    out.burden_on_business = false;
    why = "处理专员已于 " + BeijingTime(f.decision->decided_at) + " 裁决，责任方为“" +
          std::string(ToString(out.party)) + "”。规则评估的依据如下：" + why;
  }
  out.explanation = std::move(why);
  return out;
}

}  // namespace tousu
