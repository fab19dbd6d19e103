// The complaint lifecycle of SPEC.md as a pure state machine: which role may take which action
// in which state, what each action and each missed deadline does to a complaint, and which
// events and marks (strikes) it leaves. The service layer persists what this returns; nothing
// here reads a clock, a store or the network.
//
//   submitted ─► awaiting_merchant ─(offer)─► offer_made ─(accept)─► remedy_due ─(paid)─► resolved ─► closed
//                     │ (reject / deadline missed)  │ (reject / no answer)
//                     ▼                             ▼
//                platform_review ◄──────────────────┘   ◄── (appeal, once, within the window)
//                     │ (decide)
//                     ▼
//                  decided ─► remedy_due | resolved
//   any open state ─(withdraw)─► withdrawn;  decided or review overdue ─(escalate)─► escalated_external
//
// `decided` is passed through in the same step as the decision; the events show it.
// Thread-safety: pure functions over values.
#ifndef TOUSU_DOMAIN_LIFECYCLE_H_
#define TOUSU_DOMAIN_LIFECYCLE_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "domain/model.h"
#include "domain/principal.h"

namespace tousu {

// The waits of SPEC.md's deadline table; every one configurable per platform.
struct DeadlineDurations {
  Duration merchant_response = hours(48);
  Duration offer_answer = hours(72);
  Duration review_normal = hours(72);
  Duration review_risk = hours(48);
  Duration review_urgent = hours(24);
  Duration platform_reply = days(7);
  Duration remedy = days(3);
  Duration appeal = days(7);
  Duration rating = days(7);

  Duration ReviewFor(Tier tier) const;
  bool operator==(const DeadlineDurations&) const = default;
};

// An action with its (already type-checked) fields; which fields matter depends on the action.
struct ActionRequest {
  Action action = Action::kWithdraw;
  std::optional<int64_t> if_version;
  Money refund;                      // offer, decide: refund_fen
  int extension_days = 0;            // offer, decide, pay
  bool replace = false;              // offer, pay
  bool restore = false;              // offer, pay
  Money amount;                      // pay: amount_fen
  std::string message;               // offer, request_evidence
  std::string reason;                // reject, reject_offer, decide, appeal, reassign
  Party responsibility = Party::kUndetermined;  // decide
  bool fraud = false;                // decide
  EscalationChannel channel = EscalationChannel::k12315;  // escalate
  int stars = 0;                     // rate
  std::string comment;               // rate
  std::string assignee;              // reassign
  std::string evidence_from;         // request_evidence: "consumer" | "merchant"
  std::vector<std::string> evidence_kinds;  // request_evidence
};

// A mark against a merchant or the platform (a missed deadline), for the public record.
struct Mark {
  enum class Subject { kMerchant, kPlatform };
  Subject subject = Subject::kMerchant;
  std::string kind;  // "missed_response", "remedy_overdue", "review_overdue", "reply_overdue"
};

struct EventDraft {
  std::string type;  // "filed", "offer_made", "decided", ... (docs/events.md)
  ComplaintStatus from = ComplaintStatus::kSubmitted;
  ComplaintStatus to = ComplaintStatus::kSubmitted;
  Instant at;
  boost::json::object data;
  bool by_system = false;  // an automatic consequence, recorded with actor `system`
};

struct Transition {
  std::vector<EventDraft> events;
  std::vector<Mark> marks;
};

// May `role` ever take `action`? No: 403.
bool RoleMayTake(Role role, Action action);

// Does the complaint's state (and its guards: appeal once and in time, escalation only after a
// decision or an overdue platform) allow `action` now, whoever asks?
bool StateAllows(const Complaint& c, Action action, Instant now);

// All that the lifecycle reads of a caller to say which actions it may take: the role, and
// whether the complaint is assigned to them (an agent hands over only their own: 首问负责).
// Views of a complaint that depend on the caller only through this can be shared by every
// caller with the same viewer (http/complaint_cache.h).
struct Viewer {
  Role role = Role::kPublic;
  bool is_assignee = false;

  static Viewer Of(std::string_view assignee, const Principal& who) {
    return Viewer{who.role, !who.user_ref.empty() && who.user_ref == assignee};
  }
  static Viewer Of(const Complaint& c, const Principal& who) { return Of(c.assignee, who); }
  bool operator==(const Viewer&) const = default;
};

// The actions `who` may take on `c` now, in table order (for 409 answers and the UI).
std::vector<Action> AllowedActions(const Complaint& c, Viewer who, Instant now);
inline std::vector<Action> AllowedActions(const Complaint& c, const Principal& who, Instant now) {
  return AllowedActions(c, Viewer::Of(c, who), now);
}

// Time enters AllowedActions only through the complaint's deadlines (an action open until a
// deadline, inclusive). So for any viewer the answer at every t in [now, ActionsStableUntil(c,
// now)) is the answer at `now`: the second after the first deadline at or after `now`, or
// Instant::Max() when none is ahead.
Instant ActionsStableUntil(const Complaint& c, Instant now);

// Files a new complaint: submitted, then at once awaiting_merchant with its deadlines.
Transition FileComplaint(Complaint& c, const Actor& actor, Instant now, const DeadlineDurations& d);

// Applies an action. `punitive_if_fraud` is what a fraud decision owes on top of the refund
// (消法 55: the rules engine's PunitiveFor with the platform's policy; PunitiveDamages below
// is the statutory default).
// On success `c` is updated (status, deadlines, version) and the events are returned.
// Errors: 403 role, 409 version or state (with the allowed actions listed), 422 fields.
StatusOr<Transition> ApplyAction(Complaint& c, const Principal& who, const ActionRequest& r,
                                 Instant now, const DeadlineDurations& d, Money punitive_if_fraud);

// A deadline of `c` fell due at `due`. Returns what it does; nullopt when the deadline no longer
// applies (the state moved on), in which case the caller just drops it. Actor is `system`.
std::optional<Transition> OnDeadline(Complaint& c, DeadlineKind kind, Instant due,
                                     const DeadlineDurations& d);

// 消法 55: three times the price, at least 500 yuan.
Money PunitiveDamages(Money price);

}  // namespace tousu

#endif  // TOUSU_DOMAIN_LIFECYCLE_H_
