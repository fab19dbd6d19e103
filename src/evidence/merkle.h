// RFC 6962 §2.1 Merkle tree hashing for trees of any size, and the checks of inclusion and
// consistency proofs (the verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2).
//
//   leaf hash = SHA-256(0x00 || leaf bytes)      node hash = SHA-256(0x01 || left || right)
//   the empty tree's root = SHA-256("")
//
// These are the functions an outside verifier needs: the offline `tousu verify` uses nothing
// else to check a proof. Building proofs from stored subtrees is in evidence/merkle_tree.h.
// Byte formats: docs/log_format.md.
// Thread-safety: pure functions; safe from any thread.
#ifndef TOUSU_EVIDENCE_MERKLE_H_
#define TOUSU_EVIDENCE_MERKLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/crypto.h"
#include "base/status.h"

namespace tousu::evidence {

using Hash = Sha256Digest;

Hash EmptyRoot();
Hash LeafHash(std::string_view leaf);
Hash NodeHash(const Hash& left, const Hash& right);

std::string HashHex(const Hash& h);
// 64 hex digits (either case); nullopt otherwise.
std::optional<Hash> HashFromHex(std::string_view hex);
// Exactly 32 raw bytes; nullopt otherwise.
std::optional<Hash> HashFromBytes(std::string_view bytes);

// The largest power of two strictly less than n (n >= 2): RFC 6962's split point k.
uint64_t SplitPoint(uint64_t n);

// The root that the audit path `proof` leads to from leaf `index` of a tree of `size` leaves.
// InvalidArgument when index >= size or the path has the wrong length for that position.
StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                      const std::vector<Hash>& proof);

// OK when `proof` shows that `leaf_hash` is leaf `index` of the tree of `size` leaves whose
// root is `root`; InvalidArgument saying what failed otherwise.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root);

// OK when `proof` shows that the tree of `size1` leaves with root `root1` is a prefix of the
// tree of `size2` leaves with root `root2`. A size1 of 0 is consistent with anything (empty
// proof); equal sizes need equal roots and an empty proof.
Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Hash>& proof,
                         const Hash& root1, const Hash& root2);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_MERKLE_H_
