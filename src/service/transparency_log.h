// The transparency log inside tousu's transactions: the glue between the store's log tables and
// evidence/ (the Merkle math, leaf encoding and checkpoint format).
//
// Every complaint event and every evidence record is written through InsertLoggedEvent /
// InsertLoggedEvidence, which append the record's leaf in the same transaction: a crash can
// never leave a change without its leaf, or a leaf without its change. The store's writer is a
// single thread, so appends are serialised and leaf indexes are dense.
// Thread-safety: the free functions act on the transaction they are given; CheckpointSigner is
// immutable and may be shared.
#ifndef TOUSU_SERVICE_TRANSPARENCY_LOG_H_
#define TOUSU_SERVICE_TRANSPARENCY_LOG_H_

#include <optional>
#include <vector>

#include "base/clock.h"
#include "evidence/merkle.h"
#include "evidence/note.h"
#include <boost/json/value.hpp>

#include "store/store.h"

namespace tousu {

// Inserts the event (setting e->seq) and appends its leaf (setting e->log_index).
Status InsertLoggedEvent(WriteTx& tx, EventRecord* e);
// The same with e->data_json already parsed (`data` must be what it holds).
Status InsertLoggedEvent(WriteTx& tx, EventRecord* e, const boost::json::value& data);
// Inserts the evidence record and appends its leaf (setting r->log_index).
Status InsertLoggedEvidence(WriteTx& tx, EvidenceRecord* r);

// Leaf `index` of a tree of `tree_size` leaves, with its audit path.
struct LogInclusion {
  LogLeafRecord leaf;
  evidence::Hash leaf_hash{};
  int64_t tree_size = 0;
  evidence::Hash root{};
  std::vector<evidence::Hash> audit_path;
};

// NotFound when the leaf or the size is beyond the log; InvalidArgument when index >= tree_size.
StatusOr<LogInclusion> LogInclusionProof(ReadTx& tx, int64_t index, int64_t tree_size);
// The consistency proof between two sizes (1 <= first <= second <= the log's size).
StatusOr<std::vector<evidence::Hash>> LogConsistencyProof(ReadTx& tx, int64_t first, int64_t second);
StatusOr<evidence::Hash> LogRootAt(ReadTx& tx, int64_t tree_size);

// Signs checkpoints of the log with the deployment's key (its name is the log's origin).
class CheckpointSigner final {
 public:
  CheckpointSigner(const Clock& clock, evidence::NoteSigner signer)
      : clock_(clock), signer_(std::move(signer)) {}

  const std::string& origin() const { return signer_.name(); }
  std::string VerifierKey() const { return signer_.VerifierKey(); }

  // Signs and stores a checkpoint of the current tree unless the latest one has its size
  // already (the first call signs even an empty tree); returns the latest checkpoint.
  StatusOr<CheckpointRecord> SignIfGrown(WriteTx& tx) const;

 private:
  const Clock& clock_;
  const evidence::NoteSigner signer_;
};

}  // namespace tousu

#endif  // TOUSU_SERVICE_TRANSPARENCY_LOG_H_
