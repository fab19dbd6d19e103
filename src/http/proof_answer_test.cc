#include "http/proof_answer.h"

#include <gtest/gtest.h>

namespace tousu::http {
namespace {

TEST(ParseIndex, ReadsDecimalDigitsUpTo2Pow53) {
  EXPECT_EQ(ParseIndex("index", "0").value(), 0);
  EXPECT_EQ(ParseIndex("index", "007").value(), 7);
  EXPECT_EQ(ParseIndex("index", "9007199254740992").value(), int64_t{1} << 53);
  for (const char* bad : {"", "9007199254740993", "99999999999999999999", "-1", "1e3", "0x10", " 1", "1 ", "一"}) {
    auto v = ParseIndex("index", bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << bad;
    ASSERT_FALSE(v.status().fields().empty());
    EXPECT_EQ(v.status().fields().front().field, "index");
  }
}

// Found by fuzz/router_fuzz.cc's new ParseIndex check (fuzz/regressions/router/
// parse-index-minus0): std::from_chars takes a '-', so "-0" was read as 0 and
// /v1/log/leaves/-0 answered leaf 0. A sign is not a digit.
TEST(ParseIndex, RegressionASignIsNotADigit) {
  for (const char* signed_text : {"-0", "-00", "+0", "+1"}) {
    EXPECT_FALSE(ParseIndex("tree_size", signed_text).ok()) << signed_text;
  }
}

}  // namespace
}  // namespace tousu::http
