#include "base/encoding.h"

#include <gtest/gtest.h>

#include "base/crypto.h"

namespace tousu {
namespace {

TEST(Encoding, HexRoundTrip) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("0"));
  EXPECT_FALSE(HexDecode("zz"));
}

TEST(Encoding, Base64MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : vectors) {
    EXPECT_EQ(Base64Encode(plain), enc);
    EXPECT_EQ(*Base64Decode(enc), plain);
  }
  EXPECT_FALSE(Base64Decode("Zm9"));
  EXPECT_FALSE(Base64Decode("Zm9v!A=="));
  EXPECT_FALSE(Base64Decode("Zh=="));  // non-canonical trailing bits
}

TEST(Encoding, Base64UrlHasNoPadding) {
  std::string bytes("\xfb\xff", 2);
  EXPECT_EQ(Base64UrlEncode(bytes), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), bytes);
  EXPECT_FALSE(Base64UrlDecode("+/8"));
}

TEST(Crypto, Sha256KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Hasher h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(HexEncode(DigestBytes(h.Finish())), Sha256Hex("abc"));
  h.Reset();
  EXPECT_EQ(HexEncode(DigestBytes(h.Finish())), Sha256Hex(""));
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace tousu
