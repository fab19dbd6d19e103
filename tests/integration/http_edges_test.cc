// What a client can send wrong, and what the server must answer: never a 500, always a
// problem+json with the right status.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

class HttpEdgesTest : public ::testing::Test {
 protected:
  HttpEdgesTest() : server_(dir_.path() + "/data"), world_(server_) { world_.AddOrder("E-1", 5000); }

  HttpResult PostRaw(const std::string& path, const std::string& body, const std::string& content_type,
                     const std::string& role = "consumer") {
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + world_.tokens.at(role)}};
    if (!content_type.empty()) h["Content-Type"] = content_type;
    return Http(server_.port(), "POST", path, body, h);
  }

  json::object ComplaintBody(const std::string& category = "invalid_code") {
    return {{"order_no", "E-1"}, {"category", category}, {"incident_at", "2029-12-31T22:00:00Z"},
            {"description", "d"}, {"demands", json::array{json::object{{"kind", "replace"}}}}};
  }

  TempDir dir_;
  Server server_;
  World world_;
};

void ExpectProblem(const HttpResult& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
  EXPECT_EQ(r.obj().at("status").as_int64(), status);
  EXPECT_FALSE(r.Str("title").empty());
  EXPECT_FALSE(r.Str("detail").empty());
}

TEST_F(HttpEdgesTest, MalformedJsonIs400) {
  ExpectProblem(PostRaw("/v1/complaints", "{\"order_no\": ", "application/json"), 400);
  ExpectProblem(PostRaw("/v1/complaints", "[1,2,3]", "application/json"), 400);
  ExpectProblem(PostRaw("/v1/complaints", "", "application/json"), 400);
  ExpectProblem(PostRaw("/v1/complaints", std::string(100, '[') + std::string(100, ']'), "application/json"), 400);
  ExpectProblem(PostRaw("/v1/complaints", "{\"a\":\"\xff\xfe\"}", "application/json"), 400);
}

// U+0000 in text: SQLite stores it; PostgreSQL's text cannot hold it, so there the request is
// a 400 naming why (integration.postgres runs this suite on PostgreSQL). Never a 500.
TEST_F(HttpEdgesTest, ANulCharacterInTextIsStoredOrA400) {
  json::object b = ComplaintBody();
  b["description"] = std::string("a\0b", 3);
  HttpResult filed = PostRaw("/v1/complaints", json::serialize(b), "application/json");
  if (TestPostgres().empty()) {
    EXPECT_EQ(filed.status, 201) << filed.body;
  } else {
    ExpectProblem(filed, 400);
    EXPECT_NE(filed.Str("detail").find("cannot be stored"), std::string::npos) << filed.body;
  }
  // In a path, a NUL makes no id: 404 on both, before any query.
  HttpResult read = world_.Get("consumer", "/v1/complaints/cmp_a%00b");
  EXPECT_EQ(read.status, 404) << read.body;
}

TEST_F(HttpEdgesTest, WrongContentTypeIs415) {
  const std::string body = json::serialize(ComplaintBody());
  ExpectProblem(PostRaw("/v1/complaints", body, "text/plain"), 415);
  ExpectProblem(PostRaw("/v1/complaints", body, ""), 415);
  ExpectProblem(PostRaw("/v1/complaints", body, "application/x-www-form-urlencoded"), 415);
  EXPECT_EQ(PostRaw("/v1/complaints", body, "application/json; charset=utf-8").status, 201);
}

TEST_F(HttpEdgesTest, FieldErrorsAre422WithEveryField) {
  json::object b = ComplaintBody("no_such_category");
  b["incident_at"] = "yesterday";
  b.erase("description");
  HttpResult r = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], b);
  ExpectProblem(r, 422);
  std::set<std::string> fields;
  for (const auto& e : r.obj().at("errors").as_array()) fields.emplace(e.at("field").as_string());
  EXPECT_EQ(fields, (std::set<std::string>{"category", "incident_at", "description"}));

  json::object wrong_types = ComplaintBody();
  wrong_types["demands"] = json::array{json::object{{"kind", "refund"}, {"amount_fen", "100"}}};
  ExpectProblem(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], wrong_types), 422);
  json::object negative = ComplaintBody();
  negative["demands"] = json::array{json::object{{"kind", "refund"}, {"amount_fen", -5}}};
  ExpectProblem(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], negative), 422);
  json::object huge = ComplaintBody();
  huge["demands"] = json::array{json::object{{"kind", "refund"}, {"amount_fen", 1e300}}};
  ExpectProblem(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], huge), 422);
}

TEST_F(HttpEdgesTest, OrderOfAnotherConsumerIs422) {
  world_.AddOrder("E-BOB", 100, "card_code", "bob");
  json::object b = ComplaintBody();
  b["order_no"] = "E-BOB";
  HttpResult r = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], b);
  ExpectProblem(r, 422);
  EXPECT_EQ(r.obj().at("errors").as_array()[0].at("field").as_string(), "order_no");
}

TEST_F(HttpEdgesTest, LateFilingNeedsAReasonNamingTheRule) {
  server_.SetClock("2030-01-09T00:00:00Z");
  json::object b = ComplaintBody("not_received");
  HttpResult r = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], b);
  ExpectProblem(r, 422);
  EXPECT_NE(r.Str("detail").find("filing.incident_7d"), std::string::npos) << r.body;
  EXPECT_NE(r.Str("detail").find("late_reason"), std::string::npos);
  b["late_reason"] = "住院一周";
  HttpResult ok = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], b);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(ok.obj().at("late").as_bool());
  EXPECT_EQ(ok.Str("late_reason"), "住院一周");
  // The merchant does not see the consumer's late reason; staff do.
  EXPECT_FALSE(world_.Get("merchant", "/v1/complaints/" + ok.Str("id")).obj().contains("late_reason"));
  EXPECT_EQ(world_.Get("arbitrator", "/v1/complaints/" + ok.Str("id")).Str("late_reason"), "住院一周");
}

TEST_F(HttpEdgesTest, DuplicateOpenComplaintIs409) {
  ASSERT_EQ(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody()).status, 201);
  HttpResult dup = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody());
  ExpectProblem(dup, 409);
  // Another category on the same order is a different complaint.
  EXPECT_EQ(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody("delivery_late")).status, 201);
}

TEST_F(HttpEdgesTest, IdempotentRetryReturnsTheFirstAnswer) {
  std::map<std::string, std::string> key{{"Idempotency-Key", "file-e1-once"}};
  HttpResult first = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResult again = server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody(), key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(world_.Get("consumer", "/v1/complaints").obj().at("items").as_array().size(), 1u);
  ExpectProblem(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody("delivery_late"), key), 409);
  // Keys are per caller: bob's same key is his own.
  world_.AddOrder("E-2", 100, "card_code", "bob");
  json::object bob = ComplaintBody();
  bob["order_no"] = "E-2";
  EXPECT_EQ(server_.Call("POST", "/v1/complaints", world_.tokens["consumer2"], bob, key).status, 201);
  ExpectProblem(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], ComplaintBody(),
                             {{"Idempotency-Key", std::string(300, 'k')}}), 400);
  // An idempotent action retry does not act twice.
  const std::string id = first.Str("id");
  std::map<std::string, std::string> offer_key{{"Idempotency-Key", "offer-1"}};
  json::object offer{{"action", "offer"}, {"refund_fen", 100}, {"message", "m"}};
  HttpResult o1 = server_.Call("POST", "/v1/complaints/" + id + "/actions", world_.tokens["merchant"], offer, offer_key);
  HttpResult o2 = server_.Call("POST", "/v1/complaints/" + id + "/actions", world_.tokens["merchant"], offer, offer_key);
  EXPECT_EQ(o1.status, 200);
  EXPECT_EQ(o2.body, o1.body);
}

TEST_F(HttpEdgesTest, OversizedBodyIs413BeforeItIsRead) {
  std::string raw = "POST /v1/complaints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + world_.tokens["consumer"] +
                    "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{";
  std::string answer = RawHttp(server_.port(), raw);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 200);
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos);
  // Chunked bodies are limited while they stream.
  std::string chunk(512 * 1024, 'a');
  std::string chunked = "POST /v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "80000\r\n" + chunk + "\r\n";
  chunked += "0\r\n\r\n";
  std::string answer2 = RawHttp(server_.port(), chunked);
  EXPECT_EQ(answer2.rfind("HTTP/1.1 413", 0), 0u) << answer2.substr(0, 400);
}

TEST_F(HttpEdgesTest, TruncatedBodyIs400) {
  // A body that ends (the client half-closes) before its Content-Length: 400 at once, not the
  // body timeout's 408 half a minute later.
  RawConnection c(server_.port());
  ASSERT_TRUE(c.Send("POST /v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Authorization: Bearer " + world_.tokens.at("consumer") + "\r\n"
                     "Content-Length: 100\r\n\r\n{\"order_no\":"));
  c.HalfClose();
  const std::string answer = c.ReadUntilClosed(5000);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("the request body ended before its Content-Length"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed());
}

TEST_F(HttpEdgesTest, JsonNestedPastTheDepthLimitIs400) {
  // A JSON value nested `arrays` deep inside the body's object.
  auto nested = [](int arrays) {
    return "{\"description\":" + std::string(static_cast<size_t>(arrays), '[') +
           std::string(static_cast<size_t>(arrays), ']') + "}";
  };
  // 32 levels (the object and 31 arrays) parse; the body is then refused for its fields.
  HttpResult at_limit = PostRaw("/v1/complaints", nested(31), "application/json");
  ExpectProblem(at_limit, 422);
  // One more level is not read at all; nor is a stack bomb of 100,000.
  for (int arrays : {32, 100000}) {
    HttpResult deep = PostRaw("/v1/complaints", nested(arrays), "application/json");
    ExpectProblem(deep, 400);
    EXPECT_NE(deep.Str("detail").find("not valid JSON"), std::string::npos) << deep.body;
  }
  EXPECT_EQ(Http(server_.port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpEdgesTest, AnOverlongUrlIs431) {
  // The request target counts against the header limit (16 KiB).
  const std::string target = "/v1/complaints?cursor=" + std::string(20 * 1024, 'a');
  const std::string answer = RawHttp(server_.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer.substr(0, 200);
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos);
  // Just under it, the same route answers for itself (400: not a cursor).
  const std::string fits = "/v1/complaints?cursor=" + std::string(15 * 1024, 'a');
  ExpectProblem(world_.Get("agent", fits), 400);
}

TEST_F(HttpEdgesTest, GarbageAndOversizedHeadersNeverCrash) {
  EXPECT_EQ(RawHttp(server_.port(), "NONSENSE\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  std::string big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  EXPECT_EQ(RawHttp(server_.port(), big).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(RawHttp(server_.port(), "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(Http(server_.port(), "GET", "/healthz").status, 200);
}

// The answers the HTTP layer gives before any route runs are in the request metrics too:
// under the route the request line named, else "unmatched".
TEST_F(HttpEdgesTest, AnswersOfTheHttpLayerAreCounted) {
  const std::string token = world_.tokens.at("consumer");
  RawHttp(server_.port(), "POST /v1/complaints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                              "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{");
  RawHttp(server_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  RawHttp(server_.port(), "NONSENSE\r\n\r\n");
  RawHttp(server_.port(), "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string page = Http(server_.port(), "GET", "/metrics").body;
  for (const char* series :
       {"tousu_http_requests_total{route=\"/v1/complaints\",method=\"POST\",status=\"413\"} 1",
        "tousu_http_requests_total{route=\"unmatched\",method=\"other\",status=\"431\"} 1",
        "tousu_http_requests_total{route=\"unmatched\",method=\"other\",status=\"400\"} 1",
        "tousu_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"400\"} 1"}) {
    EXPECT_NE(page.find(series), std::string::npos) << series << "\n" << page.substr(0, 3000);
  }
  // Counted, not timed: no complete request to time from (a 408 would sit at its timeout).
  EXPECT_EQ(page.find("tousu_http_request_duration_seconds_count{route=\"/v1/complaints\",method=\"POST\""),
            std::string::npos);
  EXPECT_EQ(page.find("tousu_http_request_duration_seconds_count{route=\"unmatched\""), std::string::npos);
}

TEST_F(HttpEdgesTest, UnknownRoutesAndMethods) {
  ExpectProblem(Http(server_.port(), "GET", "/v1/nope"), 404);
  HttpResult r = Http(server_.port(), "DELETE", "/v1/complaints");
  ExpectProblem(r, 405);
  EXPECT_NE(r.Header("allow").find("GET"), std::string::npos);
  ExpectProblem(world_.Get("consumer", "/v1/complaints/cmp_doesnotexist"), 404);
}

TEST_F(HttpEdgesTest, BadQueryParametersAre400) {
  for (const char* q : {"?limit=0", "?limit=201", "?limit=abc", "?status=bogus", "?category=x", "?cursor=!!",
                        "?cursor=dGhpcyBpcyBub3QgYSBjdXJzb3I"}) {
    ExpectProblem(world_.Get("agent", std::string("/v1/complaints") + q), 400);
  }
}

TEST_F(HttpEdgesTest, CursorPaginationWalksEveryComplaintOnce) {
  for (int i = 0; i < 7; ++i) {
    world_.AddOrder("P-" + std::to_string(i), 100);
    json::object b = ComplaintBody();
    b["order_no"] = "P-" + std::to_string(i);
    ASSERT_EQ(server_.Call("POST", "/v1/complaints", world_.tokens["consumer"], b).status, 201);
  }
  std::set<std::string> seen;
  std::string target = "/v1/complaints?limit=3";
  for (int page = 0; page < 5; ++page) {
    HttpResult r = world_.Get("agent", target);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& c : r.obj().at("items").as_array()) EXPECT_TRUE(seen.insert(std::string(c.at("id").as_string())).second);
    if (r.obj().at("next_cursor").is_null()) break;
    target = "/v1/complaints?limit=3&cursor=" + std::string(r.obj().at("next_cursor").as_string());
  }
  EXPECT_EQ(seen.size(), 7u);
  HttpResult filtered = world_.Get("agent", "/v1/complaints?status=awaiting_merchant&category=invalid_code&merchant=m1");
  EXPECT_EQ(filtered.obj().at("items").as_array().size(), 7u);
}

TEST_F(HttpEdgesTest, RequestIdsAndHealth) {
  HttpResult h = Http(server_.port(), "GET", "/healthz", "", {{"X-Request-Id", "my-trace-1"}});
  EXPECT_EQ(h.Header("x-request-id"), "my-trace-1");
  EXPECT_FALSE(Http(server_.port(), "GET", "/readyz").Header("x-request-id").empty());
  EXPECT_EQ(Http(server_.port(), "GET", "/readyz").status, 200);
  HttpResult head = Http(server_.port(), "HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(HttpEdgesTest, NoSecretInTheLog) {
  server_.Call("POST", "/v1/auth/login", "", json::object{{"platform", "shop"}, {"user", "alice"}, {"password", "password-123"}});
  server_.Stop();
  const std::string log = server_.Log();
  EXPECT_EQ(log.find("password-123"), std::string::npos);
  for (const auto& [role, token] : world_.tokens) EXPECT_EQ(log.find(token), std::string::npos) << role;
  EXPECT_EQ(log.find(server_.admin_token()), std::string::npos);
}

}  // namespace
}  // namespace tousu::testing
