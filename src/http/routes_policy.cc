// The rules' inputs that are not complaints: rule policies (admin: GET/PUT
// /v1/platforms/{id}/policy as TOML text, API.md "Bootstrap", docs/policy.md; the version travels
// in the Policy-Version header and the ETag) and the platform's own terms (its API key:
// GET/PUT /v1/platform/terms), which the engine scans for unfair clauses like merchants' terms.
#include <boost/json.hpp>

#include "http/api.h"
#include "http/handler_util.h"
#include "http/json_body.h"
#include "rules/policy_toml.h"
#include "service/policies.h"

namespace tousu::http {

namespace {

const std::set<Role> kAdmin{Role::kAdmin};
const std::set<Role> kPlatform{Role::kPlatform};
const std::set<Role> kTenantReaders{Role::kPlatform, Role::kAgent,    Role::kRisk,
                                    Role::kArbitrator, Role::kConsumer, Role::kMerchant};
constexpr size_t kMaxTermsBytes = 200000;  // as a merchant's terms

Response TomlResponse(const PolicyText& p) {
  Response r;
  r.status = 200;
  r.content_type = "application/toml; charset=utf-8";
  r.body = p.text;
  r.headers.emplace_back("Policy-Version", std::to_string(p.version));
  r.headers.emplace_back("ETag", "\"" + std::to_string(p.version) + "\"");
  return r;
}

// ?version=N (0 is the built-in default); absent: the current one.
StatusOr<std::optional<int64_t>> VersionParam(const Request& req) {
  auto it = req.query.find("version");
  if (it == req.query.end() || it->second.empty()) return std::optional<int64_t>();
  const std::string& v = it->second;
  if (v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("invalid query parameters").WithField("version", "must be a version number");
  }
  return std::optional<int64_t>(std::stoll(v));
}

}  // namespace

void AddPolicyRoutes(Router& r, const ApiDeps& d) {
  r.Add({"GET", "/v1/platforms/{id}/policy", kAdmin, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(std::optional<int64_t> version, VersionParam(req));
           PolicyText p;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(p, GetPolicyText(tx, req.Param("id"), version));
             return Status::Ok();
           }));
           return Outcome::Now(TomlResponse(p));
         }});

  r.Add({"PUT", "/v1/platforms/{id}/policy", kAdmin, BodyKind::kText, [d](Request& req) -> StatusOr<Outcome> {
           if (req.body.size() > kMaxPolicyBytes) {
             return Status::TooLarge("a policy is at most 256 KiB of TOML");
           }
           // Checked here, off the writer; a bad policy never reaches the store.
           TOUSU_RETURN_IF_ERROR(ValidatePolicyText(req.body));
           return Outcome::Write([d, id = req.Param("id"), text = req.body](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(PolicyText p, PutPolicyText(tx, id, text, "admin", d.clock.Now()));
             return TomlResponse(p);
           });
         }});

  r.Add({"GET", "/v1/platform/terms", kTenantReaders, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           boost::json::object out{{"terms", ""}, {"updated_at", nullptr}};
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto terms, tx.GetPlatformTerms(req.principal.platform_id));
             if (terms) out = {{"terms", terms->first}, {"updated_at", FormatRfc3339(terms->second)}};
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  r.Add({"PUT", "/v1/platform/terms", kPlatform, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(boost::json::object body, ParseObject(req.body));
           Fields f(body);
           auto terms = f.Str("terms", true, kMaxTermsBytes);
           TOUSU_RETURN_IF_ERROR(f.Finish());
           return Outcome::Write([d, platform = req.principal.platform_id, terms = *terms](WriteTx& tx) -> StatusOr<Response> {
             const Instant now = d.clock.Now();
             TOUSU_RETURN_IF_ERROR(tx.PutPlatformTerms(platform, terms, now));
             return JsonResponse(200, {{"terms", terms}, {"updated_at", FormatRfc3339(now)}});
           });
         }});
}

}  // namespace tousu::http
