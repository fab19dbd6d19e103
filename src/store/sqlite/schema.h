// SQLite schema migrations, versioned in the binary. Migration N brings a store from
// user_version N-1 to N; a store with a newer version than the binary knows is refused.
#ifndef TOUSU_STORE_SQLITE_SCHEMA_H_
#define TOUSU_STORE_SQLITE_SCHEMA_H_

#include <string>
#include <vector>

namespace tousu::sql {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

const std::vector<Migration>& SqliteMigrations();

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQLITE_SCHEMA_H_
