// Api: the HTTP adapter's front door. It matches a request to its route, resolves the bearer
// token, checks the caller's role against the route (401/403 here and nowhere else), checks
// the Content-Type, calls the thin handler and, for writes, runs the handler's transaction
// with the Idempotency-Key record in the same transaction. Every error becomes a problem+json;
// nothing a client sends can escape as an exception.
// Thread-safety: Serve may be called from any thread.
#ifndef TOUSU_HTTP_API_H_
#define TOUSU_HTTP_API_H_

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>

#include "base/clock.h"
#include "base/ids.h"
#include "http/limits.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/auth.h"
#include "service/complaints.h"
#include "service/platforms.h"
#include "service/sweeper.h"
#include "store/store.h"

namespace tousu::http {

struct ApiDeps {
  Store& store;
  const Clock& clock;
  ManualClock* test_clock;  // set only with --test-clock
  IdGenerator& ids;
  const AuthService& auth;
  const PlatformService& platforms;
  const ComplaintService& complaints;
  Sweeper& sweeper;
  std::atomic<bool>* stopping;  // set at shutdown; /readyz answers 503
  // Optional (null in tests that build an Api only to read its routes).
  Metrics* metrics = nullptr;
  RateLimiter* address_limiter = nullptr;
  RateLimiter* token_limiter = nullptr;
  LoginThrottle* login_throttle = nullptr;
  std::function<std::vector<Gauge>()> gauges;  // store-side gauges read at scrape time
};

class Api final {
 public:
  explicit Api(ApiDeps deps);
  ~Api();

  // Answers one request; `reply` is called exactly once, possibly on another thread.
  void Serve(Request req, std::function<void(Response)> reply);

  const Router& router() const { return router_; }

 private:
  void Dispatch(Request& req, std::string* route_label, const std::function<void(Response)>& reply);
  void Continue(Request& req, StatusOr<Outcome> outcome, const std::function<void(Response)>& reply);
  void RunWrite(Request& req, std::function<StatusOr<Response>(WriteTx&)> write,
                std::function<void(Response)> reply);

  ApiDeps deps_;
  Router router_;
  // Slow, CPU-bound work (password hashing) runs here so the HTTP threads stay responsive.
  boost::asio::thread_pool blocking_{2};
};

// Route groups, each in its own file.
void AddSystemRoutes(Router& r, const ApiDeps& d);
void AddPlatformRoutes(Router& r, const ApiDeps& d);
void AddComplaintRoutes(Router& r, const ApiDeps& d);
void AddPolicyRoutes(Router& r, const ApiDeps& d);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_API_H_
