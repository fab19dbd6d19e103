#include "base/json_text.h"

#include <boost/json/serialize.hpp>

namespace tousu {

void AppendQuotedJson(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void JsonText::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

JsonText& JsonText::Open(char c) {
  BeforeValue();
  out_ += c;
  open_.push_back(c);
  first_ = true;
  return *this;
}

JsonText& JsonText::End() {
  if (!open_.empty()) {
    out_ += open_.back() == '{' ? '}' : ']';
    open_.pop_back();
  }
  first_ = false;
  return *this;
}

JsonText& JsonText::Key(std::string_view key) {
  BeforeValue();
  AppendQuotedJson(key, out_);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonText& JsonText::Str(std::string_view v) {
  BeforeValue();
  AppendQuotedJson(v, out_);
  return *this;
}

JsonText& JsonText::Int(int64_t v) {
  BeforeValue();
  out_ += std::to_string(v);
  return *this;
}

JsonText& JsonText::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
  return *this;
}

JsonText& JsonText::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonText& JsonText::Value(const boost::json::value& v) {
  BeforeValue();
  out_ += boost::json::serialize(v);
  return *this;
}

JsonText& JsonText::Strings(const std::vector<std::string>& v) {
  BeginArray();
  for (const auto& s : v) Str(s);
  return End();
}

}  // namespace tousu
