#include "rules/terms.h"

#include <gtest/gtest.h>

namespace tousu {
namespace {

const TermsPolicy& Terms() { return Policy::Default().terms; }

// Clauses that exclude liability or claim sole interpretation, in the wordings seen in the wild.
class UnfairClause : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(UnfairClause, IsFlagged) {
  const auto& [text, pattern] = GetParam();
  auto found = FindUnfairTerms(Terms(), text);
  ASSERT_EQ(found.size(), 1u) << text;
  EXPECT_NE(std::find(found[0].patterns.begin(), found[0].patterns.end(), pattern), found[0].patterns.end())
      << text;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, UnfairClause,
    ::testing::Values(std::make_pair("本活动最终解释权归本平台所有。", "sole_interpretation"),
                      std::make_pair("本店保留最终解释权", "sole_interpretation"),
                      std::make_pair("最终的解释权由XX卡盟享有。", "sole_interpretation"),
                      std::make_pair("本协议的最后解释权属于平台；", "sole_interpretation"),
                      std::make_pair("最终 解释权 归 商家 所有", "sole_interpretation"),
                      std::make_pair("虚拟商品售出概不退换！", "no_return_no_exchange"),
                      std::make_pair("卡密一经发出，一律不予退款。", "no_return_no_exchange"),
                      std::make_pair("恕不退换", "no_return_no_exchange"),
                      std::make_pair("账号售出后不退不换", "no_refund_after_sale"),
                      std::make_pair("购买后不支持退款", "no_refund_after_sale"),
                      std::make_pair("因系统故障造成的损失，本平台不承担任何责任。", "no_liability_at_all"),
                      std::make_pair("平台对此不负任何赔偿责任", "no_liability_at_all"),
                      std::make_pair("本站不承担由此产生的任何责任", "no_liability_at_all"),
                      std::make_pair("对于账号被找回等情况，商家概不负责。", "not_responsible_at_all")));

// Ordinary service terms: none of them may be flagged.
TEST(UnfairTerms, OrdinaryTermsAreNotFlagged) {
  const char* kOrdinary[] = {
      "如卡密无效，我们将在24小时内为您更换或全额退款。",
      "会员服务期为30天，自开通之日起计算。",
      "未使用的卡密可在7天内申请退款。",
      "平台承担因系统故障造成的全部责任，并按比例退款或延长会员期。",
      "因用户自身原因泄露密码造成的损失，由用户自行承担。",
      "如对条款的解释有争议，以有利于消费者的解释为准。",
      "系统维护将至少提前24小时公告并短信通知会员。",
      "本平台依法承担先行赔付责任。",
      "充值到账时间一般为5分钟，高峰期可能延迟。",
      "请妥善保管您的账号，不要向任何人透露验证码。",
      "如有疑问，请联系在线客服，我们会在48小时内答复。",
      "售出的商品如有质量问题，可申请退换。",
  };
  for (const char* t : kOrdinary) {
    auto found = FindUnfairTerms(Terms(), t);
    EXPECT_TRUE(found.empty()) << t << " flagged by " << (found.empty() ? "" : found[0].patterns[0]);
  }
}

TEST(UnfairTerms, FindsEachClauseOnceInTextOrder) {
  const std::string terms =
      "欢迎使用本店。会员服务期为30天。\n虚拟商品售出概不退换，本店不承担任何责任！"
      "如卡密无效可申请更换。本活动最终解释权归本店所有。";
  auto found = FindUnfairTerms(Terms(), terms);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].clause, "虚拟商品售出概不退换，本店不承担任何责任！");
  EXPECT_EQ(found[0].patterns, (std::vector<std::string>{"no_return_no_exchange", "no_liability_at_all"}));
  EXPECT_EQ(found[1].clause, "本活动最终解释权归本店所有。");
}

TEST(UnfairTerms, AMatchNeverCrossesAClauseEnd) {
  // "最终" and "解释权" in different sentences are not a claim of sole interpretation.
  EXPECT_TRUE(FindUnfairTerms(Terms(), "最终价格以页面为准。解释权问题请咨询客服。").empty());
}

TEST(UnfairTerms, GapIsBoundedInCharactersNotBytes) {
  EXPECT_TRUE(PatternMatches("最终…解释权", "最终一二三四五六七八解释权", 8));
  EXPECT_FALSE(PatternMatches("最终…解释权", "最终一二三四五六七八九解释权", 8));
  EXPECT_TRUE(PatternMatches("a|b…c", "xxbyc", 1));
  EXPECT_FALSE(PatternMatches("a…c", "c a", 5));
}

TEST(UnfairTerms, HugeTextWithoutPunctuationStaysFast) {
  std::string text;
  // Many near-misses in one unpunctuated clause, one real match at its end.
  for (int i = 0; i < 20000; ++i) text += "最终不承担";
  text += "解释权";
  auto found = FindUnfairTerms(Terms(), text);
  EXPECT_EQ(found.size(), 1u);
  EXPECT_LE(found[0].clause.size(), 310u);
}

TEST(UnfairTerms, EmptyOrInvalidUtf8IsHarmless) {
  EXPECT_TRUE(FindUnfairTerms(Terms(), "").empty());
  EXPECT_TRUE(FindUnfairTerms(Terms(), std::string("\xff\xfe\xe6", 3)).empty());
}

}  // namespace
}  // namespace tousu
