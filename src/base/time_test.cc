#include "base/time.h"

#include <gtest/gtest.h>

namespace tousu {
namespace {

TEST(Rfc3339, ParsesUtcAndOffsets) {
  auto t = ParseRfc3339("2026-11-01T08:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-01T08:00:00Z");
  auto beijing = ParseRfc3339("2026-11-01T16:00:00+08:00");
  ASSERT_TRUE(beijing);
  EXPECT_EQ(*beijing, *t);
  auto west = ParseRfc3339("2026-11-01T03:00:00-05:00");
  ASSERT_TRUE(west);
  EXPECT_EQ(*west, *t);
}

TEST(Rfc3339, DropsFractionsAndAcceptsLowerCase) {
  auto t = ParseRfc3339("2026-11-01t08:00:00.999z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-01T08:00:00Z");
}

TEST(Rfc3339, KnowsLeapYears) {
  EXPECT_TRUE(ParseRfc3339("2028-02-29T00:00:00Z"));
  EXPECT_TRUE(ParseRfc3339("2000-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2100-02-29T00:00:00Z"));
}

TEST(Rfc3339, RejectsMalformedText) {
  for (const char* bad : {"", "2026-11-01", "2026-11-01T08:00:00", "2026-13-01T08:00:00Z",
                          "2026-11-31T08:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T08:60:00Z",
                          "2026-11-01T08:00:60Z", "2026-11-01T08:00:00+8:00", "2026-11-01T08:00:00Zjunk",
                          "2026-11-01 08:00:00Z", "20261101T080000Z", "2026-11-01T08:00:00.Z",
                          "0000-01-01T00:00:00Z", "2026-11-01T08:00:00+24:00"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

TEST(Rfc3339, RoundTripsAcrossTheCalendar) {
  for (int64_t s = -86400LL * 365 * 30; s < 86400LL * 365 * 100; s += 86400LL * 7 + 3601) {
    Instant t = Instant::FromUnixSeconds(s);
    auto back = ParseRfc3339(FormatRfc3339(t));
    ASSERT_TRUE(back) << FormatRfc3339(t);
    EXPECT_EQ(*back, t);
  }
}

// Found by fuzz/rfc3339_fuzz.cc: an offset moved a time at the end of the range into year
// 10000 (or year 0) in UTC, which parsed but formatted as text that is not RFC 3339.
TEST(Rfc3339, RegressionOffsetCannotLeaveYears1To9999) {
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59-23:59"));
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00+00:01"));
  ASSERT_TRUE(ParseRfc3339("9999-12-31T23:59:59Z"));
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("9999-12-31T23:59:59Z")), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("0001-01-01T23:59:00+23:59")), "0001-01-01T00:00:00Z");
}

TEST(Instant, Arithmetic) {
  Instant t = *ParseRfc3339("2026-11-01T08:00:00Z");
  EXPECT_EQ(FormatRfc3339(t + hours(48)), "2026-11-03T08:00:00Z");
  EXPECT_EQ((t + days(7)) - t, days(7));
  EXPECT_LT(t, t + seconds(1));
}

}  // namespace
}  // namespace tousu
