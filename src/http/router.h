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

// What a route's body must be: none, JSON (application/json), or text (application/toml or
// text/plain, UTF-8) such as a rule policy.
enum class BodyKind { kNone, kJson, kText };

struct Route {
  std::string method;
  std::string pattern;
  std::set<Role> roles;  // Role::kPublic: callable without a token
  BodyKind body = BodyKind::kNone;
  Handler handler;
  std::vector<std::string> segments;  // the pattern split at '/'
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
