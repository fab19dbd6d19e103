// The Merkle math against the published RFC 6962 / Certificate Transparency test vectors, and
// against a deliberately naive reference implementation written here from the RFC's recursive
// definitions (it shares no code with evidence/).
#include "evidence/merkle.h"

#include <gtest/gtest.h>

#include <random>

#include "base/encoding.h"
#include "evidence/merkle_tree.h"

namespace tousu::evidence {
namespace {

Hash H(const char* hex) {
  auto h = HashFromHex(hex);
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Hash{});
}

std::string Bytes(const char* hex) { return HexDecode(hex).value(); }

// The eight leaves and the roots of their prefixes from the CT reference test vectors
// (certificate-transparency merkle_tree_test, as kept in transparency-dev/merkle).
const std::vector<std::string> kLeaves = {
    Bytes(""),         Bytes("00"),       Bytes("10"),
    Bytes("2021"),     Bytes("3031"),     Bytes("40414243"),
    Bytes("5051525354555657"), Bytes("606162636465666768696a6b6c6d6e6f")};
const char* const kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct InclusionVector {
  uint64_t index;  // 0-based
  uint64_t size;
  std::vector<const char*> proof;
};
const InclusionVector kInclusion[] = {
    {0, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {0, 1, {}},
};

struct ConsistencyVector {
  uint64_t size1;
  uint64_t size2;
  std::vector<const char*> proof;
};
const ConsistencyVector kConsistency[] = {
    {1, 1, {}},
    {1, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> Hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* h : hex) out.push_back(H(h));
  return out;
}

MemoryNodes TreeOf(const std::vector<std::string>& leaves) {
  MemoryNodes nodes;
  for (size_t i = 0; i < leaves.size(); ++i) {
    EXPECT_TRUE(AppendLeafHash(nodes, i, LeafHash(leaves[i])).ok());
  }
  return nodes;
}

// ---- the naive reference: RFC 6962 §2.1 read literally, over the leaf bytes -------------------

Hash RefHash(const std::string& prefix, const std::string& a, const std::string& b = "") {
  return Sha256(prefix + a + b);
}
std::string Raw(const Hash& h) { return std::string(h.begin(), h.end()); }

Hash RefMth(const std::vector<std::string>& d, size_t lo, size_t hi) {
  const size_t n = hi - lo;
  if (n == 0) return Sha256("");
  if (n == 1) return RefHash(std::string(1, '\0'), d[lo]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return RefHash("\x01", Raw(RefMth(d, lo, lo + k)), Raw(RefMth(d, lo + k, hi)));
}

std::vector<Hash> RefPath(const std::vector<std::string>& d, size_t m, size_t lo, size_t hi) {
  const size_t n = hi - lo;
  if (n <= 1) return {};
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  std::vector<Hash> out;
  if (m < k) {
    out = RefPath(d, m, lo, lo + k);
    out.push_back(RefMth(d, lo + k, hi));
  } else {
    out = RefPath(d, m - k, lo + k, hi);
    out.push_back(RefMth(d, lo, lo + k));
  }
  return out;
}

std::vector<Hash> RefSubproof(const std::vector<std::string>& d, size_t m, size_t lo, size_t hi,
                              bool b) {
  const size_t n = hi - lo;
  if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{RefMth(d, lo, hi)};
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  std::vector<Hash> out;
  if (m <= k) {
    out = RefSubproof(d, m, lo, lo + k, b);
    out.push_back(RefMth(d, lo + k, hi));
  } else {
    out = RefSubproof(d, m - k, lo + k, hi, false);
    out.push_back(RefMth(d, lo, lo + k));
  }
  return out;
}

// ---- published vectors ----------------------------------------------------------------------

TEST(MerkleVectors, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(HashHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  MemoryNodes none;
  EXPECT_EQ(RootAt(none, 0).value(), EmptyRoot());
}

TEST(MerkleVectors, RootsOfEveryPrefix) {
  MemoryNodes nodes = TreeOf(kLeaves);
  TreeBuilder builder;
  for (size_t n = 1; n <= kLeaves.size(); ++n) {
    builder.Append(LeafHash(kLeaves[n - 1]));
    EXPECT_EQ(HashHex(RootAt(nodes, n).value()), kRoots[n - 1]) << "size " << n;
    EXPECT_EQ(HashHex(builder.Root()), kRoots[n - 1]) << "size " << n;
  }
}

TEST(MerkleVectors, InclusionProofs) {
  MemoryNodes nodes = TreeOf(kLeaves);
  for (const auto& v : kInclusion) {
    SCOPED_TRACE("leaf " + std::to_string(v.index) + " of " + std::to_string(v.size));
    const std::vector<Hash> want = Hashes(v.proof);
    EXPECT_EQ(InclusionProof(nodes, v.index, v.size).value(), want);
    const Hash root = H(kRoots[v.size - 1]);
    EXPECT_TRUE(VerifyInclusion(v.index, v.size, LeafHash(kLeaves[v.index]), want, root).ok());
  }
}

TEST(MerkleVectors, ConsistencyProofs) {
  MemoryNodes nodes = TreeOf(kLeaves);
  for (const auto& v : kConsistency) {
    SCOPED_TRACE(std::to_string(v.size1) + " -> " + std::to_string(v.size2));
    const std::vector<Hash> want = Hashes(v.proof);
    EXPECT_EQ(ConsistencyProof(nodes, v.size1, v.size2).value(), want);
    EXPECT_TRUE(VerifyConsistency(v.size1, v.size2, want, H(kRoots[v.size1 - 1]),
                                  H(kRoots[v.size2 - 1]))
                    .ok());
  }
}

// Every way of damaging a good proof must fail verification (after transparency-dev/merkle's
// corruptInclusionProof / corruptConsistencyProof).
TEST(MerkleVectors, DamagedInclusionProofsFail) {
  for (const auto& v : kInclusion) {
    if (v.proof.empty()) continue;
    const std::vector<Hash> proof = Hashes(v.proof);
    const Hash root = H(kRoots[v.size - 1]);
    const Hash leaf = LeafHash(kLeaves[v.index]);
    EXPECT_FALSE(VerifyInclusion(v.index + 1, v.size, leaf, proof, root).ok());
    if (v.index > 0) {
      EXPECT_FALSE(VerifyInclusion(v.index - 1, v.size, leaf, proof, root).ok());
    }
    EXPECT_FALSE(VerifyInclusion(v.index ^ 2, v.size, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(v.index, v.size * 2, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(v.index, v.size / 2, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(v.index, v.size, LeafHash("WrongLeaf"), proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, proof, EmptyRoot()).ok());
    std::vector<Hash> longer = proof;
    longer.push_back(root);
    EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, longer, root).ok());
    std::vector<Hash> front = proof;
    front.insert(front.begin(), root);
    EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, front, root).ok());
    std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, shorter, root).ok());
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> flipped = proof;
      flipped[i][0] ^= 8;
      EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, flipped, root).ok()) << "element " << i;
    }
  }
}

TEST(MerkleVectors, DamagedConsistencyProofsFail) {
  for (const auto& v : kConsistency) {
    if (v.proof.empty()) continue;
    const std::vector<Hash> proof = Hashes(v.proof);
    const Hash r1 = H(kRoots[v.size1 - 1]);
    const Hash r2 = H(kRoots[v.size2 - 1]);
    EXPECT_FALSE(VerifyConsistency(v.size1 - 1, v.size2, proof, r1, r2).ok());
    EXPECT_FALSE(VerifyConsistency(v.size1 + 1, v.size2, proof, r1, r2).ok());
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2 * 2, proof, r1, r2).ok());
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2 / 2, proof, r1, r2).ok());
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, proof, r2, r1).ok());
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, {}, r1, r2).ok());
    std::vector<Hash> longer = proof;
    longer.push_back(r2);
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, longer, r1, r2).ok());
    std::vector<Hash> front = proof;
    front.insert(front.begin(), proof[0]);
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, front, r1, r2).ok());
    std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, shorter, r1, r2).ok());
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> flipped = proof;
      flipped[i][0] ^= 16;
      EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, flipped, r1, r2).ok()) << "element " << i;
    }
  }
}

TEST(MerkleVectors, EdgeCasesOfTheVerifiers) {
  const Hash some = LeafHash("data");
  EXPECT_TRUE(VerifyInclusion(0, 1, some, {}, some).ok());
  EXPECT_FALSE(VerifyInclusion(0, 0, some, {}, EmptyRoot()).ok());
  EXPECT_FALSE(VerifyInclusion(1, 1, some, {}, some).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()).ok());
  EXPECT_TRUE(VerifyConsistency(0, 5, {}, EmptyRoot(), some).ok());
  EXPECT_FALSE(VerifyConsistency(0, 5, {some}, EmptyRoot(), some).ok());
  EXPECT_FALSE(VerifyConsistency(3, 3, {}, some, EmptyRoot()).ok());
  EXPECT_FALSE(VerifyConsistency(2, 1, {}, some, some).ok());
}

// ---- the stored tree against the naive reference --------------------------------------------

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> d;
  for (size_t i = 0; i < n; ++i) d.push_back("leaf " + std::to_string(i) + std::string(i % 7, 'x'));
  return d;
}

TEST(MerkleTreeProperty, RootsMatchReferenceForEverySizeTo300) {
  const std::vector<std::string> d = Leaves(300);
  MemoryNodes nodes;
  TreeBuilder builder;
  for (size_t n = 1; n <= d.size(); ++n) {
    ASSERT_TRUE(AppendLeafHash(nodes, n - 1, LeafHash(d[n - 1])).ok());
    builder.Append(LeafHash(d[n - 1]));
    const Hash want = RefMth(d, 0, n);
    ASSERT_EQ(RootAt(nodes, n).value(), want) << "size " << n;
    ASSERT_EQ(builder.Root(), want) << "size " << n;
  }
}

TEST(MerkleTreeProperty, EveryProofInSmallTreesMatchesReference) {
  const std::vector<std::string> d = Leaves(40);
  MemoryNodes nodes = TreeOf(d);
  for (size_t n = 1; n <= d.size(); ++n) {
    const Hash root = RefMth(d, 0, n);
    for (size_t m = 0; m < n; ++m) {
      const std::vector<Hash> proof = InclusionProof(nodes, m, n).value();
      ASSERT_EQ(proof, RefPath(d, m, 0, n)) << "leaf " << m << " of " << n;
      ASSERT_TRUE(VerifyInclusion(m, n, LeafHash(d[m]), proof, root).ok());
    }
    for (size_t m = 1; m <= n; ++m) {
      const std::vector<Hash> proof = ConsistencyProof(nodes, m, n).value();
      ASSERT_EQ(proof, RefSubproof(d, m, 0, n, true)) << m << " -> " << n;
      ASSERT_TRUE(VerifyConsistency(m, n, proof, RefMth(d, 0, m), root).ok()) << m << " -> " << n;
    }
  }
}

TEST(MerkleTreeProperty, RandomPairsUpTo300MatchReference) {
  const std::vector<std::string> d = Leaves(300);
  MemoryNodes nodes = TreeOf(d);
  std::mt19937_64 rng(6962);
  for (int trial = 0; trial < 1500; ++trial) {
    const size_t n = 1 + rng() % d.size();
    const size_t m = rng() % n;
    const Hash root = RefMth(d, 0, n);
    const std::vector<Hash> path = InclusionProof(nodes, m, n).value();
    ASSERT_EQ(path, RefPath(d, m, 0, n)) << "leaf " << m << " of " << n;
    ASSERT_TRUE(VerifyInclusion(m, n, LeafHash(d[m]), path, root).ok());
    if (!path.empty()) {
      std::vector<Hash> bad = path;
      bad[rng() % bad.size()][rng() % 32] ^= 0x40;
      ASSERT_FALSE(VerifyInclusion(m, n, LeafHash(d[m]), bad, root).ok());
    }
    const size_t first = 1 + rng() % n;
    const std::vector<Hash> cons = ConsistencyProof(nodes, first, n).value();
    ASSERT_EQ(cons, RefSubproof(d, first, 0, n, true)) << first << " -> " << n;
    ASSERT_TRUE(VerifyConsistency(first, n, cons, RefMth(d, 0, first), root).ok());
    if (!cons.empty()) {
      std::vector<Hash> bad = cons;
      bad[rng() % bad.size()][rng() % 32] ^= 0x40;
      ASSERT_FALSE(VerifyConsistency(first, n, bad, RefMth(d, 0, first), root).ok());
    }
  }
}

TEST(MerkleTree, AppendReadsOnlyTheLeftSiblingsItCloses) {
  EXPECT_TRUE(AppendReads(0).empty());
  EXPECT_EQ(AppendReads(1), (std::vector<NodeId>{{0, 0}}));
  EXPECT_TRUE(AppendReads(2).empty());
  EXPECT_EQ(AppendReads(7), (std::vector<NodeId>{{0, 6}, {1, 2}, {2, 0}}));
}

TEST(MerkleTree, ProofsRefuseIndexesOutsideTheTree) {
  MemoryNodes nodes = TreeOf(kLeaves);
  EXPECT_FALSE(InclusionProof(nodes, 8, 8).ok());
  EXPECT_FALSE(ConsistencyProof(nodes, 5, 4).ok());
  // A node the tree should have but does not is corruption, not a wrong answer.
  EXPECT_EQ(RootAt(nodes, 9).status().code(), StatusCode::kCorruption);
}

TEST(MerkleTree, CorruptedNodeChangesTheRootAndBreaksProofs) {
  MemoryNodes nodes = TreeOf(kLeaves);
  const Hash root = RootAt(nodes, 7).value();
  const std::vector<Hash> proof = InclusionProof(nodes, 6, 8).value();
  nodes.Corrupt({2, 0});
  EXPECT_NE(RootAt(nodes, 7).value(), root);
  EXPECT_NE(InclusionProof(nodes, 6, 8).value(), proof);
}

}  // namespace
}  // namespace tousu::evidence
