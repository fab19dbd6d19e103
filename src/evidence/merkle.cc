#include "evidence/merkle.h"

#include <bit>
#include <cstring>

#include "base/encoding.h"

namespace tousu::evidence {

namespace {

// One hashing context per thread, reused: node hashes are the log's hot path.
Sha256Hasher& ThreadHasher() {
  thread_local Sha256Hasher hasher;
  return hasher;
}

std::string_view View(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

Hash EmptyRoot() { return Sha256(""); }

Hash LeafHash(std::string_view leaf) {
  Sha256Hasher& h = ThreadHasher();
  h.Reset();
  h.Update(std::string_view("\x00", 1));
  h.Update(leaf);
  return h.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  Sha256Hasher& h = ThreadHasher();
  h.Reset();
  h.Update(std::string_view("\x01", 1));
  h.Update(View(left));
  h.Update(View(right));
  return h.Finish();
}

std::string HashHex(const Hash& h) { return HexEncode(View(h)); }

std::optional<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto bytes = HexDecode(hex);
  if (!bytes) return std::nullopt;
  return HashFromBytes(*bytes);
}

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash h;
  std::memcpy(h.data(), bytes.data(), 32);
  return h;
}

uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                      const std::vector<Hash>& proof) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not inside a tree of " + std::to_string(size) + " leaves");
  }
  // RFC 9162 §2.1.3.2, step by step.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Status::InvalidArgument("the audit path is longer than the tree is deep");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("the audit path is shorter than the tree is deep");
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root) {
  TOUSU_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (computed != root) {
    return Status::InvalidArgument("the audit path leads to root " + HashHex(computed) +
                                   ", not to the expected root " + HashHex(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Hash>& proof,
                         const Hash& root1, const Hash& root2) {
  if (size2 < size1) {
    return Status::InvalidArgument("size " + std::to_string(size2) + " is smaller than size " +
                                   std::to_string(size1));
  }
  if (size1 == size2) {
    if (!proof.empty()) return Status::InvalidArgument("equal sizes need an empty proof");
    if (root1 != root2) return Status::InvalidArgument("equal sizes but different roots");
    return Status::Ok();
  }
  if (size1 == 0) {
    if (!proof.empty()) return Status::InvalidArgument("a proof from the empty tree must be empty");
    return Status::Ok();
  }
  if (proof.empty()) return Status::InvalidArgument("the consistency proof is empty");

  // RFC 9162 §2.1.4.2.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Status::InvalidArgument("the consistency proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("the consistency proof is too short");
  if (fr != root1) {
    return Status::InvalidArgument("the proof does not lead to the first tree's root");
  }
  if (sr != root2) {
    return Status::InvalidArgument("the proof does not lead to the second tree's root");
  }
  return Status::Ok();
}

}  // namespace tousu::evidence
