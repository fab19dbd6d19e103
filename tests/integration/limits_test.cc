// Abuse limits and metrics over HTTP: 429 with Retry-After from the address and token buckets,
// growing login delays, and a /metrics page that promtool accepts and that shows every series
// the dashboard and alert rules in deploy/ name.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <thread>

#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

TEST(Limits, AddressBucketAnswers429WithRetryAfter) {
  TempDir dir;
  Server server(dir.path() + "/data",
                {"--config", WriteConfig(dir, "[rate_limit]\naddress_per_second = 1\naddress_burst = 5\n")});
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 8; ++i) {
    HttpResult r = Http(server.port(), "GET", "/v1/complaints");
    if (r.status == 429) {
      ++limited;
      retry_after = r.Header("retry-after");
      EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    }
  }
  EXPECT_GE(limited, 2);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  // Health checks are never limited.
  EXPECT_EQ(Http(server.port(), "GET", "/healthz").status, 200);
  // The refusals are counted under the route they were for.
  const std::string page = Http(server.port(), "GET", "/metrics").body;
  EXPECT_NE(page.find("tousu_http_requests_total{route=\"/v1/complaints\",method=\"GET\",status=\"429\"} " +
                      std::to_string(limited)),
            std::string::npos)
      << page.substr(0, 2000);
}

// A request for no route (404) or with a method the route does not have (405) is parsed,
// routed, logged and counted like any other: it takes from the address's bucket too.
TEST(Limits, AddressBucketCountsRequestsForNoRoute) {
  TempDir dir;
  Server server(dir.path() + "/data",
                {"--config", WriteConfig(dir, "[rate_limit]\naddress_per_second = 1\naddress_burst = 3\n")});
  std::map<int, int> answers;
  for (int i = 0; i < 6; ++i) {
    ++answers[Http(server.port(), "GET", "/v1/nope").status];
    ++answers[Http(server.port(), "DELETE", "/v1/complaints").status];
  }
  EXPECT_GE(answers[429], 6);
  EXPECT_LE(answers[404] + answers[405], 6);
  EXPECT_EQ(Http(server.port(), "GET", "/metrics").status, 200);
}

TEST(Limits, TokenBucketLimitsOneCallerNotOthers) {
  TempDir dir;
  Server server(dir.path() + "/data",
                {"--config", WriteConfig(dir, "[rate_limit]\ntoken_per_second = 1\ntoken_burst = 20\n")});
  World world(server);
  int limited = 0;
  for (int i = 0; i < 25; ++i) limited += world.Get("consumer", "/v1/complaints").status == 429;
  EXPECT_GE(limited, 2);
  EXPECT_EQ(world.Get("agent", "/v1/complaints").status, 200);
}

TEST(Limits, FailedLoginsGrowADelay) {
  TempDir dir;
  Server server(dir.path() + "/data",
                {"--config", WriteConfig(dir, "[rate_limit]\nlogin_free_failures = 3\n")});
  World world(server);
  auto login = [&](const std::string& password) {
    return server.Call("POST", "/v1/auth/login", "",
                       json::object{{"platform", "shop"}, {"user", "bob"}, {"password", password}});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("wrong-password").status, 401);
  EXPECT_EQ(login("wrong-password").status, 401);  // the fourth failure starts the delay
  HttpResult blocked = login("password-123");       // even the right password must wait
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_FALSE(blocked.Header("retry-after").empty());
  // Other users are not affected.
  EXPECT_EQ(server.Call("POST", "/v1/auth/login", "",
                        json::object{{"platform", "shop"}, {"user", "alice"}, {"password", "password-123"}}).status,
            200);
}

TEST(Metrics, PromtoolAcceptsThePage) {
  TempDir dir;
  // Counted at every scrape, so that this one shows the complaint just filed.
  Server server(dir.path() + "/data", {"--config", WriteConfig(dir, "[metrics]\ncounts_interval_seconds = 0\n")});
  World world(server);
  world.AddOrder("M-1", 100);
  world.File("M-1", "invalid_code", "2029-12-31T22:00:00Z", json::array{json::object{{"kind", "replace"}}});
  world.Get("consumer", "/v1/complaints/none");
  HttpResult m = Http(server.port(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* series : {"tousu_http_requests_total{route=\"/v1/complaints/{id}\",method=\"GET\",status=\"404\"} 1",
                             "tousu_http_request_duration_seconds_count{route=\"/v1/complaints/{id}\",method=\"GET\",status_class=\"4xx\"} 1", "tousu_complaints{status=\"awaiting_merchant\",tier=\"normal\"} 1",
                             "tousu_deadlines_pending 2", "tousu_deadlines_due 0", "tousu_sweeper_lag_seconds 0",
                             "tousu_store_commit_duration_seconds_count", "tousu_rate_limited_total{limiter=\"login\"} 0",
                             "\ntousu_log_node_cache_nodes ",
                             "# TYPE tousu_log_node_cache_hits_total counter\ntousu_log_node_cache_hits_total ",
                             "\ntousu_log_leaves ", "\ntousu_log_checkpoint_tree_size ",
                             "# TYPE tousu_log_checkpoint_age_seconds gauge", "\ntousu_metrics_counts_age_seconds ",
                             "\ntousu_up 1"}) {
    EXPECT_NE(m.body.find(series), std::string::npos) << series << "\n" << m.body;
  }
  // The SQLite store's WAL and fsync gauges, on SQLite only: a PostgreSQL store has neither.
  for (const std::string& series : kSqliteOnlySeries) {
    EXPECT_EQ(m.body.find("\n" + series + " ") != std::string::npos, TestPostgres().empty()) << series << "\n" << m.body;
  }
  const std::string file = dir.path() + "/metrics.txt";
  std::ofstream(file) << m.body;
  CommandResult check = RunCommand({"/bin/sh", "-c", "promtool check metrics < " + file});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// The whole-table counts are taken at most once per metrics.counts_interval_seconds, on their
// own thread, when a scrape asks for them; the cheap gauges (the log's size here) are read at
// every scrape.
TEST(Metrics, CountsAreTakenAtMostOncePerInterval) {
  TempDir dir;
  Server server(dir.path() + "/data", {"--config", WriteConfig(dir, "[metrics]\ncounts_interval_seconds = 3600\n")});
  World world(server);
  world.AddOrder("M-1", 100);
  auto value = [](const std::string& page, const std::string& series) -> double {
    const size_t at = page.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(page.substr(at + series.size() + 2));
  };
  // The first scrape asks for counts and does not wait for them; a later one gets them.
  std::string before = Http(server.port(), "GET", "/metrics").body;
  for (int i = 0; i < 100 && value(before, "tousu_deadlines_pending") < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    before = Http(server.port(), "GET", "/metrics").body;
  }
  EXPECT_EQ(value(before, "tousu_deadlines_pending"), 0) << before;
  world.File("M-1", "invalid_code", "2029-12-31T22:00:00Z", json::array{json::object{{"kind", "replace"}}});
  const std::string after = Http(server.port(), "GET", "/metrics").body;
  EXPECT_EQ(value(after, "tousu_deadlines_pending"), 0) << after;  // the reading of the first scrape
  EXPECT_EQ(after.find("tousu_complaints{"), std::string::npos) << after;
  EXPECT_GE(value(after, "tousu_metrics_counts_age_seconds"), 0);
  EXPECT_GT(value(after, "tousu_log_leaves"), value(before, "tousu_log_leaves")) << after;

  // Counted at every scrape when the interval is 0.
  TempDir dir0;
  Server fresh(dir0.path() + "/data", {"--config", WriteConfig(dir0, "[metrics]\ncounts_interval_seconds = 0\n")});
  World world0(fresh);
  world0.AddOrder("M-1", 100);
  EXPECT_EQ(value(Http(fresh.port(), "GET", "/metrics").body, "tousu_deadlines_pending"), 0);
  world0.File("M-1", "invalid_code", "2029-12-31T22:00:00Z", json::array{json::object{{"kind", "replace"}}});
  EXPECT_EQ(value(Http(fresh.port(), "GET", "/metrics").body, "tousu_deadlines_pending"), 2);
}

// The dashboard and the alert rules in deploy/ only work while every series they name is on the
// page: a renamed metric would leave a panel empty and an alert silent.
TEST(Metrics, EverySeriesTheDashboardAndAlertsNameIsOnThePage) {
  TempDir dir;
  Server server(dir.path() + "/data");
  ASSERT_EQ(Http(server.port(), "GET", "/healthz").status, 200);  // so that request series exist
  HttpResult m = Http(server.port(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  const std::string page = "\n" + m.body;
  int named = 0;
  for (const char* file : {"/deploy/grafana/tousu-dashboard.json", "/deploy/prometheus/tousu-alerts.yml"}) {
    std::ifstream in(std::string(TOUSU_SOURCE_DIR) + file);
    ASSERT_TRUE(in) << file;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex series("tousu_[a-z0-9_]+");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), series); it != std::sregex_iterator(); ++it) {
      const std::string name = it->str();
      ++named;
      // A family with no samples yet (no complaints on a fresh store) still has its TYPE line;
      // a histogram's is under its base name.
      std::string family = name;
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        if (family.size() > std::strlen(suffix) && family.ends_with(suffix)) family.resize(family.size() - std::strlen(suffix));
      }
      const bool shown = page.find("\n" + name + " ") != std::string::npos ||
                         page.find("\n" + name + "{") != std::string::npos ||
                         page.find("\n# TYPE " + family + " ") != std::string::npos;
      const bool sqlite_only =
          std::find(kSqliteOnlySeries.begin(), kSqliteOnlySeries.end(), family) != kSqliteOnlySeries.end();
      if (sqlite_only && !TestPostgres().empty()) continue;  // those panels stay empty on PostgreSQL
      EXPECT_TRUE(shown) << file << " names " << name << ", which /metrics does not show";
    }
  }
  EXPECT_GT(named, 10);
}

}  // namespace
}  // namespace tousu::testing
