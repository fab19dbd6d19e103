#include "http/views.h"

#include <boost/json.hpp>

#include "domain/codec.h"
#include "domain/lifecycle.h"
#include "evidence/canonical_json.h"
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

// The complaint's fields, written once for two writers: ObjectWriter builds a json::object (the
// list), TextWriter writes the response text straight away (a single complaint: the read path
// and the answer to a filing), with the stored assessment copied in as it is.
template <class W>
void WriteComplaint(W& w, const Complaint& c, Viewer viewer, Instant now) {
  auto opt_time = [&](const char* key, const std::optional<Instant>& t) {
    if (t) {
      w.Str(key, FormatRfc3339(*t));
    } else {
      w.Null(key);
    }
  };
  w.Str("id", c.id);
  w.Str("platform", c.platform_id);
  w.Str("order_no", c.order_no);
  w.Str("consumer", c.consumer_ref);
  w.Str("merchant", c.merchant_ref);
  w.Str("category", ToString(c.category));
  w.Str("category_group", ToString(GroupOf(c.category)));
  w.Str("category_label", ChineseLabel(c.category));
  w.Str("incident_at", FormatRfc3339(c.incident_at));
  opt_time("incident_ends_at", c.incident_ends_at);
  w.Str("description", c.description);
  w.Value("demands", ToJson(c.demands));
  w.Bool("late", c.late);
  w.Str("status", ToString(c.status));
  w.Str("tier", ToString(c.tier));
  if (c.assignee.empty()) {
    w.Null("assignee");
  } else {
    w.Str("assignee", c.assignee);
  }
  w.Value("deadlines", ToJson(c.deadlines));
  w.Int("version", c.version);
  w.Str("created_at", FormatRfc3339(c.created_at));
  w.Str("updated_at", FormatRfc3339(c.updated_at));
  w.Value("offer", c.offer ? ToJson(*c.offer) : json::value(nullptr));
  w.Value("decision", c.decision ? ToJson(*c.decision) : json::value(nullptr));
  w.Value("remedy", json::object{{"owed", ToJson(c.owed)}, {"done", ToJson(c.done)}});
  w.Bool("appealed", c.appealed);
  w.Bool("review_overdue", c.review_overdue);
  w.Bool("reply_overdue", c.reply_overdue);
  if (c.escalation) {
    w.Str("escalation", ToString(*c.escalation));
  } else {
    w.Null("escalation");
  }
  w.Value("rating", c.rating ? ToJson(*c.rating) : json::value(nullptr));
  w.Assessment(c.assessment_json);
  json::array allowed;
  for (Action a : AllowedActions(c, viewer, now)) allowed.emplace_back(ToString(a));
  w.Value("allowed_actions", std::move(allowed));
  // The late reason is for the consumer who wrote it and the staff who judge it.
  if (c.late && (viewer.role == Role::kConsumer || IsStaff(viewer.role))) {
    w.Str("late_reason", c.late_reason);
  }
}

class ObjectWriter {
 public:
  void Str(const char* key, std::string_view v) { o_[key] = v; }
  void Null(const char* key) { o_[key] = nullptr; }
  void Bool(const char* key, bool v) { o_[key] = v; }
  void Int(const char* key, int64_t v) { o_[key] = v; }
  void Value(const char* key, json::value v) { o_[key] = std::move(v); }
  // A stored assessment that does not parse as an object (a damaged row) shows as {}.
  void Assessment(const std::string& stored) {
    boost::system::error_code ec;
    json::value v = json::parse(stored, ec);
    o_["assessment"] = ec || !v.is_object() ? json::value(json::object()) : std::move(v);
  }
  json::object Take() { return std::move(o_); }

 private:
  json::object o_;
};

class TextWriter {
 public:
  explicit TextWriter(size_t reserve) { out_.reserve(reserve); }
  void Str(const char* key, std::string_view v) {
    Key(key);
    Quoted(v);
  }
  void Null(const char* key) {
    Key(key);
    out_ += "null";
  }
  void Bool(const char* key, bool v) {
    Key(key);
    out_ += v ? "true" : "false";
  }
  void Int(const char* key, int64_t v) {
    Key(key);
    out_ += std::to_string(v);
  }
  void Value(const char* key, const json::value& v) {
    Key(key);
    out_ += json::serialize(v);
  }
  // Copied in as stored: it is JSON the server wrote. Not parsed for speed, so only its ends
  // are checked; a damaged row shows as {}.
  void Assessment(const std::string& stored) {
    Key("assessment");
    const bool whole = !stored.empty() && stored.front() == '{' && stored.back() == '}';
    out_ += whole ? std::string_view(stored) : std::string_view("{}");
  }
  std::string Take() {
    out_ += out_.empty() ? "{}" : "}";
    return std::move(out_);
  }

 private:
  void Key(const char* key) {
    out_ += out_.empty() ? '{' : ',';
    out_ += '"';
    out_ += key;  // keys are ours: plain ASCII, nothing to escape
    out_ += "\":";
  }
  // As Boost.JSON writes strings: UTF-8 passed through; quote, backslash and control
  // characters escaped.
  void Quoted(std::string_view v) { evidence::AppendQuotedJson(v, out_); }

  std::string out_;
};

}  // namespace

json::object ComplaintView(const Complaint& c, Viewer viewer, Instant now) {
  ObjectWriter w;
  WriteComplaint(w, c, viewer, now);
  return w.Take();
}

std::string ComplaintBody(const Complaint& c, Viewer viewer, Instant now) {
  TextWriter w(c.assessment_json.size() + c.description.size() + 2048);
  WriteComplaint(w, c, viewer, now);
  return w.Take();
}

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
