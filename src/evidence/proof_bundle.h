// The inclusion proof as the API hands it out (GET /v1/evidence/{id}/proof and
// GET /v1/complaints/{id}/events/{seq}/proof) and as `tousu verify` checks it offline, with
// nothing but the log's public key: docs/log_format.md "Proof bundles".
//
//   {"log_index", "leaf_hash", "tree_size", "root_hash", "audit_path": [hex],
//    "checkpoint": signed note or null, "leaf": the leaf bytes, "content"?: the private document}
// Thread-safety: pure functions (VerifyOffline reads the file it is given).
#ifndef TOUSU_EVIDENCE_PROOF_BUNDLE_H_
#define TOUSU_EVIDENCE_PROOF_BUNDLE_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "evidence/merkle.h"
#include "evidence/note.h"

namespace tousu::evidence {

struct ProofBundle {
  uint64_t log_index = 0;
  Hash leaf_hash{};
  uint64_t tree_size = 0;
  Hash root{};
  std::vector<Hash> audit_path;
  std::optional<std::string> checkpoint;
  std::optional<std::string> leaf;
  std::optional<std::string> content;
};

boost::json::object ToJson(const ProofBundle& b);
// InvalidArgument naming the field that is missing or malformed.
StatusOr<ProofBundle> ParseProofBundle(std::string_view json_text);

// The log's public key as a user may give it: a C2SP verifier key ("name+id+base64"), or 64
// hex digits of the raw Ed25519 key, named after `origin` (the checkpoint's first line).
StatusOr<NoteVerifier> ParseVerifierKey(std::string_view text, std::string_view origin);

// One step of an offline check and how it went.
struct CheckStep {
  std::string part;    // "checkpoint", "proof", "leaf", "content", "inclusion", "file"
  bool ok = false;
  std::string detail;  // what was checked, or exactly what failed
};

struct OfflineResult {
  std::vector<CheckStep> steps;  // in order; the last one failed when !ok
  bool ok = false;
};

// Checks, in order and stopping at the first failure: the checkpoint's signature by `key`; that
// the proof is for the checkpoint's size and root; the leaf bytes against the leaf hash; the
// content document against the leaf; the audit path from the leaf to the root; and, when
// `file_path` is given, the file's SHA-256 and size against the (evidence) leaf.
OfflineResult VerifyOffline(const NoteVerifier& key, std::string_view signed_checkpoint,
                            const ProofBundle& proof, const std::optional<std::string>& file_path);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_PROOF_BUNDLE_H_
