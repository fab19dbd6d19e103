// The front door's half of pipelined durability: an answer built from reads leaves only once
// what the reads could have seen is synced (store.h). A real Api over the real SQLite store,
// whose WAL sync is held back by a gate (the store's `sync_wal` hook).
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <unistd.h>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "http/api.h"
#include "store/sqlite/sqlite_store.h"

namespace tousu::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ApiDurabilityTest : public ::testing::Test {
 protected:
  // `disk_stall`: how long a held sync may hang before the read answers waiting for it go.
  explicit ApiDurabilityTest(std::chrono::milliseconds disk_stall = std::chrono::hours(1))
      : dir_(fs::temp_directory_path() / ("tousu-api-durable-" + HexEncode(RandomBytes(6)))) {
    fs::create_directories(dir_);
    SqliteStore::Options options;
    options.disk_stall = disk_stall;
    options.sync_wal = [this](int fd) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return open_; });
      return ::fdatasync(fd) == 0 ? 0 : errno;
    };
    store_ = SqliteStore::Open((dir_ / "t.db").string(), true, options).value();
    sweeper_ = std::make_unique<Sweeper>(*store_, complaints_);  // needs the store, so not a member initialiser
    ApiDeps deps{*store_, clock_, nullptr, ids_, auth_, platforms_, complaints_, *sweeper_, &stopping_};
    api_ = std::make_unique<Api>(deps);
  }
  ~ApiDurabilityTest() override {
    OpenGate();
    api_.reset();
    sweeper_.reset();
    store_->Close();
    fs::remove_all(dir_);
  }

  void OpenGate() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

  std::future<Response> Get(const std::string& path) {
    Request req;
    req.method = "GET";
    req.target = req.path = path;
    req.request_id = "r1";
    req.remote = "127.0.0.1";
    auto promise = std::make_shared<std::promise<Response>>();
    auto answer = promise->get_future();
    api_->Serve(std::move(req), [promise](Response r) { promise->set_value(std::move(r)); });
    return answer;
  }

  // A write committed (readers see it) whose WAL sync the gate holds: it marks the store
  // initialised, which /readyz reads.
  std::future<Status> CommitUnsynced() {
    auto promise = std::make_shared<std::promise<Status>>();
    auto done = promise->get_future();
    store_->Write([](WriteTx& tx) { return tx.SetMeta("initialized_at", "2027-01-15T08:00:00Z"); },
                  [promise](Status s) { promise->set_value(std::move(s)); });
    for (int i = 0; i < 500; ++i) {
      std::optional<std::string> v;
      (void)store_->Read([&](ReadTx& tx) -> Status {
        TOUSU_ASSIGN_OR_RETURN(v, tx.GetMeta("initialized_at"));
        return Status::Ok();
      });
      if (v) break;
      std::this_thread::sleep_for(10ms);
    }
    return done;
  }

  fs::path dir_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  std::unique_ptr<SqliteStore> store_;
  ManualClock clock_{Instant::FromUnixSeconds(1'800'000'000)};
  IdGenerator ids_;
  AuthService auth_{clock_, ids_, std::chrono::hours(12)};
  PlatformService platforms_{clock_, ids_, auth_};
  ComplaintService complaints_{clock_, ids_};
  std::unique_ptr<Sweeper> sweeper_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<Api> api_;
};

TEST_F(ApiDurabilityTest, AReadAnswerGoesAtOnceWhenNothingIsUnsynced) {
  auto answer = Get("/healthz");
  ASSERT_EQ(answer.wait_for(0s), std::future_status::ready) << "a read-only load must not wait";
  EXPECT_EQ(answer.get().status, 200);
}

TEST_F(ApiDurabilityTest, AReadAnswerWaitsForTheSyncOfWhatItCouldHaveSeen) {
  auto write = CommitUnsynced();
  auto answer = Get("/readyz");  // 200 only from reading the unsynced commit
  EXPECT_EQ(answer.wait_for(100ms), std::future_status::timeout) << "answered before the WAL sync";
  OpenGate();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(answer.get().status, 200);
  ASSERT_EQ(write.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(write.get().ok());
}

TEST_F(ApiDurabilityTest, ErrorAnswersWaitToo) {
  auto write = CommitUnsynced();
  auto answer = Get("/v1/complaints/cmp_none");  // 401: no token, still an answer from this moment
  EXPECT_EQ(answer.wait_for(100ms), std::future_status::timeout);
  OpenGate();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(answer.get().status, 401);
}

// An upload refused before its body is read (its sink could not be opened: credentials, the
// complaint's state) is an answer from reads like any other; the server sends it through
// RefuseStream.
TEST_F(ApiDurabilityTest, ARefusedUploadWaitsToo) {
  auto write = CommitUnsynced();
  Request req;
  req.method = "POST";
  req.target = req.path = "/v1/complaints/cmp_x/evidence";
  req.request_id = "r2";
  auto promise = std::make_shared<std::promise<Response>>();
  auto answer = promise->get_future();
  api_->RefuseStream(req, Status::PermissionDenied("not a party to this complaint"),
                     [promise](Response r) { promise->set_value(std::move(r)); });
  EXPECT_EQ(answer.wait_for(100ms), std::future_status::timeout);
  OpenGate();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(answer.get().status, 403);
}

// An upload's "100 Continue" says its credentials and complaint passed: the server sends it
// through AfterReadsDurable, which holds it like any answer from reads.
TEST_F(ApiDurabilityTest, WhatAReadMayTellWaitsForTheSyncOfWhatItCouldHaveSeen) {
  bool at_once = false;
  api_->AfterReadsDurable([&](Status durable) { at_once = durable.ok(); });
  EXPECT_TRUE(at_once) << "with nothing unsynced it runs at once";

  auto write = CommitUnsynced();
  auto promise = std::make_shared<std::promise<bool>>();
  auto told = promise->get_future();
  api_->AfterReadsDurable([promise](Status durable) { promise->set_value(durable.ok()); });
  EXPECT_EQ(told.wait_for(100ms), std::future_status::timeout) << "ran before the WAL sync";
  OpenGate();
  ASSERT_EQ(told.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(told.get());
}

// A sync that hangs past the store's disk_stall: the answers from reads waiting for it go as
// 503 with the reason, an upload's "100 Continue" is refused the same way, and the write the
// sync covers is still answered only once the sync returns.
class ApiDiskStallTest : public ApiDurabilityTest {
 protected:
  ApiDiskStallTest() : ApiDurabilityTest(100ms) {}
};

TEST_F(ApiDiskStallTest, ReadAnswersHeldByAHungSyncGoAs503) {
  auto write = CommitUnsynced();
  auto answer = Get("/v1/complaints/cmp_none");  // 401 without a token, had the sync returned
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready) << "a read answer waited on a hung sync";
  const Response r = answer.get();
  EXPECT_EQ(r.status, 503) << r.body;  // the reason stays in the log: a 503's detail is never shown

  auto promise = std::make_shared<std::promise<Status>>();
  auto told = promise->get_future();
  api_->AfterReadsDurable([promise](Status durable) { promise->set_value(std::move(durable)); });
  ASSERT_EQ(told.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(told.get().code(), StatusCode::kUnavailable);

  EXPECT_EQ(write.wait_for(0s), std::future_status::timeout) << "the write was answered before its sync";
  OpenGate();
  ASSERT_EQ(write.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(write.get().ok());
  auto after = Get("/readyz");
  ASSERT_EQ(after.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(after.get().status, 200);
}

}  // namespace
}  // namespace tousu::http
