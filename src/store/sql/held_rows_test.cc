#include "store/sql/held_rows.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/crypto.h"
#include "base/encoding.h"
#include "store/sqlite/sqlite_connection.h"

namespace tousu::sql {
namespace {

class HeldRowsTest : public ::testing::Test {
 protected:
  HeldRowsTest()
      : path_(std::filesystem::temp_directory_path() / ("tousu-held-" + HexEncode(RandomBytes(6)) + ".db")),
        db_(SqliteConnection::Open(path_.string(), SqliteConnection::Mode::kReadWrite).value()) {
    EXPECT_TRUE(db_->Script("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT, b BLOB)").ok());
  }
  ~HeldRowsTest() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }

  std::vector<Row> All() { return db_->Query("SELECT k, v, b FROM t ORDER BY k", {}).value(); }

  std::filesystem::path path_;
  std::unique_ptr<SqliteConnection> db_;
};

TEST_F(HeldRowsTest, WritesEveryRowInOrderInBatches) {
  HeldRows held("INSERT INTO t (k, v, b) VALUES ", 3);
  for (int i = 0; i < 150; ++i) held.Add({Int(i), Text("v" + std::to_string(i)), i % 2 ? Bytes("x") : Null()});
  EXPECT_EQ(held.size(), 150u);
  EXPECT_TRUE(All().empty());  // held, not written
  ASSERT_TRUE(held.Flush(*db_).ok());
  EXPECT_EQ(held.size(), 0u);
  const auto rows = All();
  ASSERT_EQ(rows.size(), 150u);
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(rows[i].Int(0), i);
    EXPECT_EQ(rows[i].Text(1), "v" + std::to_string(i));
    EXPECT_EQ(rows[i].IsNull(2), i % 2 == 0);
  }
  EXPECT_TRUE(held.Flush(*db_).ok());  // nothing left: nothing written twice
  EXPECT_EQ(All().size(), 150u);
}

TEST_F(HeldRowsTest, ARefusedRowFailsTheFlushAndIsNotKept) {
  HeldRows held("INSERT INTO t (k, v, b) VALUES ", 3);
  held.Add({Int(1), Text("a"), Null()});
  held.Add({Int(1), Text("again"), Null()});
  const Status s = held.Flush(*db_);
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  EXPECT_EQ(held.size(), 0u);
  EXPECT_TRUE(All().empty());  // the statement is undone whole
}

TEST_F(HeldRowsTest, ARowOfTheWrongWidthIsAnInternalError) {
  HeldRows held("INSERT INTO t (k, v, b) VALUES ", 3);
  held.Add({Int(1), Text("a")});
  EXPECT_EQ(held.Flush(*db_).code(), StatusCode::kInternal);
  EXPECT_EQ(held.size(), 0u);
  EXPECT_TRUE(All().empty());
}

}  // namespace
}  // namespace tousu::sql
