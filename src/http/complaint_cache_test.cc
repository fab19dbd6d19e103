#include "http/complaint_cache.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/views.h"

namespace tousu::http {
namespace {

const Instant kNow = Instant::FromUnixSeconds(1893456000);  // 2030-01-01

Complaint MakeComplaint(int i, const std::string& platform = "shop") {
  Complaint c;
  c.platform_id = platform;
  c.id = "cmp_" + std::to_string(1000 + i);
  c.order_no = "O-" + std::to_string(i);
  c.consumer_ref = "alice";
  c.merchant_ref = "m1";
  c.status = ComplaintStatus::kAwaitingMerchant;
  c.assignee = "agent1";
  c.description = "充值后一直未到账，请处理。订单 " + c.order_no;
  c.deadlines[DeadlineKind::kMerchantResponse] = kNow + hours(48);
  c.assessment_json = R"({"remedy":{"refund_fen":)" + std::to_string(500 + i) +
                      R"(,"explanation":"商品或会员权益没有交付（开通），应全额退款。合计：退款与商家保留之和等于价款。"},)"
                      R"("evidence":{"missing":["transaction","incident","communication"],)"
                      R"("explanation":"需要完整的证据链（交易、交付、问题发生、协商等），还缺少交易记录与沟通记录。"}})";
  return c;
}

Principal Who(Role role, const std::string& user, const std::string& platform = "shop",
              const std::string& merchant = "") {
  Principal p;
  p.role = role;
  p.user_ref = user;
  p.platform_id = platform;
  p.merchant_ref = merchant;
  return p;
}

// A cache whose dictionary is trained, inline, on the first 50 answers offered.
class ComplaintCacheTest : public ::testing::Test {
 protected:
  explicit ComplaintCacheTest(size_t max_bytes = 4 << 20) : cache_(MakeOptions(max_bytes)) {
    for (int i = 0; i < 50; ++i) {
      const Complaint c = MakeComplaint(900000 + i);
      const auto fill = cache_.Prepare(0, c, Viewer{Role::kAgent, false}, kNow, ComplaintBody(c, Viewer{}, kNow));
      EXPECT_EQ(fill.has_value(), i == 49) << "answers are cached from the dictionary on, not before";
    }
    EXPECT_EQ(cache_.stats().dictionaries, 1u);
  }
  static ComplaintCache::Options MakeOptions(size_t max_bytes) {
    ComplaintCache::Options o;
    o.max_bytes = max_bytes;
    o.compression.samples = 50;
    o.compression.train_in_background = false;
    return o;
  }

  // Reads `c` as `who` would through the cache: a hit, or the rendering put in the cache.
  std::string Read(const Complaint& c, const Principal& who, Instant now = kNow) {
    if (auto hit = cache_.Find(c.platform_id, c.id, who, now)) return *hit;
    const auto ticket = cache_.TicketFor(c.platform_id, c.id);
    const Viewer viewer = Viewer::Of(c, who);
    std::string body = ComplaintBody(c, viewer, now);
    if (auto fill = cache_.Prepare(ticket, c, viewer, now, body)) cache_.Put(std::move(*fill));
    return body;
  }

  ComplaintCache cache_;
};

TEST_F(ComplaintCacheTest, ASecondReadIsAHitWithTheSameAnswer) {
  const Complaint c = MakeComplaint(1);
  const Principal agent = Who(Role::kAgent, "agent2");
  EXPECT_FALSE(cache_.Find("shop", c.id, agent, kNow));
  const std::string first = Read(c, agent);
  auto hit = cache_.Find("shop", c.id, agent, kNow);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, first);
  EXPECT_EQ(*hit, ComplaintBody(c, agent, kNow));
  const auto s = cache_.stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.fills, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.raw_bytes, first.size());
  EXPECT_LT(s.bytes, first.size());  // packed with the dictionary
}

TEST_F(ComplaintCacheTest, OnlyCallersWhoMaySeeTheComplaintGetIt) {
  const Complaint c = MakeComplaint(2);
  (void)Read(c, Who(Role::kAgent, "agent2"));
  EXPECT_TRUE(cache_.Find("shop", c.id, Who(Role::kRisk, "risk1"), kNow) == std::nullopt);  // not filled for risk
  (void)Read(c, Who(Role::kConsumer, "alice"));
  (void)Read(c, Who(Role::kMerchant, "m1-staff", "shop", "m1"));
  EXPECT_TRUE(cache_.Find("shop", c.id, Who(Role::kConsumer, "alice"), kNow));
  EXPECT_TRUE(cache_.Find("shop", c.id, Who(Role::kMerchant, "m1-other", "shop", "m1"), kNow));
  // Another consumer, another shop's staff, another tenant's staff, the admin, the public.
  EXPECT_FALSE(cache_.Find("shop", c.id, Who(Role::kConsumer, "bob"), kNow));
  EXPECT_FALSE(cache_.Find("shop", c.id, Who(Role::kMerchant, "m2-staff", "shop", "m2"), kNow));
  EXPECT_FALSE(cache_.Find("shop", c.id, Who(Role::kAgent, "agent2", "other"), kNow));
  EXPECT_FALSE(cache_.Find("other", c.id, Who(Role::kAgent, "agent2", "other"), kNow));
  EXPECT_FALSE(cache_.Find("shop", c.id, Who(Role::kAdmin, "", ""), kNow));
  EXPECT_FALSE(cache_.Find("shop", c.id, Principal::Public(), kNow));
}

TEST_F(ComplaintCacheTest, EachViewerGetsTheirOwnAnswer) {
  Complaint c = MakeComplaint(3);
  const Principal assignee = Who(Role::kAgent, "agent1");
  const Principal other = Who(Role::kAgent, "agent2");
  const Principal consumer = Who(Role::kConsumer, "alice");
  const std::string for_assignee = Read(c, assignee);
  const std::string for_other = Read(c, other);
  const std::string for_consumer = Read(c, consumer);
  EXPECT_NE(for_assignee, for_other);  // only the assignee may reassign (首问负责)
  EXPECT_NE(for_consumer, for_other);
  EXPECT_EQ(*cache_.Find("shop", c.id, assignee, kNow), ComplaintBody(c, assignee, kNow));
  EXPECT_EQ(*cache_.Find("shop", c.id, other, kNow), ComplaintBody(c, other, kNow));
  EXPECT_EQ(*cache_.Find("shop", c.id, Who(Role::kAgent, "agent3"), kNow), ComplaintBody(c, other, kNow));
  EXPECT_EQ(*cache_.Find("shop", c.id, consumer, kNow), ComplaintBody(c, consumer, kNow));
  EXPECT_EQ(cache_.stats().entries, 1u);
}

TEST_F(ComplaintCacheTest, AnAnswerHoldsOnlyUntilTheNextDeadline) {
  Complaint c = MakeComplaint(4);
  c.status = ComplaintStatus::kRemedyDue;
  c.decision = Decision{Party::kMerchant, Money::Fen(100), 0, false, Money(), "理由", "arb1", kNow};
  c.deadlines.clear();
  c.deadlines[DeadlineKind::kAppeal] = kNow + days(7);
  const Principal consumer = Who(Role::kConsumer, "alice");
  auto may_appeal = [](const std::string& body) {
    const boost::json::value parsed = boost::json::parse(body);
    for (const auto& a : parsed.at("allowed_actions").as_array()) {
      if (a.as_string() == "appeal") return true;
    }
    return false;
  };
  const std::string open = Read(c, consumer);
  EXPECT_TRUE(may_appeal(open));
  EXPECT_TRUE(cache_.Find("shop", c.id, consumer, kNow + days(7)));  // the last second it may appeal
  EXPECT_FALSE(cache_.Find("shop", c.id, consumer, kNow + days(7) + seconds(1)));
  EXPECT_FALSE(cache_.Find("shop", c.id, consumer, kNow - seconds(1)));  // a clock set back
  const std::string closed = Read(c, consumer, kNow + days(8));
  EXPECT_FALSE(may_appeal(closed));
  EXPECT_EQ(*cache_.Find("shop", c.id, consumer, kNow + days(9)), closed);
}

TEST_F(ComplaintCacheTest, AnUpdateDropsTheAnswerAndRefusesFillsReadBeforeIt) {
  Complaint c = MakeComplaint(5);
  const Principal agent = Who(Role::kAgent, "agent2");
  (void)Read(c, agent);
  // A reader takes its ticket and reads version 0 while the writer commits version 1.
  const auto ticket = cache_.TicketFor("shop", c.id);
  const std::string stale = ComplaintBody(c, agent, kNow);
  cache_.Invalidate({ComplaintKey{"shop", c.id}});
  EXPECT_FALSE(cache_.Find("shop", c.id, agent, kNow));
  auto fill = cache_.Prepare(ticket, c, Viewer::Of(c, agent), kNow, stale);
  ASSERT_TRUE(fill);
  cache_.Put(std::move(*fill));
  EXPECT_FALSE(cache_.Find("shop", c.id, agent, kNow));
  EXPECT_EQ(cache_.stats().refused_fills, 1u);
  // A read that starts after the commit fills again.
  c.status = ComplaintStatus::kOfferMade;
  c.version = 1;
  const std::string fresh = Read(c, agent);
  EXPECT_EQ(*cache_.Find("shop", c.id, agent, kNow), fresh);
  // Invalidating another complaint leaves this one (or only costs a refill on a shared stripe).
  cache_.Invalidate({ComplaintKey{"other", c.id}});
  EXPECT_EQ(cache_.stats().invalidations, 2u);
}

TEST_F(ComplaintCacheTest, AFillAfterTheInvalidationOfItsOwnReadIsDroppedByIt) {
  // The other order: the stale fill lands first and the writer's invalidation removes it.
  const Complaint c = MakeComplaint(6);
  const Principal agent = Who(Role::kAgent, "agent2");
  const auto ticket = cache_.TicketFor("shop", c.id);
  auto fill = cache_.Prepare(ticket, c, Viewer::Of(c, agent), kNow, ComplaintBody(c, agent, kNow));
  ASSERT_TRUE(fill);
  cache_.Put(std::move(*fill));
  EXPECT_TRUE(cache_.Find("shop", c.id, agent, kNow));
  cache_.Invalidate({ComplaintKey{"shop", c.id}});
  EXPECT_FALSE(cache_.Find("shop", c.id, agent, kNow));
}

class SmallComplaintCacheTest : public ComplaintCacheTest {
 protected:
  SmallComplaintCacheTest() : ComplaintCacheTest(64 << 10) {}
};

TEST_F(SmallComplaintCacheTest, StaysWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  const Principal agent = Who(Role::kAgent, "agent2");
  const Complaint kept = MakeComplaint(0);
  (void)Read(kept, agent);
  for (int i = 1; i < 2000; ++i) {
    (void)Read(MakeComplaint(i), agent);
    ASSERT_TRUE(cache_.Find("shop", kept.id, agent, kNow)) << i;  // used all along: never dropped
  }
  const auto s = cache_.stats();
  EXPECT_LE(s.bytes, size_t{64} << 10);
  EXPECT_GT(s.evictions, 1000u);
  EXPECT_LT(s.entries, 1000u);
  EXPECT_FALSE(cache_.Find("shop", MakeComplaint(1).id, agent, kNow));
  EXPECT_TRUE(cache_.Find("shop", MakeComplaint(1999).id, agent, kNow));
}

TEST(ComplaintCacheOff, CachesNothing) {
  ComplaintCache::Options o;
  o.max_bytes = 0;
  ComplaintCache cache(o);
  EXPECT_FALSE(cache.enabled());
  const Complaint c = MakeComplaint(7);
  const Principal agent = Who(Role::kAgent, "agent2");
  for (int i = 0; i < 2000; ++i) {
    EXPECT_FALSE(cache.Prepare(cache.TicketFor("shop", c.id), c, Viewer::Of(c, agent), kNow,
                               ComplaintBody(c, agent, kNow)));
  }
  EXPECT_FALSE(cache.Find("shop", c.id, agent, kNow));
}

TEST(ComplaintCacheBeforeItsDictionary, CachesNothingYet) {
  ComplaintCache::Options o;
  o.compression.samples = 1000;  // none trained in this test
  ComplaintCache cache(o);
  const Complaint c = MakeComplaint(8);
  const Principal agent = Who(Role::kAgent, "agent2");
  EXPECT_FALSE(cache.Prepare(cache.TicketFor("shop", c.id), c, Viewer::Of(c, agent), kNow,
                             ComplaintBody(c, agent, kNow)));
  EXPECT_EQ(cache.stats().dictionaries, 0u);
}

}  // namespace
}  // namespace tousu::http
