// The data directory: where a tousu deployment keeps its database (tousu.db, with its WAL),
// and later its evidence blobs and log key. `tousu init` creates it; everything else opens it.
#ifndef TOUSU_APP_DATA_DIR_H_
#define TOUSU_APP_DATA_DIR_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {

std::string DatabasePath(const std::string& dir);

struct InitResult {
  bool created = false;      // false: it was initialised already; nothing changed
  std::string admin_token;   // set only when created
};

// Creates DIR (mode 0700), the store, and the admin token. Idempotent: an initialised DIR is
// left exactly as it was.
StatusOr<InitResult> InitDataDir(const std::string& dir);

// Opens an initialised DIR; NotFound with a message telling to run `tousu init` otherwise.
StatusOr<std::unique_ptr<SqliteStore>> OpenDataDir(const std::string& dir,
                                                   SqliteStore::Options options = {});

}  // namespace tousu

#endif  // TOUSU_APP_DATA_DIR_H_
