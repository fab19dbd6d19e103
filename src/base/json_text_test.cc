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

}  // namespace
}  // namespace tousu
