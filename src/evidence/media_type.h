// What an uploaded file is, judged from its first bytes (after the WHATWG MIME Sniffing
// signatures), and the declared Content-Type reduced to a comparable form. tousu stores and
// serves the sniffed type, never the declared one, and records both so that a mismatch shows.
//
// Recognised: image/png, image/jpeg, image/gif, image/webp, application/pdf, video/mp4,
// text/html (anything that starts like HTML: it is served as a download, never rendered),
// text/plain (well-formed UTF-8 without binary control bytes); otherwise
// application/octet-stream.
// Thread-safety: pure functions.
#ifndef TOUSU_EVIDENCE_MEDIA_TYPE_H_
#define TOUSU_EVIDENCE_MEDIA_TYPE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tousu::evidence {

// How many leading bytes SniffMediaType looks at.
inline constexpr size_t kSniffBytes = 4096;

// `head` is the file's first min(size, kSniffBytes) bytes; `complete` when it is the whole file
// (a UTF-8 sequence cut off at the end of an incomplete head is then not held against it).
std::string SniffMediaType(std::string_view head, bool complete);

// The declared Content-Type's essence ("type/subtype", lower case, parameters dropped, aliases
// such as image/jpg folded); "" when it says nothing useful (absent, malformed,
// application/octet-stream, application/x-www-form-urlencoded).
std::string NormalizeMediaType(std::string_view declared);

// Images are the only files a browser may show inline.
bool IsImageType(std::string_view media_type);

// True when something specific was declared and the bytes say otherwise.
bool MediaTypeMismatch(std::string_view sniffed, std::string_view declared_normalized);

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_MEDIA_TYPE_H_
