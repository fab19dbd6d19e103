// The SQLite store's own mechanics: the background checkpointer, and the plans of the queries
// whose cost must not grow with the store (checked with EXPLAIN QUERY PLAN on the real schema
// and its fixed planner statistics).
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "base/crypto.h"
#include "base/encoding.h"
#include "store/sql/sql_tx.h"
#include "store/sqlite/sqlite_connection.h"

namespace tousu {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreTest() : dir_(fs::temp_directory_path() / ("tousu-store-" + HexEncode(RandomBytes(6)))) {
    fs::create_directories(dir_);
  }
  ~SqliteStoreTest() override { fs::remove_all(dir_); }

  std::string DbPath() const { return (dir_ / "t.db").string(); }

  // Commits `n` transactions of one 4 KiB value each: at least one WAL page per commit.
  static void WriteMany(Store& store, int n) {
    for (int i = 0; i < n; ++i) {
      // Built with append, not "k" + ...: GCC 12's -Wrestrict misfires on that at -O3.
      std::string key = "k";
      key += std::to_string(i);
      ASSERT_TRUE(store.WriteSync([&key](WriteTx& tx) { return tx.SetMeta(key, std::string(4096, 'x')); }).ok());
    }
  }

  // Waits up to `limit` for the database file (not its WAL) to exceed `bytes`.
  bool MainFileGrowsPast(uintmax_t bytes, std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (fs::file_size(DbPath()) > bytes) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  fs::path dir_;
};

TEST_F(SqliteStoreTest, CheckpointerCopiesALongWalIntoTheDatabaseWhileOpen) {
  SqliteStore::Options options;
  options.checkpoint_frames = 50;
  auto store = SqliteStore::Open(DbPath(), true, options).value();
  const uintmax_t before = fs::file_size(DbPath());
  WriteMany(*store, 200);  // ~400 WAL pages: past the threshold several times
  // Only a checkpoint writes the new pages into the database file itself.
  EXPECT_TRUE(MainFileGrowsPast(before + 200 * 4096, std::chrono::seconds(10)));
  store->Close();
}

TEST_F(SqliteStoreTest, NoCheckpointBelowTheThreshold) {
  SqliteStore::Options options;
  options.checkpoint_frames = 1'000'000;
  auto store = SqliteStore::Open(DbPath(), true, options).value();
  const uintmax_t before = fs::file_size(DbPath());
  WriteMany(*store, 200);
  EXPECT_FALSE(MainFileGrowsPast(before + 200 * 4096, std::chrono::milliseconds(300)));
  // Close folds the WAL in.
  store->Close();
  EXPECT_GT(fs::file_size(DbPath()), before + 200 * 4096);
  auto reopened = SqliteStore::Open(DbPath(), false).value();
  std::optional<std::string> v;
  ASSERT_TRUE(reopened->Read([&](ReadTx& tx) -> Status {
                TOUSU_ASSIGN_OR_RETURN(v, tx.GetMeta("k199"));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(v, std::string(4096, 'x'));
  reopened->Close();
}

// The plan SQLite picks for `q`, one line per step.
std::string PlanOf(const std::string& db_path, const sql::SqlQuery& q) {
  auto conn = sql::SqliteConnection::Open(db_path, sql::SqliteConnection::Mode::kReadOnly).value();
  auto rows = conn->Query("EXPLAIN QUERY PLAN " + q.sql, q.params).value();
  std::string plan;
  for (const auto& r : rows) plan += r.Text(3) + "\n";
  return plan;
}

void ExpectBoundedSimilarPlans(const std::string& db_path) {
  SimilarQuery q{Category::kDisconnected, "", Instant::FromUnixSeconds(1000), Instant::FromUnixSeconds(8200),
                 "cmp_x", 5, /*newest_first=*/true};
  // Platform-wide: the category's complaints in incident order; no sort, no table rows.
  std::string plan = PlanOf(db_path, sql::SimilarComplaintsQuery(sql::Dialect::kSqlite, "p", q));
  EXPECT_NE(plan.find("COVERING INDEX complaints_similar ("), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  // One merchant: its own index, so a storm against other merchants in the same second is not
  // walked through.
  q.merchant_ref = "m1";
  plan = PlanOf(db_path, sql::SimilarComplaintsQuery(sql::Dialect::kSqlite, "p", q));
  EXPECT_NE(plan.find("COVERING INDEX complaints_similar_by_merchant (platform_id=? AND merchant_ref=? AND category=?"),
            std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  // The refresh: undetermined open ones only (in a storm, once the cluster is found, none).
  q.merchant_ref.clear();
  q.only_undetermined_open = true;
  plan = PlanOf(db_path, sql::SimilarComplaintsQuery(sql::Dialect::kSqlite, "p", q));
  EXPECT_NE(plan.find("INDEX complaints_undetermined (platform_id=? AND category=? AND party=?"), std::string::npos)
      << plan;
}

TEST_F(SqliteStoreTest, SimilarComplaintReadsAreBoundedIndexScans) {
  SqliteStore::Open(DbPath(), true).value()->Close();
  ExpectBoundedSimilarPlans(DbPath());
}

// An operator's ANALYZE (or PRAGMA optimize) replaces the shipped statistics with the data's.
// These are what ANALYZE wrote for the benchmark's seeded store of 20,000 complaints, under
// which SQLite picked complaints_similar for the refresh and filing fell twentyfold.
TEST_F(SqliteStoreTest, SimilarComplaintPlansSurviveAnAnalyze) {
  SqliteStore::Open(DbPath(), true).value()->Close();
  {
    auto conn = sql::SqliteConnection::Open(DbPath(), sql::SqliteConnection::Mode::kReadWrite).value();
    ASSERT_TRUE(conn->Script("DELETE FROM sqlite_stat1 WHERE tbl = 'complaints';"
                             "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
                             "('complaints', 'complaints_similar_by_merchant', '20000 20000 2000 667 4 4 4'),"
                             "('complaints', 'complaints_undetermined', '20000 20000 3334 3334 17'),"
                             "('complaints', 'complaints_similar', '20000 20000 3334 17 4 4 4'),"
                             "('complaints', 'complaints_by_incident', '20000 20000 100'),"
                             "('complaints', 'complaints_by_order', '20000 20000 1'),"
                             "('complaints', 'complaints_by_assignee', '20000 20000 2000 1'),"
                             "('complaints', 'complaints_by_merchant', '20000 20000 2000 1'),"
                             "('complaints', 'complaints_by_consumer', '20000 20000 20 1'),"
                             "('complaints', 'complaints_by_status', '20000 20000 20000 1'),"
                             "('complaints', 'complaints', '20000 20000 1');"
                             "ANALYZE sqlite_schema;")
                    .ok());
  }
  ExpectBoundedSimilarPlans(DbPath());
}

}  // namespace
}  // namespace tousu
