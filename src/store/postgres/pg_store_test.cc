// The PostgreSQL store against a real PostgreSQL server: the ctest entry unit.postgres runs these
// beside a throwaway cluster (tests/postgres/with_cluster.sh sets TOUSU_TEST_POSTGRES); run
// alone, without a server, they skip. The whole integration suite also runs on this store
// (integration.postgres). Only PgConnection::Numbered needs no server.
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <sys/stat.h>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "base/crypto.h"
#include "base/encoding.h"
#include "store/postgres/pg_connection.h"
#include "store/sql/sql_tx.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "app/data_dir.h"

namespace tousu {
namespace {

using sql::PgConnection;

TEST(PgConnectionNumbering, PlaceholdersOutsideQuotesAreNumbered) {
  EXPECT_EQ(PgConnection::Numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(PgConnection::Numbered("SELECT '?', \"a?b\", ? -- what?\n, ?"), "SELECT '?', \"a?b\", $1 -- what?\n, $2");
  EXPECT_EQ(PgConnection::Numbered("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  EXPECT_EQ(PgConnection::Numbered("no placeholders"), "no placeholders");
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TOUSU_TEST_POSTGRES");
    if (base == nullptr || *base == '\0') {
      GTEST_SKIP() << "needs TOUSU_TEST_POSTGRES (the ctest entry unit.postgres sets it)";
    }
    base_ = base;
    admin_ = PgConnection::Open(base_).value();
    name_ = CreateDatabase("ENCODING 'UTF8'");
    conninfo_ = base_ + " dbname=" + name_;
  }
  void TearDown() override {
    for (const auto& name : created_) (void)admin_->Script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
  // A new database made from template0 with `options`; dropped after the test.
  std::string CreateDatabase(const std::string& options) {
    const std::string name = "pgu_" + HexEncode(RandomBytes(6));
    Status s = admin_->Script("CREATE DATABASE " + name + " TEMPLATE template0 " + options);
    EXPECT_TRUE(s.ok()) << s.ToString();
    created_.push_back(name);
    return name;
  }

  std::unique_ptr<PgStore> OpenStore() {
    auto store = PgStore::Open(conninfo_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // What `tousu init` marks (Ready() is false before).
  static bool Init(Store& store) {
    return store.WriteSync([](WriteTx& tx) { return tx.SetMeta("initialized_at", "2030-01-01T00:00:00Z"); }).ok();
  }
  std::optional<std::string> Meta(Store& store, const std::string& key) {
    std::optional<std::string> out;
    EXPECT_TRUE(store.Read([&](ReadTx& tx) -> Status {
                       TOUSU_ASSIGN_OR_RETURN(out, tx.GetMeta(key));
                       return Status::Ok();
                     }).ok());
    return out;
  }

  std::string base_, name_, conninfo_;
  std::unique_ptr<PgConnection> admin_;
  std::vector<std::string> created_;
};

TEST_F(PgStoreTest, ValuesRoundTripByteForByte) {
  auto db = PgConnection::Open(conninfo_).value();
  ASSERT_TRUE(db->Script("CREATE TABLE v (i BIGINT, t TEXT, b BYTEA)").ok());
  const std::string bytes("\0\x01\xff\x80 raw", 8);
  const std::vector<std::vector<sql::Value>> rows = {
      {sql::Int(INT64_MIN), sql::Text(""), sql::Bytes(bytes)},
      {sql::Int(INT64_MAX), sql::Text("投诉 '?' \"x\""), sql::Bytes("")},
      {sql::Int(-1), sql::Null(), sql::Null()},
      {sql::Null(), sql::Text("a"), sql::Bytes("b")},
  };
  for (const auto& r : rows) ASSERT_TRUE(db->Exec("INSERT INTO v (i, t, b) VALUES (?, ?, ?)", r).ok());
  auto got = db->Query("SELECT i, t, b, t IS NULL FROM v ORDER BY i NULLS LAST", {}).value();
  ASSERT_EQ(got.size(), 4u);  // INT64_MIN, -1, INT64_MAX, NULL
  EXPECT_EQ(got[0].Int(0), INT64_MIN);
  EXPECT_EQ(got[0].Text(1), "");
  EXPECT_FALSE(got[0].IsNull(1));  // an empty string is not NULL
  EXPECT_EQ(got[0].Text(2), bytes);
  EXPECT_EQ(got[0].Int(3), 0);  // booleans read as integers
  EXPECT_EQ(got[1].Int(0), -1);
  EXPECT_TRUE(got[1].IsNull(1));
  EXPECT_TRUE(got[1].IsNull(2));
  EXPECT_EQ(got[1].Int(3), 1);
  EXPECT_EQ(got[2].Int(0), INT64_MAX);
  EXPECT_EQ(got[2].Text(1), "投诉 '?' \"x\"");
  EXPECT_EQ(got[2].Text(2), "");
  EXPECT_FALSE(got[2].IsNull(2));
  EXPECT_TRUE(got[3].IsNull(0));
  EXPECT_EQ(got[3].Text(2), "b");
  // A count, a small integer and an untyped literal.
  auto misc = db->Query("SELECT (SELECT count(*) FROM v), 7::smallint, 'x', ?", {sql::Int(42)}).value();
  EXPECT_EQ(misc[0].Int(0), 4);
  EXPECT_EQ(misc[0].Int(1), 7);
  EXPECT_EQ(misc[0].Text(2), "x");
  EXPECT_EQ(misc[0].Int(3), 42);
}

TEST_F(PgStoreTest, ErrorsMapToStatuses) {
  auto db = PgConnection::Open(conninfo_).value();
  ASSERT_TRUE(db->Script("CREATE TABLE u (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO u (k) VALUES (?)", {sql::Text("a")}).ok());
  EXPECT_EQ(db->Exec("INSERT INTO u (k) VALUES (?)", {sql::Text("a")}).status().code(), StatusCode::kConflict);
  // Text PostgreSQL cannot hold: a NUL, bytes that are not UTF-8. A client's bad input, not a 500.
  EXPECT_EQ(db->Exec("INSERT INTO u (k) VALUES (?)", {sql::Text(std::string("a\0b", 3))}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Exec("INSERT INTO u (k) VALUES (?)", {sql::Text("\xff\xfe")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Query("SELECT nosuchcolumn FROM u", {}).status().code(), StatusCode::kInternal);
  auto refused = PgConnection::Open(base_ + " dbname=no_such_db");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().ToString().find("no_such_db"), std::string::npos) << refused.status().ToString();
}

// The connection string may hold a password: no message repeats it. libpq quotes a malformed
// string in its own message.
TEST_F(PgStoreTest, MessagesNeverRepeatThePassword) {
  for (const std::string& conninfo : {std::string("postgresql://u:s3cret@[::1/db"),
                                      std::string("postgresql://u:s3cr%zzet@localhost/db"),
                                      std::string("host=/nonexistent password=s3cret dbname=x")}) {
    auto refused = PgConnection::Open(conninfo);
    ASSERT_FALSE(refused.ok()) << conninfo;
    const std::string text = refused.status().ToString() + refused.status().detail();
    EXPECT_EQ(text.find("s3cr"), std::string::npos) << text;
  }
  EXPECT_EQ(PgConnection::Open("postgresql://u:s3cret@[::1/db").status().code(), StatusCode::kInvalidArgument);
  // A bare database name is no connection string: the message shows the form.
  auto bare = PgConnection::Open("tousu");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bare.status().message().find("dbname=tousu"), std::string::npos) << bare.status().ToString();
}

// Jobs of one group each run in a savepoint: one that fails after writing rolls back alone,
// also when its failure is PostgreSQL's (which aborts the whole transaction otherwise).
TEST_F(PgStoreTest, AFailedJobRollsBackAloneInItsGroup) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::vector<std::promise<Status>> results(5);
  // The first job holds the writer until all five are queued, so they commit as one group.
  store->Write([open](WriteTx& tx) { open.wait(); return tx.SetMeta("a", "1"); },
               [&](Status s) { results[0].set_value(s); });
  store->Write([](WriteTx& tx) -> Status {
    TOUSU_RETURN_IF_ERROR(tx.SetMeta("b", "half done"));
    return Status::Conflict("refused after writing");
  }, [&](Status s) { results[1].set_value(s); });
  store->Write([](WriteTx& tx) -> Status {
    TOUSU_RETURN_IF_ERROR(tx.SetMeta("c", "half done"));
    Platform p{.id = "dup", .name = "x"};
    TOUSU_RETURN_IF_ERROR(tx.InsertPlatform(p));
    return tx.InsertPlatform(p);  // a unique violation: PostgreSQL aborts the transaction
  }, [&](Status s) { results[2].set_value(s); });
  store->Write([](WriteTx& tx) { return tx.SetMeta("d", "1"); }, [&](Status s) { results[3].set_value(s); });
  store->Write([](WriteTx&) -> Status { throw std::runtime_error("boom"); },
               [&](Status s) { results[4].set_value(s); });
  gate.set_value();
  EXPECT_TRUE(results[0].get_future().get().ok());
  EXPECT_EQ(results[1].get_future().get().code(), StatusCode::kConflict);
  EXPECT_EQ(results[2].get_future().get().code(), StatusCode::kConflict);
  EXPECT_TRUE(results[3].get_future().get().ok());
  EXPECT_EQ(results[4].get_future().get().code(), StatusCode::kInternal);
  EXPECT_EQ(Meta(*store, "a"), "1");
  EXPECT_EQ(Meta(*store, "b"), std::nullopt);
  EXPECT_EQ(Meta(*store, "c"), std::nullopt);
  EXPECT_EQ(Meta(*store, "d"), "1");
  bool platform = true;
  ASSERT_TRUE(store->Read([&](ReadTx& tx) -> Status {
                       TOUSU_ASSIGN_OR_RETURN(auto p, tx.GetPlatform("dup"));
                       platform = p.has_value();
                       return Status::Ok();
                     }).ok());
  EXPECT_FALSE(platform);
  store->Close();
}

// A job that swallows a failed statement's error and returns Ok has had its transaction
// aborted under it (PostgreSQL): it fails alone; the rest of its group commits.
TEST_F(PgStoreTest, AJobThatGoesOnAfterAFailedStatementFailsAlone) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->WriteSync([](WriteTx& tx) { return tx.InsertPlatform(Platform{.id = "dup", .name = "x"}); }).ok());
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::vector<std::promise<Status>> results(3);
  store->Write([open](WriteTx& tx) { open.wait(); return tx.SetMeta("a", "1"); },
               [&](Status s) { results[0].set_value(s); });
  store->Write([](WriteTx& tx) -> Status {
    (void)tx.InsertPlatform(Platform{.id = "dup", .name = "x"});  // Conflict, ignored
    return Status::Ok();
  }, [&](Status s) { results[1].set_value(s); });
  store->Write([](WriteTx& tx) { return tx.SetMeta("c", "1"); }, [&](Status s) { results[2].set_value(s); });
  gate.set_value();
  EXPECT_TRUE(results[0].get_future().get().ok());
  EXPECT_EQ(results[1].get_future().get().code(), StatusCode::kInternal);
  EXPECT_TRUE(results[2].get_future().get().ok());
  EXPECT_EQ(Meta(*store, "a"), "1");
  EXPECT_EQ(Meta(*store, "c"), "1");
  store->Close();
}

Complaint TestComplaint(int version) {
  Complaint c;
  c.platform_id = "p";
  c.id = "cmp_1";
  c.order_no = "o1";
  c.consumer_ref = "u1";
  c.merchant_ref = "m1";
  c.incident_at = Instant::FromUnixSeconds(1'700'000'000);
  c.description = "充值后一直未到账";
  c.demands = {Demand{DemandKind::kRefund, Money::Fen(1000), 0}};
  c.assignee = "agent1";
  c.version = version;
  c.assessment_json = "{}";
  return c;
}

// A commit is visible to readers as soon as COMMIT returns, before the complaint cache has
// heard of it: answers built from reads that could have seen it wait (ReadHorizon, AfterDurable)
// until OnComplaintsUpdated has run.
TEST_F(PgStoreTest, ReadAnswersWaitUntilTheCacheHeardOfTheCommit) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  store->OnComplaintsUpdated([&](const std::vector<ComplaintKey>& keys) {
    ++calls;
    EXPECT_EQ(keys.size(), 1u);
    released.wait();
  });
  ASSERT_TRUE(store->WriteSync([](WriteTx& tx) { return tx.InsertComplaint(TestComplaint(1)); }).ok());
  auto update = std::async(std::launch::async, [&] {
    return store->WriteSync([](WriteTx& tx) { return tx.UpdateComplaint(TestComplaint(2), TestComplaint(1)); });
  });
  // Read until the update is visible (it is, before the callback returns).
  int64_t seen = 0;
  for (int i = 0; i < 500 && seen != 2; ++i) {
    ASSERT_TRUE(store->Read([&](ReadTx& tx) -> Status {
                         TOUSU_ASSIGN_OR_RETURN(auto c, tx.GetComplaint("p", "cmp_1"));
                         seen = c ? c->version : 0;
                         return Status::Ok();
                       }).ok());
    if (seen != 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(seen, 2);
  const uint64_t horizon = store->ReadHorizon();
  EXPECT_FALSE(store->Durable(horizon));
  std::promise<Status> answered;
  store->AfterDurable(horizon, [&](Status s) { answered.set_value(s); });
  auto answer = answered.get_future();
  EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(calls.load(), 1);
  release.set_value();
  EXPECT_TRUE(answer.get().ok());
  EXPECT_TRUE(store->Durable(horizon));
  EXPECT_TRUE(update.get().ok());
  store->Close();
}

// SqlTx numbers log leaves and events from what it reads: only one store may write.
TEST_F(PgStoreTest, ASecondWriterIsRefusedWhileTheFirstHoldsTheDatabase) {
  auto first = OpenStore();
  auto second = OpenStore();  // opening and reading is allowed (tousu verify beside a server)
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(Init(*first));  // the first write: first takes the writer's lock
  ASSERT_TRUE(first->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "first"); }).ok());
  EXPECT_TRUE(first->Ready());
  EXPECT_FALSE(second->Ready());  // its writes would fail: not ready
  Status refused = second->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "second"); });
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.ToString().find("another tousu server"), std::string::npos) << refused.ToString();
  EXPECT_EQ(Meta(*second, "k"), "first");
  first->Close();  // its session ends, and with it the lock
  EXPECT_TRUE(second->Ready());  // nobody holds it now
  EXPECT_TRUE(second->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "second"); }).ok());
  EXPECT_EQ(Meta(*second, "k"), "second");
  EXPECT_TRUE(second->Ready());
  second->Close();
}

// A server restart (here: the sessions killed) fails what ran on the broken connections; the
// store reconnects before the next transaction, and its writer takes its lock again.
TEST_F(PgStoreTest, BrokenConnectionsAreReconnected) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "1"); }).ok());
  ASSERT_EQ(Meta(*store, "k"), "1");
  auto kill_sessions = [&] {
    auto killed = admin_->Query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ?",
                                {sql::Text(name_)});
    ASSERT_TRUE(killed.ok()) << killed.status().ToString();
    EXPECT_GE(killed->front().Int(0), 2);  // the writer and a reader
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };
  kill_sessions();
  // Sessions that died between transactions: the next write and read find out at BEGIN, before
  // anything ran, connect again and go on.
  Status s = store->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "2"); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Meta(*store, "k"), "2");
  // A session that dies inside a transaction fails that transaction, as Unavailable; the next
  // one reconnects.
  s = store->WriteSync([this](WriteTx& tx) -> Status {
    TOUSU_RETURN_IF_ERROR(tx.SetMeta("k", "3"));
    auto admin = PgConnection::Open(conninfo_);
    if (!admin.ok()) return admin.status();
    return (*admin)->Script("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name_ +
                            "' AND pid <> pg_backend_pid() AND state = 'idle in transaction'");
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(Meta(*store, "k"), "2");  // k = 3 was never committed
  EXPECT_TRUE(store->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "4"); }).ok());
  EXPECT_EQ(Meta(*store, "k"), "4");
  // After a reconnect the writer holds the lock again: a second store is still refused.
  auto second = OpenStore();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "x"); }).code(), StatusCode::kUnavailable);
  second->Close();
  store->Close();
}

TEST_F(PgStoreTest, ASchemaNewerThanThisBinaryIsRefused) {
  OpenStore()->Close();
  auto db = PgConnection::Open(conninfo_).value();
  auto version = db->Query("SELECT version FROM tousu_schema", {}).value();
  ASSERT_EQ(version.size(), 1u);
  EXPECT_EQ(version[0].Int(0), PgStore::LatestSchemaVersion());
  ASSERT_TRUE(db->Script("UPDATE tousu_schema SET version = 999").ok());
  auto refused = PgStore::Open(conninfo_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("newer"), std::string::npos) << refused.status().ToString();
}

TEST_F(PgStoreTest, ADatabaseNotInUtf8IsRefused) {
  const std::string latin1 = CreateDatabase("ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
  auto refused = PgStore::Open(base_ + " dbname=" + latin1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("UTF8"), std::string::npos) << refused.status().ToString();
}

// Ids and cursors order byte by byte, as in SQLite, whatever the database's collation: here
// ICU's English, which sorts "_z" first and "B_3" last.
TEST_F(PgStoreTest, TextOrdersByteByByte) {
  const std::string icu = CreateDatabase("ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
  auto db = PgConnection::Open(base_ + " dbname=" + icu).value();
  auto plain = db->Query("SELECT x FROM (VALUES ('b_1'), ('a-2'), ('B_3'), ('a_1'), ('_z')) v(x) ORDER BY x", {}).value();
  ASSERT_EQ(plain.size(), 5u);
  EXPECT_EQ(plain.front().Text(0), "_z");  // the database's own order is not bytes
  EXPECT_EQ(plain.back().Text(0), "B_3");
  conninfo_ = base_ + " dbname=" + icu;
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (const char* id : {"b_1", "a-2", "B_3", "a_1", "_z"}) {
    ASSERT_TRUE(store->WriteSync([id](WriteTx& tx) { return tx.InsertPlatform(Platform{.id = id, .name = id}); }).ok());
  }
  std::vector<std::string> ids;
  ASSERT_TRUE(store->Read([&](ReadTx& tx) -> Status {
                       TOUSU_ASSIGN_OR_RETURN(auto all, tx.ListPlatforms());
                       for (const auto& p : all) ids.push_back(p.id);
                       return Status::Ok();
                     }).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"B_3", "_z", "a-2", "a_1", "b_1"}));
  store->Close();
}

// The PostgreSQL schema is the SQLite store's latest, table for table, column for column and
// index for index: a SQLite migration that is not mirrored here fails this test.
TEST_F(PgStoreTest, TheSchemaMatchesTheSqliteStores) {
  OpenStore()->Close();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tousu-pgschema-" + HexEncode(RandomBytes(6)) + ".db")).string();
  SqliteStore::Open(path, true).value()->Close();
  std::set<std::string> lite_columns, lite_indexes, pg_columns, pg_indexes;
  {
    auto lite = sql::SqliteConnection::Open(path, sql::SqliteConnection::Mode::kReadOnly).value();
    const auto columns = lite->Query("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                                     "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'", {}).value();
    for (const auto& r : columns) {
      lite_columns.insert(r.Text(0) + "." + r.Text(1));
    }
    const auto indexes = lite->Query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL", {}).value();
    for (const auto& r : indexes) {
      lite_indexes.insert(r.Text(0));
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto db = PgConnection::Open(conninfo_).value();
  const auto columns = db->Query("SELECT table_name::text, column_name::text FROM information_schema.columns "
                                 "WHERE table_schema = 'public' AND table_name <> 'tousu_schema'", {}).value();
  for (const auto& r : columns) {
    pg_columns.insert(r.Text(0) + "." + r.Text(1));
  }
  const auto indexes = db->Query("SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND "
                                 "indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'", {}).value();
  for (const auto& r : indexes) {
    pg_indexes.insert(r.Text(0));
  }
  EXPECT_GT(lite_columns.size(), 100u);
  EXPECT_EQ(pg_columns, lite_columns);
  EXPECT_EQ(pg_indexes, lite_indexes);
}

// tousu init on PostgreSQL: the directory remembers the database (mode 0600) only once it
// answered; a second directory for an initialised database is refused (it would sign the same
// log with a second key); init again on the first changes nothing.
TEST_F(PgStoreTest, InitRemembersTheDatabaseAndRefusesASecondDirectoryForIt) {
  const std::string root =
      (std::filesystem::temp_directory_path() / ("tousu-pginit-" + HexEncode(RandomBytes(6)))).string();
  auto bad = InitDataDir(root + "/bad", "", base_ + " dbname=no_such_db");
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(std::filesystem::exists(PostgresConninfoPath(root + "/bad")));
  auto first = InitDataDir(root + "/one", "", conninfo_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  struct stat st {};
  ASSERT_EQ(::stat(PostgresConninfoPath(root + "/one").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(root + "/one/tousu.db"));
  auto second = InitDataDir(root + "/two", "", conninfo_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(LogKeyPath(root + "/two")));
  EXPECT_FALSE(std::filesystem::exists(PostgresConninfoPath(root + "/two")));
  auto again = InitDataDir(root + "/one", "", conninfo_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  auto other = InitDataDir(root + "/one", "", base_ + " dbname=postgres");
  EXPECT_FALSE(other.ok());  // the directory names another database
  auto opened = OpenDataDir(root + "/one");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_NE(dynamic_cast<PgStore*>(opened->get()), nullptr);
  (*opened)->Close();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace tousu
