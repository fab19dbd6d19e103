// Authorization matrix: every route × every role × a foreign tenant, generated from the
// server's own route table. A route added without its row in kExpected fails the first test, so
// no endpoint can ship without its authorization being tested.
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

// Who may call what. "public" means no token is needed (and any token is accepted).
// Object scoping (another tenant, consumer or merchant → 404) is checked separately below.
const std::map<std::pair<std::string, std::string>, std::set<std::string>> kExpected = {
    {{"GET", "/healthz"}, {"public"}},
    {{"GET", "/readyz"}, {"public"}},
    {{"GET", "/metrics"}, {"public"}},
    {{"POST", "/v1/auth/login"}, {"public"}},
    {{"POST", "/v1/auth/logout"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/me"}, {"admin", "platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"POST", "/v1/platforms"}, {"admin"}},
    {{"GET", "/v1/platforms"}, {"admin"}},
    {{"GET", "/v1/platforms/{id}"}, {"admin"}},
    {{"GET", "/v1/platforms/{id}/policy"}, {"admin"}},
    {{"PUT", "/v1/platforms/{id}/policy"}, {"admin"}},
    {{"GET", "/v1/platform/terms"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"PUT", "/v1/platform/terms"}, {"platform"}},
    {{"POST", "/v1/test/clock"}, {"public"}},
    {{"PUT", "/v1/merchants/{ref}"}, {"platform"}},
    {{"GET", "/v1/merchants/{ref}"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"PUT", "/v1/users/{ref}"}, {"platform"}},
    {{"GET", "/v1/users/{ref}"}, {"platform", "agent", "risk", "arbitrator"}},
    {{"PUT", "/v1/orders/{order_no}"}, {"platform"}},
    {{"GET", "/v1/orders/{order_no}"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/orders"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"POST", "/v1/incidents"}, {"platform"}},
    {{"GET", "/v1/incidents"}, {"platform", "agent", "risk", "arbitrator"}},
    {{"POST", "/v1/complaints"}, {"consumer"}},
    {{"GET", "/v1/complaints"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/complaints/{id}"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/complaints/{id}/assessment"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/complaints/{id}/timeline"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/complaints/{id}/messages"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"POST", "/v1/complaints/{id}/messages"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"POST", "/v1/complaints/{id}/actions"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    // Evidence belongs to the complaint's people: its consumer, the shop's staff, the platform's
    // staff. The platform's API key pushes data but never reads or adds evidence.
    {{"POST", "/v1/complaints/{id}/evidence"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/complaints/{id}/evidence"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/evidence/{id}"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/evidence/{id}/content"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    {{"GET", "/v1/evidence/{id}/proof"}, {"consumer", "merchant", "agent", "risk", "arbitrator"}},
    // An event's proof carries what the timeline shows, to whoever may read the timeline.
    {{"GET", "/v1/complaints/{id}/events/{seq}/proof"}, {"platform", "consumer", "merchant", "agent", "risk", "arbitrator"}},
    // The log is public: anyone may check it with the published key.
    {{"GET", "/v1/log/checkpoint"}, {"public"}},
    {{"GET", "/v1/public/checkpoint"}, {"public"}},
    {{"GET", "/v1/log/leaves/{index}"}, {"public"}},
    {{"GET", "/v1/log/consistency"}, {"public"}},
    {{"GET", "/v1/log/inclusion"}, {"public"}},
};

const std::vector<std::string> kRoles = {"public", "admin", "platform", "consumer", "merchant",
                                         "agent", "risk", "arbitrator"};

TEST(AuthzMatrix, EveryRouteHasItsRow) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : ServerRoutes()) {
    auto key = std::make_pair(r.method, r.pattern);
    seen.insert(key);
    auto it = kExpected.find(key);
    ASSERT_NE(it, kExpected.end()) << "route " << r.method << " " << r.pattern
                                   << " has no row in kExpected: add who may call it";
    std::set<std::string> roles;
    for (Role role : r.roles) roles.insert(std::string(ToString(role)));
    EXPECT_EQ(roles, it->second) << r.method << " " << r.pattern;
  }
  for (const auto& [key, roles] : kExpected) {
    EXPECT_TRUE(seen.count(key)) << "kExpected lists " << key.first << " " << key.second
                                 << " but the server has no such route";
  }
}

class AuthzOverHttp : public ::testing::Test {
 protected:
  AuthzOverHttp() : server_(dir_.path() + "/data"), world_(server_, "shop"), other_(server_, "other") {
    // Objects that exist on "shop" only, so that a foreign tenant's 404 is not a coincidence.
    server_.Call("PUT", "/v1/merchants/shoponly", world_.platform_key, json::object{{"name", "Only here"}});
    server_.Call("PUT", "/v1/users/carol", world_.platform_key,
                 json::object{{"role", "consumer"}, {"name", "Carol"}, {"password", "password-123"}});
    world_.AddOrder("AZ-1", 1000);
    complaint_ = world_.File("AZ-1", "invalid_code", "2029-12-31T22:00:00Z",
                             json::array{json::object{{"kind", "replace"}}}).Str("id");
  }

  std::string Token(const World& w, const std::string& role) const {
    if (role == "public") return "";
    if (role == "admin") return server_.admin_token();
    return w.tokens.at(role);
  }

  // The route's path with its parameters bound to objects of platform "shop".
  std::string Instantiate(const std::string& pattern) const {
    std::string p = pattern;
    auto bind = [&](const std::string& name, const std::string& value) {
      for (size_t pos; (pos = p.find(name)) != std::string::npos;) p.replace(pos, name.size(), value);
    };
    if (p.rfind("/v1/platforms/", 0) == 0) bind("{id}", "shop");
    bind("{id}", complaint_);
    bind("{order_no}", "AZ-1");
    bind("{seq}", "1");    // the complaint's first event
    bind("{index}", "0");  // the log's first leaf
    bind("{ref}", p.rfind("/v1/users/", 0) == 0 ? "carol" : "shoponly");
    return p;
  }

  TempDir dir_;
  Server server_;
  World world_;
  World other_;
  std::string complaint_;
};

TEST_F(AuthzOverHttp, EveryRoleGetsWhatTheTableSays) {
  for (const auto& r : ServerRoutes()) {
    if (r.pattern == "/v1/test/clock") continue;  // moves time; covered in lifecycle tests
    const std::set<std::string>& allowed = kExpected.at({r.method, r.pattern});
    const std::string path = Instantiate(r.pattern);
    const bool has_body = r.method == "POST" || r.method == "PUT";
    for (const auto& role : kRoles) {
      // Logging out ends the token it is called with: use a throwaway session for it.
      std::string token = Token(world_, role);
      if (r.pattern == "/v1/auth/logout" && world_.users.count(role)) token = world_.Login(role);
      // An empty JSON object: allowed callers get a validation error, never a change.
      HttpResult res = server_.Call(r.method, path, token,
                                    has_body ? json::value(json::object()) : json::value(nullptr));
      SCOPED_TRACE(r.method + " " + path + " as " + role + " → " + std::to_string(res.status) + " " + res.body);
      EXPECT_LT(res.status, 500);
      if (allowed.count("public") || allowed.count(role)) {
        EXPECT_NE(res.status, 401);
        EXPECT_NE(res.status, 403);
      } else if (role == "public") {
        EXPECT_EQ(res.status, 401);
        EXPECT_EQ(res.Header("www-authenticate"), "Bearer realm=\"tousu\"");
      } else {
        EXPECT_EQ(res.status, 403);
      }
    }
  }
}

TEST_F(AuthzOverHttp, ForeignTenantSeesNothing) {
  for (const auto& r : ServerRoutes()) {
    if (r.method != "GET" || r.pattern.find('{') == std::string::npos) continue;
    if (r.pattern.rfind("/v1/platforms/", 0) == 0) continue;  // admin: not tenant-scoped
    const std::set<std::string>& allowed = kExpected.at({r.method, r.pattern});
    const std::string path = Instantiate(r.pattern);
    for (const auto& role : kRoles) {
      if (!allowed.count(role) || role == "public" || role == "admin") continue;
      HttpResult res = server_.Call("GET", path, Token(other_, role));
      EXPECT_EQ(res.status, 404) << r.pattern << " as other tenant's " << role << ": " << res.body;
    }
  }
  // Lists never leak: the other tenant's lists are empty.
  for (const char* list : {"/v1/complaints", "/v1/orders"}) {
    HttpResult res = server_.Call("GET", list, Token(other_, "agent"));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(res.obj().at("items").as_array().empty()) << list;
  }
  // Writes on another tenant's complaint are 404 too.
  HttpResult act = server_.Call("POST", "/v1/complaints/" + complaint_ + "/actions", Token(other_, "merchant"),
                                json::object{{"action", "offer"}, {"replace", true}, {"message", "x"}});
  EXPECT_EQ(act.status, 404) << act.body;
  HttpResult msg = server_.Call("POST", "/v1/complaints/" + complaint_ + "/messages", Token(other_, "consumer"),
                                json::object{{"text", "x"}});
  EXPECT_EQ(msg.status, 404) << msg.body;
}

TEST_F(AuthzOverHttp, OtherConsumersAndMerchantsSeeNothing) {
  const std::string path = "/v1/complaints/" + complaint_;
  EXPECT_EQ(world_.Get("consumer", path).status, 200);
  EXPECT_EQ(world_.Get("merchant", path).status, 200);
  EXPECT_EQ(world_.Get("consumer2", path).status, 404);
  EXPECT_EQ(world_.Get("merchant2", path).status, 404);
  EXPECT_EQ(world_.Get("consumer2", "/v1/orders/AZ-1").status, 404);
  EXPECT_EQ(world_.Get("merchant2", "/v1/orders/AZ-1").status, 404);
  EXPECT_EQ(world_.Get("merchant2", "/v1/merchants/m1").status, 404);
  HttpResult list = world_.Get("consumer2", "/v1/complaints");
  EXPECT_TRUE(list.obj().at("items").as_array().empty());
  HttpResult act = world_.Act("merchant2", complaint_, {{"action", "offer"}, {"replace", true}, {"message", "x"}});
  EXPECT_EQ(act.status, 404);
}

TEST_F(AuthzOverHttp, BadTokensAre401) {
  for (std::string auth : {"Bearer nonsense", "Bearer tsu_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                  "Basic YWxpY2U6cHc=", "Bearer"}) {
    HttpResult r = Http(server_.port(), "GET", "/v1/complaints", "", {{"Authorization", auth}});
    EXPECT_EQ(r.status, 401) << auth;
  }
  // Logging out ends the token.
  ASSERT_EQ(server_.Call("POST", "/v1/auth/logout", world_.tokens["consumer2"]).status, 204);
  EXPECT_EQ(world_.Get("consumer2", "/v1/complaints").status, 401);
}

}  // namespace
}  // namespace tousu::testing
