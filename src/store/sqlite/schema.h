// SQLite schema migrations, versioned in the binary. Migration N brings a store from
// user_version N-1 to N; a store with a newer version than the binary knows is refused. A
// migration merged after a higher-numbered one names a table of its own, so that stores already
// past its number still get it.
#ifndef TOUSU_STORE_SQLITE_SCHEMA_H_
#define TOUSU_STORE_SQLITE_SCHEMA_H_

#include <string>
#include <vector>

namespace tousu::sql {

struct Migration {
  int version;
  std::string description;
  std::string sql;
  // For a migration that reached some stores after a higher-numbered one: applied whatever
  // the store's version, when this table is missing.
  std::string applied_unless_table = "";
};

const std::vector<Migration>& SqliteMigrations();

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQLITE_SCHEMA_H_
