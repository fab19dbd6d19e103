// JsonText: JSON text written member by member, for the server's own documents that are hot
// enough that building a boost::json tree first would cost more than the writing (a complaint's
// assessment, on the store's single writer thread). The text is what Boost.JSON's serializer
// writes for the same members in the same order: no whitespace, strings as UTF-8 with only
// '"', '\\' and U+0000..U+001F escaped.
//
// Usage: JsonText j; j.Begin().Key("a").Int(1).Key("b").BeginArray().Str("x").End().End();
// The caller writes a well-formed document (keys only inside objects, ends matched).
// Thread-safety: none; one per document.
#ifndef TOUSU_BASE_JSON_TEXT_H_
#define TOUSU_BASE_JSON_TEXT_H_

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tousu {

// `s` quoted and escaped as above, appended to `out` (`s` is taken to be UTF-8 already).
void AppendQuotedJson(std::string_view s, std::string& out);

class JsonText final {
 public:
  explicit JsonText(size_t reserve = 0) { out_.reserve(reserve); }

  JsonText& Begin() { return Open('{'); }
  JsonText& BeginArray() { return Open('['); }
  JsonText& End();
  JsonText& Key(std::string_view key);
  JsonText& Str(std::string_view v);
  JsonText& Int(int64_t v);
  JsonText& Bool(bool v);
  JsonText& Null();
  // A value already built, serialized as Boost.JSON does.
  JsonText& Value(const boost::json::value& v);
  JsonText& Strings(const std::vector<std::string>& v);

  std::string Take() { return std::move(out_); }

 private:
  JsonText& Open(char c);
  void BeforeValue();

  std::string out_;
  std::vector<char> open_;  // the containers open, innermost last
  bool first_ = true;       // no member or element yet in the innermost container
  bool after_key_ = false;
};

}  // namespace tousu

#endif  // TOUSU_BASE_JSON_TEXT_H_
