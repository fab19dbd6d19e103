#include "evidence/store_verifier.h"

#include <map>
#include <set>

#include "evidence/checkpoint.h"
#include "evidence/leaf.h"
#include "evidence/merkle_tree.h"
#include "evidence/store_nodes.h"

namespace tousu::evidence {

namespace {

constexpr int kPage = 1000;

std::string NodeName(const NodeId& id) {
  return "tree node (level " + std::to_string(id.level) + ", index " + std::to_string(id.index) + ")";
}

// One pass over a read snapshot; each Check* returns "" or the problem it found.
class Verifier {
 public:
  Verifier(ReadTx& tx, const BlobStore& blobs, const NoteVerifier& key, const ProgressFn& progress)
      : tx_(tx), blobs_(blobs), key_(key), progress_(progress) {}

  StatusOr<StoreReport> Run() {
    TOUSU_ASSIGN_OR_RETURN(size_, tx_.LogSize());
    report_.leaves = size_;
    TOUSU_ASSIGN_OR_RETURN(std::string problem, CheckCheckpointSignatures());
    if (problem.empty()) {
      TOUSU_ASSIGN_OR_RETURN(problem, CheckLeaves());
    }
    if (problem.empty()) {
      TOUSU_ASSIGN_OR_RETURN(problem, CheckConsistency());
    }
    if (problem.empty()) {
      TOUSU_ASSIGN_OR_RETURN(auto unlogged, tx_.FindUnloggedRecord());
      if (unlogged) problem = *unlogged + " has no leaf of its own in the log";
    }
    report_.ok = problem.empty();
    report_.problem = problem;
    return report_;
  }

 private:
  StatusOr<std::string> CheckCheckpointSignatures() {
    for (int64_t after = -1;;) {
      TOUSU_ASSIGN_OR_RETURN(auto page, tx_.ListCheckpoints(after, kPage));
      if (page.empty()) break;
      for (const CheckpointRecord& c : page) {
        after = c.tree_size;
        ++report_.checkpoints;
        const std::string name = "checkpoint at tree size " + std::to_string(c.tree_size);
        auto opened = OpenCheckpoint(key_, c.note);
        if (!opened.ok()) return name + ": " + opened.status().message();
        if (opened->size != static_cast<uint64_t>(c.tree_size)) {
          return name + ": the signed note is for tree size " + std::to_string(opened->size);
        }
        if (std::string(reinterpret_cast<const char*>(opened->root.data()), 32) != c.root_hash) {
          return name + ": the stored root differs from the signed one";
        }
        if (c.tree_size > size_) {
          return name + ": it covers more leaves than the log has (" + std::to_string(size_) + ")";
        }
        roots_[c.tree_size] = opened->root;
      }
    }
    return std::string();
  }

  StatusOr<std::string> CheckLeaves() {
    TreeBuilder builder;
    if (auto it = roots_.find(0); it != roots_.end() && it->second != EmptyRoot()) {
      return std::string("checkpoint at tree size 0: its root is not the empty tree's");
    }
    for (int64_t from = 0; from < size_;) {
      TOUSU_ASSIGN_OR_RETURN(auto page, tx_.ListLogLeaves(from, kPage));
      if (page.empty()) return "leaf " + std::to_string(from) + " is missing";
      for (const LogLeafRecord& leaf : page) {
        if (leaf.index != from) return "leaf " + std::to_string(from) + " is missing";
        TOUSU_ASSIGN_OR_RETURN(std::string problem, CheckRecord(leaf));
        if (!problem.empty()) return problem;
        std::vector<std::pair<NodeId, Hash>> formed;
        builder.Append(LeafHash(leaf.leaf), [&](const NodeId& id, const Hash& h) { formed.push_back({id, h}); });
        TOUSU_ASSIGN_OR_RETURN(problem, CompareNodes(formed, leaf.index));
        if (!problem.empty()) return problem;
        ++from;
        if (auto it = roots_.find(from); it != roots_.end() && it->second != builder.Root()) {
          return "checkpoint at tree size " + std::to_string(from) +
                 ": its root is not the root of the stored leaves";
        }
        if (progress_ && (from % 4096 == 0 || from == size_)) progress_(from, size_);
      }
    }
    return std::string();
  }

  // The leaf's bytes must be exactly what its record encodes to; evidence files must be intact.
  StatusOr<std::string> CheckRecord(const LogLeafRecord& leaf) {
    const std::string name = "leaf " + std::to_string(leaf.index);
    StatusOr<LeafBytes> expected = Status::Internal("no record");
    std::string what;
    if (leaf.event_seq) {
      what = "event " + leaf.platform_id + "/" + leaf.complaint_id + "#" + std::to_string(*leaf.event_seq);
      TOUSU_ASSIGN_OR_RETURN(auto e, tx_.GetEvent(leaf.platform_id, leaf.complaint_id, *leaf.event_seq));
      if (!e) return name + ": its " + what + " is missing";
      if (e->log_index != leaf.index) return name + ": its " + what + " claims another log index";
      expected = EventLeaf(*e);
    } else if (!leaf.evidence_id.empty()) {
      what = "evidence " + leaf.platform_id + "/" + leaf.evidence_id;
      TOUSU_ASSIGN_OR_RETURN(auto r, tx_.GetEvidence(leaf.platform_id, leaf.evidence_id));
      if (!r) return name + ": its " + what + " is missing";
      if (r->log_index != leaf.index) return name + ": its " + what + " claims another log index";
      if (checked_blobs_.insert(r->sha256_hex).second) {
        ++report_.blobs;
        Status blob = blobs_.Check(r->sha256_hex, r->size);
        if (!blob.ok()) return blob.message() + " (" + what + ", " + name + ")";
      }
      expected = EvidenceLeaf(*r);
    } else {
      return name + ": it names neither an event nor an evidence record";
    }
    if (!expected.ok()) return name + ": its " + what + " cannot be encoded: " + expected.status().message();
    if (expected->leaf != leaf.leaf) {
      return name + ": the stored leaf bytes are not those of its " + what +
             " (the leaf or the record was altered)";
    }
    return std::string();
  }

  StatusOr<std::string> CompareNodes(const std::vector<std::pair<NodeId, Hash>>& formed, int64_t leaf) {
    std::vector<LogNodeKey> keys;
    for (const auto& [id, h] : formed) keys.push_back({id.level, static_cast<int64_t>(id.index)});
    TOUSU_ASSIGN_OR_RETURN(auto stored, tx_.GetLogNodes(keys));
    for (size_t i = 0; i < formed.size(); ++i) {
      const Hash& want = formed[i].second;
      if (!stored[i]) return NodeName(formed[i].first) + " is missing (closed by leaf " + std::to_string(leaf) + ")";
      if (*stored[i] != std::string(reinterpret_cast<const char*>(want.data()), want.size())) {
        return NodeName(formed[i].first) + ": the stored hash differs from the recomputed one";
      }
    }
    return std::string();
  }

  // Each checkpoint must extend the one before it (a proof from the now verified tree).
  StatusOr<std::string> CheckConsistency() {
    std::optional<std::pair<int64_t, Hash>> prev;
    for (const auto& [size, root] : roots_) {
      if (prev && prev->first > 0) {
        StoreNodes nodes(tx_);
        TOUSU_ASSIGN_OR_RETURN(auto proof, ConsistencyProof(nodes, prev->first, size));
        Status s = VerifyConsistency(prev->first, size, proof, prev->second, root);
        if (!s.ok()) {
          return "checkpoint at tree size " + std::to_string(size) +
                 " is not consistent with the one at " + std::to_string(prev->first) + ": " + s.message();
        }
      }
      prev = {size, root};
    }
    return std::string();
  }

  ReadTx& tx_;
  const BlobStore& blobs_;
  const NoteVerifier& key_;
  const ProgressFn& progress_;
  int64_t size_ = 0;
  std::map<int64_t, Hash> roots_;  // checkpoint size → signed root
  std::set<std::string> checked_blobs_;
  StoreReport report_;
};

}  // namespace

StatusOr<StoreReport> VerifyStore(Store& store, const BlobStore& blobs, const NoteVerifier& key,
                                  const ProgressFn& progress) {
  StoreReport report;
  TOUSU_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
    Verifier v(tx, blobs, key, progress);
    TOUSU_ASSIGN_OR_RETURN(report, v.Run());
    return Status::Ok();
  }));
  return report;
}

}  // namespace tousu::evidence
