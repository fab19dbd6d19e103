// Router: the route table — (method, path template) → route — and matching against it.
//
// Templates are literal segments and {name} parameters: "/v1/complaints/{id}/actions". A path
// matches a template when it has the same number of segments and every literal is equal; the
// parameters get the percent-decoded segment. Unknown paths are 404; a known path with another
// method is 405 with the allowed methods. Routes carry the roles that may call them, so
// authorization by role happens in one place (api.cc) and the table can be tested on its own.
// Thread-safety: build once, then read-only.
#ifndef TOUSU_HTTP_ROUTER_H_
#define TOUSU_HTTP_ROUTER_H_

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "http/message.h"
#include "store/store.h"

namespace tousu::http {

// What a handler returns: an answer now, a write to run in one transaction whose answer is
// sent once it is durable, or slow work (Argon2id password hashing) to run off the HTTP
// threads, whose own outcome is then handled the same way.
struct Outcome {
  std::optional<Response> response;
  std::function<StatusOr<Response>(WriteTx&)> write;
  std::function<StatusOr<Outcome>()> blocking;

  static Outcome Now(Response r) { return Outcome{std::move(r), nullptr, nullptr}; }
  static Outcome Write(std::function<StatusOr<Response>(WriteTx&)> w) {
    return Outcome{std::nullopt, std::move(w), nullptr};
  }
  static Outcome Blocking(std::function<StatusOr<Outcome>()> b) {
    return Outcome{std::nullopt, nullptr, std::move(b)};
  }
};

using Handler = std::function<StatusOr<Outcome>(Request&)>;

// A request body consumed as it arrives (uploads) instead of being read into memory first. The
// server feeds it the body's bytes in pieces, then asks it for the answer. Destroying a sink
// that was not finished discards whatever it had received.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The next piece of the body. An error ends the request with that answer.
  virtual Status Append(std::string_view bytes) = 0;
  // The whole body has arrived: what to answer (usually a write).
  virtual StatusOr<Outcome> Finish(Request& req) = 0;
  // A digest of the body as received (valid after Finish): stands in for the body in the
  // Idempotency-Key comparison.
  virtual std::string Fingerprint() const = 0;
  // The largest body this request may send (at most its route's max_body_bytes): a larger
  // Content-Length is refused before the body is read.
  virtual size_t MaxBodyBytes() const = 0;
};

// Opens the sink of a streamed route once the header is in: authorization and parameter checks
// happen here, before any of the body is read.
using StreamOpener = std::function<StatusOr<std::unique_ptr<BodySink>>(Request&)>;

// What a route's body must be: none, JSON (application/json), text (application/toml or
// text/plain, UTF-8) such as a rule policy, or a stream: the body goes to the route's
// StreamOpener's sink as it arrives, up to Route::max_body_bytes (uploads).
enum class BodyKind { kNone, kJson, kText, kStream };

struct Route {
  std::string method;
  std::string pattern;
  std::set<Role> roles;  // Role::kPublic: callable without a token
  BodyKind body = BodyKind::kNone;
  Handler handler;                    // every kind but kStream
  std::vector<std::string> segments;  // the pattern split at '/'
  StreamOpener open_stream;           // kStream only
  size_t max_body_bytes = 0;          // kStream only: larger bodies are 413
};

struct Match {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
};

class Router final {
 public:
  void Add(Route route);
  // 404 no such path, 405 (with the methods in the "allow" list) wrong method.
  StatusOr<Match> Find(const std::string& method, const std::string& encoded_path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Splits an encoded path into percent-decoded segments; nullopt when it is not a clean
// absolute path (no "//", no "." or ".." segments, valid escapes, no NUL).
std::optional<std::vector<std::string>> SplitPath(const std::string& encoded_path);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_ROUTER_H_
