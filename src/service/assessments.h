// Gathering the rules engine's facts from the store, in the caller's transaction: the order,
// the incidents that touch the complaint's window, similar complaints in the policy's window,
// the evidence records and the terms texts. The engine itself (rules/engine.h) reads nothing.
// Thread-safety: stateless functions over the caller's transaction.
#ifndef TOUSU_SERVICE_ASSESSMENTS_H_
#define TOUSU_SERVICE_ASSESSMENTS_H_

#include <string>
#include <vector>

#include "rules/engine.h"
#include "store/store.h"

namespace tousu {

// The longest complaint window (incident_at to incident_ends_at) accepted; it bounds the
// index range an incident scans for the complaints it touches.
inline constexpr Duration kMaxComplaintWindow = days(366);

// At most this many incidents and similar complaints are read per assessment.
inline constexpr int kMaxIncidentsPerAssessment = 200;
// Similar complaints are read as the policy's `count` nearest before the incident and as many
// after it, once for the platform and once for the merchant: any window of the policy's length
// that holds `count` complaints around this one is among them, so the finding is exact, and a
// filing in a storm of thousands reads a handful of index entries. Larger counts are reported
// as lower bounds (SimilarFacts::lower_bound).
// Undetermined open complaints refreshed when a similar one arrives, at most.
inline constexpr int kMaxSimilarRefreshed = 200;

// The complaint's evidence records. Empty until the evidence log's store method
// ListEvidence(platform, complaint_id) exists (issue 4); this is the one place that reads them.
StatusOr<std::vector<EvidenceRecord>> GatherEvidence(ReadTx& tx, std::string_view platform,
                                                     std::string_view complaint_id);

// Every fact of one complaint (or of a filing: complaint_id empty, no decision).
StatusOr<AssessmentFacts> GatherFacts(ReadTx& tx, const Policy& policy, const Order& order,
                                      std::string_view complaint_id, const FilingFacts& filing,
                                      const std::optional<Decision>& decision);

}  // namespace tousu

#endif  // TOUSU_SERVICE_ASSESSMENTS_H_
