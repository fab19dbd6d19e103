#include "service/transparency_log.h"

#include "evidence/checkpoint.h"
#include "evidence/leaf.h"
#include "evidence/merkle_tree.h"
#include "evidence/store_nodes.h"

namespace tousu {

namespace {

using evidence::Hash;
using evidence::StoreNodes;

Status AppendLeaf(WriteTx& tx, const LogLeafRecord& leaf) {
  TOUSU_RETURN_IF_ERROR(tx.InsertLogLeaf(leaf));
  StoreNodes nodes(tx, &tx);
  return evidence::AppendLeafHash(nodes, static_cast<uint64_t>(leaf.index),
                                  evidence::LeafHash(leaf.leaf));
}

Status CheckSize(ReadTx& tx, int64_t size, const char* what) {
  TOUSU_ASSIGN_OR_RETURN(int64_t have, tx.LogSize());
  if (size > have) {
    return Status::NotFound(std::string(what) + " " + std::to_string(size) +
                            " is beyond the log, which has " + std::to_string(have) + " leaves");
  }
  return Status::Ok();
}

}  // namespace

namespace {

Status AppendEvent(WriteTx& tx, EventRecord* e, const boost::json::value* data) {
  TOUSU_ASSIGN_OR_RETURN(int64_t index, tx.LogSize());
  e->log_index = index;
  TOUSU_RETURN_IF_ERROR(tx.InsertEvent(e));
  TOUSU_ASSIGN_OR_RETURN(evidence::LeafBytes bytes,
                         data != nullptr ? evidence::EventLeaf(*e, *data) : evidence::EventLeaf(*e));
  return AppendLeaf(tx, LogLeafRecord{index, std::move(bytes.leaf), e->platform_id,
                                      e->complaint_id, e->seq, ""});
}

}  // namespace

Status InsertLoggedEvent(WriteTx& tx, EventRecord* e) { return AppendEvent(tx, e, nullptr); }

Status InsertLoggedEvent(WriteTx& tx, EventRecord* e, const boost::json::value& data) {
  return AppendEvent(tx, e, &data);
}

Status InsertLoggedEvidence(WriteTx& tx, EvidenceRecord* r) {
  TOUSU_ASSIGN_OR_RETURN(int64_t index, tx.LogSize());
  r->log_index = index;
  TOUSU_ASSIGN_OR_RETURN(evidence::LeafBytes bytes, evidence::EvidenceLeaf(*r));
  TOUSU_RETURN_IF_ERROR(tx.InsertEvidence(*r));
  return AppendLeaf(tx, LogLeafRecord{index, std::move(bytes.leaf), r->platform_id,
                                      r->complaint_id, std::nullopt, r->id});
}

StatusOr<LogInclusion> LogInclusionProof(ReadTx& tx, int64_t index, int64_t tree_size) {
  if (index < 0 || index >= tree_size) {
    return Status::InvalidArgument("leaf " + std::to_string(index) + " is not inside a tree of " +
                                   std::to_string(tree_size) + " leaves");
  }
  TOUSU_RETURN_IF_ERROR(CheckSize(tx, tree_size, "tree size"));
  TOUSU_ASSIGN_OR_RETURN(auto leaf, tx.GetLogLeaf(index));
  if (!leaf) return Status::Corruption("log leaf " + std::to_string(index) + " is missing");
  StoreNodes nodes(tx);
  LogInclusion out;
  out.leaf_hash = evidence::LeafHash(leaf->leaf);
  out.leaf = std::move(*leaf);
  out.tree_size = tree_size;
  TOUSU_ASSIGN_OR_RETURN(out.root, evidence::RootAt(nodes, static_cast<uint64_t>(tree_size)));
  TOUSU_ASSIGN_OR_RETURN(out.audit_path, evidence::InclusionProof(nodes, static_cast<uint64_t>(index),
                                                                  static_cast<uint64_t>(tree_size)));
  return out;
}

StatusOr<std::vector<Hash>> LogConsistencyProof(ReadTx& tx, int64_t first, int64_t second) {
  if (first < 1 || second < first) {
    return Status::InvalidArgument("sizes must satisfy 1 <= first <= second");
  }
  TOUSU_RETURN_IF_ERROR(CheckSize(tx, second, "size"));
  StoreNodes nodes(tx);
  return evidence::ConsistencyProof(nodes, static_cast<uint64_t>(first), static_cast<uint64_t>(second));
}

StatusOr<Hash> LogRootAt(ReadTx& tx, int64_t tree_size) {
  if (tree_size < 0) return Status::InvalidArgument("a tree size is not negative");
  TOUSU_RETURN_IF_ERROR(CheckSize(tx, tree_size, "tree size"));
  StoreNodes nodes(tx);
  return evidence::RootAt(nodes, static_cast<uint64_t>(tree_size));
}

StatusOr<CheckpointRecord> CheckpointSigner::SignIfGrown(WriteTx& tx) const {
  TOUSU_ASSIGN_OR_RETURN(int64_t size, tx.LogSize());
  TOUSU_ASSIGN_OR_RETURN(auto latest, tx.LatestCheckpoint());
  if (latest && latest->tree_size == size) return *latest;
  if (latest && latest->tree_size > size) {
    return Status::Corruption("the latest checkpoint covers " + std::to_string(latest->tree_size) +
                              " leaves but the log has only " + std::to_string(size));
  }
  StoreNodes nodes(tx);
  TOUSU_ASSIGN_OR_RETURN(Hash root, evidence::RootAt(nodes, static_cast<uint64_t>(size)));
  TOUSU_ASSIGN_OR_RETURN(std::string note,
                         evidence::SignCheckpoint(signer_, {signer_.name(), static_cast<uint64_t>(size), root, {}}));
  CheckpointRecord c{size, std::string(reinterpret_cast<const char*>(root.data()), root.size()),
                     clock_.Now(), std::move(note)};
  TOUSU_RETURN_IF_ERROR(tx.InsertCheckpoint(c));
  return c;
}

}  // namespace tousu
