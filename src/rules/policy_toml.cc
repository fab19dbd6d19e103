#include "rules/policy_toml.h"

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <set>

namespace tousu {

namespace {

constexpr Duration kMaxDuration = days(3650);
constexpr int64_t kMaxFen = int64_t{100000000000};  // 1,000,000,000 yuan, as orders
constexpr size_t kMaxBasisBytes = 4000;
constexpr size_t kMaxPatterns = 200;
constexpr size_t kMaxPatternBytes = 600;

// A key of the text as a field error names it: the empty key as TOML writes it, so that no
// field is "" or ends in an empty step ("rules.").
std::string KeyName(std::string_view key) { return key.empty() ? "\"\"" : std::string(key); }

// Reads one rule's table: typed getters that record field errors and remember which keys
// were read, so that the rest can be reported as unknown.
class RuleReader {
 public:
  RuleReader(const toml::table& t, std::string field, std::vector<FieldError>& errors)
      : t_(t), field_(std::move(field)), errors_(errors) {}

  void Error(std::string_view key, std::string message) {
    errors_.push_back({field_ + "." + KeyName(key), std::move(message)});
  }

  const toml::node* Get(std::string_view key) {
    used_.insert(std::string(key));
    return t_.get(key);
  }

  void ReadDuration(std::string_view key, Duration* out, Duration min = seconds(1)) {
    const toml::node* n = Get(key);
    if (!n) return;
    auto d = n->is_string() ? ParsePolicyDuration(n->as_string()->get()) : std::nullopt;
    if (!d) return Error(key, "must be a duration such as \"7d\", \"48h\" or \"1d12h\"");
    if (*d < min || *d > kMaxDuration) {
      return Error(key, "must be between " + std::to_string(min.count()) + "s and 3650d");
    }
    *out = *d;
  }

  void ReadInt(std::string_view key, int64_t min, int64_t max, int64_t* out) {
    const toml::node* n = Get(key);
    if (!n) return;
    if (!n->is_integer()) return Error(key, "must be an integer");
    const int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      return Error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = v;
  }

  void ReadFen(std::string_view key, int64_t min, Money* out) {
    int64_t v = out->fen();
    ReadInt(key, min, kMaxFen, &v);
    *out = Money::Fen(v);
  }

  void ReadBool(std::string_view key, bool* out) {
    const toml::node* n = Get(key);
    if (!n) return;
    if (!n->is_boolean()) return Error(key, "must be true or false");
    *out = n->as_boolean()->get();
  }

  template <class E>
  void ReadEnum(std::string_view key, E* out) {
    const toml::node* n = Get(key);
    if (!n) return;
    auto v = n->is_string() ? FromString<E>(n->as_string()->get()) : std::nullopt;
    if (!v) return Error(key, "must be one of " + NamesOf<E>());
    *out = *v;
  }

  // An array of enum names, without duplicates.
  template <class E>
  void ReadEnumList(std::string_view key, std::vector<E>* out, bool allow_empty = true) {
    const toml::node* n = Get(key);
    if (!n) return;
    ReadEnumListFrom(*n, key, out, allow_empty);
  }

  template <class E>
  void ReadEnumListFrom(const toml::node& n, std::string_view key, std::vector<E>* out,
                        bool allow_empty) {
    const toml::array* a = n.as_array();
    if (!a) return Error(key, "must be an array of names (" + NamesOf<E>() + ")");
    std::vector<E> list;
    for (const toml::node& item : *a) {
      auto v = item.is_string() ? FromString<E>(item.as_string()->get()) : std::nullopt;
      if (!v) return Error(key, "must be an array of names, each one of " + NamesOf<E>());
      if (std::find(list.begin(), list.end(), *v) != list.end()) {
        return Error(key, "names " + std::string(ToString(*v)) + " twice");
      }
      list.push_back(*v);
    }
    if (list.empty() && !allow_empty) return Error(key, "must not be empty");
    *out = std::move(list);
  }

  const toml::table& table() const { return t_; }

  // Reports every key that no getter asked for.
  void Finish(std::string_view known_hint) {
    for (auto&& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) {
        Error(k.str(), known_hint.empty() ? "unknown parameter: this rule has none but basis"
                                          : "unknown parameter; known: " + std::string(known_hint));
      }
    }
  }

 private:
  const toml::table& t_;
  std::string field_;
  std::vector<FieldError>& errors_;
  std::set<std::string> used_;
};

using RuleFn = std::function<void(RuleReader&, Policy&)>;

void ReadPatterns(RuleReader& r, TermsPolicy& terms) {
  const toml::node* n = r.Get("patterns");
  if (!n) return;
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables()) {
    return r.Error("patterns", "must be an array of tables ([[rules.\"terms.unfair\".patterns]])");
  }
  if (a->size() > kMaxPatterns) return r.Error("patterns", "has more than 200 patterns");
  std::vector<TermPattern> out;
  std::set<std::string> ids;
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::table& t = *a->get(i)->as_table();
    const std::string at = "patterns[" + std::to_string(i) + "]";
    TermPattern p;
    bool ok = true;
    for (auto&& [k, v] : t) {
      const std::string key(k.str());
      std::string* dst = key == "id" ? &p.id : key == "pattern" ? &p.pattern
                         : key == "meaning" ? &p.meaning : nullptr;
      if (!dst) {
        r.Error(at + "." + KeyName(key), "unknown key; known: id, pattern, meaning");
        ok = false;
      } else if (!v.is_string() || v.as_string()->get().empty() ||
                 v.as_string()->get().size() > kMaxPatternBytes) {
        r.Error(at + "." + KeyName(key), "must be a non-empty string of at most 600 bytes");
        ok = false;
      } else {
        *dst = v.as_string()->get();
      }
    }
    if (!ok) continue;
    if (p.id.empty() || p.pattern.empty() || p.meaning.empty()) {
      r.Error(at, "needs id, pattern and meaning");
      continue;
    }
    if (!ids.insert(p.id).second) {
      r.Error(at + ".id", "repeats the id " + p.id);
      continue;
    }
    // Every "…"-separated part needs at least one non-empty alternative.
    bool empty_part = false;
    size_t start = 0;
    const std::string gap = "…";
    for (;;) {
      size_t end = p.pattern.find(gap, start);
      std::string part = p.pattern.substr(start, end == std::string::npos ? std::string::npos : end - start);
      size_t alt_start = 0;
      for (;;) {
        size_t bar = part.find('|', alt_start);
        if (part.substr(alt_start, bar == std::string::npos ? std::string::npos : bar - alt_start).empty()) {
          empty_part = true;
        }
        if (bar == std::string::npos) break;
        alt_start = bar + 1;
      }
      if (end == std::string::npos) break;
      start = end + gap.size();
    }
    if (empty_part) {
      r.Error(at + ".pattern", "has an empty part or alternative (around \"…\" or \"|\")");
      continue;
    }
    out.push_back(std::move(p));
  }
  terms.patterns = std::move(out);
}

void ReadRequiredEvidence(RuleReader& r, EvidencePolicy& ev) {
  const toml::node* n = r.Get("categories");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) return r.Error("categories", "must be a table: category = [evidence kinds]");
  for (auto&& [k, v] : *t) {
    auto cat = FromString<Category>(k.str());
    const std::string key = "categories." + KeyName(k.str());
    if (!cat) {
      r.Error(key, "is not a category; categories are " + NamesOf<Category>());
      continue;
    }
    std::vector<EvidenceKind> kinds;
    r.ReadEnumListFrom(v, key, &kinds, /*allow_empty=*/true);
    ev.required[*cat] = std::move(kinds);
  }
}

// Each rule id with how to read its parameters, in the order of policy/default.toml.
const std::vector<std::pair<std::string, RuleFn>>& RuleTable() {
  using R = RuleReader;
  auto deadline = [](Duration DeadlineDurations::*field) {
    return [field](R& r, Policy& p) {
      r.ReadDuration("duration", &(p.deadlines.*field));
      r.Finish("duration");
    };
  };
  static const std::vector<std::pair<std::string, RuleFn>> kTable = {
      {"deadline.merchant_response", deadline(&DeadlineDurations::merchant_response)},
      {"deadline.offer_answer", deadline(&DeadlineDurations::offer_answer)},
      {"deadline.review_normal", deadline(&DeadlineDurations::review_normal)},
      {"deadline.review_risk", deadline(&DeadlineDurations::review_risk)},
      {"deadline.review_urgent", deadline(&DeadlineDurations::review_urgent)},
      {"deadline.platform_reply", deadline(&DeadlineDurations::platform_reply)},
      {"deadline.remedy", deadline(&DeadlineDurations::remedy)},
      {"deadline.appeal", deadline(&DeadlineDurations::appeal)},
      {"deadline.rating", deadline(&DeadlineDurations::rating)},
      {"filing.delivered_goods_24h",
       [](R& r, Policy& p) {
         r.ReadDuration("window", &p.filing.delivered_goods_window);
         r.ReadEnumList("categories", &p.filing.delivered_goods_categories);
         r.Finish("window, categories");
       }},
      {"filing.incident_7d",
       [](R& r, Policy& p) {
         r.ReadDuration("window", &p.filing.incident_window);
         r.Finish("window");
       }},
      {"routing.risk_over_500",
       [](R& r, Policy& p) {
         r.ReadFen("threshold_fen", 0, &p.routing.risk_threshold);
         r.Finish("threshold_fen");
       }},
      {"routing.security_urgent",
       [](R& r, Policy& p) {
         r.ReadEnumList("categories", &p.routing.urgent_categories);
         r.Finish("categories");
       }},
      {"routing.police_over_5000",
       [](R& r, Policy& p) {
         r.ReadFen("threshold_fen", 0, &p.routing.police_threshold);
         r.ReadEnumList("fraud_categories", &p.routing.fraud_categories);
         r.Finish("threshold_fen, fraud_categories");
       }},
      {"routing.small_claims",
       [](R& r, Policy& p) {
         r.ReadFen("limit_fen", 0, &p.routing.small_claims_limit);
         r.Finish("limit_fen");
       }},
      {"resp.interruption",
       [](R& r, Policy& p) {
         r.ReadEnumList("categories", &p.responsibility.interruption_categories);
         r.Finish("categories");
       }},
      {"resp.outage_overlap", [](R& r, Policy&) { r.Finish(""); }},
      {"resp.maintenance_late_notice",
       [](R& r, Policy& p) {
         r.ReadDuration("notice", &p.responsibility.maintenance_notice, seconds(0));
         r.ReadBool("require_members_notified", &p.responsibility.maintenance_requires_notification);
         r.Finish("notice, require_members_notified");
       }},
      {"resp.maintenance_announced", [](R& r, Policy&) { r.Finish(""); }},
      {"resp.third_party_fault", [](R& r, Policy&) { r.Finish(""); }},
      {"resp.similar_complaints",
       [](R& r, Policy& p) {
         int64_t count = p.responsibility.similar_count;
         r.ReadInt("count", 2, 10000, &count);
         p.responsibility.similar_count = static_cast<int>(count);
         r.ReadDuration("window", &p.responsibility.similar_window);
         r.Finish("count, window");
       }},
      {"resp.burden_on_business", [](R& r, Policy&) { r.Finish(""); }},
      {"resp.arbitrator_decision", [](R& r, Policy&) { r.Finish(""); }},
      {"remedy.full_refund_undelivered",
       [](R& r, Policy& p) {
         r.ReadEnumList("categories", &p.remedy.full_refund_categories);
         r.Finish("categories");
       }},
      {"remedy.interruption_extend",
       [](R& r, Policy& p) {
         r.ReadEnum("default_choice", &p.remedy.default_choice);
         r.Finish("default_choice");
       }},
      {"remedy.interruption_prorata",
       [](R& r, Policy& p) {
         const toml::node* n = r.Get("rounding");
         if (n) {
           const std::string v = n->is_string() ? n->as_string()->get() : "";
           if (v == "half_up") p.remedy.prorata_rounding = Rounding::kHalfUp;
           else if (v == "up") p.remedy.prorata_rounding = Rounding::kUp;
           else r.Error("rounding", "must be half_up or up (never less than the consumer's share)");
         }
         r.Finish("rounding");
       }},
      {"remedy.dead_rest_of_period", [](R& r, Policy&) { r.Finish(""); }},
      {"remedy.restore_without_period", [](R& r, Policy&) { r.Finish(""); }},
      {"remedy.defect_refund_or_replace",
       [](R& r, Policy& p) {
         r.ReadEnumList("categories", &p.remedy.defect_categories);
         r.Finish("categories");
       }},
      {"remedy.late_delivery_48h",
       [](R& r, Policy& p) {
         r.ReadDuration("after", &p.remedy.late_delivery_after);
         r.Finish("after");
       }},
      {"remedy.punitive_3x_min_500",
       [](R& r, Policy& p) {
         // 消法 55 is a floor: a platform may promise more (消法 44), never less.
         if (const toml::node* n = r.Get("multiplier")) {
           if (!n->is_integer() || n->as_integer()->get() < 3 || n->as_integer()->get() > 100) {
             r.Error("multiplier", "must be an integer from 3 to 100: 消法 55 sets three times the price");
           } else {
             p.remedy.punitive_multiplier = n->as_integer()->get();
           }
         }
         if (const toml::node* n = r.Get("minimum_fen")) {
           if (!n->is_integer() || n->as_integer()->get() < 50000 || n->as_integer()->get() > kMaxFen) {
             r.Error("minimum_fen", "must be an integer of at least 50000 fen: 消法 55 sets 500 yuan");
           } else {
             p.remedy.punitive_minimum = Money::Fen(n->as_integer()->get());
           }
         }
         r.Finish("multiplier, minimum_fen");
       }},
      {"remedy.demands_above_loss", [](R& r, Policy&) { r.Finish(""); }},
      {"evidence.required",
       [](R& r, Policy& p) {
         ReadRequiredEvidence(r, p.evidence);
         r.Finish("categories");
       }},
      {"evidence.late_capture",
       [](R& r, Policy& p) {
         r.ReadDuration("after", &p.evidence.late_after);
         r.ReadEnumList("kinds", &p.evidence.late_kinds);
         r.Finish("after, kinds");
       }},
      {"evidence.order_mismatch", [](R& r, Policy&) { r.Finish(""); }},
      {"terms.unfair",
       [](R& r, Policy& p) {
         int64_t gap = p.terms.max_gap;
         r.ReadInt("max_gap", 0, 50, &gap);
         p.terms.max_gap = static_cast<int>(gap);
         ReadPatterns(r, p.terms);
         r.Finish("max_gap, patterns");
       }},
  };
  return kTable;
}

}  // namespace

std::optional<Duration> ParsePolicyDuration(std::string_view text) {
  static constexpr std::pair<char, int64_t> kUnits[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t unit = 0;  // units must come in order d, h, m, s, each once
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++digits > 9) return std::nullopt;
      n = n * 10 + (text[i++] - '0');
    }
    if (digits == 0 || i == text.size()) return std::nullopt;
    const char u = text[i++];
    while (unit < std::size(kUnits) && kUnits[unit].first != u) ++unit;
    if (unit == std::size(kUnits)) return std::nullopt;
    total += n * kUnits[unit].second;
    ++unit;
  }
  return Duration(total);
}

const std::vector<std::string>& AllRuleIds() {
  static const std::vector<std::string> kIds = [] {
    std::vector<std::string> ids;
    for (const auto& [id, fn] : RuleTable()) ids.push_back(id);
    return ids;
  }();
  return kIds;
}

StatusOr<Policy> ParsePolicy(std::string_view text, const Policy& base) {
  if (text.size() > kMaxPolicyBytes) {
    return Status::BadField("policy", "is larger than 256 KiB");
  }
  toml::table root;
  try {
    root = toml::parse(text, std::string_view("policy.toml"));
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Status::BadField("policy", "is not valid TOML: line " + std::to_string(at.line) + ", column " +
                                          std::to_string(at.column) + ": " +
                                          std::string(e.description()));
  }
  Policy p = base;
  std::vector<FieldError> errors;
  for (auto&& [k, v] : root) {
    const std::string key(k.str());
    if (key == "format") {
      if (!v.is_integer() || v.as_integer()->get() != 1) errors.push_back({"format", "must be 1"});
    } else if (key != "rules") {
      errors.push_back({KeyName(key), "unknown top-level key; known: format, rules"});
    }
  }
  if (!root.get("format")) errors.push_back({"format", "is required (format = 1)"});
  if (const toml::node* rules = root.get("rules")) {
    if (!rules->is_table()) {
      errors.push_back({"rules", "must be a table of rules keyed by rule id"});
    } else {
      for (auto&& [k, v] : *rules->as_table()) {
        const std::string id(k.str());
        const std::string field = "rules." + KeyName(id);
        const auto& table = RuleTable();
        auto it = std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.first == id; });
        if (it == table.end()) {
          errors.push_back({field, "unknown rule id (see policy/default.toml for the known ones)"});
          continue;
        }
        if (!v.is_table()) {
          errors.push_back({field, "must be a table"});
          continue;
        }
        RuleReader r(*v.as_table(), field, errors);
        if (const toml::node* basis = r.Get("basis")) {
          if (!basis->is_string() || basis->as_string()->get().empty() ||
              basis->as_string()->get().size() > kMaxBasisBytes) {
            r.Error("basis", "must be a non-empty string of at most 4000 bytes");
          } else {
            p.basis[id] = basis->as_string()->get();
          }
        }
        it->second(r, p);
      }
    }
  }
  if (!errors.empty()) {
    Status s = Status::Unprocessable(
        "the policy was refused: " + errors.front().field + ": " + errors.front().message +
        (errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : ""));
    for (auto& e : errors) s = s.WithField(e.field, e.message);
    return s;
  }
  return p;
}

}  // namespace tousu
