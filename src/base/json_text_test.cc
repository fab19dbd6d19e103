#include "base/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tousu {
namespace {

namespace json = boost::json;

TEST(JsonText, WritesWhatBoostJsonSerializes) {
  const std::string awkward = std::string("会员\"掉线\"\\ \n\t\r\b\f\x01\x1f end/") + '\0' + "after";
  JsonText j;
  j.Begin();
  j.Key("a").Int(-7).Key("b").Bool(true).Key("c").Null().Key(awkward).Str(awkward);
  j.Key("empty").Begin().End().Key("list").BeginArray().End();
  j.Key("nested").BeginArray().Begin().Key("x").Strings({"1", "", "三"}).End().Int(2).BeginArray().End().End();
  j.Key("value").Value(json::parse(R"({"k":[1,{"z":null}],"s":"\u0001"})"));
  j.End();
  const json::object expected{{"a", -7},
                              {"b", true},
                              {"c", nullptr},
                              {awkward, awkward},
                              {"empty", json::object()},
                              {"list", json::array()},
                              {"nested", json::array{json::object{{"x", json::array{"1", "", "三"}}}, 2, json::array()}},
                              {"value", json::parse(R"({"k":[1,{"z":null}],"s":"\u0001"})")}};
  EXPECT_EQ(j.Take(), json::serialize(expected));
}

TEST(JsonText, TopLevelValuesAndArrays) {
  EXPECT_EQ(JsonText().Str("x").Take(), "\"x\"");
  EXPECT_EQ(JsonText().BeginArray().Int(1).Int(2).Str("3").End().Take(), "[1,2,\"3\"]");
  EXPECT_EQ(JsonText().Strings({}).Take(), "[]");
}

// The reference: one byte at a time, as RFC 8259 section 7 and canonical JSON (RFC 8785) write it.
std::string QuotedByteByByte(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + '"';
}

TEST(JsonText, EveryByteInEveryPositionOfARun) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    for (const std::string& s : {std::string(1, c), "ab" + std::string(1, c), std::string(1, c) + "cd",
                                 "x" + std::string(1, c) + "y" + std::string(1, c), std::string(3, c)}) {
      std::string out = "prefix";
      AppendQuotedJson(s, out);
      ASSERT_EQ(out, "prefix" + QuotedByteByByte(s)) << "byte " << b;
    }
    // In every position of the words the scan reads eight bytes at a time, beside UTF-8.
    for (size_t at = 0; at < 21; ++at) {
      std::string s = "会员掉线abcdefghi";  // 21 bytes
      s[at] = c;
      std::string out;
      AppendQuotedJson(s, out);
      ASSERT_EQ(out, QuotedByteByByte(s)) << "byte " << b << " at " << at;
    }
  }
  std::string empty;
  AppendQuotedJson("", empty);
  EXPECT_EQ(empty, "\"\"");
}

}  // namespace
}  // namespace tousu
