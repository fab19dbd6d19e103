// Canonical JSON: the single byte form of a JSON value that tousu hashes into its log
// (docs/log_format.md "Canonical JSON"). No whitespace; object members sorted by the bytes of
// their UTF-8 names; integers in plain decimal; strings as UTF-8 where only '"', '\\' and the
// control characters U+0000..U+001F are escaped (\b \t \n \f \r, others \u00xx in lower case).
// For ASCII names and integer-only values this is the same text as RFC 8785 (JCS).
// Thread-safety: pure functions.
#ifndef TOUSU_EVIDENCE_CANONICAL_JSON_H_
#define TOUSU_EVIDENCE_CANONICAL_JSON_H_

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "base/json_text.h"
#include "base/status.h"

namespace tousu::evidence {

// InvalidArgument for a floating-point number, a repeated member name or a string that is
// not well-formed UTF-8: tousu never hashes a value it cannot write one way only.
StatusOr<std::string> CanonicalJson(const boost::json::value& v);

// The same, appended to `out`: for encoders that write a document of fixed members by hand
// (the event leaf) and need the canonical form of its parts. On an error `out` may hold part.
Status AppendCanonicalJson(const boost::json::value& v, std::string& out);
Status AppendCanonicalString(std::string_view s, std::string& out);

// The quoted, escaped form of a string already known to be UTF-8 (no check): the escapes above,
// which are also those Boost.JSON's serializer writes. For writers of our own JSON text.
using ::tousu::AppendQuotedJson;

}  // namespace tousu::evidence

#endif  // TOUSU_EVIDENCE_CANONICAL_JSON_H_
