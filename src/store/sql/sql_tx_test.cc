// SqlTx's writer-side memory checked against SQLite itself: the answers it remembers must be
// what a fresh read in the same transaction returns.
#include "store/sql/sql_tx.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "base/crypto.h"
#include "base/encoding.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu::sql {
namespace {

namespace fs = std::filesystem;

class SqlTxTest : public ::testing::Test {
 protected:
  SqlTxTest() : path_(fs::temp_directory_path() / ("tousu-sqltx-" + HexEncode(RandomBytes(6)) + ".db")) {
    SqliteStore::Open(path_.string(), true).value()->Close();  // the schema
    db_ = SqliteConnection::Open(path_.string(), SqliteConnection::Mode::kReadWrite).value();
  }
  ~SqlTxTest() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }

  fs::path path_;
  std::unique_ptr<SqliteConnection> db_;
};

// The incident times of an answer, sorted: what the rules read of it (ties at the edge of the
// nearest `limit` may be any of the tied complaints).
std::vector<int64_t> Times(const std::vector<SimilarComplaint>& v) {
  std::vector<int64_t> out;
  for (const auto& s : v) out.push_back(s.incident_at.unix_seconds());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(SqlTxTest, RememberedSimilarAnswersStayWhatSqliteAnswers) {
  ASSERT_TRUE(db_->Script("BEGIN IMMEDIATE").ok());
  SqlTx writer(*db_, /*writer=*/true);
  SqlTx fresh(*db_);  // no memory: asks SQLite every time, in the same transaction
  std::mt19937_64 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const Category cats[] = {Category::kNotReceived, Category::kDisconnected};
  const ComplaintStatus statuses[] = {ComplaintStatus::kAwaitingMerchant, ComplaintStatus::kPlatformReview,
                                      ComplaintStatus::kWithdrawn, ComplaintStatus::kResolved};
  std::vector<Complaint> filed;
  int compared = 0;
  for (int i = 0; i < 600; ++i) {
    // A question like GatherFacts asks, around one of a few incident times (a storm's).
    SimilarQuery q;
    q.category = cats[pick(2)];
    q.merchant_ref = pick(2) ? "" : "m" + std::to_string(pick(3));
    const Instant t = Instant::FromUnixSeconds(1'800'000'000 + 600 * pick(4));
    q.newest_first = pick(2) == 0;
    q.from = q.newest_first ? t - hours(2) : t + seconds(1);
    q.to = q.newest_first ? t : t + hours(2);
    q.limit = 1 + pick(6);
    q.exclude_id = pick(5) == 0 && !filed.empty() ? filed[pick(static_cast<int>(filed.size()))].id : "";
    const std::string platform = pick(4) ? "p" : "q";
    auto remembered = writer.ListSimilarComplaints(platform, q);
    auto asked = fresh.ListSimilarComplaints(platform, q);
    ASSERT_TRUE(remembered.ok() && asked.ok());
    ASSERT_EQ(Times(*remembered), Times(*asked)) << "question " << i;
    ++compared;

    if (pick(4) == 0 && !filed.empty()) {
      // An update (withdrawal, a decided party) drops what it may have changed.
      Complaint before = filed[pick(static_cast<int>(filed.size()))];
      Complaint after = before;
      after.status = statuses[pick(4)];
      after.party = pick(2) ? Party::kPlatform : Party::kUndetermined;
      after.version = before.version + 1;
      ASSERT_TRUE(writer.UpdateComplaint(after, before).ok());
      for (auto& f : filed) {
        if (f.id == after.id) f = after;
      }
      continue;
    }
    Complaint c;
    c.platform_id = pick(4) ? "p" : "q";
    c.id = "cmp_" + std::to_string(100000 + i);
    c.order_no = "o" + std::to_string(i);
    c.consumer_ref = "u";
    c.merchant_ref = "m" + std::to_string(pick(3));
    c.category = cats[pick(2)];
    // Mostly at the storm's few seconds, some around them.
    c.incident_at = Instant::FromUnixSeconds(1'800'000'000 + 600 * pick(4) + (pick(3) == 0 ? pick(9000) - 4500 : 0));
    c.status = statuses[pick(4)];
    c.party = pick(2) ? Party::kPlatform : Party::kUndetermined;
    c.assessment_json = "{}";
    ASSERT_TRUE(writer.InsertComplaint(c).ok());
    filed.push_back(c);
  }
  EXPECT_EQ(compared, 600);
  ASSERT_TRUE(writer.Flush().ok());
  ASSERT_TRUE(db_->Script("ROLLBACK").ok());
}

}  // namespace
}  // namespace tousu::sql
