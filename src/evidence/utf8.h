// UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), for
// the text tousu hashes (canonical JSON), for recognising plain-text uploads, and for text a
// client sent that goes back out in JSON (an error that names a field it sent).
// Thread-safety: pure functions.
#ifndef TOUSU_EVIDENCE_UTF8_H_
#define TOUSU_EVIDENCE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tousu::evidence {

// The length of the longest prefix of `s` made of whole, well-formed UTF-8 sequences.
size_t ValidUtf8Prefix(std::string_view s);

inline bool IsValidUtf8(std::string_view s) { return ValidUtf8Prefix(s) == s.size(); }

// `s` with each byte that is not part of a well-formed sequence replaced by U+FFFD; `s` itself
// when it is well-formed.
std::string WellFormedUtf8(std::string_view s);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_UTF8_H_
