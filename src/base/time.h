// Instant: a point in UTC time with one-second resolution, and its RFC 3339 text form.
//
// tousu stores and compares times only as Instants (seconds since the Unix epoch, UTC). Text
// comes in as RFC 3339 with any offset ("2026-11-01T16:00:00+08:00") and always goes out in UTC
// with a "Z" ("2026-11-01T08:00:00Z"); fractions of a second are accepted and dropped.
// Thread-safety: value types, no shared state.
#ifndef TOUSU_BASE_TIME_H_
#define TOUSU_BASE_TIME_H_

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tousu {

using Duration = std::chrono::seconds;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class Instant {
 public:
  constexpr Instant() = default;  // the epoch
  static constexpr Instant FromUnixSeconds(int64_t s) { return Instant(s); }
  // Later than any time tousu stores or parses (year 9999 at most); a bound, not a date.
  static constexpr Instant Max() { return Instant(INT64_MAX); }
  constexpr int64_t unix_seconds() const { return s_; }

  constexpr Instant operator+(Duration d) const { return Instant(s_ + d.count()); }
  constexpr Instant operator-(Duration d) const { return Instant(s_ - d.count()); }
  constexpr Duration operator-(Instant o) const { return Duration(s_ - o.s_); }
  constexpr auto operator<=>(const Instant&) const = default;

 private:
  constexpr explicit Instant(int64_t s) : s_(s) {}
  int64_t s_ = 0;
};

// Parses RFC 3339 date-time ("2026-11-01T08:00:00Z", "...T16:00:00.123+08:00").
// Years 0001-9999, in the text and in UTC; rejects invalid calendar dates and leap seconds.
std::optional<Instant> ParseRfc3339(std::string_view text);

// Formats as "YYYY-MM-DDTHH:MM:SSZ" in UTC.
std::string FormatRfc3339(Instant t);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace tousu

#endif  // TOUSU_BASE_TIME_H_
