// The PostgreSQL store against a real PostgreSQL server: the ctest entry unit.postgres runs these
// beside a throwaway cluster (tests/postgres/with_cluster.sh sets TOUSU_TEST_POSTGRES); run
// alone, without a server, they skip. The whole integration suite also runs on this store
// (integration.postgres). Only PgConnection::Numbered needs no server.
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "base/crypto.h"
#include "base/encoding.h"
#include "store/postgres/pg_connection.h"
#include "store/sql/sql_tx.h"

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
    name_ = "pgu_" + HexEncode(RandomBytes(6));
    ASSERT_TRUE(admin_->Script("CREATE DATABASE " + name_ + " TEMPLATE template0 ENCODING 'UTF8'").ok());
    conninfo_ = base_ + " dbname=" + name_;
  }
  void TearDown() override {
    if (admin_) (void)admin_->Script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }

  std::unique_ptr<PgStore> OpenStore() {
    auto store = PgStore::Open(conninfo_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
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
  // The connection string may hold a password: errors never repeat it.
  auto refused = PgConnection::Open(base_ + " dbname=no_such_db password=s3cret-pw");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().ToString().find("s3cret-pw"), std::string::npos) << refused.status().ToString();
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

// SqlTx numbers log leaves and events from what it reads: only one store may write.
TEST_F(PgStoreTest, ASecondWriterIsRefusedWhileTheFirstHoldsTheDatabase) {
  auto first = OpenStore();
  auto second = OpenStore();  // opening and reading is allowed (tousu verify beside a server)
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "first"); }).ok());
  Status refused = second->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "second"); });
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.ToString().find("another tousu server"), std::string::npos) << refused.ToString();
  EXPECT_EQ(Meta(*second, "k"), "first");
  first->Close();  // its session ends, and with it the lock
  EXPECT_TRUE(second->WriteSync([](WriteTx& tx) { return tx.SetMeta("k", "second"); }).ok());
  EXPECT_EQ(Meta(*second, "k"), "second");
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

// Ids and cursors order byte by byte, as in SQLite, whatever the database's collation.
TEST_F(PgStoreTest, TextOrdersByteByByte) {
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

}  // namespace
}  // namespace tousu
