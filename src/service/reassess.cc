// Reassessment: the rules engine's assessment of a stored complaint, recomputed in the
// transaction of the change that altered its facts (a decision, an incident, a similar
// complaint, new evidence), and stored with a `reassessed` event when it changed.
#include <boost/json.hpp>

#include <algorithm>

#include "service/assessments.h"
#include "service/complaints.h"

namespace tousu {

namespace json = boost::json;

namespace {

// Two assessments say the same when they differ at most in when they were computed.
bool SameAssessment(const std::string& stored, json::object fresh) {
  boost::system::error_code ec;
  json::value old = json::parse(stored, ec);
  if (ec || !old.is_object()) return false;
  old.as_object().erase("assessed_at");
  fresh.erase("assessed_at");
  return old.as_object() == fresh;
}

}  // namespace

StatusOr<Assessment> ComplaintService::AssessStored(ReadTx& tx, const Policy& policy,
                                                    const Complaint& c) const {
  TOUSU_ASSIGN_OR_RETURN(auto order, tx.GetOrder(c.platform_id, c.order_no));
  if (!order) return Status::Corruption("complaint " + c.id + " names a missing order " + c.order_no);
  const FilingFacts filing{c.category, c.incident_at, c.incident_ends_at, c.demands,
                           !c.late_reason.empty(), c.created_at};
  TOUSU_ASSIGN_OR_RETURN(AssessmentFacts facts, GatherFacts(tx, policy, *order, c.id, filing, c.decision));
  return Assess(policy, facts, clock_.Now());
}

StatusOr<bool> ComplaintService::Reassess(WriteTx& tx, Complaint& c, std::string_view reason) const {
  TOUSU_ASSIGN_OR_RETURN(PolicyRef policy_ref, PolicyOf(tx, c));
  const Policy& policy = *policy_ref;
  TOUSU_ASSIGN_OR_RETURN(Assessment a, AssessStored(tx, policy, c));
  json::object fresh = AssessmentJson(a);
  if (SameAssessment(c.assessment_json, fresh)) return false;
  const Instant now = clock_.Now();
  const Complaint before = c;
  c.assessment_json = json::serialize(fresh);
  c.party = a.responsibility.party;
  ++c.version;
  c.updated_at = now;
  Transition t;
  t.events.push_back(EventDraft{"reassessed", c.status, c.status, now,
                                json::object{{"actor", json::object{{"kind", "system"}}},
                                             {"reason", reason},
                                             {"policy_version", a.policy_version},
                                             {"party", ToString(a.responsibility.party)},
                                             {"refund_fen", a.remedy.refund.fen()},
                                             {"extension_days", a.remedy.extension_days},
                                             {"punitive_fen", a.remedy.punitive.fen()}},
                                /*by_system=*/true});
  TOUSU_RETURN_IF_ERROR(Record(tx, before, c, t, Actor::System(), /*is_new=*/false));
  return true;
}

StatusOr<int> ComplaintService::OnIncident(WriteTx& tx, const Incident& incident) const {
  TouchingQuery q;
  q.from = incident.starts_at;
  q.to = incident.ends_at;
  q.earliest_incident_at = incident.starts_at - kMaxComplaintWindow;
  q.merchant_ref = incident.merchant_ref;
  int changed = 0;
  for (;;) {
    TOUSU_ASSIGN_OR_RETURN(std::vector<Complaint> page, tx.ListOpenComplaintsTouching(incident.platform_id, q));
    for (Complaint& c : page) {
      TOUSU_ASSIGN_OR_RETURN(bool did, Reassess(tx, c, "incident " + incident.id));
      changed += did ? 1 : 0;
    }
    if (static_cast<int>(page.size()) < q.limit) return changed;
    q.after_id = page.back().id;
  }
}

Status ComplaintService::RefreshSimilar(WriteTx& tx, const Policy& policy, const Complaint& c) const {
  const auto& cats = policy.responsibility.interruption_categories;
  if (std::find(cats.begin(), cats.end(), c.category) == cats.end()) return Status::Ok();
  const Duration w = policy.responsibility.similar_window;
  SimilarQuery q{c.category, "", c.incident_at - w, c.incident_at + w, c.id, kMaxSimilarRefreshed};
  q.only_undetermined_open = true;
  TOUSU_ASSIGN_OR_RETURN(auto similar, tx.ListSimilarComplaints(c.platform_id, q));
  for (const SimilarComplaint& s : similar) {
    // Only an undetermined party can change with the count; the index answers both tests, so
    // in a complaint storm (all presumed platform fault after the fifth) nothing more is read.
    if (!IsOpen(s.status) || s.party != Party::kUndetermined) continue;
    TOUSU_ASSIGN_OR_RETURN(auto other, tx.GetComplaint(c.platform_id, s.id));
    if (!other) continue;
    TOUSU_RETURN_IF_ERROR(Reassess(tx, *other, "similar complaint " + c.id).status());
  }
  return Status::Ok();
}

}  // namespace tousu
