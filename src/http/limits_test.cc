#include "http/limits.h"

#include <gtest/gtest.h>

namespace tousu::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsTheBurstThenRefills) {
  RateLimiter r(2, 3);
  const SteadyTime t0{};
  EXPECT_FALSE(r.Take("a", t0));
  EXPECT_FALSE(r.Take("a", t0));
  EXPECT_FALSE(r.Take("a", t0));
  auto wait = r.Take("a", t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1);
  EXPECT_FALSE(r.Take("b", t0));  // keys are independent
  EXPECT_FALSE(r.Take("a", t0 + 500ms));  // one token back after half a second at 2/s
  EXPECT_TRUE(r.Take("a", t0 + 500ms));
}

TEST(RateLimiter, ZeroRateIsOff) {
  RateLimiter r(0, 0);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(r.Take("a", SteadyTime{}));
}

TEST(LoginThrottle, DelayGrowsAfterTheAllowanceAndSuccessClears) {
  LoginThrottle t(2);
  const SteadyTime t0{};
  t.Failed("p/u", "1.2.3.4", t0);
  t.Failed("p/u", "1.2.3.4", t0);
  EXPECT_FALSE(t.Check("p/u", "1.2.3.4", t0));
  t.Failed("p/u", "1.2.3.4", t0);  // third: 1 s
  EXPECT_EQ(t.Check("p/u", "1.2.3.4", t0), 1);
  t.Failed("p/u", "1.2.3.4", t0 + 1s);  // fourth: 2 s
  EXPECT_EQ(t.Check("p/u", "5.6.7.8", t0 + 1s), 2);
  EXPECT_FALSE(t.Check("p/other", "5.6.7.8", t0 + 1s));
  t.Succeeded("p/u");
  EXPECT_FALSE(t.Check("p/u", "5.6.7.8", t0 + 1s));
}

TEST(LoginThrottle, OneAddressTryingManyUsersIsHeldAfterFourTimesTheAllowance) {
  LoginThrottle t(2);
  const SteadyTime t0{};
  for (int i = 0; i < 8; ++i) t.Failed("p/u" + std::to_string(i), "9.9.9.9", t0);  // 2 per user: none held
  EXPECT_FALSE(t.Check("p/u0", "1.1.1.1", t0)) << "u0 failed only twice";
  EXPECT_FALSE(t.Check("p/fresh", "9.9.9.9", t0)) << "the address is at its allowance, not past it";
  t.Failed("p/u8", "9.9.9.9", t0);  // the address's ninth
  EXPECT_EQ(t.Check("p/fresh", "9.9.9.9", t0), 1);
  EXPECT_FALSE(t.Check("p/fresh", "1.1.1.1", t0)) << "other addresses are not held";
}

TEST(LoginThrottle, AnHourWithoutFailuresStartsOver) {
  LoginThrottle t(2);
  const SteadyTime t0{};
  for (int i = 0; i < 3; ++i) t.Failed("p/u", "a", t0);
  EXPECT_EQ(t.Check("p/u", "b", t0), 1);
  // Within the hour the count goes on: the fourth failure waits 2 s.
  t.Failed("p/u", "a", t0 + 30min);
  EXPECT_EQ(t.Check("p/u", "b", t0 + 30min), 2);
  // An hour after the last one, a failure counts from one again.
  t.Failed("p/u", "a", t0 + 91min);
  EXPECT_FALSE(t.Check("p/u", "b", t0 + 91min));
}

TEST(LoginThrottle, MemoryFollowsTheLastHoursFailuresNotEveryNameEverTried) {
  LoginThrottle t(5);
  const SteadyTime t0{};
  // A spray of 10,000 names from 10,000 addresses, then, two hours later, another.
  for (int i = 0; i < 10000; ++i) t.Failed("p/x" + std::to_string(i), "a" + std::to_string(i), t0);
  EXPECT_EQ(t.records(), 20000u);
  for (int i = 0; i < 10000; ++i) t.Failed("p/y" + std::to_string(i), "b" + std::to_string(i), t0 + 2h);
  // The first spray was swept by the first sweep (every 4,096th failure) after its hour.
  EXPECT_EQ(t.records(), 20000u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.Check("p/x" + std::to_string(i), "a" + std::to_string(i), t0 + 2h));
}

TEST(LoginThrottle, CapsAtFifteenMinutes) {
  LoginThrottle t(0);
  for (int i = 0; i < 40; ++i) t.Failed("u", "a", SteadyTime{});
  EXPECT_EQ(t.Check("u", "b", SteadyTime{}), 15 * 60);
}

}  // namespace
}  // namespace tousu::http
