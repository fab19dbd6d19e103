// Evidence use cases: who may add evidence to a complaint, recording an uploaded file (already
// stored in the blob store by its hash) with its transparency-log leaf in one transaction, and
// reading records back for the complaint's parties and staff.
//
// The upload pipeline is: check (CheckCanAdd, before the body is read) → stream the body into
// evidence::BlobWriter → commit the blob (fsynced) → Add in a write transaction. A blob whose
// transaction never commits is harmless: it is content-addressed and unreferenced.
// Thread-safety: stateless apart from the injected clock and id generator.
#ifndef TOUSU_SERVICE_EVIDENCE_H_
#define TOUSU_SERVICE_EVIDENCE_H_

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "domain/model.h"
#include "domain/principal.h"
#include "service/complaints.h"
#include "store/store.h"

namespace tousu {

// What the uploader said about the file, and what the stored bytes are.
struct EvidenceUpload {
  EvidenceKind kind = EvidenceKind::kIncident;
  std::optional<Instant> captured_at;
  std::string filename;
  std::string declared_media_type;  // normalised (evidence::NormalizeMediaType); "" if none
  std::string declared_order_no;    // transaction records only
  std::optional<Money> declared_amount;
  // From the blob store:
  std::string sha256_hex;
  int64_t size = 0;
  std::string media_type;  // sniffed
};

class EvidenceService final {
 public:
  // New evidence is a new fact: `complaints` reassesses the complaint in the same transaction.
  EvidenceService(const Clock& clock, IdGenerator& ids, const ComplaintService& complaints)
      : clock_(clock), ids_(ids), complaints_(complaints) {}

  // May `who` add evidence to the complaint now? NotFound when it cannot see the complaint
  // (another tenant, consumer or shop), PermissionDenied for the platform's API key, Conflict
  // once the complaint is closed or withdrawn.
  Status CheckCanAdd(ReadTx& tx, const Principal& who, std::string_view complaint_id) const;

  // Validates the uploader's claims (422 for a capture time in the future, order fields on a
  // non-transaction record, a bad file name), records the evidence with its leaf and reassesses
  // the complaint (its evidence section) — all in `tx`.
  StatusOr<EvidenceRecord> Add(WriteTx& tx, const Principal& who, std::string_view complaint_id,
                               const EvidenceUpload& upload) const;

  // Reads answer NotFound for anything the caller may not see: only the complaint's consumer,
  // its shop's staff and the platform's staff (agent, risk, arbitrator) see its evidence.
  StatusOr<EvidenceRecord> Get(ReadTx& tx, const Principal& who, std::string_view evidence_id) const;
  StatusOr<std::vector<EvidenceRecord>> List(ReadTx& tx, const Principal& who,
                                             std::string_view complaint_id) const;

 private:
  StatusOr<Complaint> VisibleComplaint(ReadTx& tx, const Principal& who,
                                       std::string_view complaint_id) const;
  StatusOr<Complaint> AddableComplaint(ReadTx& tx, const Principal& who,
                                       std::string_view complaint_id) const;

  const Clock& clock_;
  IdGenerator& ids_;
  const ComplaintService& complaints_;
};

}  // namespace tousu

#endif  // TOUSU_SERVICE_EVIDENCE_H_
