// The log inside real store transactions: every event and evidence record gets its leaf in the
// transaction that writes it, a failed job leaves no leaf behind, and proofs and checkpoints
// computed from the stored tree verify with the offline math.
#include "service/transparency_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "base/encoding.h"
#include "evidence/checkpoint.h"
#include "evidence/leaf.h"
#include "evidence/merkle_tree.h"
#include "service/complaints.h"
#include "service/evidence.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {
namespace {

namespace fs = std::filesystem;
using evidence::Hash;

class TransparencyLogTest : public ::testing::Test {
 protected:
  TransparencyLogTest()
      : dir_(fs::temp_directory_path() / ("tousu-log-" + HexEncode(RandomBytes(6)))),
        clock_(*ParseRfc3339("2030-01-01T00:00:00Z")),
        complaints_(clock_, ids_),
        evidence_(clock_, ids_, complaints_),
        signer_(clock_, evidence::NoteSigner::Generate("tousu.test/log").value()) {
    fs::create_directories(dir_);
    store_ = SqliteStore::Open((dir_ / "t.db").string(), true).value();
    Status s = store_->WriteSync([&](WriteTx& tx) -> Status {
      TOUSU_RETURN_IF_ERROR(tx.InsertPlatform({"shop", "Shop", clock_.Now()}));
      for (auto [ref, role, shop] : {std::tuple{"alice", Role::kConsumer, ""},
                                     std::tuple{"m1-staff", Role::kMerchant, "m1"},
                                     std::tuple{"agent1", Role::kAgent, ""}}) {
        TOUSU_RETURN_IF_ERROR(tx.UpsertUser({"shop", ref, role, ref, shop, "", clock_.Now(), clock_.Now()}));
      }
      Order o;
      o.platform_id = "shop";
      o.order_no = "O-1";
      o.consumer_ref = "alice";
      o.merchant_ref = "m1";
      o.amount = Money::Fen(9900);
      o.paid_at = clock_.Now() - hours(2);
      o.delivered_at = clock_.Now() - hours(1);
      return tx.UpsertOrder(o);
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~TransparencyLogTest() override {
    store_->Close();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static Principal User(const char* ref, Role role, const char* shop = "") {
    Principal p;
    p.role = role;
    p.platform_id = "shop";
    p.user_ref = ref;
    p.merchant_ref = shop;
    return p;
  }

  std::string File(Category category = Category::kInvalidCode) {
    FileCommand cmd;
    cmd.order_no = "O-1";
    cmd.category = category;
    cmd.incident_at = clock_.Now() - minutes(30);
    cmd.description = "卡密无效";
    cmd.demands = {Demand{DemandKind::kRefund, Money::Fen(9900), 0}};
    std::string id;
    Status s = store_->WriteSync([&](WriteTx& tx) -> Status {
      TOUSU_ASSIGN_OR_RETURN(Complaint c, complaints_.File(tx, User("alice", Role::kConsumer), cmd));
      id = c.id;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  int64_t Size() {
    int64_t n = -1;
    EXPECT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
      TOUSU_ASSIGN_OR_RETURN(n, tx.LogSize());
      return Status::Ok();
    }).ok());
    return n;
  }

  fs::path dir_;
  ManualClock clock_;
  IdGenerator ids_;
  ComplaintService complaints_;
  EvidenceService evidence_;
  CheckpointSigner signer_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(TransparencyLogTest, EveryEventAndMessageHasItsOwnLeaf) {
  const std::string id = File();
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) {
    return complaints_.PostMessage(tx, User("m1-staff", Role::kMerchant, "m1"), id, "请提供截图").status();
  }).ok());
  std::vector<EventRecord> events;
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(events, tx.ListEvents("shop", id));
    for (const auto& e : events) {
      if (!e.log_index) return Status::Internal("event without log index");
      TOUSU_ASSIGN_OR_RETURN(auto leaf, tx.GetLogLeaf(*e.log_index));
      if (!leaf || leaf->event_seq != e.seq || leaf->complaint_id != id) {
        return Status::Internal("leaf does not point back at its event");
      }
      TOUSU_ASSIGN_OR_RETURN(evidence::LeafBytes bytes, evidence::EventLeaf(e));
      if (bytes.leaf != leaf->leaf) return Status::Internal("stored leaf differs from the event's");
    }
    TOUSU_ASSIGN_OR_RETURN(auto unlogged, tx.FindUnloggedRecord());
    if (unlogged) return Status::Internal("unlogged: " + *unlogged);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(events.size(), 3u);  // filed, sent_to_merchant, message
  EXPECT_EQ(events.back().type, "message");
  EXPECT_EQ(Size(), 3);
}

TEST_F(TransparencyLogTest, AFailedJobLeavesNoLeafBehind) {
  File();
  const int64_t before = Size();
  Status s = store_->WriteSync([&](WriteTx& tx) -> Status {
    EventRecord e;
    e.platform_id = "shop";
    e.complaint_id = "cmp_x";
    e.type = "message";
    e.actor = Actor::System();
    e.data_json = "{}";
    TOUSU_RETURN_IF_ERROR(InsertLoggedEvent(tx, &e));
    return Status::Conflict("the job fails after appending");
  });
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(Size(), before);
  File(Category::kNotAsDescribed);  // the next append reuses the index the failed job had taken
  EXPECT_EQ(Size(), before + 2);
  ASSERT_TRUE(store_->Read([](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto unlogged, tx.FindUnloggedRecord());
    return unlogged ? Status::Internal(*unlogged) : Status::Ok();
  }).ok());
}

// Jobs of one group share a transaction, and it remembers the log's size and tree nodes; a job
// that appends and then fails must not leave the next ones a size or a node it rolled back.
TEST_F(TransparencyLogTest, AFailedJobInsideAGroupLeavesTheNextJobsATrueTree) {
  File();
  const int64_t before = Size();
  // The writer is held inside the first job while the others queue up behind it: they then
  // run as one group.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  std::vector<std::future<Status>> done;
  auto queue = [&](WriteJob job) {
    auto p = std::make_shared<std::promise<Status>>();
    done.push_back(p->get_future());
    store_->Write(std::move(job), [p](Status st) { p->set_value(std::move(st)); });
  };
  queue([&](WriteTx&) {
    holding.set_value();
    released.wait();
    return Status::Ok();
  });
  holding.get_future().wait();
  auto logged = [&](const char* complaint, bool fail) {
    return [this, complaint, fail](WriteTx& tx) -> Status {
      EventRecord e;
      e.platform_id = "shop";
      e.complaint_id = complaint;
      e.type = "message";
      e.actor = Actor::System();
      e.at = e.recorded_at = clock_.Now();
      e.data_json = "{}";
      for (int i = 0; i < 3; ++i) TOUSU_RETURN_IF_ERROR(InsertLoggedEvent(tx, &e));
      return fail ? Status::Conflict("the job fails after appending") : Status::Ok();
    };
  };
  queue(logged("cmp_a", false));
  queue(logged("cmp_b", true));
  queue(logged("cmp_c", false));
  queue(logged("cmp_d", true));
  queue(logged("cmp_e", false));
  release.set_value();
  std::vector<StatusCode> codes;
  for (auto& d : done) codes.push_back(d.get().code());
  EXPECT_EQ(codes, (std::vector<StatusCode>{StatusCode::kOk, StatusCode::kOk, StatusCode::kConflict,
                                            StatusCode::kOk, StatusCode::kConflict, StatusCode::kOk}));
  const int64_t n = Size();
  EXPECT_EQ(n, before + 9);  // three leaves from each job that succeeded, none from the others
  // The stored tree is the tree of the stored leaves: same root, leaf by leaf from scratch.
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    evidence::TreeBuilder rebuilt;
    for (int64_t i = 0; i < n; ++i) {
      TOUSU_ASSIGN_OR_RETURN(auto leaf, tx.GetLogLeaf(i));
      if (!leaf) return Status::Internal("leaf " + std::to_string(i) + " is missing");
      rebuilt.Append(evidence::LeafHash(leaf->leaf));
    }
    TOUSU_ASSIGN_OR_RETURN(Hash stored, LogRootAt(tx, n));
    EXPECT_EQ(stored, rebuilt.Root());
    TOUSU_ASSIGN_OR_RETURN(auto unlogged, tx.FindUnloggedRecord());
    return unlogged ? Status::Internal(*unlogged) : Status::Ok();
  }).ok());
}

TEST_F(TransparencyLogTest, ProofsAndCheckpointsVerifyOffline) {
  for (int i = 0; i < 5; ++i) {
    const std::string id = File();
    ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) {
      return complaints_.Act(tx, User("alice", Role::kConsumer), id, ActionRequest{}).status();
    }).ok());
  }
  const int64_t n = Size();
  ASSERT_GE(n, 10);
  CheckpointRecord cp;
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(cp, signer_.SignIfGrown(tx));
    return Status::Ok();
  }).ok());
  EXPECT_EQ(cp.tree_size, n);
  auto verifier = evidence::NoteVerifier::FromVerifierKey(signer_.VerifierKey()).value();
  evidence::Checkpoint opened = evidence::OpenCheckpoint(verifier, cp.note).value();
  EXPECT_EQ(opened.size, static_cast<uint64_t>(n));

  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    for (int64_t i = 0; i < n; ++i) {
      TOUSU_ASSIGN_OR_RETURN(LogInclusion p, LogInclusionProof(tx, i, n));
      TOUSU_RETURN_IF_ERROR(evidence::VerifyInclusion(i, n, p.leaf_hash, p.audit_path, opened.root));
    }
    for (int64_t m = 1; m <= n; ++m) {
      TOUSU_ASSIGN_OR_RETURN(Hash r1, LogRootAt(tx, m));
      TOUSU_ASSIGN_OR_RETURN(auto proof, LogConsistencyProof(tx, m, n));
      TOUSU_RETURN_IF_ERROR(evidence::VerifyConsistency(m, n, proof, r1, opened.root));
    }
    EXPECT_EQ(LogInclusionProof(tx, n, n).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(LogInclusionProof(tx, 0, n + 1).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(LogConsistencyProof(tx, 0, n).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(LogConsistencyProof(tx, 1, n + 1).status().code(), StatusCode::kNotFound);
    return Status::Ok();
  }).ok());

  // Nothing grew: the same checkpoint comes back, no new one is signed.
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(CheckpointRecord again, signer_.SignIfGrown(tx));
    EXPECT_EQ(again.note, cp.note);
    return Status::Ok();
  }).ok());
}

TEST_F(TransparencyLogTest, EvidenceIsRecordedWithItsLeafAndOnlyPartiesSeeIt) {
  const std::string id = File();
  EvidenceUpload u;
  u.kind = EvidenceKind::kTransaction;
  u.filename = "pay.png";
  u.sha256_hex = Sha256Hex("png bytes");
  u.size = 9;
  u.media_type = "image/png";
  u.declared_order_no = "O-1";
  u.declared_amount = Money::Fen(9900);
  EvidenceRecord r;
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(r, evidence_.Add(tx, User("alice", Role::kConsumer), id, u));
    return Status::Ok();
  }).ok());
  ASSERT_TRUE(r.log_index.has_value());
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto leaf, tx.GetLogLeaf(*r.log_index));
    EXPECT_EQ(leaf->evidence_id, r.id);
    TOUSU_ASSIGN_OR_RETURN(auto list, evidence_.List(tx, User("agent1", Role::kAgent), id));
    EXPECT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].declared_amount, Money::Fen(9900));
    EXPECT_TRUE(evidence_.Get(tx, User("m1-staff", Role::kMerchant, "m1"), r.id).ok());
    EXPECT_EQ(evidence_.Get(tx, User("bob", Role::kConsumer), r.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(evidence_.Get(tx, User("m2-staff", Role::kMerchant, "m2"), r.id).status().code(),
              StatusCode::kNotFound);
    Principal platform;
    platform.role = Role::kPlatform;
    platform.platform_id = "shop";
    EXPECT_EQ(evidence_.Get(tx, platform, r.id).status().code(), StatusCode::kNotFound);
    return Status::Ok();
  }).ok());

  // Claims are checked: a capture time in the future, order fields on another kind.
  EvidenceUpload future = u;
  future.captured_at = clock_.Now() + hours(1);
  EvidenceUpload wrong_kind = u;
  wrong_kind.kind = EvidenceKind::kIncident;
  for (const EvidenceUpload& bad : {future, wrong_kind}) {
    Status s = store_->WriteSync([&](WriteTx& tx) {
      return evidence_.Add(tx, User("alice", Role::kConsumer), id, bad).status();
    });
    EXPECT_EQ(s.code(), StatusCode::kUnprocessable) << s.ToString();
  }
}

}  // namespace
}  // namespace tousu
