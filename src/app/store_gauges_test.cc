#include "app/store_gauges.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace tousu {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

// A CountsReading over a counter of readings, on a clock the test moves.
struct Fixture {
  std::atomic<int> reads{0};
  std::atomic<bool> fail{false};
  std::atomic<int64_t> now_s{1000};
  std::function<void()> during_read = [] {};
  CountsReading reading{[this]() -> StatusOr<std::vector<http::Gauge>> {
                          during_read();
                          const int n = ++reads;
                          if (fail) return Status::Unavailable("disk gone");
                          return std::vector<http::Gauge>{{"tousu_complaints", "h", {{"", double(n)}}}};
                        },
                        seconds(15), [this] { return TimePoint(seconds(now_s.load())); }};
};

double ValueOf(const CountsReading::Result& r) {
  return r.gauges.empty() ? -1 : r.gauges.front().samples.front().second;
}

TEST(CountsReading, ReadsAtMostOncePerInterval) {
  Fixture f;
  EXPECT_EQ(ValueOf(f.reading.Get()), 1);
  f.now_s += 14;
  CountsReading::Result cached = f.reading.Get();
  EXPECT_EQ(ValueOf(cached), 1);
  EXPECT_DOUBLE_EQ(cached.age_seconds, 14);
  EXPECT_EQ(f.reads, 1);
  f.now_s += 1;  // 15 s old: read again
  CountsReading::Result fresh = f.reading.Get();
  EXPECT_EQ(ValueOf(fresh), 2);
  EXPECT_DOUBLE_EQ(fresh.age_seconds, 0);
  EXPECT_EQ(f.reads, 2);
}

TEST(CountsReading, AFailedReadingIsNotKeptAndIsTriedAgain) {
  Fixture f;
  EXPECT_EQ(ValueOf(f.reading.Get()), 1);
  f.now_s += 20;
  f.fail = true;
  CountsReading::Result failed = f.reading.Get();
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(ValueOf(failed), 1);  // the last good one, with its true age
  EXPECT_DOUBLE_EQ(failed.age_seconds, 20);
  EXPECT_FALSE(f.reading.Get().ok);  // not cached: tried again at once
  EXPECT_EQ(f.reads, 3);
  f.fail = false;
  CountsReading::Result again = f.reading.Get();
  EXPECT_TRUE(again.ok);
  EXPECT_EQ(ValueOf(again), 4);
}

TEST(CountsReading, OthersGetTheLastReadingWhileOneIsTaken) {
  Fixture f;
  EXPECT_EQ(ValueOf(f.reading.Get()), 1);
  f.now_s += 30;
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  f.during_read = [&] {
    entered.set_value();
    released.wait();
  };
  auto taker = std::async(std::launch::async, [&] { return f.reading.Get(); });
  entered.get_future().wait();
  // The reading is stale and being taken: another caller does not wait, nor read.
  CountsReading::Result meanwhile = f.reading.Get();
  EXPECT_EQ(ValueOf(meanwhile), 1);
  EXPECT_DOUBLE_EQ(meanwhile.age_seconds, 30);
  release.set_value();
  EXPECT_EQ(ValueOf(taker.get()), 2);
  EXPECT_EQ(f.reads, 2);
}

TEST(CountsReading, TheFirstReadingIsWaitedForNotTakenTwice) {
  Fixture f;
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  f.during_read = [&] {
    if (calls++ > 0) return;  // only the first reading is held
    entered.set_value();
    released.wait();
  };
  auto first = std::async(std::launch::async, [&] { return f.reading.Get(); });
  entered.get_future().wait();
  auto second = std::async(std::launch::async, [&] { return f.reading.Get(); });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);  // waits
  release.set_value();
  EXPECT_EQ(ValueOf(first.get()), 1);
  EXPECT_EQ(ValueOf(second.get()), 1);
  EXPECT_EQ(f.reads, 1);
}

}  // namespace
}  // namespace tousu
