// The store's log_nodes table seen as the Merkle tree's node storage (evidence/merkle_tree.h).
// Reads go through any ReadTx; writes need the WriteTx of the transaction that appends.
// Thread-safety: as the transaction it wraps (one job or read at a time).
#ifndef TOUSU_EVIDENCE_STORE_NODES_H_
#define TOUSU_EVIDENCE_STORE_NODES_H_

#include "evidence/merkle_tree.h"
#include "store/store.h"

namespace tousu::evidence {

class StoreNodes final : public NodeStore {
 public:
  // `tx` must outlive this object; `writer` (the same transaction) enables WriteNode.
  explicit StoreNodes(ReadTx& tx, WriteTx* writer = nullptr) : tx_(tx), writer_(writer) {}

  // A missing or malformed node is Corruption naming it.
  StatusOr<std::vector<Hash>> ReadNodes(const std::vector<NodeId>& ids) override;
  Status WriteNodes(const std::vector<std::pair<NodeId, Hash>>& nodes) override;

 private:
  ReadTx& tx_;
  WriteTx* writer_;
};

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_STORE_NODES_H_
