// Small helpers for the engine's Chinese explanations: times in Beijing time, money in yuan,
// lists. Explanations are for consumers: plain words, the figures, and the rule's basis.
// Thread-safety: pure functions.
#ifndef TOUSU_RULES_TEXT_H_
#define TOUSU_RULES_TEXT_H_

#include <string>
#include <vector>

#include "base/money.h"
#include "base/time.h"
#include "domain/types.h"

namespace tousu {

// "2030-01-01 08:00:00（北京时间）" for an instant (UTC+8, no daylight saving).
std::string BeijingTime(Instant t);

// "a、b、c".
std::string JoinChinese(const std::vector<std::string>& items);

// "12.34 元（1234 分）".
std::string YuanAndFen(Money m);

// "平台", "商家", "第三方", "消费者", "无责任方", "待定".
std::string ChineseParty(Party p);

}  // namespace tousu

#endif  // TOUSU_RULES_TEXT_H_
