// Reading a rule policy from TOML (format in docs/policy.md; the defaults in policy/default.toml).
//
// A policy file is `format = 1` and a [rules] table keyed by rule id. A rule the file leaves out
// keeps the base policy's value; every key it names must be known and well-typed, so a typo can
// never pass silently. A bad file is refused with every problem listed as a field error
// ("rules.filing.incident_7d.window": "must be a duration such as \"7d\" or \"48h\"").
// Thread-safety: pure functions.
#ifndef TOUSU_RULES_POLICY_TOML_H_
#define TOUSU_RULES_POLICY_TOML_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "rules/policy.h"

namespace tousu {

// Largest policy text accepted (bytes).
inline constexpr size_t kMaxPolicyBytes = 256 * 1024;

// Parses `text` over `base`. Unprocessable (422) with field errors when the text is not TOML,
// names an unknown rule or parameter, or gives a value of the wrong type or out of range.
// The result's version is base's; the caller sets the stored version.
StatusOr<Policy> ParsePolicy(std::string_view text, const Policy& base);

// policy/default.toml as built into the binary (generated at build time).
std::string_view DefaultPolicyText();

// "1d12h" → 129600 s. Units d, h, m, s, each at most once, in that order; nullopt otherwise.
std::optional<Duration> ParsePolicyDuration(std::string_view text);

}  // namespace tousu

#endif  // TOUSU_RULES_POLICY_TOML_H_
