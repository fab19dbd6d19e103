// The gauges /metrics reads from the store. Most are cheap (the WAL's state, the log's size, the
// latest checkpoint, the oldest due deadline) and are read at every scrape. Two are not: the
// complaints by status and tier, and the pending deadlines, are counts over whole tables (about
// a second of a reader at 10^6 complaints), so they are read at most once per interval, off the
// HTTP threads, however many clients ask (CountsReading).
#ifndef TOUSU_APP_STORE_GAUGES_H_
#define TOUSU_APP_STORE_GAUGES_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "http/metrics.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {

// A reading that is costly to take, taken at most once per `max_age` however often it is asked
// for. The caller that finds the last reading too old takes the next one itself; callers
// meanwhile get the last reading at once, and wait only while there is none yet. A failed
// reading is not kept: the next caller tries again.
// Thread-safety: Get may be called from any number of threads.
class CountsReading {
 public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
  struct Result {
    std::vector<http::Gauge> gauges;  // of the last good reading; empty if there is none
    double age_seconds = 0;           // since that reading began
    bool ok = true;                   // false: this call's own reading failed
  };

  CountsReading(std::function<StatusOr<std::vector<http::Gauge>>()> read,
                std::chrono::steady_clock::duration max_age,
                SteadyClock now = [] { return std::chrono::steady_clock::now(); });

  Result Get();

 private:
  Result LastLocked(std::chrono::steady_clock::time_point now, bool ok) const;

  const std::function<StatusOr<std::vector<http::Gauge>>()> read_;
  const std::chrono::steady_clock::duration max_age_;
  const SteadyClock now_;
  std::mutex mu_;
  std::condition_variable taken_cv_;
  bool taking_ = false;                             // GUARDED_BY(mu_)
  std::optional<std::vector<http::Gauge>> last_;    // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_at_;   // GUARDED_BY(mu_)
};

// The whole-table counts: complaints by status and tier, deadlines pending and due.
StatusOr<std::vector<http::Gauge>> ReadCounts(Store& store, Instant now);

// Every store gauge of a scrape: the cheap ones read now, `counts` as CountsReading gives them.
std::vector<http::Gauge> StoreGauges(SqliteStore& store, Instant now, CountsReading& counts);

}  // namespace tousu

#endif  // TOUSU_APP_STORE_GAUGES_H_
