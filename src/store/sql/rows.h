// Row mapping shared by the three files that implement SqlTx (sql_tx.cc, sql_tx_log.cc,
// sql_tx_rules.cc): time and enum columns, the One/All result adapters, and the complaint column
// list with its mapper, which both the complaint reads and the rules' queries use. A mapper or a
// statement that only one of those files needs stays in that file.
//
// Internal to store/sql: nothing outside this folder includes it.
// Thread-safety: stateless functions and immutable constants.
#ifndef TOUSU_STORE_SQL_ROWS_H_
#define TOUSU_STORE_SQL_ROWS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/enum_names.h"
#include "domain/model.h"
#include "store/sql/connection.h"

namespace tousu::sql::internal {

// Instants are stored as integer Unix seconds.
inline Value TimeValue(Instant t) { return Int(t.unix_seconds()); }
inline Value OptTime(const std::optional<Instant>& t) { return t ? TimeValue(*t) : Null(); }
inline Instant TimeAt(const Row& r, size_t i) { return Instant::FromUnixSeconds(r.Int(i)); }
inline std::optional<Instant> OptTimeAt(const Row& r, size_t i) {
  auto v = r.OptInt(i);
  return v ? std::optional<Instant>(Instant::FromUnixSeconds(*v)) : std::nullopt;
}

// Column i as the enum E; a stored name that no longer parses is Corruption, naming `what`.
template <class E>
StatusOr<E> EnumAt(const Row& r, size_t i, std::string_view what) {
  auto v = FromString<E>(r.Text(i));
  if (!v) return Status::Corruption("stored " + std::string(what) + " is unknown: " + r.Text(i));
  return *v;
}

// Maps the first row, if any, with `from`; a failed query or mapping passes its status through.
template <class T, class F>
StatusOr<std::optional<T>> One(StatusOr<std::vector<Row>> rows, F from) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<T>();
  TOUSU_ASSIGN_OR_RETURN(T v, from(rows->front()));
  return std::optional<T>(std::move(v));
}

// Maps every row with `from`; the first failure wins.
template <class T, class F>
StatusOr<std::vector<T>> All(StatusOr<std::vector<Row>> rows, F from) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    TOUSU_ASSIGN_OR_RETURN(T v, from(r));
    out.push_back(std::move(v));
  }
  return out;
}

// The Status of an Exec, dropping the count of changed rows.
inline Status Done(StatusOr<int64_t> r) { return r.ok() ? Status::Ok() : r.status(); }

// An inline variable, so it is initialised before any constant that follows this header's
// #include in the same file (sql_tx_rules.cc's kTouching builds on it).
inline const std::string kComplaintColumns =
    "SELECT platform_id, id, order_no, consumer_ref, merchant_ref, category, incident_at, "
    "incident_ends_at, description, demands_json, late_reason, late, status, tier, assignee, "
    "version, created_at, updated_at, offer_json, decision_json, owed_json, done_json, appealed, "
    "review_overdue, reply_overdue, escalation, rating_json, assessment_json, deadlines_json, party, "
    "assessment_dict, assessment_packed FROM complaints";

// The text of a value packed with a text dictionary (text_packer.h): (dictionary id, bytes).
using UnpackFn = std::function<StatusOr<std::string>(int64_t dictionary_id, std::string_view bytes)>;

// One row selected with kComplaintColumns; a packed assessment is unpacked with `unpack`.
StatusOr<Complaint> ComplaintFrom(const Row& r, const UnpackFn& unpack);

}  // namespace tousu::sql::internal

#endif  // TOUSU_STORE_SQL_ROWS_H_
