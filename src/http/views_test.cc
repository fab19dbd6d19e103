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

}  // namespace
}  // namespace tousu::http
