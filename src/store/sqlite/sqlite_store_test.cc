// The SQLite store's own mechanics: the background checkpointer.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "base/crypto.h"
#include "base/encoding.h"

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

}  // namespace
}  // namespace tousu
