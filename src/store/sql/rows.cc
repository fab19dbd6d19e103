// The complaint row mapper declared in rows.h, and the JSON column reader it needs.
#include "store/sql/rows.h"

#include <boost/json.hpp>

#include "domain/codec.h"

namespace tousu::sql::internal {

namespace json = boost::json;

namespace {

StatusOr<json::value> JsonAt(const Row& r, size_t i) {
  boost::system::error_code ec;
  json::value v = json::parse(r.Text(i), ec);
  if (ec) return Status::Corruption("stored JSON is malformed: " + ec.message());
  return v;
}

}  // namespace

StatusOr<Complaint> ComplaintFrom(const Row& r, const UnpackFn& unpack) {
  Complaint c;
  c.platform_id = r.Text(0);
  c.id = r.Text(1);
  c.order_no = r.Text(2);
  c.consumer_ref = r.Text(3);
  c.merchant_ref = r.Text(4);
  TOUSU_ASSIGN_OR_RETURN(c.category, EnumAt<Category>(r, 5, "category"));
  c.incident_at = TimeAt(r, 6);
  c.incident_ends_at = OptTimeAt(r, 7);
  c.description = r.Text(8);
  TOUSU_ASSIGN_OR_RETURN(json::value demands, JsonAt(r, 9));
  TOUSU_ASSIGN_OR_RETURN(c.demands, DemandsFromJson(demands));
  c.late_reason = r.Text(10);
  c.late = r.Bool(11);
  TOUSU_ASSIGN_OR_RETURN(c.status, EnumAt<ComplaintStatus>(r, 12, "status"));
  TOUSU_ASSIGN_OR_RETURN(c.tier, EnumAt<Tier>(r, 13, "tier"));
  c.assignee = r.Text(14);
  c.version = r.Int(15);
  c.created_at = TimeAt(r, 16);
  c.updated_at = TimeAt(r, 17);
  if (!r.IsNull(18)) {
    TOUSU_ASSIGN_OR_RETURN(json::value v, JsonAt(r, 18));
    TOUSU_ASSIGN_OR_RETURN(c.offer, OfferFromJson(v));
  }
  if (!r.IsNull(19)) {
    TOUSU_ASSIGN_OR_RETURN(json::value v, JsonAt(r, 19));
    TOUSU_ASSIGN_OR_RETURN(c.decision, DecisionFromJson(v));
  }
  TOUSU_ASSIGN_OR_RETURN(json::value owed, JsonAt(r, 20));
  TOUSU_ASSIGN_OR_RETURN(c.owed, RemedyFromJson(owed));
  TOUSU_ASSIGN_OR_RETURN(json::value done, JsonAt(r, 21));
  TOUSU_ASSIGN_OR_RETURN(c.done, RemedyFromJson(done));
  c.appealed = r.Bool(22);
  c.review_overdue = r.Bool(23);
  c.reply_overdue = r.Bool(24);
  if (!r.IsNull(25)) {
    TOUSU_ASSIGN_OR_RETURN(c.escalation, EnumAt<EscalationChannel>(r, 25, "escalation"));
  }
  if (!r.IsNull(26)) {
    TOUSU_ASSIGN_OR_RETURN(json::value v, JsonAt(r, 26));
    TOUSU_ASSIGN_OR_RETURN(c.rating, RatingFromJson(v));
  }
  if (r.IsNull(30)) {
    c.assessment_json = r.Text(27);
  } else {
    TOUSU_ASSIGN_OR_RETURN(c.assessment_json, unpack(r.Int(30), r.Text(31)));
  }
  TOUSU_ASSIGN_OR_RETURN(json::value deadlines, JsonAt(r, 28));
  TOUSU_ASSIGN_OR_RETURN(c.deadlines, DeadlinesFromJson(deadlines));
  TOUSU_ASSIGN_OR_RETURN(c.party, EnumAt<Party>(r, 29, "responsibility party"));
  return c;
}

}  // namespace tousu::sql::internal
