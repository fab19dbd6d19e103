#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <mutex>

namespace tousu::sql {

namespace {

// Resets a statement when the scope ends, whatever happened.
struct ResetGuard {
  sqlite3_stmt* stmt;
  ~ResetGuard() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

// Process-wide SQLite settings, before the library initialises itself on the first open.
// MEMSTATUS off: with it on (the library's default), every sqlite3_malloc and sqlite3_free
// takes one global mutex to keep allocation statistics that tousu never reads, so the writer
// and every reader contend on it.
void ConfigureLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                   Mode mode) {
  ConfigureLibraryOnce();
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (mode == Mode::kReadOnly
                                         ? SQLITE_OPEN_READONLY
                                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Unavailable("opening " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto conn = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
  // Page cache: the writer touches every index of a complaint on each filing, so it gets 32 MiB;
  // readers 2 MiB each, SQLite's default. Hot complaints are answered from the complaint cache
  // above the store; at 10^6 complaints with that cache off, 8 MiB per reader read no faster
  // (11–15k reads/s either way, 2026-12-07) and cost the server 20 MiB more RSS. The cache only
  // grows with use.
  // temp_store=MEMORY: each write job runs in a SAVEPOINT, and SQLite keeps the pages a
  // savepoint may have to restore in a statement journal; on disk (the default) that was a
  // temp-file pwrite for most pages a filing touched, 70 % of the writer's write calls.
  if (mode == Mode::kReadWrite) {
    pragmas = "PRAGMA journal_mode=WAL; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; " + pragmas;
  }
  else pragmas += " PRAGMA query_only=ON; PRAGMA cache_size=-2048;";
  TOUSU_RETURN_IF_ERROR(conn->Script(pragmas));
  return conn;
}

int64_t SqliteConnection::PagesRead() const {
  int current = 0, highwater = 0;
  sqlite3_db_status(db_, SQLITE_DBSTATUS_CACHE_MISS, &current, &highwater, 0);
  return current;
}

int64_t SqliteConnection::RowsChanged() const { return sqlite3_total_changes64(db_); }

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void SqliteConnection::KeepWalOnClose() {
  sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Error(int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Status::Conflict("already exists").WithDetail(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Status::Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption("database file is damaged").WithDetail(msg);
    default:
      return Status::Internal(msg);
  }
}

StatusOr<sqlite3_stmt*> SqliteConnection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare " + sql.substr(0, 80));
  cache_.emplace(sql, stmt);
  return stmt;
}

Status SqliteConnection::Bind(sqlite3_stmt* stmt, const std::vector<Value>& params) {
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
    return Status::Internal("parameter count mismatch for " + std::string(sqlite3_sql(stmt)));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    int rc = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(stmt, idx);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            return sqlite3_bind_int64(stmt, idx, v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(stmt, idx, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          } else {
            return sqlite3_bind_blob64(stmt, idx, v.bytes.data(), v.bytes.size(), SQLITE_STATIC);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) return Error(rc, "bind");
  }
  return Status::Ok();
}

StatusOr<std::vector<Row>> SqliteConnection::Query(const std::string& sql,
                                                   const std::vector<Value>& params) {
  TOUSU_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  ResetGuard guard{stmt};
  TOUSU_RETURN_IF_ERROR(Bind(stmt, params));
  std::vector<Row> rows;
  const int ncols = sqlite3_column_count(stmt);
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error(rc, "step");
    std::vector<Value> cols;
    cols.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: cols.emplace_back(std::monostate{}); break;
        case SQLITE_INTEGER: cols.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
        case SQLITE_BLOB: {
          const void* p = sqlite3_column_blob(stmt, c);
          int n = sqlite3_column_bytes(stmt, c);
          cols.emplace_back(Blob{std::string(static_cast<const char*>(p), static_cast<size_t>(n))});
          break;
        }
        default: {
          const unsigned char* p = sqlite3_column_text(stmt, c);
          int n = sqlite3_column_bytes(stmt, c);
          cols.emplace_back(std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)));
        }
      }
    }
    rows.emplace_back(std::move(cols));
  }
  return rows;
}

StatusOr<int64_t> SqliteConnection::Exec(const std::string& sql, const std::vector<Value>& params) {
  TOUSU_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  ResetGuard guard{stmt};
  TOUSU_RETURN_IF_ERROR(Bind(stmt, params));
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error(rc, "step");
  }
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

void SqliteConnection::OnWalCommit(std::function<void(int frames)> hook) {
  wal_hook_ = std::move(hook);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) -> int {
        static_cast<SqliteConnection*>(self)->wal_hook_(frames);
        return SQLITE_OK;
      },
      this);
}

SqliteConnection::CheckpointResult SqliteConnection::Checkpoint(CheckpointMode mode,
                                                                std::chrono::milliseconds wait) {
  const int sqlite_mode = mode == CheckpointMode::kPassive   ? SQLITE_CHECKPOINT_PASSIVE
                          : mode == CheckpointMode::kRestart ? SQLITE_CHECKPOINT_RESTART
                                                             : SQLITE_CHECKPOINT_TRUNCATE;
  // The busy handler is what waits for the checkpointer and the readers: shortened for this
  // call only, so that a long export's snapshot cannot stall the writer for the full timeout.
  sqlite3_busy_timeout(db_, static_cast<int>(wait.count()));
  int log_frames = -1, copied_frames = -1;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, sqlite_mode, &log_frames, &copied_frames);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  CheckpointResult result;
  if (rc == SQLITE_OK) {
    result.complete = log_frames == copied_frames;
  } else if ((rc & 0xff) != SQLITE_BUSY) {
    result.status = Error(rc, "wal checkpoint");
    // SQLITE_IOERR_NOMEM is memory, not the disk.
    result.io_error = (rc & 0xff) == SQLITE_IOERR && rc != SQLITE_IOERR_NOMEM;
  }
  return result;
}

Status SqliteConnection::Script(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Status s = Error(rc, "exec");
    return s.WithDetail(msg);
  }
  return Status::Ok();
}

}  // namespace tousu::sql
