// Rule policies (admin): GET/PUT /v1/platforms/{id}/policy as TOML text (API.md "Bootstrap",
// docs/policy.md). The version travels in the Policy-Version header (and the ETag).
#include "http/api.h"
#include "rules/policy_toml.h"
#include "service/policies.h"

namespace tousu::http {

namespace {

const std::set<Role> kAdmin{Role::kAdmin};

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
}

}  // namespace tousu::http
