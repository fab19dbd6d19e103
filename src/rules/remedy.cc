// Remedies (SPEC.md "Rules"), remedy.* rules. Money is integer fen; every scaling goes through
// MulDiv with the policy's stated rounding, the refund never exceeds the price, and the
// explanation shows the exact quotient, the rounding and refund + kept = price.
//
// Lost time of an interruption: from the later of incident_at and the service start, to the
// complaint's incident_ends_at, else the latest end of the incidents that decided the
// responsibility, else "now" (still ongoing); clipped to the service period. When it reaches the
// end of the period the service is dead for the rest of it and the remaining share is refunded.
#include <algorithm>
#include <cstdio>

#include "rules/engine.h"
#include "rules/text.h"

namespace tousu {

namespace {

constexpr int64_t kDay = 86400;

bool Contains(const std::vector<Category>& list, Category c) {
  return std::find(list.begin(), list.end(), c) != list.end();
}

bool Demanded(const std::vector<Demand>& ds, DemandKind k) {
  return std::any_of(ds.begin(), ds.end(), [k](const Demand& d) { return d.kind == k; });
}

// price × num / den as "1234.5678 分", the exact quotient before rounding (4 decimals, cut).
std::string ExactFen(Money price, int64_t num, int64_t den) {
  const __int128 product = static_cast<__int128>(price.fen()) * num;
  const int64_t whole = static_cast<int64_t>(product / den);
  const int64_t frac = static_cast<int64_t>((product % den) * 10000 / den);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%04lld 分", static_cast<long long>(whole), static_cast<long long>(frac));
  return buf;
}

const char* RoundingText(Rounding r) {
  switch (r) {
    case Rounding::kHalfUp: return "四舍五入";
    case Rounding::kUp: return "向上取整";
    case Rounding::kDown: return "向下取整";
  }
  return "四舍五入";
}

class Builder {
 public:
  Builder(const Policy& p, RemedyAssessment& out) : p_(p), out_(out) {}
  void Rule(const std::string& id) {
    if (std::find(out_.rules.begin(), out_.rules.end(), id) != out_.rules.end()) return;
    out_.rules.push_back(id);
    out_.basis.push_back(p_.BasisOf(id));
  }

 private:
  const Policy& p_;
  RemedyAssessment& out_;
};

// Refund or replacement "as the consumer chose": replacement only when asked for without a refund.
void RefundOrReplace(RemedyAssessment& out, const AssessmentFacts& f, const std::string& why) {
  const auto& ds = f.filing.demands;
  if (Demanded(ds, DemandKind::kReplace) && !Demanded(ds, DemandKind::kRefund)) {
    out.replace = true;
    out.explanation += why + "您选择了更换：商家应为您更换同等商品（或者您也可以改为要求全额退款 " +
                       f.order.amount.ToYuanString() + "）。";
  } else {
    out.refund = f.order.amount;
    out.explanation += why + "应全额退款 " + YuanAndFen(f.order.amount) + "（或者您也可以改为要求更换）。";
  }
}

// Membership or other time-based service interrupted: extension or pro-rata refund.
void Interruption(const Policy& p, const AssessmentFacts& f, const ResponsibilityAssessment& resp,
                  Instant now, Builder& b, RemedyAssessment& out) {
  const Order& o = f.order;
  if (!o.service_starts_at || !o.service_ends_at || *o.service_ends_at <= *o.service_starts_at) {
    b.Rule("remedy.restore_without_period");
    out.restore = true;
    out.explanation += "订单没有可折算的服务期，无法按时长计算退款或延期；应恢复服务，"
                       "无法恢复的可协商退款。";
    return;
  }
  const Instant s_from = *o.service_starts_at, s_to = *o.service_ends_at;
  const int64_t period = (s_to - s_from).count();
  // Where the lost time ends, and why.
  Instant end;
  std::string end_why;
  if (f.filing.incident_ends_at) {
    end = *f.filing.incident_ends_at;
    end_why = "您填写的中断结束时间";
  } else {
    std::optional<Instant> latest;
    for (const auto& x : resp.incidents) {
      if (x.finding == "announced") continue;
      if (!latest || x.incident.ends_at > *latest) latest = x.incident.ends_at;
    }
    if (latest) {
      end = *latest;
      end_why = "平台事故记录的结束时间";
    } else {
      end = now;
      end_why = "评估时（中断尚未结束）";
    }
  }
  const Instant start = std::max(f.filing.incident_at, s_from);
  const Instant clipped_end = std::min(end, s_to);
  const int64_t lost = std::max<int64_t>(0, (clipped_end - start).count());
  out.facts["service_starts_at"] = FormatRfc3339(s_from);
  out.facts["service_ends_at"] = FormatRfc3339(s_to);
  out.facts["period_seconds"] = period;
  out.facts["lost_from"] = FormatRfc3339(start);
  out.facts["lost_to"] = FormatRfc3339(std::max(clipped_end, start));
  out.facts["lost_seconds"] = lost;
  const std::string period_text = "服务期 " + BeijingTime(s_from) + " 至 " + BeijingTime(s_to) + "，共 " +
                                  std::to_string(period) + " 秒（" + ChineseDuration(Duration(period)) + "）";
  if (lost == 0) {
    out.explanation += "投诉的中断时间不在订单的" + period_text + "之内，没有可补偿的损失时长。";
    return;
  }
  const Rounding rounding = p.remedy.prorata_rounding;
  const std::string lost_text = "从 " + BeijingTime(start) + " 到 " + BeijingTime(clipped_end) + "（" + end_why +
                                "），共 " + std::to_string(lost) + " 秒（" + ChineseDuration(Duration(lost)) + "）";
  if (end >= s_to) {
    b.Rule("remedy.dead_rest_of_period");
    out.refund = MulDiv(o.amount, lost, period, rounding);
    out.explanation += "服务" + lost_text + "中断，直到服务期结束都无法使用，应退还剩余部分：价款 " +
                       YuanAndFen(o.amount) + " × " + std::to_string(lost) + " 秒 ÷ " + std::to_string(period) +
                       " 秒 = " + ExactFen(o.amount, lost, period) + "，" + RoundingText(rounding) + "为 " +
                       std::to_string(out.refund.fen()) + " 分。" + period_text + "。";
    return;
  }
  // The consumer's choice: the first refund or extend demand, else the policy's default.
  InterruptionChoice choice = p.remedy.default_choice;
  std::string choice_why = "您没有选择退款或延期，按平台默认方式";
  for (const Demand& d : f.filing.demands) {
    if (d.kind == DemandKind::kRefund || d.kind == DemandKind::kExtend) {
      choice = d.kind == DemandKind::kRefund ? InterruptionChoice::kRefund : InterruptionChoice::kExtend;
      choice_why = "按您的选择";
      break;
    }
  }
  out.facts["choice"] = ToString(choice);
  if (choice == InterruptionChoice::kExtend) {
    b.Rule("remedy.interruption_extend");
    out.extension_days = static_cast<int>(CeilDiv(lost, kDay));
    out.explanation += "服务" + lost_text + "中断。" + choice_why + "延长会员期：损失时长按整天向上取整为 " +
                       std::to_string(out.extension_days) + " 天。";
  } else {
    b.Rule("remedy.interruption_prorata");
    out.refund = MulDiv(o.amount, lost, period, rounding);
    out.explanation += "服务" + lost_text + "中断。" + choice_why + "按比例退款：价款 " + YuanAndFen(o.amount) +
                       " × " + std::to_string(lost) + " 秒 ÷ " + std::to_string(period) + " 秒 = " +
                       ExactFen(o.amount, lost, period) + "，" + RoundingText(rounding) + "为 " +
                       std::to_string(out.refund.fen()) + " 分。" + period_text + "。";
  }
}

}  // namespace

Money PunitiveFor(const Policy& p, Money price) {
  const Money k = price * p.remedy.punitive_multiplier;
  return k > p.remedy.punitive_minimum ? k : p.remedy.punitive_minimum;
}

RemedyAssessment AssessRemedy(const Policy& p, const AssessmentFacts& f,
                              const ResponsibilityAssessment& resp, Instant now) {
  RemedyAssessment out;
  Builder b(p, out);
  const Order& o = f.order;
  const Category cat = f.filing.category;
  out.facts = {{"price_fen", o.amount.fen()},
               {"category", ToString(cat)},
               {"product_kind", ToString(o.product_kind)},
               {"party", ToString(resp.party)}};

  if (resp.party == Party::kNone || resp.party == Party::kConsumer) {
    // No one but the consumer is at fault: nothing is owed by the rules.
    for (const auto& r : resp.rules) {
      if (r == "resp.maintenance_announced" || r == "resp.arbitrator_decision") b.Rule(r);
    }
    out.explanation = resp.party == Party::kNone
                          ? "这段中断没有责任方（事先告知的正常维护），按规则不产生退款或延期。"
                          : "责任在消费者一方，按规则不产生退款或延期。";
  } else if (Contains(p.remedy.full_refund_categories, cat)) {
    b.Rule("remedy.full_refund_undelivered");
    out.refund = o.amount;
    out.explanation = "商品或会员权益没有交付（开通），应全额退款 " + YuanAndFen(o.amount) + "。";
  } else if (Contains(p.remedy.defect_categories, cat)) {
    b.Rule("remedy.defect_refund_or_replace");
    RefundOrReplace(out, f,
                    "“" + std::string(ChineseLabel(cat)) + "”属于商品质量问题（数字商品不适用七日无理由退货，"
                    "按《消费者权益保护法》第24条主张退货或更换）：");
  } else if (cat == Category::kDeliveryLate) {
    b.Rule("remedy.late_delivery_48h");
    const Instant delivered = o.delivered_at.value_or(now);
    const Duration delay = delivered - o.paid_at;
    out.facts["paid_at"] = FormatRfc3339(o.paid_at);
    out.facts["delay_seconds"] = delay.count();
    const std::string delay_text = (o.delivered_at ? "付款后 " : "付款至今已 ") + ChineseDuration(delay) +
                                   (o.delivered_at ? " 才交付" : " 仍未交付");
    if (delay > p.remedy.late_delivery_after) {
      RefundOrReplace(out, f, delay_text + "，超过 " + ChineseDuration(p.remedy.late_delivery_after) + "：");
    } else {
      out.explanation = delay_text + "，未超过 " + ChineseDuration(p.remedy.late_delivery_after) +
                        "，按规则尚不产生退款；超过后可要求全额退款或更换。";
    }
  } else if (Contains(p.responsibility.interruption_categories, cat)) {
    Interruption(p, f, resp, now, b, out);
    if (resp.party == Party::kUndetermined) {
      out.explanation += "责任尚待查明：如商家和平台不能证明服务在这段时间正常，应按此补救。";
    } else if (resp.party == Party::kThirdParty) {
      out.explanation += "虽然故障在第三方，仍由平台先行处理补救，再向第三方追偿。";
    }
  } else {
    out.explanation = "“" + std::string(ChineseLabel(cat)) +
                      "”类投诉没有自动计算的补救标准，由商家协商或处理专员根据证据裁决。";
  }

  if (f.decision && f.decision->fraud) {
    b.Rule("remedy.punitive_3x_min_500");
    out.punitive = PunitiveFor(p, o.amount);
    out.explanation += "处理专员认定商家存在欺诈，依《消费者权益保护法》第55条，在退款之外另赔偿价款的 " +
                       std::to_string(p.remedy.punitive_multiplier) + " 倍、且不少于 " +
                       p.remedy.punitive_minimum.ToYuanString() + "：" + YuanAndFen(out.punitive) + "。";
  } else if (Demanded(f.filing.demands, DemandKind::kPunitive)) {
    out.explanation += "您要求的惩罚性赔偿（价款三倍、不少于 500 元，《消费者权益保护法》第55条）"
                       "须由处理专员认定商家存在欺诈后才会计入。";
  }
  if (out.refund > o.amount) out.refund = o.amount;  // never above the price (cannot happen)
  out.kept = o.amount - out.refund;
  if (out.refund.fen() > 0) {
    out.explanation += "合计：退款 " + std::to_string(out.refund.fen()) + " 分 + 商家保留 " +
                       std::to_string(out.kept.fen()) + " 分 = 价款 " + std::to_string(o.amount.fen()) + " 分。";
  }
  return out;
}

}  // namespace tousu
