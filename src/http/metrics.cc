#include "http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tousu::http {

namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// HTTP lets a client send any token as its method, and each label value is a series kept for
// the life of the process: methods outside the standard set share one label.
const std::string& MethodLabel(const std::string& method) {
  static const std::string kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  static const std::string kOther = "other";
  for (const std::string& m : kKnown) {
    if (m == method) return m;
  }
  return kOther;
}

// One metric family: its HELP and TYPE lines, then a sample per (labels without braces, value).
using Samples = std::vector<std::pair<std::string, std::string>>;
void AppendFamily(std::string* out, const std::string& name, const char* type, const std::string& help,
                  const Samples& samples) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const auto& [labels, value] : samples) {
    *out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + value + "\n";
  }
}

std::string Join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "," + b;
}

}  // namespace

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e6), std::memory_order_relaxed);
}

void Histogram::Render(const std::string& name, const std::string& labels, std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    const std::string le = i < kBounds.size() ? Number(kBounds[i]) : "+Inf";
    *out += name + "_bucket{" + Join(labels, "le=\"" + le + "\"") + "} " + std::to_string(cumulative) + "\n";
  }
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  *out += name + "_sum" + braces + " " + Number(sum_micros_.load() / 1e6) + "\n";
  *out += name + "_count" + braces + " " + std::to_string(cumulative) + "\n";
}

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status, double seconds) {
  const std::string& m = MethodLabel(method);
  std::lock_guard lock(mu_);
  ++requests_[{route, m, status}];
  latency_[{route, m, status / 100}].Observe(seconds);
}

void Metrics::CountRequest(const std::string& route, const std::string& method, int status) {
  const std::string& m = MethodLabel(method);
  std::lock_guard lock(mu_);
  ++requests_[{route, m, status}];
}

void Metrics::CountRejected(const std::string& limiter) {
  std::lock_guard lock(mu_);
  ++rejected_[limiter];
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
  std::string out;
  {
    std::lock_guard lock(mu_);
    out += "# HELP tousu_http_requests_total HTTP requests answered, by route pattern, method and status.\n";
    out += "# TYPE tousu_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out += "tousu_http_requests_total{route=\"" + EscapeLabel(route) + "\",method=\"" + method +
             "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP tousu_http_request_duration_seconds Time from a complete request to its answer, by route "
           "pattern, method and status class (2xx, 4xx, ...).\n";
    out += "# TYPE tousu_http_request_duration_seconds histogram\n";
    for (const auto& [key, h] : latency_) {
      const auto& [route, method, status_class] = key;
      h.Render("tousu_http_request_duration_seconds",
               "route=\"" + EscapeLabel(route) + "\",method=\"" + method + "\",status_class=\"" +
                   std::to_string(status_class) + "xx\"",
               &out);
    }
    Samples limited;
    for (const char* limiter : {"address", "token", "login"}) {
      auto it = rejected_.find(limiter);
      limited.emplace_back(std::string("limiter=\"") + limiter + "\"",
                           std::to_string(it == rejected_.end() ? 0 : it->second));
    }
    AppendFamily(&out, "tousu_rate_limited_total", "counter", "Requests refused with 429, by limiter.", limited);
  }
  auto load = [](const auto& a) { return std::to_string(a.load(std::memory_order_relaxed)); };
  AppendFamily(&out, "tousu_http_connections_open", "gauge", "Client connections open now.",
               {{"", load(open_connections_)}});
  AppendFamily(&out, "tousu_http_connections_refused_total", "counter",
               "Connections closed at accept, by the limit they met.",
               {{"limit=\"max_connections\"", load(refused_connections_)},
                {"limit=\"max_connections_per_address\"", load(refused_per_address_)}});
  AppendFamily(&out, "tousu_http_body_bytes_reserved", "gauge",
               "Bytes of limits.max_buffered_body_bytes held by the bodies being received.",
               {{"", std::to_string(std::max<int64_t>(0, body_bytes_reserved_.load(std::memory_order_relaxed)))}});
  AppendFamily(&out, "tousu_http_body_budget_refused_total", "counter",
               "Requests answered 503 before their body was read: the bodies being received filled "
               "limits.max_buffered_body_bytes.",
               {{"", load(body_budget_refusals_)}});
  out += "# HELP tousu_store_commit_duration_seconds Time of one group commit (fsync included).\n";
  out += "# TYPE tousu_store_commit_duration_seconds histogram\n";
  commit_latency_.Render("tousu_store_commit_duration_seconds", "", &out);
  for (const Gauge& g : gauges) {
    Samples samples;
    for (const auto& [labels, v] : g.samples) samples.emplace_back(labels, Number(v));
    AppendFamily(&out, g.name, g.type, g.help, samples);
  }
  return out;
}

}  // namespace tousu::http
