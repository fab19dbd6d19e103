// Complaints: file, read, list, timeline, messages, actions, assessment.
#include <boost/json.hpp>

#include "domain/codec.h"
#include "http/action_body.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/views.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

const std::set<Role> kConsumer{Role::kConsumer};
const std::set<Role> kParties{Role::kConsumer, Role::kMerchant, Role::kAgent, Role::kRisk,
                              Role::kArbitrator, Role::kPlatform};
const std::set<Role> kSpeakers{Role::kConsumer, Role::kMerchant, Role::kAgent, Role::kRisk,
                               Role::kArbitrator};

StatusOr<ComplaintFilter> ListFilter(const Request& req) {
  ComplaintFilter filter;
  std::vector<FieldError> errors;
  auto q = [&](const char* name) -> const std::string* {
    auto it = req.query.find(name);
    return it == req.query.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (auto* s = q("status")) {
    filter.status = FromString<ComplaintStatus>(*s);
    if (!filter.status) errors.push_back({"status", "must be one of " + NamesOf<ComplaintStatus>()});
  }
  if (auto* s = q("category")) {
    filter.category = FromString<Category>(*s);
    if (!filter.category) errors.push_back({"category", "must be one of " + NamesOf<Category>()});
  }
  if (auto* s = q("tier")) {
    filter.tier = FromString<Tier>(*s);
    if (!filter.tier) errors.push_back({"tier", "must be one of " + NamesOf<Tier>()});
  }
  if (auto* s = q("merchant")) filter.merchant_ref = *s;
  if (auto* s = q("consumer")) filter.consumer_ref = *s;
  if (auto* s = q("assignee")) filter.assignee = *s;
  if (!errors.empty()) {
    Status st = Status::InvalidArgument("invalid query parameters");
    for (auto& e : errors) st = st.WithField(e.field, e.message);
    return st;
  }
  TOUSU_ASSIGN_OR_RETURN(filter.limit, LimitParam(req));
  if (auto* s = q("cursor")) {
    TOUSU_ASSIGN_OR_RETURN(filter.before_id, DecodeCursor(*s));
  }
  return filter;
}

}  // namespace

void AddComplaintRoutes(Router& r, const ApiDeps& d) {
  r.Add({"POST", "/v1/complaints", kConsumer, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           FileCommand cmd;
           cmd.order_no = f.Str("order_no", true, 128).value_or("");
           auto category = f.Enum<Category>("category", true);
           auto incident = f.Time("incident_at", true);
           cmd.incident_ends_at = f.Time("incident_ends_at", false);
           cmd.description = f.Str("description", true).value_or("");
           cmd.late_reason = f.Str("late_reason", false).value_or("");
           const json::value* demands = f.Raw("demands");
           if (demands == nullptr) f.Error("demands", "is required");
           TOUSU_RETURN_IF_ERROR(f.Finish());
           TOUSU_ASSIGN_OR_RETURN(cmd.demands, DemandsFromJson(*demands));
           cmd.category = *category;
           cmd.incident_at = *incident;
           return Outcome::Write([d, who = req.principal, cmd](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(Complaint c, d.complaints.File(tx, who, cmd));
             std::string location = "/v1/complaints/" + c.id;
             Response resp = LateJson(201, [c = std::move(c), who, now = d.clock.Now()] {
               return ComplaintBody(c, who, now);
             });
             resp.headers.emplace_back("Location", std::move(location));
             return resp;
           });
         }});

  r.Add({"GET", "/v1/complaints", kParties, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(ComplaintFilter filter, ListFilter(req));
           json::array items;
           std::string next;
           const Instant now = d.clock.Now();
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(ComplaintPage page, d.complaints.List(tx, req.principal, filter));
             for (const auto& c : page.items) items.push_back(ComplaintView(c, req.principal, now));
             next = page.next_cursor;
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), next));
         }});

  r.Add({"GET", "/v1/complaints/{id}", kParties, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           const std::string& id = req.Param("id");
           const Instant now = d.clock.Now();
           ComplaintCache* cache = d.complaint_cache;
           if (cache != nullptr) {
             if (auto body = cache->Find(req.principal.platform_id, id, req.principal, now)) {
               return Outcome::Now(Json(200, std::move(*body)));
             }
           }
           const ComplaintCache::Ticket ticket = cache != nullptr ? cache->TicketFor(req.principal.platform_id, id) : 0;
           Complaint c;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(c, d.complaints.Get(tx, req.principal, id));
             return Status::Ok();
           }));
           const Viewer viewer = Viewer::Of(c, req.principal);
           std::string body = ComplaintBody(c, viewer, now);
           if (cache != nullptr) {
             // Cached only once what the read saw is durable, like the answer itself (api.cc).
             if (auto fill = cache->Prepare(ticket, c, viewer, now, body)) {
               auto shared = std::make_shared<ComplaintCache::Fill>(std::move(*fill));
               d.store.AfterDurable(d.store.ReadHorizon(), [cache, shared](Status durable) {
                 if (durable.ok()) cache->Put(std::move(*shared));
               });
             }
           }
           return Outcome::Now(Json(200, std::move(body)));
         }});

  r.Add({"GET", "/v1/complaints/{id}/assessment", kParties, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           json::object out;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(Complaint c, d.complaints.Get(tx, req.principal, req.Param("id")));
             boost::system::error_code ec;
             json::value v = json::parse(c.assessment_json, ec);
             if (ec || !v.is_object()) return Status::Corruption("stored assessment is malformed");
             out = std::move(v.as_object());
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  r.Add({"GET", "/v1/complaints/{id}/timeline", kParties, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           json::array items;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto events, d.complaints.Timeline(tx, req.principal, req.Param("id")));
             for (const auto& e : events) items.push_back(EventView(e));
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), ""));
         }});

  r.Add({"GET", "/v1/complaints/{id}/messages", kParties, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           json::array items;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto msgs, d.complaints.Messages(tx, req.principal, req.Param("id")));
             for (const auto& m : msgs) items.push_back(MessageView(m));
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), ""));
         }});

  r.Add({"POST", "/v1/complaints/{id}/messages", kSpeakers, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           Fields f(body);
           auto text = f.Str("text", true);
           TOUSU_RETURN_IF_ERROR(f.Finish());
           return Outcome::Write([d, who = req.principal, id = req.Param("id"), text = *text](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(MessageRecord m, d.complaints.PostMessage(tx, who, id, text));
             return JsonResponse(201, MessageView(m));
           });
         }});

  r.Add({"POST", "/v1/complaints/{id}/actions", kParties, BodyKind::kJson, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
           TOUSU_ASSIGN_OR_RETURN(ActionRequest action, ParseAction(body));
           return Outcome::Write([d, who = req.principal, id = req.Param("id"), action](WriteTx& tx) -> StatusOr<Response> {
             TOUSU_ASSIGN_OR_RETURN(Complaint c, d.complaints.Act(tx, who, id, action));
             return LateJson(200, [c = std::move(c), who, now = d.clock.Now()] {
               return ComplaintBody(c, who, now);
             });
           });
         }});
}

}  // namespace tousu::http
