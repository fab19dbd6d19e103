// UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), for
// the text tousu hashes (canonical JSON) and for recognising plain-text uploads.
// Thread-safety: pure functions.
#ifndef TOUSU_EVIDENCE_UTF8_H_
#define TOUSU_EVIDENCE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace tousu::evidence {

// The length of the longest prefix of `s` made of whole, well-formed UTF-8 sequences.
size_t ValidUtf8Prefix(std::string_view s);

inline bool IsValidUtf8(std::string_view s) { return ValidUtf8Prefix(s) == s.size(); }

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_UTF8_H_
