#include "http/problem.h"

#include <boost/json.hpp>

#include "evidence/utf8.h"

namespace tousu::http {

namespace json = boost::json;

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kMethodNotAllowed: return 405;
    case StatusCode::kConflict: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kUnsupportedMediaType: return 415;
    case StatusCode::kUnprocessable: return 422;
    case StatusCode::kRateLimited: return 429;
    case StatusCode::kInternal: return 500;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kCorruption: return 500;
  }
  return 500;
}

namespace {

std::string_view Title(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

Response Problem(const Status& s, const std::string& request_id) {
  // Messages may quote what the client sent (a form field's name, a parameter), which can be any
  // bytes; Boost.JSON writes strings as given, so each is made well-formed UTF-8 first.
  using evidence::WellFormedUtf8;
  const int status = HttpStatusOf(s.code());
  // A 500's cause stays in the server log; a 503 says what to wait for.
  const std::string detail = status >= 500 && status != 503
                                 ? "internal error; the request id identifies it in the server log"
                                 : WellFormedUtf8(s.message());
  json::object body{{"type", "/problems/" + std::string(StatusCodeName(s.code()))},
                    {"title", Title(status)},
                    {"status", status},
                    {"detail", detail}};
  if (status < 500 && !s.fields().empty()) {
    json::array errors;
    for (const auto& f : s.fields()) {
      errors.push_back(json::object{{"field", WellFormedUtf8(f.field)}, {"message", WellFormedUtf8(f.message)}});
    }
    body["errors"] = std::move(errors);
  }
  Response r;
  if (status < 500) {
    for (const auto& [name, values] : s.lists()) {
      json::array list;
      for (const auto& v : values) list.push_back(json::string(WellFormedUtf8(v)));
      body[name] = std::move(list);
    }
  }
  if (!request_id.empty()) body["request_id"] = request_id;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = json::serialize(body);
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tousu\"");
  if (status == 405) {
    auto it = s.lists().find("allow");
    std::string allow;
    if (it != s.lists().end()) {
      for (const auto& m : it->second) allow += (allow.empty() ? "" : ", ") + m;
    }
    r.headers.emplace_back("Allow", allow);
  }
  if (status == 429 && s.retry_after_seconds() > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(s.retry_after_seconds()));
  }
  return r;
}

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response LateJson(int status, std::function<std::string()> render) {
  Response r;
  r.status = status;
  r.render = std::move(render);
  return r;
}

}  // namespace tousu::http
