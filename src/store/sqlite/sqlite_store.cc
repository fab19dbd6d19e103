#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>

#include "base/log.h"
#include "base/thread_name.h"
#include "store/sql/sql_tx.h"
#include "store/sql/store_threads.h"
#include "store/sqlite/schema.h"

namespace tousu {

using sql::SqliteConnection;
using CheckpointMode = SqliteConnection::CheckpointMode;

int SqliteStore::LatestSchemaVersion() { return sql::SqliteMigrations().back().version; }

namespace {
// How long a checkpoint that must copy everything (TRUNCATE) waits for readers of older frames.
constexpr std::chrono::milliseconds kCheckpointWait{10000};

}  // namespace

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, bool create,
                                                         Options options) {
  if (!create && !std::filesystem::exists(path)) {
    return Status::NotFound("no database at " + path);
  }
  TOUSU_ASSIGN_OR_RETURN(auto writer, SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite));
  TOUSU_RETURN_IF_ERROR(Migrate(*writer));
  // Migrations commit with synchronous=FULL; from here on COMMIT leaves the fsync to the syncer.
  TOUSU_RETURN_IF_ERROR(writer->Script("PRAGMA synchronous=NORMAL"));
  if (!options.writer_setup_sql.empty()) TOUSU_RETURN_IF_ERROR(writer->Script(options.writer_setup_sql));
  // The WAL the writer's connection opened (it exists from the first read on) is the file the
  // syncer makes durable: opened now, before any commit it must cover, with its directory
  // entry synced, or a crash could lose the whole file.
  const std::string wal = path + "-wal";
  const int wal_fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (wal_fd < 0) return Status::Unavailable("cannot open " + wal + ": " + std::strerror(errno));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int dir_rc = dir_fd < 0 ? -1 : ::fsync(dir_fd);
  const int dir_err = errno;
  if (dir_fd >= 0) ::close(dir_fd);
  if (dir_rc != 0) {
    ::close(wal_fd);
    return Status::Unavailable("cannot sync the directory of " + path + ": " + std::strerror(dir_err));
  }
  // The newest dictionary for assessments packs from now on (older ones are loaded when a row
  // needs them). Read before the store's threads start.
  auto dictionary = sql::SqlTx(*writer).NewestTextDictionary(sql::kAssessmentDictionary);
  if (!dictionary.ok()) {
    ::close(wal_fd);
    return dictionary.status();
  }
  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(writer), wal_fd));
  if (*dictionary) {
    TOUSU_RETURN_IF_ERROR(store->text_packer_.Adopt((*dictionary)->first, std::move((*dictionary)->second),
                                                    /*for_packing=*/true));
  }
  TOUSU_ASSIGN_OR_RETURN(store->checkpointer_,
                         SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite));
  store->checkpointer_thread_ = std::thread([s = store.get()] {
    NameThisThread("tousu-ckpt");
    s->CheckpointerLoop();
  });
  return store;
}

Status SqliteStore::Migrate(SqliteConnection& db) {
  TOUSU_ASSIGN_OR_RETURN(auto rows, db.Query("PRAGMA user_version", {}));
  const int current = rows.empty() ? 0 : static_cast<int>(rows.front().Int(0));
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    return Status::Unavailable("the data directory has schema version " + std::to_string(current) +
                               ", newer than this tousu knows (" + std::to_string(latest) +
                               "); run a newer tousu");
  }
  for (const auto& m : sql::SqliteMigrations()) {
    bool apply = m.version > current;
    if (!apply && !m.applied_unless_table.empty()) {
      TOUSU_ASSIGN_OR_RETURN(auto found, db.Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                                  {sql::Text(m.applied_unless_table)}));
      apply = found.empty();
    }
    if (!apply) continue;
    // Some migrations copy every complaint (version 9): on a large store that takes minutes,
    // so the start is logged too, not only the end.
    log::Info("schema_migrating", {{"version", m.version}, {"description", m.description}});
    TOUSU_RETURN_IF_ERROR(db.Script("BEGIN IMMEDIATE"));
    Status s = db.Script(m.sql);
    if (s.ok() && m.version > current) s = db.Script("PRAGMA user_version = " + std::to_string(m.version));
    if (!s.ok()) {
      (void)db.Script("ROLLBACK");
      return s.Annotate("migration " + std::to_string(m.version));
    }
    TOUSU_RETURN_IF_ERROR(db.Script("COMMIT"));
    log::Info("schema_migrated", {{"version", m.version}, {"description", m.description}});
  }
  return Status::Ok();
}

SqliteStore::SqliteStore(std::string path, Options options, std::unique_ptr<SqliteConnection> writer,
                         int wal_fd)
    : path_(std::move(path)),
      options_(options),
      writer_(std::move(writer)),
      wal_fd_(wal_fd),
      text_packer_(options.text_packer, [this](std::string bytes) { sql::StoreTrainedDictionary(*this, text_packer_, std::move(bytes)); }) {
  next_restart_frames_ = options_.restart_frames;
  writer_->OnWalCommit([this](int frames) {
    // Shorter than after the last commit: the WAL started over by itself (a checkpoint pass
    // caught up while writes paused), so a restart put off for a reader is due at the usual length.
    if (frames < wal_pages_.load(std::memory_order_relaxed)) next_restart_frames_ = options_.restart_frames;
    wal_frames_ = frames;
    wal_pages_.store(frames, std::memory_order_relaxed);
    if (frames < options_.checkpoint_frames) return;
    std::lock_guard lock(checkpoint_mu_);
    if (!checkpoint_wanted_) {
      checkpoint_wanted_ = true;
      checkpoint_cv_.notify_one();
    }
  });
  syncer_thread_ = std::thread([this] {
    NameThisThread("tousu-sync");
    SyncerLoop();
  });
  watchdog_thread_ = std::thread([this] {
    NameThisThread("tousu-diskwatch");
    WatchdogLoop();
  });
  writer_thread_ = std::thread([this] {
    NameThisThread("tousu-writer");
    WriterLoop();
  });
}

SqliteStore::~SqliteStore() { Close(); }

// ---- writes ---------------------------------------------------------------------------------

void SqliteStore::Write(WriteJob job, WriteDone done) {
  if (sync_failed_.load()) {
    return done(NotDurable());
  }
  {
    std::lock_guard lock(write_mu_);
    if (!closing_) {
      queue_.push_back({std::move(job), std::move(done)});
      write_cv_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("the store is shutting down"));
}

void SqliteStore::WriterLoop() {
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(write_mu_);
      write_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      if (queue_.front().checkpoint) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } else {
        while (!queue_.empty() && !queue_.front().checkpoint &&
               static_cast<int>(group.size()) < options_.max_group) {
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    if (group.front().checkpoint) {
      // After a failed sync the WAL may not be what is on disk: nothing is folded from it.
      auto result = RunCheckpoint(*writer_, CheckpointMode::kTruncate, kCheckpointWait);
      Status s = result.status;
      if (s.ok() && !result.complete) s = Status::Unavailable("a reader still needs the WAL; try the checkpoint again");
      sql::RunCallback("write_done", [&] { group.front().done(std::move(s)); });
    } else {
      RunGroup(group);
      MaybeRestartWal();
    }
    group.clear();
  }
}

void SqliteStore::RunGroup(std::vector<Pending>& group) {
  const auto started = std::chrono::steady_clock::now();
  if (sync_failed_.load()) {
    for (auto& p : group) sql::RunCallback("write_done", [&] { p.done(NotDurable()); });
    return;
  }
  std::vector<Status> results(group.size());
  // Transaction control through cached prepared statements (Exec), not re-parsed per job.
  auto run = [this](const char* sql) { return writer_->Exec(sql, {}).status(); };
  Status begin = run("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (auto& p : group) sql::RunCallback("write_done", [&] { p.done(begin); });
    return;
  }
  auto tx = std::make_unique<sql::SqlTx>(*writer_, /*writer=*/true, &text_packer_);
  JobsRun jobs = RunJobs(group, *tx, results, /*savepoints=*/false);
  // The rows the jobs held back (sql_tx.h), before COMMIT. If the database refuses them, the
  // job whose rows they are is found by running the group again with savepoints, where each
  // job's rows go in inside its own savepoint.
  Status flushed = jobs == JobsRun::kDone ? tx->Flush() : Status::Ok();
  if (!flushed.ok() && writer_->InTransaction()) {
    log::Warn("store_group_rows_refused", {{"jobs", group.size()}, {"detail", flushed.ToString()}});
    jobs = JobsRun::kRestart;
  }
  if (jobs == JobsRun::kRestart) {
    // A job failed after it had written: start the group over with each job in a savepoint of
    // its own, so that the failed one rolls back alone.
    Status again = run("ROLLBACK");
    if (again.ok()) again = run("BEGIN IMMEDIATE");
    if (!again.ok()) {
      log::Error("store_group_restart_failed", {{"detail", again.ToString()}, {"jobs", group.size()}});
      for (auto& p : group) sql::RunCallback("write_done", [&] { p.done(again); });
      return;
    }
    tx = std::make_unique<sql::SqlTx>(*writer_, /*writer=*/true, &text_packer_);
    jobs = RunJobs(group, *tx, results, /*savepoints=*/true);
    flushed = Status::Ok();  // each job's rows went in inside its savepoint
  }
  if (jobs == JobsRun::kLost || !flushed.ok()) {
    if (writer_->InTransaction()) (void)run("ROLLBACK");
    // Nothing of the group is in the database, whatever the jobs before the failure returned.
    const Status lost =
        flushed.ok() ? Status::Unavailable("the transaction was rolled back by the database; try again")
                     : Status::Unavailable("the database refused the group's log and outbox rows; try again")
                           .WithDetail(flushed.ToString());
    log::Error("store_group_rolled_back", {{"jobs", group.size()}, {"detail", flushed.ToString()}});
    for (auto& p : group) sql::RunCallback("write_done", [&] { p.done(lost); });
    return;
  }
  // Numbered before it runs: the commit becomes visible to readers during COMMIT, and a reader
  // that saw it must find a horizon at least this high afterwards.
  const uint64_t seq = commits_started_.fetch_add(1) + 1;
  Status commit = run("COMMIT");
  if (!commit.ok()) {
    (void)run("ROLLBACK");
    log::Error("store_commit_failed", {{"detail", commit.ToString()}, {"jobs", group.size()}});
    for (auto& r : results) r = Status::Unavailable("commit failed: " + commit.ToString());
  }
  // Visible to readers now; answers that depend on this commit wait for its fsync, which the
  // syncer runs only after this.
  if (commit.ok() && on_complaints_updated_ && !tx->updated_complaints().empty()) {
    sql::RunCallback("on_complaints_updated", [&] { on_complaints_updated_(tx->updated_complaints()); });
  }
  Committed c{seq, started, {}, std::move(results)};
  c.done.reserve(group.size());
  for (auto& p : group) c.done.push_back(std::move(p.done));
  std::lock_guard lock(sync_mu_);
  sync_queue_.push_back(std::move(c));
  sync_cv_.notify_one();
}

void SqliteStore::OnComplaintsUpdated(std::function<void(const std::vector<ComplaintKey>&)> fn) {
  // Handed to the writer thread through write_mu_, which it takes before each group.
  std::lock_guard lock(write_mu_);
  on_complaints_updated_ = std::move(fn);
}

// Most jobs that fail do so before they write anything (a missing order, an open complaint, a
// stale version): nothing to undo. So jobs run without a savepoint each, which spared the
// writer copying every page a job touched into a savepoint journal (~6 % of a filing), and a
// job that fails after writing sends the caller back to run the group with savepoints (kRestart).
// Jobs are functions of the transaction, so running one again repeats nothing outside it.
SqliteStore::JobsRun SqliteStore::RunJobs(std::vector<Pending>& group, sql::SqlTx& tx,
                                          std::vector<Status>& results, bool savepoints) {
  auto run = [this](const char* sql) { return writer_->Exec(sql, {}).status(); };
  for (size_t i = 0; i < group.size(); ++i) {
    Status s = savepoints ? run("SAVEPOINT job") : Status::Ok();
    if (!s.ok()) {
      if (!writer_->InTransaction()) return JobsRun::kLost;
      results[i] = s;
      continue;
    }
    const int64_t changed_before = writer_->RowsChanged();
    const size_t held_before = tx.held_rows();
    try {
      s = group[i].job(tx);
    } catch (const std::exception& e) {
      s = Status::Internal(std::string("write job threw: ") + e.what());
    } catch (...) {
      s = Status::Internal("write job threw a non-exception");
    }
    if (!s.ok() && !writer_->InTransaction()) return JobsRun::kLost;
    if (!savepoints) {
      if (!s.ok() && (writer_->RowsChanged() != changed_before || tx.held_rows() != held_before)) {
        return JobsRun::kRestart;
      }
      results[i] = s;
      continue;
    }
    // The rows this job held back go in inside its savepoint: refused, they fail this job alone.
    if (s.ok()) {
      s = tx.Flush();
      if (!s.ok() && !writer_->InTransaction()) return JobsRun::kLost;
    }
    Status end = Status::Ok();
    if (!s.ok()) {
      end = run("ROLLBACK TO job");
      tx.Forget();
    }
    if (end.ok()) end = run("RELEASE job");
    if (!end.ok() && !writer_->InTransaction()) return JobsRun::kLost;
    if (!end.ok() && s.ok()) s = end;
    results[i] = s;
  }
  return JobsRun::kDone;
}

// ---- durability -----------------------------------------------------------------------------

void SqliteStore::SyncerLoop() {
  for (;;) {
    std::deque<Committed> batch;
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return syncer_stop_ || !sync_queue_.empty(); });
      if (sync_queue_.empty()) break;  // stopping, and every group is through
      batch.swap(sync_queue_);
    }
    // One fdatasync covers every group taken: all of them were written to the WAL before it.
    if (!sync_failed_.load()) {
      sync_wait_.Begin();
      Status s = SyncWal();
      sync_wait_.End();
      if (!s.ok()) FailDurability(s);
    }
    const bool durable = !sync_failed_.load();
    std::vector<std::function<void(Status)>> ready;
    {
      std::lock_guard lock(sync_mu_);
      if (durable) durable_.store(batch.back().seq);
      const auto end = durable ? durable_waiters_.upper_bound(batch.back().seq) : durable_waiters_.end();
      for (auto it = durable_waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      durable_waiters_.erase(durable_waiters_.begin(), end);
    }
    const auto now = std::chrono::steady_clock::now();
    for (Committed& c : batch) {
      if (options_.on_commit) {
        sql::RunCallback("on_commit", [&] {
          options_.on_commit(std::chrono::duration<double>(now - c.started).count(), c.done.size());
        });
      }
      for (size_t i = 0; i < c.done.size(); ++i) {
        sql::RunCallback("write_done", [&] {
          c.done[i](durable ? c.results[i] : NotDurable());
        });
      }
    }
    for (auto& fn : ready) sql::RunCallback("after_durable", [&] { fn(durable ? Status::Ok() : NotDurable()); });
  }
  // Stopped: every commit is synced (or the store failed); nobody may be left waiting.
  std::multimap<uint64_t, std::function<void(Status)>> left;
  {
    std::lock_guard lock(sync_mu_);
    left.swap(durable_waiters_);
  }
  // Not a structured binding: clang 14 (make fuzz) cannot capture one in a lambda.
  for (auto& waiter : left) {
    auto& fn = waiter.second;
    const uint64_t h = waiter.first;
    sql::RunCallback("after_durable", [&] { fn(Durable(h) ? Status::Ok() : NotDurable()); });
  }
}

Status SqliteStore::SyncStall() {
  if (!sync_wait_.Stalled(options_.disk_stall)) return Status::Ok();
  return Status::Unavailable("the disk has not confirmed a write for " +
                             std::to_string(static_cast<int64_t>(sync_wait_.RunningSeconds())) +
                             " s; nothing read from the store can be answered until it does, try again later");
}

void SqliteStore::WatchdogLoop() {
  const auto tick = std::clamp(options_.disk_stall / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
  std::unique_lock lock(watchdog_mu_);
  while (!watchdog_cv_.wait_for(lock, tick, [this] { return watchdog_stop_; })) {
    lock.unlock();
    (void)checkpoint_wait_.Stalled(options_.disk_stall);  // logs a hung checkpoint pass
    if (Status stall = SyncStall(); !stall.ok()) {
      std::multimap<uint64_t, std::function<void(Status)>> held;
      {
        std::lock_guard sync_lock(sync_mu_);
        held.swap(durable_waiters_);
      }
      for (auto& waiter : held) sql::RunCallback("after_durable", [&] { waiter.second(stall); });
    }
    lock.lock();
  }
}

Status SqliteStore::SyncWal() {
  // SQLite writes the WAL through the file it opened, which stays the same while the writer's
  // connection is open. Should the name be gone or name another file (removed or replaced
  // from outside), syncing by name would sync a file nobody writes: that is a failure too.
  const std::string wal = path_ + "-wal";
  struct stat named {};
  struct stat open_one {};
  if (::stat(wal.c_str(), &named) != 0) {
    return Status::Unavailable("the WAL " + wal + " is gone (" + std::strerror(errno) +
                               "): the writes SQLite makes to it cannot be made durable");
  }
  if (::fstat(wal_fd_, &open_one) != 0) {
    return Status::Unavailable(std::string("cannot stat the open WAL: ") + std::strerror(errno));
  }
  if (open_one.st_ino != named.st_ino || open_one.st_dev != named.st_dev) {
    return Status::Unavailable("the WAL " + wal + " was replaced by another file");
  }
  const int rc = options_.sync_wal ? options_.sync_wal(wal_fd_) : (::fdatasync(wal_fd_) == 0 ? 0 : errno);
  if (rc != 0) return Status::Unavailable(std::string("fdatasync of the WAL failed: ") + std::strerror(rc));
  return Status::Ok();
}

void SqliteStore::FailDurability(const Status& why) {
  if (sync_failed_.exchange(true)) return;
  // PostgreSQL's lesson: after a failed fsync the kernel may have dropped the dirty pages, and
  // a second fsync can succeed without them. Only a restart (SQLite's recovery from what is
  // on disk) is safe.
  log::Error("store_durability_lost", {{"detail", why.ToString()}});
}

uint64_t SqliteStore::ReadHorizon() const { return commits_started_.load(); }

// Never after durability failed: a checkpoint's failure leaves every commit synced, and yet the
// database file may have lost pages that readers would then find stale.
bool SqliteStore::Durable(uint64_t horizon) const { return !sync_failed_.load() && durable_.load() >= horizon; }

void SqliteStore::AfterDurable(uint64_t horizon, std::function<void(Status)> fn) {
  if (Durable(horizon)) return fn(Status::Ok());
  // Not held behind a sync already known to hang (the watchdog released those before).
  if (Status stall = SyncStall(); !stall.ok() && !sync_failed_.load()) return fn(stall);
  {
    std::lock_guard lock(sync_mu_);
    // Checked again under the lock that the syncer advances durable_ with.
    if (!sync_failed_.load() && !Durable(horizon) && !syncer_stop_) {
      durable_waiters_.emplace(horizon, std::move(fn));
      return;
    }
  }
  fn(Durable(horizon) ? Status::Ok() : NotDurable());
}

SqliteConnection::CheckpointResult SqliteStore::Checked(SqliteConnection::CheckpointResult result) {
  if (result.io_error) {
    // The pages a checkpoint could not write or sync may be gone from the kernel's cache while
    // the WAL still has them; the next pass would see its sync succeed, count them copied and
    // let the WAL start over without them. So the store stops as after a failed WAL sync: the
    // WAL stays, and recovery at the next open copies it again.
    FailDurability(result.status.Annotate("checkpoint"));
    result.status = NotDurable();
  } else if (!result.status.ok()) {
    log::Warn("wal_checkpoint_failed", {{"detail", result.status.ToString()}});
  }
  return result;
}

void SqliteStore::MaybeRestartWal() {
  if (wal_frames_ < next_restart_frames_ || sync_failed_.load()) return;
  // SQLite refuses a second checkpoint at once, without waiting: wait here for the
  // checkpointer's pass (it copies what came since its last one, a few milliseconds).
  const auto restart = RunCheckpoint(*writer_, CheckpointMode::kRestart, options_.restart_wait);
  if (sync_failed_.load()) return;
  if (restart.complete) {
    next_restart_frames_ = options_.restart_frames;
  } else {
    // A reader (an export, say) still needs the old frames: try again once the WAL has grown
    // by as much again, rather than stall every group commit on it.
    next_restart_frames_ = wal_frames_ + options_.restart_frames;
  }
  wal_frames_ = 0;
}

void SqliteStore::CheckpointerLoop() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [this] { return checkpointer_stop_ || checkpoint_wanted_; });
      if (checkpointer_stop_) return;
      checkpoint_wanted_ = false;
    }
    // PASSIVE: copies what no reader still needs, waits for nobody; the next commit after a
    // complete one starts the WAL file over.
    // None runs after a failed sync (RunCheckpoint): the WAL may hold frames the disk does
    // not, and copying them into the database file would lose what SQLite's recovery checks on
    // the next start.
    (void)RunCheckpoint(*checkpointer_, CheckpointMode::kPassive, std::chrono::milliseconds(0));
  }
}

SqliteConnection::CheckpointResult SqliteStore::RunCheckpoint(SqliteConnection& conn, CheckpointMode mode,
                                                              std::chrono::milliseconds wait) {
  std::lock_guard pass(checkpoint_pass_mu_);
  // Checked under the lock: a pass that waited for it while durability failed must not run.
  if (sync_failed_.load()) return {NotDurable(), false, false};
  checkpoint_wait_.Begin();
  auto result = conn.Checkpoint(mode, wait);
  checkpoint_wait_.End();
  return Checked(std::move(result));
}

// ---- reads ----------------------------------------------------------------------------------

Status SqliteStore::Read(const ReadFn& fn) {
  TOUSU_ASSIGN_OR_RETURN(auto conn, readers_.Acquire([this] {
    return SqliteConnection::Open(path_, SqliteConnection::Mode::kReadOnly);
  }));
  Status s = conn->Exec("BEGIN", {}).status();
  if (s.ok()) {
    sql::SqlTx tx(*conn, log_node_cache_, &text_packer_);
    try {
      s = fn(tx);
    } catch (const std::exception& e) {
      s = Status::Internal(std::string("read threw: ") + e.what());
    }
    Status end = conn->Exec("COMMIT", {}).status();
    if (!end.ok()) {
      (void)conn->Exec("ROLLBACK", {});
      if (s.ok()) s = end;
    }
  }
  readers_.Release(std::move(conn));
  return s;
}

void SqliteStore::DiskWait::Begin() {
  std::lock_guard lock(mu_);
  began_ = std::chrono::steady_clock::now();
  logged_ = false;
}

void SqliteStore::DiskWait::End() {
  std::lock_guard lock(mu_);
  if (logged_ && began_) {
    log::Warn(std::string("store_") + what_ + "_resumed",
              {{"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - *began_).count()}});
  }
  began_.reset();
  logged_ = false;
}

double SqliteStore::DiskWait::RunningSeconds() const {
  std::lock_guard lock(mu_);
  return began_ ? std::chrono::duration<double>(std::chrono::steady_clock::now() - *began_).count() : 0.0;
}

bool SqliteStore::DiskWait::Stalled(std::chrono::milliseconds limit) {
  std::lock_guard lock(mu_);
  if (!began_ || std::chrono::steady_clock::now() - *began_ < limit) return false;
  if (!logged_) {
    logged_ = true;
    log::Error(std::string("store_") + what_ + "_stalled",
               {{"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - *began_).count()},
                {"detail", "the disk has not answered: every write and read answer waits for it; check the disk"}});
  }
  return true;
}

bool SqliteStore::Ready() {
  if (sync_failed_.load()) return false;
  // Both asked, so that each stall is logged.
  const bool sync_stalled = sync_wait_.Stalled(options_.disk_stall);
  const bool checkpoint_stalled = checkpoint_wait_.Stalled(options_.disk_stall);
  if (sync_stalled || checkpoint_stalled) return false;
  return Read(sql::CheckInitialised).ok();
}

// ---- shutdown -------------------------------------------------------------------------------

Status SqliteStore::Checkpoint() {
  // Queued like a job so that it runs on the writer thread, between group commits.
  std::promise<Status> promise;
  auto result = promise.get_future();
  {
    std::lock_guard lock(write_mu_);
    if (closing_) return Status::Unavailable("the store is shutting down");
    queue_.push_back({nullptr, [&promise](Status s) { promise.set_value(std::move(s)); }, true});
    write_cv_.notify_one();
  }
  return result.get();
}

void SqliteStore::Close() {
  // A training under way ends first: it hands its dictionary to the writer.
  text_packer_.Stop();
  {
    std::lock_guard lock(write_mu_);
    if (closed_) return;
    closing_ = true;
    closed_ = true;
    write_cv_.notify_all();
  }
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(sync_mu_);
    syncer_stop_ = true;
    sync_cv_.notify_all();
  }
  if (syncer_thread_.joinable()) syncer_thread_.join();
  {
    std::lock_guard lock(watchdog_mu_);
    watchdog_stop_ = true;
    watchdog_cv_.notify_all();
  }
  if (watchdog_thread_.joinable()) watchdog_thread_.join();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  wal_fd_ = -1;
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpointer_stop_ = true;
    checkpoint_cv_.notify_all();
  }
  if (checkpointer_thread_.joinable()) checkpointer_thread_.join();
  // Under the pool's lock, so that no read starts meanwhile.
  readers_.CloseIdle([this](std::vector<std::unique_ptr<SqliteConnection>>& idle_readers) {
    // The writer and checkpointer threads are gone: fold the WAL into the database file, unless
    // it may not be what is on disk (and a failed fold makes it so).
    (void)RunCheckpoint(*writer_, CheckpointMode::kTruncate, kCheckpointWait);
    if (sync_failed_.load()) {
      // The WAL may not be what is on disk: leave it to SQLite's recovery at the next open, which
      // reads only the frames whose checksums hold, rather than fold it into the database file
      // (closing the last connection would do that too, and then delete the WAL).
      if (checkpointer_) checkpointer_->KeepWalOnClose();
      writer_->KeepWalOnClose();
      for (auto& r : idle_readers) r->KeepWalOnClose();
      log::Error("store_closed_without_checkpoint", {{"detail", "restart to recover the store from disk"}});
    }
    checkpointer_.reset();
  });
}

}  // namespace tousu
