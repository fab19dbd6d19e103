#include "evidence/proof_bundle.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "base/encoding.h"
#include "evidence/checkpoint.h"
#include "evidence/leaf.h"
#include "evidence/merkle_tree.h"

namespace tousu::evidence {
namespace {

namespace fs = std::filesystem;

class OfflineVerifyTest : public ::testing::Test {
 protected:
  OfflineVerifyTest() : signer_(NoteSigner::Generate("tousu.test/log").value()) {
    file_ = fs::temp_directory_path() / ("tousu-evidence-" + HexEncode(RandomBytes(6)));
    std::ofstream(file_, std::ios::binary) << file_bytes_;
    for (int i = 0; i < 11; ++i) {
      EvidenceRecord r;
      r.platform_id = "shop";
      r.complaint_id = "cmp_1";
      r.id = "evd_" + std::to_string(i);
      r.uploader_ref = "alice";
      r.filename = "f.txt";
      r.media_type = "text/plain";
      r.sha256_hex = Sha256Hex(i == 6 ? file_bytes_ : "other " + std::to_string(i));
      r.size = i == 6 ? static_cast<int64_t>(file_bytes_.size()) : 7;
      LeafBytes b = EvidenceLeaf(r).value();
      leaves_.push_back(b);
      EXPECT_TRUE(AppendLeafHash(nodes_, i, LeafHash(b.leaf)).ok());
    }
    const Hash root = RootAt(nodes_, 11).value();
    checkpoint_ = SignCheckpoint(signer_, {"tousu.test/log", 11, root, {}}).value();
    proof_.log_index = 6;
    proof_.leaf_hash = LeafHash(leaves_[6].leaf);
    proof_.tree_size = 11;
    proof_.root = root;
    proof_.audit_path = InclusionProof(nodes_, 6, 11).value();
    proof_.checkpoint = checkpoint_;
    proof_.leaf = leaves_[6].leaf;
    proof_.content = leaves_[6].content;
  }
  ~OfflineVerifyTest() override { fs::remove(file_); }

  NoteVerifier Key() const { return NoteVerifier::FromVerifierKey(signer_.VerifierKey()).value(); }
  OfflineResult Verify(const ProofBundle& p, const NoteVerifier& key) const {
    return VerifyOffline(key, checkpoint_, p, file_.string());
  }
  std::string FailedPart(const ProofBundle& p) const {
    OfflineResult r = Verify(p, Key());
    return r.ok ? "" : r.steps.back().part;
  }

  const std::string file_bytes_ = "付款截图 bytes";
  fs::path file_;
  NoteSigner signer_;
  MemoryNodes nodes_;
  std::vector<LeafBytes> leaves_;
  std::string checkpoint_;
  ProofBundle proof_;
};

TEST_F(OfflineVerifyTest, AGoodProofChecksEveryPart) {
  OfflineResult r = Verify(proof_, Key());
  ASSERT_TRUE(r.ok) << r.steps.back().detail;
  std::vector<std::string> parts;
  for (const auto& s : r.steps) parts.push_back(s.part);
  EXPECT_EQ(parts, (std::vector<std::string>{"checkpoint", "proof", "leaf", "content", "inclusion", "file"}));
}

TEST_F(OfflineVerifyTest, TheJsonFormRoundTrips) {
  const std::string text = boost::json::serialize(ToJson(proof_));
  ProofBundle back = ParseProofBundle(text).value();
  EXPECT_TRUE(Verify(back, Key()).ok);
  EXPECT_FALSE(ParseProofBundle("{}").ok());
  EXPECT_FALSE(ParseProofBundle(R"({"log_index":-1})").ok());
}

TEST_F(OfflineVerifyTest, EachDamageIsNamed) {
  EXPECT_EQ(VerifyOffline(NoteVerifier::FromVerifierKey(NoteSigner::Generate("tousu.test/log")
                                                            .value()
                                                            .VerifierKey())
                              .value(),
                          checkpoint_, proof_, std::nullopt)
                .steps.back()
                .part,
            "checkpoint");
  ProofBundle p = proof_;
  p.tree_size = 10;
  EXPECT_EQ(FailedPart(p), "proof");
  p = proof_;
  p.leaf->back() = ' ';
  EXPECT_EQ(FailedPart(p), "leaf");
  p = proof_;
  p.content = leaves_[5].content + " ";
  EXPECT_EQ(FailedPart(p), "content");
  p = proof_;
  p.audit_path[1][7] ^= 1;
  EXPECT_EQ(FailedPart(p), "inclusion");
  p = proof_;
  p.log_index = 5;
  EXPECT_EQ(FailedPart(p), "inclusion");
  std::ofstream(file_, std::ios::binary) << file_bytes_ << "!";
  EXPECT_EQ(FailedPart(proof_), "file");
  p = proof_;
  p.leaf.reset();
  p.content.reset();
  EXPECT_EQ(FailedPart(p), "file");  // a file needs the leaf that names its hash
}

TEST_F(OfflineVerifyTest, KeysAsVerifierStringsOrHex) {
  EXPECT_TRUE(ParseVerifierKey(signer_.VerifierKey() + "\n", "x").ok());
  auto hex = ParseVerifierKey(signer_.PublicKeyHex(), "tousu.test/log");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(hex->VerifierKey(), signer_.VerifierKey());
  EXPECT_FALSE(ParseVerifierKey("zz", "x").ok());
}

}  // namespace
}  // namespace tousu::evidence
