#include "app/store_gauges.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace tousu {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

// A CountsReading over a counter of readings, on a clock the test moves. `hold` (when set)
// keeps the first reading from finishing until it is released.
struct Fixture {
  explicit Fixture(std::chrono::steady_clock::duration max_age = seconds(15)) : reading(Read(), max_age, Now()) {}

  std::function<StatusOr<CountsReading::Gauges>()> Read() {
    return [this]() -> StatusOr<CountsReading::Gauges> {
      if (hold && calls++ == 0) {
        entered.set_value();
        released.wait();
      }
      const int n = ++reads;
      if (fail) return Status::Unavailable("disk gone");
      return CountsReading::Gauges{{"tousu_complaints", "h", {{"", double(n)}}}};
    };
  }
  CountsReading::SteadyClock Now() {
    return [this] { return TimePoint(seconds(now_s.load())); };
  }

  std::atomic<int> reads{0};
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  std::atomic<bool> hold{false};
  std::atomic<int64_t> now_s{1000};
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  CountsReading reading;  // last: its thread uses the members above
};

double ValueOf(const CountsReading::Result& r) {
  return r.gauges ? r.gauges->front().samples.front().second : -1;
}

TEST(CountsReading, AsksForAReadingAtMostOncePerInterval) {
  Fixture f;
  EXPECT_EQ(ValueOf(f.reading.Get()), -1);  // none yet: asked for, not waited for
  f.reading.WaitIdle();
  EXPECT_EQ(f.reads, 1);
  f.now_s += 14;
  CountsReading::Result cached = f.reading.Get();
  EXPECT_EQ(ValueOf(cached), 1);
  EXPECT_DOUBLE_EQ(cached.age_seconds, 14);
  f.reading.WaitIdle();
  EXPECT_EQ(f.reads, 1);
  f.now_s += 1;  // 15 s old: this scrape still gets it, and asks for the next
  EXPECT_EQ(ValueOf(f.reading.Get()), 1);
  f.reading.WaitIdle();
  EXPECT_EQ(f.reads, 2);
  CountsReading::Result fresh = f.reading.Get();
  EXPECT_EQ(ValueOf(fresh), 2);
  EXPECT_DOUBLE_EQ(fresh.age_seconds, 0);
}

TEST(CountsReading, AFailureKeepsTheLastReadingAndWaitsAnIntervalToo) {
  Fixture f;
  f.reading.Get();
  f.reading.WaitIdle();
  f.now_s += 20;
  f.fail = true;
  f.reading.Get();
  f.reading.WaitIdle();
  CountsReading::Result failed = f.reading.Get();
  EXPECT_TRUE(failed.failed);
  EXPECT_EQ(ValueOf(failed), 1);  // the last good one, with its true age
  EXPECT_DOUBLE_EQ(failed.age_seconds, 20);
  f.reading.WaitIdle();
  EXPECT_EQ(f.reads, 2);  // a failing store is not scanned at every scrape
  f.fail = false;
  f.now_s += 15;
  f.reading.Get();
  f.reading.WaitIdle();
  CountsReading::Result again = f.reading.Get();
  EXPECT_FALSE(again.failed);
  EXPECT_EQ(ValueOf(again), 3);
}

TEST(CountsReading, AScrapeNeverWaitsForAReading) {
  Fixture f;
  f.hold = true;
  f.reading.Get();
  f.entered.get_future().wait();  // the reading thread is inside the read
  for (int i = 0; i < 3; ++i) {
    auto scrape = std::async(std::launch::async, [&] { return f.reading.Get(); });
    ASSERT_EQ(scrape.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(ValueOf(scrape.get()), -1);
  }
  f.release.set_value();
  f.reading.WaitIdle();
  EXPECT_EQ(ValueOf(f.reading.Get()), 1);
  EXPECT_EQ(f.reads, 1);  // the scrapes meanwhile asked for no second one
}

TEST(CountsReading, IntervalZeroReadsOnEveryGet) {
  Fixture f(seconds(0));
  EXPECT_EQ(ValueOf(f.reading.Get()), 1);
  EXPECT_EQ(ValueOf(f.reading.Get()), 2);
}

TEST(CountsReading, AfterStopNothingIsAskedFor) {
  Fixture f;
  f.reading.Stop();
  EXPECT_EQ(ValueOf(f.reading.Get()), -1);
  f.reading.WaitIdle();
  EXPECT_EQ(f.reads, 0);
}

}  // namespace
}  // namespace tousu
