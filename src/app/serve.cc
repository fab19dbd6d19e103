#include "app/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <dlfcn.h>

#include <condition_variable>
#include <cstdio>
#include <functional>
#include <thread>

#include "app/data_dir.h"
#include "app/store_gauges.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "base/thread_name.h"
#include "evidence/blob_store.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/server.h"
#include "service/passwords.h"

namespace tousu {

namespace net = boost::asio;

namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);

// The test clock resumes where the last run left it (never back), or at the real time if later.
StatusOr<Instant> TestClockStart(Store& store) {
  Instant start = SystemClock().Now();
  TOUSU_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto v, tx.GetMeta("test_clock_now"));
    if (v) {
      Instant saved = Instant::FromUnixSeconds(std::stoll(*v));
      if (saved > start) start = saved;
    }
    return Status::Ok();
  }));
  return start;
}

// Runs `task` now and then every `interval` on its own thread until stopped (the deadline
// sweeper, the checkpoint signer).
class Periodic {
 public:
  Periodic(std::string name, Duration interval, std::function<void()> task)
      : task_(std::move(task)), interval_(interval), thread_([this, name] {
          NameThisThread(name);
          Run();
        }) {}
  ~Periodic() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      task_();
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stop_; });
    }
  }
  const std::function<void()> task_;
  const Duration interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// The malloc in use: jemalloc when the binary is linked with it (or it is preloaded), for the
// startup log, since the benchmarks' figures depend on it.
std::string AllocatorName() {
  using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);
  auto mallctl = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"));
  const char* version = nullptr;
  size_t size = sizeof version;
  if (mallctl != nullptr && mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr) {
    return std::string("jemalloc ") + version;
  }
  return "glibc";
}

// The complaint cache's figures (http/complaint_cache.h).
std::vector<http::Gauge> CacheGauges(const http::ComplaintCache& cache) {
  const http::ComplaintCache::Stats s = cache.stats();
  auto one = [](const char* name, const char* type, const char* help, double v) {
    return http::Gauge{name, help, {{"", v}}, type};
  };
  return {
      one("tousu_complaint_cache_hits_total", "counter",
          "Complaint reads answered from the cache of rendered answers.", static_cast<double>(s.hits)),
      one("tousu_complaint_cache_misses_total", "counter",
          "Complaint reads the cache could not answer (read from the store).", static_cast<double>(s.misses)),
      one("tousu_complaint_cache_fills_refused_total", "counter",
          "Answers not cached because the complaint changed while they were read.",
          static_cast<double>(s.refused_fills)),
      one("tousu_complaint_cache_invalidations_total", "counter",
          "Complaints dropped from the cache because a commit updated them.", static_cast<double>(s.invalidations)),
      one("tousu_complaint_cache_evictions_total", "counter",
          "Complaints dropped from the cache to stay within its memory budget.", static_cast<double>(s.evictions)),
      one("tousu_complaint_cache_entries", "gauge", "Complaints with a cached answer.",
          static_cast<double>(s.entries)),
      one("tousu_complaint_cache_bytes", "gauge",
          "Memory the cached answers are counted as (compressed, with bookkeeping); at most [cache] complaint_bytes.",
          static_cast<double>(s.bytes)),
      one("tousu_complaint_cache_raw_bytes", "gauge", "The cached answers' size uncompressed.",
          static_cast<double>(s.raw_bytes)),
  };
}

}  // namespace

int Serve(const Config& config) {
  log::Init(config.log_level);
  std::string host;
  uint16_t port = 0;
  if (Status s = ParseListen(config.listen, &host, &port); !s.ok()) {
    std::fprintf(stderr, "tousu serve: %s\n", s.message().c_str());
    return 2;
  }
  http::Metrics metrics;
  // Declared before the store, whose writer calls it until the store is closed.
  http::ComplaintCache::Options cache_options;
  cache_options.max_bytes = static_cast<size_t>(config.complaint_cache_bytes);
  http::ComplaintCache complaint_cache(cache_options);
  StoreOptions store_options;
  store_options.sqlite.on_commit = [&metrics](double seconds, size_t) { metrics.commit_latency().Observe(seconds); };
  store_options.postgres.on_commit = store_options.sqlite.on_commit;
  auto opened = OpenDataDir(config.data_dir, store_options);
  if (!opened.ok()) {
    std::fprintf(stderr, "tousu serve: %s\n", opened.status().message().c_str());
    if (!opened.status().detail().empty()) std::fprintf(stderr, "  (%s)\n", opened.status().detail().c_str());
    return 2;
  }
  std::unique_ptr<Store> store = std::move(*opened);
  store->OnComplaintsUpdated([&complaint_cache](const std::vector<ComplaintKey>& keys) {
    complaint_cache.Invalidate(keys);
  });
  auto signer = LoadLogSigner(config.data_dir);
  if (!signer.ok()) {
    std::fprintf(stderr, "tousu serve: %s\n", signer.status().message().c_str());
    return 2;
  }
  auto blobs = evidence::BlobStore::Open(config.data_dir);
  if (!blobs.ok()) {
    std::fprintf(stderr, "tousu serve: %s\n", blobs.status().ToString().c_str());
    return 2;
  }
  if (int removed = (*blobs)->RemoveLeftovers(); removed > 0) {
    log::Info("unfinished_uploads_removed", {{"count", removed}});
  }
  if (!InitPasswordHashing()) {
    std::fprintf(stderr, "tousu serve: libsodium failed to initialise\n");
    return 1;
  }

  SystemClock system_clock;
  std::unique_ptr<ManualClock> test_clock;
  if (config.test_clock) {
    auto start = TestClockStart(*store);
    if (!start.ok()) {
      std::fprintf(stderr, "tousu serve: %s\n", start.status().ToString().c_str());
      return 1;
    }
    test_clock = std::make_unique<ManualClock>(*start);
    log::Warn("test_clock_enabled", {{"now", FormatRfc3339(*start)}});
  }
  const Clock& clock = test_clock ? static_cast<const Clock&>(*test_clock) : system_clock;

  IdGenerator ids;
  AuthService auth(system_clock, ids, config.session_ttl);
  PlatformService platforms(clock, ids, auth);
  ComplaintService complaints(clock, ids);
  EvidenceService evidence(clock, ids, complaints);
  CheckpointSigner checkpoints(clock, std::move(*signer));
  Sweeper sweeper(*store, complaints);
  std::atomic<bool> stopping{false};

  // Deadlines that passed while the server was down act before the first request.
  if (auto report = sweeper.RunDue(clock.Now()); !report.ok()) {
    log::Error("sweep_failed", {{"detail", report.status().ToString()}});
  }

  const int threads = config.threads > 0 ? config.threads
                                         : std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(threads);
  http::RateLimiter address_limiter(config.address_per_second, config.address_burst);
  http::RateLimiter token_limiter(config.token_per_second, config.token_burst);
  http::LoginThrottle login_throttle(config.login_free_failures);
  http::ApiDeps deps{*store, clock, test_clock.get(), ids, auth, platforms, complaints, sweeper, &stopping};
  deps.metrics = &metrics;
  deps.address_limiter = &address_limiter;
  deps.token_limiter = &token_limiter;
  deps.login_throttle = &login_throttle;
  CountsReading counts([&store, &clock] { return ReadCounts(*store, clock.Now()); },
                       config.metrics_counts_interval);
  const Instant started = clock.Now();
  deps.gauges = [&store, &clock, &complaint_cache, &counts, started] {
    auto gauges = StoreGauges(*store, clock.Now(), started, counts);
    for (auto& g : CacheGauges(complaint_cache)) gauges.push_back(std::move(g));
    return gauges;
  };
  if (complaint_cache.enabled()) deps.complaint_cache = &complaint_cache;
  deps.evidence = &evidence;
  deps.checkpoints = &checkpoints;
  deps.blobs = blobs->get();
  deps.max_upload_bytes = config.max_upload_bytes;
  http::Api api(deps);
  http::HttpServer server(ioc, api, config.limits);
  if (Status s = server.Start(host, port); !s.ok()) {
    std::fprintf(stderr, "tousu serve: %s\n", s.ToString().c_str());
    store->Close();
    return 1;
  }
  log::Info("serving", {{"listen", host + ":" + std::to_string(server.port())},
                        {"threads", threads},
                        {"allocator", AllocatorName()},
                        {"data", config.data_dir}});
  std::printf("tousu %s serving on http://%s:%u\n", TOUSU_VERSION, host.c_str(), server.port());
  std::fflush(stdout);

  auto sweep_loop = std::make_unique<Periodic>("tousu-sweep", config.sweep_interval, [&sweeper, &clock] {
    auto report = sweeper.RunDue(clock.Now());
    if (!report.ok()) log::Error("sweep_failed", {{"detail", report.status().ToString()}});
  });
  // A checkpoint is signed on this timer whenever the log grew (and on demand by the API).
  auto sign_checkpoint = [&store, &checkpoints] {
    store->Write([&checkpoints](WriteTx& tx) { return checkpoints.SignIfGrown(tx).status(); },
                 [](Status s) {
                   if (!s.ok()) log::Error("checkpoint_failed", {{"detail", s.ToString()}});
                 });
  };
  auto checkpoint_loop = std::make_unique<Periodic>("tousu-checkpoint", config.checkpoint_interval, sign_checkpoint);

  // Shutdown: stop accepting, let in-flight requests finish (up to kDrainTimeout), then stop.
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  net::steady_timer drain_timer(ioc);
  const auto drain_deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> wait_drained = [&] {
    if (server.ActiveSessions() == 0 || std::chrono::steady_clock::now() > *drain_deadline) {
      ioc.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](boost::system::error_code) { wait_drained(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    log::Info("shutting_down", {{"signal", signo}, {"open_connections", server.ActiveSessions()}});
    stopping = true;
    server.StopAccepting();
    *drain_deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    wait_drained();
  });

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    pool.emplace_back([&ioc] {
      NameThisThread("tousu-io");
      ioc.run();
    });
  }
  NameThisThread("tousu-io");
  ioc.run();
  for (auto& t : pool) t.join();

  sweep_loop->Stop();
  checkpoint_loop->Stop();
  counts.Stop();
  api.FinishBlocking();
  sign_checkpoint();  // the last changes get a signed checkpoint before the store closes
  store->Close();  // finishes queued writes, then checkpoints the WAL
  log::Info("stopped", {});
  return 0;
}

}  // namespace tousu
