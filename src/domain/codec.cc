#include "domain/codec.h"

#include <boost/json.hpp>

namespace tousu {

namespace json = boost::json;

namespace {

Status Bad(const std::string& field, const std::string& message) {
  return Status::BadField(field, message);
}

// Small typed readers for stored/API objects. Missing optional fields take their defaults.
class Reader {
 public:
  Reader(const json::value& v, std::string prefix) : prefix_(std::move(prefix)) {
    if (const auto* o = v.if_object()) obj_ = o;
  }
  bool IsObject() const { return obj_ != nullptr; }
  std::string Name(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  const json::value* Find(std::string_view key) const {
    if (obj_ == nullptr) return nullptr;
    auto it = obj_->find(key);
    return it == obj_->end() || it->value().is_null() ? nullptr : &it->value();
  }
  Status Int(std::string_view key, int64_t* out) const {
    const json::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_int64()) {
      if (v->is_uint64()) return Bad(Name(key), "is too large");
      return Bad(Name(key), "must be an integer");
    }
    *out = v->as_int64();
    return Status::Ok();
  }
  Status Bool(std::string_view key, bool* out) const {
    const json::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_bool()) return Bad(Name(key), "must be true or false");
    *out = v->as_bool();
    return Status::Ok();
  }
  Status Text(std::string_view key, std::string* out) const {
    const json::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_string()) return Bad(Name(key), "must be a string");
    *out = std::string(v->as_string());
    return Status::Ok();
  }
  Status Time(std::string_view key, Instant* out) const {
    std::string s;
    TOUSU_RETURN_IF_ERROR(Text(key, &s));
    if (s.empty()) return Status::Ok();
    auto t = ParseRfc3339(s);
    if (!t) return Bad(Name(key), "must be an RFC 3339 time like 2026-11-01T08:00:00Z");
    *out = *t;
    return Status::Ok();
  }
  Status Money(std::string_view key, tousu::Money* out) const {
    int64_t fen = out->fen();
    TOUSU_RETURN_IF_ERROR(Int(key, &fen));
    *out = tousu::Money::Fen(fen);
    return Status::Ok();
  }

 private:
  const json::object* obj_ = nullptr;
  std::string prefix_;
};

constexpr int64_t kMaxDays = 3650;

}  // namespace

json::value ToJson(const Demand& d) {
  json::object o{{"kind", ToString(d.kind)}};
  if (d.kind == DemandKind::kRefund) o["amount_fen"] = d.amount.fen();
  if (d.kind == DemandKind::kExtend) o["days"] = d.days;
  return o;
}

json::value ToJson(const std::vector<Demand>& ds) {
  json::array a;
  for (const auto& d : ds) a.push_back(ToJson(d));
  return a;
}

json::value ToJson(const Offer& o) {
  return json::object{{"refund_fen", o.refund.fen()}, {"extension_days", o.extension_days},
                      {"replace", o.replace},         {"restore", o.restore},
                      {"message", o.message},         {"made_at", FormatRfc3339(o.made_at)}};
}

json::value ToJson(const Decision& d) {
  return json::object{{"responsibility", ToString(d.responsibility)},
                      {"refund_fen", d.refund.fen()},
                      {"extension_days", d.extension_days},
                      {"fraud", d.fraud},
                      {"punitive_fen", d.punitive.fen()},
                      {"reason", d.reason},
                      {"decided_by", d.decided_by},
                      {"decided_at", FormatRfc3339(d.decided_at)}};
}

json::value ToJson(const Remedy& r) {
  return json::object{{"refund_fen", r.refund.fen()}, {"punitive_fen", r.punitive.fen()},
                      {"extension_days", r.extension_days}, {"replace", r.replace},
                      {"restore", r.restore}};
}

json::value ToJson(const Rating& r) {
  return json::object{{"stars", r.stars}, {"comment", r.comment}, {"at", FormatRfc3339(r.at)}};
}

json::object ToJson(const Incident& i) {
  auto opt = [](const std::optional<Instant>& t) {
    return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
  };
  return {{"id", i.id},
          {"kind", ToString(i.kind)},
          {"starts_at", FormatRfc3339(i.starts_at)},
          {"ends_at", FormatRfc3339(i.ends_at)},
          {"announced_at", opt(i.announced_at)},
          {"members_notified", i.members_notified},
          {"merchant", i.merchant_ref.empty() ? json::value(nullptr) : json::value(i.merchant_ref)},
          {"description", i.description},
          {"created_at", FormatRfc3339(i.created_at)}};
}

json::value ToJson(const std::map<DeadlineKind, Instant>& deadlines) {
  json::object o;
  for (const auto& [k, t] : deadlines) o[ToString(k)] = FormatRfc3339(t);
  return o;
}

StatusOr<Demand> DemandFromJson(const json::value& v, const std::string& field) {
  Reader r(v, field);
  if (!r.IsObject()) return Bad(field, "must be an object like {\"kind\": \"refund\", \"amount_fen\": 100}");
  std::string kind_text;
  TOUSU_RETURN_IF_ERROR(r.Text("kind", &kind_text));
  auto kind = FromString<DemandKind>(kind_text);
  if (!kind) return Bad(r.Name("kind"), "must be one of " + NamesOf<DemandKind>());
  Demand d{*kind, Money(), 0};
  if (d.kind == DemandKind::kRefund) {
    if (r.Find("amount_fen") == nullptr) return Bad(r.Name("amount_fen"), "is required for a refund");
    TOUSU_RETURN_IF_ERROR(r.Money("amount_fen", &d.amount));
    if (d.amount.fen() <= 0) return Bad(r.Name("amount_fen"), "must be a positive number of fen");
  } else if (d.kind == DemandKind::kExtend) {
    int64_t days = 0;
    if (r.Find("days") == nullptr) return Bad(r.Name("days"), "is required for an extension");
    TOUSU_RETURN_IF_ERROR(r.Int("days", &days));
    if (days <= 0 || days > kMaxDays) return Bad(r.Name("days"), "must be 1 to 3650");
    d.days = static_cast<int>(days);
  }
  return d;
}

StatusOr<std::vector<Demand>> DemandsFromJson(const json::value& v) {
  const json::array* a = v.if_array();
  if (a == nullptr) return Bad("demands", "must be an array");
  if (a->size() > 10) return Bad("demands", "has more than 10 entries");
  std::vector<Demand> out;
  for (size_t i = 0; i < a->size(); ++i) {
    TOUSU_ASSIGN_OR_RETURN(Demand d, DemandFromJson((*a)[i], "demands[" + std::to_string(i) + "]"));
    for (const auto& prior : out) {
      if (prior.kind == d.kind) {
        return Bad("demands[" + std::to_string(i) + "]", "repeats the kind " + std::string(ToString(d.kind)));
      }
    }
    out.push_back(d);
  }
  return out;
}

StatusOr<Offer> OfferFromJson(const json::value& v) {
  Reader r(v, "offer");
  Offer o;
  int64_t days = 0;
  TOUSU_RETURN_IF_ERROR(r.Money("refund_fen", &o.refund));
  TOUSU_RETURN_IF_ERROR(r.Int("extension_days", &days));
  TOUSU_RETURN_IF_ERROR(r.Bool("replace", &o.replace));
  TOUSU_RETURN_IF_ERROR(r.Bool("restore", &o.restore));
  TOUSU_RETURN_IF_ERROR(r.Text("message", &o.message));
  TOUSU_RETURN_IF_ERROR(r.Time("made_at", &o.made_at));
  o.extension_days = static_cast<int>(days);
  return o;
}

StatusOr<Decision> DecisionFromJson(const json::value& v) {
  Reader r(v, "decision");
  Decision d;
  std::string party;
  int64_t days = 0;
  TOUSU_RETURN_IF_ERROR(r.Text("responsibility", &party));
  auto p = FromString<Party>(party);
  if (!p) return Bad("decision.responsibility", "unknown party");
  d.responsibility = *p;
  TOUSU_RETURN_IF_ERROR(r.Money("refund_fen", &d.refund));
  TOUSU_RETURN_IF_ERROR(r.Int("extension_days", &days));
  TOUSU_RETURN_IF_ERROR(r.Bool("fraud", &d.fraud));
  TOUSU_RETURN_IF_ERROR(r.Money("punitive_fen", &d.punitive));
  TOUSU_RETURN_IF_ERROR(r.Text("reason", &d.reason));
  TOUSU_RETURN_IF_ERROR(r.Text("decided_by", &d.decided_by));
  TOUSU_RETURN_IF_ERROR(r.Time("decided_at", &d.decided_at));
  d.extension_days = static_cast<int>(days);
  return d;
}

StatusOr<Remedy> RemedyFromJson(const json::value& v) {
  Reader r(v, "remedy");
  Remedy out;
  int64_t days = 0;
  TOUSU_RETURN_IF_ERROR(r.Money("refund_fen", &out.refund));
  TOUSU_RETURN_IF_ERROR(r.Money("punitive_fen", &out.punitive));
  TOUSU_RETURN_IF_ERROR(r.Int("extension_days", &days));
  TOUSU_RETURN_IF_ERROR(r.Bool("replace", &out.replace));
  TOUSU_RETURN_IF_ERROR(r.Bool("restore", &out.restore));
  out.extension_days = static_cast<int>(days);
  return out;
}

StatusOr<Rating> RatingFromJson(const json::value& v) {
  Reader r(v, "rating");
  Rating out;
  int64_t stars = 0;
  TOUSU_RETURN_IF_ERROR(r.Int("stars", &stars));
  TOUSU_RETURN_IF_ERROR(r.Text("comment", &out.comment));
  TOUSU_RETURN_IF_ERROR(r.Time("at", &out.at));
  out.stars = static_cast<int>(stars);
  return out;
}

StatusOr<std::map<DeadlineKind, Instant>> DeadlinesFromJson(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return Bad("deadlines", "must be an object");
  std::map<DeadlineKind, Instant> out;
  for (const auto& [key, value] : *o) {
    auto kind = FromString<DeadlineKind>(std::string_view(key));
    const json::string* s = value.if_string();
    auto t = s ? ParseRfc3339(*s) : std::nullopt;
    if (!kind || !t) return Bad("deadlines", "malformed entry " + std::string(key));
    out[*kind] = *t;
  }
  return out;
}

}  // namespace tousu
