#include "evidence/merkle_tree.h"

#include <algorithm>
#include <bit>

namespace tousu::evidence {

namespace {

// A proof element: the stored nodes whose right fold is one RFC 6962 subtree hash MTH(D[a:b]).
using Fold = std::vector<NodeId>;

// The complete subtrees covering [begin, end), left to right. In RFC 6962's recursion `begin`
// is always a multiple of a power of two at least end - begin, so this is exactly its split.
Fold RangeNodes(uint64_t begin, uint64_t end) {
  Fold out;
  while (begin < end) {
    int level = std::bit_width(end - begin) - 1;
    if (begin != 0) level = std::min(level, std::countr_zero(begin));
    out.push_back({level, begin >> level});
    begin += uint64_t{1} << level;
  }
  return out;
}

// PATH(m, D[begin:end]) of RFC 6962 §2.1.1.
void PathPlan(uint64_t m, uint64_t begin, uint64_t end, std::vector<Fold>& out) {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    PathPlan(m, begin, begin + k, out);
    out.push_back(RangeNodes(begin + k, end));
  } else {
    PathPlan(m - k, begin + k, end, out);
    out.push_back(RangeNodes(begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], b) of RFC 6962 §2.1.2.
void SubproofPlan(uint64_t m, uint64_t begin, uint64_t end, bool b, std::vector<Fold>& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!b) out.push_back(RangeNodes(begin, end));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubproofPlan(m, begin, begin + k, b, out);
    out.push_back(RangeNodes(begin + k, end));
  } else {
    SubproofPlan(m - k, begin + k, end, false, out);
    out.push_back(RangeNodes(begin, begin + k));
  }
}

// Reads every node of the plan in one batch and folds each element.
StatusOr<std::vector<Hash>> Execute(NodeReader& nodes, const std::vector<Fold>& plan) {
  std::vector<NodeId> ids;
  for (const Fold& f : plan) ids.insert(ids.end(), f.begin(), f.end());
  if (ids.empty()) return std::vector<Hash>();
  TOUSU_ASSIGN_OR_RETURN(std::vector<Hash> hashes, nodes.ReadNodes(ids));
  if (hashes.size() != ids.size()) return Status::Internal("node reader returned a wrong count");
  std::vector<Hash> out;
  out.reserve(plan.size());
  size_t next = 0;
  for (const Fold& f : plan) {
    const size_t first = next;
    next += f.size();
    Hash h = hashes[next - 1];
    for (size_t i = next - 1; i > first; --i) h = NodeHash(hashes[i - 1], h);
    out.push_back(h);
  }
  return out;
}

}  // namespace

std::vector<NodeId> AppendReads(uint64_t size) {
  std::vector<NodeId> out;
  int level = 0;
  for (uint64_t index = size; (index & 1) == 1; index >>= 1, ++level) {
    out.push_back({level, index - 1});
  }
  return out;
}

Status AppendLeafHash(NodeStore& nodes, uint64_t size, const Hash& leaf_hash) {
  const std::vector<NodeId> reads = AppendReads(size);
  std::vector<Hash> lefts;
  if (!reads.empty()) {
    TOUSU_ASSIGN_OR_RETURN(lefts, nodes.ReadNodes(reads));
  }
  std::vector<std::pair<NodeId, Hash>> written;
  written.reserve(reads.size() + 1);
  written.emplace_back(NodeId{0, size}, leaf_hash);
  Hash h = leaf_hash;
  for (size_t i = 0; i < reads.size(); ++i) {
    h = NodeHash(lefts[i], h);
    written.emplace_back(NodeId{reads[i].level + 1, reads[i].index >> 1}, h);
  }
  return nodes.WriteNodes(written);
}

StatusOr<Hash> RootAt(NodeReader& nodes, uint64_t size) {
  if (size == 0) return EmptyRoot();
  TOUSU_ASSIGN_OR_RETURN(std::vector<Hash> root, Execute(nodes, {RangeNodes(0, size)}));
  return root.front();
}

StatusOr<std::vector<Hash>> InclusionProof(NodeReader& nodes, uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("leaf " + std::to_string(index) + " is not in a tree of " +
                                   std::to_string(size) + " leaves");
  }
  std::vector<Fold> plan;
  PathPlan(index, 0, size, plan);
  return Execute(nodes, plan);
}

StatusOr<std::vector<Hash>> ConsistencyProof(NodeReader& nodes, uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return Status::InvalidArgument("first size " + std::to_string(size1) +
                                   " is larger than second size " + std::to_string(size2));
  }
  if (size1 == 0 || size1 == size2) return std::vector<Hash>();
  std::vector<Fold> plan;
  SubproofPlan(size1, 0, size2, true, plan);
  return Execute(nodes, plan);
}

// ---- TreeBuilder ----------------------------------------------------------------------------

void TreeBuilder::Append(const Hash& leaf_hash, const OnNode& on_node) {
  const uint64_t index = size_++;
  if (on_node) on_node({0, index}, leaf_hash);
  edge_.push_back({0, leaf_hash});
  while (edge_.size() >= 2 && edge_[edge_.size() - 2].level == edge_.back().level) {
    const Edge right = edge_.back();
    edge_.pop_back();
    Edge& left = edge_.back();
    left.hash = NodeHash(left.hash, right.hash);
    left.level += 1;
    if (on_node) on_node({left.level, index >> left.level}, left.hash);
  }
}

Hash TreeBuilder::Root() const {
  if (edge_.empty()) return EmptyRoot();
  Hash h = edge_.back().hash;
  for (size_t i = edge_.size() - 1; i > 0; --i) h = NodeHash(edge_[i - 1].hash, h);
  return h;
}

// ---- MemoryNodes ----------------------------------------------------------------------------

StatusOr<std::vector<Hash>> MemoryNodes::ReadNodes(const std::vector<NodeId>& ids) {
  std::vector<Hash> out;
  out.reserve(ids.size());
  for (const NodeId& id : ids) {
    if (id.level < 0 || static_cast<size_t>(id.level) >= levels_.size() ||
        id.index >= levels_[id.level].size()) {
      return Status::Corruption("tree node (" + std::to_string(id.level) + ", " +
                                std::to_string(id.index) + ") is missing");
    }
    out.push_back(levels_[id.level][id.index]);
  }
  return out;
}

Status MemoryNodes::WriteNodes(const std::vector<std::pair<NodeId, Hash>>& nodes) {
  for (const auto& [id, hash] : nodes) {
    if (levels_.size() <= static_cast<size_t>(id.level)) levels_.resize(id.level + 1);
    std::vector<Hash>& level = levels_[id.level];
    if (id.index != level.size()) {
      return Status::Internal("tree nodes must be written in order; got (" +
                              std::to_string(id.level) + ", " + std::to_string(id.index) + ")");
    }
    level.push_back(hash);
  }
  return Status::Ok();
}

void MemoryNodes::Corrupt(const NodeId& id) { levels_.at(id.level).at(id.index)[0] ^= 1; }

}  // namespace tousu::evidence
