// Checkpoints in the C2SP tlog-checkpoint format (https://c2sp.org/tlog-checkpoint): the body
// of a signed note (evidence/note.h) that commits to one size and root of the log.
//
//   <origin>\n
//   <tree size, decimal>\n
//   <base64 of the 32-byte root hash>\n
//   [extension lines]
//
// Byte formats: docs/log_format.md "Checkpoints".
// Thread-safety: pure functions.
#ifndef TOUSU_EVIDENCE_CHECKPOINT_H_
#define TOUSU_EVIDENCE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "evidence/merkle.h"
#include "evidence/note.h"

namespace tousu::evidence {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // lines after the root; tousu writes none
};

// The note text of `c` (ends in a newline).
std::string FormatCheckpoint(const Checkpoint& c);
// Parses checkpoint text (a note's text, without the signatures).
StatusOr<Checkpoint> ParseCheckpoint(std::string_view text);

// Signs `c` as a note with `signer` (whose name must be the checkpoint's origin).
StatusOr<std::string> SignCheckpoint(const NoteSigner& signer, const Checkpoint& c);
// Opens a signed checkpoint: the signature by `verifier` must verify and the origin must be
// the verifier's key name.
StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, std::string_view signed_note);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_CHECKPOINT_H_
