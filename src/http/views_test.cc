#include "http/views.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tousu::http {
namespace {

TEST(ComplaintBody, IsTheViewWithTheStoredAssessmentCopiedIn) {
  Complaint c;
  c.platform_id = "p";
  c.id = "cmp_1";
  c.consumer_ref = "alice";
  c.merchant_ref = "m1";
  // A description that spells the placeholder inside a string must not be touched.
  c.description = "\"assessment\":null and {\"assessment\":null}";
  c.assessment_json = R"({"responsibility":{"party":"platform"},"remedy":{"refund_fen":100}})";
  Principal alice;
  alice.role = Role::kConsumer;
  alice.platform_id = "p";
  alice.user_ref = "alice";
  const Instant now = Instant::FromUnixSeconds(1893456000);
  const boost::json::value fast = boost::json::parse(ComplaintBody(c, alice, now));
  const boost::json::value slow = ComplaintView(c, alice, now);
  EXPECT_EQ(fast, slow);
  EXPECT_EQ(fast.at("description").as_string(), c.description);
  c.assessment_json = "";  // damaged: an empty object, never invalid JSON
  EXPECT_EQ(boost::json::parse(ComplaintBody(c, alice, now)).at("assessment"), boost::json::object());
}

// The text writer against the object writer on a complaint with every optional part set and
// strings that need escaping: the same JSON value, and parseable.
TEST(ComplaintBody, EscapesAndOptionalPartsMatchTheView) {
  Complaint c;
  c.platform_id = "p";
  c.id = "cmp_2";
  c.order_no = "O-\"1\"";
  c.consumer_ref = "alice";
  c.merchant_ref = "m1";
  c.category = Category::kDisconnected;
  c.incident_at = Instant::FromUnixSeconds(1893450000);
  c.incident_ends_at = Instant::FromUnixSeconds(1893453600);
  c.description = std::string("会员掉线\n\t\"引号\" \\ back\x01\x1f end") + '\0' + "after nul";
  c.demands = {Demand{DemandKind::kRefund, Money::Fen(1500), 0}, Demand{DemandKind::kExtend, Money(), 7}};
  c.late = true;
  c.late_reason = "住院\r\n";
  c.status = ComplaintStatus::kClosed;
  c.assignee = "agent1";
  c.deadlines[DeadlineKind::kRating] = Instant::FromUnixSeconds(1894000000);
  c.version = 9;
  c.offer = Offer{Money::Fen(100), 3, true, false, "补偿", Instant::FromUnixSeconds(1893460000)};
  c.decision = Decision{Party::kMerchant, Money::Fen(1500), 0, true, Money::Fen(50000), "欺诈", "arb1",
                        Instant::FromUnixSeconds(1893470000)};
  c.owed.refund = Money::Fen(1500);
  c.done.refund = Money::Fen(1500);
  c.appealed = true;
  c.review_overdue = true;
  c.escalation = EscalationChannel::k12315;
  c.rating = Rating{4, "ok \"fine\"", Instant::FromUnixSeconds(1893480000)};
  c.assessment_json = R"({"routing":{"tier":"normal"}})";
  for (Role role : {Role::kConsumer, Role::kMerchant, Role::kAgent}) {
    Principal viewer;
    viewer.role = role;
    viewer.platform_id = "p";
    viewer.user_ref = role == Role::kConsumer ? "alice" : "x";
    viewer.merchant_ref = role == Role::kMerchant ? "m1" : "";
    const Instant now = Instant::FromUnixSeconds(1893500000);
    const boost::json::value text = boost::json::parse(ComplaintBody(c, viewer, now));
    EXPECT_EQ(text, boost::json::value(ComplaintView(c, viewer, now))) << ToString(role);
    EXPECT_EQ(text.at("description").as_string(), c.description);
    EXPECT_EQ(text.as_object().contains("late_reason"), role != Role::kMerchant);
  }
}

}  // namespace
}  // namespace tousu::http
