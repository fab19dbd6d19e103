#include "domain/lifecycle.h"

#include <algorithm>

namespace tousu {

namespace {

using S = ComplaintStatus;

constexpr int kMaxTextLength = 5000;
constexpr int kMaxExtensionDays = 3650;

boost::json::object ActorJson(const Actor& a) {
  boost::json::object o{{"kind", a.kind}};
  if (!a.ref.empty()) o["ref"] = a.ref;
  if (a.kind == "user") o["role"] = ToString(a.role);
  return o;
}

// Builds transitions step by step: each Move records an event and changes the status.
class Steps {
 public:
  Steps(Complaint& c, Instant at) : c_(c), at_(at) {}

  void Move(std::string type, S to, boost::json::object data = {}, bool by_system = false) {
    t_.events.push_back(EventDraft{std::move(type), c_.status, to, at_, std::move(data), by_system});
    c_.status = to;
  }
  void Note(std::string type, boost::json::object data = {}) { Move(std::move(type), c_.status, std::move(data)); }
  void MarkMerchant(std::string kind) { t_.marks.push_back({Mark::Subject::kMerchant, std::move(kind)}); }
  void MarkPlatform(std::string kind) { t_.marks.push_back({Mark::Subject::kPlatform, std::move(kind)}); }
  void Set(DeadlineKind k, Instant when) { c_.deadlines[k] = when; }
  void Clear(DeadlineKind k) { c_.deadlines.erase(k); }
  void ClearAll() { c_.deadlines.clear(); }
  Transition Done() {
    ++c_.version;
    c_.updated_at = at_;
    return std::move(t_);
  }

 private:
  Complaint& c_;
  Instant at_;
  Transition t_;
};

bool HasDecision(const Complaint& c) { return c.decision.has_value(); }

bool EscalationOpen(const Complaint& c) {
  return HasDecision(c) || c.review_overdue || c.reply_overdue;
}

bool AppealOpen(const Complaint& c, Instant now) {
  if (!HasDecision(c) || c.appealed) return false;
  auto it = c.deadlines.find(DeadlineKind::kAppeal);
  return it != c.deadlines.end() && now <= it->second;
}

Remedy Outstanding(const Complaint& c) {
  Remedy r;
  r.refund = c.owed.refund + c.owed.punitive > c.done.refund
                 ? c.owed.refund + c.owed.punitive - c.done.refund
                 : Money();
  r.extension_days = std::max(0, c.owed.extension_days - c.done.extension_days);
  r.replace = c.owed.replace && !c.done.replace;
  r.restore = c.owed.restore && !c.done.restore;
  return r;
}

boost::json::object RemedyJson(const Remedy& r) {
  boost::json::object o{{"refund_fen", r.refund.fen()}, {"extension_days", r.extension_days}};
  if (r.punitive.fen() != 0) o["punitive_fen"] = r.punitive.fen();
  if (r.replace) o["replace"] = true;
  if (r.restore) o["restore"] = true;
  return o;
}

// After a decision, an accepted offer or a payment: remedy_due, or resolved if nothing is owed.
void SettleOrAwaitPayment(Steps& s, Complaint& c, Instant now, const DeadlineDurations& d) {
  if (Outstanding(c).Empty()) {
    s.Move("resolved", S::kResolved);
    s.Clear(DeadlineKind::kRemedy);
    Instant close_at = now + d.rating;
    auto appeal = c.deadlines.find(DeadlineKind::kAppeal);
    if (appeal != c.deadlines.end() && appeal->second > close_at) close_at = appeal->second;
    s.Set(DeadlineKind::kRating, close_at);
  } else {
    s.Move("remedy_due", S::kRemedyDue, {{"outstanding", RemedyJson(Outstanding(c))}});
    s.Set(DeadlineKind::kRemedy, now + d.remedy);
  }
}

void EnterReview(Steps& s, Complaint& c, std::string type, Instant from, const DeadlineDurations& d,
                 boost::json::object data) {
  c.review_overdue = false;
  s.Move(std::move(type), S::kPlatformReview, std::move(data));
  s.Set(DeadlineKind::kReview, from + d.ReviewFor(c.tier));
}

Status NeedText(std::string_view field, const std::string& text) {
  if (text.empty()) return Status::BadField(std::string(field), "is required");
  if (text.size() > kMaxTextLength * 4) {
    return Status::BadField(std::string(field), "is longer than 5000 characters");
  }
  return Status::Ok();
}

Status CheckDays(int days) {
  if (days < 0 || days > kMaxExtensionDays) {
    return Status::BadField("extension_days", "must be between 0 and 3650");
  }
  return Status::Ok();
}

Status CheckRefund(std::string_view field, Money m) {
  if (m.fen() < 0) return Status::BadField(std::string(field), "must not be negative");
  return Status::Ok();
}

}  // namespace

Duration DeadlineDurations::ReviewFor(Tier tier) const {
  switch (tier) {
    case Tier::kNormal: return review_normal;
    case Tier::kRisk: return review_risk;
    case Tier::kUrgent: return review_urgent;
  }
  return review_normal;
}

Money PunitiveDamages(Money price) {
  const Money three = price * 3;
  const Money floor = Money::Yuan(500);
  return three > floor ? three : floor;
}

bool RoleMayTake(Role role, Action a) {
  switch (a) {
    case Action::kOffer:
    case Action::kReject:
      return role == Role::kMerchant;
    case Action::kAcceptOffer:
    case Action::kRejectOffer:
    case Action::kAppeal:
    case Action::kEscalate:
    case Action::kWithdraw:
    case Action::kRate:
      return role == Role::kConsumer;
    case Action::kDecide:
      return role == Role::kArbitrator || role == Role::kRisk;
    case Action::kPay:
      return role == Role::kMerchant || role == Role::kPlatform;
    case Action::kReassign:
    case Action::kRequestEvidence:
      return IsStaff(role);
  }
  return false;
}

bool StateAllows(const Complaint& c, Action a, Instant now) {
  const S s = c.status;
  switch (a) {
    case Action::kOffer:
    case Action::kReject:
      return s == S::kAwaitingMerchant;
    case Action::kAcceptOffer:
    case Action::kRejectOffer:
      return s == S::kOfferMade;
    case Action::kDecide:
      return s == S::kPlatformReview;
    case Action::kPay:
      return s == S::kRemedyDue;
    case Action::kAppeal:
      return (s == S::kDecided || s == S::kRemedyDue || s == S::kResolved) && AppealOpen(c, now);
    case Action::kEscalate:
      return !IsFinal(s) && s != S::kSubmitted && EscalationOpen(c) &&
             (s != S::kResolved || HasDecision(c));
    case Action::kWithdraw:
      return IsOpen(s);
    case Action::kRate:
      return s == S::kResolved;
    case Action::kReassign:
      return !IsFinal(s);
    case Action::kRequestEvidence:
      return IsOpen(s);
  }
  return false;
}

namespace {

// Ownership guards beyond the role table (403 when they fail).
Status OwnerGuard(const Complaint& c, Viewer who, Action a) {
  if (a == Action::kDecide && who.role == Role::kRisk && c.tier == Tier::kNormal) {
    return Status::PermissionDenied(
        "the risk team decides only complaints in the risk queue (tier risk or urgent); "
        "this one is tier normal and goes to an arbitrator");
  }
  if (a == Action::kReassign && who.role == Role::kAgent && !who.is_assignee) {
    return Status::PermissionDenied(
        "an agent may hand over only complaints assigned to them (首问负责)");
  }
  return Status::Ok();
}

}  // namespace

std::vector<Action> AllowedActions(const Complaint& c, Viewer who, Instant now) {
  std::vector<Action> out;
  for (Action a : AllOf<Action>()) {
    if (RoleMayTake(who.role, a) && StateAllows(c, a, now) && OwnerGuard(c, who, a).ok()) {
      out.push_back(a);
    }
  }
  return out;
}

Instant ActionsStableUntil(const Complaint& c, Instant now) {
  Instant until = Instant::Max();
  for (const auto& [kind, due] : c.deadlines) {
    if (due >= now && due + seconds(1) < until) until = due + seconds(1);
  }
  return until;
}

Transition FileComplaint(Complaint& c, const Actor& actor, Instant now,
                         const DeadlineDurations& d) {
  c.status = S::kSubmitted;
  c.created_at = now;
  c.version = 0;
  Steps s(c, now);
  boost::json::object filed{{"actor", ActorJson(actor)},
                            {"category", ToString(c.category)},
                            {"tier", ToString(c.tier)}};
  if (c.late) filed["late"] = true;
  if (!c.assignee.empty()) filed["assignee"] = c.assignee;
  // Filing is the transition into `submitted`: an event with no prior state of its own.
  s.Move("filed", S::kSubmitted, std::move(filed));
  s.Move("sent_to_merchant", S::kAwaitingMerchant, {{"merchant", c.merchant_ref}}, /*by_system=*/true);
  s.Set(DeadlineKind::kMerchantResponse, now + d.merchant_response);
  s.Set(DeadlineKind::kPlatformReply, now + d.platform_reply);
  return s.Done();
}

StatusOr<Transition> ApplyAction(Complaint& c, const Principal& who, const ActionRequest& r,
                                 Instant now, const DeadlineDurations& d, Money punitive_if_fraud) {
  const Actor actor = Actor::Of(who);
  if (!RoleMayTake(who.role, r.action)) {
    return Status::PermissionDenied("a " + std::string(ToString(who.role)) + " may not " +
                                    std::string(ToString(r.action)));
  }
  if (r.if_version && *r.if_version != c.version) {
    return Status::Conflict("stale if_version " + std::to_string(*r.if_version) +
                            ": the complaint is at version " + std::to_string(c.version) +
                            "; reload it and decide again")
        .WithList("current_version", {std::to_string(c.version)});
  }
  if (!StateAllows(c, r.action, now)) {
    std::vector<std::string> allowed;
    for (Action a : AllowedActions(c, who, now)) allowed.emplace_back(ToString(a));
    std::string msg = "action " + std::string(ToString(r.action)) + " is not allowed while the complaint is " +
                      std::string(ToString(c.status));
    if (r.action == Action::kAppeal && c.appealed) msg += " (it was appealed once already)";
    else if (r.action == Action::kAppeal && HasDecision(c)) msg += " (the appeal window has closed)";
    else if (r.action == Action::kEscalate && !EscalationOpen(c))
      msg += " (escalation opens after a decision or when the platform misses its deadline)";
    return Status::Conflict(msg).WithList("allowed_actions", std::move(allowed));
  }
  TOUSU_RETURN_IF_ERROR(OwnerGuard(c, Viewer::Of(c, who), r.action));

  Steps s(c, now);
  const boost::json::object by = ActorJson(actor);
  switch (r.action) {
    case Action::kOffer: {
      TOUSU_RETURN_IF_ERROR(CheckRefund("refund_fen", r.refund));
      TOUSU_RETURN_IF_ERROR(CheckDays(r.extension_days));
      TOUSU_RETURN_IF_ERROR(NeedText("message", r.message));
      if (r.refund.fen() == 0 && r.extension_days == 0 && !r.replace && !r.restore) {
        return Status::BadField("refund_fen",
                                "an offer needs at least one of refund_fen, extension_days, "
                                "replace or restore");
      }
      c.offer = Offer{r.refund, r.extension_days, r.replace, r.restore, r.message, now};
      Remedy offered{r.refund, Money(), r.extension_days, r.replace, r.restore};
      s.Move("offer_made", S::kOfferMade,
             {{"actor", by}, {"offer", RemedyJson(offered)}, {"message", r.message}});
      s.Clear(DeadlineKind::kMerchantResponse);
      s.Set(DeadlineKind::kOfferAnswer, now + d.offer_answer);
      break;
    }
    case Action::kReject:
      TOUSU_RETURN_IF_ERROR(NeedText("reason", r.reason));
      s.Clear(DeadlineKind::kMerchantResponse);
      EnterReview(s, c, "merchant_rejected", now, d, {{"actor", by}, {"reason", r.reason}});
      break;
    case Action::kAcceptOffer: {
      const Offer& o = *c.offer;
      c.owed = Remedy{o.refund, Money(), o.extension_days, o.replace, o.restore};
      s.Note("offer_accepted", {{"actor", by}, {"owed", RemedyJson(c.owed)}});
      s.Clear(DeadlineKind::kOfferAnswer);
      s.Clear(DeadlineKind::kPlatformReply);
      SettleOrAwaitPayment(s, c, now, d);
      break;
    }
    case Action::kRejectOffer:
      TOUSU_RETURN_IF_ERROR(NeedText("reason", r.reason));
      s.Clear(DeadlineKind::kOfferAnswer);
      EnterReview(s, c, "offer_rejected", now, d, {{"actor", by}, {"reason", r.reason}});
      break;
    case Action::kDecide: {
      TOUSU_RETURN_IF_ERROR(CheckRefund("refund_fen", r.refund));
      TOUSU_RETURN_IF_ERROR(CheckDays(r.extension_days));
      TOUSU_RETURN_IF_ERROR(NeedText("reason", r.reason));
      if (r.responsibility == Party::kUndetermined) {
        return Status::BadField("responsibility",
                                "a decision must name a party: platform, merchant, third_party, "
                                "consumer or none");
      }
      Decision dec{r.responsibility, r.refund, r.extension_days, r.fraud,
                   r.fraud ? punitive_if_fraud : Money(), r.reason, who.user_ref, now};
      c.decision = dec;
      c.owed = Remedy{dec.refund, dec.punitive, dec.extension_days, false, false};
      boost::json::object data{{"actor", by},
                               {"responsibility", ToString(dec.responsibility)},
                               {"refund_fen", dec.refund.fen()},
                               {"extension_days", dec.extension_days},
                               {"fraud", dec.fraud},
                               {"reason", dec.reason}};
      if (dec.fraud) data["punitive_fen"] = dec.punitive.fen();
      s.Move("decided", S::kDecided, std::move(data));
      s.Clear(DeadlineKind::kReview);
      s.Clear(DeadlineKind::kPlatformReply);
      s.Set(DeadlineKind::kAppeal, now + d.appeal);
      SettleOrAwaitPayment(s, c, now, d);
      break;
    }
    case Action::kPay: {
      TOUSU_RETURN_IF_ERROR(CheckRefund("amount_fen", r.amount));
      TOUSU_RETURN_IF_ERROR(CheckDays(r.extension_days));
      const Remedy left = Outstanding(c);
      if (r.amount.fen() == 0 && r.extension_days == 0 && !r.replace && !r.restore) {
        return Status::BadField("amount_fen",
                                "a payment needs amount_fen, extension_days, replace or restore");
      }
      if (r.amount > left.refund) {
        return Status::BadField("amount_fen", "exceeds what is still owed (" +
                                                  std::to_string(left.refund.fen()) + " fen)");
      }
      if (r.extension_days > left.extension_days) {
        return Status::BadField("extension_days", "exceeds the extension still owed (" +
                                                      std::to_string(left.extension_days) + " days)");
      }
      if (r.replace && !left.replace) return Status::BadField("replace", "no replacement is owed");
      if (r.restore && !left.restore) return Status::BadField("restore", "no restoration is owed");
      c.done.refund += r.amount;
      c.done.extension_days += r.extension_days;
      c.done.replace = c.done.replace || r.replace;
      c.done.restore = c.done.restore || r.restore;
      Remedy paid{r.amount, Money(), r.extension_days, r.replace, r.restore};
      s.Note("payment", {{"actor", by}, {"paid", RemedyJson(paid)},
                         {"outstanding", RemedyJson(Outstanding(c))}});
      if (Outstanding(c).Empty()) SettleOrAwaitPayment(s, c, now, d);
      break;
    }
    case Action::kAppeal:
      TOUSU_RETURN_IF_ERROR(NeedText("reason", r.reason));
      c.appealed = true;
      s.Clear(DeadlineKind::kAppeal);
      s.Clear(DeadlineKind::kRemedy);
      s.Clear(DeadlineKind::kRating);
      EnterReview(s, c, "appealed", now, d, {{"actor", by}, {"reason", r.reason}});
      break;
    case Action::kEscalate:
      c.escalation = r.channel;
      s.ClearAll();
      s.Move("escalated", S::kEscalatedExternal, {{"actor", by}, {"channel", ToString(r.channel)}});
      break;
    case Action::kWithdraw:
      s.ClearAll();
      s.Move("withdrawn", S::kWithdrawn, {{"actor", by}});
      break;
    case Action::kRate: {
      if (r.stars < 1 || r.stars > 5) return Status::BadField("stars", "must be 1 to 5");
      if (r.comment.size() > kMaxTextLength * 4) {
        return Status::BadField("comment", "is longer than 5000 characters");
      }
      c.rating = Rating{r.stars, r.comment, now};
      s.ClearAll();
      boost::json::object data{{"actor", by}, {"stars", r.stars}};
      if (!r.comment.empty()) data["comment"] = r.comment;
      s.Move("rated", S::kClosed, std::move(data));
      break;
    }
    case Action::kReassign: {
      if (r.assignee.empty()) return Status::BadField("assignee", "is required");
      TOUSU_RETURN_IF_ERROR(NeedText("reason", r.reason));
      if (r.assignee == c.assignee) {
        return Status::BadField("assignee", "is already the assignee");
      }
      boost::json::object data{{"actor", by}, {"from", c.assignee}, {"to", r.assignee},
                               {"reason", r.reason}};
      c.assignee = r.assignee;
      s.Note("reassigned", std::move(data));
      break;
    }
    case Action::kRequestEvidence: {
      if (r.evidence_from != "consumer" && r.evidence_from != "merchant") {
        return Status::BadField("from", "must be consumer or merchant");
      }
      TOUSU_RETURN_IF_ERROR(NeedText("message", r.message));
      boost::json::array kinds;
      for (const auto& k : r.evidence_kinds) kinds.emplace_back(k);
      s.Note("evidence_requested",
             {{"actor", by}, {"from", r.evidence_from}, {"kinds", std::move(kinds)},
              {"message", r.message}});
      break;
    }
  }
  return s.Done();
}

std::optional<Transition> OnDeadline(Complaint& c, DeadlineKind kind, Instant due,
                                     const DeadlineDurations& d) {
  auto it = c.deadlines.find(kind);
  if (it == c.deadlines.end() || it->second != due) return std::nullopt;
  Steps s(c, due);
  const boost::json::object data{{"actor", boost::json::object{{"kind", "system"}}},
                                 {"deadline", ToString(kind)},
                                 {"due_at", FormatRfc3339(due)}};
  s.Clear(kind);
  switch (kind) {
    case DeadlineKind::kMerchantResponse:
      if (c.status != S::kAwaitingMerchant) return std::nullopt;
      s.MarkMerchant("missed_response");
      EnterReview(s, c, "merchant_deadline_missed", due, d, data);
      break;
    case DeadlineKind::kOfferAnswer:
      if (c.status != S::kOfferMade) return std::nullopt;
      EnterReview(s, c, "offer_expired", due, d, data);
      break;
    case DeadlineKind::kReview:
      if (c.status != S::kPlatformReview) return std::nullopt;
      c.review_overdue = true;
      s.MarkPlatform("review_overdue");
      s.Note("review_overdue", data);
      break;
    case DeadlineKind::kPlatformReply:
      if (!IsOpen(c.status)) return std::nullopt;
      c.reply_overdue = true;
      s.MarkPlatform("reply_overdue");
      s.Note("reply_overdue", data);
      break;
    case DeadlineKind::kRemedy:
      if (c.status != S::kRemedyDue) return std::nullopt;
      // 先行赔付 (advance payment from the deposit) acts here once the ledger exists.
      s.MarkMerchant("remedy_overdue");
      s.Note("remedy_overdue", data);
      break;
    case DeadlineKind::kAppeal:
      s.Note("appeal_window_closed", data);
      break;
    case DeadlineKind::kRating:
      if (c.status != S::kResolved) return std::nullopt;
      s.ClearAll();
      s.Move("closed", S::kClosed, data);
      break;
  }
  return s.Done();
}

}  // namespace tousu
