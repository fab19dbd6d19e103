// One PostgreSQL connection (libpq) with a statement cache; the PostgreSQL side of
// sql::Connection.
//
// SqlTx writes its statements with positional `?` parameters; this driver numbers them $1..$n
// (outside quoted literals) and prepares each statement once per connection and per parameter
// type signature: an integer parameter is sent as int8, bytes as bytea, text as text, and NULL
// untyped so that the server infers it from the column. Everything crosses the wire in binary form, so a
// text value is sent with its length (never cut at a NUL) and read back byte for byte.
// Result columns map to Values by type: smallint, integer, bigint and boolean to integers,
// bytea to Blob, the text types to strings, NULL to NULL. Any other column type is an error:
// tousu's schema uses no other.
//
// Errors: a unique, foreign-key, not-null or check violation (SQLSTATE class 23) is Conflict,
// like SQLite's CONSTRAINT; a serialization failure, a deadlock, a lost or refused connection or
// a server shutting down is Unavailable; a value the server cannot store (class 22: a NUL or a
// byte sequence that is not UTF-8 in text) is InvalidArgument; anything else Internal. Messages
// carry the server's text, never the connection string (it may hold a password): a malformed
// one is refused without quoting it, and the password is masked in whatever libpq says.
// Connections get defaults the string may override: connect_timeout=10, TCP keepalives and
// tcp_user_timeout (a vanished server fails a statement instead of hanging it),
// application_name=tousu. Connection poolers in transaction mode (PgBouncer) are not supported:
// the writer's advisory lock and the prepared statements belong to one server session.
//
// A connection that breaks stays broken (every statement then fails Unavailable) until its owner
// calls Reconnect, between transactions: reconnecting by itself in the middle of one would run
// the rest of it outside the transaction. The prepared statements are prepared again after.
//
// Thread-safety: one thread at a time.
#ifndef TOUSU_STORE_POSTGRES_PG_CONNECTION_H_
#define TOUSU_STORE_POSTGRES_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql/connection.h"

struct pg_conn;
struct pg_result;

namespace tousu::sql {

class PgConnection final : public Connection {
 public:
  // Connects with a libpq connection string ("host=/run/postgresql dbname=tousu" or a
  // postgresql:// URI). The session runs in UTC with the server's messages in English.
  static StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  StatusOr<std::vector<Row>> Query(const std::string& sql, const std::vector<Value>& params) override;
  StatusOr<int64_t> Exec(const std::string& sql, const std::vector<Value>& params) override;
  Status Script(const std::string& sql) override;

  // Inside BEGIN ... COMMIT; also true for a transaction a failed statement aborted (it takes a
  // ROLLBACK, or a ROLLBACK TO a savepoint, before anything else runs).
  bool InTransaction() const;
  // A failed statement aborted the transaction.
  bool TransactionFailed() const;
  // The connection is up.
  bool Healthy() const;
  // Re-establishes a broken connection (a no-op on a healthy one). The transaction it was in,
  // if any, is gone: the server rolled it back.
  Status Reconnect();
  // How many times the connection was re-established after a break.
  int64_t Resets() const { return resets_; }
  // "host:port/dbname", for logs: the connection string itself may hold a password.
  std::string Describe() const;

  // `?` placeholders numbered $1..$n, skipping quoted literals and identifiers.
  static std::string Numbered(const std::string& sql);

 private:
  PgConnection(pg_conn* conn, std::string password) : conn_(conn), password_(std::move(password)) {}
  // `text` without trailing blank lines, the password masked.
  std::string Scrub(std::string text) const;
  // Runs a cached prepared statement; the result is the caller's to PQclear.
  StatusOr<pg_result*> Run(const std::string& sql, const std::vector<Value>& params);
  Status ErrorOf(pg_result* res, std::string_view what) const;

  pg_conn* conn_;
  const std::string password_;  // from the connection string, to mask in messages
  std::unordered_map<std::string, std::string> cache_;  // sql + signature → statement name
  int64_t next_statement_ = 0;
  int64_t resets_ = 0;
};

}  // namespace tousu::sql

#endif  // TOUSU_STORE_POSTGRES_PG_CONNECTION_H_
