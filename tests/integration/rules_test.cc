// The rules engine through the real server with the test clock: policies over the API, filing
// windows, responsibility from incidents and similar complaints, remedies, decisions, routing
// and unfair terms, each read back from GET /v1/complaints/{id}/assessment.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

class RulesTest : public ::testing::Test {
 protected:
  RulesTest() : server_(dir_.path() + "/data"), world_(server_) {}

  HttpResult PutPolicy(const std::string& text, const std::string& type = "application/toml",
                       const std::string& platform = "shop") {
    return Http(server_.port(), "PUT", "/v1/platforms/" + platform + "/policy", text,
                {{"Authorization", "Bearer " + server_.admin_token()}, {"Content-Type", type}});
  }
  HttpResult GetPolicy(const std::string& query = "") {
    return server_.Call("GET", "/v1/platforms/shop/policy" + query, server_.admin_token());
  }

  // A one-year membership of `fen` for alice (service 2029-12-31T20:05Z to 2030-12-31T20:05Z).
  std::string Membership(const std::string& order_no, int64_t fen = 36500) {
    return world_.AddOrder(order_no, fen, "membership");
  }

  HttpResult FileWindow(const std::string& order_no, const std::string& category, const std::string& from,
                        const std::string& to, json::array demands, const std::string& consumer = "consumer") {
    json::object body{{"order_no", order_no}, {"category", category}, {"incident_at", from},
                      {"description", "会员掉线"}, {"demands", std::move(demands)}};
    if (!to.empty()) body["incident_ends_at"] = to;
    return server_.Call("POST", "/v1/complaints", world_.tokens.at(consumer), body);
  }

  json::object Assessment(const std::string& id, const std::string& role = "consumer") {
    HttpResult r = world_.Get(role, "/v1/complaints/" + id + "/assessment");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.obj();
  }

  HttpResult Incident(json::object body) {
    return server_.Call("POST", "/v1/incidents", world_.platform_key, body);
  }

  static std::string At(const json::object& o, std::initializer_list<const char*> path) {
    const json::value* v = nullptr;
    const json::object* cur = &o;
    for (const char* k : path) {
      v = cur->if_contains(k);
      if (!v) return "<missing " + std::string(k) + ">";
      if (v->is_object()) cur = &v->as_object();
    }
    return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
  }

  TempDir dir_;
  Server server_;
  World world_;
};

TEST_F(RulesTest, PolicyIsReadAndReplacedAsTomlWithVersions) {
  HttpResult d = GetPolicy();
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.Header("policy-version"), "0");
  EXPECT_EQ(d.Header("content-type").rfind("application/toml", 0), 0u);
  EXPECT_NE(d.body.find("[rules.\"filing.incident_7d\"]"), std::string::npos);
  EXPECT_NE(d.body.find("《消费者权益保护法》第55条"), std::string::npos);

  const std::string mine = "format = 1\n[rules.\"filing.incident_7d\"]\nwindow = \"10d\"\n";
  HttpResult put = PutPolicy(mine);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Header("policy-version"), "1");
  EXPECT_EQ(put.body, mine);
  HttpResult again = PutPolicy(mine, "text/plain; charset=utf-8");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Header("policy-version"), "2");

  EXPECT_EQ(GetPolicy().Header("policy-version"), "2");
  EXPECT_EQ(GetPolicy("?version=1").body, mine);
  EXPECT_EQ(GetPolicy("?version=0").body, d.body);
  EXPECT_EQ(GetPolicy("?version=9").status, 404);
  EXPECT_EQ(GetPolicy("?version=x").status, 400);
  EXPECT_EQ(server_.Call("GET", "/v1/platforms/nope/policy", server_.admin_token()).status, 404);
  // Only the admin manages policies.
  EXPECT_EQ(server_.Call("GET", "/v1/platforms/shop/policy", world_.platform_key).status, 403);
}

TEST_F(RulesTest, BadPolicyIsRefusedWithFieldAndReasonAndTheOldOneStays) {
  const std::string good = "format = 1\n[rules.\"deadline.merchant_response\"]\nduration = \"24h\"\n";
  ASSERT_EQ(PutPolicy(good).status, 200);

  HttpResult bad = PutPolicy("format = 1\n[rules.\"remedy.punitive_3x_min_500\"]\nmultiplier = 2\n"
                             "[rules.\"filing.incident_7d\"]\nwindow = \"a week\"\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Header("content-type"), "application/problem+json");
  const json::array& errors = bad.obj().at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u) << bad.body;
  std::set<std::string> fields;
  for (const auto& e : errors) fields.insert(std::string(e.at("field").as_string()));
  EXPECT_TRUE(fields.count("rules.remedy.punitive_3x_min_500.multiplier")) << bad.body;
  EXPECT_TRUE(fields.count("rules.filing.incident_7d.window")) << bad.body;

  HttpResult not_toml = PutPolicy("format = 1\n[rules\n");
  EXPECT_EQ(not_toml.status, 422) << not_toml.body;
  EXPECT_NE(not_toml.body.find("line 2"), std::string::npos) << not_toml.body;
  EXPECT_EQ(PutPolicy("{\"format\": 1}", "application/json").status, 415);
  EXPECT_EQ(PutPolicy(good, "text/plain; charset=latin1").status, 415);
  EXPECT_EQ(PutPolicy(std::string(300 * 1024, '#')).status, 413);
  EXPECT_EQ(PutPolicy(good, "application/toml", "nope").status, 404);

  HttpResult now = GetPolicy();
  EXPECT_EQ(now.Header("policy-version"), "1");
  EXPECT_EQ(now.body, good);
}

TEST_F(RulesTest, APlatformsPolicyDrivesItsComplaints) {
  ASSERT_EQ(PutPolicy("format = 1\n[rules.\"filing.incident_7d\"]\nwindow = \"10d\"\n"
                      "[rules.\"deadline.merchant_response\"]\nduration = \"24h\"\n"
                      "[rules.\"routing.risk_over_500\"]\nthreshold_fen = 20000\n").status, 200);
  world_.AddOrder("P-1", 30000);
  // 8 days after the incident: late under the default 7 days, in time under this policy's 10.
  HttpResult c = world_.File("P-1", "not_received", "2029-12-24T00:00:00Z",
                             json::array{json::object{{"kind", "refund"}, {"amount_fen", 30000}}});
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.obj().at("late").as_bool(), false);
  EXPECT_EQ(c.Str("tier"), "risk");  // 300 yuan is over this platform's 200
  EXPECT_EQ(std::string(c.obj().at("deadlines").at("merchant_response").as_string()), "2030-01-02T00:00:00Z");
  json::object a = Assessment(c.Str("id"));
  EXPECT_EQ(a.at("policy_version").as_int64(), 1);
  EXPECT_EQ(At(a, {"routing", "rules"}), "[\"routing.risk_over_500\",\"routing.small_claims\"]");
}

TEST_F(RulesTest, AComplaintKeepsThePolicyItWasFiledUnder) {
  ASSERT_EQ(PutPolicy("format = 1\n[rules.\"filing.incident_7d\"]\nwindow = \"10d\"\n").status, 200);
  Membership("K-1");
  HttpResult c = FileWindow("K-1", "disconnected", "2029-12-31T21:00:00Z", "2029-12-31T22:00:00Z",
                            json::array{json::object{{"kind", "extend"}, {"days", 1}}});
  ASSERT_EQ(c.status, 201) << c.body;
  // A stricter policy afterwards, then a fact change that reassesses the complaint.
  ASSERT_EQ(PutPolicy("format = 1\n[rules.\"filing.incident_7d\"]\nwindow = \"1h\"\n"
                      "[rules.\"remedy.interruption_extend\"]\ndefault_choice = \"refund\"\n").status, 200);
  HttpResult inc = Incident({{"kind", "outage"}, {"starts_at", "2029-12-31T21:30:00Z"},
                             {"ends_at", "2029-12-31T21:40:00Z"}, {"description", "宕机"}});
  ASSERT_EQ(inc.obj().at("complaints_reassessed").as_int64(), 1) << inc.body;
  json::object a = Assessment(c.Str("id"));
  EXPECT_EQ(a.at("policy_version").as_int64(), 1);
  EXPECT_EQ(At(a, {"filing", "late"}), "false");
  EXPECT_EQ(At(a, {"responsibility", "party"}), "platform");
  EXPECT_EQ(a.at("remedy").at("extension_days").as_int64(), 1);
  // A complaint filed now is judged by version 2.
  Membership("K-2");
  HttpResult late = FileWindow("K-2", "disconnected", "2029-12-31T21:00:00Z", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "extend"}, {"days", 1}}});
  EXPECT_EQ(late.status, 422) << late.body;
}

TEST_F(RulesTest, FilingWindowNamesItsRuleAndAcceptsALateReason) {
  ASSERT_EQ(server_.SetClock("2030-01-01T20:05:01Z").status, 200);  // 24 h and 1 s after delivery
  world_.AddOrder("F-1", 1000);
  HttpResult late = world_.File("F-1", "invalid_code", "2030-01-01T20:00:00Z", json::array{json::object{{"kind", "replace"}}});
  ASSERT_EQ(late.status, 422) << late.body;
  EXPECT_EQ(std::string(late.obj().at("errors").at(0).at("field").as_string()), "late_reason");
  EXPECT_NE(late.body.find("filing.delivered_goods_24h"), std::string::npos) << late.body;
  EXPECT_NE(late.body.find("filed 1 d 0 h 0 min 1 s after delivery"), std::string::npos) << late.body;
  EXPECT_NE(late.body.find("12315"), std::string::npos) << late.body;

  HttpResult ok = world_.File("F-1", "invalid_code", "2030-01-01T20:00:00Z", json::array{json::object{{"kind", "replace"}}},
                              "consumer", "出差没有网络");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(ok.obj().at("late").as_bool());
  json::object a = Assessment(ok.Str("id"), "agent");
  EXPECT_EQ(At(a, {"filing", "late_reason_given"}), "true");
  EXPECT_EQ(At(a, {"filing", "rules"}), "[\"filing.delivered_goods_24h\"]");
  // The reason is shown to staff.
  EXPECT_EQ(world_.Get("agent", "/v1/complaints/" + ok.Str("id")).Str("late_reason"), "出差没有网络");
}

TEST_F(RulesTest, AnOutageReassessesTheOpenComplaintsItTouches) {
  Membership("R-1");
  HttpResult c = FileWindow("R-1", "disconnected", "2029-12-31T22:00:00Z", "2029-12-31T23:00:00Z",
                            json::array{json::object{{"kind", "extend"}, {"days", 1}}});
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string id = c.Str("id");
  json::object before = Assessment(id);
  EXPECT_EQ(At(before, {"responsibility", "party"}), "undetermined");
  EXPECT_EQ(At(before, {"responsibility", "burden_on_business"}), "true");
  EXPECT_NE(At(before, {"responsibility", "explanation"}).find("《电子商务法》第62条"), std::string::npos);
  const int64_t version = world_.Get("consumer", "/v1/complaints/" + id).obj().at("version").as_int64();

  // An outage elsewhere in time touches nothing.
  HttpResult miss = Incident({{"kind", "outage"}, {"starts_at", "2029-12-31T23:00:01Z"},
                              {"ends_at", "2029-12-31T23:30:00Z"}, {"description", "无关"}});
  ASSERT_EQ(miss.status, 201) << miss.body;
  EXPECT_EQ(miss.obj().at("complaints_reassessed").as_int64(), 0);
  // One whose end touches the complaint's start (closed intervals) does.
  HttpResult hit = Incident({{"kind", "outage"}, {"starts_at", "2029-12-31T21:00:00Z"},
                             {"ends_at", "2029-12-31T22:00:00Z"}, {"description", "机房断电"}});
  ASSERT_EQ(hit.status, 201) << hit.body;
  EXPECT_EQ(hit.obj().at("complaints_reassessed").as_int64(), 1);

  json::object after = Assessment(id);
  EXPECT_EQ(At(after, {"responsibility", "party"}), "platform");
  EXPECT_EQ(std::string(after.at("responsibility").at("incidents").at(0).at("id").as_string()), hit.Str("id"));
  EXPECT_NE(At(after, {"responsibility", "explanation"}).find("机房断电"), std::string::npos);
  EXPECT_EQ(after.at("remedy").at("extension_days").as_int64(), 1);
  HttpResult got = world_.Get("consumer", "/v1/complaints/" + id);
  EXPECT_EQ(got.obj().at("version").as_int64(), version + 1);
  HttpResult timeline = world_.Get("consumer", "/v1/complaints/" + id + "/timeline");
  const json::array& events = timeline.obj().at("items").as_array();
  EXPECT_EQ(std::string(events.back().at("type").as_string()), "reassessed");
  EXPECT_NE(json::serialize(events.back().at("data")).find(hit.Str("id")), std::string::npos);
}

TEST_F(RulesTest, MaintenanceAnnouncedExactly24HoursAheadIsNoFault) {
  ASSERT_EQ(Incident({{"kind", "maintenance"}, {"starts_at", "2029-12-31T22:00:00Z"}, {"ends_at", "2029-12-31T23:00:00Z"},
                      {"announced_at", "2029-12-30T22:00:00Z"}, {"members_notified", true}, {"description", "例行维护"}})
                .status, 201);
  ASSERT_EQ(Incident({{"kind", "maintenance"}, {"starts_at", "2029-12-31T20:10:00Z"}, {"ends_at", "2029-12-31T21:10:00Z"},
                      {"announced_at", "2029-12-30T20:10:01Z"}, {"members_notified", true}, {"description", "临时维护"}})
                .status, 201);
  Membership("M-1");
  Membership("M-2");
  HttpResult ok = FileWindow("M-1", "disconnected", "2029-12-31T22:10:00Z", "2029-12-31T22:50:00Z",
                             json::array{json::object{{"kind", "refund"}, {"amount_fen", 100}}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  json::object a = Assessment(ok.Str("id"));
  EXPECT_EQ(At(a, {"responsibility", "party"}), "none");
  EXPECT_EQ(a.at("remedy").at("refund_fen").as_int64(), 0);
  EXPECT_TRUE(a.at("demands_above_loss").as_bool());

  HttpResult late = FileWindow("M-2", "disconnected", "2029-12-31T20:20:00Z", "2029-12-31T21:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", 100}}});
  ASSERT_EQ(late.status, 201) << late.body;
  json::object b = Assessment(late.Str("id"));
  EXPECT_EQ(At(b, {"responsibility", "party"}), "platform");
  EXPECT_EQ(std::string(b.at("responsibility").at("incidents").at(0).at("finding").as_string()), "late_notice");
  // 36500 fen × 2400 s ÷ 31536000 s = 2.7777 fen → 3 fen, half up.
  EXPECT_EQ(b.at("remedy").at("refund_fen").as_int64(), 3);
  EXPECT_EQ(b.at("remedy").at("kept_fen").as_int64(), 36497);
}

TEST_F(RulesTest, FiveSimilarComplaintsPresumeAPlatformFaultForAllOfThem) {
  std::vector<std::string> ids;
  // Five disconnections against m1 within 40 minutes, filed one after another.
  const char* kTimes[] = {"21:00", "21:10", "21:20", "21:30", "21:40"};
  for (int i = 0; i < 5; ++i) {
    const std::string order = "S-" + std::to_string(i);
    Membership(order);
    HttpResult c = FileWindow(order, "disconnected", std::string("2029-12-31T") + kTimes[i] + ":00Z", "",
                              json::array{json::object{{"kind", "extend"}, {"days", 1}}});
    ASSERT_EQ(c.status, 201) << c.body;
    ids.push_back(c.Str("id"));
    if (i == 3) {  // four are not yet a cluster
      EXPECT_EQ(At(Assessment(c.Str("id")), {"responsibility", "party"}), "undetermined");
    }
  }
  json::object last = Assessment(ids.back());
  EXPECT_EQ(At(last, {"responsibility", "party"}), "platform");
  EXPECT_EQ(At(last, {"responsibility", "rules"}), "[\"resp.interruption\",\"resp.similar_complaints\"]");
  EXPECT_EQ(last.at("responsibility").at("incident_candidate").at("count").as_int64(), 5);
  EXPECT_EQ(std::string(last.at("responsibility").at("incident_candidate").at("scope").as_string()), "merchant");
  // The earlier complaints of the cluster were reassessed when the fifth came in.
  json::object first = Assessment(ids.front());
  EXPECT_EQ(At(first, {"responsibility", "party"}), "platform");
  EXPECT_EQ(first.at("responsibility").at("incident_candidate").at("count").as_int64(), 5);
}

// The merchant's own cluster is found even when a storm against another merchant holds every
// complaint nearer in time (similar complaints are read per merchant and per platform).
TEST_F(RulesTest, AMerchantClusterIsFoundInsideAnotherMerchantsStorm) {
  auto file = [&](const std::string& order, const std::string& merchant, const std::string& at) {
    world_.AddOrder(order, 36500, "membership", "alice", merchant);
    HttpResult c = FileWindow(order, "disconnected", "2029-12-31T" + at + "Z", "",
                              json::array{json::object{{"kind", "extend"}, {"days", 1}}});
    EXPECT_EQ(c.status, 201) << c.body;
    return c.Str("id");
  };
  const char* kMine[] = {"21:00:00", "21:10:00", "21:20:00", "21:30:00"};
  for (int i = 0; i < 4; ++i) file("MC-" + std::to_string(i), "m1", kMine[i]);
  for (int i = 0; i < 12; ++i) file("ST-" + std::to_string(i), "m2", "21:3" + std::to_string(i % 10) + ":3" + std::to_string(i / 10) );
  const std::string fifth = file("MC-4", "m1", "21:40:00");
  json::object a = Assessment(fifth);
  EXPECT_EQ(At(a, {"responsibility", "party"}), "platform");
  EXPECT_EQ(std::string(a.at("responsibility").at("incident_candidate").at("scope").as_string()), "merchant");
  EXPECT_EQ(a.at("responsibility").at("incident_candidate").at("count").as_int64(), 5);
  // Exact for the merchant (fewer than the policy's count on each side were found) ...
  EXPECT_EQ(a.at("responsibility").at("facts").as_object().count("similar_same_merchant_at_least"), 0u);
  // ... a lower bound for the platform, whose nearest ones filled the read.
  EXPECT_TRUE(a.at("responsibility").at("facts").at("similar_same_platform_at_least").as_bool());
  const std::string why(a.at("responsibility").at("explanation").as_string());
  EXPECT_NE(why.find("内有 5 起针对同一商家的"), std::string::npos) << why;
}

TEST_F(RulesTest, AFraudDecisionShowsPunitiveDamagesFromThePolicy) {
  ASSERT_EQ(PutPolicy("format = 1\n[rules.\"remedy.punitive_3x_min_500\"]\nmultiplier = 4\nminimum_fen = 60000\n").status,
            200);
  world_.AddOrder("D-1", 20000);
  HttpResult c = world_.File("D-1", "not_as_described", "2029-12-31T22:00:00Z",
                             json::array{json::object{{"kind", "refund"}, {"amount_fen", 20000}},
                                         json::object{{"kind", "punitive"}}});
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string id = c.Str("id");
  json::object filed = Assessment(id);
  EXPECT_EQ(filed.at("remedy").at("punitive_fen").as_int64(), 0);
  EXPECT_EQ(At(filed, {"routing", "advice"}), "[\"police_report\",\"small_claims\"]");
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "reject"}, {"reason", "商品与描述一致"}}).status, 200);
  HttpResult d = world_.Act("arbitrator", id, {{"action", "decide"}, {"responsibility", "merchant"},
                                               {"refund_fen", 20000}, {"fraud", true}, {"reason", "虚假宣传"}});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.obj().at("decision").at("punitive_fen").as_int64(), 80000);  // 4 × 200 yuan > 600 yuan
  json::object a = Assessment(id);
  EXPECT_EQ(a.at("remedy").at("punitive_fen").as_int64(), 80000);
  EXPECT_EQ(At(a, {"responsibility", "decided"}), "merchant");
  EXPECT_EQ(At(a, {"responsibility", "party"}), "merchant");
  EXPECT_NE(At(a, {"remedy", "explanation"}).find("第55条"), std::string::npos);
}

TEST_F(RulesTest, MerchantTermsAreScannedForUnfairClauses) {
  world_.AddOrder("T-1", 1000);
  world_.AddOrder("T-2", 1000, "card_code", "alice", "m2");
  HttpResult one = world_.File("T-1", "invalid_code", "2029-12-31T22:00:00Z", json::array{json::object{{"kind", "replace"}}});
  HttpResult two = world_.File("T-2", "invalid_code", "2029-12-31T22:00:00Z", json::array{json::object{{"kind", "replace"}}});
  ASSERT_EQ(one.status, 201) << one.body;
  ASSERT_EQ(two.status, 201) << two.body;
  json::object a = Assessment(one.Str("id"));
  const json::array& found = a.at("unfair_terms").as_array();
  ASSERT_EQ(found.size(), 1u) << json::serialize(a.at("unfair_terms"));
  EXPECT_EQ(std::string(found[0].at("clause").as_string()), "本店保留最终解释权。");  // World's m1 terms
  EXPECT_NE(std::string(found[0].at("basis").as_string()).find("第26条"), std::string::npos);
  EXPECT_TRUE(Assessment(two.Str("id")).at("unfair_terms").as_array().empty());
}

TEST_F(RulesTest, ThePlatformsOwnTermsAreScannedToo) {
  HttpResult put = server_.Call("PUT", "/v1/platform/terms", world_.platform_key,
                                json::object{{"terms", "欢迎使用。因系统故障造成的损失，本平台不承担任何责任。"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(world_.Get("consumer", "/v1/platform/terms").Str("terms"), put.Str("terms"));
  EXPECT_EQ(server_.Call("PUT", "/v1/platform/terms", world_.platform_key, json::object{{"terms", 5}}).status, 422);
  world_.AddOrder("PT-1", 1000, "card_code", "alice", "m2");  // m2 has no terms of its own
  HttpResult c = world_.File("PT-1", "invalid_code", "2029-12-31T22:00:00Z", json::array{json::object{{"kind", "replace"}}});
  ASSERT_EQ(c.status, 201) << c.body;
  const json::object a = Assessment(c.Str("id"));
  const json::array& found = a.at("unfair_terms").as_array();
  ASSERT_EQ(found.size(), 1u) << json::serialize(a);
  EXPECT_EQ(std::string(found[0].at("source").as_string()), "platform");
  EXPECT_EQ(std::string(found[0].at("clause").as_string()), "因系统故障造成的损失，本平台不承担任何责任。");
}

TEST_F(RulesTest, RoutingLimitsAreExact) {
  world_.AddOrder("L-1", 50000);
  world_.AddOrder("L-2", 50001);
  world_.AddOrder("L-3", 500001);
  const json::array none{json::object{{"kind", "restore"}}};
  HttpResult at = world_.File("L-1", "not_received", "2029-12-31T22:00:00Z", none);
  HttpResult over = world_.File("L-2", "not_received", "2029-12-31T22:00:00Z", none);
  HttpResult police = world_.File("L-3", "not_received", "2029-12-31T22:00:00Z", none);
  EXPECT_EQ(at.Str("tier"), "normal");
  EXPECT_EQ(over.Str("tier"), "risk");
  EXPECT_EQ(police.Str("tier"), "risk");
  EXPECT_EQ(At(Assessment(over.Str("id")), {"routing", "advice"}), "[\"small_claims\"]");
  EXPECT_EQ(At(Assessment(police.Str("id")), {"routing", "advice"}), "[\"police_report\",\"small_claims\"]");
  EXPECT_EQ(Assessment(at.Str("id")).at("remedy").at("refund_fen").as_int64(), 50000);
}

TEST_F(RulesTest, ComplaintWindowsAreChecked) {
  Membership("W-1");
  const json::array restore{json::object{{"kind", "restore"}}};
  auto field = [](const HttpResult& r) {
    return r.status == 422 ? std::string(r.obj().at("errors").at(0).at("field").as_string()) : r.body;
  };
  EXPECT_EQ(field(FileWindow("W-1", "disconnected", "2029-12-31T22:00:00Z", "2029-12-31T21:00:00Z", restore)),
            "incident_ends_at");  // ends before it starts
  EXPECT_EQ(field(FileWindow("W-1", "disconnected", "2029-12-31T22:00:00Z", "2030-01-02T00:00:00Z", restore)),
            "incident_ends_at");  // ends in the future
  EXPECT_EQ(field(FileWindow("W-1", "disconnected", "2028-12-01T00:00:00Z", "2029-12-31T00:00:00Z", restore)),
            "incident_ends_at");  // longer than 366 days
}

}  // namespace
}  // namespace tousu::testing
