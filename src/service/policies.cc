#include "service/policies.h"

#include <boost/json.hpp>
#include <map>
#include <mutex>

#include "rules/policy_toml.h"

namespace tousu {

namespace {

Status NoPlatform(std::string_view platform) {
  return Status::NotFound("no platform " + std::string(platform));
}

// Parsed policies by (platform, version). A stored version never changes, so an entry never
// goes stale; the cache only saves parsing TOML on every filing and deadline.
class ParsedPolicies {
 public:
  PolicyRef Find(std::string_view platform, int64_t version) {
    std::lock_guard lock(mu_);
    auto it = map_.find({std::string(platform), version});
    if (it == map_.end()) return nullptr;
    return it->second;
  }
  void Put(std::string_view platform, int64_t version, PolicyRef p) {
    std::lock_guard lock(mu_);
    if (map_.size() >= kMaxEntries) map_.clear();
    map_.emplace(std::make_pair(std::string(platform), version), std::move(p));
  }

 private:
  static constexpr size_t kMaxEntries = 1024;
  std::mutex mu_;
  std::map<std::pair<std::string, int64_t>, PolicyRef> map_;  // GUARDED_BY(mu_)
};

ParsedPolicies& Cache() {
  static ParsedPolicies cache;
  return cache;
}

const PolicyRef& Defaults() {
  static const PolicyRef kDefaults = std::make_shared<const Policy>(Policy::Default());
  return kDefaults;
}

// The policy of `record` (nullopt: the defaults), parsed.
StatusOr<PolicyRef> Parsed(std::string_view platform, const std::optional<PolicyRecord>& record) {
  if (!record) return Defaults();
  if (PolicyRef hit = Cache().Find(platform, record->version)) return hit;
  StatusOr<Policy> p = ParsePolicy(record->text, Policy::Default());
  if (!p.ok()) {
    // Stored policies were validated when they were put; one that no longer parses is damage.
    return Status::Corruption("stored policy version " + std::to_string(record->version) + " of platform " +
                              std::string(platform) + " no longer parses: " + p.status().message());
  }
  p->version = record->version;
  auto parsed = std::make_shared<const Policy>(std::move(*p));
  Cache().Put(platform, record->version, parsed);
  return PolicyRef(std::move(parsed));
}

// The version a complaint's stored assessment names; nullopt when it names none.
std::optional<int64_t> RecordedVersion(const std::string& assessment_json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(assessment_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::value* version = v.as_object().if_contains("policy_version");
  if (!version || !version->is_int64()) return std::nullopt;
  return version->as_int64();
}

}  // namespace

StatusOr<PolicyRef> PolicyFor(ReadTx& tx, std::string_view platform) {
  TOUSU_ASSIGN_OR_RETURN(auto record, tx.GetPolicy(platform, std::nullopt));
  return Parsed(platform, record);
}

StatusOr<PolicyRef> PolicyOf(ReadTx& tx, const Complaint& c) {
  const std::optional<int64_t> version = RecordedVersion(c.assessment_json);
  if (!version) return PolicyFor(tx, c.platform_id);
  if (*version == 0) return Defaults();
  TOUSU_ASSIGN_OR_RETURN(auto record, tx.GetPolicy(c.platform_id, *version));
  if (!record) {
    return Status::Corruption("complaint " + c.id + " names policy version " + std::to_string(*version) +
                              ", which its platform does not have");
  }
  return Parsed(c.platform_id, record);
}

StatusOr<PolicyText> GetPolicyText(ReadTx& tx, std::string_view platform, std::optional<int64_t> version) {
  TOUSU_ASSIGN_OR_RETURN(auto p, tx.GetPlatform(platform));
  if (!p) return NoPlatform(platform);
  if (version && *version == 0) return PolicyText{p->id, 0, std::string(DefaultPolicyText())};
  TOUSU_ASSIGN_OR_RETURN(auto record, tx.GetPolicy(platform, version));
  if (!record) {
    if (version) return Status::NotFound("platform " + p->id + " has no policy version " + std::to_string(*version));
    return PolicyText{p->id, 0, std::string(DefaultPolicyText())};
  }
  return PolicyText{p->id, record->version, std::move(record->text)};
}

Status ValidatePolicyText(std::string_view text) {
  return ParsePolicy(text, Policy::Default()).status();
}

StatusOr<PolicyText> PutPolicyText(WriteTx& tx, std::string_view platform, std::string text,
                                   std::string_view by, Instant now) {
  TOUSU_ASSIGN_OR_RETURN(auto p, tx.GetPlatform(platform));
  if (!p) return NoPlatform(platform);
  TOUSU_RETURN_IF_ERROR(ValidatePolicyText(text));
  TOUSU_ASSIGN_OR_RETURN(auto current, tx.GetPolicy(platform, std::nullopt));
  PolicyRecord r{p->id, current ? current->version + 1 : 1, std::move(text), std::string(by), now};
  TOUSU_RETURN_IF_ERROR(tx.InsertPolicy(r));
  return PolicyText{r.platform_id, r.version, std::move(r.text)};
}

}  // namespace tousu
