// The gauges /metrics reads from the store. Most are cheap index lookups (the log's size, the
// latest checkpoint, the oldest due deadline) read at every scrape, on the HTTP thread. Two are
// not: the complaints by status and tier, and the pending deadlines, are counts over whole
// tables (about a second of a reader at 10^6 complaints). CountsReading takes those on a thread
// of its own, at most once per interval and only when asked for, and a scrape gets the last
// counts without waiting.
#ifndef TOUSU_APP_STORE_GAUGES_H_
#define TOUSU_APP_STORE_GAUGES_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "http/metrics.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {

// A reading that is costly to take, taken when asked for but at most once per `max_age`
// (whether it succeeds or fails, so a failing store is not scanned at every scrape). With
// `max_age` above 0 a thread of its own ("tousu-counts") takes it and Get never waits: it
// returns the last reading and asks for a new one when that is due. With `max_age` 0 every Get
// takes a reading on the caller's thread (for small stores and tests).
// Thread-safety: Get may be called from any number of threads.
class CountsReading {
 public:
  using Gauges = std::vector<http::Gauge>;
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
  struct Result {
    std::shared_ptr<const Gauges> gauges;  // the last good reading; null if there is none yet
    double age_seconds = 0;                // since that reading began
    bool failed = false;                   // the latest attempt failed
  };

  CountsReading(std::function<StatusOr<Gauges>()> read, std::chrono::steady_clock::duration max_age,
                SteadyClock now = [] { return std::chrono::steady_clock::now(); });
  ~CountsReading();
  CountsReading(const CountsReading&) = delete;
  CountsReading& operator=(const CountsReading&) = delete;

  Result Get();
  // Returns once no reading is asked for or running (tests, and before shutdown).
  void WaitIdle();
  // Ends the thread after the reading it is taking; Get then asks for none. Call before the
  // store it reads closes.
  void Stop();

 private:
  void Run();
  void Take(std::unique_lock<std::mutex>& lock);  // one reading, `lock` released meanwhile
  Result ResultLocked(std::chrono::steady_clock::time_point now) const;

  const std::function<StatusOr<Gauges>()> read_;
  const std::chrono::steady_clock::duration max_age_;
  const SteadyClock now_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;                                          // GUARDED_BY(mu_)
  bool taking_ = false;                                          // GUARDED_BY(mu_)
  bool stopping_ = false;                                        // GUARDED_BY(mu_)
  bool failed_ = false;                                          // GUARDED_BY(mu_)
  std::optional<std::chrono::steady_clock::time_point> tried_;  // GUARDED_BY(mu_)
  std::shared_ptr<const Gauges> last_;                           // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_at_;                // GUARDED_BY(mu_)
  std::thread thread_;                                           // only when max_age_ > 0
};

// The whole-table counts: complaints by status and tier, deadlines pending and due.
StatusOr<std::vector<http::Gauge>> ReadCounts(Store& store, Instant now);

// Every store gauge of a scrape: the cheap ones read now, `counts` as CountsReading gives them.
// `started`: when this server started, the checkpoint age's origin while none is signed.
std::vector<http::Gauge> StoreGauges(Store& store, Instant now, Instant started, CountsReading& counts);

}  // namespace tousu

#endif  // TOUSU_APP_STORE_GAUGES_H_
