#include "http/views.h"

#include <boost/json.hpp>

#include "domain/codec.h"
#include "domain/lifecycle.h"
#include "evidence/media_type.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

json::value OptTime(const std::optional<Instant>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

}  // namespace

std::string Serialize(const json::object& o) { return json::serialize(o); }

json::object PlatformView(const Platform& p) {
  return {{"id", p.id}, {"name", p.name}, {"created_at", FormatRfc3339(p.created_at)}};
}

json::object MerchantView(const Merchant& m) {
  return {{"ref", m.ref},
          {"name", m.name},
          {"kyc_verified", m.kyc_verified},
          {"terms", m.terms},
          {"created_at", FormatRfc3339(m.created_at)},
          {"updated_at", FormatRfc3339(m.updated_at)}};
}

json::object UserView(const User& u) {
  json::object o{{"ref", u.ref},
                 {"role", ToString(u.role)},
                 {"name", u.name},
                 {"created_at", FormatRfc3339(u.created_at)},
                 {"updated_at", FormatRfc3339(u.updated_at)}};
  if (!u.merchant_ref.empty()) o["merchant"] = u.merchant_ref;
  return o;
}

json::object OrderView(const Order& o) {
  return {{"order_no", o.order_no},
          {"consumer", o.consumer_ref},
          {"merchant", o.merchant_ref},
          {"product_kind", ToString(o.product_kind)},
          {"title", o.title},
          {"amount_fen", o.amount.fen()},
          {"paid_at", FormatRfc3339(o.paid_at)},
          {"delivered_at", OptTime(o.delivered_at)},
          {"service_starts_at", OptTime(o.service_starts_at)},
          {"service_ends_at", OptTime(o.service_ends_at)},
          {"payment_channel", o.payment_channel},
          {"payment_ref", o.payment_ref},
          {"self_declared", o.self_declared},
          {"created_at", FormatRfc3339(o.created_at)},
          {"updated_at", FormatRfc3339(o.updated_at)}};
}

json::object IncidentView(const Incident& i) { return ToJson(i); }

namespace {

json::object ComplaintViewWith(const Complaint& c, const Principal& viewer, Instant now, json::value assessment);

}  // namespace

json::object ComplaintView(const Complaint& c, const Principal& viewer, Instant now) {
  boost::system::error_code ec;
  json::value assessment = json::parse(c.assessment_json, ec);
  if (ec) assessment = json::object();
  return ComplaintViewWith(c, viewer, now, std::move(assessment));
}

std::string ComplaintBody(const Complaint& c, const Principal& viewer, Instant now) {
  // A null placeholder, replaced by the stored text. The key sequence "assessment":null can
  // occur only as this member: inside any string value its quotes would be escaped.
  std::string body = json::serialize(ComplaintViewWith(c, viewer, now, nullptr));
  static constexpr std::string_view kPlaceholder = "\"assessment\":null";
  const size_t at = body.find(kPlaceholder);
  const bool stored_ok = !c.assessment_json.empty() && c.assessment_json.front() == '{';
  if (at != std::string::npos) {
    body.replace(at + kPlaceholder.size() - 4, 4, stored_ok ? c.assessment_json : "{}");
  }
  return body;
}

namespace {

json::object ComplaintViewWith(const Complaint& c, const Principal& viewer, Instant now, json::value assessment) {
  json::array allowed;
  for (Action a : AllowedActions(c, viewer, now)) allowed.emplace_back(ToString(a));
  json::object o{
      {"id", c.id},
      {"platform", c.platform_id},
      {"order_no", c.order_no},
      {"consumer", c.consumer_ref},
      {"merchant", c.merchant_ref},
      {"category", ToString(c.category)},
      {"category_group", ToString(GroupOf(c.category))},
      {"category_label", ChineseLabel(c.category)},
      {"incident_at", FormatRfc3339(c.incident_at)},
      {"incident_ends_at", OptTime(c.incident_ends_at)},
      {"description", c.description},
      {"demands", ToJson(c.demands)},
      {"late", c.late},
      {"status", ToString(c.status)},
      {"tier", ToString(c.tier)},
      {"assignee", c.assignee.empty() ? json::value(nullptr) : json::value(c.assignee)},
      {"deadlines", ToJson(c.deadlines)},
      {"version", c.version},
      {"created_at", FormatRfc3339(c.created_at)},
      {"updated_at", FormatRfc3339(c.updated_at)},
      {"offer", c.offer ? ToJson(*c.offer) : json::value(nullptr)},
      {"decision", c.decision ? ToJson(*c.decision) : json::value(nullptr)},
      {"remedy", json::object{{"owed", ToJson(c.owed)}, {"done", ToJson(c.done)}}},
      {"appealed", c.appealed},
      {"review_overdue", c.review_overdue},
      {"reply_overdue", c.reply_overdue},
      {"escalation", c.escalation ? json::value(ToString(*c.escalation)) : json::value(nullptr)},
      {"rating", c.rating ? ToJson(*c.rating) : json::value(nullptr)},
      {"assessment", std::move(assessment)},
      {"allowed_actions", std::move(allowed)},
  };
  // The late reason is for the consumer who wrote it and the staff who judge it.
  if (c.late && (viewer.role == Role::kConsumer || IsStaff(viewer.role))) {
    o["late_reason"] = c.late_reason;
  }
  return o;
}

}  // namespace

json::object EventView(const EventRecord& e) {
  boost::system::error_code ec;
  json::value data = json::parse(e.data_json, ec);
  json::object actor{{"kind", e.actor.kind}};
  if (!e.actor.ref.empty()) actor["ref"] = e.actor.ref;
  if (e.actor.kind == "user") actor["role"] = ToString(e.actor.role);
  return {{"seq", e.seq},
          {"type", e.type},
          {"from", ToString(e.from)},
          {"to", ToString(e.to)},
          {"actor", std::move(actor)},
          {"at", FormatRfc3339(e.at)},
          {"recorded_at", FormatRfc3339(e.recorded_at)},
          {"data", ec ? json::value(json::object()) : std::move(data)},
          {"log_index", e.log_index ? json::value(*e.log_index) : json::value(nullptr)}};
}

json::object MessageView(const MessageRecord& m) {
  return {{"id", m.id},
          {"complaint_id", m.complaint_id},
          {"author", json::object{{"ref", m.author_ref}, {"role", ToString(m.author_role)}}},
          {"text", m.text},
          {"at", FormatRfc3339(m.at)},
          {"seq", m.event_seq}};
}

json::object EvidenceView(const EvidenceRecord& r) {
  return {{"id", r.id},
          {"complaint_id", r.complaint_id},
          {"kind", ToString(r.kind)},
          {"sha256", r.sha256_hex},
          {"size", r.size},
          {"media_type", r.media_type},
          {"declared_media_type", r.declared_media_type.empty() ? json::value(nullptr)
                                                                : json::value(r.declared_media_type)},
          {"media_type_mismatch", evidence::MediaTypeMismatch(r.media_type, r.declared_media_type)},
          {"filename", r.filename},
          {"uploader", json::object{{"ref", r.uploader_ref}, {"role", ToString(r.uploader_role)}}},
          {"captured_at", OptTime(r.captured_at)},
          {"received_at", FormatRfc3339(r.received_at)},
          {"declared_order_no", r.declared_order_no.empty() ? json::value(nullptr)
                                                            : json::value(r.declared_order_no)},
          {"declared_amount_fen", r.declared_amount ? json::value(r.declared_amount->fen())
                                                    : json::value(nullptr)},
          {"log_index", r.log_index ? json::value(*r.log_index) : json::value(nullptr)},
          {"content_url", "/v1/evidence/" + r.id + "/content"},
          {"proof_url", "/v1/evidence/" + r.id + "/proof"}};
}

}  // namespace tousu::http
