#include "evidence/media_type.h"

#include <array>
#include <cctype>
#include <cstdint>

#include "evidence/utf8.h"

namespace tousu::evidence {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

uint32_t BigEndian32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(s[at + i]);
  return v;
}

// WHATWG MIME Sniffing §7.2 "matches the signature for MP4".
bool IsMp4(std::string_view s) {
  if (s.size() < 12) return false;
  const uint32_t box = BigEndian32(s, 0);
  if (box < 12 || box % 4 != 0 || s.substr(4, 4) != "ftyp") return false;
  if (s.substr(8, 3) == "mp4") return true;
  for (size_t at = 16; at + 4 <= box && at + 4 <= s.size(); at += 4) {
    if (s.substr(at, 3) == "mp4") return true;
  }
  return false;
}

// WHATWG MIME Sniffing §7.1: the tags that mark a resource as HTML when it starts with one.
bool LooksLikeHtml(std::string_view s) {
  if (StartsWith(s, "\xEF\xBB\xBF")) s.remove_prefix(3);
  while (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\f')) {
    s.remove_prefix(1);
  }
  static constexpr std::array<std::string_view, 17> kTags = {
      "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table",
      "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--"};
  for (std::string_view tag : kTags) {
    if (s.size() <= tag.size()) continue;
    bool same = true;
    for (size_t i = 0; i < tag.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(s[i])) == tag[i];
    }
    const char after = s[tag.size()];
    if (same && (tag == "<!--" || after == ' ' || after == '>')) return true;
  }
  return false;
}

bool LooksLikeText(std::string_view s, bool complete) {
  if (s.empty()) return false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) return false;
    if (c == 0x7f) return false;
  }
  const size_t valid = ValidUtf8Prefix(s);
  if (valid == s.size()) return true;
  // An incomplete head may end in the middle of a character (at most 3 bytes of it).
  return !complete && s.size() - valid < 4 && ValidUtf8Prefix(s.substr(valid)) == 0 &&
         static_cast<unsigned char>(s[valid]) >= 0xC2;
}

}  // namespace

std::string SniffMediaType(std::string_view head, bool complete) {
  if (StartsWith(head, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (StartsWith(head, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(head, "GIF87a") || StartsWith(head, "GIF89a")) return "image/gif";
  if (head.size() >= 12 && StartsWith(head, "RIFF") && head.substr(8, 4) == "WEBP") return "image/webp";
  if (StartsWith(head, "%PDF-")) return "application/pdf";
  if (IsMp4(head)) return "video/mp4";
  if (LooksLikeHtml(head)) return "text/html";
  if (LooksLikeText(head, complete)) return "text/plain";
  return "application/octet-stream";
}

std::string NormalizeMediaType(std::string_view declared) {
  std::string_view essence = declared.substr(0, declared.find(';'));
  while (!essence.empty() && (essence.front() == ' ' || essence.front() == '\t')) essence.remove_prefix(1);
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) essence.remove_suffix(1);
  std::string out;
  int slashes = 0;
  for (char ch : essence) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '/') {
      ++slashes;
    } else if (!std::isalnum(c) && c != '.' && c != '+' && c != '-' && c != '_') {
      return "";
    }
    out += static_cast<char>(std::tolower(c));
  }
  if (slashes != 1 || out.front() == '/' || out.back() == '/') return "";
  if (out == "application/octet-stream" || out == "application/x-www-form-urlencoded") return "";
  if (out == "image/jpg" || out == "image/pjpeg") return "image/jpeg";
  if (out == "application/x-pdf") return "application/pdf";
  return out;
}

bool IsImageType(std::string_view t) {
  return t == "image/png" || t == "image/jpeg" || t == "image/gif" || t == "image/webp";
}

bool MediaTypeMismatch(std::string_view sniffed, std::string_view declared) {
  if (declared.empty()) return false;
  if (declared == sniffed) return false;
  // Text declared more specifically (text/csv, application/json) is still text.
  if (sniffed == "text/plain" && (StartsWith(declared, "text/") || declared == "application/json")) {
    return declared == "text/html";
  }
  return true;
}

}  // namespace tousu::evidence
