// Complaint use cases: file, act, message, read — each a function over one transaction, so
// that the complaint row, its events with their transparency-log leaves, its outbox entries and
// its marks commit together or not at all. The lifecycle rules themselves are in domain/lifecycle.h; routing and filing windows
// in rules/engine.h.
// Thread-safety: stateless apart from the injected clock and id generator.
#ifndef TOUSU_SERVICE_COMPLAINTS_H_
#define TOUSU_SERVICE_COMPLAINTS_H_

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "domain/lifecycle.h"
#include "rules/engine.h"
#include "rules/policy.h"
#include "service/policies.h"
#include "store/store.h"

namespace tousu {

struct FileCommand {
  std::string order_no;
  Category category = Category::kNotReceived;
  Instant incident_at;
  std::optional<Instant> incident_ends_at;
  std::string description;
  std::vector<Demand> demands;
  std::string late_reason;
};

struct ComplaintPage {
  std::vector<Complaint> items;
  std::string next_cursor;  // empty at the end
};

class ComplaintService final {
 public:
  ComplaintService(const Clock& clock, IdGenerator& ids) : clock_(clock), ids_(ids) {}

  StatusOr<Complaint> File(WriteTx& tx, const Principal& who, const FileCommand& cmd) const;
  StatusOr<Complaint> Act(WriteTx& tx, const Principal& who, std::string_view id,
                          const ActionRequest& r) const;
  StatusOr<MessageRecord> PostMessage(WriteTx& tx, const Principal& who, std::string_view id,
                                      std::string text) const;

  // Reads answer NotFound for anything the caller may not see.
  StatusOr<Complaint> Get(ReadTx& tx, const Principal& who, std::string_view id) const;
  StatusOr<ComplaintPage> List(ReadTx& tx, const Principal& who, ComplaintFilter f) const;
  StatusOr<std::vector<EventRecord>> Timeline(ReadTx& tx, const Principal& who,
                                              std::string_view id) const;
  StatusOr<std::vector<MessageRecord>> Messages(ReadTx& tx, const Principal& who,
                                                std::string_view id) const;

  // Acts on one due deadline (the sweeper's unit of work). A deadline that no longer applies is
  // dropped. Returns true when it changed the complaint.
  StatusOr<bool> HandleDeadline(WriteTx& tx, const DueDeadline& d) const;

  // Recomputes `c`'s assessment from the facts now in the store (call it after the change that
  // altered them, in the same transaction: new evidence, an incident, a similar complaint).
  // When the result differs, stores it with a `reassessed` event naming `reason` and bumps the
  // version; `c` must be the complaint as stored in this transaction, and is updated.
  // Returns true when the assessment changed.
  StatusOr<bool> Reassess(WriteTx& tx, Complaint& c, std::string_view reason) const;

  // A new incident: reassesses every open complaint whose window it touches (paged, bounded by
  // kMaxComplaintWindow). Returns how many changed.
  StatusOr<int> OnIncident(WriteTx& tx, const Incident& incident) const;

  Instant Now() const { return clock_.Now(); }

 private:
  // Writes the complaint (insert or versioned update), its events, outbox entries and marks,
  // and moves the assignee's open load. One transaction: the caller's.
  Status Record(WriteTx& tx, const Complaint& before, Complaint& after, const Transition& t,
                const Actor& actor, bool is_new) const;
  StatusOr<std::string> PickAssignee(WriteTx& tx, const std::string& platform, Tier tier) const;
  // The engine's assessment of a stored complaint, from the facts in the store now.
  StatusOr<Assessment> AssessStored(ReadTx& tx, const Policy& policy, const Complaint& c) const;
  // Open complaints like `c` (same category, within the similar window) whose similar-complaints
  // count `c` may have changed.
  Status RefreshSimilar(WriteTx& tx, const Policy& policy, const Complaint& c) const;

  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace tousu

#endif  // TOUSU_SERVICE_COMPLAINTS_H_
