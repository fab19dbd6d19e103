// Every path through SPEC.md's lifecycle diagram, driven over HTTP against the real binary,
// by people's actions and by the test clock.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest() : server_(dir_.path() + "/data"), world_(server_) {}

  std::string FileCardComplaint(const std::string& order_no, int64_t fen = 10000) {
    world_.AddOrder(order_no, fen);
    HttpResult r = world_.File(order_no, "invalid_code", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", fen}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("id");
  }

  std::string Status(const std::string& id) { return world_.Get("consumer", "/v1/complaints/" + id).Str("status"); }

  std::vector<std::string> EventTypes(const std::string& id) {
    std::vector<std::string> out;
    HttpResult t = world_.Get("consumer", "/v1/complaints/" + id + "/timeline");
    for (const auto& e : t.obj().at("items").as_array()) out.emplace_back(e.at("type").as_string());
    return out;
  }

  TempDir dir_;
  Server server_;
  World world_;
};

TEST_F(LifecycleTest, OfferAcceptedPaidRatedCloses) {
  std::string id = FileCardComplaint("O-1");
  HttpResult c = world_.Get("consumer", "/v1/complaints/" + id);
  EXPECT_EQ(c.Str("status"), "awaiting_merchant");
  EXPECT_EQ(c.Str("tier"), "normal");
  EXPECT_EQ(c.Str("assignee"), "agent1");
  EXPECT_EQ(std::string(c.obj().at("deadlines").at("merchant_response").as_string()), "2030-01-03T00:00:00Z");

  HttpResult offer = world_.Act("merchant", id, {{"action", "offer"}, {"refund_fen", 10000}, {"message", "退款"}});
  ASSERT_EQ(offer.status, 200) << offer.body;
  EXPECT_EQ(offer.Str("status"), "offer_made");
  EXPECT_EQ(std::string(offer.obj().at("deadlines").at("offer_answer").as_string()), "2030-01-04T00:00:00Z");

  HttpResult accept = world_.Act("consumer", id, {{"action", "accept_offer"}});
  ASSERT_EQ(accept.status, 200) << accept.body;
  EXPECT_EQ(accept.Str("status"), "remedy_due");

  HttpResult part = world_.Act("merchant", id, {{"action", "pay"}, {"amount_fen", 4000}});
  ASSERT_EQ(part.status, 200) << part.body;
  EXPECT_EQ(part.Str("status"), "remedy_due");
  HttpResult over = world_.Act("merchant", id, {{"action", "pay"}, {"amount_fen", 7000}});
  EXPECT_EQ(over.status, 422) << over.body;
  HttpResult rest = world_.Act("platform", id, {{"action", "pay"}, {"amount_fen", 6000}});
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.Str("status"), "resolved");

  HttpResult rate = world_.Act("consumer", id, {{"action", "rate"}, {"stars", 4}, {"comment", "还行"}});
  ASSERT_EQ(rate.status, 200) << rate.body;
  EXPECT_EQ(rate.Str("status"), "closed");
  EXPECT_EQ(EventTypes(id), (std::vector<std::string>{"filed", "sent_to_merchant", "offer_made", "offer_accepted",
                                                      "remedy_due", "payment", "payment", "resolved", "rated"}));
}

TEST_F(LifecycleTest, MerchantRejectsArbitratorDecidesRemedyPaid) {
  std::string id = FileCardComplaint("O-2");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "reject"}, {"reason", "卡密有效"}}).status, 200);
  EXPECT_EQ(Status(id), "platform_review");
  HttpResult wrong_role = world_.Act("agent", id, {{"action", "decide"}, {"responsibility", "merchant"}, {"reason", "x"}});
  EXPECT_EQ(wrong_role.status, 403);
  HttpResult risk_on_normal = world_.Act("risk", id, {{"action", "decide"}, {"responsibility", "merchant"}, {"reason", "x"}});
  EXPECT_EQ(risk_on_normal.status, 403) << risk_on_normal.body;
  HttpResult decide = world_.Act("arbitrator", id, {{"action", "decide"}, {"responsibility", "merchant"},
                                                    {"refund_fen", 10000}, {"reason", "卡密经核验无效"}});
  ASSERT_EQ(decide.status, 200) << decide.body;
  EXPECT_EQ(decide.Str("status"), "remedy_due");
  EXPECT_EQ(std::string(decide.obj().at("deadlines").at("remedy").as_string()), "2030-01-04T00:00:00Z");
  EXPECT_EQ(std::string(decide.obj().at("deadlines").at("appeal").as_string()), "2030-01-08T00:00:00Z");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "pay"}, {"amount_fen", 10000}}).status, 200);
  EXPECT_EQ(Status(id), "resolved");
  auto types = EventTypes(id);
  EXPECT_EQ(types, (std::vector<std::string>{"filed", "sent_to_merchant", "merchant_rejected", "decided",
                                             "remedy_due", "payment", "resolved"}));
}

TEST_F(LifecycleTest, SilentMerchantEscalatesByDeadlinesAlone) {
  std::string id = FileCardComplaint("O-3");
  // 48 h of silence: the case moves to platform review with a strike, actor system.
  HttpResult clock = server_.SetClock("2030-01-03T00:00:01Z");
  ASSERT_EQ(clock.status, 200) << clock.body;
  HttpResult c = world_.Get("consumer", "/v1/complaints/" + id);
  EXPECT_EQ(c.Str("status"), "platform_review");
  EXPECT_EQ(std::string(c.obj().at("deadlines").at("review").as_string()), "2030-01-06T00:00:00Z");
  HttpResult early = world_.Act("consumer", id, {{"action", "escalate"}, {"channel", "12315"}});
  EXPECT_EQ(early.status, 409) << early.body;
  // The platform misses its 72 h review: the consumer may now escalate outside.
  ASSERT_EQ(server_.SetClock("2030-01-06T00:00:00Z").status, 200);
  c = world_.Get("consumer", "/v1/complaints/" + id);
  EXPECT_TRUE(c.obj().at("review_overdue").as_bool());
  HttpResult timeline = world_.Get("consumer", "/v1/complaints/" + id + "/timeline");
  const auto& items = timeline.obj().at("items").as_array();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[2].at("type").as_string(), "merchant_deadline_missed");
  EXPECT_EQ(items[2].at("actor").at("kind").as_string(), "system");
  EXPECT_EQ(items[2].at("at").as_string(), "2030-01-03T00:00:00Z");
  EXPECT_EQ(items[3].at("type").as_string(), "review_overdue");
  HttpResult esc = world_.Act("consumer", id, {{"action", "escalate"}, {"channel", "12315"}});
  ASSERT_EQ(esc.status, 200) << esc.body;
  EXPECT_EQ(esc.Str("status"), "escalated_external");
}

TEST_F(LifecycleTest, OneClockJumpRunsChainedDeadlines) {
  std::string id = FileCardComplaint("O-4");
  // 10 days at once: merchant deadline (48 h) → review deadline (72 h later) → 7-day bound.
  ASSERT_EQ(server_.SetClock("2030-01-11T00:00:00Z").status, 200);
  EXPECT_EQ(EventTypes(id), (std::vector<std::string>{"filed", "sent_to_merchant", "merchant_deadline_missed",
                                                      "review_overdue", "reply_overdue"}));
}

TEST_F(LifecycleTest, UnansweredOfferCountsAsRejected) {
  std::string id = FileCardComplaint("O-5");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "offer"}, {"replace", true}, {"message", "补发"}}).status, 200);
  ASSERT_EQ(server_.SetClock("2030-01-04T00:00:00Z").status, 200);
  EXPECT_EQ(Status(id), "platform_review");
  EXPECT_EQ(EventTypes(id).back(), "offer_expired");
}

TEST_F(LifecycleTest, DecisionWithNothingOwedResolvesAndMayBeAppealedOnce) {
  std::string id = FileCardComplaint("O-6");
  ASSERT_EQ(world_.Act("consumer", id, {{"action", "withdraw"}}).status == 200, true);
  // Withdrawn is final.
  EXPECT_EQ(Status(id), "withdrawn");
  EXPECT_EQ(world_.Act("consumer", id, {{"action", "appeal"}, {"reason", "x"}}).status, 409);

  std::string id2 = FileCardComplaint("O-7");
  ASSERT_EQ(world_.Act("merchant", id2, {{"action", "reject"}, {"reason", "no"}}).status, 200);
  HttpResult decide = world_.Act("arbitrator", id2, {{"action", "decide"}, {"responsibility", "consumer"},
                                                     {"reason", "用户自行泄露卡密"}});
  ASSERT_EQ(decide.status, 200) << decide.body;
  EXPECT_EQ(decide.Str("status"), "resolved");
  HttpResult appeal = world_.Act("consumer", id2, {{"action", "appeal"}, {"reason", "我没有泄露"}});
  ASSERT_EQ(appeal.status, 200) << appeal.body;
  EXPECT_EQ(appeal.Str("status"), "platform_review");
  ASSERT_EQ(world_.Act("arbitrator", id2, {{"action", "decide"}, {"responsibility", "consumer"},
                                           {"reason", "维持原判"}}).status, 200);
  HttpResult again = world_.Act("consumer", id2, {{"action", "appeal"}, {"reason", "再申诉"}});
  EXPECT_EQ(again.status, 409) << again.body;
  // Escalation stays open after a decision.
  EXPECT_EQ(world_.Act("consumer", id2, {{"action", "escalate"}, {"channel", "small_claims"}}).status, 200);
}

TEST_F(LifecycleTest, AppealWindowCloses) {
  std::string id = FileCardComplaint("O-8");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "reject"}, {"reason", "no"}}).status, 200);
  ASSERT_EQ(world_.Act("arbitrator", id, {{"action", "decide"}, {"responsibility", "none"}, {"reason", "r"}}).status, 200);
  ASSERT_EQ(server_.SetClock("2030-01-08T00:00:01Z").status, 200);
  HttpResult late = world_.Act("consumer", id, {{"action", "appeal"}, {"reason", "late"}});
  EXPECT_EQ(late.status, 409);
  // Unrated resolved complaints close by themselves once the appeal window and rating window end.
  EXPECT_EQ(Status(id), "closed");
}

TEST_F(LifecycleTest, FraudDecisionOwesPunitiveDamages) {
  std::string id = FileCardComplaint("O-9", 10000);  // 100 yuan: 3× = 300 < 500 yuan floor
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "reject"}, {"reason", "no"}}).status, 200);
  HttpResult d = world_.Act("arbitrator", id, {{"action", "decide"}, {"responsibility", "merchant"},
                                               {"refund_fen", 10000}, {"fraud", true}, {"reason", "售卖已使用卡密"}});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.obj().at("decision").at("punitive_fen").as_int64(), 50000);
  EXPECT_EQ(d.obj().at("remedy").at("owed").at("punitive_fen").as_int64(), 50000);
  EXPECT_EQ(world_.Act("merchant", id, {{"action", "pay"}, {"amount_fen", 10000}}).Str("status"), "remedy_due");
  EXPECT_EQ(world_.Act("merchant", id, {{"action", "pay"}, {"amount_fen", 50000}}).Str("status"), "resolved");
}

TEST_F(LifecycleTest, MissedRemedyDeadlineStrikesTheMerchant) {
  std::string id = FileCardComplaint("O-10");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "offer"}, {"refund_fen", 100}, {"message", "m"}}).status, 200);
  ASSERT_EQ(world_.Act("consumer", id, {{"action", "accept_offer"}}).status, 200);
  ASSERT_EQ(server_.SetClock("2030-01-04T00:00:00Z").status, 200);
  EXPECT_EQ(EventTypes(id).back(), "remedy_overdue");
}

TEST_F(LifecycleTest, SecurityComplaintIsUrgentAndLargeOneGoesToRisk) {
  world_.AddOrder("O-11", 80000);  // 800 yuan
  HttpResult big = world_.File("O-11", "not_received", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", 80000}}});
  ASSERT_EQ(big.status, 201) << big.body;
  EXPECT_EQ(big.Str("tier"), "risk");
  EXPECT_EQ(big.Str("assignee"), "risk1");
  world_.AddOrder("O-12", 1000, "game_account");
  HttpResult stolen = world_.File("O-12", "account_stolen", "2029-12-31T22:00:00Z",
                                  json::array{json::object{{"kind", "restore"}}});
  ASSERT_EQ(stolen.status, 201) << stolen.body;
  EXPECT_EQ(stolen.Str("tier"), "urgent");
  // The risk team may decide urgent cases; review deadline 24 h.
  std::string id = stolen.Str("id");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "reject"}, {"reason", "no"}}).status, 200);
  HttpResult c = world_.Get("risk", "/v1/complaints/" + id);
  EXPECT_EQ(std::string(c.obj().at("deadlines").at("review").as_string()), "2030-01-02T00:00:00Z");
  EXPECT_EQ(world_.Act("risk", id, {{"action", "decide"}, {"responsibility", "merchant"}, {"reason", "找回"}}).status, 200);
}

TEST_F(LifecycleTest, ReassignmentIsExplicitAndLogged) {
  std::string id = FileCardComplaint("O-13");
  HttpResult r = world_.Act("agent", id, {{"action", "reassign"}, {"assignee", "arb1"}, {"reason", "需要专员"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str("assignee"), "arb1");
  EXPECT_EQ(EventTypes(id).back(), "reassigned");
  // No longer the assignee: the agent may not hand it over again.
  EXPECT_EQ(world_.Act("agent", id, {{"action", "reassign"}, {"assignee", "risk1"}, {"reason", "x"}}).status, 403);
  EXPECT_EQ(world_.Act("arbitrator", id, {{"action", "reassign"}, {"assignee", "alice"}, {"reason", "x"}}).status, 422);
}

TEST_F(LifecycleTest, MessagesAreEventsOnTheTimeline) {
  std::string id = FileCardComplaint("O-14");
  HttpResult m = server_.Call("POST", "/v1/complaints/" + id + "/messages", world_.tokens["merchant"],
                              json::object{{"text", "请提供截图"}});
  ASSERT_EQ(m.status, 201) << m.body;
  HttpResult list = world_.Get("consumer", "/v1/complaints/" + id + "/messages");
  ASSERT_EQ(list.obj().at("items").as_array().size(), 1u);
  EXPECT_EQ(list.obj().at("items").as_array()[0].at("text").as_string(), "请提供截图");
  EXPECT_EQ(EventTypes(id).back(), "message");
}

TEST_F(LifecycleTest, StaleVersionIsAConflict) {
  std::string id = FileCardComplaint("O-15");
  HttpResult c = world_.Get("merchant", "/v1/complaints/" + id);
  const int64_t v = c.obj().at("version").as_int64();
  HttpResult stale = world_.Act("merchant", id, {{"action", "offer"}, {"replace", true}, {"message", "m"},
                                                 {"if_version", v + 1}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  HttpResult fresh = world_.Act("merchant", id, {{"action", "offer"}, {"replace", true}, {"message", "m"},
                                                 {"if_version", v}});
  EXPECT_EQ(fresh.status, 200) << fresh.body;
}

TEST_F(LifecycleTest, WrongStateListsTheAllowedActions) {
  std::string id = FileCardComplaint("O-16");
  HttpResult r = world_.Act("consumer", id, {{"action", "accept_offer"}});
  ASSERT_EQ(r.status, 409);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  const auto& allowed = r.obj().at("allowed_actions").as_array();
  ASSERT_EQ(allowed.size(), 1u);
  EXPECT_EQ(allowed[0].as_string(), "withdraw");
}

}  // namespace
}  // namespace tousu::testing
