#include "service/policies.h"

#include <boost/json.hpp>

#include "rules/policy_toml.h"

namespace tousu {

namespace {

Status NoPlatform(std::string_view platform) {
  return Status::NotFound("no platform " + std::string(platform));
}

// The policy of `record` (nullopt: the defaults), parsed.
StatusOr<Policy> Parsed(std::string_view platform, const std::optional<PolicyRecord>& record) {
  if (!record) return Policy::Default();
  StatusOr<Policy> p = ParsePolicy(record->text, Policy::Default());
  if (!p.ok()) {
    // Stored policies were validated when they were put; one that no longer parses is damage.
    return Status::Corruption("stored policy version " + std::to_string(record->version) + " of platform " +
                              std::string(platform) + " no longer parses: " + p.status().message());
  }
  p->version = record->version;
  return p;
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

StatusOr<Policy> PolicyFor(ReadTx& tx, std::string_view platform) {
  TOUSU_ASSIGN_OR_RETURN(auto record, tx.GetPolicy(platform, std::nullopt));
  return Parsed(platform, record);
}

StatusOr<Policy> PolicyOf(ReadTx& tx, const Complaint& c) {
  const std::optional<int64_t> version = RecordedVersion(c.assessment_json);
  if (!version) return PolicyFor(tx, c.platform_id);
  if (*version == 0) return Policy::Default();
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
