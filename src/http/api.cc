#include "http/api.h"

#include <boost/asio/post.hpp>
#include <chrono>

#include "base/crypto.h"
#include "base/log.h"
#include "http/problem.h"

namespace tousu::http {

namespace {

constexpr size_t kMaxIdempotencyKey = 255;

std::string BearerToken(const Request& req) {
  const std::string& h = req.Header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (h.size() <= kScheme.size()) return h.empty() ? "" : "\x01";  // present but unusable
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(h[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return "\x01";
    }
  }
  return h.substr(kScheme.size());
}

// The media type of a Content-Type header, lower-case, without parameters.
std::string MediaType(const std::string& ct) {
  std::string media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media;
}

bool IsJsonContentType(const std::string& ct) { return MediaType(ct) == "application/json"; }

// TOML or plain text; a charset, when given, must be UTF-8.
bool IsTextContentType(const std::string& ct) {
  const std::string media = MediaType(ct);
  if (media != "application/toml" && media != "text/plain") return false;
  std::string params = ct.find(';') == std::string::npos ? "" : ct.substr(ct.find(';') + 1);
  for (auto& c : params) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = params.find("charset=");
  if (at == std::string::npos) return true;
  std::string charset = params.substr(at + 8);
  charset = charset.substr(0, charset.find(';'));
  if (!charset.empty() && charset.front() == '"') charset = charset.substr(1, charset.size() - 2);
  return charset == "utf-8" || charset == "utf8";
}

std::string IdempotencyScope(const Principal& p) {
  if (p.role == Role::kAdmin) return "admin";
  if (p.role == Role::kPlatform) return "platform";
  return "user:" + p.user_ref;
}

Status CheckIdempotencyKey(const std::string& key) {
  if (key.size() > kMaxIdempotencyKey) {
    return Status::InvalidArgument("Idempotency-Key is longer than 255 characters");
  }
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return Status::InvalidArgument("Idempotency-Key may contain only visible ASCII characters");
    }
  }
  return Status::Ok();
}

}  // namespace

Api::Api(ApiDeps deps) : deps_(deps) {
  AddSystemRoutes(router_, deps_);
  AddPlatformRoutes(router_, deps_);
  AddComplaintRoutes(router_, deps_);
  AddPolicyRoutes(router_, deps_);
  AddEvidenceRoutes(router_, deps_);
  AddLogRoutes(router_, deps_);
}

std::function<void(Response)> Api::Logged(const Request& req,
                                          std::shared_ptr<std::string> route_label,
                                          std::function<void(Response)> reply) {
  const auto start = std::chrono::steady_clock::now();
  return [start, method = req.method, target = req.path, id = req.request_id, route_label,
          metrics = deps_.metrics, reply = std::move(reply)](Response r) mutable {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (metrics != nullptr) metrics->ObserveRequest(*route_label, method, r.status, ms / 1000.0);
    if (r.status >= 500) {
      log::Error("request", {{"request_id", id},
                             {"method", method},
                             {"path", target},
                             {"status", r.status},
                             {"ms", ms}});
    } else if (log::Enabled(log::Level::kInfo)) {
      log::Info("request", {{"request_id", id},
                            {"method", method},
                            {"path", target},
                            {"status", r.status},
                            {"ms", ms}});
    }
    reply(std::move(r));
  };
}

void Api::Serve(Request req, std::function<void(Response)> reply) {
  auto route_label = std::make_shared<std::string>("unmatched");
  auto logged = Logged(req, route_label, std::move(reply));
  try {
    Dispatch(req, route_label.get(), logged);
  } catch (const std::exception& e) {
    log::Error("handler_threw", {{"request_id", req.request_id}, {"what", e.what()}});
    logged(Problem(Status::Internal(e.what()), req.request_id));
  }
}

StatusOr<const Route*> Api::Admit(Request& req, std::string* route_label) {
  auto limited = [&](RateLimiter* limiter, const std::string& key, const char* name) -> Status {
    if (limiter == nullptr || key.empty()) return Status::Ok();
    auto wait = limiter->Take(key, std::chrono::steady_clock::now());
    if (!wait) return Status::Ok();
    if (deps_.metrics != nullptr) deps_.metrics->CountRejected(name);
    return Status::RateLimited("too many requests; retry after " + std::to_string(*wait) + " s", *wait);
  };
  // The address's bucket is taken whether or not a route matches, so that requests for no
  // route (404, 405) are limited too: only the operational endpoints, exact paths, are exempt.
  // A refusal is counted under the route when there is one.
  StatusOr<Match> match = router_.Find(req.method, req.path);
  if (match.ok()) *route_label = match->route->pattern;
  const bool operational = req.path == "/healthz" || req.path == "/readyz" || req.path == "/metrics";
  if (!operational) TOUSU_RETURN_IF_ERROR(limited(deps_.address_limiter, req.remote, "address"));
  TOUSU_RETURN_IF_ERROR(match.status());
  const Route& route = *match->route;
  req.path_params = std::move(match->params);

  const std::string token = BearerToken(req);
  if (!token.empty()) {
    if (auto cached = deps_.auth.Cached(token)) {
      req.principal = std::move(*cached);
    } else {
      TOUSU_RETURN_IF_ERROR(deps_.store.Read([&](ReadTx& tx) -> Status {
        TOUSU_ASSIGN_OR_RETURN(req.principal, deps_.auth.Resolve(tx, token));
        return Status::Ok();
      }));
    }
    TOUSU_RETURN_IF_ERROR(limited(deps_.token_limiter, req.principal.credential_id, "token"));
  }
  if (!route.roles.count(req.principal.role) && !route.roles.count(Role::kPublic)) {
    if (req.principal.role == Role::kPublic) {
      return Status::Unauthenticated("authentication required: send Authorization: Bearer TOKEN");
    }
    return Status::PermissionDenied("the " + std::string(ToString(req.principal.role)) +
                                    " role may not call " + route.method + " " + route.pattern);
  }
  if (route.body == BodyKind::kJson && !IsJsonContentType(req.Header("content-type"))) {
    return Status::UnsupportedMediaType("send the body as JSON with Content-Type: application/json");
  }
  if (route.body == BodyKind::kText && !IsTextContentType(req.Header("content-type"))) {
    return Status::UnsupportedMediaType(
        "send the body as UTF-8 text with Content-Type: application/toml (or text/plain)");
  }
  return &route;
}

void Api::Dispatch(Request& req, std::string* route_label,
                   const std::function<void(Response)>& reply) {
  auto route = Admit(req, route_label);
  if (!route.ok()) return Continue(req, route.status(), reply);
  if ((*route)->body == BodyKind::kStream) {
    // The server streams these (PlanBody); a buffered request here is a server bug.
    return Continue(req, Status::Internal("streamed route reached Dispatch"), reply);
  }
  Continue(req, (*route)->handler(req), reply);
}

BodyPlan Api::PlanBody(const std::string& method, const std::string& path) const {
  auto match = router_.Find(method, path);
  if (!match.ok() || match->route->body != BodyKind::kStream) return BodyPlan{};
  return BodyPlan{true, match->route->max_body_bytes};
}

void Api::CountServerAnswer(const Request& req, int status) const {
  if (deps_.metrics == nullptr) return;
  std::string route = "unmatched";
  if (!req.path.empty()) {
    if (auto match = router_.Find(req.method, req.path); match.ok()) route = match->route->pattern;
  }
  deps_.metrics->CountRequest(route, req.method, status);
}

StatusOr<std::unique_ptr<BodySink>> Api::OpenStream(Request& req) {
  std::string route_label = "unmatched";
  auto open = [&]() -> StatusOr<std::unique_ptr<BodySink>> {
    TOUSU_ASSIGN_OR_RETURN(const Route* route, Admit(req, &route_label));
    if (route->body != BodyKind::kStream || !route->open_stream) {
      return Status::Internal("route " + route->pattern + " does not stream");
    }
    return route->open_stream(req);
  };
  StatusOr<std::unique_ptr<BodySink>> sink = Status::Internal("the stream was not opened");
  try {
    sink = open();
  } catch (const std::exception& e) {
    log::Error("handler_threw", {{"request_id", req.request_id}, {"what", e.what()}});
    sink = Status::Internal(e.what());
  }
  if (!sink.ok()) {
    // Answered before the body was read: logged and counted here.
    const Status& s = sink.status();
    if (s.code() == StatusCode::kInternal || s.code() == StatusCode::kCorruption) {
      log::Error("request_failed", {{"request_id", req.request_id}, {"detail", s.ToString()}});
    }
    const int status = HttpStatusOf(s.code());
    if (deps_.metrics != nullptr) deps_.metrics->ObserveRequest(route_label, req.method, status, 0);
    log::Info("request", {{"request_id", req.request_id}, {"method", req.method}, {"path", req.path},
                          {"status", status}, {"before_body", true}});
  }
  return sink;
}

void Api::FinishStream(Request req, std::unique_ptr<BodySink> sink,
                       std::function<void(Response)> reply) {
  auto route_label = std::make_shared<std::string>(std::string());
  if (auto match = router_.Find(req.method, req.path); match.ok()) *route_label = match->route->pattern;
  auto logged = Logged(req, route_label, std::move(reply));
  try {
    StatusOr<Outcome> outcome = sink->Finish(req);
    // The idempotency check compares this digest (and the query) instead of the body.
    req.body = "query:" + req.target + "\nbody-sha256:" + sink->Fingerprint();
    Continue(req, std::move(outcome), logged);
  } catch (const std::exception& e) {
    log::Error("handler_threw", {{"request_id", req.request_id}, {"what", e.what()}});
    logged(Problem(Status::Internal(e.what()), req.request_id));
  }
}

void Api::Continue(Request& req, StatusOr<Outcome> outcome,
                   const std::function<void(Response)>& reply) {
  if (!outcome.ok()) {
    if (outcome.status().code() == StatusCode::kInternal ||
        outcome.status().code() == StatusCode::kCorruption) {
      log::Error("request_failed",
                 {{"request_id", req.request_id}, {"detail", outcome.status().ToString()}});
    }
    return AnswerRead(req, Problem(outcome.status(), req.request_id), reply);
  }
  if (outcome->response) return AnswerRead(req, std::move(*outcome->response), reply);
  if (outcome->blocking) {
    auto shared = std::make_shared<Request>(std::move(req));
    boost::asio::post(blocking_, [this, shared, work = std::move(outcome->blocking), reply]() {
      StatusOr<Outcome> next = Status::Internal("blocking work did not run");
      try {
        next = work();
      } catch (const std::exception& e) {
        next = Status::Internal(std::string("blocking work threw: ") + e.what());
      }
      Continue(*shared, std::move(next), reply);
    });
    return;
  }
  RunWrite(req, std::move(outcome->write), reply);
}

// An answer computed from reads leaves only once everything those reads could have seen is
// durable (store.h): a commit is visible a moment before its fsync ends. Under a read-only
// load that is always already so, and the answer goes at once.
void Api::AnswerRead(const Request& req, Response r, const std::function<void(Response)>& reply) {
  const uint64_t horizon = deps_.store.ReadHorizon();
  if (deps_.store.Durable(horizon)) return reply(std::move(r));
  auto pending = std::make_shared<Response>(std::move(r));
  deps_.store.AfterDurable(horizon, [pending, reply, id = req.request_id](Status durable) {
    if (!durable.ok()) return reply(Problem(durable, id));
    reply(std::move(*pending));
  });
}

void Api::AfterReadsDurable(std::function<void(Status durable)> fn) {
  deps_.store.AfterDurable(deps_.store.ReadHorizon(), std::move(fn));
}

void Api::RefuseStream(const Request& req, const Status& why, const std::function<void(Response)>& reply) {
  AnswerRead(req, Problem(why, req.request_id), reply);
}

Api::~Api() { blocking_.join(); }

void Api::RunWrite(Request& req, std::function<StatusOr<Response>(WriteTx&)> write,
                   std::function<void(Response)> reply) {
  std::string key = req.method == "POST" ? req.Header("idempotency-key") : "";
  if (!key.empty()) {
    Status s = CheckIdempotencyKey(key);
    if (!s.ok()) return reply(Problem(s, req.request_id));
  }
  const std::string scope = IdempotencyScope(req.principal);
  const std::string platform = req.principal.platform_id;
  const std::string hash =
      key.empty() ? "" : Sha256Hex(req.method + "\n" + req.path + "\n" + req.body);
  const Instant now = deps_.clock.Now();
  auto result = std::make_shared<Response>();

  deps_.store.Write(
      [=, write = std::move(write)](WriteTx& tx) -> Status {
        if (!key.empty()) {
          TOUSU_ASSIGN_OR_RETURN(auto prior, tx.GetIdempotency(platform, scope, key));
          if (prior) {
            if (prior->request_hash != hash) {
              return Status::Conflict(
                  "this Idempotency-Key was used with a different request; use a new key");
            }
            result->status = prior->status;
            result->body = prior->body;
            result->headers.emplace_back("Idempotent-Replayed", "true");
            return Status::Ok();
          }
        }
        TOUSU_ASSIGN_OR_RETURN(*result, write(tx));
        if (!key.empty() && result->status < 300) {
          result->RenderBody();  // the record keeps the body, so it is made here
          TOUSU_RETURN_IF_ERROR(tx.PutIdempotency(
              platform, scope, key, IdempotencyRecord{hash, result->status, result->body, now}));
        }
        return Status::Ok();
      },
      [result, reply = std::move(reply), id = req.request_id](Status s) {
        if (!s.ok()) {
          if (s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable) {
            log::Error("write_failed", {{"request_id", id}, {"detail", s.ToString()}});
          }
          return reply(Problem(s, id));
        }
        reply(std::move(*result));
      });
}

}  // namespace tousu::http
