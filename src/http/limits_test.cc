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

TEST(LoginThrottle, CapsAtFifteenMinutes) {
  LoginThrottle t(0);
  for (int i = 0; i < 40; ++i) t.Failed("u", "a", SteadyTime{});
  EXPECT_EQ(t.Check("u", "b", SteadyTime{}), 15 * 60);
}

}  // namespace
}  // namespace tousu::http
