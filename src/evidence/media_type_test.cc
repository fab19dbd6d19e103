#include "evidence/media_type.h"

#include <gtest/gtest.h>

namespace tousu::evidence {
namespace {

std::string S(const char* bytes, size_t n) { return std::string(bytes, n); }

TEST(MediaType, SniffsTheKnownSignatures) {
  const struct {
    std::string head;
    const char* want;
  } cases[] = {
      {S("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "image/png"},
      {S("\xFF\xD8\xFF\xE0\0\x10JFIF", 10), "image/jpeg"},
      {"GIF89a\x01\x00", "image/gif"},
      {"GIF87a", "image/gif"},
      {S("RIFF\x24\0\0\0WEBPVP8 ", 16), "image/webp"},
      {"%PDF-1.7\n%\xE2\xE3", "application/pdf"},
      {S("\0\0\0\x18" "ftypmp42\0\0\0\0mp42isom", 24), "video/mp4"},
      {S("\0\0\0\x1c" "ftypisom\0\0\x02\0isomiso2mp41", 28), "video/mp4"},
      {"<!DOCTYPE html><html>", "text/html"},
      {"\xEF\xBB\xBF  \n<HTML>\n<body>", "text/html"},
      {"<script>alert(1)</script>", "text/html"},
      {"<!-- comment --> hi", "text/html"},
      {"订单号 123，已付款 99 元\r\n", "text/plain"},
      {"<abc> is not a tag we know", "text/plain"},
      {S("\0\0\0\x18" "ftypqt  \0\0\0\0qt  ", 20), "application/octet-stream"},
      {S("abc\0def", 7), "application/octet-stream"},
      {"\xFF\xFE\x41\x00", "application/octet-stream"},
      {"", "application/octet-stream"},
  };
  for (const auto& c : cases) EXPECT_EQ(SniffMediaType(c.head, true), c.want) << c.head;
}

TEST(MediaType, ACharacterCutAtTheEndOfTheHeadIsStillText) {
  const std::string text = "付款";  // 6 bytes
  EXPECT_EQ(SniffMediaType(text.substr(0, 4), false), "text/plain");
  EXPECT_EQ(SniffMediaType(text.substr(0, 4), true), "application/octet-stream");
}

TEST(MediaType, NormalisesDeclaredTypes) {
  EXPECT_EQ(NormalizeMediaType("Image/JPG"), "image/jpeg");
  EXPECT_EQ(NormalizeMediaType(" text/plain; charset=UTF-8"), "text/plain");
  EXPECT_EQ(NormalizeMediaType("application/octet-stream"), "");
  EXPECT_EQ(NormalizeMediaType("application/x-www-form-urlencoded"), "");
  EXPECT_EQ(NormalizeMediaType(""), "");
  EXPECT_EQ(NormalizeMediaType("nonsense"), "");
  EXPECT_EQ(NormalizeMediaType("a/b/c"), "");
  EXPECT_EQ(NormalizeMediaType("image/svg+xml"), "image/svg+xml");
}

TEST(MediaType, MismatchOnlyWhenSomethingSpecificWasDeclared) {
  EXPECT_FALSE(MediaTypeMismatch("image/png", ""));
  EXPECT_FALSE(MediaTypeMismatch("image/png", "image/png"));
  EXPECT_TRUE(MediaTypeMismatch("text/html", "image/png"));
  EXPECT_FALSE(MediaTypeMismatch("text/plain", "text/csv"));
  EXPECT_FALSE(MediaTypeMismatch("text/plain", "application/json"));
  EXPECT_TRUE(MediaTypeMismatch("text/plain", "text/html"));
  EXPECT_TRUE(IsImageType("image/webp"));
  EXPECT_FALSE(IsImageType("text/html"));
  EXPECT_FALSE(IsImageType("image/svg+xml"));
}

}  // namespace
}  // namespace tousu::evidence
