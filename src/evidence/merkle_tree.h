// The log's Merkle tree kept as its complete subtrees, so that appends and proofs cost O(log n)
// node reads at any size, without ever rebuilding from the leaves.
//
// Node (level, index) is the complete subtree over leaves [index·2^level, (index+1)·2^level);
// level 0 holds the leaf hashes. Appending leaf n stores node (0, n) and every subtree that leaf
// closes (one per trailing 1 bit of n: two writes on average). Any RFC 6962 subtree hash the
// proofs need, MTH(D[a:b]), is a right fold of at most log2(n)+1 stored nodes. Every operation
// first works out which nodes it needs, then reads them in one batch.
//
// Storage is behind NodeReader/NodeStore: the store's tables in the server (service/), a vector
// in tests and benchmarks (MemoryNodes). Nothing here knows about SQL or HTTP.
// Thread-safety: the functions are pure over their NodeReader; MemoryNodes is not synchronised.
#ifndef TOUSU_EVIDENCE_MERKLE_TREE_H_
#define TOUSU_EVIDENCE_MERKLE_TREE_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "base/status.h"
#include "evidence/merkle.h"

namespace tousu::evidence {

struct NodeId {
  int level = 0;
  uint64_t index = 0;
  bool operator==(const NodeId&) const = default;
};

class NodeReader {
 public:
  virtual ~NodeReader() = default;
  // The stored hashes of `ids`, in the same order. A node that should exist but does not is
  // Corruption (the tree is damaged), never a silent zero hash.
  virtual StatusOr<std::vector<Hash>> ReadNodes(const std::vector<NodeId>& ids) = 0;
};

class NodeStore : public NodeReader {
 public:
  // Stores new nodes, all at once (one append writes one to about log2(n) of them).
  virtual Status WriteNodes(const std::vector<std::pair<NodeId, Hash>>& nodes) = 0;
};

// The left siblings AppendLeafHash needs to read for the leaf that makes the tree `size` + 1.
std::vector<NodeId> AppendReads(uint64_t size);

// Appends `leaf_hash` as leaf number `size` (the tree's current size) and stores the subtrees it
// completes.
Status AppendLeafHash(NodeStore& nodes, uint64_t size, const Hash& leaf_hash);

// The root hash of the first `size` leaves (EmptyRoot() for 0).
StatusOr<Hash> RootAt(NodeReader& nodes, uint64_t size);

// RFC 6962 §2.1.1 audit path for leaf `index` in the tree of `size` leaves, leaf end first.
StatusOr<std::vector<Hash>> InclusionProof(NodeReader& nodes, uint64_t index, uint64_t size);

// RFC 6962 §2.1.2 consistency proof from `size1` to `size2` leaves (empty when size1 is 0 or
// equal to size2).
StatusOr<std::vector<Hash>> ConsistencyProof(NodeReader& nodes, uint64_t size1, uint64_t size2);

// Builds the tree leaf by leaf in memory, keeping only its right edge (one node per level):
// the tool `tousu verify --store` uses to recompute a tree and compare it with the stored one.
class TreeBuilder final {
 public:
  // Called for every complete subtree as it is formed, leaves included.
  using OnNode = std::function<void(const NodeId&, const Hash&)>;

  void Append(const Hash& leaf_hash, const OnNode& on_node = nullptr);
  uint64_t size() const { return size_; }
  Hash Root() const;

 private:
  struct Edge {
    int level;
    Hash hash;
  };
  std::vector<Edge> edge_;  // levels strictly decreasing from front to back
  uint64_t size_ = 0;
};

// A NodeStore in memory: for tests, benchmarks and tools.
class MemoryNodes final : public NodeStore {
 public:
  StatusOr<std::vector<Hash>> ReadNodes(const std::vector<NodeId>& ids) override;
  Status WriteNodes(const std::vector<std::pair<NodeId, Hash>>& nodes) override;
  // Flips a bit of a stored node (tests of corruption).
  void Corrupt(const NodeId& id);

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_MERKLE_TREE_H_
