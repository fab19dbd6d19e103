#include "store/postgres/pg_store.h"

#include <chrono>

#include "base/log.h"
#include "base/thread_name.h"
#include "store/postgres/pg_schema.h"
#include "store/sql/store_threads.h"

namespace tousu {

using sql::PgConnection;

namespace {

// Advisory lock keys (one 64-bit space per database): the single writer's, held by its
// session; the migration's, held by its transaction. "tousu" and "tousu" + 1 in ASCII.
constexpr int64_t kWriterLockKey = 0x746f757375;
constexpr int64_t kMigrationLockKey = 0x746f757376;
}  // namespace

int PgStore::LatestSchemaVersion() { return sql::PgMigrations().back().version; }

StatusOr<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo, Options options) {
  TOUSU_ASSIGN_OR_RETURN(auto writer, PgConnection::Open(conninfo));
  // Text is UTF-8 throughout tousu: a database in another encoding would refuse Chinese text
  // with every write.
  TOUSU_ASSIGN_OR_RETURN(auto encoding, writer->Query("SELECT current_setting('server_encoding')", {}));
  if (encoding.empty() || encoding.front().Text(0) != "UTF8") {
    return Status::Unavailable("the PostgreSQL database " + writer->Describe() + " is encoded in " +
                               (encoding.empty() ? std::string("?") : encoding.front().Text(0)) +
                               "; tousu needs UTF8 (createdb -E UTF8 -T template0 NAME)");
  }
  TOUSU_RETURN_IF_ERROR(Migrate(*writer));
  TOUSU_RETURN_IF_ERROR(SetUpWriterSession(*writer));
  // The newest dictionary for assessments packs from now on (older ones are loaded when a row
  // needs them). Read before the store's threads start.
  TOUSU_ASSIGN_OR_RETURN(auto dictionary, sql::SqlTx(*writer).NewestTextDictionary(sql::kAssessmentDictionary));
  auto store = std::unique_ptr<PgStore>(new PgStore(conninfo, std::move(options), std::move(writer)));
  if (dictionary) {
    TOUSU_RETURN_IF_ERROR(store->text_packer_.Adopt(dictionary->first, std::move(dictionary->second),
                                                    /*for_packing=*/true));
  }
  return store;
}

Status PgStore::Migrate(PgConnection& db) {
  TOUSU_RETURN_IF_ERROR(db.Script("BEGIN"));
  auto fail = [&db](Status s) {
    (void)db.Script("ROLLBACK");
    return s;
  };
  // Two processes opening a new database at once: the second waits here, then finds it done.
  if (auto s = db.Exec("SELECT pg_advisory_xact_lock(?)", {sql::Int(kMigrationLockKey)}); !s.ok()) {
    return fail(s.status());
  }
  if (Status s = db.Script("CREATE TABLE IF NOT EXISTS tousu_schema (version BIGINT NOT NULL)"); !s.ok()) {
    return fail(s);
  }
  auto rows = db.Query("SELECT version FROM tousu_schema", {});
  if (!rows.ok()) return fail(rows.status());
  const int current = rows->empty() ? 0 : static_cast<int>(rows->front().Int(0));
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    return fail(Status::Unavailable("the PostgreSQL database has tousu schema version " + std::to_string(current) +
                                    ", newer than this tousu knows (" + std::to_string(latest) +
                                    "); run a newer tousu"));
  }
  for (const auto& m : sql::PgMigrations()) {
    if (m.version <= current) continue;
    log::Info("schema_migrating", {{"version", m.version}, {"description", m.description}, {"store", "postgres"}});
    if (Status s = db.Script(m.sql); !s.ok()) return fail(s.Annotate("migration " + std::to_string(m.version)));
  }
  if (latest > current) {
    Status s = db.Script("DELETE FROM tousu_schema");
    if (s.ok()) s = db.Exec("INSERT INTO tousu_schema (version) VALUES (?)", {sql::Int(latest)}).status();
    if (!s.ok()) return fail(s);
  }
  TOUSU_RETURN_IF_ERROR(db.Script("COMMIT"));
  if (latest > current) log::Info("schema_migrated", {{"version", latest}, {"store", "postgres"}});
  return Status::Ok();
}

PgStore::PgStore(std::string conninfo, Options options, std::unique_ptr<PgConnection> writer)
    : conninfo_(std::move(conninfo)),
      options_(std::move(options)),
      description_(writer->Describe()),
      writer_(std::move(writer)),
      text_packer_(options_.text_packer, [this](std::string bytes) { sql::StoreTrainedDictionary(*this, text_packer_, std::move(bytes)); }) {
  writer_thread_ = std::thread([this] {
    NameThisThread("tousu-writer");
    WriterLoop();
  });
}

PgStore::~PgStore() { Close(); }

// ---- writes ---------------------------------------------------------------------------------

void PgStore::Write(WriteJob job, WriteDone done) {
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

void PgStore::OnComplaintsUpdated(std::function<void(const std::vector<ComplaintKey>&)> fn) {
  std::lock_guard lock(write_mu_);
  on_complaints_updated_ = std::move(fn);
}

void PgStore::WriterLoop() {
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(write_mu_);
      write_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      while (!queue_.empty() && static_cast<int>(group.size()) < options_.max_group) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunGroup(group);
    group.clear();
  }
}

Status PgStore::SetUpWriterSession(PgConnection& writer) {
  TOUSU_ASSIGN_OR_RETURN(auto rows, writer.Query("SELECT current_setting('synchronous_commit')", {}));
  if (!rows.empty() && rows.front().Text(0) == "off") {
    log::Warn("store_synchronous_commit_raised",
              {{"store", "postgres"}, {"database", writer.Describe()},
               {"detail", "synchronous_commit is off for this database or role; tousu's writer turns it on"}});
    TOUSU_RETURN_IF_ERROR(writer.Script("SET synchronous_commit = on"));
  }
  return Status::Ok();
}

Status PgStore::PrepareWriter() {
  if (!writer_->Healthy()) {
    writer_locked_ = false;  // the session that held it is gone
    writer_lock_held_.store(false);
    TOUSU_RETURN_IF_ERROR(writer_->Reconnect());
    TOUSU_RETURN_IF_ERROR(SetUpWriterSession(*writer_));
    log::Warn("store_reconnected", {{"store", "postgres"}, {"database", description_}, {"connection", "writer"}});
  }
  if (writer_locked_) return Status::Ok();
  TOUSU_ASSIGN_OR_RETURN(auto rows, writer_->Query("SELECT pg_try_advisory_lock(?)", {sql::Int(kWriterLockKey)}));
  if (rows.empty() || rows.front().Int(0) == 0) {
    return Status::Unavailable("another tousu server is writing to this PostgreSQL database (" + description_ +
                               "); only one may");
  }
  writer_locked_ = true;
  writer_lock_held_.store(true);
  return Status::Ok();
}

void PgStore::RunGroup(std::vector<Pending>& group) {
  const auto started = std::chrono::steady_clock::now();
  std::function<void(const std::vector<ComplaintKey>&)> on_updated;
  {
    std::lock_guard lock(write_mu_);
    on_updated = on_complaints_updated_;
  }
  auto fail_all = [&group](const Status& s) {
    for (auto& p : group) sql::RunCallback("write_done", [&] { p.done(s); });
  };
  if (Status s = PrepareWriter(); !s.ok()) {
    log::Error("store_writer_unavailable", {{"store", "postgres"}, {"detail", s.ToString()}});
    return fail_all(s);
  }
  auto run = [this](const char* sql) { return writer_->Script(sql); };
  Status begin = run("BEGIN");
  if (!begin.ok() && !writer_->Healthy()) {
    // libpq learns of a dead session only when it next uses it: the server restarted since the
    // last group. Nothing ran yet, so connect again and begin once more.
    begin = PrepareWriter();
    if (begin.ok()) begin = run("BEGIN");
  }
  if (!begin.ok()) return fail_all(begin);
  sql::SqlTx tx(*writer_, /*writer=*/true, &text_packer_);
  std::vector<Status> results(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    Status s = run("SAVEPOINT job");
    if (s.ok()) {
      try {
        s = group[i].job(tx);
      } catch (const std::exception& e) {
        s = Status::Internal(std::string("write job threw: ") + e.what());
      } catch (...) {
        s = Status::Internal("write job threw a non-exception");
      }
      // The rows this job held back go in inside its savepoint: refused, they fail it alone.
      if (s.ok()) s = tx.Flush();
      // A job that went on after one of its statements failed (and returned Ok) has had its
      // transaction aborted under it: it fails alone, not the whole group at RELEASE.
      if (s.ok() && writer_->TransactionFailed()) {
        s = Status::Internal("a write job returned Ok after a failed statement");
      }
      if (!s.ok()) {
        Status undo = run("ROLLBACK TO SAVEPOINT job");
        tx.Forget();
        if (!undo.ok()) {
          // The transaction itself is lost (the connection broke): nothing of the group stays.
          (void)run("ROLLBACK");
          log::Error("store_group_rolled_back", {{"store", "postgres"}, {"jobs", group.size()}, {"detail", undo.ToString()}});
          return fail_all(Status::Unavailable("the transaction was lost; try again").WithDetail(undo.ToString()));
        }
      }
    }
    Status end = run("RELEASE SAVEPOINT job");
    if (!end.ok() || !writer_->InTransaction()) {
      (void)run("ROLLBACK");
      const Status lost = Status::Unavailable("the transaction was lost; try again").WithDetail(end.ToString());
      log::Error("store_group_rolled_back", {{"store", "postgres"}, {"jobs", group.size()}, {"detail", end.ToString()}});
      return fail_all(lost);
    }
    results[i] = std::move(s);
  }
  // Numbered before it runs: the commit becomes visible to readers during COMMIT, and a reader
  // that saw it must find a horizon at least this high afterwards.
  const uint64_t seq = commits_started_.fetch_add(1) + 1;
  Status commit = run("COMMIT");
  if (!commit.ok() && writer_->InTransaction()) (void)run("ROLLBACK");
  // Also when COMMIT failed: one that broke may still have happened, and naming rows that did
  // not change costs only a cache miss.
  if (on_updated && !tx.updated_complaints().empty()) {
    sql::RunCallback("on_complaints_updated", [&] { on_updated(tx.updated_complaints()); });
  }
  Publish(seq);
  if (!commit.ok()) {
    // The jobs fail; an idempotent retry finds out whether the commit happened.
    log::Error("store_commit_failed", {{"store", "postgres"}, {"detail", commit.ToString()}, {"jobs", group.size()}});
    return fail_all(Status::Unavailable("commit failed: " + commit.ToString()));
  }
  if (options_.on_commit) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    sql::RunCallback("on_commit", [&] { options_.on_commit(seconds, group.size()); });
  }
  for (size_t i = 0; i < group.size(); ++i) sql::RunCallback("write_done", [&] { group[i].done(results[i]); });
}

void PgStore::Publish(uint64_t seq) {
  std::vector<std::function<void(Status)>> ready;
  {
    std::lock_guard lock(publish_mu_);
    commits_published_.store(seq);
    const auto end = waiters_.upper_bound(seq);
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
  }
  for (auto& fn : ready) sql::RunCallback("after_durable", [&] { fn(Status::Ok()); });
}

void PgStore::AfterDurable(uint64_t horizon, std::function<void(Status)> fn) {
  {
    std::lock_guard lock(publish_mu_);
    if (commits_published_.load() < horizon) {
      waiters_.emplace(horizon, std::move(fn));
      return;
    }
  }
  fn(Status::Ok());
}

// ---- reads ----------------------------------------------------------------------------------

Status PgStore::Read(const ReadFn& fn) {
  TOUSU_ASSIGN_OR_RETURN(auto conn, readers_.Acquire([this] { return PgConnection::Open(conninfo_); }));
  constexpr char kBegin[] = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  Status s = conn->Script(kBegin);
  if (!s.ok() && !conn->Healthy()) {
    // A session that died while idle in the pool (the server restarted): nothing ran yet, so
    // connect again and begin once more.
    s = conn->Reconnect();
    if (s.ok()) {
      log::Warn("store_reconnected", {{"store", "postgres"}, {"database", description_}, {"connection", "reader"}});
      s = conn->Script(kBegin);
    }
  }
  if (s.ok()) {
    sql::SqlTx tx(*conn, log_node_cache_, &text_packer_);
    try {
      s = fn(tx);
    } catch (const std::exception& e) {
      s = Status::Internal(std::string("read threw: ") + e.what());
    }
    // Nothing to keep: a read ends with ROLLBACK, which also ends a transaction a failed
    // statement aborted.
    Status end = conn->Script("ROLLBACK");
    if (!end.ok() && s.ok()) s = end;
  }
  readers_.Release(std::move(conn));
  return s;
}

bool PgStore::Ready() {
  {
    std::lock_guard lock(write_mu_);
    if (closing_) return false;
  }
  if (!Read(sql::CheckInitialised).ok()) return false;
  if (writer_lock_held_.load()) return true;
  // Not writing yet: ready unless another server holds the writer's lock, in which case every
  // write here would fail, and a load balancer should send requests elsewhere.
  auto conn = readers_.Acquire([this] { return PgConnection::Open(conninfo_); });
  if (!conn.ok()) return false;
  auto held = (*conn)->Query(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND "
      "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
      "classid::bigint = ? AND objid::bigint = ?",
      {sql::Int(kWriterLockKey >> 32), sql::Int(kWriterLockKey & 0xffffffff)});
  readers_.Release(std::move(*conn));
  return held.ok() && !held->empty() && held->front().Int(0) == 0;
}

// ---- shutdown -------------------------------------------------------------------------------

void PgStore::Close() {
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
  // Every numbered commit was published by the writer; nobody may be left waiting all the same.
  Publish(commits_started_.load());
  writer_.reset();  // ends the session, and with it the writer's lock
  readers_.CloseIdle([](auto&) {});
}

}  // namespace tousu
