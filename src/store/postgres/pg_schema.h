// The PostgreSQL store's schema: the same tables, columns and indexes as the SQLite store's
// latest schema (store/sqlite/schema.cc), in PostgreSQL's types. Text columns use the "C"
// collation, so that ids and cursors order byte by byte as they do in SQLite whatever the
// database's locale; integers are bigint; bytes are bytea.
#ifndef TOUSU_STORE_POSTGRES_PG_SCHEMA_H_
#define TOUSU_STORE_POSTGRES_PG_SCHEMA_H_

#include <string>
#include <vector>

namespace tousu::sql {

struct PgMigration {
  int version;
  std::string description;
  std::string sql;
};

// In order; the store records the version it reached in tousu_schema.
const std::vector<PgMigration>& PgMigrations();

}  // namespace tousu::sql

#endif  // TOUSU_STORE_POSTGRES_PG_SCHEMA_H_
