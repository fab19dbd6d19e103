#include "app/store_gauges.h"

#include <string>

#include "base/log.h"
#include "store/sql/log_node_cache.h"

namespace tousu {

CountsReading::CountsReading(std::function<StatusOr<std::vector<http::Gauge>>()> read,
                             std::chrono::steady_clock::duration max_age, SteadyClock now)
    : read_(std::move(read)), max_age_(max_age), now_(std::move(now)) {}

CountsReading::Result CountsReading::LastLocked(std::chrono::steady_clock::time_point now, bool ok) const {
  Result r;
  r.ok = ok;
  if (last_) {
    r.gauges = *last_;
    r.age_seconds = std::chrono::duration<double>(now - last_at_).count();
  }
  return r;
}

CountsReading::Result CountsReading::Get() {
  std::unique_lock lock(mu_);
  for (;;) {
    const auto now = now_();
    if (last_ && now - last_at_ < max_age_) return LastLocked(now, true);
    if (!taking_) break;
    if (last_) return LastLocked(now, true);  // being taken again: the last one meanwhile
    taken_cv_.wait(lock);                     // the first one is being taken
  }
  taking_ = true;
  const auto began = now_();
  lock.unlock();
  StatusOr<std::vector<http::Gauge>> fresh = Status::Internal("the counts were not read");
  try {
    fresh = read_();
  } catch (const std::exception& e) {
    fresh = Status::Internal(std::string("reading the counts threw: ") + e.what());
  }
  lock.lock();
  taking_ = false;
  taken_cv_.notify_all();
  if (!fresh.ok()) {
    log::Warn("metrics_counts_failed", {{"detail", fresh.status().ToString()}});
    return LastLocked(now_(), false);
  }
  last_ = std::move(*fresh);
  last_at_ = began;
  return LastLocked(now_(), true);
}

StatusOr<std::vector<http::Gauge>> ReadCounts(Store& store, Instant now) {
  std::vector<http::Gauge> out;
  TOUSU_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto counts, tx.CountComplaints());
    http::Gauge complaints{"tousu_complaints", "Complaints by status and tier.", {}};
    for (const auto& c : counts) {
      complaints.samples.emplace_back("status=\"" + std::string(ToString(c.status)) + "\",tier=\"" +
                                          std::string(ToString(c.tier)) + "\"",
                                      static_cast<double>(c.count));
    }
    out.push_back(std::move(complaints));
    TOUSU_ASSIGN_OR_RETURN(DeadlineStats d, tx.CountDeadlines(now));
    out.push_back({"tousu_deadlines_pending", "Deadlines waiting in the index.", {{"", static_cast<double>(d.pending)}}});
    out.push_back({"tousu_deadlines_due", "Deadlines due and not yet acted on.", {{"", static_cast<double>(d.due)}}});
    return Status::Ok();
  }));
  return out;
}

std::vector<http::Gauge> StoreGauges(SqliteStore& store, Instant now, CountsReading& counts) {
  std::vector<http::Gauge> out;
  out.push_back({"tousu_store_wal_pages",
                 "Pages in the SQLite write-ahead log after the last commit; it starts over at 4000 "
                 "unless a reader holds old pages.",
                 {{"", static_cast<double>(store.wal_pages())}}});
  out.push_back({"tousu_store_sync_running_seconds",
                 "How long the WAL fdatasync now running has taken (0 between syncs); over 10 s, "
                 "/readyz answers 503 until it returns.",
                 {{"", store.sync_running_seconds()}}});
  out.push_back({"tousu_store_checkpoint_running_seconds",
                 "How long the WAL checkpoint pass now running has taken (0 between passes); over 10 s, "
                 "/readyz answers 503 until it returns.",
                 {{"", store.checkpoint_running_seconds()}}});
  const sql::LogNodeCache& nodes = store.log_node_cache();
  out.push_back({"tousu_log_node_cache_nodes",
                 "Upper nodes of the transparency log's tree kept in memory for proofs (at most " +
                     std::to_string(sql::LogNodeCache::kDefaultCapacity) + ").",
                 {{"", static_cast<double>(nodes.size())}}});
  out.push_back({"tousu_log_node_cache_hits_total",
                 "Tree nodes that proofs found in that cache instead of reading SQLite.",
                 {{"", static_cast<double>(nodes.hits())}},
                 "counter"});

  // Cheap reads, every scrape: index lookups, not counts.
  Status live = store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto oldest, tx.DueDeadlines(now, 1));
    out.push_back({"tousu_sweeper_lag_seconds", "Age of the oldest due deadline not yet acted on.",
                   {{"", oldest.empty() ? 0.0 : static_cast<double>((now - oldest.front().due_at).count())}}});
    TOUSU_ASSIGN_OR_RETURN(int64_t leaves, tx.LogSize());
    out.push_back({"tousu_log_leaves", "Leaves in the transparency log (its tree size).",
                   {{"", static_cast<double>(leaves)}}});
    TOUSU_ASSIGN_OR_RETURN(auto checkpoint, tx.LatestCheckpoint());
    out.push_back({"tousu_log_checkpoint_tree_size",
                   "Tree size of the latest signed checkpoint (0 before the first); below tousu_log_leaves "
                   "until the next checkpoint covers the newer leaves.",
                   {{"", checkpoint ? static_cast<double>(checkpoint->tree_size) : 0.0}}});
    http::Gauge age{"tousu_log_checkpoint_age_seconds",
                    "Seconds since the latest checkpoint was signed; absent before the first. One is signed "
                    "every evidence.checkpoint_interval_seconds while the log grows.",
                    {}};
    if (checkpoint) age.samples.emplace_back("", static_cast<double>((now - checkpoint->signed_at).count()));
    out.push_back(std::move(age));
    return Status::Ok();
  });
  if (!live.ok()) log::Warn("metrics_store_read_failed", {{"detail", live.ToString()}});

  const CountsReading::Result c = counts.Get();
  for (const auto& g : c.gauges) out.push_back(g);
  out.push_back({"tousu_metrics_counts_age_seconds",
                 "Age of the complaint and deadline counts on this page: they are counted at most every "
                 "metrics.counts_interval_seconds.",
                 {{"", c.age_seconds}}});
  out.push_back({"tousu_up", "1 while the server runs; 0 when this scrape's store reads failed (their gauges are then missing or old).",
                 {{"", live.ok() && c.ok ? 1.0 : 0.0}}});
  return out;
}

}  // namespace tousu
