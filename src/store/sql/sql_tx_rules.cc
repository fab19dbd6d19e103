// SqlTx, part three: what the rules engine reads and keeps: versioned policies, platform
// terms, and the bounded queries for similar complaints and open complaints whose incident
// window touches a given one.
#include "store/sql/sql_tx.h"

#include <algorithm>

#include "store/sql/rows.h"

namespace tousu::sql {

using internal::All;
using internal::Done;
using internal::EnumAt;
using internal::One;
using internal::TimeAt;
using internal::TimeValue;
using internal::kComplaintColumns;

namespace {

// ---- SQL, one named constant per statement -------------------------------------------------

const std::string kPolicyColumns =
    "SELECT platform_id, version, text, created_by, created_at FROM policies WHERE platform_id = ?";
const std::string kGetCurrentPolicy = kPolicyColumns + " ORDER BY version DESC LIMIT 1";
const std::string kGetPolicyVersion = kPolicyColumns + " AND version = ?";
const std::string kInsertPolicy =
    "INSERT INTO policies (platform_id, version, text, created_by, created_at) VALUES (?, ?, ?, ?, ?)";

const std::string kGetPlatformTerms = "SELECT terms, updated_at FROM platform_terms WHERE platform_id = ?";
const std::string kPutPlatformTerms =
    "INSERT INTO platform_terms (platform_id, terms, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (platform_id) DO UPDATE SET terms = excluded.terms, updated_at = excluded.updated_at";

// Bounded index ranges over covering indexes: complaints_similar (platform-wide),
// complaints_similar_by_merchant (one merchant), complaints_undetermined (the refresh).
const std::string kSimilarColumns = "SELECT id, merchant_ref, incident_at, status, party FROM complaints";
const std::string kSimilarWhere =
    " WHERE platform_id = ? AND category = ? AND incident_at >= ? AND incident_at <= ? AND id <> ? AND "
    "status <> 'withdrawn'";
const std::string kOpenStatuses =
    "('submitted', 'awaiting_merchant', 'offer_made', 'platform_review', 'decided', 'remedy_due')";
// Every category's names, quoted, for an IN list.
std::string CategoryList() {
  std::string out = "(";
  for (Category c : AllOf<Category>()) out += std::string(out.size() > 1 ? ", '" : "'") + std::string(ToString(c)) + "'";
  return out + ")";
}
// Every category's range of incident_at in [earliest, to] on complaints_similar (which holds
// status: only open complaints' rows are read), then the window's end is checked.
const std::string kTouchingWhere =
    " WHERE platform_id = ? AND category IN " + CategoryList() + " AND incident_at >= ? AND incident_at <= ? AND "
    "COALESCE(incident_ends_at, incident_at) >= ? AND status IN " + kOpenStatuses + " AND id > ?";


}  // namespace

// ---- reads ----------------------------------------------------------------------------------

StatusOr<std::optional<PolicyRecord>> SqlTx::GetPolicy(std::string_view platform,
                                                       std::optional<int64_t> version) {
  auto rows = version ? db_.Query(kGetPolicyVersion, {Text(platform), Int(*version)})
                      : db_.Query(kGetCurrentPolicy, {Text(platform)});
  return One<PolicyRecord>(std::move(rows), [](const Row& r) -> StatusOr<PolicyRecord> {
    return PolicyRecord{r.Text(0), r.Int(1), r.Text(2), r.Text(3), TimeAt(r, 4)};
  });
}

namespace {

// The text of each variant of the similar-complaints query, built once: a filing runs four.
std::string SimilarComplaintsSql(Dialect dialect, bool by_merchant, bool only_undetermined_open, bool newest_first) {
  // Each variant has its covering index. SQLite is told which: with statistics from a real
  // ANALYZE of seeded data (undetermined complaints common) it chose complaints_similar for the
  // refresh and walked a whole storm on every filing (filing fell from ~3,800/s to ~180/s).
  const char* index = by_merchant              ? "complaints_similar_by_merchant"
                      : only_undetermined_open ? "complaints_undetermined"
                                               : "complaints_similar";
  std::string sql = kSimilarColumns;
  if (dialect == Dialect::kSqlite) sql += std::string(" INDEXED BY ") + index;
  sql += kSimilarWhere;
  if (by_merchant) sql += " AND merchant_ref = ?";
  // Word for word the partial index's condition (schema version 12), so that SQLite uses it.
  if (only_undetermined_open) sql += " AND party = 'undetermined' AND status IN " + kOpenStatuses;
  // By incident time only: the index's order, so the LIMIT stops the scan. (With an id
  // tie-break SQLite sorted every complaint of the same second first: a storm's all of them.)
  sql += newest_first ? " ORDER BY incident_at DESC LIMIT ?" : " ORDER BY incident_at LIMIT ?";
  return sql;
}

const std::string& SimilarSqlFor(Dialect dialect, bool by_merchant, bool only_undetermined_open, bool newest_first) {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> all;
    for (Dialect d : {Dialect::kSqlite, Dialect::kPostgres}) {
      for (int bits = 0; bits < 8; ++bits) {
        all.push_back(SimilarComplaintsSql(d, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0));
      }
    }
    return all;
  }();
  const int bits = (by_merchant ? 1 : 0) | (only_undetermined_open ? 2 : 0) | (newest_first ? 4 : 0);
  return kAll[(dialect == Dialect::kSqlite ? 0 : 8) + bits];
}

}  // namespace

SqlQuery SimilarComplaintsQuery(Dialect dialect, std::string_view platform, const SimilarQuery& q) {
  SqlQuery out{SimilarSqlFor(dialect, !q.merchant_ref.empty(), q.only_undetermined_open, q.newest_first),
               {Text(platform), Text(ToString(q.category)), TimeValue(q.from), TimeValue(q.to), Text(q.exclude_id)}};
  if (!q.merchant_ref.empty()) out.params.push_back(Text(q.merchant_ref));
  out.params.push_back(Int(q.limit));
  return out;
}

namespace {

bool SameQuestion(std::string_view platform, const SimilarQuery& q, const std::string& p, const SimilarQuery& m) {
  return platform == p && q.category == m.category && q.merchant_ref == m.merchant_ref && q.from == m.from &&
         q.to == m.to && q.exclude_id == m.exclude_id && q.limit == m.limit && q.newest_first == m.newest_first &&
         q.only_undetermined_open == m.only_undetermined_open;
}

// Remembered answers per transaction: a storm's group asks a handful of distinct questions.
constexpr size_t kMaxSimilarMemos = 64;

}  // namespace

StatusOr<std::vector<SimilarComplaint>> SqlTx::ListSimilarComplaints(std::string_view platform,
                                                                     const SimilarQuery& q) {
  // The refresh's question (undetermined open ones) changes with every reassessment: not kept.
  const bool memo = writer_ && !q.only_undetermined_open;
  if (memo) {
    for (const SimilarMemo& m : similar_memo_) {
      if (SameQuestion(platform, q, m.platform, m.query)) return m.found;
    }
  }
  const SqlQuery query = SimilarComplaintsQuery(db_.dialect(), platform, q);
  TOUSU_ASSIGN_OR_RETURN(
      std::vector<SimilarComplaint> found,
      All<SimilarComplaint>(db_.Query(query.sql, query.params), [](const Row& r) -> StatusOr<SimilarComplaint> {
        TOUSU_ASSIGN_OR_RETURN(ComplaintStatus st, EnumAt<ComplaintStatus>(r, 3, "complaint status"));
        TOUSU_ASSIGN_OR_RETURN(Party party, EnumAt<Party>(r, 4, "responsibility party"));
        return SimilarComplaint{r.Text(0), r.Text(1), TimeAt(r, 2), st, party};
      }));
  if (memo) {
    if (similar_memo_.size() >= kMaxSimilarMemos) similar_memo_.erase(similar_memo_.begin());
    similar_memo_.push_back(SimilarMemo{std::string(platform), q, found});
  }
  return found;
}

void SqlTx::NoteSimilar(const Complaint& c) {
  for (SimilarMemo& m : similar_memo_) {
    const SimilarQuery& q = m.query;
    // The query's WHERE, for this one complaint.
    if (m.platform != c.platform_id || q.category != c.category) continue;
    if (!q.merchant_ref.empty() && q.merchant_ref != c.merchant_ref) continue;
    if (c.incident_at < q.from || c.incident_at > q.to || c.id == q.exclude_id) continue;
    if (c.status == ComplaintStatus::kWithdrawn) continue;
    // Its place by incident time (nearest first: descending when newest_first), after the
    // complaints of the same second; ties may be listed in any order.
    auto& found = m.found;
    auto at = std::find_if(found.begin(), found.end(), [&](const SimilarComplaint& s) {
      return q.newest_first ? s.incident_at < c.incident_at : s.incident_at > c.incident_at;
    });
    if (at == found.end() && static_cast<int>(found.size()) >= q.limit) continue;  // not among the nearest
    found.insert(at, SimilarComplaint{c.id, c.merchant_ref, c.incident_at, c.status, c.party});
    if (static_cast<int>(found.size()) > q.limit) found.pop_back();
  }
}

StatusOr<std::vector<Complaint>> SqlTx::ListOpenComplaintsTouching(std::string_view platform,
                                                                   const TouchingQuery& q) {
  std::string sql = kComplaintColumns + (db_.dialect() == Dialect::kSqlite ? " INDEXED BY complaints_similar" : "") +
                    kTouchingWhere;
  std::vector<Value> params{Text(platform), TimeValue(q.earliest_incident_at), TimeValue(q.to),
                            TimeValue(q.from), Text(q.after_id)};
  if (!q.merchant_ref.empty()) {
    sql += " AND merchant_ref = ?";
    params.push_back(Text(q.merchant_ref));
  }
  sql += " ORDER BY id LIMIT ?";
  params.push_back(Int(q.limit));
  return All<Complaint>(db_.Query(sql, params), [this](const Row& r) { return ComplaintOf(r); });
}

StatusOr<std::optional<std::pair<std::string, Instant>>> SqlTx::GetPlatformTerms(std::string_view platform) {
  return One<std::pair<std::string, Instant>>(
      db_.Query(kGetPlatformTerms, {Text(platform)}),
      [](const Row& r) -> StatusOr<std::pair<std::string, Instant>> { return std::make_pair(r.Text(0), TimeAt(r, 1)); });
}

// ---- writes ---------------------------------------------------------------------------------

Status SqlTx::PutPlatformTerms(std::string_view platform, std::string_view terms, Instant at) {
  return Done(db_.Exec(kPutPlatformTerms, {Text(platform), Text(terms), TimeValue(at)}));
}

Status SqlTx::InsertPolicy(const PolicyRecord& p) {
  return Done(db_.Exec(kInsertPolicy, {Text(p.platform_id), Int(p.version), Text(p.text),
                                       Text(p.created_by), TimeValue(p.created_at)}));
}

}  // namespace tousu::sql
