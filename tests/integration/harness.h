// Integration-test harness: runs the real `tousu` binary against a temporary data directory
// on a free port and speaks HTTP to it. Nothing is mocked.
#ifndef TOUSU_TESTS_INTEGRATION_HARNESS_H_
#define TOUSU_TESTS_INTEGRATION_HARNESS_H_

#include <sys/types.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"
#include "store/sql/connection.h"

namespace tousu::testing {

// A directory under /tmp removed (with its contents) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json;  // parsed body, null if not JSON

  const boost::json::object& obj() const;
  std::string Str(std::string_view key) const;  // a top-level string field, "" if absent
  std::string Header(const std::string& lower) const;
};

// Sends one request on a new connection to 127.0.0.1:port.
HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "", const std::map<std::string, std::string>& headers = {});
// Sends raw bytes and returns the raw answer (until the server closes or `timeout_ms`).
std::string RawHttp(uint16_t port, const std::string& bytes, int timeout_ms = 3000);

// A plain TCP connection to 127.0.0.1:port, for tests that control the bytes and their timing
// exactly: slow clients, half-closes, the connection cap. Every wait has a deadline, so a server
// that never answers fails the test instead of hanging it.
class RawConnection {
 public:
  // `source`: the local address to connect from (any 127.x.y.z works on Linux), so that a
  // test can be two clients; empty: the kernel's choice.
  explicit RawConnection(uint16_t port, const std::string& source = "");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes`; false if the server has closed or reset the connection.
  bool Send(std::string_view bytes);
  // shutdown(SHUT_WR): the server reads the end of the stream, and can still answer.
  void HalfClose();
  // Reads until the server closes its side or `timeout_ms` passes; returns what arrived.
  std::string ReadUntilClosed(int timeout_ms);
  // Reads until `bytes` holds `marker` (returns true), the server closes, or `timeout_ms` passes.
  bool ReadUntil(const std::string& marker, int timeout_ms);
  // True once a read saw the server close (end of stream or reset).
  bool closed() const { return closed_; }
  // Everything read so far.
  const std::string& bytes() const { return in_; }

 private:
  // One poll-and-read with `timeout_ms` left; false on timeout or close.
  bool ReadSome(int timeout_ms);
  int fd_ = -1;
  bool closed_ = false;
  std::string in_;
};

// Writes `toml` as dir/tousu.toml and returns the path, for `--config`.
std::string WriteConfig(const TempDir& dir, const std::string& toml);

// Runs a command to completion; returns its exit code and stdout/stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv);

// With TOUSU_TEST_POSTGRES set (tests/postgres/with_cluster.sh sets it), the libpq connection
// string of a PostgreSQL server where tests may create databases: every new data directory is
// then initialised on a database of its own there (`tousu init --postgres`), and the whole suite
// runs against the PostgreSQL store. Empty when unset.
std::string TestPostgres();
// Creates a new, empty database on that server; returns its connection string.
std::string NewTestDatabase();

// The database of a data directory, whichever store it holds (tousu.db, or the PostgreSQL
// database its postgres.conninfo names), for tests that inspect or tamper with it as an
// operator's SQL client would. Its dialect() tells which.
std::unique_ptr<sql::Connection> OpenStoreDatabase(const std::string& data_dir);
// Copies a stopped server's data directory to `to`, a PostgreSQL database included (as a new
// database made from it).
void CopyDataDir(const std::string& from, const std::string& to);
// The series of /metrics that only the SQLite store has (its write-ahead log and fsyncs).
extern const std::vector<std::string> kSqliteOnlySeries;

// A `tousu serve --test-clock` process on a fresh (or given) data directory.
class Server {
 public:
  // Initialises `data_dir` (when new) and starts the server on a free port.
  explicit Server(const std::string& data_dir, std::vector<std::string> extra_args = {});
  ~Server();

  uint16_t port() const { return port_; }
  const std::string& admin_token() const { return admin_token_; }
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }

  // SIGTERM and wait; returns the exit status (or -1).
  int Stop();
  // SIGKILL and wait.
  void Kill();
  // Starts the server again on the same data directory (a new port).
  void Restart();
  // Everything the server wrote to stderr so far.
  std::string Log() const;

  HttpResult Call(const std::string& method, const std::string& target, const std::string& token = "",
                  const boost::json::value& body = nullptr,
                  const std::map<std::string, std::string>& headers = {}) const;
  // Moves the test clock to `now` (RFC 3339) and runs due deadlines.
  HttpResult SetClock(const std::string& now) const;

 private:
  void Start();
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string admin_token_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// A platform with a merchant, staff of every role, consumers and orders, and a logged-in token
// for each role; a second platform ("other") mirrors it for wrong-tenant checks.
struct World {
  explicit World(const Server& s, const std::string& platform_id = "shop");

  std::string platform;
  std::string platform_key;
  std::map<std::string, std::string> tokens;  // role name → token: consumer, consumer2, merchant,
                                              // merchant2, agent, risk, arbitrator, platform
  std::map<std::string, std::string> users;   // role name → user ref (alice, bob, m1-staff, ...)
  // Logs the user behind `role` in again and returns the new token.
  std::string Login(const std::string& role) const;
  // Creates an order for `consumer` (default "alice") at merchant "m1".
  std::string AddOrder(const std::string& order_no, int64_t amount_fen,
                       const std::string& product_kind = "card_code",
                       const std::string& consumer = "alice", const std::string& merchant = "m1");
  // Files a complaint as `consumer_token` (default alice's); returns the answer.
  HttpResult File(const std::string& order_no, const std::string& category,
                  const std::string& incident_at, const boost::json::array& demands,
                  const std::string& consumer_role = "consumer",
                  const std::string& late_reason = "");
  HttpResult Act(const std::string& role, const std::string& id, boost::json::object body) const;
  HttpResult Get(const std::string& role, const std::string& target) const;

  const Server& server;
  std::string now;  // the test clock's current time, RFC 3339
};

// The route table exactly as the server builds it (with the test clock on).
std::vector<http::Route> ServerRoutes();

// The test clock's epoch for a test: a fixed time after the real present, so tests are
// deterministic and the clock can move forward from it.
constexpr const char* kT0 = "2030-01-01T00:00:00Z";

}  // namespace tousu::testing

#endif  // TOUSU_TESTS_INTEGRATION_HARNESS_H_
