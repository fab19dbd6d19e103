// `tousu verify --store DIR`: re-checks a whole store from first principles, trusting nothing
// the server computed. For every leaf of the log it re-encodes the record the leaf stands for
// (event or evidence) and compares the bytes, re-hashes the evidence file from the blob store,
// rebuilds the Merkle tree leaf by leaf and compares every stored subtree hash; it checks every
// stored checkpoint's signature with the log's public key, that its root is the root of the
// stored leaves at its size, and that it is consistent with the checkpoint before it; finally
// it looks for events or evidence records that have no leaf. It stops at the first problem and
// names it (the blob, the leaf, the tree node or the checkpoint).
// Thread-safety: runs on the caller's thread inside one read snapshot of the store.
#ifndef TOUSU_EVIDENCE_STORE_VERIFIER_H_
#define TOUSU_EVIDENCE_STORE_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "evidence/blob_store.h"
#include "evidence/note.h"
#include "store/store.h"

namespace tousu::evidence {

struct StoreReport {
  bool ok = false;
  std::string problem;  // the first thing found broken, for a human
  int64_t leaves = 0;
  int64_t blobs = 0;
  int64_t checkpoints = 0;
};

// Called now and then with the leaves checked so far and the total.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// A non-OK status only when the check itself could not run (the store cannot be read); a
// broken store is an OK status with report.ok == false.
StatusOr<StoreReport> VerifyStore(Store& store, const BlobStore& blobs, const NoteVerifier& key,
                                  const ProgressFn& progress = nullptr);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_STORE_VERIFIER_H_
