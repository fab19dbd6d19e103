// Metrics: counters and latency histograms for GET /metrics in the Prometheus text format
// (version 0.0.4). Request series are labelled by route pattern (never by raw path, so the
// label set stays bounded), method and status; the latency histogram by status class (2xx,
// 4xx, ...). Gauges that live in the store (complaints by state, pending deadlines, ...) are
// passed to Render at each scrape (app/store_gauges.h).
// Thread-safety: all methods may be called from any thread.
#ifndef TOUSU_HTTP_METRICS_H_
#define TOUSU_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace tousu::http {

// Cumulative histogram with fixed bucket bounds (seconds).
class Histogram final {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void Observe(double seconds);
  // Appends NAME_bucket/_sum/_count lines with `labels` ("" or `a="b",c="d"`).
  void Render(const std::string& name, const std::string& labels, std::string* out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> counts_{};  // last: +Inf
  std::atomic<uint64_t> sum_micros_{0};
};

// A sample read at scrape time: NAME{labels} value.
struct Gauge {
  std::string name;
  std::string help;
  std::vector<std::pair<std::string, double>> samples;  // labels → value
  const char* type = "gauge";  // or "counter", for a total read at scrape time
};

class Metrics final {
 public:
  // `route` is a route pattern (or "unmatched"); a method outside GET, HEAD, POST, PUT, PATCH,
  // DELETE and OPTIONS is counted as "other", so no client can add series without end.
  void ObserveRequest(const std::string& route, const std::string& method, int status, double seconds);
  // A request answered without a complete request to time from (the HTTP layer's own 400, 408,
  // 413, 431, 503): counted in tousu_http_requests_total, not in the latency histogram.
  void CountRequest(const std::string& route, const std::string& method, int status);
  void CountRejected(const std::string& limiter);  // "address", "token", "login"
  // Client connections: open now (set by the HTTP server as they come and go), and refused at
  // accept because the connection cap, or the client address's own limit, was reached.
  void SetOpenConnections(size_t n) { open_connections_.store(n, std::memory_order_relaxed); }
  // A request answered 503 before its body was read: the bodies being received filled the budget.
  void CountBodyBudgetRefusal() { body_budget_refusals_.fetch_add(1, std::memory_order_relaxed); }
  // The body budget in use: `delta` bytes reserved (positive) or released (negative).
  void AddBodyBytesReserved(int64_t delta) { body_bytes_reserved_.fetch_add(delta, std::memory_order_relaxed); }
  void CountRefusedConnection(bool per_address) {
    (per_address ? refused_per_address_ : refused_connections_).fetch_add(1, std::memory_order_relaxed);
  }
  Histogram& commit_latency() { return commit_latency_; }

  std::string Render(const std::vector<Gauge>& gauges) const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // GUARDED_BY(mu_)
  std::map<std::tuple<std::string, std::string, int>, Histogram> latency_;  // GUARDED_BY(mu_); status / 100
  std::map<std::string, uint64_t> rejected_;                                 // GUARDED_BY(mu_)
  Histogram commit_latency_;
  std::atomic<size_t> open_connections_{0};
  std::atomic<uint64_t> refused_connections_{0};
  std::atomic<uint64_t> refused_per_address_{0};
  std::atomic<uint64_t> body_budget_refusals_{0};
  std::atomic<int64_t> body_bytes_reserved_{0};
};

// `value` with quotes, backslashes and newlines escaped for a label.
std::string EscapeLabel(const std::string& value);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_METRICS_H_
