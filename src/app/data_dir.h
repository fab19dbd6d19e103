// The data directory: where a tousu deployment keeps its database (tousu.db, with its WAL), its
// evidence files (blobs/, evidence/blob_store.h) and the transparency log's signing key
// (log.key: a C2SP signer key string, mode 0600). `tousu init` creates it; everything else
// opens it. A deployment on PostgreSQL keeps the database there instead: its libpq connection
// string is in postgres.conninfo (mode 0600, as it may hold a password), and there is no
// tousu.db. The evidence files and the key stay in the directory either way.
#ifndef TOUSU_APP_DATA_DIR_H_
#define TOUSU_APP_DATA_DIR_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "evidence/note.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {

std::string DatabasePath(const std::string& dir);
std::string LogKeyPath(const std::string& dir);
std::string PostgresConninfoPath(const std::string& dir);

struct InitResult {
  bool created = false;      // false: it was initialised already; nothing changed
  std::string admin_token;   // set only when created
  bool key_created = false;  // a signing key was made (new DIR, or one that predates the log)
  std::string verifier_key;  // the log's public key, C2SP verifier key form
};

// Creates DIR (mode 0700), the store, the admin token and the log's Ed25519 signing key, named
// `log_origin` (default "tousu/" + 16 random hex digits; the origin line of every checkpoint).
// With `postgres_conninfo`, the store is that PostgreSQL database (its tables are created; the
// database itself must exist) and DIR remembers it; a DIR that holds a SQLite store, or names
// another database, is refused.
// Idempotent: an initialised DIR is left as it was, except that a missing signing key is made.
StatusOr<InitResult> InitDataDir(const std::string& dir, const std::string& log_origin = "",
                                 const std::string& postgres_conninfo = "");

// The log's signing key of an initialised DIR. Refuses a key file that others may read.
StatusOr<evidence::NoteSigner> LoadLogSigner(const std::string& dir);

// How to open either store; the one DIR holds takes its options.
struct StoreOptions {
  SqliteStore::Options sqlite;
  PgStore::Options postgres;
};

// Opens the store of an initialised DIR; NotFound with a message telling to run `tousu init`
// otherwise.
StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir, StoreOptions options = {});

}  // namespace tousu

#endif  // TOUSU_APP_DATA_DIR_H_
