// Pipelined durability in the SQLite store: a group's jobs hear `done` only after the WAL sync
// that covers them, the writer commits the next group while one is being synced, answers built
// from reads wait for what they saw, and a failed sync stops the store. The WAL sync is the
// store's own `sync_wal` hook wrapped in a gate that holds it back (or fails it); a failing
// sync of the database file (in a checkpoint) comes from a VFS over SQLite's own. Everything
// else is the real store on a real file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include "base/crypto.h"
#include "base/encoding.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Holds every WAL sync until opened; counts the syncs that began. fail_with != 0 makes the
// syncs fail with that errno instead of syncing.
class SyncGate {
 public:
  std::function<int(int)> Hook() {
    return [this](int fd) {
      std::unique_lock lock(mu_);
      ++started_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
      if (fail_with_ != 0) return fail_with_;
      return ::fdatasync(fd) == 0 ? 0 : errno;
    };
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void FailWith(int err) {
    std::lock_guard lock(mu_);
    fail_with_ = err;
  }
  bool WaitStarted(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return started_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int started_ = 0;
  int fail_with_ = 0;
};

// SQLite's default VFS with the syncs of main database files failing on demand, as a disk that
// lost a checkpoint's writes reports it: SQLITE_IOERR_FSYNC. While one exists it is the default
// VFS, so every connection opened meanwhile (the store's) reads and writes through it.
class FailingDatabaseSync {
 public:
  FailingDatabaseSync() : real_(sqlite3_vfs_find(nullptr)), vfs_(*real_) {
    instance_ = this;
    vfs_.zName = "tousu-test-failing-db-sync";
    vfs_.xOpen = &Open;
    sqlite3_vfs_register(&vfs_, /*makeDflt=*/1);
  }
  ~FailingDatabaseSync() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, 1);
    instance_ = nullptr;
  }
  FailingDatabaseSync(const FailingDatabaseSync&) = delete;
  FailingDatabaseSync& operator=(const FailingDatabaseSync&) = delete;

  void Fail(bool on) { failing_.store(on); }
  int failed() const { return failed_.load(); }
  // While held, a sync of a main database file waits (a disk that does not answer).
  void Hold(bool on) {
    std::lock_guard lock(hold_mu_);
    held_ = on;
    hold_cv_.notify_all();
  }

 private:
  // The real file's methods with xSync replaced; `io` first, so a file's pMethods leads here.
  struct Methods {
    sqlite3_io_methods io;
    const sqlite3_io_methods* real;
  };

  // The real VFS opens the file; a main database file then gets the copy of its methods.
  static int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    FailingDatabaseSync* self = instance_;
    const int rc = self->real_->xOpen(self->real_, name, file, flags, out_flags);
    if (rc != SQLITE_OK || (flags & SQLITE_OPEN_MAIN_DB) == 0 || file->pMethods == nullptr) return rc;
    std::lock_guard lock(self->mu_);
    auto& methods = self->methods_[file->pMethods];
    if (!methods) {
      methods = std::make_unique<Methods>(Methods{*file->pMethods, file->pMethods});
      methods->io.xSync = &Sync;
    }
    file->pMethods = &methods->io;
    return rc;
  }
  static int Sync(sqlite3_file* file, int flags) {
    {
      std::unique_lock lock(instance_->hold_mu_);
      instance_->hold_cv_.wait(lock, [] { return !instance_->held_; });
    }
    if (instance_->failing_.load()) {
      instance_->failed_.fetch_add(1);
      return SQLITE_IOERR_FSYNC;
    }
    return reinterpret_cast<const Methods*>(file->pMethods)->real->xSync(file, flags);
  }

  static inline FailingDatabaseSync* instance_ = nullptr;
  sqlite3_vfs* real_;
  sqlite3_vfs vfs_;
  std::atomic<bool> failing_{false};
  std::atomic<int> failed_{0};
  std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  bool held_ = false;  // GUARDED_BY(hold_mu_)
  std::mutex mu_;
  std::map<const sqlite3_io_methods*, std::unique_ptr<Methods>> methods_;  // GUARDED_BY(mu_)
};

class DurabilityTest : public ::testing::Test {
 protected:
  DurabilityTest() : dir_(fs::temp_directory_path() / ("tousu-durable-" + HexEncode(RandomBytes(6)))) {
    fs::create_directories(dir_);
  }
  ~DurabilityTest() override { fs::remove_all(dir_); }

  // A store whose WAL syncs go through gate_; `disk_stall` as SqliteStore::Options has it.
  std::unique_ptr<SqliteStore> OpenGated(std::chrono::milliseconds disk_stall = SqliteStore::Options().disk_stall) {
    SqliteStore::Options options;
    options.sync_wal = gate_.Hook();
    options.disk_stall = disk_stall;
    return SqliteStore::Open(Path(), true, options).value();
  }
  std::string Path() const { return (dir_ / "t.db").string(); }

  // A store with the real fdatasync, marked initialised (so that Ready() is true), and one
  // write answered; null if a write failed.
  std::unique_ptr<SqliteStore> OpenWithADurableWrite(SqliteStore::Options options = {}) {
    auto store = SqliteStore::Open(Path(), true, options).value();
    auto initialised = Put(*store, "initialized_at", "2026-12-03T00:00:00Z");
    auto first = Put(*store, "a", "1");
    for (auto* f : {&initialised, &first}) {
      if (f->wait_for(5s) != std::future_status::ready || !f->get().ok()) return nullptr;
    }
    return store;
  }

  // Queues a write of meta key = value; the future is its `done` status.
  static std::future<Status> Put(Store& store, const std::string& key, const std::string& value) {
    auto promise = std::make_shared<std::promise<Status>>();
    auto result = promise->get_future();
    store.Write([key, value](WriteTx& tx) { return tx.SetMeta(key, value); },
                [promise](Status s) { promise->set_value(std::move(s)); });
    return result;
  }

  static std::optional<std::string> Get(Store& store, const std::string& key) {
    std::optional<std::string> v;
    EXPECT_TRUE(store.Read([&](ReadTx& tx) -> Status {
                  TOUSU_ASSIGN_OR_RETURN(v, tx.GetMeta(key));
                  return Status::Ok();
                }).ok());
    return v;
  }

  // Polls `done` every 10 ms until it is true, for at most five seconds.
  static bool Eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  // Polls until a reader sees `key` (the commit is visible).
  static bool Visible(Store& store, const std::string& key) {
    return Eventually([&] { return Get(store, key).has_value(); });
  }

  static bool Ready(std::future<Status>& f) { return f.wait_for(0s) == std::future_status::ready; }

  fs::path dir_;
  SyncGate gate_;
};

TEST_F(DurabilityTest, AWriteIsAnsweredOnlyAfterTheSyncThatCoversIt) {
  auto store = OpenGated();
  auto done = Put(*store, "a", "1");
  ASSERT_TRUE(Visible(*store, "a"));  // committed: readers see it
  ASSERT_TRUE(gate_.WaitStarted(1));
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(Ready(done)) << "answered before its WAL sync";
  gate_.Open();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(done.get().ok());
  store->Close();
}

TEST_F(DurabilityTest, TheWriterCommitsTheNextGroupWhileOneIsBeingSynced) {
  auto store = OpenGated();
  auto first = Put(*store, "a", "1");
  ASSERT_TRUE(gate_.WaitStarted(1));  // the first group's sync is held
  auto second = Put(*store, "b", "2");
  EXPECT_TRUE(Visible(*store, "b")) << "the writer waited for the sync instead of going on";
  EXPECT_FALSE(Ready(first));
  EXPECT_FALSE(Ready(second));
  gate_.Open();
  ASSERT_EQ(first.wait_for(5s), std::future_status::ready);
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(second.get().ok());
  store->Close();
}

TEST_F(DurabilityTest, AnAnswerFromAReadWaitsForWhatTheReadCouldHaveSeen) {
  auto store = OpenGated();
  const uint64_t before = store->ReadHorizon();
  auto done = Put(*store, "a", "1");
  ASSERT_TRUE(Visible(*store, "a"));
  const uint64_t after = store->ReadHorizon();  // taken after a read that saw "a"
  EXPECT_TRUE(store->Durable(before)) << "nothing before the write needs waiting for";
  EXPECT_FALSE(store->Durable(after));

  std::promise<bool> answered;
  store->AfterDurable(after, [&](Status durable) { answered.set_value(durable.ok()); });
  auto answer = answered.get_future();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(answer.wait_for(0s), std::future_status::timeout) << "the answer left before the sync";

  bool at_once = false;
  store->AfterDurable(before, [&](Status durable) { at_once = durable.ok(); });
  EXPECT_TRUE(at_once) << "an already durable horizon runs the answer at once, on this thread";

  gate_.Open();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(answer.get());
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(store->Durable(store->ReadHorizon()));
  store->Close();
}

TEST_F(DurabilityTest, AFailedSyncStopsTheStore) {
  auto store = OpenGated();
  auto initialised = Put(*store, "initialized_at", "2026-12-03T00:00:00Z");
  auto done = Put(*store, "a", "1");
  ASSERT_TRUE(Visible(*store, "a"));
  ASSERT_TRUE(store->Ready()) << "Ready() is false before any failure: the test proves nothing";
  std::promise<bool> answered;
  store->AfterDurable(store->ReadHorizon(), [&](Status durable) { answered.set_value(durable.ok()); });
  gate_.FailWith(EIO);
  gate_.Open();

  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  const Status s = done.get();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  auto answer = answered.get_future();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(answer.get()) << "a read answer that may show lost data must not be sent";
  EXPECT_FALSE(store->Ready());

  auto later = Put(*store, "b", "2");
  ASSERT_EQ(later.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(later.get().code(), StatusCode::kUnavailable);
  bool later_answer = true;
  store->AfterDurable(0, [&](Status durable) { later_answer = durable.ok(); });
  EXPECT_FALSE(later_answer);
  store->Close();
}

// A sync that does not return (a dead disk) cannot be cut short; the store reports it instead.
TEST_F(DurabilityTest, ASyncThatHangsMakesTheStoreNotReadyUntilItReturns) {
  auto store = OpenGated(20ms);
  auto initialised = Put(*store, "initialized_at", "2026-12-03T00:00:00Z");
  ASSERT_TRUE(Visible(*store, "initialized_at"));
  ASSERT_TRUE(gate_.WaitStarted(1));
  std::this_thread::sleep_for(40ms);
  EXPECT_GT(store->sync_running_seconds(), 0.02);
  EXPECT_FALSE(store->Ready()) << "a sync held past disk_stall left the store ready";
  gate_.Open();
  ASSERT_EQ(initialised.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(initialised.get().ok()) << "a slow sync is no failed one";
  EXPECT_TRUE(store->Ready());
  EXPECT_EQ(store->sync_running_seconds(), 0);
  store->Close();
}

// The read answers a hung sync holds go once it has hung for disk_stall, with Unavailable
// ("try again"), not the store's failure; so do new ones while it hangs. The write it covers
// is answered only when the sync returns, and then the store is as before.
TEST_F(DurabilityTest, AHungSyncLetsTheReadAnswersWaitingForItGo) {
  auto store = OpenGated(100ms);
  auto done = Put(*store, "a", "1");
  ASSERT_TRUE(Visible(*store, "a"));
  ASSERT_TRUE(gate_.WaitStarted(1));
  auto promise = std::make_shared<std::promise<Status>>();
  auto answer = promise->get_future();
  store->AfterDurable(store->ReadHorizon(), [promise](Status s) { promise->set_value(std::move(s)); });
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready) << "a read answer waited on a hung sync";
  const Status released = answer.get();
  EXPECT_EQ(released.code(), StatusCode::kUnavailable);
  EXPECT_NE(released.detail().find("the disk has not confirmed a write"), std::string::npos) << released.ToString();
  EXPECT_FALSE(Ready(done)) << "the write was answered before its sync returned";

  std::optional<Status> later;
  store->AfterDurable(store->ReadHorizon(), [&](Status s) { later = std::move(s); });
  ASSERT_TRUE(later.has_value()) << "a new read answer was held behind a sync known to hang";
  EXPECT_EQ(later->code(), StatusCode::kUnavailable);

  gate_.Open();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(done.get().ok()) << "a slow sync is no failed one";
  std::optional<Status> now;
  store->AfterDurable(store->ReadHorizon(), [&](Status s) { now = std::move(s); });
  ASSERT_TRUE(now.has_value());
  EXPECT_TRUE(now->ok()) << now->ToString();
  store->Close();
}

// The same for a checkpoint pass whose sync of the database file does not return: it holds
// the lock that the writer's WAL restart waits for, so writes stop too.
TEST_F(DurabilityTest, ACheckpointThatHangsMakesTheStoreNotReadyUntilItReturns) {
  FailingDatabaseSync disk;
  SqliteStore::Options options;
  options.checkpoint_frames = 1;  // every commit wakes the checkpointer
  options.disk_stall = 20ms;
  auto store = OpenWithADurableWrite(options);
  ASSERT_TRUE(store);
  struct Release {  // before the store closes, even when an assertion ends the test early
    FailingDatabaseSync& disk;
    ~Release() { disk.Hold(false); }
  } release{disk};
  disk.Hold(true);
  auto write = Put(*store, "b", "2");  // wakes a checkpoint pass, which hangs in its sync
  ASSERT_TRUE(Eventually([&] { return store->checkpoint_running_seconds() > 0.02; }))
      << "no checkpoint pass hung in the database file's sync";
  EXPECT_FALSE(store->Ready()) << "a checkpoint held past disk_stall left the store ready";
  disk.Hold(false);
  ASSERT_EQ(write.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(write.get().ok());
  EXPECT_TRUE(Eventually([&] { return store->Ready(); }))
      << "the store stayed not ready after the checkpoint returned";
  store->Close();
}

TEST_F(DurabilityTest, ASyncWithinItsStallTimeKeepsTheStoreReady) {
  auto store = OpenGated(std::chrono::hours(1));
  auto initialised = Put(*store, "initialized_at", "2026-12-03T00:00:00Z");
  ASSERT_TRUE(Visible(*store, "initialized_at"));
  ASSERT_TRUE(gate_.WaitStarted(1));
  std::this_thread::sleep_for(40ms);
  EXPECT_TRUE(store->Ready());
  gate_.Open();
  ASSERT_EQ(initialised.wait_for(5s), std::future_status::ready);
  store->Close();
}

// After a failed sync the WAL may hold frames the disk does not. Folding it into the database
// file at Close (or in a checkpoint pass, or by closing the last connection) would throw away
// what SQLite's recovery checks at the next open: the WAL is left as it is.
TEST_F(DurabilityTest, AFailedSyncLeavesTheWalForRecovery) {
  auto store = OpenGated();
  auto done = Put(*store, "a", "1");
  ASSERT_TRUE(Visible(*store, "a"));
  gate_.FailWith(EIO);
  gate_.Open();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(done.get().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store->Checkpoint().code(), StatusCode::kUnavailable);
  store->Close();
  store.reset();
  std::error_code ec;
  const auto wal_size = fs::file_size(Path() + "-wal", ec);
  ASSERT_FALSE(ec) << "the WAL was removed at close";
  EXPECT_GT(wal_size, 0u) << "the WAL was checkpointed and truncated at close";
  // Here the kernel did keep the pages (the gate only said EIO): recovery finds the write.
  auto reopened = SqliteStore::Open(Path(), false).value();
  EXPECT_EQ(Get(*reopened, "a"), std::string("1"));
  reopened->Close();
}

// SQLite writes the WAL through the file it opened. A WAL removed or replaced from outside
// cannot be made durable by syncing whatever the name now means: the store stops instead.
TEST_F(DurabilityTest, ARemovedWalStopsTheStore) {
  auto store = OpenWithADurableWrite();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Ready());
  fs::remove(Path() + "-wal");
  auto second = Put(*store, "b", "2");
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(second.get().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store->Ready());
  store->Close();
}

TEST_F(DurabilityTest, AReplacedWalStopsTheStore) {
  auto store = OpenWithADurableWrite();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Ready());
  { std::ofstream(Path() + "-other") << "not the WAL"; }
  fs::rename(Path() + "-other", Path() + "-wal");
  auto second = Put(*store, "b", "2");
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  const Status s = second.get();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.ToString().find("durable"), std::string::npos) << s.ToString();
  EXPECT_FALSE(store->Ready());
  store->Close();
}

// A checkpoint whose sync of the database file fails may leave the file without pages that the
// kernel dropped; a later pass's sync would then succeed, the WAL would start over, and those
// pages would be lost. The store stops instead, keeps the WAL, and recovery finds every write.
TEST_F(DurabilityTest, ACheckpointThatFailsToSyncTheDatabaseStopsTheStore) {
  FailingDatabaseSync disk;
  SqliteStore::Options options;
  options.checkpoint_frames = 1;  // every commit wakes the checkpointer
  auto store = OpenWithADurableWrite(options);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Ready());

  disk.Fail(true);
  auto second = Put(*store, "b", "2");  // its commit wakes a checkpoint pass, which fails
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  const bool second_acknowledged = second.get().ok();
  // A pass that finds nothing to copy, or meets a lock, does nothing until the next commit
  // wakes the checkpointer again (seen once in make test: no pass synced within 5 s): write on
  // until one has tried to sync the database file.
  int more = 0;
  const bool stopped = Eventually([&] {
    if (disk.failed() == 0 && store->Ready()) (void)Put(*store, "more" + std::to_string(more++), "x");
    return !store->Ready();
  });
  EXPECT_GT(disk.failed(), 0) << "no checkpoint synced the database file";
  ASSERT_TRUE(stopped) << "the store went on after a checkpoint failed to sync the database file";
  // Every commit was synced, yet the database file may have lost pages: no read answer goes.
  EXPECT_FALSE(store->Durable(store->ReadHorizon()));
  bool answered = true;
  store->AfterDurable(store->ReadHorizon(), [&](Status durable) { answered = durable.ok(); });
  EXPECT_FALSE(answered);
  auto third = Put(*store, "c", "3");
  ASSERT_EQ(third.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(third.get().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store->Checkpoint().code(), StatusCode::kUnavailable);
  store->Close();
  store.reset();
  std::error_code ec;
  EXPECT_GT(fs::file_size(Path() + "-wal", ec), 0u) << "the WAL was folded or removed at close";

  disk.Fail(false);
  auto reopened = SqliteStore::Open(Path(), false).value();
  EXPECT_EQ(Get(*reopened, "a"), std::string("1"));
  if (second_acknowledged) {
    EXPECT_EQ(Get(*reopened, "b"), std::string("2"));
  }
  EXPECT_EQ(Get(*reopened, "c"), std::nullopt);
  reopened->Close();
}

// The same for a checkpoint asked for through Store::Checkpoint (it runs on the writer thread).
TEST_F(DurabilityTest, AnAskedForCheckpointThatFailsToSyncStopsTheStore) {
  FailingDatabaseSync disk;
  auto store = OpenWithADurableWrite();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Ready());
  disk.Fail(true);
  const Status s = store->Checkpoint();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_GT(disk.failed(), 0);
  EXPECT_FALSE(store->Ready());
  auto later = Put(*store, "b", "2");
  ASSERT_EQ(later.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(later.get().code(), StatusCode::kUnavailable);
  store->Close();
  store.reset();
  disk.Fail(false);
  auto reopened = SqliteStore::Open(Path(), false).value();
  EXPECT_EQ(Get(*reopened, "a"), std::string("1"));
  reopened->Close();
}

// The callbacks run on the store's own threads: one that throws must not end them.
TEST_F(DurabilityTest, ACallbackThatThrowsLeavesTheStoreRunning) {
  SqliteStore::Options options;
  options.on_commit = [](double, size_t) { throw std::runtime_error("on_commit threw"); };
  auto store = SqliteStore::Open(Path(), true, options).value();
  store->Write([](WriteTx& tx) { return tx.SetMeta("a", "1"); },
               [](Status) { throw std::runtime_error("done threw"); });
  store->AfterDurable(store->ReadHorizon() + 1, [](Status) { throw std::runtime_error("waiter threw"); });
  auto next = Put(*store, "b", "2");
  ASSERT_EQ(next.wait_for(5s), std::future_status::ready) << "a throwing callback stopped the store's threads";
  EXPECT_TRUE(next.get().ok());
  EXPECT_EQ(Get(*store, "a"), std::string("1"));
  store->Close();
}

TEST_F(DurabilityTest, CloseSyncsAndAnswersEveryQueuedWrite) {
  std::vector<std::future<Status>> done;
  {
    SqliteStore::Options options;  // the real fdatasync
    auto store = SqliteStore::Open(Path(), true, options).value();
    for (int i = 0; i < 200; ++i) done.push_back(Put(*store, "k" + std::to_string(i), "v"));
    store->Close();
    for (auto& d : done) {
      ASSERT_EQ(d.wait_for(0s), std::future_status::ready) << "Close returned with a write unanswered";
      EXPECT_TRUE(d.get().ok());
    }
    EXPECT_TRUE(store->Durable(store->ReadHorizon()));
  }
  auto reopened = SqliteStore::Open(Path(), false).value();
  EXPECT_EQ(Get(*reopened, "k199"), std::string("v"));
  reopened->Close();
}

}  // namespace
}  // namespace tousu
