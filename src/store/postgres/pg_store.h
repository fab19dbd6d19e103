// PgStore: the Store on a PostgreSQL database, for deployments that want the database on its
// own machine, with PostgreSQL's replication and backups. The same SqlTx runs its transactions
// (store/sql), over a libpq connection (pg_connection.h).
//
// Writes: one writer thread owns one connection, takes every queued job, runs them in one
// transaction, each in a savepoint of its own (in PostgreSQL a failed statement aborts the whole
// transaction otherwise), and commits the group: group commit, as in the SQLite store. COMMIT
// returns once the server has flushed it (synchronous_commit; the writer's session turns it on
// if the server or role has it off, which would break tousu's promise that a 201 is durable), so
// `done` runs after COMMIT. A commit is visible to readers the moment COMMIT returns, a moment
// before OnComplaintsUpdated has run, so the store keeps a horizon as the SQLite store does:
// each commit is numbered before it runs, and reads that could have seen it (ReadHorizon) wait
// in AfterDurable until the callback has run for it.
// SqlTx assumes one writer: it numbers log leaves and events from what its transaction read.
// So the writer holds a session advisory lock, taken before its first group; a second tousu
// server on the same database gets Unavailable on every write instead of corrupting the log.
// Reads (including `tousu verify` beside a running server) take no lock. Ready() is false while
// another server holds it.
// Reads: a pool of connections, each read in its own REPEATABLE READ, READ ONLY transaction:
// one snapshot, like the SQLite store's reads.
// A connection that breaks (the server restarted) fails what was running on it with
// Unavailable and is reconnected before its next transaction; the writer takes its lock again.
// A COMMIT that breaks leaves the outcome unknown: its jobs fail with Unavailable, and an
// idempotent retry finds the committed answer if there is one.
//
// Thread-safety: all public methods may be called from any thread.
#ifndef TOUSU_STORE_POSTGRES_PG_STORE_H_
#define TOUSU_STORE_POSTGRES_PG_STORE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/sql/log_node_cache.h"
#include "store/sql/reader_pool.h"
#include "store/sql/sql_tx.h"
#include "store/sql/text_packer.h"
#include "store/store.h"

namespace tousu {

class PgStore final : public Store {
 public:
  struct Options {
    int max_readers = 16;
    int max_group = 512;  // most jobs committed together
    // Called on the writer thread once a group is committed: seconds from its first job's start
    // to the end of COMMIT, and its job count.
    std::function<void(double seconds, size_t jobs)> on_commit;
    sql::TextPacker::Options text_packer;
  };

  // Connects to `conninfo` (a libpq connection string) and brings the schema up to date;
  // refuses a schema newer than this binary knows.
  static StatusOr<std::unique_ptr<PgStore>> Open(const std::string& conninfo, Options options);
  static StatusOr<std::unique_ptr<PgStore>> Open(const std::string& conninfo) { return Open(conninfo, Options()); }
  ~PgStore() override;

  Status Read(const ReadFn& fn) override;
  void Write(WriteJob job, WriteDone done) override;
  uint64_t ReadHorizon() const override { return commits_started_.load(); }
  bool Durable(uint64_t horizon) const override { return commits_published_.load() >= horizon; }
  void AfterDurable(uint64_t horizon, std::function<void(Status)> fn) override;
  void OnComplaintsUpdated(std::function<void(const std::vector<ComplaintKey>&)> fn) override;
  bool Ready() override;
  Status Checkpoint() override { return Status::Ok(); }  // PostgreSQL checkpoints by itself
  void Close() override;

  const sql::LogNodeCache& log_node_cache() const { return log_node_cache_; }
  // "host:port/dbname" of the database, for logs (never the connection string: it may hold a
  // password).
  const std::string& description() const { return description_; }

  static int LatestSchemaVersion();

 private:
  struct Pending {
    WriteJob job;
    WriteDone done;
  };

  PgStore(std::string conninfo, Options options, std::unique_ptr<sql::PgConnection> writer);
  static Status Migrate(sql::PgConnection& db);
  void WriterLoop();
  void RunGroup(std::vector<Pending>& group);
  // Reconnects the writer if its connection broke (and sets its session up again), and takes
  // the writer's lock if not held.
  Status PrepareWriter();
  // The writer session's settings: synchronous_commit at least on.
  static Status SetUpWriterSession(sql::PgConnection& writer);
  // Commit `seq` is over (committed or not) and the cache has heard of it: reads that waited
  // for it go.
  void Publish(uint64_t seq);

  const std::string conninfo_;
  const Options options_;
  std::string description_;

  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<Pending> queue_;  // GUARDED_BY(write_mu_)
  bool closing_ = false;       // GUARDED_BY(write_mu_)
  bool closed_ = false;        // GUARDED_BY(write_mu_)
  std::function<void(const std::vector<ComplaintKey>&)> on_complaints_updated_;  // GUARDED_BY(write_mu_)
  std::unique_ptr<sql::PgConnection> writer_;  // the writer thread's
  bool writer_locked_ = false;                 // writer thread only
  std::atomic<bool> writer_lock_held_{false};  // the same, for Ready()
  std::thread writer_thread_;

  // Commits numbered before COMMIT runs, and published once OnComplaintsUpdated ran for them.
  std::atomic<uint64_t> commits_started_{0};
  std::atomic<uint64_t> commits_published_{0};
  std::mutex publish_mu_;
  std::multimap<uint64_t, std::function<void(Status)>> waiters_;  // GUARDED_BY(publish_mu_)

  sql::ReaderPool<sql::PgConnection> readers_{options_.max_readers};
  sql::LogNodeCache log_node_cache_;
  sql::TextPacker text_packer_;
};

}  // namespace tousu

#endif  // TOUSU_STORE_POSTGRES_PG_STORE_H_
