// The request target: path splitting and percent-decoding (http/router.h SplitPath), matching
// against the server's real route table (Router::Find), and the list parameters every list
// endpoint reads from the query (http/handler_util.h LimitParam, DecodeCursor).
#include "fuzz/fuzz_target.h"
#include "fuzz/fuzz_world.h"
#include "http/handler_util.h"
#include "http/router.h"

namespace {

bool IsParam(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

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
      auto it = m->params.find(r.segments[i].substr(1, r.segments[i].size() - 2));
      FUZZ_CHECK(it != m->params.end() && it->second == (*segs)[i], "parameter not bound");
    }
    FUZZ_CHECK(params == m->params.size(), "extra parameters bound");
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
