#include "http/router.h"

namespace tousu::http {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      char c = static_cast<char>(hi << 4 | lo);
      if (c == '\0') return std::nullopt;
      out += c;
      i += 2;
    } else if (s[i] == '\0') {
      return std::nullopt;  // a raw NUL, like an escaped one
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsParam(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

}  // namespace

std::optional<std::vector<std::string>> SplitPath(const std::string& path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::vector<std::string> out;
  if (path == "/") return out;
  size_t start = 1;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string_view raw(path.data() + start, (slash == std::string::npos ? path.size() : slash) - start);
    if (raw.empty()) {
      if (slash == std::string::npos) break;  // one trailing slash is tolerated
      return std::nullopt;
    }
    auto seg = PercentDecode(raw);
    if (!seg || *seg == "." || *seg == "..") return std::nullopt;
    out.push_back(std::move(*seg));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

void Router::Add(Route route) {
  auto segs = SplitPath(route.pattern);
  route.segments = segs ? *segs : std::vector<std::string>{};
  routes_.push_back(std::move(route));
}

StatusOr<Match> Router::Find(const std::string& method, const std::string& encoded_path) const {
  auto segs = SplitPath(encoded_path);
  if (!segs) return Status::NotFound("no such resource: the path is malformed");
  std::vector<std::string> allowed;
  for (const Route& r : routes_) {
    if (r.segments.size() != segs->size()) continue;
    Match m;
    bool ok = true;
    for (size_t i = 0; i < segs->size() && ok; ++i) {
      if (IsParam(r.segments[i])) {
        m.params[r.segments[i].substr(1, r.segments[i].size() - 2)] = (*segs)[i];
      } else {
        ok = r.segments[i] == (*segs)[i];
      }
    }
    if (!ok) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      m.route = &r;
      return m;
    }
    allowed.push_back(r.method);
  }
  if (!allowed.empty()) {
    return Status::MethodNotAllowed("method " + method + " is not allowed here")
        .WithList("allow", allowed);
  }
  return Status::NotFound("no such resource: " + encoded_path.substr(0, 200));
}

}  // namespace tousu::http
