#include "rules/terms.h"

#include <algorithm>

namespace tousu {

namespace {

constexpr std::string_view kGap = "…";
constexpr size_t kMaxClauseBytes = 300;

size_t CodePointLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // a stray byte counts as one character
}

std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + sep.size());
  }
}

// Matches parts[k..] starting anywhere in clause[pos, pos + gap characters].
bool MatchFrom(const std::vector<std::vector<std::string_view>>& parts, size_t k, std::string_view clause,
               size_t pos, int gap) {
  if (k == parts.size()) return true;
  for (int skipped = 0; pos <= clause.size(); ++skipped) {
    for (std::string_view alt : parts[k]) {
      if (clause.substr(pos, alt.size()) == alt && MatchFrom(parts, k + 1, clause, pos + alt.size(), gap)) {
        return true;
      }
    }
    if (skipped == gap || pos == clause.size()) return false;
    pos += CodePointLength(static_cast<unsigned char>(clause[pos]));
  }
  return false;
}

// Clause ends: 。！？；!?; and line breaks.
bool IsClauseEnd(std::string_view s, size_t i, size_t* len) {
  static constexpr std::string_view kEnds[] = {"。", "！", "？", "；", "!", "?", ";", "\n", "\r"};
  for (std::string_view e : kEnds) {
    if (s.substr(i, e.size()) == e) {
      *len = e.size();
      return true;
    }
  }
  return false;
}

bool IsSpace(std::string_view s, size_t i, size_t* len) {
  if (s[i] == ' ' || s[i] == '\t') {
    *len = 1;
    return true;
  }
  if (s.substr(i, 3) == "\u3000") {  // full-width space
    *len = 3;
    return true;
  }
  return false;
}

std::string Trimmed(std::string_view clause) {
  size_t len = 0;
  while (!clause.empty() && IsSpace(clause, 0, &len)) clause.remove_prefix(len);
  while (!clause.empty() && (clause.back() == ' ' || clause.back() == '\t' || clause.back() == '\n' ||
                             clause.back() == '\r')) {
    clause.remove_suffix(1);
  }
  if (clause.size() <= kMaxClauseBytes) return std::string(clause);
  size_t cut = 0;
  while (cut < clause.size()) {
    size_t n = CodePointLength(static_cast<unsigned char>(clause[cut]));
    if (cut + n > kMaxClauseBytes) break;
    cut += n;
  }
  return std::string(clause.substr(0, cut)) + "…";
}

}  // namespace

bool PatternMatches(std::string_view pattern, std::string_view clause, int max_gap) {
  std::vector<std::vector<std::string_view>> parts;
  for (std::string_view part : Split(pattern, kGap)) parts.push_back(Split(part, "|"));
  if (parts.empty()) return false;
  for (size_t pos = 0; pos < clause.size(); pos += CodePointLength(static_cast<unsigned char>(clause[pos]))) {
    for (std::string_view alt : parts[0]) {
      if (!alt.empty() && clause.substr(pos, alt.size()) == alt &&
          MatchFrom(parts, 1, clause, pos + alt.size(), max_gap)) {
        return true;
      }
    }
  }
  return false;
}

std::vector<TermMatch> FindUnfairTerms(const TermsPolicy& terms, std::string_view text) {
  std::vector<TermMatch> out;
  size_t start = 0;
  while (start < text.size()) {
    // One clause: up to and including its end mark.
    size_t i = start, end_len = 0;
    while (i < text.size() && !IsClauseEnd(text, i, &end_len)) {
      i += CodePointLength(static_cast<unsigned char>(text[i]));
    }
    const size_t clause_start = start;
    const size_t stop = std::min(text.size(), i + end_len);
    std::string_view clause = text.substr(clause_start, std::min(i, text.size()) - clause_start);
    start = stop > start ? stop : start + 1;
    std::string compact;
    for (size_t j = 0, n = 0; j < clause.size(); j += n) {
      if (!IsSpace(clause, j, &n)) {
        n = CodePointLength(static_cast<unsigned char>(clause[j]));
        compact.append(clause.substr(j, n));
      }
    }
    if (compact.empty()) continue;
    TermMatch m;
    for (const TermPattern& p : terms.patterns) {
      if (PatternMatches(p.pattern, compact, terms.max_gap)) m.patterns.push_back(p.id);
    }
    if (m.patterns.empty()) continue;
    m.clause = Trimmed(text.substr(clause_start, stop - clause_start));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace tousu
