// SqlTx, part one: meta, credentials, platforms, merchants and users, orders, incidents,
// complaints and their deadlines, events, messages, marks, idempotency, the outbox and the
// metrics counts. The evidence vault and the transparency log are in sql_tx_log.cc; policies,
// platform terms and the similar/touching complaint queries in sql_tx_rules.cc.
#include "store/sql/sql_tx.h"

#include <boost/json.hpp>

#include "domain/codec.h"
#include "store/sql/rows.h"

namespace tousu::sql {

namespace json = boost::json;

using internal::All;
using internal::ComplaintFrom;
using internal::Done;
using internal::EnumAt;
using internal::One;
using internal::OptTime;
using internal::OptTimeAt;
using internal::TimeAt;
using internal::TimeValue;
using internal::kComplaintColumns;

namespace {

// ---- SQL, one named constant per statement -------------------------------------------------

const std::string kGetMeta = "SELECT value FROM meta WHERE key = ?";
const std::string kSetMeta =
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

const std::string kFindCredential =
    "SELECT id, token_hash, role, platform_id, user_ref, expires_at, created_at "
    "FROM credentials WHERE token_hash = ?";
const std::string kInsertCredential =
    "INSERT INTO credentials (token_hash, id, platform_id, role, user_ref, expires_at, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
const std::string kDeleteCredential = "DELETE FROM credentials WHERE id = ?";

const std::string kPlatformColumns = "SELECT id, name, created_at FROM platforms";
const std::string kGetPlatform = kPlatformColumns + " WHERE id = ?";
const std::string kListPlatforms = kPlatformColumns + " ORDER BY id";
const std::string kInsertPlatform = "INSERT INTO platforms (id, name, created_at) VALUES (?, ?, ?)";

const std::string kGetMerchant =
    "SELECT platform_id, ref, name, kyc_verified, terms, created_at, updated_at "
    "FROM merchants WHERE platform_id = ? AND ref = ?";
const std::string kUpsertMerchant =
    "INSERT INTO merchants (platform_id, ref, name, kyc_verified, terms, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform_id, ref) DO UPDATE SET "
    "name = excluded.name, kyc_verified = excluded.kyc_verified, terms = excluded.terms, "
    "updated_at = excluded.updated_at";

const std::string kGetUser =
    "SELECT platform_id, ref, role, name, merchant_ref, password_hash, created_at, updated_at "
    "FROM users WHERE platform_id = ? AND ref = ?";
const std::string kUpsertUser =
    "INSERT INTO users (platform_id, ref, role, name, merchant_ref, password_hash, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform_id, ref) DO UPDATE SET "
    "role = excluded.role, name = excluded.name, merchant_ref = excluded.merchant_ref, "
    "password_hash = excluded.password_hash, updated_at = excluded.updated_at";
const std::string kLeastLoaded =
    "SELECT ref FROM users WHERE platform_id = ? AND role = ? ORDER BY open_load, ref LIMIT 1";
const std::string kAdjustLoad =
    "UPDATE users SET open_load = open_load + ? WHERE platform_id = ? AND ref = ?";

const std::string kOrderColumns =
    "SELECT platform_id, order_no, consumer_ref, merchant_ref, product_kind, title, amount_fen, "
    "paid_at, delivered_at, service_starts_at, service_ends_at, payment_channel, payment_ref, "
    "self_declared, created_at, updated_at FROM orders";
const std::string kGetOrder = kOrderColumns + " WHERE platform_id = ? AND order_no = ?";
const std::string kUpsertOrder =
    "INSERT INTO orders (platform_id, order_no, consumer_ref, merchant_ref, product_kind, title, "
    "amount_fen, paid_at, delivered_at, service_starts_at, service_ends_at, payment_channel, "
    "payment_ref, self_declared, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (platform_id, order_no) DO UPDATE SET consumer_ref = excluded.consumer_ref, "
    "merchant_ref = excluded.merchant_ref, product_kind = excluded.product_kind, "
    "title = excluded.title, amount_fen = excluded.amount_fen, paid_at = excluded.paid_at, "
    "delivered_at = excluded.delivered_at, service_starts_at = excluded.service_starts_at, "
    "service_ends_at = excluded.service_ends_at, payment_channel = excluded.payment_channel, "
    "payment_ref = excluded.payment_ref, self_declared = excluded.self_declared, "
    "updated_at = excluded.updated_at";

const std::string kIncidentColumns =
    "SELECT platform_id, id, kind, starts_at, ends_at, announced_at, members_notified, "
    "merchant_ref, description, created_at FROM incidents";
const std::string kInsertIncident =
    "INSERT INTO incidents (platform_id, id, kind, starts_at, ends_at, announced_at, "
    "members_notified, merchant_ref, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const std::string kGetComplaint = kComplaintColumns + " WHERE platform_id = ? AND id = ?";
const std::string kInsertComplaint =
    "INSERT INTO complaints (platform_id, id, order_no, consumer_ref, merchant_ref, category, "
    "incident_at, incident_ends_at, description, demands_json, late_reason, late, status, tier, "
    "assignee, version, created_at, updated_at, offer_json, decision_json, owed_json, done_json, "
    "appealed, review_overdue, reply_overdue, escalation, rating_json, assessment_json, "
    "deadlines_json, party, assessment_dict, assessment_packed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const std::string kUpdateComplaint =
    "UPDATE complaints SET status = ?, tier = ?, assignee = ?, version = ?, updated_at = ?, "
    "offer_json = ?, decision_json = ?, owed_json = ?, done_json = ?, appealed = ?, "
    "review_overdue = ?, reply_overdue = ?, escalation = ?, rating_json = ?, assessment_json = ?, "
    "assessment_dict = ?, assessment_packed = ?, deadlines_json = ?, late = ?, late_reason = ?, party = ? "
    "WHERE platform_id = ? AND id = ? AND version = ?";
const std::string kNewestTextDictionary =
    "SELECT id, bytes FROM text_dictionaries WHERE purpose = ? ORDER BY id DESC LIMIT 1";
const std::string kGetTextDictionary = "SELECT bytes FROM text_dictionaries WHERE id = ?";
const std::string kNextTextDictionary = "SELECT COALESCE(MAX(id), 0) + 1 FROM text_dictionaries";
const std::string kInsertTextDictionary = "INSERT INTO text_dictionaries (id, purpose, bytes) VALUES (?, ?, ?)";
const std::string kFindOpenComplaint =
    "SELECT id FROM complaints WHERE platform_id = ? AND order_no = ? AND category = ? AND status "
    "IN ('submitted', 'awaiting_merchant', 'offer_made', 'platform_review', 'decided', "
    "'remedy_due') LIMIT 1";

// The deadline index is one b-tree keyed by due time first (schema version 10): the sweeper
// reads its head, and a complaint's rows are found from its deadlines, which it carries.
const std::string kDeleteDeadline =
    "DELETE FROM deadlines WHERE due_at = ? AND platform_id = ? AND complaint_id = ? AND kind = ?";
const std::string kInsertDeadlines = "INSERT INTO deadlines (due_at, platform_id, complaint_id, kind) VALUES ";
const std::string kDueDeadlines =
    "SELECT platform_id, complaint_id, kind, due_at FROM deadlines WHERE due_at <= ? "
    "ORDER BY due_at LIMIT ?";

const std::string kListEvents =
    "SELECT platform_id, complaint_id, seq, type, actor_kind, actor_ref, actor_role, from_status, "
    "to_status, at, recorded_at, data_json, log_index FROM events "
    "WHERE platform_id = ? AND complaint_id = ? ORDER BY seq";
const std::string kGetEvent = kListEvents.substr(0, kListEvents.find(" ORDER BY")) + " AND seq = ?";
const std::string kInsertEvent =
    "INSERT INTO events (platform_id, complaint_id, seq, type, actor_kind, actor_ref, actor_role, "
    "from_status, to_status, at, recorded_at, data_json, log_index) VALUES (?, ?, "
    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE platform_id = ? AND complaint_id = ?), "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq";
// With the seq known (the transaction remembers the complaint's last one), held back.
const std::string kInsertEventRows =
    "INSERT INTO events (platform_id, complaint_id, seq, type, actor_kind, actor_ref, actor_role, "
    "from_status, to_status, at, recorded_at, data_json, log_index) VALUES ";

const std::string kListMessages =
    "SELECT platform_id, complaint_id, id, author_ref, author_role, text, at, event_seq "
    "FROM messages WHERE platform_id = ? AND complaint_id = ? ORDER BY at, id";
const std::string kInsertMessage =
    "INSERT INTO messages (platform_id, complaint_id, id, author_ref, author_role, text, at, "
    "event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

const std::string kInsertMark =
    "INSERT INTO marks (platform_id, subject, merchant_ref, complaint_id, kind, at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
const std::string kListMarks =
    "SELECT platform_id, subject, merchant_ref, complaint_id, kind, at FROM marks "
    "WHERE platform_id = ? AND complaint_id = ? ORDER BY at, kind";

const std::string kGetIdempotency =
    "SELECT request_hash, status, body, created_at FROM idempotency "
    "WHERE platform_id = ? AND scope = ? AND key = ?";
const std::string kPutIdempotency =
    "INSERT INTO idempotency (platform_id, scope, key, request_hash, status, body, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";

const std::string kCountComplaints =
    "SELECT status, tier, COUNT(*) FROM complaints GROUP BY status, tier";
const std::string kCountDeadlines =
    "SELECT (SELECT COUNT(*) FROM deadlines), COUNT(*), MIN(due_at) FROM deadlines WHERE due_at <= ?";

// Held back (held_rows.h): followed by the VALUES rows of a batch.
const std::string kInsertOutbox = "INSERT INTO outbox (platform_id, topic, payload, created_at) VALUES ";

// ---- JSON columns and row mappers -----------------------------------------------------------

std::string JsonText(const json::value& v) { return json::serialize(v); }

template <class T>
Value OptJson(const std::optional<T>& v) {
  return v ? Text(JsonText(ToJson(*v))) : Null();
}

StatusOr<Platform> PlatformFrom(const Row& r) { return Platform{r.Text(0), r.Text(1), TimeAt(r, 2)}; }

StatusOr<Merchant> MerchantFrom(const Row& r) {
  return Merchant{r.Text(0), r.Text(1), r.Text(2), r.Bool(3), r.Text(4), TimeAt(r, 5), TimeAt(r, 6)};
}

StatusOr<User> UserFrom(const Row& r) {
  TOUSU_ASSIGN_OR_RETURN(Role role, EnumAt<Role>(r, 2, "role"));
  return User{r.Text(0), r.Text(1), role, r.Text(3), r.Text(4), r.Text(5), TimeAt(r, 6), TimeAt(r, 7)};
}

StatusOr<Order> OrderFrom(const Row& r) {
  Order o;
  o.platform_id = r.Text(0);
  o.order_no = r.Text(1);
  o.consumer_ref = r.Text(2);
  o.merchant_ref = r.Text(3);
  TOUSU_ASSIGN_OR_RETURN(o.product_kind, EnumAt<ProductKind>(r, 4, "product kind"));
  o.title = r.Text(5);
  o.amount = Money::Fen(r.Int(6));
  o.paid_at = TimeAt(r, 7);
  o.delivered_at = OptTimeAt(r, 8);
  o.service_starts_at = OptTimeAt(r, 9);
  o.service_ends_at = OptTimeAt(r, 10);
  o.payment_channel = r.Text(11);
  o.payment_ref = r.Text(12);
  o.self_declared = r.Bool(13);
  o.created_at = TimeAt(r, 14);
  o.updated_at = TimeAt(r, 15);
  return o;
}

StatusOr<Incident> IncidentFrom(const Row& r) {
  Incident i;
  i.platform_id = r.Text(0);
  i.id = r.Text(1);
  TOUSU_ASSIGN_OR_RETURN(i.kind, EnumAt<IncidentKind>(r, 2, "incident kind"));
  i.starts_at = TimeAt(r, 3);
  i.ends_at = TimeAt(r, 4);
  i.announced_at = OptTimeAt(r, 5);
  i.members_notified = r.Bool(6);
  i.merchant_ref = r.Text(7);
  i.description = r.Text(8);
  i.created_at = TimeAt(r, 9);
  return i;
}

StatusOr<EventRecord> EventFrom(const Row& r) {
  EventRecord e;
  e.platform_id = r.Text(0);
  e.complaint_id = r.Text(1);
  e.seq = r.Int(2);
  e.type = r.Text(3);
  e.actor.kind = r.Text(4);
  e.actor.ref = r.Text(5);
  e.actor.role = FromString<Role>(r.Text(6)).value_or(Role::kPublic);
  TOUSU_ASSIGN_OR_RETURN(e.from, EnumAt<ComplaintStatus>(r, 7, "event status"));
  TOUSU_ASSIGN_OR_RETURN(e.to, EnumAt<ComplaintStatus>(r, 8, "event status"));
  e.at = TimeAt(r, 9);
  e.recorded_at = TimeAt(r, 10);
  e.data_json = r.Text(11);
  e.log_index = r.OptInt(12);
  return e;
}

}  // namespace

// ---- reads ----------------------------------------------------------------------------------

StatusOr<std::optional<std::string>> SqlTx::GetMeta(std::string_view key) {
  return One<std::string>(db_.Query(kGetMeta, {Text(key)}),
                          [](const Row& r) -> StatusOr<std::string> { return r.Text(0); });
}

StatusOr<std::optional<CredentialRecord>> SqlTx::FindCredential(std::string_view token_hash) {
  return One<CredentialRecord>(
      db_.Query(kFindCredential, {Bytes(token_hash)}), [](const Row& r) -> StatusOr<CredentialRecord> {
        TOUSU_ASSIGN_OR_RETURN(Role role, EnumAt<Role>(r, 2, "credential role"));
        return CredentialRecord{r.Text(0), r.Text(1), role, r.Text(3), r.Text(4), OptTimeAt(r, 5),
                                TimeAt(r, 6)};
      });
}

StatusOr<std::optional<Platform>> SqlTx::GetPlatform(std::string_view id) {
  return One<Platform>(db_.Query(kGetPlatform, {Text(id)}), PlatformFrom);
}

StatusOr<std::vector<Platform>> SqlTx::ListPlatforms() {
  return All<Platform>(db_.Query(kListPlatforms, {}), PlatformFrom);
}

StatusOr<std::optional<Merchant>> SqlTx::GetMerchant(std::string_view platform, std::string_view ref) {
  return One<Merchant>(db_.Query(kGetMerchant, {Text(platform), Text(ref)}), MerchantFrom);
}

StatusOr<std::optional<User>> SqlTx::GetUser(std::string_view platform, std::string_view ref) {
  return One<User>(db_.Query(kGetUser, {Text(platform), Text(ref)}), UserFrom);
}

StatusOr<std::optional<Order>> SqlTx::GetOrder(std::string_view platform, std::string_view order_no) {
  return One<Order>(db_.Query(kGetOrder, {Text(platform), Text(order_no)}), OrderFrom);
}

StatusOr<std::vector<Order>> SqlTx::ListOrders(std::string_view platform, const OrderFilter& f) {
  // Built from fixed fragments only; every value is a bound parameter.
  std::string sql = kOrderColumns + " WHERE platform_id = ?";
  std::vector<Value> params{Text(platform)};
  if (!f.consumer_ref.empty()) {
    sql += " AND consumer_ref = ?";
    params.push_back(Text(f.consumer_ref));
  }
  if (!f.merchant_ref.empty()) {
    sql += " AND merchant_ref = ?";
    params.push_back(Text(f.merchant_ref));
  }
  if (!f.before_order_no.empty()) {
    sql += " AND order_no < ?";
    params.push_back(Text(f.before_order_no));
  }
  sql += " ORDER BY order_no DESC LIMIT ?";
  params.push_back(Int(f.limit));
  return All<Order>(db_.Query(sql, params), OrderFrom);
}

StatusOr<std::vector<Incident>> SqlTx::ListIncidents(std::string_view platform,
                                                     const IncidentFilter& f) {
  std::string sql = kIncidentColumns + " WHERE platform_id = ?";
  std::vector<Value> params{Text(platform)};
  // Closed intervals: [starts_at, ends_at] meets [from, to] when starts_at <= to and ends_at >= from.
  if (f.overlaps_to) {
    sql += " AND starts_at <= ?";
    params.push_back(TimeValue(*f.overlaps_to));
  }
  if (f.overlaps_from) {
    sql += " AND ends_at >= ?";
    params.push_back(TimeValue(*f.overlaps_from));
  }
  if (!f.before_id.empty()) {
    sql += " AND id < ?";
    params.push_back(Text(f.before_id));
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(Int(f.limit));
  return All<Incident>(db_.Query(sql, params), IncidentFrom);
}

StatusOr<std::optional<Complaint>> SqlTx::GetComplaint(std::string_view platform, std::string_view id) {
  return One<Complaint>(db_.Query(kGetComplaint, {Text(platform), Text(id)}),
                        [this](const Row& r) { return ComplaintOf(r); });
}

StatusOr<std::vector<Complaint>> SqlTx::ListComplaints(std::string_view platform,
                                                       const ComplaintFilter& f) {
  std::string sql = kComplaintColumns + " WHERE platform_id = ?";
  std::vector<Value> params{Text(platform)};
  auto add = [&](const char* fragment, Value v) {
    sql += fragment;
    params.push_back(std::move(v));
  };
  if (f.status) add(" AND status = ?", Text(ToString(*f.status)));
  if (f.category) add(" AND category = ?", Text(ToString(*f.category)));
  if (f.tier) add(" AND tier = ?", Text(ToString(*f.tier)));
  if (!f.merchant_ref.empty()) add(" AND merchant_ref = ?", Text(f.merchant_ref));
  if (!f.consumer_ref.empty()) add(" AND consumer_ref = ?", Text(f.consumer_ref));
  if (!f.assignee.empty()) add(" AND assignee = ?", Text(f.assignee));
  if (!f.before_id.empty()) add(" AND id < ?", Text(f.before_id));
  add(" ORDER BY id DESC LIMIT ?", Int(f.limit));
  return All<Complaint>(db_.Query(sql, params), [this](const Row& r) { return ComplaintOf(r); });
}

StatusOr<std::optional<std::string>> SqlTx::FindOpenComplaint(std::string_view platform,
                                                              std::string_view order_no,
                                                              Category category) {
  return One<std::string>(
      db_.Query(kFindOpenComplaint, {Text(platform), Text(order_no), Text(ToString(category))}),
      [](const Row& r) -> StatusOr<std::string> { return r.Text(0); });
}

StatusOr<std::vector<EventRecord>> SqlTx::ListEvents(std::string_view platform,
                                                     std::string_view complaint_id) {
  TOUSU_RETURN_IF_ERROR(held_events_.Flush(db_));
  return All<EventRecord>(db_.Query(kListEvents, {Text(platform), Text(complaint_id)}), EventFrom);
}

StatusOr<std::vector<MessageRecord>> SqlTx::ListMessages(std::string_view platform,
                                                         std::string_view complaint_id) {
  return All<MessageRecord>(
      db_.Query(kListMessages, {Text(platform), Text(complaint_id)}),
      [](const Row& r) -> StatusOr<MessageRecord> {
        TOUSU_ASSIGN_OR_RETURN(Role role, EnumAt<Role>(r, 4, "author role"));
        return MessageRecord{r.Text(0), r.Text(1), r.Text(2), r.Text(3), role,
                             r.Text(5), TimeAt(r, 6), r.Int(7)};
      });
}

StatusOr<std::optional<std::string>> SqlTx::LeastLoadedStaff(std::string_view platform, Role role) {
  return One<std::string>(db_.Query(kLeastLoaded, {Text(platform), Text(ToString(role))}),
                          [](const Row& r) -> StatusOr<std::string> { return r.Text(0); });
}

StatusOr<std::vector<DueDeadline>> SqlTx::DueDeadlines(Instant now, int limit) {
  TOUSU_RETURN_IF_ERROR(held_deadlines_.Flush(db_));
  return All<DueDeadline>(db_.Query(kDueDeadlines, {TimeValue(now), Int(limit)}),
                          [](const Row& r) -> StatusOr<DueDeadline> {
                            TOUSU_ASSIGN_OR_RETURN(DeadlineKind k,
                                                   EnumAt<DeadlineKind>(r, 2, "deadline kind"));
                            return DueDeadline{r.Text(0), r.Text(1), k, TimeAt(r, 3)};
                          });
}

StatusOr<std::optional<IdempotencyRecord>> SqlTx::GetIdempotency(std::string_view platform,
                                                                 std::string_view scope,
                                                                 std::string_view key) {
  return One<IdempotencyRecord>(
      db_.Query(kGetIdempotency, {Text(platform), Text(scope), Text(key)}),
      [](const Row& r) -> StatusOr<IdempotencyRecord> {
        return IdempotencyRecord{r.Text(0), static_cast<int>(r.Int(1)), r.Text(2), TimeAt(r, 3)};
      });
}

StatusOr<std::vector<MarkRecord>> SqlTx::ListMarks(std::string_view platform,
                                                   std::string_view complaint_id) {
  return All<MarkRecord>(db_.Query(kListMarks, {Text(platform), Text(complaint_id)}),
                         [](const Row& r) -> StatusOr<MarkRecord> {
                           MarkRecord m{r.Text(0), Mark::Subject::kMerchant, r.Text(2), r.Text(3),
                                        r.Text(4), TimeAt(r, 5)};
                           if (r.Text(1) == "platform") m.subject = Mark::Subject::kPlatform;
                           return m;
                         });
}

StatusOr<std::vector<ComplaintCount>> SqlTx::CountComplaints() {
  return All<ComplaintCount>(db_.Query(kCountComplaints, {}), [](const Row& r) -> StatusOr<ComplaintCount> {
    TOUSU_ASSIGN_OR_RETURN(ComplaintStatus status, EnumAt<ComplaintStatus>(r, 0, "status"));
    TOUSU_ASSIGN_OR_RETURN(Tier tier, EnumAt<Tier>(r, 1, "tier"));
    return ComplaintCount{status, tier, r.Int(2)};
  });
}

StatusOr<DeadlineStats> SqlTx::CountDeadlines(Instant now) {
  TOUSU_RETURN_IF_ERROR(held_deadlines_.Flush(db_));
  TOUSU_ASSIGN_OR_RETURN(std::vector<Row> rows, db_.Query(kCountDeadlines, {TimeValue(now)}));
  DeadlineStats out;
  if (!rows.empty()) {
    out.pending = rows[0].Int(0);
    out.due = rows[0].Int(1);
    out.oldest_due = OptTimeAt(rows[0], 2);
  }
  return out;
}

StatusOr<std::optional<EventRecord>> SqlTx::GetEvent(std::string_view platform,
                                                     std::string_view complaint_id, int64_t seq) {
  TOUSU_RETURN_IF_ERROR(held_events_.Flush(db_));
  return One<EventRecord>(db_.Query(kGetEvent, {Text(platform), Text(complaint_id), Int(seq)}),
                          EventFrom);
}

// ---- writes ---------------------------------------------------------------------------------

Status SqlTx::SetMeta(std::string_view key, std::string_view value) {
  return Done(db_.Exec(kSetMeta, {Text(key), Text(value)}));
}

Status SqlTx::InsertCredential(const CredentialRecord& c) {
  return Done(db_.Exec(kInsertCredential,
                       {Bytes(c.token_hash), Text(c.id), Text(c.platform_id), Text(ToString(c.role)),
                        Text(c.user_ref), OptTime(c.expires_at), TimeValue(c.created_at)}));
}

Status SqlTx::DeleteCredential(std::string_view id) {
  return Done(db_.Exec(kDeleteCredential, {Text(id)}));
}

Status SqlTx::InsertPlatform(const Platform& p) {
  return Done(db_.Exec(kInsertPlatform, {Text(p.id), Text(p.name), TimeValue(p.created_at)}));
}

Status SqlTx::UpsertMerchant(const Merchant& m) {
  return Done(db_.Exec(kUpsertMerchant,
                       {Text(m.platform_id), Text(m.ref), Text(m.name), Int(m.kyc_verified),
                        Text(m.terms), TimeValue(m.created_at), TimeValue(m.updated_at)}));
}

Status SqlTx::UpsertUser(const User& u) {
  return Done(db_.Exec(kUpsertUser, {Text(u.platform_id), Text(u.ref), Text(ToString(u.role)),
                                     Text(u.name), Text(u.merchant_ref), Text(u.password_hash),
                                     TimeValue(u.created_at), TimeValue(u.updated_at)}));
}

Status SqlTx::UpsertOrder(const Order& o) {
  return Done(db_.Exec(
      kUpsertOrder,
      {Text(o.platform_id), Text(o.order_no), Text(o.consumer_ref), Text(o.merchant_ref),
       Text(ToString(o.product_kind)), Text(o.title), Int(o.amount.fen()), TimeValue(o.paid_at),
       OptTime(o.delivered_at), OptTime(o.service_starts_at), OptTime(o.service_ends_at),
       Text(o.payment_channel), Text(o.payment_ref), Int(o.self_declared), TimeValue(o.created_at),
       TimeValue(o.updated_at)}));
}

Status SqlTx::InsertIncident(const Incident& i) {
  return Done(db_.Exec(kInsertIncident,
                       {Text(i.platform_id), Text(i.id), Text(ToString(i.kind)),
                        TimeValue(i.starts_at), TimeValue(i.ends_at), OptTime(i.announced_at),
                        Int(i.members_notified), Text(i.merchant_ref), Text(i.description),
                        TimeValue(i.created_at)}));
}

Status SqlTx::WriteDeadlineIndex(const Complaint& c, const std::map<DeadlineKind, Instant>& before) {
  for (const auto& [kind, due] : before) {
    auto now = c.deadlines.find(kind);
    if (now != c.deadlines.end() && now->second == due) continue;
    TOUSU_RETURN_IF_ERROR(held_deadlines_.Flush(db_));  // the row may be one held back
    TOUSU_RETURN_IF_ERROR(
        Done(db_.Exec(kDeleteDeadline, {TimeValue(due), Text(c.platform_id), Text(c.id), Text(ToString(kind))})));
  }
  for (const auto& [kind, due] : c.deadlines) {
    auto was = before.find(kind);
    if (was != before.end() && was->second == due) continue;
    TOUSU_RETURN_IF_ERROR(Hold(held_deadlines_, {TimeValue(due), Text(c.platform_id), Text(c.id), Text(ToString(kind))}));
  }
  return Status::Ok();
}

StatusOr<std::optional<std::pair<int64_t, std::string>>> SqlTx::NewestTextDictionary(std::string_view purpose) {
  return One<std::pair<int64_t, std::string>>(
      db_.Query(kNewestTextDictionary, {Text(purpose)}),
      [](const Row& r) -> StatusOr<std::pair<int64_t, std::string>> { return std::make_pair(r.Int(0), r.Text(1)); });
}

StatusOr<std::optional<std::string>> SqlTx::GetTextDictionary(int64_t id) {
  return One<std::string>(db_.Query(kGetTextDictionary, {Int(id)}),
                          [](const Row& r) -> StatusOr<std::string> { return r.Text(0); });
}

StatusOr<int64_t> SqlTx::InsertTextDictionary(std::string_view purpose, std::string_view bytes) {
  TOUSU_ASSIGN_OR_RETURN(auto rows, db_.Query(kNextTextDictionary, {}));
  const int64_t id = rows.empty() ? 1 : rows.front().Int(0);
  TOUSU_RETURN_IF_ERROR(Done(db_.Exec(kInsertTextDictionary, {Int(id), Text(purpose), Bytes(bytes)})));
  return id;
}

SqlTx::AssessmentColumns SqlTx::PackAssessment(const std::string& text) {
  std::optional<TextPacker::Packed> packed = packer_ != nullptr ? packer_->Pack(text) : std::nullopt;
  if (!packed) return {Text(text), Null(), Null()};
  return {Text(""), Int(packed->dictionary_id), Bytes(packed->bytes)};
}

StatusOr<std::string> SqlTx::Unpack(int64_t dictionary_id, std::string_view bytes) {
  auto load = [this](int64_t id) { return GetTextDictionary(id); };
  if (packer_ != nullptr) return packer_->Unpack(dictionary_id, bytes, load);
  if (own_packer_ == nullptr) own_packer_ = std::make_unique<TextPacker>(TextPacker::Options());
  return own_packer_->Unpack(dictionary_id, bytes, load);
}

StatusOr<Complaint> SqlTx::ComplaintOf(const Row& r) {
  return ComplaintFrom(r, [this](int64_t id, std::string_view bytes) { return Unpack(id, bytes); });
}

Status SqlTx::InsertComplaint(const Complaint& c) {
  const AssessmentColumns assessment = PackAssessment(c.assessment_json);
  TOUSU_RETURN_IF_ERROR(Done(db_.Exec(
      kInsertComplaint,
      {Text(c.platform_id), Text(c.id), Text(c.order_no), Text(c.consumer_ref),
       Text(c.merchant_ref), Text(ToString(c.category)), TimeValue(c.incident_at),
       OptTime(c.incident_ends_at), Text(c.description), Text(JsonText(ToJson(c.demands))),
       Text(c.late_reason), Int(c.late), Text(ToString(c.status)), Text(ToString(c.tier)),
       Text(c.assignee), Int(c.version), TimeValue(c.created_at), TimeValue(c.updated_at),
       OptJson(c.offer), OptJson(c.decision), Text(JsonText(ToJson(c.owed))),
       Text(JsonText(ToJson(c.done))), Int(c.appealed), Int(c.review_overdue),
       Int(c.reply_overdue), c.escalation ? Text(ToString(*c.escalation)) : Null(),
       OptJson(c.rating), assessment.text, Text(JsonText(ToJson(c.deadlines))),
       Text(ToString(c.party)), assessment.dictionary, assessment.packed})));
  if (writer_) last_event_seq_[{c.platform_id, c.id}] = 0;  // a new complaint has no events yet
  NoteSimilar(c);
  return WriteDeadlineIndex(c, {});
}

Status SqlTx::UpdateComplaint(const Complaint& c, const Complaint& before) {
  updated_complaints_.push_back(ComplaintKey{c.platform_id, c.id});
  // Its status or party may take it into or out of a remembered similar-complaints answer.
  std::erase_if(similar_memo_, [&](const SimilarMemo& m) {
    return m.platform == c.platform_id && (m.query.category == c.category || m.query.category == before.category);
  });
  const AssessmentColumns assessment = PackAssessment(c.assessment_json);
  TOUSU_ASSIGN_OR_RETURN(
      int64_t changed,
      db_.Exec(kUpdateComplaint,
               {Text(ToString(c.status)), Text(ToString(c.tier)), Text(c.assignee), Int(c.version),
                TimeValue(c.updated_at), OptJson(c.offer), OptJson(c.decision),
                Text(JsonText(ToJson(c.owed))), Text(JsonText(ToJson(c.done))), Int(c.appealed),
                Int(c.review_overdue), Int(c.reply_overdue),
                c.escalation ? Text(ToString(*c.escalation)) : Null(), OptJson(c.rating),
                assessment.text, assessment.dictionary, assessment.packed, Text(JsonText(ToJson(c.deadlines))), Int(c.late),
                Text(c.late_reason), Text(ToString(c.party)), Text(c.platform_id), Text(c.id),
                Int(before.version)}));
  if (changed != 1) {
    return Status::Conflict("the complaint changed meanwhile; reload it and try again");
  }
  return WriteDeadlineIndex(c, before.deadlines);
}

Status SqlTx::DeleteDeadline(const DueDeadline& d) {
  TOUSU_RETURN_IF_ERROR(held_deadlines_.Flush(db_));
  return Done(db_.Exec(kDeleteDeadline, {TimeValue(d.due_at), Text(d.platform_id), Text(d.complaint_id),
                                         Text(ToString(d.kind))}));
}

Status SqlTx::InsertEvent(EventRecord* e) {
  const auto key = std::make_pair(e->platform_id, e->complaint_id);
  if (auto it = last_event_seq_.find(key); it != last_event_seq_.end()) {
    TOUSU_RETURN_IF_ERROR(Hold(held_events_, {Text(e->platform_id), Text(e->complaint_id), Int(it->second + 1),
                                              Text(e->type), Text(e->actor.kind), Text(e->actor.ref),
                                              Text(e->actor.kind == "user" ? ToString(e->actor.role) : ""),
                                              Text(ToString(e->from)), Text(ToString(e->to)), TimeValue(e->at),
                                              TimeValue(e->recorded_at), Text(e->data_json), OptInt(e->log_index)}));
    e->seq = ++it->second;
    return Status::Ok();
  }
  TOUSU_RETURN_IF_ERROR(held_events_.Flush(db_));  // its MAX(seq) must see them
  TOUSU_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db_.Query(kInsertEvent,
                {Text(e->platform_id), Text(e->complaint_id), Text(e->platform_id),
                 Text(e->complaint_id), Text(e->type), Text(e->actor.kind), Text(e->actor.ref),
                 Text(e->actor.kind == "user" ? ToString(e->actor.role) : ""),
                 Text(ToString(e->from)), Text(ToString(e->to)), TimeValue(e->at),
                 TimeValue(e->recorded_at), Text(e->data_json), OptInt(e->log_index)}));
  if (rows.empty()) return Status::Internal("INSERT ... RETURNING seq returned no row");
  e->seq = rows.front().Int(0);
  if (writer_) last_event_seq_[key] = e->seq;
  return Status::Ok();
}

Status SqlTx::InsertMessage(const MessageRecord& m) {
  return Done(db_.Exec(kInsertMessage,
                       {Text(m.platform_id), Text(m.complaint_id), Text(m.id), Text(m.author_ref),
                        Text(ToString(m.author_role)), Text(m.text), TimeValue(m.at),
                        Int(m.event_seq)}));
}

Status SqlTx::InsertMark(const MarkRecord& m) {
  return Done(db_.Exec(kInsertMark, {Text(m.platform_id),
                                     Text(m.subject == Mark::Subject::kPlatform ? "platform" : "merchant"),
                                     Text(m.merchant_ref), Text(m.complaint_id), Text(m.kind),
                                     TimeValue(m.at)}));
}

Status SqlTx::AdjustStaffLoad(std::string_view platform, std::string_view user_ref, int delta) {
  if (user_ref.empty() || delta == 0) return Status::Ok();
  return Done(db_.Exec(kAdjustLoad, {Int(delta), Text(platform), Text(user_ref)}));
}

Status SqlTx::PutIdempotency(std::string_view platform, std::string_view scope,
                             std::string_view key, const IdempotencyRecord& r) {
  return Done(db_.Exec(kPutIdempotency, {Text(platform), Text(scope), Text(key),
                                         Text(r.request_hash), Int(r.status), Text(r.body),
                                         TimeValue(r.created_at)}));
}

Status SqlTx::InsertOutbox(std::string_view platform, std::string_view topic,
                           std::string_view payload, Instant at) {
  return Hold(held_outbox_, {Text(platform), Text(topic), Text(payload), TimeValue(at)});
}

Status SqlTx::Hold(HeldRows& held, std::vector<Value> row) {
  held.Add(std::move(row));
  return writer_ ? Status::Ok() : held.Flush(db_);
}

Status SqlTx::Flush() {
  for (HeldRows* h : {&held_leaves_, &held_nodes_, &held_outbox_, &held_events_, &held_deadlines_}) {
    TOUSU_RETURN_IF_ERROR(h->Flush(db_));
  }
  return Status::Ok();
}

HeldRows SqlTx::HeldOutbox() { return HeldRows(kInsertOutbox, 4); }
HeldRows SqlTx::HeldEvents() { return HeldRows(kInsertEventRows, 13); }
HeldRows SqlTx::HeldDeadlines() { return HeldRows(kInsertDeadlines, 4); }

}  // namespace tousu::sql
