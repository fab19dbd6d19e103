// One SQLite connection with a statement cache; the SQLite side of sql::Connection.
// Thread-safety: one thread at a time (opened with SQLITE_OPEN_NOMUTEX).
#ifndef TOUSU_STORE_SQLITE_SQLITE_CONNECTION_H_
#define TOUSU_STORE_SQLITE_SQLITE_CONNECTION_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql/connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tousu::sql {

class SqliteConnection final : public Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  // Opens (creating when kReadWrite) `path` with WAL, synchronous=FULL and a busy timeout.
  static StatusOr<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Mode mode);
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  StatusOr<std::vector<Row>> Query(const std::string& sql, const std::vector<Value>& params) override;
  StatusOr<int64_t> Exec(const std::string& sql, const std::vector<Value>& params) override;
  Status Script(const std::string& sql) override;

  // Calls `hook` after each commit with the number of frames in the write-ahead log, instead
  // of SQLite's automatic checkpoint (which would run on the committing thread).
  void OnWalCommit(std::function<void(int frames)> hook);

  enum class CheckpointMode {
    kPassive,   // copies what no reader still needs; waits for nobody
    kRestart,   // copies everything, then waits for readers so the next commit starts the log over
    kTruncate,  // as kRestart, and truncates the log file to zero bytes
  };
  struct CheckpointResult {
    Status status;          // ok, or why the checkpoint failed (being held up is no failure)
    bool complete = false;  // the whole log is in the database file (and for kRestart and
                            // kTruncate, the log starts over)
    // The file system failed a read, write or sync of the database file or the log. The
    // database file may then lack pages that the log still has, and a retried sync can falsely
    // succeed after the kernel dropped them: only recovery from the log at the next open is safe.
    bool io_error = false;
  };
  // Runs one checkpoint, outside any transaction; waits at most `wait` (for kRestart and
  // kTruncate: for another checkpoint and for readers of older frames). Nothing is lost when it
  // stops short: the log just goes on growing until the next try.
  CheckpointResult Checkpoint(CheckpointMode mode, std::chrono::milliseconds wait);

  // From now on, closing this connection leaves the write-ahead log as it is: no checkpoint
  // into the database file, no removal of the log (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE). For a
  // store whose log may not be what is on disk: the next open recovers from the file.
  void KeepWalOnClose();

  // Pages this connection has read from the file (or the WAL) rather than its page cache, so
  // far: what a lookup really costs, beyond its query plan.
  int64_t PagesRead() const;

  // Rows inserted, updated or deleted through this connection since it opened: unchanged
  // across a job means the job wrote nothing.
  int64_t RowsChanged() const;
  // False outside BEGIN ... COMMIT, also after SQLite rolled a transaction back by itself
  // (it may on SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM or SQLITE_BUSY in mid-transaction).
  bool InTransaction() const;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  StatusOr<sqlite3_stmt*> Prepare(const std::string& sql);
  Status Bind(sqlite3_stmt* stmt, const std::vector<Value>& params);
  Status Error(int rc, std::string_view what);

  static constexpr int kBusyTimeoutMs = 10000;

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::function<void(int frames)> wal_hook_;
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQLITE_SQLITE_CONNECTION_H_
