// Table-driven tests of the engine: src/rules/testdata/engine_cases.json lists cases of facts
// and the assessment expected from them (a subset of AssessmentJson: every key given must be
// there and equal; arrays must match in length and order; a string starting with "~" only has
// to occur in the actual string). One case per rule at least, and every boundary of issue 5.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "domain/codec.h"
#include "rules/engine.h"
#include "rules/policy_toml.h"

namespace tousu {
namespace {

namespace json = boost::json;

json::array LoadCases() {
  std::ifstream in(std::string(TOUSU_SOURCE_DIR) + "/src/rules/testdata/engine_cases.json");
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) ADD_FAILURE() << "engine_cases.json does not parse: " << ec.message();
  return ec ? json::array() : v.at("cases").as_array();
}

std::string Str(const json::object& o, const char* key, const char* def = "") {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : def;
}

Instant Time(const std::string& s) {
  auto t = ParseRfc3339(s);
  EXPECT_TRUE(t.has_value()) << "bad time " << s;
  return t.value_or(Instant());
}

std::optional<Instant> OptTime(const json::object& o, const char* key) {
  std::string s = Str(o, key);
  return s.empty() ? std::nullopt : std::optional<Instant>(Time(s));
}

std::vector<Instant> Times(const json::object& o, const char* key) {
  std::vector<Instant> out;
  if (const json::value* v = o.if_contains(key)) {
    for (const auto& t : v->as_array()) out.push_back(Time(std::string(t.as_string())));
  }
  return out;
}

template <class E>
E Enum(const json::object& o, const char* key, E def) {
  std::string s = Str(o, key);
  if (s.empty()) return def;
  auto v = FromString<E>(s);
  EXPECT_TRUE(v.has_value()) << key << " = " << s;
  return v.value_or(def);
}

AssessmentFacts Facts(const json::object& c, Instant now) {
  AssessmentFacts f;
  const json::object& o = c.at("order").as_object();
  f.order.platform_id = "shop";
  f.order.order_no = Str(o, "order_no", "O-1");
  f.order.merchant_ref = Str(o, "merchant", "m1");
  f.order.product_kind = Enum(o, "product_kind", ProductKind::kMembership);
  f.order.amount = Money::Fen(o.at("amount_fen").as_int64());
  f.order.paid_at = Time(Str(o, "paid_at", "2030-01-01T00:00:00Z"));
  f.order.delivered_at = OptTime(o, "delivered_at");
  f.order.service_starts_at = OptTime(o, "service_starts_at");
  f.order.service_ends_at = OptTime(o, "service_ends_at");
  f.merchant_ref = f.order.merchant_ref;
  f.complaint_id = "cmp_case";

  const json::object& k = c.at("complaint").as_object();
  f.filing.category = Enum(k, "category", Category::kDisconnected);
  f.filing.incident_at = Time(Str(k, "incident_at"));
  f.filing.incident_ends_at = OptTime(k, "incident_ends_at");
  f.filing.filed_at = OptTime(k, "filed_at").value_or(now);
  f.filing.has_late_reason = k.if_contains("late_reason") && k.at("late_reason").as_bool();
  if (const json::value* d = k.if_contains("demands")) {
    auto demands = DemandsFromJson(*d);
    EXPECT_TRUE(demands.ok()) << demands.status().ToString();
    if (demands.ok()) f.filing.demands = *demands;
  }
  if (const json::value* d = k.if_contains("decision")) {
    Decision dec;
    dec.responsibility = Enum(d->as_object(), "responsibility", Party::kMerchant);
    dec.fraud = d->as_object().if_contains("fraud") && d->at("fraud").as_bool();
    dec.decided_at = now;
    f.decision = dec;
  }
  if (const json::value* list = c.if_contains("incidents")) {
    for (const auto& v : list->as_array()) {
      const json::object& i = v.as_object();
      Incident inc;
      inc.platform_id = "shop";
      inc.id = Str(i, "id", "inc_1");
      inc.kind = Enum(i, "kind", IncidentKind::kOutage);
      inc.starts_at = Time(Str(i, "starts_at"));
      inc.ends_at = Time(Str(i, "ends_at"));
      inc.announced_at = OptTime(i, "announced_at");
      inc.members_notified = i.if_contains("members_notified") && i.at("members_notified").as_bool();
      inc.merchant_ref = Str(i, "merchant");
      inc.description = Str(i, "description");
      f.incidents.push_back(inc);
    }
  }
  if (const json::value* s = c.if_contains("similar")) {
    f.similar.same_merchant = Times(s->as_object(), "same_merchant");
    f.similar.same_platform = Times(s->as_object(), "same_platform");
    auto flag = [&](const char* name) { return s->as_object().if_contains(name) && s->as_object().at(name).as_bool(); };
    f.similar.merchant_at_least = flag("merchant_at_least");
    f.similar.platform_at_least = flag("platform_at_least");
  }
  if (const json::value* list = c.if_contains("evidence")) {
    for (const auto& v : list->as_array()) {
      const json::object& e = v.as_object();
      EvidenceRecord r;
      r.id = Str(e, "id");
      r.kind = Enum(e, "kind", EvidenceKind::kIncident);
      r.captured_at = OptTime(e, "captured_at");
      r.received_at = Time(Str(e, "received_at", Str(e, "captured_at", "2030-01-01T00:00:00Z").c_str()));
      r.declared_order_no = Str(e, "declared_order_no");
      if (const json::value* a = e.if_contains("declared_amount_fen")) r.declared_amount = Money::Fen(a->as_int64());
      f.evidence.push_back(r);
    }
  }
  if (const json::value* t = c.if_contains("terms")) {
    f.merchant_terms = Str(t->as_object(), "merchant");
    f.platform_terms = Str(t->as_object(), "platform");
  }
  return f;
}

void ExpectSubset(const json::value& want, const json::value& got, const std::string& path) {
  if (want.is_object()) {
    if (!got.is_object()) return ADD_FAILURE() << path << ": want an object, got " << json::serialize(got);
    for (const auto& [k, v] : want.as_object()) {
      const json::value* g = got.as_object().if_contains(k);
      if (!g) {
        ADD_FAILURE() << path << "." << std::string(k) << ": missing";
        continue;
      }
      ExpectSubset(v, *g, path + "." + std::string(k));
    }
  } else if (want.is_array()) {
    if (!got.is_array() || got.as_array().size() != want.as_array().size()) {
      return ADD_FAILURE() << path << ": want " << json::serialize(want) << ", got " << json::serialize(got);
    }
    for (size_t i = 0; i < want.as_array().size(); ++i) {
      ExpectSubset(want.as_array()[i], got.as_array()[i], path + "[" + std::to_string(i) + "]");
    }
  } else if (want.is_string() && want.as_string().starts_with("~")) {
    const std::string needle(want.as_string().subview().substr(1));
    if (!got.is_string() || got.as_string().subview().find(needle) == std::string_view::npos) {
      ADD_FAILURE() << path << ": want text containing " << needle << ", got " << json::serialize(got);
    }
  } else if (want != got) {
    ADD_FAILURE() << path << ": want " << json::serialize(want) << ", got " << json::serialize(got);
  }
}

TEST(EngineCases, EveryCaseGivesItsExpectedAssessment) {
  const json::array cases = LoadCases();
  ASSERT_GE(cases.size(), 40u);
  for (const auto& v : cases) {
    const json::object& c = v.as_object();
    SCOPED_TRACE("case: " + Str(c, "name"));
    Policy policy = Policy::Default();
    if (const json::value* text = c.if_contains("policy")) {
      auto p = ParsePolicy(std::string("format = 1\n") + std::string(text->as_string()), Policy::Default());
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      policy = *p;
      policy.version = 7;
    }
    const Instant now = Time(Str(c, "now"));
    const Assessment a = Assess(policy, Facts(c, now), now);
    const json::object got = AssessmentJson(a);
    ExpectSubset(c.at("expect"), got, "assessment");
    // The stored text, written without the object, is the object's serialization byte for byte.
    EXPECT_EQ(AssessmentText(a), json::serialize(got));
  }
}

TEST(EngineCases, EveryRuleIsCoveredByACase) {
  std::set<std::string> used;
  for (const auto& v : LoadCases()) {
    const json::object got = [&] {
      const json::object& c = v.as_object();
      Policy policy = Policy::Default();
      if (const json::value* text = c.if_contains("policy")) {
        policy = *ParsePolicy(std::string("format = 1\n") + std::string(text->as_string()), Policy::Default());
      }
      const Instant now = Time(Str(c, "now"));
      return AssessmentJson(Assess(policy, Facts(c, now), now));
    }();
    for (const char* part : {"responsibility", "remedy", "evidence", "filing", "routing"}) {
      for (const auto& r : got.at(part).at("rules").as_array()) used.insert(std::string(r.as_string()));
    }
    if (!got.at("unfair_terms").as_array().empty()) used.insert("terms.unfair");
    if (got.at("demands_above_loss").as_bool()) used.insert("remedy.demands_above_loss");
  }
  for (const std::string& id : AllRuleIds()) {
    if (id.rfind("deadline.", 0) == 0) continue;  // deadlines act in the lifecycle, not here
    EXPECT_TRUE(used.count(id)) << "no case applies rule " << id;
  }
}

}  // namespace
}  // namespace tousu
