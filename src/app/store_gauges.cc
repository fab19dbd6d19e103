#include "app/store_gauges.h"

#include <string>

#include "base/log.h"
#include "base/thread_name.h"
#include "store/sql/log_node_cache.h"

namespace tousu {

namespace {

// The families ReadCounts gives, shown without samples until the first counts are taken.
constexpr const char* kComplaintsHelp = "Complaints by status and tier.";
constexpr const char* kPendingHelp = "Deadlines waiting in the index.";
constexpr const char* kDueHelp = "Deadlines due and not yet acted on.";

}  // namespace

CountsReading::CountsReading(std::function<StatusOr<Gauges>()> read, std::chrono::steady_clock::duration max_age,
                             SteadyClock now)
    : read_(std::move(read)), max_age_(max_age), now_(std::move(now)) {
  if (max_age_ > std::chrono::steady_clock::duration::zero()) {
    thread_ = std::thread([this] {
      NameThisThread("tousu-counts");
      Run();
    });
  }
}

CountsReading::~CountsReading() { Stop(); }

void CountsReading::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wanted_ = false;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

CountsReading::Result CountsReading::Get() {
  std::unique_lock lock(mu_);
  const auto now = now_();
  const bool due = !tried_ || now - *tried_ >= max_age_;
  if (due && !taking_ && !stopping_) {
    if (thread_.joinable()) {
      wanted_ = true;
      cv_.notify_all();
    } else {
      Take(lock);
    }
  }
  return ResultLocked(now_());
}

void CountsReading::WaitIdle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !taking_ && (!wanted_ || stopping_); });
}

void CountsReading::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    Take(lock);
  }
}

void CountsReading::Take(std::unique_lock<std::mutex>& lock) {
  taking_ = true;
  wanted_ = false;
  const auto began = now_();
  tried_ = began;
  lock.unlock();
  StatusOr<Gauges> fresh = Status::Internal("the counts were not read");
  try {
    fresh = read_();
  } catch (const std::exception& e) {
    fresh = Status::Internal(std::string("reading the counts threw: ") + e.what());
  } catch (...) {
    fresh = Status::Internal("reading the counts threw");
  }
  if (!fresh.ok()) log::Warn("metrics_counts_failed", {{"detail", fresh.status().ToString()}});
  lock.lock();
  taking_ = false;
  failed_ = !fresh.ok();
  if (fresh.ok()) {
    last_ = std::make_shared<const Gauges>(std::move(*fresh));
    last_at_ = began;
  }
  cv_.notify_all();
}

CountsReading::Result CountsReading::ResultLocked(std::chrono::steady_clock::time_point now) const {
  Result r;
  r.gauges = last_;
  r.failed = failed_;
  if (last_) r.age_seconds = std::chrono::duration<double>(now - last_at_).count();
  return r;
}

StatusOr<std::vector<http::Gauge>> ReadCounts(Store& store, Instant now) {
  std::vector<http::Gauge> out;
  TOUSU_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto counts, tx.CountComplaints());
    http::Gauge complaints{"tousu_complaints", kComplaintsHelp, {}};
    for (const auto& c : counts) {
      complaints.samples.emplace_back("status=\"" + std::string(ToString(c.status)) + "\",tier=\"" +
                                          std::string(ToString(c.tier)) + "\"",
                                      static_cast<double>(c.count));
    }
    out.push_back(std::move(complaints));
    TOUSU_ASSIGN_OR_RETURN(DeadlineStats d, tx.CountDeadlines(now));
    out.push_back({"tousu_deadlines_pending", kPendingHelp, {{"", static_cast<double>(d.pending)}}});
    out.push_back({"tousu_deadlines_due", kDueHelp, {{"", static_cast<double>(d.due)}}});
    return Status::Ok();
  }));
  return out;
}

std::vector<http::Gauge> StoreGauges(Store& store, Instant now, Instant started, CountsReading& counts) {
  std::vector<http::Gauge> out;
  const sql::LogNodeCache* nodes = nullptr;
  if (auto* lite = dynamic_cast<SqliteStore*>(&store)) {
    out.push_back({"tousu_store_wal_pages",
                   "Pages in the SQLite write-ahead log after the last commit; it starts over at 4000 "
                   "unless a reader holds old pages.",
                   {{"", static_cast<double>(lite->wal_pages())}}});
    out.push_back({"tousu_store_sync_running_seconds",
                   "How long the WAL fdatasync now running has taken (0 between syncs); over 10 s, "
                   "/readyz answers 503 until it returns.",
                   {{"", lite->sync_running_seconds()}}});
    out.push_back({"tousu_store_checkpoint_running_seconds",
                   "How long the WAL checkpoint pass now running has taken (0 between passes); over 10 s, "
                   "/readyz answers 503 until it returns.",
                   {{"", lite->checkpoint_running_seconds()}}});
    nodes = &lite->log_node_cache();
  } else if (auto* pg = dynamic_cast<PgStore*>(&store)) {
    nodes = &pg->log_node_cache();
  }
  if (nodes != nullptr) {
    out.push_back({"tousu_log_node_cache_nodes",
                   "Upper nodes of the transparency log's tree kept in memory for proofs (at most " +
                       std::to_string(sql::LogNodeCache::kDefaultCapacity) + ").",
                   {{"", static_cast<double>(nodes->size())}}});
    out.push_back({"tousu_log_node_cache_hits_total",
                   "Tree nodes that proofs found in that cache instead of reading the store.",
                   {{"", static_cast<double>(nodes->hits())}},
                   "counter"});
  }

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
    out.push_back({"tousu_log_checkpoint_age_seconds",
                   "Seconds since the latest checkpoint was signed (since this server started, while none "
                   "has been). One is signed every evidence.checkpoint_interval_seconds while the log grows.",
                   {{"", static_cast<double>((now - (checkpoint ? checkpoint->signed_at : started)).count())}}});
    return Status::Ok();
  });
  if (!live.ok()) log::Warn("metrics_store_read_failed", {{"detail", live.ToString()}});

  const CountsReading::Result c = counts.Get();
  if (c.gauges) {
    out.insert(out.end(), c.gauges->begin(), c.gauges->end());
  } else {  // not counted yet: the families, without samples
    for (const auto& [name, help] : {std::pair{"tousu_complaints", kComplaintsHelp},
                                     {"tousu_deadlines_pending", kPendingHelp}, {"tousu_deadlines_due", kDueHelp}}) {
      out.push_back({name, help, {}});
    }
  }
  http::Gauge age{"tousu_metrics_counts_age_seconds",
                  "Age of the complaint and deadline counts on this page (absent until the first): a scrape "
                  "asks for new counts when these are metrics.counts_interval_seconds old, and gets them at a later one.",
                  {}};
  if (c.gauges) age.samples.emplace_back("", c.age_seconds);
  out.push_back(std::move(age));
  out.push_back({"tousu_up",
                 "1 while the server runs; 0 when a store read of this scrape failed, or the latest counting did "
                 "(those gauges are then missing or old).",
                 {{"", live.ok() && !c.failed ? 1.0 : 0.0}}});
  return out;
}

}  // namespace tousu
