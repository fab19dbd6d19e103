#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "service/auth.h"

namespace tousu {

namespace fs = std::filesystem;

std::string DatabasePath(const std::string& dir) { return (fs::path(dir) / "tousu.db").string(); }
std::string LogKeyPath(const std::string& dir) { return (fs::path(dir) / "log.key").string(); }
std::string PostgresConninfoPath(const std::string& dir) { return (fs::path(dir) / "postgres.conninfo").string(); }

namespace {

// Writes `text` and a newline to the new file `path` of mode 0600 in `dir`, durably; never
// replaces a file.
Status WriteSecretFile(const std::string& dir, const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + path + ": " + std::strerror(errno));
  const std::string line = text + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::Unavailable("cannot write " + path);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

// Makes the log's signing key unless DIR has one; returns the key's verifier string.
StatusOr<std::pair<bool, std::string>> EnsureLogKey(const std::string& dir, std::string origin) {
  if (fs::exists(LogKeyPath(dir))) {
    TOUSU_ASSIGN_OR_RETURN(evidence::NoteSigner existing, LoadLogSigner(dir));
    return std::make_pair(false, existing.VerifierKey());
  }
  if (origin.empty()) origin = "tousu/" + HexEncode(RandomBytes(8));
  TOUSU_ASSIGN_OR_RETURN(evidence::NoteSigner signer, evidence::NoteSigner::Generate(origin));
  TOUSU_RETURN_IF_ERROR(WriteSecretFile(dir, LogKeyPath(dir), signer.SignerKey()));
  return std::make_pair(true, signer.VerifierKey());
}

// The file's text without its line ends, or nullopt when it does not exist.
std::optional<std::string> ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The PostgreSQL database DIR names, for init: the given one, or the one DIR remembers.
StatusOr<std::string> ChoosePostgres(const std::string& dir, const std::string& conninfo) {
  const std::optional<std::string> remembered = ReadTrimmed(PostgresConninfoPath(dir));
  if (conninfo.empty()) return remembered.value_or("");
  if (conninfo.find('\n') != std::string::npos || conninfo.find('\r') != std::string::npos) {
    return Status::InvalidArgument("the PostgreSQL connection string must be one line");
  }
  if (fs::exists(DatabasePath(dir))) {
    return Status::InvalidArgument(dir + " holds a SQLite store (tousu.db); a PostgreSQL store needs a new data directory");
  }
  if (remembered && *remembered != conninfo) {
    return Status::InvalidArgument(dir + " is initialised on another PostgreSQL database (see " +
                                   PostgresConninfoPath(dir) + ")");
  }
  return conninfo;
}

StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& dir, const std::string& postgres, bool create,
                                           StoreOptions options) {
  if (!postgres.empty()) {
    TOUSU_ASSIGN_OR_RETURN(auto pg, PgStore::Open(postgres, std::move(options.postgres)));
    return std::unique_ptr<Store>(std::move(pg));
  }
  TOUSU_ASSIGN_OR_RETURN(auto lite, SqliteStore::Open(DatabasePath(dir), create, std::move(options.sqlite)));
  return std::unique_ptr<Store>(std::move(lite));
}

StatusOr<bool> IsInitialised(Store& store) {
  bool done = false;
  TOUSU_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto v, tx.GetMeta("initialized_at"));
    done = v.has_value();
    return Status::Ok();
  }));
  return done;
}

}  // namespace

StatusOr<InitResult> InitDataDir(const std::string& dir, const std::string& log_origin,
                                 const std::string& postgres_conninfo) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  TOUSU_ASSIGN_OR_RETURN(const std::string postgres, ChoosePostgres(dir, postgres_conninfo));
  TOUSU_ASSIGN_OR_RETURN(auto store, OpenStore(dir, postgres, /*create=*/true, {}));
  TOUSU_ASSIGN_OR_RETURN(bool already, IsInitialised(*store));
  // Remembered once the database answered, so that a mistyped connection string is not. A
  // database that another data directory initialised belongs with that directory's signing key
  // and evidence files: a new directory for it would sign the same log with a second key.
  if (!postgres.empty() && !fs::exists(PostgresConninfoPath(dir))) {
    Status s = already ? Status::InvalidArgument(
                             "that PostgreSQL database was initialised from another data directory; use that "
                             "directory, or a copy of it (its log.key and blobs/ belong with the database)")
                       : WriteSecretFile(dir, PostgresConninfoPath(dir), postgres);
    if (!s.ok()) {
      store->Close();
      return s;
    }
  }
  InitResult result;
  result.created = !already;
  auto key = EnsureLogKey(dir, log_origin);
  if (!key.ok()) {
    store->Close();
    return key.status();
  }
  result.key_created = key->first;
  result.verifier_key = key->second;
  if (already) {
    store->Close();
    return result;
  }
  SystemClock clock;
  IdGenerator ids;
  AuthService auth(clock, ids, hours(12));
  TOUSU_RETURN_IF_ERROR(store->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(IssuedToken admin, auth.Issue(tx, Role::kAdmin, "", ""));
    result.admin_token = admin.token;
    return tx.SetMeta("initialized_at", FormatRfc3339(clock.Now()));
  }));
  store->Close();
  if (postgres.empty()) ::chmod(DatabasePath(dir).c_str(), 0600);
  return result;
}

StatusOr<evidence::NoteSigner> LoadLogSigner(const std::string& dir) {
  const std::string path = LogKeyPath(dir);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound(dir + " has no log signing key (log.key); run `tousu init --data " + dir +
                            "` to create it");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied(path + " may be read by other users; run `chmod 600 " + path + "`");
  }
  const std::string skey = ReadTrimmed(path).value_or("");
  auto signer = evidence::NoteSigner::FromSignerKey(skey);
  if (!signer.ok()) return Status::Corruption(path + " is not a valid signer key: " + signer.status().message());
  return signer;
}

StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir, StoreOptions options) {
  const std::optional<std::string> postgres = ReadTrimmed(PostgresConninfoPath(dir));
  if (!postgres && !fs::exists(DatabasePath(dir))) {
    return Status::NotFound(dir + " is not a tousu data directory (no tousu.db or postgres.conninfo); run `tousu init --data " +
                            dir + "` first");
  }
  if (postgres) {
    const std::string path = PostgresConninfoPath(dir);
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      return Status::PermissionDenied(path + " may be read by other users; run `chmod 600 " + path + "`");
    }
    if (postgres->empty()) return Status::InvalidArgument(path + " is empty");
  }
  TOUSU_ASSIGN_OR_RETURN(auto store, OpenStore(dir, postgres.value_or(""), /*create=*/false, std::move(options)));
  TOUSU_ASSIGN_OR_RETURN(bool done, IsInitialised(*store));
  if (!done) {
    return Status::NotFound(dir + " was never fully initialised; run `tousu init --data " + dir + "`");
  }
  return store;
}

}  // namespace tousu
