#include "evidence/utf8.h"

#include <gtest/gtest.h>

namespace tousu::evidence {
namespace {

TEST(Utf8Test, WellFormedTextIsKept) {
  EXPECT_EQ(WellFormedUtf8(""), "");
  EXPECT_EQ(WellFormedUtf8("order_no"), "order_no");
  EXPECT_EQ(WellFormedUtf8("充值未到账 \xF0\x9F\x98\x80"), "充值未到账 \xF0\x9F\x98\x80");
}

TEST(Utf8Test, EachBadByteBecomesOneReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(WellFormedUtf8("\xFF" "order_no"), fffd + "order_no");
  EXPECT_EQ(WellFormedUtf8("a\xC0\xAF" "b"), "a" + fffd + fffd + "b");    // overlong '/'
  EXPECT_EQ(WellFormedUtf8("\xED\xA0\x80"), fffd + fffd + fffd);          // a surrogate
  EXPECT_EQ(WellFormedUtf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
  EXPECT_EQ(WellFormedUtf8("充\xE5\x80"), "充" + fffd + fffd);             // cut short
  EXPECT_EQ(WellFormedUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is UTF-8
}

TEST(Utf8Test, WhatComesOutIsWellFormed) {
  // Every two-byte string: the repair is always well-formed and keeps well-formed input.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string s{static_cast<char>(a), static_cast<char>(b)};
      const std::string out = WellFormedUtf8(s);
      ASSERT_TRUE(IsValidUtf8(out)) << a << " " << b;
      if (IsValidUtf8(s)) ASSERT_EQ(out, s);
    }
  }
}

}  // namespace
}  // namespace tousu::evidence
