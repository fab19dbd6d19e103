// Durability across restarts: a case survives a graceful stop and a kill -9 in the middle,
// deadlines that pass while the server is down act at start, and the CLI guards its data dir.
#include <gtest/gtest.h>

#include "base/time.h"
#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

// Runs one SQL statement against a stopped server's database, whichever store it holds (a tool,
// not a mock: it is how an operator would inspect the store).
void Sql(const std::string& data_dir, const std::string& sql) {
  Status s = OpenStoreDatabase(data_dir)->Script(sql);
  EXPECT_TRUE(s.ok()) << sql << ": " << s.ToString();
}

TEST(Restart, CaseContinuesAfterGracefulStopAndAfterKill) {
  TempDir dir;
  Server server(dir.path() + "/data");
  World world(server);
  world.AddOrder("R-1", 3000);
  HttpResult filed = world.File("R-1", "not_received", "2029-12-31T22:00:00Z",
                                json::array{json::object{{"kind", "refund"}, {"amount_fen", 3000}}});
  ASSERT_EQ(filed.status, 201);
  const std::string id = filed.Str("id");
  ASSERT_EQ(world.Act("merchant", id, {{"action", "offer"}, {"refund_fen", 3000}, {"message", "退"}}).status, 200);

  EXPECT_EQ(server.Stop(), 0);  // SIGTERM: graceful, exit 0
  server.Restart();
  HttpResult c = world.Get("consumer", "/v1/complaints/" + id);
  ASSERT_EQ(c.status, 200) << c.body;  // tokens survive a restart
  EXPECT_EQ(c.Str("status"), "offer_made");
  ASSERT_EQ(world.Act("consumer", id, {{"action", "accept_offer"}}).status, 200);

  server.Kill();  // kill -9 right after an acknowledged write
  server.Restart();
  c = world.Get("consumer", "/v1/complaints/" + id);
  EXPECT_EQ(c.Str("status"), "remedy_due");
  HttpResult t = world.Get("consumer", "/v1/complaints/" + id + "/timeline");
  EXPECT_EQ(t.obj().at("items").as_array().size(), 5u) << t.body;
  // The test clock resumed where it was, not at the real time.
  EXPECT_EQ(std::string(c.obj().at("deadlines").at("remedy").as_string()), "2030-01-04T00:00:00Z");
}

TEST(Restart, DeadlinePassedWhileDownActsAtStart) {
  TempDir dir;
  Server server(dir.path() + "/data");
  World world(server);
  world.AddOrder("R-2", 3000);
  const std::string id = world.File("R-2", "invalid_code", "2029-12-31T22:00:00Z",
                                    json::array{json::object{{"kind", "replace"}}}).Str("id");
  ASSERT_EQ(server.Stop(), 0);
  // Three days pass while the server is down.
  Sql(server.data_dir(), "UPDATE meta SET value = '" +
                             std::to_string(ParseRfc3339("2030-01-04T00:00:00Z").value().unix_seconds()) +
                             "' WHERE key = 'test_clock_now'");
  server.Restart();
  HttpResult c = world.Get("consumer", "/v1/complaints/" + id);
  EXPECT_EQ(c.Str("status"), "platform_review") << c.body;
  HttpResult t = world.Get("consumer", "/v1/complaints/" + id + "/timeline");
  const auto& last = t.obj().at("items").as_array().back();
  EXPECT_EQ(last.at("type").as_string(), "merchant_deadline_missed");
  EXPECT_EQ(last.at("at").as_string(), "2030-01-03T00:00:00Z");          // when it fell due
  EXPECT_EQ(last.at("recorded_at").as_string(), "2030-01-04T00:00:00Z");  // when it was acted on
}

TEST(Cli, InitTwiceChangesNothingAndServeNeedsInit) {
  TempDir dir;
  const std::string data = dir.path() + "/d";
  CommandResult first = RunCommand({TOUSU_BINARY, "init", "--data", data});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("admin_token"), std::string::npos);
  CommandResult second = RunCommand({TOUSU_BINARY, "init", "--data", data});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.out, "");
  EXPECT_NE(second.err.find("already initialised; nothing changed"), std::string::npos) << second.err;

  CommandResult never = RunCommand({TOUSU_BINARY, "serve", "--data", dir.path() + "/never", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(never.exit_code, 2);
  EXPECT_NE(never.err.find("tousu init"), std::string::npos) << never.err;

  CommandResult bad_listen = RunCommand({TOUSU_BINARY, "serve", "--data", data, "--listen", "nonsense"});
  EXPECT_EQ(bad_listen.exit_code, 2);
  for (const char* cmd : {"init", "serve", "demo"}) {
    CommandResult help = RunCommand({TOUSU_BINARY, cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.out.find("--data"), std::string::npos) << cmd;
  }
  CommandResult top = RunCommand({TOUSU_BINARY, "--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("serve"), std::string::npos);
}

// In the PostgreSQL pass (integration.postgres) the store is a PostgreSQL database, whose
// version is a row of tousu_schema.
TEST(Cli, RefusesAStoreFromANewerVersion) {
  TempDir dir;
  const std::string data = dir.path() + "/d";
  std::vector<std::string> init{TOUSU_BINARY, "init", "--data", data};
  if (!TestPostgres().empty()) init.insert(init.end(), {"--postgres", NewTestDatabase()});
  ASSERT_EQ(RunCommand(init).exit_code, 0);
  Sql(data, TestPostgres().empty() ? "PRAGMA user_version = 999" : "UPDATE tousu_schema SET version = 999");
  CommandResult r = RunCommand({TOUSU_BINARY, "serve", "--data", data, "--listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
}

TEST(Cli, ConfigFileIsReadAndFlagsOverrideIt) {
  TempDir dir;
  const std::string data = dir.path() + "/d";
  ASSERT_EQ(RunCommand({TOUSU_BINARY, "init", "--data", data}).exit_code, 0);
  const std::string bad = dir.path() + "/bad.toml";
  FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("listen = \"127.0.0.1:0\"\nlsten = 3\n", f);
  std::fclose(f);
  CommandResult r = RunCommand({TOUSU_BINARY, "serve", "--config", bad, "--data", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lsten"), std::string::npos) << r.err;
}

TEST(Demo, LoadsOnceAndItsDeadlinesActAtStart) {
  TempDir dir;
  const std::string data = dir.path() + "/d";
  ASSERT_EQ(RunCommand({TOUSU_BINARY, "init", "--data", data}).exit_code, 0);
  CommandResult demo = RunCommand({TOUSU_BINARY, "demo", "--data", data});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  EXPECT_NE(demo.out.find("zhangsan"), std::string::npos);
  EXPECT_NE(demo.out.find("curl -s -X POST http://127.0.0.1:8080/v1/auth/login"), std::string::npos) << demo.out;
  CommandResult again = RunCommand({TOUSU_BINARY, "demo", "--data", data, "--listen", "127.0.0.1:18555"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already loaded"), std::string::npos);
  // The login example names the address the server will listen on.
  EXPECT_NE(again.out.find("curl -s -X POST http://127.0.0.1:18555/v1/auth/login"), std::string::npos) << again.out;
  Server server(data, {});
  HttpResult login = server.Call("POST", "/v1/auth/login", "",
                                 json::object{{"platform", "demo"}, {"user", "zhangsan"}, {"password", "tousu-demo"}});
  ASSERT_EQ(login.status, 200) << login.body;
  HttpResult list = server.Call("GET", "/v1/complaints?category=disconnected", login.Str("token"));
  ASSERT_EQ(list.obj().at("items").as_array().size(), 1u) << list.body;
  // Filed five days ago with a silent merchant: the sweeper moved it at start.
  EXPECT_EQ(list.obj().at("items").as_array()[0].at("status").as_string(), "platform_review");
}

// The startup line names the allocator: jemalloc in a normal build, the sanitizers' own
// allocator (reported as glibc's interface) under ASan/TSan.
TEST(Startup, LogNamesTheAllocator) {
  TempDir dir;
  Server server(dir.path() + "/d", {"--log-level", "info"});
  server.Stop();
  const std::string log = server.Log();
#if defined(TOUSU_EXPECT_JEMALLOC)
  EXPECT_NE(log.find("\"allocator\":\"jemalloc 5."), std::string::npos) << log.substr(0, 2000);
#else
  EXPECT_NE(log.find("\"allocator\":\"glibc\""), std::string::npos) << log.substr(0, 2000);
#endif
}

}  // namespace
}  // namespace tousu::testing
