#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstring>

namespace tousu::sql {

namespace {

// Type OIDs (PostgreSQL's pg_type.dat; stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kNameOid = 19;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kUnknownOid = 705;
constexpr Oid kBpcharOid = 1042;
constexpr Oid kVarcharOid = 1043;
constexpr Oid kVoidOid = 2278;  // what a function returning nothing returns

int64_t BigEndian(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  // Sign-extend the narrower integers.
  if (bytes < 8 && (v & (uint64_t{1} << (bytes * 8 - 1))) != 0) v |= ~uint64_t{0} << (bytes * 8);
  return static_cast<int64_t>(v);
}

void PutBigEndian(int64_t value, char* out) {
  const auto v = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
}

// Notices ("relation already exists, skipping") are not errors and go nowhere.
void IgnoreNotice(void*, const char*) {}

}  // namespace

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  // Parsed first, so that a malformed string is refused without libpq's message, which quotes
  // the string (and so a password in it).
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (parsed == nullptr) {
    return Status::InvalidArgument(
        "the PostgreSQL connection string is malformed: expected key=value pairs such as \"host=/run/postgresql "
        "dbname=tousu\", or a postgresql:// URI (the string is not repeated here: it may hold a password)");
  }
  std::string password;
  for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) password = o->val;
  }
  PQconninfoFree(parsed);
  // Defaults the string may override (it is expanded in place of dbname, after them): give up
  // on a server that does not answer instead of hanging a store thread, notice a peer that
  // vanished, and show up as "tousu" in pg_stat_activity.
  const char* const keywords[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                                  "tcp_user_timeout", "application_name", "dbname", nullptr};
  const char* const values[] = {"10", "30", "10", "3", "60000", "tousu", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  auto out = std::unique_ptr<PgConnection>(new PgConnection(conn, std::move(password)));
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status::Unavailable("cannot connect to PostgreSQL: " + out->Scrub(PQerrorMessage(conn)));
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  if (PQsetClientEncoding(conn, "UTF8") != 0) return Status::Unavailable("PostgreSQL refused client_encoding UTF8");
  TOUSU_RETURN_IF_ERROR(out->Script("SET TimeZone = 'UTC'"));
  return out;
}

std::string PgConnection::Scrub(std::string text) const {
  if (!password_.empty()) {
    for (size_t at = text.find(password_); at != std::string::npos; at = text.find(password_, at)) {
      text.replace(at, password_.size(), "****");
    }
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool PgConnection::TransactionFailed() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

std::string PgConnection::Describe() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* db = PQdb(conn_);
  return std::string(host ? host : "?") + ":" + (port ? port : "?") + "/" + (db ? db : "?");
}

std::string PgConnection::Numbered(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;  // ' or " while inside a literal or a quoted identifier
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      out += c;
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string::npos ? sql.size() : end;
      out.append(sql, i, stop - i);
      i = stop - 1;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Status PgConnection::ErrorOf(PGresult* res, std::string_view what) const {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const std::string msg = Scrub(std::string(what) + ": " + (primary ? primary : PQerrorMessage(conn_)));
  const std::string code = state ? state : "";
  if (PQstatus(conn_) != CONNECTION_OK) return Status::Unavailable("the PostgreSQL connection broke: " + msg);
  if (code.rfind("23", 0) == 0) return Status::Conflict("already exists").WithDetail(msg + " (" + code + ")");
  if (code == "40001" || code == "40P01" || code.rfind("08", 0) == 0 || code.rfind("57", 0) == 0 ||
      code == "53300" || code == "55P03") {
    return Status::Unavailable(msg + " (" + code + ")");
  }
  if (code.rfind("22", 0) == 0) {
    return Status::InvalidArgument("a value cannot be stored: " + std::string(primary ? primary : "invalid"))
        .WithDetail(msg + " (" + code + ")");
  }
  return Status::Internal(msg + (code.empty() ? "" : " (" + code + ")"));
}

Status PgConnection::Reconnect() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Status::Unavailable("cannot reconnect to PostgreSQL: " + Scrub(PQerrorMessage(conn_)));
  }
  ++resets_;
  cache_.clear();  // the server forgot the prepared statements with the session
  PQsetClientEncoding(conn_, "UTF8");
  return Script("SET TimeZone = 'UTC'");
}

StatusOr<PGresult*> PgConnection::Run(const std::string& sql, const std::vector<Value>& params) {
  if (PQstatus(conn_) != CONNECTION_OK) return Status::Unavailable("the PostgreSQL connection is down");
  const size_t n = params.size();
  std::string signature(n, 'n');
  std::vector<Oid> types(n, 0);
  std::vector<const char*> values(n, nullptr);
  std::vector<int> lengths(n, 0);
  std::vector<int> formats(n, 1);
  std::vector<char> ints(n * 8);
  for (size_t i = 0; i < n; ++i) {
    const Value& v = params[i];
    if (const auto* x = std::get_if<int64_t>(&v)) {
      signature[i] = 'i';
      types[i] = kInt8Oid;
      PutBigEndian(*x, &ints[i * 8]);
      values[i] = &ints[i * 8];
      lengths[i] = 8;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      signature[i] = 't';
      types[i] = kTextOid;
      values[i] = s->data();
      lengths[i] = static_cast<int>(s->size());
    } else if (const auto* b = std::get_if<Blob>(&v)) {
      signature[i] = 'b';
      types[i] = kByteaOid;
      values[i] = b->bytes.data();
      lengths[i] = static_cast<int>(b->bytes.size());
    }
  }
  // An empty string must still be a value, not NULL.
  static const char kEmpty = 0;
  for (size_t i = 0; i < n; ++i) {
    if (values[i] == nullptr && signature[i] != 'n') values[i] = &kEmpty;
  }
  std::string key = signature;
  key += '\x1f';
  key += sql;
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    const std::string name = "s" + std::to_string(++next_statement_);
    PGresult* prepared = PQprepare(conn_, name.c_str(), Numbered(sql).c_str(), static_cast<int>(n), types.data());
    const bool ok = prepared != nullptr && PQresultStatus(prepared) == PGRES_COMMAND_OK;
    Status error = ok ? Status::Ok() : ErrorOf(prepared, "prepare " + sql.substr(0, 80));
    PQclear(prepared);
    if (!ok) return error;
    it = cache_.emplace(std::move(key), name).first;
  }
  PGresult* res = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(n), values.data(), lengths.data(),
                                 formats.data(), /*resultFormat=*/1);
  const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Status error = ErrorOf(res, "run " + sql.substr(0, 80));
    PQclear(res);
    return error;
  }
  return res;
}

StatusOr<std::vector<Row>> PgConnection::Query(const std::string& sql, const std::vector<Value>& params) {
  TOUSU_ASSIGN_OR_RETURN(PGresult * res, Run(sql, params));
  const int nrows = PQntuples(res);
  const int ncols = PQnfields(res);
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(nrows));
  for (int r = 0; r < nrows; ++r) {
    std::vector<Value> cols;
    cols.reserve(static_cast<size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        cols.emplace_back(std::monostate{});
        continue;
      }
      const char* p = PQgetvalue(res, r, c);
      const int len = PQgetlength(res, r, c);
      switch (const Oid type = PQftype(res, c)) {
        case kInt8Oid:
        case kInt4Oid:
        case kInt2Oid:
        case kBoolOid:
          cols.emplace_back(BigEndian(p, len));
          break;
        case kByteaOid:
          cols.emplace_back(Blob{std::string(p, static_cast<size_t>(len))});
          break;
        case kTextOid:
        case kVarcharOid:
        case kBpcharOid:
        case kNameOid:
        case kUnknownOid:
          cols.emplace_back(std::string(p, static_cast<size_t>(len)));
          break;
        case kVoidOid:
          cols.emplace_back(std::monostate{});
          break;
        default:
          PQclear(res);
          return Status::Internal("column " + std::to_string(c) + " of \"" + sql.substr(0, 80) +
                                  "\" has PostgreSQL type " + std::to_string(type) + ", which tousu does not read");
      }
    }
    rows.emplace_back(std::move(cols));
  }
  PQclear(res);
  return rows;
}

StatusOr<int64_t> PgConnection::Exec(const std::string& sql, const std::vector<Value>& params) {
  TOUSU_ASSIGN_OR_RETURN(PGresult * res, Run(sql, params));
  const char* tuples = PQcmdTuples(res);
  const int64_t changed = (tuples && *tuples) ? std::strtoll(tuples, nullptr, 10) : 0;
  PQclear(res);
  return changed;
}

Status PgConnection::Script(const std::string& sql) {
  if (PQstatus(conn_) != CONNECTION_OK) return Status::Unavailable("the PostgreSQL connection is down");
  PGresult* res = PQexec(conn_, sql.c_str());
  const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  Status s = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
                 ? Status::Ok()
                 : ErrorOf(res, "exec " + sql.substr(0, 80));
  PQclear(res);
  return s;
}

}  // namespace tousu::sql
