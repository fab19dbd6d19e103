// Slow clients and the connection cap, against the real binary: a header, a body or an upload
// that takes longer than its timeout loses the connection (408 where an answer is still
// possible), however the bytes are spread out; an idle keep-alive connection is closed; past
// max_connections (or its address's max_connections_per_address) a new connection is closed
// at once, counted on /metrics, and the server serves again as soon as a slot is free.
//
// The timeouts are configured at their minimum (1 s; an upload 2 s). The bounds the tests allow
// are wide (a few seconds) because these machines are shared: they check that a timeout fires
// and covers the whole header or body, not how exactly it is timed.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "tests/integration/evidence_client.h"
#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kTimeouts =
    "[limits]\nheader_timeout_seconds = 1\nbody_timeout_seconds = 1\nupload_timeout_seconds = 2\n";
// Long enough for any of the timeouts above to fire, on a loaded machine.
constexpr int kPatienceMs = 8000;

class SlowClientsTest : public ::testing::Test {
 protected:
  SlowClientsTest()
      : data_(dir_.path() + "/data"), server_(data_, {"--config", WriteConfig(dir_, kTimeouts)}), world_(server_) {
    world_.AddOrder("S-1", 9900);
    HttpResult c = world_.File("S-1", "invalid_code", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", 9900}}});
    EXPECT_EQ(c.status, 201) << c.body;
    complaint_ = c.Str("id");
  }

  std::string Auth(const std::string& role = "consumer") const {
    return "Authorization: Bearer " + world_.tokens.at(role) + "\r\n";
  }

  // Sends `pieces` one by one, `gap` apart, until they run out or the server closes; then
  // waits for the server to close. Returns the answer and sets *sent to how many pieces went.
  static std::string Trickle(RawConnection& c, const std::vector<std::string>& pieces, milliseconds gap,
                             size_t* sent) {
    *sent = 0;
    for (const std::string& p : pieces) {
      if (!c.Send(p)) break;
      ++*sent;
      c.ReadUntilClosed(static_cast<int>(gap.count()));
      if (c.closed()) break;
    }
    return c.ReadUntilClosed(kPatienceMs);
  }

  TempDir dir_;
  std::string data_;
  Server server_;
  World world_;
  std::string complaint_;
};

TEST_F(SlowClientsTest, AHeaderTrickledPastTheHeaderTimeoutLosesTheConnection) {
  // One header line every 200 ms for up to 10 s: the timeout covers the whole header, so the
  // drip does not keep the connection. No answer: the request was never complete.
  std::vector<std::string> pieces{"GET /healthz HTTP/1.1\r\nHost: x\r\n"};
  for (int i = 0; i < 50; ++i) pieces.push_back("X-Drip-" + std::to_string(i) + ": y\r\n");
  RawConnection c(server_.port());
  size_t sent = 0;
  const std::string answer = Trickle(c, pieces, milliseconds(200), &sent);
  EXPECT_TRUE(c.closed());
  EXPECT_LT(sent, pieces.size()) << "the server kept a header open for 10 s";
  EXPECT_EQ(answer, "");
  // The server still serves.
  EXPECT_EQ(Http(server_.port(), "GET", "/healthz").status, 200);
}

TEST_F(SlowClientsTest, AHeaderInPiecesWithinTheTimeoutIsServed) {
  RawConnection c(server_.port());
  size_t sent = 0;
  const std::string answer =
      Trickle(c, {"GET /healthz HTTP/1.1\r\n", "Host: x\r\n", "Connection: close\r\n", "\r\n"}, milliseconds(100), &sent);
  EXPECT_EQ(sent, 4u);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST_F(SlowClientsTest, AnIdleKeepAliveConnectionIsClosed) {
  RawConnection c(server_.port());
  ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n", kPatienceMs)) << c.bytes();
  EXPECT_EQ(c.bytes().rfind("HTTP/1.1 200", 0), 0u) << c.bytes();
  EXPECT_FALSE(c.closed()) << "keep-alive: the connection stays open after the answer";
  const auto t0 = steady_clock::now();
  c.ReadUntilClosed(kPatienceMs);
  EXPECT_TRUE(c.closed()) << "an idle connection was kept for " << kPatienceMs << " ms";
  // Not closed the moment the answer left: the idle timeout is the header timeout (1 s).
  EXPECT_GE(steady_clock::now() - t0, milliseconds(500));
}

TEST_F(SlowClientsTest, AStalledBodyIs408) {
  RawConnection c(server_.port());
  ASSERT_TRUE(c.Send("POST /v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + Auth() +
                     "Content-Length: 100\r\n\r\n{\"order_no\":"));
  const std::string answer = c.ReadUntilClosed(kPatienceMs);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
  EXPECT_NE(answer.find("the request body did not arrive in time"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed());
}

TEST_F(SlowClientsTest, ABodyTrickledPastTheBodyTimeoutIs408) {
  // 100 bytes, one every 200 ms (20 s in all): each byte arrives well within a second of the
  // last, but the body as a whole does not.
  std::vector<std::string> pieces{"POST /v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                                  Auth() + "Content-Length: 100\r\n\r\n"};
  for (int i = 0; i < 100; ++i) pieces.push_back(" ");
  RawConnection c(server_.port());
  size_t sent = 0;
  const std::string answer = Trickle(c, pieces, milliseconds(200), &sent);
  EXPECT_LT(sent, pieces.size());
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_TRUE(c.closed());
  // Nothing was filed.
  EXPECT_EQ(world_.Get("agent", "/v1/complaints").obj().at("items").as_array().size(), 1u);
}

TEST_F(SlowClientsTest, AnUploadTrickledPastTheUploadTimeoutIs408AndLeavesNothing) {
  // The upload's own timeout (2 s here) covers the whole file; 64 pieces of 1 KiB, 200 ms
  // apart, would take 13 s.
  const std::string file = Png(64 * 1024, 'z');
  std::vector<std::string> pieces{"POST /v1/complaints/" + complaint_ + "/evidence?kind=incident HTTP/1.1\r\n"
                                  "Host: x\r\nContent-Type: image/png\r\n" + Auth() +
                                  "Content-Length: " + std::to_string(file.size()) + "\r\n\r\n"};
  for (size_t at = 0; at < file.size(); at += 1024) pieces.push_back(file.substr(at, 1024));
  RawConnection c(server_.port());
  size_t sent = 0;
  const std::string answer = Trickle(c, pieces, milliseconds(200), &sent);
  EXPECT_LT(sent, pieces.size());
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer.substr(0, 300);
  EXPECT_TRUE(c.closed());
  const std::vector<std::string> blobs = FilesUnder(data_ + "/blobs");
  EXPECT_TRUE(blobs.empty()) << blobs.front();
  HttpResult listed = world_.Get("consumer", "/v1/complaints/" + complaint_ + "/evidence");
  EXPECT_TRUE(listed.obj().at("items").as_array().empty()) << listed.body;
}

// The value of the sample `series` (name and labels) on a /metrics page; -1 if absent.
long Counter(const std::string& page, const std::string& series) {
  const size_t at = page.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stol(page.substr(at + series.size() + 2));
}

// Holds `n` keep-alive connections from `source`, each proven open by an answer; a connection
// the harness used may still be closing, so a refused one is tried again.
std::vector<std::unique_ptr<RawConnection>> Hold(uint16_t port, size_t n, const std::string& source = "") {
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int attempt = 0; held.size() < n && attempt < 50; ++attempt) {
    auto c = std::make_unique<RawConnection>(port, source);
    if (c->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") && c->ReadUntil("\r\n\r\n", kPatienceMs)) {
      held.push_back(std::move(c));
    } else {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  return held;
}

TEST(ConnectionCap, PastTheCapANewConnectionIsClosedAtOnceAndCounted) {
  TempDir dir;
  Server server(dir.path() + "/data", {"--config", WriteConfig(dir, "[limits]\nmax_connections = 3\n")});
  auto held = Hold(server.port(), 3);
  ASSERT_EQ(held.size(), 3u);

  // The fourth: closed without an answer, and without reading its request.
  RawConnection refused(server.port());
  refused.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(refused.ReadUntilClosed(kPatienceMs), "");
  EXPECT_TRUE(refused.closed());
  // The held ones still work.
  ASSERT_TRUE(held[0]->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(held[0]->ReadUntil("HTTP/1.1 200", kPatienceMs)) << held[0]->bytes();

  // One closes: its slot serves the next client. The server learns of the close when it reads
  // the end of stream, so the first tries may still be refused.
  held.pop_back();
  HttpResult metrics;
  for (int attempt = 0; attempt < 50 && metrics.status != 200; ++attempt) {
    try {
      metrics = Http(server.port(), "GET", "/metrics");
    } catch (const std::exception&) {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("\ntousu_http_connections_open 3\n"), std::string::npos) << metrics.body;
  EXPECT_GE(Counter(metrics.body, "tousu_http_connections_refused_total{limit=\"max_connections\"}"), 1);
  EXPECT_EQ(Counter(metrics.body, "tousu_http_connections_refused_total{limit=\"max_connections_per_address\"}"), 0);
  EXPECT_NE(server.Log().find("connection_cap_reached"), std::string::npos);
}

TEST(ConnectionCap, OneAddressCannotTakeEverySlot) {
  TempDir dir;
  Server server(dir.path() + "/data", {"--config", WriteConfig(dir, "[limits]\nmax_connections = 10\n"
                                                                    "max_connections_per_address = 2\n")});
  auto held = Hold(server.port(), 2, "127.0.0.1");
  ASSERT_EQ(held.size(), 2u);
  // A third from the same address: closed unanswered.
  RawConnection third(server.port(), "127.0.0.1");
  third.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(third.ReadUntilClosed(kPatienceMs), "");
  EXPECT_TRUE(third.closed());
  // Another address is served, though the first is at its limit.
  RawConnection other(server.port(), "127.0.0.2");
  ASSERT_TRUE(other.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string page = other.ReadUntilClosed(kPatienceMs);
  EXPECT_EQ(page.rfind("HTTP/1.1 200", 0), 0u) << page.substr(0, 200);
  EXPECT_GE(Counter(page, "tousu_http_connections_refused_total{limit=\"max_connections_per_address\"}"), 1);
  EXPECT_EQ(Counter(page, "tousu_http_connections_refused_total{limit=\"max_connections\"}"), 0);
  const std::string log = server.Log();
  EXPECT_NE(log.find("\"limit\":\"max_connections_per_address\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"address\":\"127.0.0.1\""), std::string::npos) << log;
  // Once one of its connections closes, the address may open another.
  held.pop_back();
  EXPECT_EQ(Hold(server.port(), 1, "127.0.0.1").size(), 1u);
}

// Beast reserves a body's declared length when the body starts: without a budget, every
// connection could pin max_body_bytes for the whole body timeout with one header.
TEST(BodyBudget, StalledBodiesCannotPinMoreThanTheBudget) {
  TempDir dir;
  Server server(dir.path() + "/data", {"--config", WriteConfig(dir, "[limits]\nmax_buffered_body_bytes = 2097152\n")});
  const std::string head = "POST /v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Connection: close\r\nContent-Length: 1000000\r\n\r\n";
  // Two bodies of 1,000,000 bytes that never come: 2,000,000 of the 2,097,152 reserved, as
  // /metrics shows once the server has read both headers.
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 2; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(stalled.back()->Send(head + "{"));
  }
  auto reserved = [&] { return Counter(Http(server.port(), "GET", "/metrics").body, "tousu_http_body_bytes_reserved"); };
  for (int i = 0; i < 100 && reserved() != 2000000; ++i) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(reserved(), 2000000);
  // A whole third body: refused before it is read.
  auto probe = [&] {
    RawConnection c(server.port());
    c.Send(head + "{" + std::string(999998, ' ') + "}");
    return c.ReadUntilClosed(kPatienceMs);
  };
  const std::string refused = probe();
  ASSERT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused.substr(0, 300);
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused.substr(0, 300);
  EXPECT_NE(refused.find("application/problem+json"), std::string::npos);
  // A small body sent with its header holds nothing for long and is not counted: it goes through.
  HttpResult small = Http(server.port(), "POST", "/v1/complaints", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(small.status, 401) << small.body;
  // One stalled client leaves: its share is free again.
  stalled.pop_back();
  for (int i = 0; i < 100 && reserved() != 1000000; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(reserved(), 1000000);
  const std::string served = probe();
  EXPECT_EQ(served.rfind("HTTP/1.1 401", 0), 0u) << served.substr(0, 300);
  HttpResult metrics = Http(server.port(), "GET", "/metrics");
  EXPECT_EQ(Counter(metrics.body, "tousu_http_body_budget_refused_total"), 1);
}

}  // namespace
}  // namespace tousu::testing
