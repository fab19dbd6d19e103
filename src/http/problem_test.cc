#include "http/problem.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tousu::http {
namespace {

namespace json = boost::json;

json::object ParsedBody(const Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);  // Boost.JSON refuses text that is not UTF-8
  EXPECT_FALSE(ec) << r.body;
  return ec || !v.is_object() ? json::object() : v.as_object();
}

TEST(ProblemTest, CarriesStatusDetailFieldsAndRequestId) {
  const Response r = Problem(Status::BadField("kind", "is required"), "req-1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const json::object o = ParsedBody(r);
  EXPECT_EQ(o.at("status").as_int64(), 422);
  EXPECT_EQ(o.at("type").as_string(), "/problems/unprocessable");
  EXPECT_EQ(o.at("request_id").as_string(), "req-1");
  EXPECT_EQ(o.at("errors").as_array().at(0).as_object().at("field").as_string(), "kind");
}

// Found by the evidence_upload fuzz target (fuzz/regressions/evidence_upload/
// form-field-name-not-utf8): an upload's form field named with a byte that is not UTF-8 was
// quoted in the 400's detail as is, and the answer was not JSON any client could read.
TEST(ProblemTest, RegressionClientBytesThatAreNotUtf8StayReadableJson) {
  const std::string sent = "\xFF" "order_no\xC0";
  const Status s = Status::InvalidArgument("unknown form field \"" + sent + "\"")
                       .WithField(sent, "is not a field of " + sent)
                       .WithList("allow", {sent});
  const Response r = Problem(s, "req-2");
  const json::object o = ParsedBody(r);
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(o.at("detail").as_string(), "unknown form field \"" + fffd + "order_no" + fffd + "\"");
  const json::object& e = o.at("errors").as_array().at(0).as_object();
  EXPECT_EQ(e.at("field").as_string(), fffd + "order_no" + fffd);
  EXPECT_EQ(e.at("message").as_string(), "is not a field of " + fffd + "order_no" + fffd);
  EXPECT_EQ(o.at("allow").as_array().at(0).as_string(), fffd + "order_no" + fffd);
}

TEST(ProblemTest, AnInternalErrorTellsNothingOfItsCause) {
  const Status s = Status::Internal("sqlite: disk I/O error at page 7").WithField("db", "/var/lib/tousu/tousu.db");
  const json::object o = ParsedBody(Problem(s, "req-3"));
  EXPECT_EQ(o.at("status").as_int64(), 500);
  EXPECT_EQ(o.at("detail").as_string(), "internal error; the request id identifies it in the server log");
  EXPECT_FALSE(o.contains("errors"));
  EXPECT_EQ(o.at("request_id").as_string(), "req-3");
}

}  // namespace
}  // namespace tousu::http
