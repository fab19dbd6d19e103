#include "service/evidence.h"

#include <boost/json.hpp>

#include "domain/access.h"
#include "evidence/utf8.h"
#include "service/transparency_log.h"

namespace tousu {

namespace json = boost::json;

namespace {

constexpr Duration kClockSkew = minutes(5);
constexpr size_t kMaxFilename = 255;
constexpr size_t kMaxOrderNo = 128;

// Evidence belongs to the complaint's parties and staff; the platform's API key is neither.
bool MaySeeEvidence(const Principal& who, const Complaint& c) {
  return who.IsUser() && CanSee(who, c);
}

Status CheckFilename(const std::string& name) {
  if (name.size() > kMaxFilename) return Status::BadField("filename", "is longer than 255 bytes");
  if (!evidence::IsValidUtf8(name)) return Status::BadField("filename", "is not UTF-8 text");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
      return Status::BadField("filename", "must be a plain file name without control characters or slashes");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Complaint> EvidenceService::VisibleComplaint(ReadTx& tx, const Principal& who,
                                                      std::string_view complaint_id) const {
  TOUSU_ASSIGN_OR_RETURN(auto c, tx.GetComplaint(who.platform_id, complaint_id));
  if (!c || !MaySeeEvidence(who, *c)) {
    return Status::NotFound("no complaint " + std::string(complaint_id));
  }
  return *c;
}

StatusOr<Complaint> EvidenceService::AddableComplaint(ReadTx& tx, const Principal& who,
                                                     std::string_view complaint_id) const {
  if (who.role == Role::kPlatform) {
    return Status::PermissionDenied("evidence is added by the complaint's parties and staff, not by the platform's API key");
  }
  TOUSU_ASSIGN_OR_RETURN(Complaint c, VisibleComplaint(tx, who, complaint_id));
  if (c.status == ComplaintStatus::kClosed || c.status == ComplaintStatus::kWithdrawn) {
    return Status::Conflict("the complaint is " + std::string(ToString(c.status)) +
                            "; evidence can no longer be added")
        .WithList("allowed_actions", {});
  }
  return c;
}

Status EvidenceService::CheckCanAdd(ReadTx& tx, const Principal& who,
                                    std::string_view complaint_id) const {
  return AddableComplaint(tx, who, complaint_id).status();
}

StatusOr<EvidenceRecord> EvidenceService::Add(WriteTx& tx, const Principal& who,
                                              std::string_view complaint_id,
                                              const EvidenceUpload& u) const {
  TOUSU_ASSIGN_OR_RETURN(Complaint complaint, AddableComplaint(tx, who, complaint_id));
  const Instant now = clock_.Now();
  if (u.captured_at && *u.captured_at > now + kClockSkew) {
    return Status::BadField("captured_at", "is in the future");
  }
  TOUSU_RETURN_IF_ERROR(CheckFilename(u.filename));
  const bool has_order_fields = !u.declared_order_no.empty() || u.declared_amount.has_value();
  if (has_order_fields && u.kind != EvidenceKind::kTransaction) {
    return Status::BadField(u.declared_order_no.empty() ? "amount_fen" : "order_no",
                            "describes a transaction record; send it with kind=transaction");
  }
  if (u.declared_order_no.size() > kMaxOrderNo || !evidence::IsValidUtf8(u.declared_order_no)) {
    return Status::BadField("order_no", "must be UTF-8 text of at most 128 bytes");
  }
  if (u.declared_amount && u.declared_amount->fen() < 0) {
    return Status::BadField("amount_fen", "must not be negative");
  }
  if (u.size <= 0) return Status::BadField("file", "is empty");

  EvidenceRecord r;
  r.platform_id = who.platform_id;
  r.id = ids_.Next("evd");
  r.complaint_id = std::string(complaint_id);
  r.uploader_ref = who.user_ref;
  r.uploader_role = who.role;
  r.kind = u.kind;
  r.media_type = u.media_type;
  r.declared_media_type = u.declared_media_type;
  r.filename = u.filename;
  r.size = u.size;
  r.sha256_hex = u.sha256_hex;
  r.captured_at = u.captured_at;
  r.received_at = now;
  r.declared_order_no = u.declared_order_no;
  r.declared_amount = u.declared_amount;
  TOUSU_RETURN_IF_ERROR(InsertLoggedEvidence(tx, &r));
  const json::object payload{{"platform", r.platform_id}, {"complaint", r.complaint_id},
                             {"evidence", r.id},          {"kind", ToString(r.kind)},
                             {"sha256", r.sha256_hex},    {"log_index", *r.log_index},
                             {"at", FormatRfc3339(now)}};
  TOUSU_RETURN_IF_ERROR(tx.InsertOutbox(r.platform_id, "complaint.evidence", json::serialize(payload), now));
  TOUSU_RETURN_IF_ERROR(complaints_.Reassess(tx, complaint, "evidence_added").status());
  return r;
}

StatusOr<EvidenceRecord> EvidenceService::Get(ReadTx& tx, const Principal& who,
                                              std::string_view evidence_id) const {
  TOUSU_ASSIGN_OR_RETURN(auto r, tx.GetEvidence(who.platform_id, evidence_id));
  const Status missing = Status::NotFound("no evidence " + std::string(evidence_id));
  if (!r) return missing;
  TOUSU_ASSIGN_OR_RETURN(auto c, tx.GetComplaint(who.platform_id, r->complaint_id));
  if (!c || !MaySeeEvidence(who, *c)) return missing;
  return *r;
}

StatusOr<std::vector<EvidenceRecord>> EvidenceService::List(ReadTx& tx, const Principal& who,
                                                            std::string_view complaint_id) const {
  TOUSU_RETURN_IF_ERROR(VisibleComplaint(tx, who, complaint_id).status());
  return tx.ListEvidence(who.platform_id, complaint_id);
}

}  // namespace tousu
