#include "http/router.h"

#include <gtest/gtest.h>

namespace tousu::http {
namespace {

Router Table() {
  Router r;
  auto h = [](Request&) -> StatusOr<Outcome> { return Outcome::Now(Response{}); };
  r.Add({"GET", "/v1/complaints", {Role::kConsumer}, BodyKind::kNone, h});
  r.Add({"POST", "/v1/complaints", {Role::kConsumer}, BodyKind::kJson, h});
  r.Add({"GET", "/v1/complaints/{id}", {Role::kConsumer}, BodyKind::kNone, h});
  r.Add({"POST", "/v1/complaints/{id}/actions", {Role::kConsumer}, BodyKind::kJson, h});
  return r;
}

TEST(Router, MatchesLiteralsAndParameters) {
  Router r = Table();
  auto m = r.Find("GET", "/v1/complaints/cmp_123");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->route->pattern, "/v1/complaints/{id}");
  EXPECT_EQ(m->params.at("id"), "cmp_123");
  auto a = r.Find("POST", "/v1/complaints/x/actions");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->route->pattern, "/v1/complaints/{id}/actions");
  EXPECT_TRUE(r.Find("GET", "/v1/complaints/").ok());  // one trailing slash is tolerated
}

TEST(Router, DecodesParameters) {
  auto m = Table().Find("GET", "/v1/complaints/%E6%8A%95%E8%AF%89%2Fx");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->params.at("id"), "投诉/x");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405) {
  Router r = Table();
  EXPECT_EQ(r.Find("GET", "/v1/nothing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.Find("GET", "/v1/complaints/a/b/c").status().code(), StatusCode::kNotFound);
  auto wrong = r.Find("DELETE", "/v1/complaints/x");
  EXPECT_EQ(wrong.status().code(), StatusCode::kMethodNotAllowed);
  EXPECT_EQ(wrong.status().lists().at("allow"), std::vector<std::string>{"GET"});
  EXPECT_TRUE(r.Find("HEAD", "/v1/complaints").ok());
}

TEST(Router, RejectsDotSegmentsAndBadEscapes) {
  Router r = Table();
  for (const char* bad : {"/v1/complaints/..", "/v1/complaints/../complaints", "/v1/./complaints",
                          "v1/complaints", "", "//v1/complaints", "/v1//complaints", "/v1/complaints/%",
                          "/v1/complaints/%zz", "/v1/complaints/%00", "/v1/complaints/%2e%2e"}) {
    EXPECT_EQ(r.Find("GET", bad).status().code(), StatusCode::kNotFound) << bad;
  }
}

TEST(SplitPath, Segments) {
  EXPECT_EQ(*SplitPath("/"), std::vector<std::string>{});
  EXPECT_EQ(*SplitPath("/a/b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(SplitPath("/a//b"));
}

TEST(SplitPath, DecodesCleanPathsAndRefusesTheRest) {
  EXPECT_EQ(*SplitPath("/v1/orders/O%201"), (std::vector<std::string>{"v1", "orders", "O 1"}));
  EXPECT_EQ(*SplitPath("/v1/complaints/"), (std::vector<std::string>{"v1", "complaints"}));
  EXPECT_TRUE(SplitPath("/")->empty());
  for (const char* bad : {"", "v1", "//v1", "/v1//x", "/v1/./x", "/v1/../x", "/v1/%2e%2e/x", "/v1/%zz",
                          "/v1/%0", "/v1/a%00b"}) {
    EXPECT_FALSE(SplitPath(bad)) << bad;
  }
}

// Found by fuzz/router_fuzz.cc: an escaped NUL (%00) was refused but a raw NUL byte passed,
// although the header promises no NUL in any segment.
TEST(SplitPath, RegressionRawNulIsRefusedLikeAnEscapedOne) {
  EXPECT_FALSE(SplitPath(std::string("/v1/a\0b", 7)));
  EXPECT_FALSE(SplitPath(std::string("/\0", 2)));
}

}  // namespace
}  // namespace tousu::http
