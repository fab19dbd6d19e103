#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/clock.h"
#include "base/ids.h"
#include "http/api.h"
#include "service/auth.h"
#include "service/complaints.h"
#include "service/platforms.h"
#include "store/postgres/pg_connection.h"
#include "store/sqlite/sqlite_connection.h"
#include "service/sweeper.h"
#include "store/sqlite/sqlite_store.h"

extern char** environ;

namespace tousu::testing {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "tousu-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

const json::object& HttpResult::obj() const {
  static const json::object kEmpty;
  return json.is_object() ? json.as_object() : kEmpty;
}

std::string HttpResult::Str(std::string_view key) const {
  auto it = obj().find(key);
  return it != obj().end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

std::string HttpResult::Header(const std::string& lower) const {
  auto it = headers.find(lower);
  return it == headers.end() ? "" : it->second;
}

HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::map<std::string, std::string>& headers) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body() = body;
    req.prepare_payload();
  }
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(method == "HEAD");
  bhttp::read(stream, buffer, parser);
  auto& res = parser.get();
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  boost::system::error_code ec;
  out.json = json::parse(out.body, ec);
  if (ec) out.json = nullptr;
  beast::error_code ignored;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  return out;
}

std::string WriteConfig(const TempDir& dir, const std::string& toml) {
  const std::string path = dir.path() + "/tousu.toml";
  std::ofstream out(path);
  out << toml;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

std::string RawHttp(uint16_t port, const std::string& bytes, int timeout_ms) {
  RawConnection c(port);
  c.Send(bytes);
  return c.ReadUntilClosed(timeout_ms);
}

RawConnection::RawConnection(uint16_t port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw std::runtime_error("bind to " + source + ": " + why);
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + why);
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RawConnection::HalfClose() { ::shutdown(fd_, SHUT_WR); }

bool RawConnection::ReadSome(int timeout_ms) {
  if (closed_) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, std::max(timeout_ms, 0));
  if (ready <= 0) return false;
  char buf[16 * 1024];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return true;
    closed_ = true;  // end of stream, or reset
    return false;
  }
  in_.append(buf, static_cast<size_t>(n));
  return true;
}

std::string RawConnection::ReadUntilClosed(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || (!ReadSome(static_cast<int>(left.count())) && !closed_)) break;
  }
  return in_;
}

bool RawConnection::ReadUntil(const std::string& marker, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (in_.find(marker) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count()))) return in_.find(marker) != std::string::npos;
  }
  return true;
}

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed for " + argv[0]);
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv) {
  TempDir tmp;
  const std::string out = tmp.path() + "/out", err = tmp.path() + "/err";
  pid_t pid = Spawn(argv, out, err);
  CommandResult r;
  r.exit_code = WaitExit(pid);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

std::string TestPostgres() {
  const char* base = std::getenv("TOUSU_TEST_POSTGRES");
  return base == nullptr ? "" : base;
}

std::string NewTestDatabase() {
  const std::string base = TestPostgres();
  auto admin = sql::PgConnection::Open(base);
  if (!admin.ok()) throw std::runtime_error("TOUSU_TEST_POSTGRES: " + admin.status().ToString());
  static std::atomic<int> counter{0};
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  Status s = (*admin)->Script("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
  if (!s.ok()) throw std::runtime_error("CREATE DATABASE " + name + ": " + s.ToString());
  return base + " dbname=" + name;  // the last dbname of a connection string counts
}

namespace {
std::string ReadConninfo(const std::string& data_dir) {
  std::string text = ReadFile(data_dir + "/postgres.conninfo");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}
}  // namespace

const std::vector<std::string> kSqliteOnlySeries = {
    "tousu_store_wal_pages", "tousu_store_sync_running_seconds", "tousu_store_checkpoint_running_seconds"};

std::unique_ptr<sql::Connection> OpenStoreDatabase(const std::string& data_dir) {
  if (fs::exists(data_dir + "/postgres.conninfo")) {
    auto pg = sql::PgConnection::Open(ReadConninfo(data_dir));
    if (!pg.ok()) throw std::runtime_error(pg.status().ToString());
    return std::move(*pg);
  }
  auto lite = sql::SqliteConnection::Open(data_dir + "/tousu.db", sql::SqliteConnection::Mode::kReadWrite);
  if (!lite.ok()) throw std::runtime_error(lite.status().ToString());
  return std::move(*lite);
}

void CopyDataDir(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
  if (!fs::exists(from + "/postgres.conninfo")) return;
  // Connection strings made by NewTestDatabase: the base, then " dbname=NAME".
  const std::string conninfo = ReadConninfo(from);
  const size_t at = conninfo.rfind(" dbname=");
  if (at == std::string::npos) throw std::runtime_error("CopyDataDir: no dbname in " + conninfo);
  const std::string source = conninfo.substr(at + 8);
  std::string copy = NewTestDatabase();  // a name of its own; replaced by a copy of the source
  const std::string name = copy.substr(copy.rfind(" dbname=") + 8);
  auto admin = sql::PgConnection::Open(TestPostgres());
  if (!admin.ok()) throw std::runtime_error(admin.status().ToString());
  for (const std::string& statement : {"DROP DATABASE " + name, "CREATE DATABASE " + name + " TEMPLATE " + source}) {
    if (Status s = (*admin)->Script(statement); !s.ok()) throw std::runtime_error(statement + ": " + s.ToString());
  }
  fs::permissions(to + "/postgres.conninfo", fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream(to + "/postgres.conninfo", std::ios::trunc) << copy << "\n";
}

Server::Server(const std::string& data_dir, std::vector<std::string> extra_args)
    : data_dir_(data_dir), extra_args_(std::move(extra_args)) {
  log_path_ = data_dir_ + ".server.log";
  if (!fs::exists(data_dir_ + "/tousu.db") && !fs::exists(data_dir_ + "/postgres.conninfo")) {
    std::vector<std::string> argv{TOUSU_BINARY, "init", "--data", data_dir_};
    if (!TestPostgres().empty()) argv.insert(argv.end(), {"--postgres", NewTestDatabase()});
    CommandResult init = RunCommand(argv);
    if (init.exit_code != 0) throw std::runtime_error("tousu init failed: " + init.err);
    boost::system::error_code ec;
    json::value v = json::parse(init.out, ec);
    if (ec || !v.is_object()) throw std::runtime_error("tousu init printed no JSON: " + init.out);
    admin_token_ = std::string(v.at("admin_token").as_string());
  }
  Start();
}

Server::~Server() {
  if (pid_ > 0) Kill();
  std::error_code ec;
  fs::remove(log_path_, ec);
  fs::remove(log_path_ + ".out", ec);
}

void Server::Start() {
  std::vector<std::string> argv{TOUSU_BINARY, "serve", "--data", data_dir_, "--listen", "127.0.0.1:0",
                                "--test-clock"};
  // Quiet by default; a test may ask for another level.
  if (std::find(extra_args_.begin(), extra_args_.end(), "--log-level") == extra_args_.end()) {
    argv.insert(argv.end(), {"--log-level", "warn"});
  }
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  const std::string out = log_path_ + ".out";
  pid_ = Spawn(argv, out, log_path_);
  // The server prints "tousu X serving on http://127.0.0.1:PORT" once it listens.
  for (int i = 0; i < 500; ++i) {
    std::string text = ReadFile(out);
    auto pos = text.find("http://127.0.0.1:");
    if (pos != std::string::npos && text.find('\n', pos) != std::string::npos) {
      port_ = static_cast<uint16_t>(std::stoi(text.substr(pos + 17)));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("tousu serve exited at start: " + ReadFile(log_path_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("tousu serve did not start: " + ReadFile(log_path_));
}

int Server::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int rc = WaitExit(pid_);
  pid_ = -1;
  return rc;
}

void Server::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitExit(pid_);
  pid_ = -1;
}

void Server::Restart() {
  if (pid_ > 0) Stop();
  Start();
}

std::string Server::Log() const { return ReadFile(log_path_); }

HttpResult Server::Call(const std::string& method, const std::string& target, const std::string& token,
                        const json::value& body, const std::map<std::string, std::string>& headers) const {
  std::map<std::string, std::string> h = headers;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  std::string text;
  if (!body.is_null()) {
    text = json::serialize(body);
    if (!h.count("Content-Type")) h["Content-Type"] = "application/json";
  }
  return Http(port_, method, target, text, h);
}

HttpResult Server::SetClock(const std::string& now) const {
  return Call("POST", "/v1/test/clock", "", json::object{{"now", now}});
}

World::World(const Server& s, const std::string& platform_id) : server(s), now(kT0) {
  s.SetClock(kT0);
  HttpResult p = s.Call("POST", "/v1/platforms", s.admin_token(), json::object{{"name", "Shop " + platform_id}, {"id", platform_id}});
  if (p.status != 201) throw std::runtime_error("create platform: " + p.body);
  platform = platform_id;
  platform_key = p.Str("api_key");
  tokens["platform"] = platform_key;
  auto put = [&](const std::string& path, json::object body) {
    HttpResult r = s.Call("PUT", path, platform_key, body);
    if (r.status != 201 && r.status != 200) throw std::runtime_error("PUT " + path + ": " + r.body);
  };
  put("/v1/merchants/m1", {{"name", "Merchant One"}, {"kyc_verified", true}, {"terms", "本店保留最终解释权。"}});
  put("/v1/merchants/m2", {{"name", "Merchant Two"}});
  struct U { const char* ref; const char* role; const char* merchant; const char* key; };
  const U kUsers[] = {{"alice", "consumer", "", "consumer"},    {"bob", "consumer", "", "consumer2"},
                     {"m1-staff", "merchant", "m1", "merchant"}, {"m2-staff", "merchant", "m2", "merchant2"},
                     {"agent1", "agent", "", "agent"},          {"risk1", "risk", "", "risk"},
                     {"arb1", "arbitrator", "", "arbitrator"}};
  for (const auto& u : kUsers) {
    json::object body{{"role", u.role}, {"name", u.ref}, {"password", "password-123"}};
    if (*u.merchant) body["merchant"] = u.merchant;
    put(std::string("/v1/users/") + u.ref, body);
    users[u.key] = u.ref;
    tokens[u.key] = Login(u.key);
  }
}

std::string World::Login(const std::string& role) const {
  const std::string& ref = users.at(role);
  HttpResult login = server.Call("POST", "/v1/auth/login", "",
                                 json::object{{"platform", platform}, {"user", ref}, {"password", "password-123"}});
  if (login.status != 200) throw std::runtime_error("login " + ref + ": " + login.body);
  return login.Str("token");
}

std::string World::AddOrder(const std::string& order_no, int64_t amount_fen, const std::string& product_kind,
                            const std::string& consumer, const std::string& merchant) {
  json::object body{{"consumer", consumer}, {"merchant", merchant}, {"product_kind", product_kind},
                    {"title", "Order " + order_no}, {"amount_fen", amount_fen},
                    {"paid_at", "2029-12-31T20:00:00Z"}, {"delivered_at", "2029-12-31T20:05:00Z"}};
  if (product_kind == "membership") {
    body["service_starts_at"] = "2029-12-31T20:05:00Z";
    body["service_ends_at"] = "2030-12-31T20:05:00Z";
  }
  HttpResult r = server.Call("PUT", "/v1/orders/" + order_no, platform_key, body);
  if (r.status != 201 && r.status != 200) throw std::runtime_error("PUT order: " + r.body);
  return order_no;
}

HttpResult World::File(const std::string& order_no, const std::string& category,
                       const std::string& incident_at, const json::array& demands,
                       const std::string& consumer_role, const std::string& late_reason) {
  json::object body{{"order_no", order_no}, {"category", category}, {"incident_at", incident_at},
                    {"description", "测试投诉"}, {"demands", demands}};
  if (!late_reason.empty()) body["late_reason"] = late_reason;
  return server.Call("POST", "/v1/complaints", tokens.at(consumer_role), body);
}

HttpResult World::Act(const std::string& role, const std::string& id, json::object body) const {
  return server.Call("POST", "/v1/complaints/" + id + "/actions", tokens.at(role), body);
}

HttpResult World::Get(const std::string& role, const std::string& target) const {
  return server.Call("GET", target, tokens.at(role));
}

std::vector<http::Route> ServerRoutes() {
  TempDir dir;
  auto store = SqliteStore::Open(dir.path() + "/t.db", true);
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  ManualClock clock(Instant::FromUnixSeconds(0));
  IdGenerator ids;
  AuthService auth(clock, ids, hours(1));
  PlatformService platforms(clock, ids, auth);
  ComplaintService complaints(clock, ids);
  Sweeper sweeper(**store, complaints);
  std::atomic<bool> stopping{false};
  http::Api api(http::ApiDeps{**store, clock, &clock, ids, auth, platforms, complaints, sweeper, &stopping});
  std::vector<http::Route> routes = api.router().routes();
  (*store)->Close();
  return routes;
}

}  // namespace tousu::testing
