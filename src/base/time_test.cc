#include "base/time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>

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

// FormatRfc3339 writes its digits by hand; gmtime_r and snprintf are the reference.
TEST(Rfc3339, FormatsAsThePrintfPatternDoes) {
  auto reference = [](Instant t) {  // the C library's calendar, independent of ours
    const time_t secs = static_cast<time_t>(t.unix_seconds());
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];  // room for any int fields, which keeps -Wformat-truncation quiet
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return std::string(buf);
  };
  const int64_t first = ParseRfc3339("0001-01-01T00:00:00Z")->unix_seconds();
  const int64_t last = ParseRfc3339("9999-12-31T23:59:59Z")->unix_seconds();
  uint64_t x = 88172645463325252ull;  // xorshift64: instants all over the calendar
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const Instant t = Instant::FromUnixSeconds(first + static_cast<int64_t>(x % static_cast<uint64_t>(last - first + 1)));
    const std::string text = FormatRfc3339(t);
    ASSERT_EQ(text.size(), 20u) << text;
    ASSERT_EQ(text, reference(t));
    ASSERT_EQ(ParseRfc3339(text)->unix_seconds(), t.unix_seconds()) << text;
  }
  EXPECT_EQ(FormatRfc3339(Instant::FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Instant::FromUnixSeconds(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(Instant::FromUnixSeconds(first)), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Instant::FromUnixSeconds(last)), "9999-12-31T23:59:59Z");
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
