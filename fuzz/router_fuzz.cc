// The request target: path splitting and percent-decoding (http/router.h SplitPath), matching
// against the server's real route table (Router::Find), the list parameters every list
// endpoint reads from the query (http/handler_util.h LimitParam, DecodeCursor), and the log's
// and proofs' whole-number parameters (http/proof_answer.h ParseIndex, IndexParam): the path's
// {index} and {seq}, ?first=, ?second=, ?index=, ?tree_size=.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "fuzz/fuzz_world.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/proof_answer.h"
#include "http/router.h"

namespace {

bool IsParam(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// ParseIndex's bound (http/proof_answer.h: "a decimal integer 0..2^53").
constexpr int64_t kMaxIndex = int64_t{1} << 53;

// The value `text` names as ParseIndex should read it: decimal digits only (leading zeros
// allowed; no sign, so not "-0"); nullopt for anything else or a value over 2^53. Worked out on
// the digits themselves (compared as text with 2^53 before any arithmetic), not with
// from_chars, so that it cannot share its bugs.
std::optional<int64_t> DecimalIndex(std::string_view text) {
  std::string_view digits = text;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));  // leading zeros
  static constexpr std::string_view kMax = "9007199254740992";                   // 2^53
  if (digits.size() > kMax.size() || (digits.size() == kMax.size() && digits > kMax)) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// ParseIndex on any text: an accepted value is in 0..2^53 and is the number the text writes in
// decimal; a refusal is an InvalidArgument (400) naming `field`, and only of text that is not
// such a number.
void CheckIndex(const std::string& field, const std::string& text) {
  auto v = tousu::http::ParseIndex(field, text);
  const std::optional<int64_t> want = DecimalIndex(text);
  if (v.ok()) {
    FUZZ_CHECK(*v >= 0 && *v <= kMaxIndex, field + " '" + text + "' accepted as " + std::to_string(*v));
    FUZZ_CHECK(want && *want == *v, field + " '" + text + "' read as " + std::to_string(*v) + ", which it does not write");
    return;
  }
  const tousu::Status& s = v.status();
  FUZZ_CHECK(!want, field + " '" + text + "' refused though it is " + std::to_string(want.value_or(-1)) + ": " + s.ToString());
  FUZZ_CHECK(s.code() == tousu::StatusCode::kInvalidArgument && tousu::http::HttpStatusOf(s.code()) == 400,
             "refusal of " + field + " is not a 400: " + s.ToString());
  FUZZ_CHECK(!s.fields().empty() && s.fields().front().field == field,
             "refusal of " + field + " does not name it: " + s.ToString());
}

// IndexParam: an absent or empty ?name= is no value; any other is read as ParseIndex reads it.
void CheckIndexParam(const tousu::http::Request& req, const std::string& name) {
  auto v = tousu::http::IndexParam(req, name);
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) {
    FUZZ_CHECK(v.ok() && !v->has_value(), "absent or empty ?" + name + "= is not \"no value\"");
    return;
  }
  CheckIndex(name, it->second);
  auto direct = tousu::http::ParseIndex(name, it->second);
  FUZZ_CHECK(v.ok() == direct.ok(), "?" + name + "=" + it->second + " is read unlike ParseIndex");
  if (v.ok()) {
    FUZZ_CHECK(v->has_value() && **v == *direct, "?" + name + "=" + it->second + " has another value than ParseIndex's");
  } else {
    FUZZ_CHECK(v.status().code() == direct.status().code() && v.status().fields() == direct.status().fields(),
               "?" + name + "=" + it->second + " is refused unlike ParseIndex: " + v.status().ToString());
  }
}

void CheckSplit(const std::string& path) {
  auto segs = tousu::http::SplitPath(path);
  if (!segs) return;
  for (const auto& s : *segs) {
    FUZZ_CHECK(!s.empty() && s != "." && s != "..", "SplitPath let through segment '" + s + "'");
    FUZZ_CHECK(s.find('\0') == std::string::npos, "SplitPath let through a NUL");
  }
}

}  // namespace

TOUSU_FUZZ_TARGET(router) {
  using namespace tousu;
  const std::string text(fuzz::AsText(data, size));
  CheckSplit(text);

  http::Request req;
  req.target = text;
  if (!fuzz::SplitTarget(req)) return 0;
  CheckSplit(req.path);
  const auto& router = fuzz::FuzzWorld::Get().router();
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}) {
    auto m = router.Find(method, req.path);
    if (!m.ok()) {
      const StatusCode c = m.status().code();
      FUZZ_CHECK(c == StatusCode::kNotFound || c == StatusCode::kMethodNotAllowed, m.status().ToString());
      continue;
    }
    const http::Route& r = *m->route;
    FUZZ_CHECK(r.method == method || (std::string(method) == "HEAD" && r.method == "GET"),
               "matched a route of another method");
    // Every {param} of the template is bound, to the decoded segment in its place.
    auto segs = http::SplitPath(req.path);
    FUZZ_CHECK(segs && segs->size() == r.segments.size(), "matched a template of another length");
    size_t params = 0;
    for (size_t i = 0; i < r.segments.size(); ++i) {
      if (!IsParam(r.segments[i])) {
        FUZZ_CHECK(r.segments[i] == (*segs)[i], "literal segment differs");
        continue;
      }
      ++params;
      const std::string name = r.segments[i].substr(1, r.segments[i].size() - 2);
      auto it = m->params.find(name);
      FUZZ_CHECK(it != m->params.end() && it->second == (*segs)[i], "parameter not bound");
      // /v1/log/leaves/{index}, /v1/complaints/{id}/events/{seq}/proof read theirs with ParseIndex.
      if (name == "index" || name == "seq") CheckIndex(name, it->second);
    }
    FUZZ_CHECK(params == m->params.size(), "extra parameters bound");
  }

  // The log's and the proofs' query parameters, and whatever else the query names.
  for (const char* name : {"index", "tree_size", "first", "second"}) CheckIndexParam(req, name);
  for (const auto& param : req.query) CheckIndexParam(req, param.first);
  // ParseIndex on the whole input and on every path segment, decoded, as a path parameter is.
  CheckIndex("index", text);
  if (auto segs = http::SplitPath(req.path)) {
    for (const auto& seg : *segs) CheckIndex("seq", seg);
  }

  auto limit = http::LimitParam(req);
  if (limit.ok()) FUZZ_CHECK(*limit >= 1 && *limit <= 200, "limit out of range");
  if (auto it = req.query.find("cursor"); it != req.query.end()) {
    auto key = http::DecodeCursor(it->second);
    if (key.ok()) FUZZ_CHECK(http::EncodeCursor(*key) == it->second, "cursor round trip");
  }
  // A cursor the server gives out always decodes to its key.
  auto back = http::DecodeCursor(http::EncodeCursor(text.substr(0, 200)));
  FUZZ_CHECK(back.ok() && *back == text.substr(0, 200), "EncodeCursor output rejected");
  return 0;
}
