// Unfair standard terms (消法 26, seed 004): finds clauses in a terms text that exclude the
// business's liability or claim sole interpretation, with patterns that tolerate wording
// variants.
//
// Pattern syntax (policy terms.unfair): parts separated by "…", alternatives within a part by
// "|". "最终|最后…解释权" matches "最终解释权", "最终的解释权" and "最后解释权". A "…" skips at most
// `max_gap` characters, and a match never crosses a clause end (。！？；!?; or a line break).
// Whitespace inside a clause is ignored, so "最终 解释权" matches too.
// Thread-safety: pure functions.
#ifndef TOUSU_RULES_TERMS_H_
#define TOUSU_RULES_TERMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "rules/policy.h"

namespace tousu {

struct TermMatch {
  std::string clause;                 // the clause as written (trimmed, at most ~300 bytes)
  std::vector<std::string> patterns;  // ids of the patterns it matched
};

// The clauses of `text` that match any pattern, in text order, each once.
std::vector<TermMatch> FindUnfairTerms(const TermsPolicy& terms, std::string_view text);

// Does `pattern` match somewhere in `clause` (one clause, whitespace already removed)?
bool PatternMatches(std::string_view pattern, std::string_view clause, int max_gap);

}  // namespace tousu

#endif  // TOUSU_RULES_TERMS_H_
