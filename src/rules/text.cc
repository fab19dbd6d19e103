#include "rules/text.h"

#include <cstdio>

namespace tousu {

std::string BeijingTime(Instant t) {
  // RFC 3339 of the shifted instant is the Beijing wall-clock time.
  std::string s = FormatRfc3339(t + hours(8));
  s[10] = ' ';
  s.pop_back();  // the "Z"
  return s + "（北京时间）";
}

std::string JoinChinese(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += "、";
    out += i;
  }
  return out;
}

std::string YuanAndFen(Money m) {
  return m.ToYuanString() + "（" + std::to_string(m.fen()) + " 分）";
}

std::string ChineseParty(Party p) {
  switch (p) {
    case Party::kPlatform: return "平台";
    case Party::kMerchant: return "商家";
    case Party::kThirdParty: return "第三方";
    case Party::kConsumer: return "消费者";
    case Party::kNone: return "无责任方";
    case Party::kUndetermined: return "待定";
  }
  return "待定";
}

}  // namespace tousu
