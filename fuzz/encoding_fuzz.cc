// Hex, base64 and base64url decoding (base/encoding.h): tokens, hashes, cursors and, later,
// proofs and checkpoints arrive in these forms from outside.
#include <cctype>

#include "base/encoding.h"
#include "fuzz/fuzz_target.h"

TOUSU_FUZZ_TARGET(encoding) {
  using namespace tousu;
  const std::string_view in = fuzz::AsText(data, size);

  // Decoding accepts only canonical text: what it accepts re-encodes to the same text.
  if (auto hex = HexDecode(in)) {
    std::string lower(in);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(HexEncode(*hex) == lower, "hex round trip");
  }
  if (auto b64 = Base64Decode(in)) FUZZ_CHECK(Base64Encode(*b64) == in, "base64 round trip");
  if (auto b64u = Base64UrlDecode(in)) FUZZ_CHECK(Base64UrlEncode(*b64u) == in, "base64url round trip");

  // Any bytes survive encode then decode.
  FUZZ_CHECK(HexDecode(HexEncode(in)) == std::string(in), "hex of arbitrary bytes");
  FUZZ_CHECK(Base64Decode(Base64Encode(in)) == std::string(in), "base64 of arbitrary bytes");
  FUZZ_CHECK(Base64UrlDecode(Base64UrlEncode(in)) == std::string(in), "base64url of arbitrary bytes");
  return 0;
}
