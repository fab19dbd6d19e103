#include "evidence/canonical_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "evidence/utf8.h"

namespace tousu::evidence {
namespace {

namespace json = boost::json;

std::string Canon(std::string_view text) {
  auto v = CanonicalJson(json::parse(text));
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : "";
}

TEST(CanonicalJson, SortsMembersAndDropsWhitespace) {
  EXPECT_EQ(Canon(R"({ "b": 1, "a": [true, null, {"z": -3, "y": "x"}], "": 0 })"),
            R"({"":0,"a":[true,null,{"y":"x","z":-3}],"b":1})");
  EXPECT_EQ(Canon(R"({"aa":1,"a":2,"B":3})"), R"({"B":3,"a":2,"aa":1})");
}

TEST(CanonicalJson, EscapesOnlyQuoteBackslashAndControls) {
  EXPECT_EQ(Canon(R"("a\"b\\c\/d\n\t\u0001\u001F é 张三 😀")"),
            "\"a\\\"b\\\\c/d\\n\\t\\u0001\\u001f é 张三 😀\"");
  EXPECT_EQ(Canon(R"("\b\f\r")"), R"("\b\f\r")");
}

TEST(CanonicalJson, IntegersOnly) {
  EXPECT_EQ(Canon("[0, -9223372036854775808, 18446744073709551615]"),
            "[0,-9223372036854775808,18446744073709551615]");
  EXPECT_FALSE(CanonicalJson(json::parse("1.5")).ok());
  EXPECT_FALSE(CanonicalJson(json::parse("[1e3]")).ok());
}

TEST(CanonicalJson, RefusesBadUtf8) {
  EXPECT_FALSE(CanonicalJson(json::value(std::string("\xC0\x80"))).ok());
  json::object o;
  o[std::string("\xFF")] = 1;
  EXPECT_FALSE(CanonicalJson(o).ok());
}

TEST(Utf8, AcceptsWellFormedAndStopsAtTheFirstBadByte) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("张三 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong slash
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_EQ(ValidUtf8Prefix("ab\xE4\xB8"), 2u);   // a cut-off 张
  EXPECT_EQ(ValidUtf8Prefix("ab\x80zz"), 2u);
}

}  // namespace
}  // namespace tousu::evidence
