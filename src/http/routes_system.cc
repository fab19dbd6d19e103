// Health, authentication, platforms (admin) and the test clock.
#include <boost/json.hpp>
#include <chrono>

#include "http/api.h"
#include "http/handler_util.h"
#include "http/json_body.h"
#include "http/views.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

const std::set<Role> kPublic{Role::kPublic};
const std::set<Role> kAdmin{Role::kAdmin};
const std::set<Role> kAnyone{Role::kAdmin, Role::kPlatform, Role::kConsumer,  Role::kMerchant,
                             Role::kAgent, Role::kRisk,     Role::kArbitrator};
const std::set<Role> kUsers{Role::kConsumer, Role::kMerchant, Role::kAgent, Role::kRisk,
                            Role::kArbitrator};

}  // namespace

void AddSystemRoutes(Router& r, const ApiDeps& d) {
  r.Add({"GET", "/healthz", kPublic, BodyKind::kNone, [](Request&) -> StatusOr<Outcome> {
           return Answer(200, {{"status", "ok"}});
         }});

  r.Add({"GET", "/readyz", kPublic, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           if (d.stopping->load()) return Status::Unavailable("shutting down");
           if (!d.store.Ready()) return Status::Unavailable("store not ready");
           return Answer(200, {{"status", "ready"}});
         }});

  r.Add({"GET", "/metrics", kPublic, BodyKind::kNone, [d](Request&) -> StatusOr<Outcome> {
           if (d.metrics == nullptr)
             return Status::NotFound("metrics are not collected in this process");
           // The store's gauges here are index lookups; its whole-table counts are taken on a
           // thread of their own (app/store_gauges.h), so a scrape never waits for them.
           Response resp;
           resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
           resp.body = d.metrics->Render(d.gauges ? d.gauges() : std::vector<Gauge>{});
           return Outcome::Now(std::move(resp));
         }});

  r.Add(
      {"POST", "/v1/auth/login", kPublic, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
         TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
         Fields f(body);
         auto platform = f.Str("platform", true, 64);
         auto user = f.Str("user", true, 128);
         auto password = f.Str("password", true, 256);
         TOUSU_RETURN_IF_ERROR(f.Finish());
         // Argon2id verification is deliberately slow: off the HTTP threads.
         return Outcome::Blocking([d, platform = *platform, user = *user, password = *password,
                                   remote = req.remote]() -> StatusOr<Outcome> {
           const std::string user_key = platform + "/" + user;
           const auto now = std::chrono::steady_clock::now();
           if (d.login_throttle != nullptr) {
             if (auto wait = d.login_throttle->Check(user_key, remote, now)) {
               if (d.metrics != nullptr) d.metrics->CountRejected("login");
               return Status::RateLimited(
                   "too many failed logins; retry after " + std::to_string(*wait) + " s", *wait);
             }
           }
           User u;
           Status checked = d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(u, d.auth.CheckLogin(tx, platform, user, password));
             return Status::Ok();
           });
           if (d.login_throttle != nullptr) {
             if (checked.code() == StatusCode::kUnauthenticated)
               d.login_throttle->Failed(user_key, remote, now);
             if (checked.ok()) d.login_throttle->Succeeded(user_key);
           }
           TOUSU_RETURN_IF_ERROR(checked);
           return Outcome::Write([d, u](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(IssuedToken t, d.auth.Issue(tx, u.role, u.platform_id, u.ref));
             return JsonResponse(200, {{"token", t.token},
                                       {"role", ToString(u.role)},
                                       {"platform", u.platform_id},
                                       {"user", u.ref},
                                       {"expires_at", FormatRfc3339(*t.record.expires_at)}});
           });
         });
       }});

  r.Add(
      {"POST", "/v1/auth/logout", kUsers, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
         const std::string id = req.principal.credential_id;
         return Outcome::Write([id, d](WriteTx& tx) -> StatusOr<Response> {
           TOUSU_RETURN_IF_ERROR(tx.DeleteCredential(id));
           d.auth.Forget(id);  // at once, not after the cache's few seconds
           Response resp;
           resp.status = 204;
           resp.content_type.clear();
           return resp;
         });
       }});

  r.Add({"GET", "/v1/me", kAnyone, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           const Principal& p = req.principal;
           json::object out{{"role", ToString(p.role)}};
           if (!p.platform_id.empty()) out["platform"] = p.platform_id;
           if (!p.user_ref.empty()) {
             out["user"] = p.user_ref;
             TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
               TOUSU_ASSIGN_OR_RETURN(auto u, tx.GetUser(p.platform_id, p.user_ref));
               if (u) out["name"] = u->name;
               return Status::Ok();
             }));
           }
           if (!p.merchant_ref.empty()) out["merchant"] = p.merchant_ref;
           return Answer(200, out);
         }});

  r.Add({"POST", "/v1/platforms", kAdmin, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           auto name = f.Str("name", true, 200);
           auto id = f.Str("id", false, 40);
           TOUSU_RETURN_IF_ERROR(f.Finish());
           return Outcome::Write([d, name = *name,
                                  id = id.value_or("")](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(CreatedPlatform c, d.platforms.CreatePlatform(tx, name, id));
             json::object out = PlatformView(c.platform);
             out["api_key"] = c.api_key;
             return JsonResponse(201, out);
           });
         }});

  r.Add({"GET", "/v1/platforms", kAdmin, BodyKind::kNone, [d](Request&) -> StatusOr<Outcome> {
           json::array items;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto all, tx.ListPlatforms());
             for (const auto& p : all) items.push_back(PlatformView(p));
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), ""));
         }});

  r.Add({"GET", "/v1/platforms/{id}", kAdmin, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           json::object out;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto p, tx.GetPlatform(req.Param("id")));
             if (!p) return Status::NotFound("no platform " + req.Param("id"));
             out = PlatformView(*p);
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  if (d.test_clock != nullptr) {
    r.Add(
        {"POST", "/v1/test/clock", kPublic, BodyKind::kJson,
         [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           auto now = f.Time("now", true);
           TOUSU_RETURN_IF_ERROR(f.Finish());
           if (!d.test_clock->AdvanceTo(*now)) {
             return Status::Conflict("the test clock moves only forward; it is at " +
                                     FormatRfc3339(d.test_clock->Now()));
           }
           const Instant at = d.test_clock->Now();
           TOUSU_RETURN_IF_ERROR(d.store.WriteSync([at](WriteTx& tx) {
             return tx.SetMeta("test_clock_now", std::to_string(at.unix_seconds()));
           }));
           TOUSU_ASSIGN_OR_RETURN(SweepReport report, d.sweeper.RunDue(at));
           if (report.failed > 0) {
             return Status::Internal(std::to_string(report.failed) +
                                     " deadlines failed; see the log");
           }
           return Answer(200, {{"now", FormatRfc3339(at)}, {"deadlines_handled", report.handled}});
         }});
  }
}

}  // namespace tousu::http
