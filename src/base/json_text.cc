#include "base/json_text.h"

#include <cstdint>
#include <cstring>

#include <boost/json/serialize.hpp>

namespace tousu {
namespace {

// Whether any of the 8 bytes at p is a control character, '"' or '\\' (bit tricks from
// "Bit Twiddling Hacks", exact for "any": haszero and hasless with n <= 128).
bool NeedsEscapeIn8(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t v;
  std::memcpy(&v, p, 8);
  auto has_zero = [&](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const uint64_t below_space = (v - kOnes * 0x20) & ~v & kHigh;
  return (below_space | has_zero(v ^ (kOnes * '"')) | has_zero(v ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void AppendQuotedJson(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of bytes that need no escape (almost all of them) are appended whole.
  size_t plain = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    // Eight bytes at a time while none of them needs an escape.
    while (i + 8 <= s.size() && !NeedsEscapeIn8(s.data() + i)) i += 8;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
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
