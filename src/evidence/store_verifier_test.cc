// Tamper tests: a store built through the real services verifies; flipping a byte in a blob, a
// leaf, a stored tree hash, a checkpoint or a logged record makes verification fail and name it.
#include "evidence/store_verifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/encoding.h"
#include "service/complaints.h"
#include "service/evidence.h"
#include "service/transparency_log.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu::evidence {
namespace {

namespace fs = std::filesystem;

class StoreVerifierTest : public ::testing::Test {
 protected:
  StoreVerifierTest()
      : dir_(fs::temp_directory_path() / ("tousu-verify-" + HexEncode(RandomBytes(6)))),
        clock_(*ParseRfc3339("2030-01-01T00:00:00Z")),
        complaints_(clock_, ids_),
        evidence_(clock_, ids_, complaints_),
        signer_(NoteSigner::Generate("tousu.test/log").value()),
        checkpoints_(clock_, signer_) {
    fs::create_directories(dir_);
    blobs_ = BlobStore::Open(dir_.string()).value();
    Open();
    Populate();
  }
  ~StoreVerifierTest() override {
    if (store_) store_->Close();
    std::error_code ec;
    for (auto& p : fs::recursive_directory_iterator(dir_, ec)) fs::permissions(p.path(), fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }

  void Open() { store_ = SqliteStore::Open((dir_ / "t.db").string(), true).value(); }

  static Principal Alice() {
    Principal p;
    p.role = Role::kConsumer;
    p.platform_id = "shop";
    p.user_ref = "alice";
    return p;
  }

  void Write(const WriteJob& job) {
    Status s = store_->WriteSync(job);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void Populate() {
    Write([&](WriteTx& tx) -> Status {
      TOUSU_RETURN_IF_ERROR(tx.InsertPlatform({"shop", "Shop", clock_.Now()}));
      TOUSU_RETURN_IF_ERROR(tx.UpsertUser({"shop", "alice", Role::kConsumer, "A", "", "", clock_.Now(), clock_.Now()}));
      TOUSU_RETURN_IF_ERROR(tx.UpsertUser({"shop", "agent1", Role::kAgent, "B", "", "", clock_.Now(), clock_.Now()}));
      Order o;
      o.platform_id = "shop";
      o.order_no = "O-1";
      o.consumer_ref = "alice";
      o.merchant_ref = "m1";
      o.amount = Money::Fen(500);
      o.paid_at = clock_.Now() - hours(1);
      return tx.UpsertOrder(o);
    });
    FileCommand cmd{"O-1", Category::kNotReceived, clock_.Now() - minutes(10), std::nullopt, "未到账",
                    {Demand{DemandKind::kRefund, Money::Fen(500), 0}}, ""};
    Write([&](WriteTx& tx) -> Status {
      TOUSU_ASSIGN_OR_RETURN(Complaint c, complaints_.File(tx, Alice(), cmd));
      complaint_ = c.id;
      return checkpoints_.SignIfGrown(tx).status();
    });
    for (int i = 0; i < 6; ++i) {
      const std::string bytes = "screenshot " + std::to_string(i % 3);  // 3 distinct blobs
      auto w = blobs_->NewWriter().value();
      ASSERT_TRUE(w->Append(bytes).ok());
      BlobInfo info = w->Commit().value();
      EvidenceUpload u;
      u.kind = EvidenceKind::kIncident;
      u.filename = "s" + std::to_string(i) + ".txt";
      u.sha256_hex = info.sha256_hex;
      u.size = info.size;
      u.media_type = "text/plain";
      Write([&](WriteTx& tx) -> Status {
        TOUSU_RETURN_IF_ERROR(evidence_.Add(tx, Alice(), complaint_, u).status());
        return complaints_.PostMessage(tx, Alice(), complaint_, "第" + std::to_string(i) + "张").status();
      });
      if (i % 2 == 1) Write([&](WriteTx& tx) { return checkpoints_.SignIfGrown(tx).status(); });
    }
    first_blob_ = Sha256Hex("screenshot 0");
  }

  StoreReport Verify() {
    auto key = NoteVerifier::FromVerifierKey(signer_.VerifierKey()).value();
    int64_t last_done = 0;
    auto r = VerifyStore(*store_, *blobs_, key, [&](int64_t done, int64_t total) {
      EXPECT_LE(done, total);
      last_done = done;
    });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok() && r->ok) {
      EXPECT_EQ(last_done, r->leaves);
    }
    return r.ok() ? *r : StoreReport{};
  }

  // Runs SQL against the database behind the store's back, as an attacker with disk access would.
  void Tamper(const std::string& sql) {
    store_->Close();
    auto db = sql::SqliteConnection::Open((dir_ / "t.db").string(), sql::SqliteConnection::Mode::kReadWrite).value();
    auto changed = db->Exec(sql, {});
    ASSERT_TRUE(changed.ok()) << changed.status().ToString();
    ASSERT_EQ(*changed, 1) << sql;
    db.reset();
    Open();
  }

  void ExpectProblem(const std::string& needle) {
    StoreReport r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.problem.find(needle), std::string::npos) << "problem: " << r.problem;
  }

  fs::path dir_;
  ManualClock clock_;
  IdGenerator ids_;
  ComplaintService complaints_;
  EvidenceService evidence_;
  NoteSigner signer_;
  CheckpointSigner checkpoints_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<SqliteStore> store_;
  std::string complaint_;
  std::string first_blob_;
};

TEST_F(StoreVerifierTest, AnUntouchedStoreVerifies) {
  StoreReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  // One leaf per event (filing, messages, reassessments) and per evidence record.
  size_t records = 0;
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto events, tx.ListEvents("shop", complaint_));
    TOUSU_ASSIGN_OR_RETURN(auto evidence, tx.ListEvidence("shop", complaint_));
    records = events.size() + evidence.size();
    return Status::Ok();
  }).ok());
  EXPECT_EQ(r.leaves, static_cast<int64_t>(records));
  EXPECT_GE(r.leaves, 2 + 6 * 2);
  EXPECT_EQ(r.blobs, 3);
  EXPECT_EQ(r.checkpoints, 4);
}

TEST_F(StoreVerifierTest, AFlippedByteInABlobIsNamed) {
  const std::string path = blobs_->PathOf(first_blob_);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.put('S');
  }
  ExpectProblem("blob " + first_blob_);
}

TEST_F(StoreVerifierTest, AFlippedByteInALeafIsNamed) {
  Tamper("UPDATE log_leaves SET leaf = CAST(replace(CAST(leaf AS TEXT), '\"v\":1', '\"v\":2') AS BLOB) WHERE idx = 5");
  ExpectProblem("leaf 5:");
}

TEST_F(StoreVerifierTest, AnAlteredRecordIsNamedByItsLeaf) {
  Tamper("UPDATE events SET data_json = replace(data_json, '第2张', '第9张') WHERE type = 'message' AND data_json LIKE '%第2张%'");
  ExpectProblem("not those of its event shop/" + complaint_);
}

TEST_F(StoreVerifierTest, AFlippedStoredHashIsNamed) {
  Tamper("UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 1");
  ExpectProblem("tree node (level 2, index 1)");
}

TEST_F(StoreVerifierTest, AFlippedCheckpointIsNamed) {
  // The second checkpoint claims one leaf more than it signed.
  int64_t size = 0;
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto list, tx.ListCheckpoints(-1, 2));
    size = list.at(1).tree_size;
    return Status::Ok();
  }).ok());
  const std::string n = std::to_string(size), m = std::to_string(size + 1);
  Tamper("UPDATE log_checkpoints SET note = replace(note, char(10) || '" + n + "' || char(10), char(10) || '" + m +
         "' || char(10)) WHERE tree_size = " + n);
  ExpectProblem("checkpoint at tree size " + n);
}

TEST_F(StoreVerifierTest, ARecordDetachedFromItsLeafIsNamed) {
  Tamper("UPDATE events SET log_index = NULL WHERE seq = 1");
  ExpectProblem("leaf 0: its event shop/" + complaint_ + "#1 claims another log index");
}

TEST_F(StoreVerifierTest, AForgedRecordWithoutALeafIsNamed) {
  Tamper("INSERT INTO events (platform_id, complaint_id, seq, type, actor_kind, actor_ref, actor_role, "
         "from_status, to_status, at, recorded_at, data_json, log_index) SELECT platform_id, complaint_id, "
         "99, type, actor_kind, actor_ref, actor_role, from_status, to_status, at, recorded_at, data_json, "
         "NULL FROM events WHERE seq = 1");
  ExpectProblem("event shop/" + complaint_ + "#99 has no leaf");
}

TEST_F(StoreVerifierTest, AMissingLeafIsNamed) {
  Tamper("DELETE FROM log_leaves WHERE idx = 7");
  ExpectProblem("leaf 7 is missing");
}

}  // namespace
}  // namespace tousu::evidence
