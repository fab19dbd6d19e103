// Sweeper: acts on deadlines that fell due, with no human involved. It reads only due rows from
// the deadline index (cost proportional to the due items, not to the open complaints) and runs
// each as its own write job, so one broken complaint cannot hold back the rest while the group
// commit still writes them together. Deadlines that came due while the server was down act at
// the first sweep after start.
// Thread-safety: RunDue may be called from several threads; calls are serialised.
#ifndef TOUSU_SERVICE_SWEEPER_H_
#define TOUSU_SERVICE_SWEEPER_H_

#include <mutex>

#include "service/complaints.h"
#include "store/store.h"

namespace tousu {

struct SweepReport {
  int handled = 0;  // deadlines that changed a complaint
  int dropped = 0;  // stale index rows removed
  int failed = 0;   // jobs that failed (logged; retried at the next sweep)
};

class Sweeper final {
 public:
  Sweeper(Store& store, const ComplaintService& complaints) : store_(store), complaints_(complaints) {}

  // Acts on every deadline due at or before `now`, including the ones those actions create
  // (a missed merchant deadline starts a review deadline that may itself be due).
  StatusOr<SweepReport> RunDue(Instant now);

 private:
  Store& store_;
  const ComplaintService& complaints_;
  std::mutex mu_;
};

}  // namespace tousu

#endif  // TOUSU_SERVICE_SWEEPER_H_
