// SqliteStore: the embedded Store on one SQLite file in WAL mode.
//
// Writes: one writer thread owns the only read-write connection. It takes every queued job,
// runs them in one transaction and commits the group. Many concurrent requests therefore share
// one commit: group commit. A failing job rolls back alone: most fail before they write and
// have nothing to undo; when one fails after writing, the group starts over with each job in
// a SAVEPOINT of its own (RunJobs).
// Durability is pipelined: COMMIT does not fsync (synchronous=NORMAL); the writer hands the
// group to a syncer thread and goes on with the next group, while the syncer fdatasyncs the WAL
// file and only then calls each job's `done`. One fdatasync covers every group committed before
// it. A commit is thus visible to readers a moment before it is durable, so every answer built
// from a read waits, through ReadHorizon/AfterDurable, until what it could have seen is synced:
// nobody outside learns of a write that a crash could still take back. An fdatasync that
// hangs (a dead disk) cannot be cut short: once it has run for `disk_stall`, a watchdog thread
// logs it and releases the read answers waiting for it with Unavailable, and so are new ones
// until it returns; the writes it covers keep waiting for its outcome. If an fdatasync fails
// the store stops: the pages it could not write may be gone from the kernel's cache (a retried
// fsync can falsely succeed), so every waiting and later write and read answer fails with
// Unavailable and Ready() turns false until the server is restarted and SQLite recovers.
// A checkpoint that fails on I/O (a write or sync of the database file) stops the store the
// same way, for the same reason: the WAL still has what the file may have lost, and only
// recovery at the next open copies it again safely.
// Reads: a pool of read-only connections, each read in its own snapshot transaction.
// Checkpoints: a checkpointer thread with its own connection copies the WAL back into the
// database file (PASSIVE, beside the writer and the readers) whenever a commit leaves the WAL
// longer than `checkpoint_frames`, so that the writer does not spend its commits on it. Under
// continuous writes that alone never lets the WAL start over: each pass ends behind the commits
// made during it, and SQLite only rewinds a WAL that is wholly copied. The WAL then grows
// without bound (600 MB in 10 s of filings), and every commit pays the file system for
// extending it (zero-filling and allocating new blocks: a quarter of the writer's time). So
// once the WAL holds `restart_frames`, the writer, between two group commits, copies the rest
// and waits a moment for readers to leave the old frames (SQLITE_CHECKPOINT_RESTART); the next
// commit writes the WAL from its start, over blocks the file already has.
//
// Thread-safety: all public methods may be called from any thread.
#ifndef TOUSU_STORE_SQLITE_SQLITE_STORE_H_
#define TOUSU_STORE_SQLITE_SQLITE_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/sql/reader_pool.h"
#include "store/sql/sql_tx.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace tousu {

class SqliteStore final : public Store {
 public:
  struct Options {
    int max_readers = 16;
    int max_group = 512;  // most jobs committed together
    int checkpoint_frames = 1000;  // WAL length (pages) that wakes the checkpointer
    int restart_frames = 4000;     // WAL length (pages) at which the writer starts it over
    // How long that restart waits for the checkpointer and for readers of older frames
    // before it gives up until the WAL has grown by another `restart_frames`.
    std::chrono::milliseconds restart_wait{100};
    // Called on the syncer thread once a group is durable: seconds from its first job to its
    // fdatasync, and its job count.
    std::function<void(double seconds, size_t jobs)> on_commit;
    // Makes the WAL file's data durable: fdatasync(fd) in production. Tests replace it to hold
    // a sync back or to fail one; it runs on the syncer thread and returns 0 or an errno.
    std::function<int(int fd)> sync_wal;
    // A WAL sync or a checkpoint pass that has taken longer than this makes Ready() false
    // until it returns, and is logged. Nothing can cut a hung fdatasync short: the writes it
    // covers wait on, but the read answers waiting for it are then released with Unavailable
    // (AfterDurable), and new ones are not held, so clients hear "try again" instead of
    // nothing. A dead disk (or a stuck network volume) is thus reported instead of the server
    // only going quiet.
    std::chrono::milliseconds disk_stall{10000};
    // Packing of complaint assessments with a trained dictionary (store/sql/text_packer.h).
    sql::TextPacker::Options text_packer;
    // Statements run on the writer's connection once it is open, after the migrations: for
    // tests that make the database fail a write ("PRAGMA max_page_count = ...").
    std::string writer_setup_sql;
  };

  // Opens (creating if `create`) the database at `path` and brings its schema up to date.
  // Refuses a schema newer than this binary knows.
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path, bool create,
                                                     Options options);
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path, bool create) {
    return Open(path, create, Options());
  }
  ~SqliteStore() override;

  Status Read(const ReadFn& fn) override;
  void Write(WriteJob job, WriteDone done) override;
  uint64_t ReadHorizon() const override;
  bool Durable(uint64_t horizon) const override;
  void AfterDurable(uint64_t horizon, std::function<void(Status)> fn) override;
  void OnComplaintsUpdated(std::function<void(const std::vector<ComplaintKey>&)> fn) override;
  bool Ready() override;
  Status Checkpoint() override;
  void Close() override;

  // The WAL's length in pages after the last commit (for /metrics): it starts over near
  // `restart_frames` unless a reader holds old frames.
  int64_t wal_pages() const { return wal_pages_.load(std::memory_order_relaxed); }
  // The upper tree nodes the readers keep (for /metrics and tests).
  const sql::LogNodeCache& log_node_cache() const { return log_node_cache_; }
  const sql::TextPacker& text_packer() const { return text_packer_; }
  // How long the WAL sync (the checkpoint pass) now running has taken, in seconds; 0 when none
  // runs (for /metrics).
  double sync_running_seconds() const { return sync_wait_.RunningSeconds(); }
  double checkpoint_running_seconds() const { return checkpoint_wait_.RunningSeconds(); }

  // The newest schema version this binary knows.
  static int LatestSchemaVersion();

 private:
  // A disk operation that may hang (a WAL fdatasync, a checkpoint pass): when the running one
  // began, so that one taking too long can be reported; logged once when it passes the limit
  // and once when it returns.
  class DiskWait {
   public:
    explicit DiskWait(const char* what) : what_(what) {}
    void Begin();
    void End();
    double RunningSeconds() const;
    bool Stalled(std::chrono::milliseconds limit);

   private:
    const char* const what_;
    mutable std::mutex mu_;
    std::optional<std::chrono::steady_clock::time_point> began_;  // GUARDED_BY(mu_)
    bool logged_ = false;                                          // GUARDED_BY(mu_)
  };

  struct Pending {
    WriteJob job;
    WriteDone done;
    bool checkpoint = false;  // a WAL checkpoint, run outside any transaction
  };
  // A committed (or failed) group on its way to the syncer.
  struct Committed {
    uint64_t seq = 0;  // its number in commits_started_
    std::chrono::steady_clock::time_point started;
    std::vector<WriteDone> done;
    std::vector<Status> results;
  };

  SqliteStore(std::string path, Options options, std::unique_ptr<sql::SqliteConnection> writer, int wal_fd);
  static Status Migrate(sql::SqliteConnection& db);
  void WriterLoop();
  void CheckpointerLoop();
  void RunGroup(std::vector<Pending>& group);
  // Runs the group's jobs in `tx`, each result in `results`.
  enum class JobsRun {
    kDone,
    kRestart,  // without savepoints, a job failed after writing: roll back, run with savepoints
    kLost,     // the transaction cannot be committed: SQLite rolled it back by itself (a full
               // disk, an I/O error), or refused the rows earlier jobs held back
  };
  JobsRun RunJobs(std::vector<Pending>& group, sql::SqlTx& tx, std::vector<Status>& results, bool savepoints);
  void MaybeRestartWal();
  // Logs a checkpoint that failed; one that failed on I/O fails durability (see Checked's body).
  sql::SqliteConnection::CheckpointResult Checked(sql::SqliteConnection::CheckpointResult result);
  void SyncerLoop();
  Status SyncWal();  // fdatasync of the WAL the writer writes to, or why it is not durable
  void FailDurability(const Status& why);
  // Runs one checkpoint on `conn` under checkpoint_pass_mu_ (SQLite runs one at a time),
  // timed by checkpoint_wait_ and Checked; none once durability failed.
  sql::SqliteConnection::CheckpointResult RunCheckpoint(sql::SqliteConnection& conn,
                                                       sql::SqliteConnection::CheckpointMode mode,
                                                       std::chrono::milliseconds wait);

  const std::string path_;
  const Options options_;

  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<Pending> queue_;   // GUARDED_BY(write_mu_)
  bool closing_ = false;        // GUARDED_BY(write_mu_)
  bool closed_ = false;         // GUARDED_BY(write_mu_)
  std::unique_ptr<sql::SqliteConnection> writer_;  // used by the writer thread only
  // Set before the first write, then read by the writer thread only.
  std::function<void(const std::vector<ComplaintKey>&)> on_complaints_updated_;
  int wal_frames_ = 0;          // writer thread only: the WAL's length after the last commit
  std::atomic<int64_t> wal_pages_{0};  // the same, for other threads (not reset on a restart)
  int next_restart_frames_ = 0;  // writer thread only: the length at which to restart it
  std::thread writer_thread_;

  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;   // GUARDED_BY(checkpoint_mu_)
  bool checkpointer_stop_ = false;   // GUARDED_BY(checkpoint_mu_)
  std::unique_ptr<sql::SqliteConnection> checkpointer_;  // used by the checkpointer thread only
  // Held through each checkpoint pass and each WAL restart: SQLite runs one at a time.
  std::mutex checkpoint_pass_mu_;
  std::thread checkpointer_thread_;

  // Pipelined durability. The writer numbers each COMMIT before running it (commits_started_),
  // so a reader that saw a commit reads a number at least as high afterwards; the syncer
  // advances durable_ past every commit its fdatasync covered.
  std::atomic<uint64_t> commits_started_{0};
  std::atomic<uint64_t> durable_{0};
  std::atomic<bool> sync_failed_{false};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<Committed> sync_queue_;  // GUARDED_BY(sync_mu_)
  std::multimap<uint64_t, std::function<void(Status)>> durable_waiters_;  // GUARDED_BY(sync_mu_)
  bool syncer_stop_ = false;          // GUARDED_BY(sync_mu_)
  DiskWait sync_wait_{"sync"};
  DiskWait checkpoint_wait_{"checkpoint"};
  int wal_fd_ = -1;                   // opened in Open; the syncer's, then Close's
  std::thread syncer_thread_;

  // The watchdog: wakes a few times per `disk_stall`; a disk wait past it is logged, and a
  // stalled sync releases the read answers waiting for it.
  void WatchdogLoop();
  // The status of a read answer that a stalled sync holds back, or Ok if no sync is stalled.
  Status SyncStall();
  std::mutex watchdog_mu_;
  std::condition_variable watchdog_cv_;
  bool watchdog_stop_ = false;  // GUARDED_BY(watchdog_mu_)
  std::thread watchdog_thread_;

  sql::ReaderPool<sql::SqliteConnection> readers_{options_.max_readers};
  // The transparency log's upper tree nodes, as readers read them (log_node_cache.h).
  sql::LogNodeCache log_node_cache_;

  // Complaint assessments packed with a trained dictionary (text_packer.h). A newly trained
  // dictionary is stored by a write job of its own, and adopted for packing once durable
  // (sql::StoreTrainedDictionary).
  sql::TextPacker text_packer_;
};

}  // namespace tousu

#endif  // TOUSU_STORE_SQLITE_SQLITE_STORE_H_
