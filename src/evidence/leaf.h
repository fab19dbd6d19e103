// The leaves of tousu's transparency log: the exact bytes that stand for a complaint event (every
// state transition and every message) or an evidence record. docs/log_format.md "Leaves" is the
// specification; this is its one implementation.
//
// A leaf is canonical JSON (evidence/canonical_json.h), version 1. It is public (anyone may fetch
// it from GET /v1/log/leaves/{i}), so it holds only what the public board may show: platform,
// complaint, event type and statuses, the actor's role, times and, for evidence, the file's
// SHA-256, size and type. Everything private (who exactly, message texts, offer details, file
// names, declared order numbers) is in a "content" document that the leaf commits to by its
// SHA-256 (`content_sha256`); the complaint's parties get the content with their proofs.
// Thread-safety: pure functions.
#ifndef TOUSU_EVIDENCE_LEAF_H_
#define TOUSU_EVIDENCE_LEAF_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "base/status.h"
#include "domain/model.h"
#include "store/store.h"

namespace tousu::evidence {

inline constexpr int64_t kLeafVersion = 1;

struct LeafBytes {
  std::string leaf;     // public
  std::string content;  // private; SHA-256(content) is the leaf's content_sha256
};

// InvalidArgument when the record cannot be encoded (malformed event data: a bug upstream).
StatusOr<LeafBytes> EventLeaf(const EventRecord& e);
// The same with the event's data already parsed (it must be what e.data_json holds): the
// writer has it as a value and need not parse the text it has just serialised.
StatusOr<LeafBytes> EventLeaf(const EventRecord& e, const boost::json::value& data);
// The event leaf built the general way (objects, then canonical JSON): the reference the fast
// encoder above is tested against.
StatusOr<LeafBytes> EventLeafFromObjects(const EventRecord& e, const boost::json::value& data);
StatusOr<LeafBytes> EvidenceLeaf(const EvidenceRecord& r);

// What a verifier reads back out of a leaf.
struct LeafFacts {
  std::string type;  // "event" | "evidence"
  std::string platform;
  std::string complaint;
  int64_t seq = 0;          // events
  std::string evidence_id;  // evidence
  std::string content_sha256;
  std::string file_sha256;  // evidence
  int64_t file_size = 0;    // evidence
};
// InvalidArgument when `leaf` is not a version-1 tousu leaf.
StatusOr<LeafFacts> ParseLeaf(std::string_view leaf);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_LEAF_H_
