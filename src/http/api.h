// Api: the HTTP adapter's front door. It matches a request to its route, resolves the bearer
// token, checks the caller's role against the route (401/403 here and nowhere else), checks
// the Content-Type, calls the thin handler and, for writes, runs the handler's transaction
// with the Idempotency-Key record in the same transaction. Every error becomes a problem+json;
// nothing a client sends can escape as an exception.
//
// Streamed routes (uploads) are served in three steps driven by the server: PlanBody tells it,
// from the header alone, to stream; OpenStream authorizes the caller and opens the route's sink
// before a byte of the body is read; FinishStream answers once the sink has the whole body.
// Thread-safety: Serve may be called from any thread.
#ifndef TOUSU_HTTP_API_H_
#define TOUSU_HTTP_API_H_

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>

#include "base/clock.h"
#include "base/ids.h"
#include "evidence/blob_store.h"
#include "http/complaint_cache.h"
#include "http/limits.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/auth.h"
#include "service/complaints.h"
#include "service/evidence.h"
#include "service/platforms.h"
#include "service/sweeper.h"
#include "service/transparency_log.h"
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
  std::function<std::vector<Gauge>()> gauges;  // store-side gauges for a scrape (app/store_gauges.h)
  // The evidence vault and the transparency log: their routes answer 503 without them (serve
  // sets them; tests that only read the route table may leave them null).
  const EvidenceService* evidence = nullptr;
  const CheckpointSigner* checkpoints = nullptr;
  const evidence::BlobStore* blobs = nullptr;
  int64_t max_upload_bytes = 20 * 1024 * 1024;  // evidence files; larger uploads are 413
  // Answers of GET /v1/complaints/{id} (null: every read goes to the store). The store must
  // tell it of updated complaints (Store::OnComplaintsUpdated → ComplaintCache::Invalidate).
  ComplaintCache* complaint_cache = nullptr;
};

// How the server reads a request's body, decided from the header alone.
struct BodyPlan {
  bool streamed = false;
  size_t max_bytes = 0;  // streamed bodies only
};

class Api final {
 public:
  explicit Api(ApiDeps deps);
  ~Api();

  // Answers one request; `reply` is called exactly once, possibly on another thread.
  void Serve(Request req, std::function<void(Response)> reply);

  // Whether the route of `method` `path` streams its body (and up to what size).
  BodyPlan PlanBody(const std::string& method, const std::string& path) const;
  // For a streamed route: authenticates, authorizes and opens the route's sink. An error is the
  // answer to send without reading the body.
  StatusOr<std::unique_ptr<BodySink>> OpenStream(Request& req);
  // The answer to an OpenStream error: it came from reads (the caller's credentials, the
  // complaint's state), so, like every such answer, it leaves once what they saw is durable.
  void RefuseStream(const Request& req, const Status& why, const std::function<void(Response)>& reply);
  // Runs `fn` once everything the reads made so far could have seen is durable: at once, on
  // this thread, when it already is (always under a read-only load); else on a store thread.
  // Not Ok: the store cannot make it durable, or its disk has hung (Store::AfterDurable); the
  // status is the answer to send instead. For what the server tells a client from reads
  // before any answer, an upload's "100 Continue".
  void AfterReadsDurable(std::function<void(Status durable)> fn);
  // The whole streamed body is in `sink`: answers as Serve does.
  void FinishStream(Request req, std::unique_ptr<BodySink> sink, std::function<void(Response)> reply);

  // Counts an answer the HTTP server gave without the API (a malformed request, a header or body
  // over its limit, a body that came too slowly, the body budget's 503) under the route `req`
  // names, or "unmatched" when its request line was not read or names none. Not timed: there
  // was no complete request to time from.
  void CountServerAnswer(const Request& req, int status) const;

  // Waits for the slow work requests started (password checks) to end. Call once the HTTP
  // server has stopped, before the store they read closes.
  void FinishBlocking() { blocking_.join(); }

  const Router& router() const { return router_; }
  Metrics* metrics() const { return deps_.metrics; }  // null when not collected

 private:
  // Match, rate limits, token, role and Content-Type: the checks every request passes before
  // its handler. Sets *route_label to the route's pattern once matched.
  StatusOr<const Route*> Admit(Request& req, std::string* route_label);
  void Dispatch(Request& req, std::string* route_label, const std::function<void(Response)>& reply);
  void Continue(Request& req, StatusOr<Outcome> outcome, const std::function<void(Response)>& reply);
  void AnswerRead(const Request& req, Response r, const std::function<void(Response)>& reply);
  // Wraps `reply` so that the answer is logged and counted once.
  std::function<void(Response)> Logged(const Request& req, std::shared_ptr<std::string> route_label,
                                       std::function<void(Response)> reply);
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
void AddEvidenceRoutes(Router& r, const ApiDeps& d);
void AddLogRoutes(Router& r, const ApiDeps& d);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_API_H_
