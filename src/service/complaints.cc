#include "service/complaints.h"

#include <boost/json.hpp>

#include <algorithm>

#include "domain/access.h"
#include "rules/engine.h"
#include "service/transparency_log.h"
#include "service/assessments.h"

namespace tousu {

namespace json = boost::json;

namespace {

constexpr size_t kMaxDescription = 20000;  // bytes: 5000 Chinese characters
constexpr size_t kMaxMessage = 20000;
constexpr Duration kClockSkew = minutes(5);

Status NotFound(std::string_view id) {
  return Status::NotFound("no complaint " + std::string(id));
}

// The outbox's copy of an event; `data` is what e.data_json holds.
json::object EventPayload(const EventRecord& e, const json::value& data) {
  return json::object{{"platform", e.platform_id}, {"complaint", e.complaint_id},
                      {"seq", e.seq},             {"type", e.type},
                      {"from", ToString(e.from)}, {"to", ToString(e.to)},
                      {"at", FormatRfc3339(e.at)}, {"data", data},
                      {"log_index", e.log_index ? json::value(*e.log_index) : json::value()}};
}

// "8 d 3 h 20 min 5 s", leaving out leading zero units.
std::string EnglishDuration(Duration d) {
  const int64_t s = d.count();
  std::string out;
  auto add = [&](int64_t v, const char* unit) {
    if (v == 0 && out.empty()) return;
    out += (out.empty() ? "" : " ") + std::to_string(v) + " " + unit;
  };
  add(s / 86400, "d");
  add(s % 86400 / 3600, "h");
  add(s % 3600 / 60, "min");
  add(s % 60, "s");
  return out.empty() ? "0 s" : out;
}

// 422 for a filing outside a window without late_reason, naming each rule and how late it is.
Status LateReasonRequired(const FilingAssessment& filing, Duration since_incident,
                          std::optional<Duration> since_delivery) {
  std::string what, rules;
  for (const auto& r : filing.rules) {
    rules += (rules.empty() ? "" : ", ") + r;
    if (!what.empty()) what += " and ";
    if (r == "filing.delivered_goods_24h" && since_delivery) {
      what += EnglishDuration(*since_delivery) + " after delivery";
    } else {
      what += EnglishDuration(since_incident) + " after the incident";
    }
  }
  return Status::BadField("late_reason", "complaint filed " + what + ": late_reason is required (rule " +
                                             rules + "). " + filing.explanation)
      .WithList("rules", filing.rules);
}

}  // namespace

StatusOr<std::string> ComplaintService::PickAssignee(WriteTx& tx, const std::string& platform,
                                                     Tier tier) const {
  // 首问负责: the least-loaded agent; the risk queue (risk, urgent) goes to the risk team first.
  const std::vector<Role> order = tier == Tier::kNormal
                                      ? std::vector<Role>{Role::kAgent, Role::kRisk, Role::kArbitrator}
                                      : std::vector<Role>{Role::kRisk, Role::kAgent, Role::kArbitrator};
  for (Role r : order) {
    TOUSU_ASSIGN_OR_RETURN(auto ref, tx.LeastLoadedStaff(platform, r));
    if (ref) return *ref;
  }
  return std::string();
}

Status ComplaintService::Record(WriteTx& tx, const Complaint& before, Complaint& after,
                                const Transition& t, const Actor& actor, bool is_new) const {
  const Instant now = clock_.Now();
  if (is_new) {
    TOUSU_RETURN_IF_ERROR(tx.InsertComplaint(after));
  } else {
    TOUSU_RETURN_IF_ERROR(tx.UpdateComplaint(after, before));
  }
  for (const EventDraft& d : t.events) {
    EventRecord e;
    e.platform_id = after.platform_id;
    e.complaint_id = after.id;
    e.type = d.type;
    e.actor = d.by_system ? Actor::System() : actor;
    e.from = d.from;
    e.to = d.to;
    e.at = d.at;
    e.recorded_at = now;
    e.data_json = json::serialize(d.data);
    const json::value data(d.data);
    TOUSU_RETURN_IF_ERROR(InsertLoggedEvent(tx, &e, data));
    TOUSU_RETURN_IF_ERROR(
        tx.InsertOutbox(after.platform_id, "complaint.event", json::serialize(EventPayload(e, data)), now));
  }
  for (const Mark& m : t.marks) {
    TOUSU_RETURN_IF_ERROR(tx.InsertMark(MarkRecord{after.platform_id, m.subject, after.merchant_ref,
                                                   after.id, m.kind,
                                                   t.events.empty() ? now : t.events.back().at}));
  }
  // Open load follows the assignee: +1 while open, moved on reassignment.
  const bool was_open = !is_new && IsOpen(before.status);
  const bool is_open = IsOpen(after.status);
  if (before.assignee != after.assignee || is_new) {
    if (was_open) TOUSU_RETURN_IF_ERROR(tx.AdjustStaffLoad(after.platform_id, before.assignee, -1));
    if (is_open) TOUSU_RETURN_IF_ERROR(tx.AdjustStaffLoad(after.platform_id, after.assignee, +1));
  } else if (was_open != is_open) {
    TOUSU_RETURN_IF_ERROR(tx.AdjustStaffLoad(after.platform_id, after.assignee, is_open ? +1 : -1));
  }
  return Status::Ok();
}

StatusOr<Complaint> ComplaintService::File(WriteTx& tx, const Principal& who,
                                           const FileCommand& cmd) const {
  const Instant now = clock_.Now();
  TOUSU_ASSIGN_OR_RETURN(auto order, tx.GetOrder(who.platform_id, cmd.order_no));
  if (!order || order->consumer_ref != who.user_ref) {
    return Status::BadField("order_no", "no order " + cmd.order_no + " of yours on this platform");
  }
  if (cmd.incident_at > now + kClockSkew) return Status::BadField("incident_at", "is in the future");
  if (cmd.incident_ends_at && *cmd.incident_ends_at < cmd.incident_at) {
    return Status::BadField("incident_ends_at", "must not be before incident_at");
  }
  if (cmd.incident_ends_at && *cmd.incident_ends_at > now + kClockSkew) {
    return Status::BadField("incident_ends_at", "is in the future; leave it out while the problem goes on");
  }
  if (cmd.incident_ends_at && *cmd.incident_ends_at - cmd.incident_at > kMaxComplaintWindow) {
    return Status::BadField("incident_ends_at",
                            "is more than 366 days after incident_at; file one complaint per period");
  }
  if (cmd.description.empty()) return Status::BadField("description", "is required");
  if (cmd.description.size() > kMaxDescription) {
    return Status::BadField("description", "is longer than 5000 characters");
  }
  if (cmd.demands.empty()) {
    return Status::BadField("demands", "name at least one demand (refund, extend, restore, replace, punitive)");
  }
  if (cmd.late_reason.size() > kMaxDescription) {
    return Status::BadField("late_reason", "is longer than 5000 characters");
  }
  TOUSU_ASSIGN_OR_RETURN(auto open, tx.FindOpenComplaint(who.platform_id, cmd.order_no, cmd.category));
  if (open) {
    return Status::Conflict("complaint " + *open + " about this order and category is still open; "
                            "add messages or evidence to it instead")
        .WithList("existing", {*open});
  }
  TOUSU_ASSIGN_OR_RETURN(PolicyRef policy_ref, PolicyFor(tx, who.platform_id));
  const Policy& policy = *policy_ref;

  const FilingFacts filing{cmd.category, cmd.incident_at, cmd.incident_ends_at, cmd.demands,
                           !cmd.late_reason.empty(), now};
  TOUSU_ASSIGN_OR_RETURN(AssessmentFacts facts, GatherFacts(tx, policy, *order, "", filing, std::nullopt));
  const Assessment assessment = Assess(policy, facts, now);
  if (assessment.filing.late_reason_required && cmd.late_reason.empty()) {
    return LateReasonRequired(assessment.filing, now - cmd.incident_at,
                              order->delivered_at ? std::optional<Duration>(now - *order->delivered_at) : std::nullopt);
  }

  Complaint c;
  c.platform_id = who.platform_id;
  c.id = ids_.Next("cmp");
  c.order_no = cmd.order_no;
  c.consumer_ref = who.user_ref;
  c.merchant_ref = order->merchant_ref;
  c.category = cmd.category;
  c.incident_at = cmd.incident_at;
  c.incident_ends_at = cmd.incident_ends_at;
  c.description = cmd.description;
  c.demands = cmd.demands;
  c.late = assessment.filing.late;
  c.late_reason = c.late ? cmd.late_reason : "";
  c.tier = assessment.routing.tier;
  TOUSU_ASSIGN_OR_RETURN(c.assignee, PickAssignee(tx, c.platform_id, c.tier));
  c.assessment_json = AssessmentText(assessment);
  c.party = assessment.responsibility.party;

  const Complaint before = c;
  Transition t = FileComplaint(c, Actor::Of(who), now, policy.deadlines);
  TOUSU_RETURN_IF_ERROR(Record(tx, before, c, t, Actor::Of(who), /*is_new=*/true));
  TOUSU_RETURN_IF_ERROR(RefreshSimilar(tx, policy, c));
  return c;
}

StatusOr<Complaint> ComplaintService::Act(WriteTx& tx, const Principal& who, std::string_view id,
                                          const ActionRequest& r) const {
  TOUSU_ASSIGN_OR_RETURN(auto found, tx.GetComplaint(who.platform_id, id));
  if (!found || !CanSee(who, *found)) return NotFound(id);
  Complaint c = *found;
  TOUSU_ASSIGN_OR_RETURN(PolicyRef policy_ref, PolicyOf(tx, c));
  const Policy& policy = *policy_ref;
  Money punitive;
  if (r.action == Action::kDecide) {
    TOUSU_ASSIGN_OR_RETURN(auto order, tx.GetOrder(c.platform_id, c.order_no));
    if (order) punitive = PunitiveFor(policy, order->amount);
  }
  if (r.action == Action::kReassign && !r.assignee.empty()) {
    TOUSU_ASSIGN_OR_RETURN(auto staff, tx.GetUser(c.platform_id, r.assignee));
    if (!staff || !IsStaff(staff->role)) {
      return Status::BadField("assignee", "no agent, risk or arbitrator " + r.assignee + " on this platform");
    }
  }
  TOUSU_ASSIGN_OR_RETURN(Transition t, ApplyAction(c, who, r, clock_.Now(), policy.deadlines, punitive));
  if (r.action == Action::kDecide) {
    // A decision is a fact: the assessment shows the decided party and any punitive damages.
    TOUSU_ASSIGN_OR_RETURN(Assessment a, AssessStored(tx, policy, c));
    c.assessment_json = AssessmentText(a);
    c.party = a.responsibility.party;
  }
  TOUSU_RETURN_IF_ERROR(Record(tx, *found, c, t, Actor::Of(who), /*is_new=*/false));
  return c;
}

StatusOr<MessageRecord> ComplaintService::PostMessage(WriteTx& tx, const Principal& who,
                                                      std::string_view id, std::string text) const {
  TOUSU_ASSIGN_OR_RETURN(auto c, tx.GetComplaint(who.platform_id, id));
  if (!c || !CanSee(who, *c)) return NotFound(id);
  if (text.empty()) return Status::BadField("text", "is required");
  if (text.size() > kMaxMessage) return Status::BadField("text", "is longer than 5000 characters");
  if (c->status == ComplaintStatus::kClosed || c->status == ComplaintStatus::kWithdrawn) {
    return Status::Conflict("the complaint is " + std::string(ToString(c->status)) +
                            "; messages can no longer be added")
        .WithList("allowed_actions", {});
  }
  const Instant now = clock_.Now();
  MessageRecord m{c->platform_id, c->id, ids_.Next("msg"), who.user_ref, who.role, std::move(text), now, 0};
  EventRecord e;
  e.platform_id = c->platform_id;
  e.complaint_id = c->id;
  e.type = "message";
  e.actor = Actor::Of(who);
  e.from = e.to = c->status;
  e.at = e.recorded_at = now;
  const json::value data(json::object{{"message_id", m.id}, {"text", m.text}});
  e.data_json = json::serialize(data);
  TOUSU_RETURN_IF_ERROR(InsertLoggedEvent(tx, &e, data));
  m.event_seq = e.seq;
  TOUSU_RETURN_IF_ERROR(tx.InsertMessage(m));
  TOUSU_RETURN_IF_ERROR(
      tx.InsertOutbox(c->platform_id, "complaint.event", json::serialize(EventPayload(e, data)), now));
  return m;
}

StatusOr<Complaint> ComplaintService::Get(ReadTx& tx, const Principal& who, std::string_view id) const {
  TOUSU_ASSIGN_OR_RETURN(auto c, tx.GetComplaint(who.platform_id, id));
  if (!c || !CanSee(who, *c)) return NotFound(id);
  return *c;
}

StatusOr<ComplaintPage> ComplaintService::List(ReadTx& tx, const Principal& who,
                                               ComplaintFilter f) const {
  // Ownership narrows the filter; it never widens it.
  if (who.role == Role::kConsumer) f.consumer_ref = who.user_ref;
  if (who.role == Role::kMerchant) f.merchant_ref = who.merchant_ref;
  const int limit = f.limit;
  f.limit = limit + 1;
  TOUSU_ASSIGN_OR_RETURN(auto items, tx.ListComplaints(who.platform_id, f));
  ComplaintPage page;
  if (static_cast<int>(items.size()) > limit) {
    items.resize(limit);
    page.next_cursor = items.back().id;
  }
  for (auto& c : items) {
    if (CanSee(who, c)) page.items.push_back(std::move(c));
  }
  return page;
}

StatusOr<std::vector<EventRecord>> ComplaintService::Timeline(ReadTx& tx, const Principal& who,
                                                              std::string_view id) const {
  TOUSU_RETURN_IF_ERROR(Get(tx, who, id).status());
  return tx.ListEvents(who.platform_id, id);
}

StatusOr<std::vector<MessageRecord>> ComplaintService::Messages(ReadTx& tx, const Principal& who,
                                                                std::string_view id) const {
  TOUSU_RETURN_IF_ERROR(Get(tx, who, id).status());
  return tx.ListMessages(who.platform_id, id);
}

StatusOr<bool> ComplaintService::HandleDeadline(WriteTx& tx, const DueDeadline& d) const {
  TOUSU_ASSIGN_OR_RETURN(auto found, tx.GetComplaint(d.platform_id, d.complaint_id));
  if (!found) {
    TOUSU_RETURN_IF_ERROR(tx.DeleteDeadline(d));
    return false;
  }
  auto it = found->deadlines.find(d.kind);
  if (it == found->deadlines.end() || it->second != d.due_at) {
    // Already handled or moved by a concurrent sweep; the index row is stale.
    TOUSU_RETURN_IF_ERROR(tx.DeleteDeadline(d));
    return false;
  }
  TOUSU_ASSIGN_OR_RETURN(PolicyRef policy_ref, PolicyOf(tx, *found));
  const Policy& policy = *policy_ref;
  Complaint c = *found;
  std::optional<Transition> t = OnDeadline(c, d.kind, d.due_at, policy.deadlines);
  if (!t) {
    // The deadline no longer applies in this state: drop it, changing nothing else.
    Complaint cleaned = *found;
    cleaned.deadlines.erase(d.kind);
    TOUSU_RETURN_IF_ERROR(tx.UpdateComplaint(cleaned, *found));
    return false;
  }
  TOUSU_RETURN_IF_ERROR(Record(tx, *found, c, *t, Actor::System(), /*is_new=*/false));
  return true;
}

}  // namespace tousu
