#include "http/action_body.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tousu::http {
namespace {

namespace json = boost::json;

StatusOr<ActionRequest> Parse(const char* text) { return ParseAction(json::parse(text).as_object()); }

TEST(ParseAction, ReadsEachActionsFields) {
  auto offer = Parse(R"({"action":"offer","refund_fen":9500,"extension_days":3,"replace":true,"message":"补发","if_version":2})");
  ASSERT_TRUE(offer.ok()) << offer.status().ToString();
  EXPECT_EQ(offer->action, Action::kOffer);
  EXPECT_EQ(offer->refund.fen(), 9500);
  EXPECT_EQ(offer->extension_days, 3);
  EXPECT_TRUE(offer->replace);
  EXPECT_EQ(offer->if_version, 2);

  auto rate = Parse(R"({"action":"rate","stars":6})");
  ASSERT_FALSE(rate.ok());
  EXPECT_EQ(rate.status().code(), StatusCode::kUnprocessable);
  EXPECT_FALSE(Parse(R"({"action":"nope"})").ok());
  EXPECT_FALSE(Parse(R"({})").ok());
}

// Found by fuzz/action_body_fuzz.cc: extension_days was narrowed from int64 to int before any
// check, so 4294967297 days was accepted as 1 day (and 2^32 as 0).
TEST(ParseAction, RegressionExtensionDaysIsRangeCheckedNotNarrowed) {
  for (const char* body : {R"({"action":"offer","message":"x","extension_days":4294967297})",
                           R"({"action":"pay","extension_days":4294967296})",
                           R"({"action":"decide","responsibility":"merchant","reason":"r","extension_days":3651})",
                           R"({"action":"pay","extension_days":-1})"}) {
    auto r = Parse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kUnprocessable) << body;
    ASSERT_FALSE(r.status().fields().empty()) << body;
    EXPECT_EQ(r.status().fields().front().field, "extension_days") << body;
  }
  auto ok = Parse(R"({"action":"pay","extension_days":3650})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->extension_days, 3650);
}

}  // namespace
}  // namespace tousu::http
