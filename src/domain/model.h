// The objects of SPEC.md ("Objects") as plain values. Every object carries its platform id:
// tousu is multi-tenant and no object exists outside a platform (tenant).
// Pure data, no I/O. Thread-safety: value types.
#ifndef TOUSU_DOMAIN_MODEL_H_
#define TOUSU_DOMAIN_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/time.h"
#include "domain/types.h"

namespace tousu {

struct Platform {
  std::string id;
  std::string name;
  Instant created_at;
};

struct Merchant {
  std::string platform_id;
  std::string ref;  // the platform's own id for the shop
  std::string name;
  bool kyc_verified = false;
  std::string terms;  // the shop's terms text, scanned for unfair clauses
  Instant created_at;
  Instant updated_at;
};

struct User {
  std::string platform_id;
  std::string ref;  // the platform's own id for the person
  Role role = Role::kConsumer;
  std::string name;
  std::string merchant_ref;   // merchant staff only
  std::string password_hash;  // Argon2id, libsodium's encoded string
  Instant created_at;
  Instant updated_at;
};

struct Order {
  std::string platform_id;
  std::string order_no;
  std::string consumer_ref;
  std::string merchant_ref;
  ProductKind product_kind = ProductKind::kOther;
  std::string title;
  Money amount;
  Instant paid_at;
  std::optional<Instant> delivered_at;
  std::optional<Instant> service_starts_at;  // time-based products: the service period
  std::optional<Instant> service_ends_at;
  std::string payment_channel;
  std::string payment_ref;
  bool self_declared = false;
  Instant created_at;
  Instant updated_at;
};

struct Incident {
  std::string platform_id;
  std::string id;
  IncidentKind kind = IncidentKind::kOutage;
  Instant starts_at;
  Instant ends_at;
  std::optional<Instant> announced_at;
  bool members_notified = false;
  std::string merchant_ref;  // empty: the whole platform
  std::string description;
  Instant created_at;
};

struct Demand {
  DemandKind kind = DemandKind::kRefund;
  Money amount;  // kRefund
  int days = 0;  // kExtend
  bool operator==(const Demand&) const = default;
};

// What a merchant offered (action `offer`).
struct Offer {
  Money refund;
  int extension_days = 0;
  bool replace = false;
  bool restore = false;
  std::string message;
  Instant made_at;
};

// What an arbitrator (or risk) decided (action `decide`).
struct Decision {
  Party responsibility = Party::kUndetermined;
  Money refund;
  int extension_days = 0;
  bool fraud = false;
  Money punitive;  // 消法 55: max(3 × price, 500 yuan) when fraud
  std::string reason;
  std::string decided_by;
  Instant decided_at;
};

// A remedy: what is owed, or what has been done of it.
struct Remedy {
  Money refund;
  Money punitive;
  int extension_days = 0;
  bool replace = false;
  bool restore = false;
  bool Empty() const {
    return refund.fen() == 0 && punitive.fen() == 0 && extension_days == 0 && !replace && !restore;
  }
  bool operator==(const Remedy&) const = default;
};

struct Rating {
  int stars = 0;
  std::string comment;
  Instant at;
};

// A piece of evidence attached to a complaint: a file stored by its SHA-256, what it claims to
// be, and where it sits in the transparency log. The rules read these (completeness, lateness,
// mismatches with the order); the evidence vault writes them.
struct EvidenceRecord {
  std::string platform_id;
  std::string id;
  std::string complaint_id;
  std::string uploader_ref;
  Role uploader_role = Role::kConsumer;
  EvidenceKind kind = EvidenceKind::kIncident;
  std::string media_type;           // sniffed from the bytes
  std::string declared_media_type;  // the Content-Type the uploader sent
  std::string filename;
  int64_t size = 0;
  std::string sha256_hex;
  std::optional<Instant> captured_at;  // claimed by the uploader
  Instant received_at;                 // the server's time
  // For transaction records: what the record says, checked against the order.
  std::string declared_order_no;
  std::optional<Money> declared_amount;
  std::optional<int64_t> log_index;
};

struct Complaint {
  std::string platform_id;
  std::string id;
  std::string order_no;
  std::string consumer_ref;
  std::string merchant_ref;
  Category category = Category::kNotReceived;
  Instant incident_at;
  std::optional<Instant> incident_ends_at;
  std::string description;
  std::vector<Demand> demands;
  std::string late_reason;
  bool late = false;

  ComplaintStatus status = ComplaintStatus::kSubmitted;
  Tier tier = Tier::kNormal;
  std::string assignee;  // the first responder (首问负责人); empty when no staff exists
  std::map<DeadlineKind, Instant> deadlines;
  int64_t version = 0;
  Instant created_at;
  Instant updated_at;

  std::optional<Offer> offer;
  std::optional<Decision> decision;
  Remedy owed;            // what the accepted offer or the decision requires
  Remedy done;            // what has been paid or performed of it
  bool appealed = false;
  bool review_overdue = false;  // the platform missed its review deadline
  bool reply_overdue = false;   // the platform missed the outer 7-day bound
  std::optional<EscalationChannel> escalation;
  std::optional<Rating> rating;

  std::string assessment_json;  // the rules engine's latest assessment, as JSON
  // Its responsibility party, kept beside it so that the store can select on it (the
  // similar-complaints refresh looks only at undetermined ones).
  Party party = Party::kUndetermined;
};

}  // namespace tousu

#endif  // TOUSU_DOMAIN_MODEL_H_
