// Byte <-> text encodings used in tokens, hashes, checkpoints and cursors.
// Thread-safety: pure functions.
#ifndef TOUSU_BASE_ENCODING_H_
#define TOUSU_BASE_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace tousu {

std::string HexEncode(std::string_view bytes);  // lower case
std::optional<std::string> HexDecode(std::string_view hex);  // either case; nullopt if malformed

std::string Base64Encode(std::string_view bytes);  // RFC 4648 §4, padded
std::optional<std::string> Base64Decode(std::string_view text);  // strict: padding required

std::string Base64UrlEncode(std::string_view bytes);  // RFC 4648 §5, no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tousu

#endif  // TOUSU_BASE_ENCODING_H_
