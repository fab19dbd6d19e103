// The cache of complaint answers (http/complaint_cache.h) seen from outside: a complaint read
// from the cache is byte for byte what the store gives, a write is seen by the very next read,
// and readers racing a writer never see a version older than one already acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

// The server's counter `name` from /metrics.
double Metric(const Server& s, const std::string& name) {
  const std::string text = s.Call("GET", "/metrics").body;
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

class ComplaintCacheTest : public ::testing::Test {
 protected:
  ComplaintCacheTest()
      : server_(dir_.path() + "/data",
                {"--config", WriteConfig(dir_, "[rate_limit]\naddress_per_second = 0\ntoken_per_second = 0\n")}),
        world_(server_) {}

  std::string File(const std::string& order_no) {
    world_.AddOrder(order_no, 10000);
    HttpResult r = world_.File(order_no, "invalid_code", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", 10000}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("id");
  }

  // Reads enough answers for the cache's compression dictionary to be trained (the cache keeps
  // nothing before it: complaint_cache.h), then waits until answers are cached.
  void WarmUp(const std::string& id) {
    for (int i = 0; i < 1100; ++i) ASSERT_EQ(world_.Get("agent", "/v1/complaints/" + id).status, 200);
    for (int i = 0; i < 200 && Metric(server_, "tousu_complaint_cache_entries") < 1; ++i) {
      ASSERT_EQ(world_.Get("agent", "/v1/complaints/" + id).status, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_GE(Metric(server_, "tousu_complaint_cache_entries"), 1);
  }

  TempDir dir_;
  Server server_;
  World world_;
};

TEST_F(ComplaintCacheTest, CachedAnswersAreTheStoresAndEveryWriteIsSeenAtOnce) {
  const std::string id = File("C-1");
  WarmUp(id);
  for (const char* role : {"consumer", "merchant", "agent", "risk", "arbitrator", "platform"}) {
    const HttpResult first = world_.Get(role, "/v1/complaints/" + id);
    ASSERT_EQ(first.status, 200) << role << first.body;
    const double hits = Metric(server_, "tousu_complaint_cache_hits_total");
    const HttpResult second = world_.Get(role, "/v1/complaints/" + id);
    EXPECT_EQ(second.body, first.body) << role;
    EXPECT_EQ(Metric(server_, "tousu_complaint_cache_hits_total"), hits + 1) << role << ": not from the cache";
  }
  // Others still get 404, from the cache as from the store.
  EXPECT_EQ(world_.Get("consumer2", "/v1/complaints/" + id).status, 404);
  EXPECT_EQ(world_.Get("merchant2", "/v1/complaints/" + id).status, 404);
  World other(server_, "other");
  EXPECT_EQ(other.Get("agent", "/v1/complaints/" + id).status, 404);

  // Each write is in the next read, for every viewer.
  ASSERT_EQ(world_.Act("merchant", id, {{"action", "offer"}, {"refund_fen", 10000}, {"message", "退款"}}).status, 200);
  EXPECT_EQ(world_.Get("agent", "/v1/complaints/" + id).Str("status"), "offer_made");
  EXPECT_EQ(world_.Get("consumer", "/v1/complaints/" + id).Str("status"), "offer_made");
  const HttpResult accepted = world_.Act("consumer", id, {{"action", "accept_offer"}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(world_.Get("merchant", "/v1/complaints/" + id).Str("status"), "remedy_due");
  EXPECT_EQ(world_.Get("agent", "/v1/complaints/" + id).Str("status"), "remedy_due");
  // A deadline acting by itself (the sweeper's write, no request) is seen too.
  ASSERT_EQ(server_.SetClock("2030-01-05T00:00:00Z").status, 200);
  const HttpResult overdue = world_.Get("agent", "/v1/complaints/" + id);
  EXPECT_GT(overdue.obj().at("version").as_int64(), accepted.obj().at("version").as_int64()) << overdue.body;
  const HttpResult timeline = world_.Get("agent", "/v1/complaints/" + id + "/timeline");
  EXPECT_EQ(timeline.obj().at("items").as_array().back().at("type").as_string(), "remedy_overdue");
}

// Readers in several threads against a writer that changes the complaint as fast as it can:
// no read may show a version older than one whose write had been answered before the read began.
TEST_F(ComplaintCacheTest, RacingReadersNeverSeeAnAcknowledgedWriteUndone) {
  const std::string id = File("C-2");
  WarmUp(id);
  std::atomic<int64_t> acknowledged{world_.Get("agent", "/v1/complaints/" + id).obj().at("version").as_int64()};
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, failures{0};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !done; ++i) {
      HttpResult r = world_.Act("arbitrator", id,
                                {{"action", "reassign"}, {"assignee", i % 2 ? "agent1" : "risk1"}, {"reason", "轮换"}});
      if (r.status != 200) {
        ADD_FAILURE() << r.body;
        break;
      }
      acknowledged = r.obj().at("version").as_int64();
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (const char* role : {"agent", "arbitrator", "consumer"}) {
    readers.emplace_back([&, role] {
      while (!done) {
        const int64_t before = acknowledged;
        HttpResult r = world_.Get(role, "/v1/complaints/" + id);
        if (r.status != 200) {
          ++failures;
          continue;
        }
        const int64_t seen = r.obj().at("version").as_int64();
        if (seen < before) {
          ++failures;
          ADD_FAILURE() << role << " read version " << seen << " after version " << before << " was answered";
        }
        ++reads;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(reads, 200);
  EXPECT_GT(Metric(server_, "tousu_complaint_cache_hits_total"), 0);
  EXPECT_GE(Metric(server_, "tousu_complaint_cache_invalidations_total"), 200);
  const HttpResult last = world_.Get("agent", "/v1/complaints/" + id);
  EXPECT_EQ(last.obj().at("version").as_int64(), acknowledged.load());
}

}  // namespace
}  // namespace tousu::testing
