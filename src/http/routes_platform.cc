// What a platform pushes (merchants, users, orders, incidents) and the reads of them.
#include <boost/json.hpp>

#include "domain/access.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/json_body.h"
#include "http/views.h"
#include "service/passwords.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

const std::set<Role> kPlatform{Role::kPlatform};
const std::set<Role> kPlatformAndStaff{Role::kPlatform, Role::kAgent, Role::kRisk,
                                       Role::kArbitrator};
const std::set<Role> kTenantReaders{Role::kPlatform,   Role::kAgent,    Role::kRisk,
                                    Role::kArbitrator, Role::kConsumer, Role::kMerchant};

Response Upsert(const json::object& view, bool created) {
  return JsonResponse(created ? 201 : 200, view);
}

}  // namespace

void AddPlatformRoutes(Router& r, const ApiDeps& d) {
  r.Add({"PUT", "/v1/merchants/{ref}", kPlatform, BodyKind::kJson,
         [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           MerchantInput in;
           in.name = f.Str("name", true, 200).value_or("");
           in.kyc_verified = f.Bool("kyc_verified", false).value_or(false);
           in.terms = f.Str("terms", false, 200000).value_or("");
           TOUSU_RETURN_IF_ERROR(f.Finish());
           return Outcome::Write([d, who = req.principal, ref = req.Param("ref"),
                                  in](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(auto m, d.platforms.PutMerchant(tx, who, ref, in));
             return Upsert(MerchantView(m.value), m.created);
           });
         }});

  r.Add({"GET", "/v1/merchants/{ref}", kTenantReaders, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           json::object out;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto m,
                                    tx.GetMerchant(req.principal.platform_id, req.Param("ref")));
             if (!m || !CanSee(req.principal, *m))
               return Status::NotFound("no merchant " + req.Param("ref"));
             out = MerchantView(*m);
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  r.Add({"PUT", "/v1/users/{ref}", kPlatform, BodyKind::kJson,
         [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           UserInput in;
           auto role = f.Enum<Role>("role", true);
           in.name = f.Str("name", true, 200).value_or("");
           auto password = f.Str("password", false, 256);
           in.merchant_ref = f.Str("merchant", false, 128).value_or("");
           TOUSU_RETURN_IF_ERROR(f.Finish());
           in.role = *role;
           if (password) TOUSU_RETURN_IF_ERROR(CheckPasswordRules(*password));
           auto write = [d, who = req.principal, ref = req.Param("ref")](UserInput in) {
             return Outcome::Write([d, who, ref, in](WriteTx& tx) -> StatusOr<Response> {
               TOUSU_ASSIGN_OR_RETURN(auto u, d.platforms.PutUser(tx, who, ref, in));
               return Upsert(UserView(u.value), u.created);
             });
           };
           if (!password) return write(std::move(in));
           // Argon2id off the HTTP threads, and never inside the write transaction.
           return Outcome::Blocking(
               [write, in, password = *password]() mutable -> StatusOr<Outcome> {
                 TOUSU_ASSIGN_OR_RETURN(in.password_hash, HashPassword(password));
                 return write(std::move(in));
               });
         }});

  r.Add({"GET", "/v1/users/{ref}", kPlatformAndStaff, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           json::object out;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto u,
                                    tx.GetUser(req.principal.platform_id, req.Param("ref")));
             if (!u) return Status::NotFound("no user " + req.Param("ref"));
             out = UserView(*u);
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  r.Add({"PUT", "/v1/orders/{order_no}", kPlatform, BodyKind::kJson,
         [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           OrderInput in;
           in.consumer_ref = f.Str("consumer", true, 128).value_or("");
           in.merchant_ref = f.Str("merchant", true, 128).value_or("");
           auto kind = f.Enum<ProductKind>("product_kind", true);
           in.title = f.Str("title", true, 500).value_or("");
           auto amount = f.Fen("amount_fen", true);
           auto paid = f.Time("paid_at", true);
           in.delivered_at = f.Time("delivered_at", false);
           in.service_starts_at = f.Time("service_starts_at", false);
           in.service_ends_at = f.Time("service_ends_at", false);
           in.payment_channel = f.Str("payment_channel", false, 64).value_or("");
           in.payment_ref = f.Str("payment_ref", false, 128).value_or("");
           TOUSU_RETURN_IF_ERROR(f.Finish());
           in.product_kind = *kind;
           in.amount = *amount;
           in.paid_at = *paid;
           return Outcome::Write([d, who = req.principal, no = req.Param("order_no"),
                                  in](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(auto o, d.platforms.PutOrder(tx, who, no, in));
             return Upsert(OrderView(o.value), o.created);
           });
         }});

  r.Add({"GET", "/v1/orders/{order_no}", kTenantReaders, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           json::object out;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto o,
                                    tx.GetOrder(req.principal.platform_id, req.Param("order_no")));
             if (!o || !CanSee(req.principal, *o))
               return Status::NotFound("no order " + req.Param("order_no"));
             out = OrderView(*o);
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  r.Add({"GET", "/v1/orders", kTenantReaders, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           OrderFilter filter;
           TOUSU_ASSIGN_OR_RETURN(filter.limit, LimitParam(req));
           if (auto it = req.query.find("cursor"); it != req.query.end()) {
             TOUSU_ASSIGN_OR_RETURN(filter.before_order_no, DecodeCursor(it->second));
           }
           if (auto it = req.query.find("consumer"); it != req.query.end())
             filter.consumer_ref = it->second;
           if (auto it = req.query.find("merchant"); it != req.query.end())
             filter.merchant_ref = it->second;
           const Principal& p = req.principal;
           if (p.role == Role::kConsumer) filter.consumer_ref = p.user_ref;
           if (p.role == Role::kMerchant) filter.merchant_ref = p.merchant_ref;
           const int limit = filter.limit;
           filter.limit = limit + 1;
           json::array items;
           std::string next;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto orders, tx.ListOrders(p.platform_id, filter));
             if (static_cast<int>(orders.size()) > limit) {
               orders.resize(limit);
               next = orders.back().order_no;
             }
             for (const auto& o : orders) {
               if (CanSee(p, o)) items.push_back(OrderView(o));
             }
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), next));
         }});

  r.Add({"POST", "/v1/incidents", kPlatform, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           IncidentInput in;
           auto kind = f.Enum<IncidentKind>("kind", true);
           auto starts = f.Time("starts_at", true);
           auto ends = f.Time("ends_at", true);
           in.announced_at = f.Time("announced_at", false);
           in.members_notified = f.Bool("members_notified", false).value_or(false);
           in.merchant_ref = f.Str("merchant", false, 128).value_or("");
           in.description = f.Str("description", true, 20000).value_or("");
           TOUSU_RETURN_IF_ERROR(f.Finish());
           in.kind = *kind;
           in.starts_at = *starts;
           in.ends_at = *ends;
           return Outcome::Write([d, who = req.principal, in](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(Incident i, d.platforms.AddIncident(tx, who, in));
             // The open complaints it touches are reassessed in the same transaction.
             TOUSU_ASSIGN_OR_RETURN(int reassessed, d.complaints.OnIncident(tx, i));
             json::object view = IncidentView(i);
             view["complaints_reassessed"] = reassessed;
             return JsonResponse(201, view);
           });
         }});

  r.Add({"GET", "/v1/incidents", kPlatformAndStaff, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           IncidentFilter filter;
           TOUSU_ASSIGN_OR_RETURN(filter.limit, LimitParam(req));
           if (auto it = req.query.find("cursor"); it != req.query.end()) {
             TOUSU_ASSIGN_OR_RETURN(filter.before_id, DecodeCursor(it->second));
           }
           const int limit = filter.limit;
           filter.limit = limit + 1;
           json::array items;
           std::string next;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto incidents,
                                    tx.ListIncidents(req.principal.platform_id, filter));
             if (static_cast<int>(incidents.size()) > limit) {
               incidents.resize(limit);
               next = incidents.back().id;
             }
             for (const auto& i : incidents) items.push_back(IncidentView(i));
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), next));
         }});
}

}  // namespace tousu::http
