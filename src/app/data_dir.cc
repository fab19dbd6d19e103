#include "app/data_dir.h"

#include <sys/stat.h>

#include <filesystem>

#include "base/clock.h"
#include "base/ids.h"
#include "service/auth.h"

namespace tousu {

namespace fs = std::filesystem;

std::string DatabasePath(const std::string& dir) { return (fs::path(dir) / "tousu.db").string(); }

namespace {

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

StatusOr<InitResult> InitDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  TOUSU_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(DatabasePath(dir), /*create=*/true));
  TOUSU_ASSIGN_OR_RETURN(bool already, IsInitialised(*store));
  if (already) {
    store->Close();
    return InitResult{false, ""};
  }
  SystemClock clock;
  IdGenerator ids;
  AuthService auth(clock, ids, hours(12));
  InitResult result{true, ""};
  TOUSU_RETURN_IF_ERROR(store->WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(IssuedToken admin, auth.Issue(tx, Role::kAdmin, "", ""));
    result.admin_token = admin.token;
    return tx.SetMeta("initialized_at", FormatRfc3339(clock.Now()));
  }));
  store->Close();
  ::chmod(DatabasePath(dir).c_str(), 0600);
  return result;
}

StatusOr<std::unique_ptr<SqliteStore>> OpenDataDir(const std::string& dir, SqliteStore::Options options) {
  const std::string db = DatabasePath(dir);
  if (!fs::exists(db)) {
    return Status::NotFound(dir + " is not a tousu data directory (no tousu.db); run `tousu init --data " +
                            dir + "` first");
  }
  TOUSU_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(db, /*create=*/false, std::move(options)));
  TOUSU_ASSIGN_OR_RETURN(bool done, IsInitialised(*store));
  if (!done) {
    return Status::NotFound(dir + " was never fully initialised; run `tousu init --data " + dir + "`");
  }
  return store;
}

}  // namespace tousu
